/*
 * report.c: a run as text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "shard.h"
#include "report.h"
#include "timeparse.h"

static char
report_sign(const struct change *c)
{
	if (c->flags & (CHANGE_GPO | CHANGE_NEEDS_PERSON))
		return '!';
	if (c->before == NULL)
		return '+';
	if (c->after == NULL)
		return '-';
	return '~';
}

/* A host's cause without the host's name in front (we print it). */
static const char *
report_cause(const struct engine_host *eh)
{
	size_t n = strlen(eh->host->name);

	if (strncmp(eh->error, eh->host->name, n) == 0 &&
	    strncmp(eh->error + n, ": ", 2) == 0)
		return eh->error + n + 2;
	return eh->error;
}

static void
report_change_text(struct buf *out, const struct engine_change *ic,
    int applied)
{
	const struct change *c = ic->change;

	buf_printf(out, "  %c %s", report_sign(c), c->path);
	if (c->before != NULL && c->after != NULL)
		buf_printf(out, ": %s -> %s", c->before, c->after);
	else if (c->after != NULL)
		buf_printf(out, ": %s", c->after);
	else if (c->before != NULL)
		buf_printf(out, ": %s", c->before);
	buf_printf(out, "   (%s)", ic->reason);
	if (c->flags & CHANGE_GPO)
		buf_printf(out, "\n      owned by Group Policy%s%s: change the GPO",
		    c->gpo != NULL ? " " : "", c->gpo != NULL ? c->gpo : "");
	if (c->note != NULL)
		buf_printf(out, "\n      %s", c->note);
	if ((c->flags & CHANGE_CUTS_CONNECTION) && ic->result != ENGINE_REPORTED)
		buf_puts(out, "\n      may cut enforcer's own connection: "
		    "applied last");
	if (applied && ic->result != ENGINE_REPORTED) {
		buf_printf(out, "\n      %s", engine_result_name(ic->result));
		if (ic->error != NULL)
			buf_printf(out, ": %s", ic->error);
	}
	buf_putc(out, '\n');
}

/* What ended windows left on: said on every run until it is off. */
static void
report_overdue_text(struct buf *out, const struct engine_host *eh)
{
	if (eh->overdue != NULL)
		buf_printf(out, "%s: WARNING: %s\n", eh->host->name,
		    eh->overdue);
}

void
report_text(struct buf *out, const struct engine_run *run, const char *verb)
{
	const struct engine_host *eh;
	struct engine_totals t;
	int applied = strcmp(verb, "plan") != 0;
	size_t i, j;

	for (i = 0; i < run->nhosts; i++) {
		eh = &run->hosts[i];
		if (eh->tls_unverified)
			buf_printf(out, "%s: WARNING: TLS verification is OFF "
			    "(tls_verify: false)\n", eh->host->name);
		report_overdue_text(out, eh);
		if (eh->repaired_via != NULL)
			buf_printf(out, "%s: %s\n", eh->host->name,
			    eh->repaired_via);
		if (eh->error != NULL && eh->changes.n == 0) {
			buf_printf(out, "%s: failed: %s\n", eh->host->name,
			    report_cause(eh));
			continue;
		}
		if (eh->changes.n == 0) {
			buf_printf(out, "%s: in sync\n", eh->host->name);
			continue;
		}
		buf_printf(out, "%s: %zu change%s\n", eh->host->name,
		    eh->changes.n, eh->changes.n == 1 ? "" : "s");
		for (j = 0; j < eh->changes.n; j++)
			report_change_text(out, &eh->info[j], applied);
	}
	engine_totals(run, &t);
	buf_printf(out, "\n%s: %zu host%s: %zu in sync, %zu with changes, "
	    "%zu failed", verb, t.hosts, t.hosts == 1 ? "" : "s", t.in_sync,
	    t.changed, t.failed);
	if (applied)
		buf_printf(out, "; %zu verified, %zu failed, %zu need a person "
		    "or a GPO change", t.verified, t.failed_changes, t.reported);
	else
		buf_printf(out, "; %zu change%s pending", t.pending + t.reported,
		    t.pending + t.reported == 1 ? "" : "s");
	buf_putc(out, '\n');
	if (run->shard.count != 0)
		buf_printf(out, "shard %u/%u: %zu of the inventory's %zu hosts "
		    "(%s)\n", run->shard.index, run->shard.count,
		    run->shard_hosts, run->fleet_hosts, SHARD_HASH_NAME);
	for (i = 0; i < run->nhosts; i++)
		if (run->hosts[i].error != NULL)
			buf_printf(out, "failed: %s: %s\n",
			    run->hosts[i].host->name,
			    report_cause(&run->hosts[i]));
}

