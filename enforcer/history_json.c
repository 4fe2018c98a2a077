/*
 * history_json.c: runs and changes as JSON, the stable shape documented in
 * docs/history.md ("--json").  Keys are written in a fixed order and every
 * key is always present (null when empty), so consumers need no guessing.
 */
#include <stdio.h>
#include <string.h>

#include "history.h"
#include "timeparse.h"

void
history_json_string(struct buf *out, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		buf_puts(out, "null");
		return;
	}
	buf_putc(out, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(out, "\\n");
		else if (*p == '\t')
			buf_puts(out, "\\t");
		else if (*p < ' ' || *p == 0x7f)
			buf_printf(out, "\\u%04x", *p);
		else
			buf_putc(out, (char)*p);
	}
	buf_putc(out, '"');
}

static void
json_scalar(struct buf *out, const struct node *n)
{
	long long v;
	int b;

	if (node_is_null(n))
		buf_puts(out, "null");
	else if (node_bool(n, &b) == 0)
		buf_puts(out, b ? "true" : "false");
	else if (node_int(n, &v) == 0)
		buf_printf(out, "%lld", v);
	else
		history_json_string(out, n->value);
}

void
history_json_node(struct buf *out, const struct node *n)
{
	size_t i;

	if (n == NULL) {
		buf_puts(out, "null");
		return;
	}
	switch (n->kind) {
	case NODE_SCALAR:
		json_scalar(out, n);
		break;
	case NODE_MAP:
		buf_putc(out, '{');
		for (i = 0; i < n->npairs; i++) {
			if (i > 0)
				buf_puts(out, ", ");
			history_json_string(out, n->pairs[i].key->value);
			buf_puts(out, ": ");
			history_json_node(out, n->pairs[i].value);
		}
		buf_putc(out, '}');
		break;
	case NODE_SEQ:
		buf_putc(out, '[');
		for (i = 0; i < n->nitems; i++) {
			if (i > 0)
				buf_puts(out, ", ");
			history_json_node(out, n->items[i]);
		}
		buf_putc(out, ']');
		break;
	}
}

static void
json_time(struct buf *out, time_t t)
{
	char s[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(t, s, sizeof(s));
	history_json_string(out, s);
}

static void
json_strings(struct buf *out, const char **v, size_t n)
{
	size_t i;

	buf_putc(out, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(out, ", ");
		history_json_string(out, v[i]);
	}
	buf_putc(out, ']');
}

static void
json_change_fields(struct buf *out, const struct history_change *c)
{
	buf_puts(out, "\"host\": ");
	history_json_string(out, c->host);
	buf_puts(out, ", \"path\": ");
	history_json_string(out, c->path);
	buf_puts(out, ", \"before\": ");
	history_json_string(out, c->before);
	buf_puts(out, ", \"after\": ");
	history_json_string(out, c->after);
	buf_puts(out, ", \"class\": ");
	history_json_string(out, history_class_name(c->class));
	buf_puts(out, ", \"reason\": ");
	history_json_string(out, c->reason);
	buf_puts(out, ", \"window\": ");
	history_json_string(out, c->window);
	buf_printf(out, ", \"verified\": %s", c->verified ? "true" : "false");
}

void
history_json_change(struct buf *out, const struct history_entry *e,
    const struct history_change *c)
{
	buf_puts(out, "{\"run_id\": ");
	history_json_string(out, e->run.run_id);
	buf_puts(out, ", \"finished\": ");
	json_time(out, e->run.finished);
	buf_puts(out, ", ");
	json_change_fields(out, c);
	buf_putc(out, '}');
}

static void
json_host(struct buf *out, const struct history_host *h, int trees)
{
	buf_puts(out, "{\"name\": ");
	history_json_string(out, h->name);
	buf_puts(out, ", \"error\": ");
	history_json_string(out, h->error);
	if (trees) {
		buf_puts(out, ", \"observed\": ");
		history_json_node(out, h->observed);
		buf_puts(out, ", \"verified\": ");
		history_json_node(out, h->verified);
	}
	buf_putc(out, '}');
}

static void
json_run_head(struct buf *out, const struct history_entry *e)
{
	const struct history_run *r = &e->run;

	buf_puts(out, "{\"run_id\": ");
	history_json_string(out, r->run_id);
	buf_puts(out, ", \"verb\": ");
	history_json_string(out, r->verb);
	buf_puts(out, ", \"summary\": ");
	history_json_string(out, e->summary);
	buf_puts(out, ", \"started\": ");
	json_time(out, r->started);
	buf_puts(out, ", \"finished\": ");
	json_time(out, r->finished);
	buf_puts(out, ", \"commit\": ");
	history_json_string(out, e->commit);
	buf_puts(out, ", \"observed_commit\": ");
	history_json_string(out, e->observed[0] != '\0' ? e->observed : NULL);
	buf_puts(out, ", \"desired\": ");
	history_json_string(out, r->desired_path);
	buf_puts(out, ", \"desired_commit\": ");
	history_json_string(out, r->desired_commit);
	buf_puts(out, ", \"windows\": ");
	json_strings(out, r->windows, r->nwindows);
	buf_puts(out, ", \"drifted\": ");
	json_strings(out, e->drifted, e->ndrifted);
}

void
history_json_entry(struct buf *out, const struct history_entry *e, int trees)
{
	const struct history_run *r = &e->run;
	size_t i;

	json_run_head(out, e);
	buf_puts(out, ", \"hosts\": [");
	for (i = 0; i < r->nhosts; i++) {
		if (i > 0)
			buf_puts(out, ", ");
		json_host(out, &r->hosts[i], trees);
	}
	buf_puts(out, "], \"changes\": [");
	for (i = 0; i < r->nchanges; i++) {
		buf_puts(out, i > 0 ? ", {" : "{");
		json_change_fields(out, &r->changes[i]);
		buf_putc(out, '}');
	}
	buf_puts(out, "]}");
}
