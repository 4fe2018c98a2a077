/*
 * json.c: streaming JSON writer; see json.h.
 */
#include <stdio.h>

#include "json.h"
#include "timeparse.h"

void
json_init(struct json *j, struct buf *out)
{
	json_init_style(j, out, JSON_COMPACT);
}

void
json_init_style(struct json *j, struct buf *out, enum json_style style)
{
	j->out = out;
	j->style = style;
	j->depth = 0;
	j->first[0] = 1;
	j->after_key = 0;
}

/* Separator before a value or key at the current depth. */
static void
json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!j->first[j->depth])
		buf_puts(j->out, j->style == JSON_SPACED ? ", " : ",");
	j->first[j->depth] = 0;
}

static void
json_open(struct json *j, char c)
{
	json_sep(j);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		fatal("json: nesting too deep");
	buf_putc(j->out, c);
	j->first[++j->depth] = 1;
}

static void
json_close(struct json *j, char c)
{
	j->depth--;
	buf_putc(j->out, c);
}

void
json_raw(struct json *j, const char *text, size_t len)
{
	json_sep(j);
	buf_add(j->out, text, len);
}

void
json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void
json_object_end(struct json *j)
{
	json_close(j, '}');
}

void
json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void
json_array_end(struct json *j)
{
	json_close(j, ']');
}

static void
json_quote(const struct json *j, const char *s)
{
	const unsigned char *p;
	int spaced = j->style == JSON_SPACED;

	buf_putc(j->out, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(j->out, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(j->out, "\\n");
		else if (*p == '\t')
			buf_puts(j->out, "\\t");
		else if (*p == '\r' && !spaced)
			buf_puts(j->out, "\\r");
		else if (*p < 0x20 || (*p == 0x7f && spaced))
			buf_printf(j->out, "\\u%04x", *p);
		else
			buf_putc(j->out, (char)*p);
	}
	buf_putc(j->out, '"');
}

void
json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_quote(j, key);
	buf_puts(j->out, j->style == JSON_SPACED ? ": " : ":");
	j->after_key = 1;
}

void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_sep(j);
	json_quote(j, s);
}

void
json_int(struct json *j, long long v)
{
	json_sep(j);
	buf_printf(j->out, "%lld", v);
}

void
json_bool(struct json *j, int v)
{
	json_sep(j);
	buf_puts(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	json_sep(j);
	buf_puts(j->out, "null");
}

void
json_kv_string(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	json_string(j, value);
}

void
json_kv_int(struct json *j, const char *key, long long value)
{
	json_key(j, key);
	json_int(j, value);
}

void
json_kv_bool(struct json *j, const char *key, int value)
{
	json_key(j, key);
	json_bool(j, value);
}

void
json_kv_strings(struct json *j, const char *key, const char *const *v,
    size_t n)
{
	size_t i;

	json_key(j, key);
	json_array_begin(j);
	for (i = 0; i < n; i++)
		json_string(j, v[i]);
	json_array_end(j);
}

void
json_kv_time(struct json *j, const char *key, time_t value)
{
	char s[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(value, s, sizeof(s));
	json_kv_string(j, key, s);
}

static void
json_scalar(struct json *j, const struct node *n)
{
	long long v;
	int b;

	if (node_is_null(n))
		json_null(j);
	else if (node_bool(n, &b) == 0)
		json_bool(j, b);
	else if (node_int(n, &v) == 0)
		json_int(j, v);
	else
		json_string(j, n->value);
}

void
json_node(struct json *j, const struct node *n)
{
	size_t i;

	if (n == NULL) {
		json_null(j);
		return;
	}
	switch (n->kind) {
	case NODE_SCALAR:
		json_scalar(j, n);
		break;
	case NODE_MAP:
		json_object_begin(j);
		for (i = 0; i < n->npairs; i++) {
			json_key(j, n->pairs[i].key->value);
			json_node(j, n->pairs[i].value);
		}
		json_object_end(j);
		break;
	case NODE_SEQ:
		json_array_begin(j);
		for (i = 0; i < n->nitems; i++)
			json_node(j, n->items[i]);
		json_array_end(j);
		break;
	}
}