static void
report_change_json(struct json *j, const struct engine_change *ic)
{
	const struct change *c = ic->change;

	json_object_begin(j);
	json_kv_string(j, "kind", c->kind);
	json_kv_string(j, "path", c->path);
	json_kv_string(j, "before", c->before);
	json_kv_string(j, "after", c->after);
	json_kv_string(j, "class", engine_class_name(ic->class));
	json_kv_string(j, "reason", ic->reason);
	json_kv_string(j, "window", ic->window);
	if (ic->until != 0)
		json_kv_time(j, "until", ic->until);
	else
		json_kv_string(j, "until", NULL);
	json_kv_bool(j, "gpo_owned", (c->flags & CHANGE_GPO) != 0);
	json_kv_string(j, "gpo", c->gpo);
	json_kv_bool(j, "needs_person", (c->flags & CHANGE_NEEDS_PERSON) != 0);
	json_kv_bool(j, "cuts_connection",
	    (c->flags & CHANGE_CUTS_CONNECTION) != 0);
	json_kv_string(j, "note", c->note);
	json_kv_string(j, "result", engine_result_name(ic->result));
	json_kv_string(j, "error", ic->error);
	json_object_end(j);
}

static void
report_host_json(struct json *j, const struct engine_host *eh)
{
	size_t i;

	json_object_begin(j);
	json_kv_string(j, "name", eh->host->name);
	json_kv_string(j, "status", eh->error != NULL ? "failed" :
	    eh->changes.n == 0 ? "in_sync" : "changes");
	json_kv_string(j, "error", eh->error);
	json_kv_string(j, "overdue", eh->overdue);
	json_kv_bool(j, "tls_verified", !eh->tls_unverified);
	json_kv_string(j, "repaired_via_http", eh->repaired_via);
	json_key(j, "changes");
	json_array_begin(j);
	for (i = 0; i < eh->changes.n; i++)
		report_change_json(j, &eh->info[i]);
	json_array_end(j);
	json_key(j, "timings_ms");
	json_object_begin(j);
	json_kv_int(j, "read", eh->ms_read);
	json_kv_int(j, "apply", eh->ms_apply);
	json_kv_int(j, "total", eh->ms_total);
	json_object_end(j);
	json_object_end(j);
}

/* "shard": which part of the fleet this run had, or null. */
static void
report_shard_json(struct json *j, const struct engine_run *run)
{
	json_key(j, "shard");
	if (run->shard.count == 0) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_kv_int(j, "index", run->shard.index);
	json_kv_int(j, "count", run->shard.count);
	json_kv_int(j, "hosts", (long long)run->shard_hosts);
	json_kv_int(j, "fleet_hosts", (long long)run->fleet_hosts);
	json_kv_string(j, "hash", SHARD_HASH_NAME);
	json_object_end(j);
}

void
report_json_begin(struct json *j, struct buf *out, const char *verb)
{
	json_init(j, out);
	json_object_begin(j);
	json_kv_int(j, "version", 1);
	json_kv_string(j, "verb", verb);
}

void
report_json(struct buf *out, const struct engine_run *run, const char *verb)
{
	report_json_with(out, run, verb, NULL, NULL);
}

void
report_json_with(struct buf *out, const struct engine_run *run,
    const char *verb, void (*extra)(struct json *, const void *),
    const void *arg)
{
	struct engine_totals t;
	struct json j;
	size_t i;
	long ms;

	engine_totals(run, &t);
	ms = timeparse_ms_between(&run->started, &run->finished);
	report_json_begin(&j, out, verb);
	json_kv_string(&j, "run_id", run->id);
	json_kv_time(&j, "at", run->at);
	json_kv_int(&j, "duration_ms", ms);
	report_shard_json(&j, run);
	json_key(&j, "hosts");
	json_array_begin(&j);
	for (i = 0; i < run->nhosts; i++)
		report_host_json(&j, &run->hosts[i]);
	json_array_end(&j);
	json_key(&j, "summary");
	json_object_begin(&j);
	json_kv_int(&j, "hosts", (long long)t.hosts);
	json_kv_int(&j, "in_sync", (long long)t.in_sync);
	json_kv_int(&j, "with_changes", (long long)t.changed);
	json_kv_int(&j, "failed", (long long)t.failed);
	json_kv_int(&j, "pending", (long long)t.pending);
	json_kv_int(&j, "verified", (long long)t.verified);
	json_kv_int(&j, "failed_changes", (long long)t.failed_changes);
	json_kv_int(&j, "reported", (long long)t.reported);
	json_object_end(&j);
	if (extra != NULL)
		extra(&j, arg);
	json_object_end(&j);
	buf_putc(out, '\n');
}
