/*
 * history_json.c: runs and changes as JSON, the stable shape documented in
 * docs/history.md ("--json").  Keys are written in a fixed order and every
 * key is always present (null when empty), so consumers need no guessing.
 */
#include "history.h"
#include "json.h"

static void
history_json_change_fields(struct json *j, const struct history_change *c)
{
	json_kv_string(j, "host", c->host);
	json_kv_string(j, "path", c->path);
	json_kv_string(j, "before", c->before);
	json_kv_string(j, "after", c->after);
	json_kv_string(j, "class", history_class_name(c->class));
	json_kv_string(j, "reason", c->reason);
	json_kv_string(j, "window", c->window);
	json_kv_bool(j, "verified", c->verified);
}

void
history_json_node(struct buf *out, const struct node *n)
{
	struct json j;

	json_init_style(&j, out, JSON_SPACED);
	json_node(&j, n);
}

void
history_json_change(struct buf *out, const struct history_entry *e,
    const struct history_change *c)
{
	struct json j;

	json_init_style(&j, out, JSON_SPACED);
	json_object_begin(&j);
	json_kv_string(&j, "run_id", e->run.run_id);
	json_kv_time(&j, "finished", e->run.finished);
	history_json_change_fields(&j, c);
	json_object_end(&j);
}

static void
history_json_host(struct json *j, const struct history_host *h, int trees)
{
	json_object_begin(j);
	json_kv_string(j, "name", h->name);
	json_kv_string(j, "error", h->error);
	json_kv_string(j, "noncompliant", h->noncompliant);
	if (trees) {
		json_key(j, "observed");
		json_node(j, h->observed);
		json_key(j, "verified");
		json_node(j, h->verified);
	}
	json_object_end(j);
}

static void
history_json_run_head(struct json *j, const struct history_entry *e)
{
	const struct history_run *r = &e->run;

	json_kv_string(j, "run_id", r->run_id);
	json_kv_string(j, "verb", r->verb);
	json_kv_string(j, "summary", e->summary);
	json_kv_time(j, "started", r->started);
	json_kv_time(j, "finished", r->finished);
	json_kv_string(j, "commit", e->commit);
	json_kv_string(j, "observed_commit",
	    e->observed[0] != '\0' ? e->observed : NULL);
	json_kv_string(j, "desired", r->desired_path);
	json_kv_string(j, "desired_commit", r->desired_commit);
	json_kv_strings(j, "windows", r->windows, r->nwindows);
	json_kv_strings(j, "drifted", e->drifted, e->ndrifted);
	/* Added in version 1: additions only append keys. */
	json_kv_string(j, "operator", r->operator);
	json_kv_bool(j, "desired_dirty", r->desired_dirty);
	json_kv_bool(j, "cut", e->cut);
}

void
history_json_entry(struct buf *out, const struct history_entry *e,
    int trees)
{
	const struct history_run *r = &e->run;
	struct json j;
	size_t i;

	json_init_style(&j, out, JSON_SPACED);
	json_object_begin(&j);
	history_json_run_head(&j, e);
	json_key(&j, "hosts");
	json_array_begin(&j);
	for (i = 0; i < r->nhosts; i++)
		history_json_host(&j, &r->hosts[i], trees);
	json_array_end(&j);
	json_key(&j, "changes");
	json_array_begin(&j);
	for (i = 0; i < r->nchanges; i++) {
		json_object_begin(&j);
		history_json_change_fields(&j, &r->changes[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}
