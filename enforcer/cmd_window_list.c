/*
 * cmd_window_list.c: enforcer window list [--check]: the open, upcoming
 * and recently ended windows, their hosts, and whether each host is
 * reverted.
 *
 * Whether a host is reverted is read from the host itself: a plan run
 * (read-only) over the hosts windows target.  A host that cannot be read
 * is judged on the last state history recorded for it, if any; --offline
 * reads no host and uses history only.  --check judges every window that
 * has ended, listed or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "engine.h"
#include "history.h"
#include "json.h"
#include "timeparse.h"
#include "window.h"
#include "window_failsafe.h"

struct cmd_window_list {
	const struct window_args *a;
	struct model		*m;
	struct history		*hist;		/* NULL: none */
	struct node		**last;		/* per model host, or NULL */
	struct engine_run	 run;
	int			 ran;
	int			 bad;		/* a host not known reverted */
	struct json		*json;		/* --json: the output, else NULL */
};

/* What cmd_window_list_history() read before the run, borrowed. */
static const struct node *
cmd_window_list_last(void *arg, const char *host)
{
	struct cmd_window_list *l = arg;
	const struct model_host *h = model_host_find(l->m, host);

	return h != NULL && l->last != NULL ? l->last[h - l->m->hosts] : NULL;
}

/* The same for the engine, copied (an engine_last_fn). */
static int
cmd_window_list_last_copy(void *arg, const char *host, struct node **out,
    char **cause)
{
	const struct node *n = cmd_window_list_last(arg, host);

	*out = n != NULL ? node_copy(n) : NULL;
	return 0;
}

static void
cmd_window_list_history(struct cmd_window_list *l)
{
	/* A shared history is read through a reading mirror of its own. */
	const struct history_place place = { l->a->cache, 0, 0 };
	const char *dir = l->a->history;
	char *cause = NULL;
	size_t i;

	if (dir == NULL)
		dir = getenv("ENFORCER_HISTORY");
	if (history_open_at(&l->hist, l->a->path, dir, &place, &cause) == -1) {
		free(cause);	/* no history: hosts are read, or unknown */
		return;
	}
	l->last = xcalloc(l->m->nhosts + 1, sizeof(*l->last));
	for (i = 0; i < l->m->nhosts; i++)
		if (history_last_state(&l->last[i], l->hist,
		    l->m->hosts[i].name, &cause) == -1) {
			free(cause);
			cause = NULL;
		}
}

/* Plan over every host a window targets. */
static int
cmd_window_list_run(struct cmd_window_list *l, char **cause)
{
	struct engine_opts o;
	struct buf glob = BUF_INIT;
	size_t i, j;
	int all = 0, rc;

	for (i = 0; i < l->m->nwindows; i++)
		for (j = 0; j < l->m->windows[i].nrules; j++) {
			all |= strcmp(l->m->windows[i].rules[j].target,
			    "all") == 0;
			buf_printf(&glob, "%s%s", glob.len > 0 ? "," : "",
			    l->m->windows[i].rules[j].target);
		}
	memset(&o, 0, sizeof(o));
	o.parallel = 16;
	o.shard = l->a->shard;
	o.guard = &window_guard;
	o.hosts_glob = all ? NULL : buf_cstr(&glob);
	o.at = l->a->at;
	o.last = l->last != NULL ? cmd_window_list_last_copy : NULL;
	o.last_arg = l;
	rc = engine_run(&l->run, l->m, &o, cause);
	l->ran = rc == 0;
	buf_release(&glob);
	return rc;
}

static const struct engine_host *
cmd_window_list_host(const struct cmd_window_list *l,
    const struct model_host *h)
{
	size_t i;

	for (i = 0; l->ran && i < l->run.nhosts; i++)
		if (l->run.hosts[i].host == h)
			return &l->run.hosts[i];
	return NULL;
}

/* Pending changes of class for w, not the fail-safe's; paths in b. */
static size_t
cmd_window_list_pending(const struct engine_host *eh,
    const struct model_window *w, enum engine_class class, struct buf *b)
{
	const struct engine_change *ic;
	size_t i, n = 0;

	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (ic->class != class || ic->window == NULL ||
		    strcmp(ic->window, w->name) != 0 ||
		    strcmp(ic->change->kind, FAILSAFE_KIND) == 0)
			continue;
		buf_printf(b, "%s%s", n++ > 0 ? ", " : "", ic->change->path);
	}
	return n;
}

/* To the minute, for people: "4d12h42m", "35s". */
static void
cmd_window_list_duration(long long s, char *buf, size_t len)
{
	timeparse_format_duration(s >= 60 ? s - s % 60 : s, buf, len);
}

static const char *
cmd_window_list_task(const struct node *state, const struct model_window *w)
{
	return node_get_str(node_getv(state, FAILSAFE_KIND, "tasks", w->name,
	    NULL), "trigger");
}

static void
cmd_window_list_open_host(struct buf *b, const struct cmd_window_list *l,
    const struct model_window *w, const struct engine_host *eh)
{
	struct buf paths = BUF_INIT;
	const char *t;
	size_t n;

	if (eh == NULL || eh->error != NULL) {
		buf_printf(b, "not read%s%s", eh != NULL ? ": " : "",
		    eh != NULL ? eh->error : "");
		return;
	}
	if ((n = cmd_window_list_pending(eh, w, ENGINE_WINDOW, &paths)) > 0)
		buf_printf(b, "NOT IN EFFECT: %s pending (run apply)",
		    buf_cstr(&paths));
	else
		buf_puts(b, "in effect");
	buf_release(&paths);
	if (node_getv(eh->desired, FAILSAFE_KIND, "tasks", w->name,
	    NULL) == NULL)
		return;
	if ((t = cmd_window_list_task(eh->observed, w)) != NULL)
		buf_printf(b, "; fail-safe armed for %s", t);
	else
		buf_puts(b, "; fail-safe MISSING (run apply)");
}

static void
cmd_window_list_ended_unread(struct buf *b, struct cmd_window_list *l,
    const struct model_window *w, const struct model_host *h)
{
	const struct node *last = cmd_window_list_last(l, h->name);

	switch (window_failsafe_status(l->m, h, w, l->a->at, last)) {
	case WINDOW_FAILSAFE_ON:
		buf_puts(b, "NOT REVERTED as last recorded");
		l->bad = 1;
		break;
	case WINDOW_FAILSAFE_REVERTED:
		buf_puts(b, "reverted as last recorded");
		break;
	case WINDOW_FAILSAFE_UNKNOWN:
		buf_puts(b, "NOT KNOWN to be reverted (no recorded state)");
		l->bad = 1;
		break;
	case WINDOW_FAILSAFE_NOTHING:
		buf_puts(b, "nothing it turned on to check");
		break;
	}
}

static void
cmd_window_list_ended_host(struct buf *b, struct cmd_window_list *l,
    const struct model_window *w, const struct model_host *h,
    const struct engine_host *eh)
{
	struct buf paths = BUF_INIT;
	char late[32];

	if (eh == NULL || eh->error != NULL) {
		cmd_window_list_ended_unread(b, l, w, h);
		if (eh != NULL)
			buf_printf(b, "; not read: %s", eh->error);
		return;
	}
	if (cmd_window_list_pending(eh, w, ENGINE_EXPIRY, &paths) > 0 ||
	    window_failsafe_status(l->m, h, w, l->a->at,
	    eh->observed) == WINDOW_FAILSAFE_ON) {
		cmd_window_list_duration(l->a->at - w->end, late, sizeof(late));
		buf_printf(b, "NOT REVERTED %s after the end%s%s (run apply)",
		    late, paths.len > 0 ? ": " : "", buf_cstr(&paths));
		l->bad = 1;
	} else
		buf_puts(b, "reverted");
	if (cmd_window_list_task(eh->observed, w) != NULL)
		buf_puts(b, "; its fail-safe task is still there (apply "
		    "removes it)");
	buf_release(&paths);
}

static const char *
cmd_window_list_state(const struct model_window *w, time_t at)
{
	return w->start > at ? "upcoming" : w->end > at ? "open" : "ended";
}

/* --json: the window's members; its hosts follow (cmd_window_list_host). */
static void
cmd_window_list_json_window(struct json *j, const struct model_window *w,
    time_t at)
{
	json_object_begin(j);
	json_kv_string(j, "name", w->name);
	json_kv_string(j, "state", cmd_window_list_state(w, at));
	json_kv_time(j, "start", w->start);
	json_kv_time(j, "end", w->end);
	json_kv_int(j, "seconds_to_end", w->end > at ? (long long)(w->end - at) :
	    0);
	json_kv_string(j, "reason", w->reason);
	json_key(j, "hosts");
	json_array_begin(j);
}

static void
cmd_window_list_json_host(struct json *j, const char *host, const char *status,
    int ok)
{
	json_object_begin(j);
	json_kv_string(j, "name", host);
	json_kv_string(j, "status", status);
	json_kv_bool(j, "ok", ok);
	json_object_end(j);
}

/*
 * One window: a heading, its reason, a line per host when listed; or, with
 * --json, an object in l->json.
 */
static void
cmd_window_list_window(struct cmd_window_list *l, const struct model_window *w,
    int listed)
{
	const struct model_host *h;
	const struct engine_host *eh;
	char s[TIMEPARSE_UTC_LEN], e[TIMEPARSE_UTC_LEN], d[32];
	struct buf line = BUF_INIT;
	time_t at = l->a->at;
	size_t i;
	int bad;

	if (listed && l->json != NULL)
		cmd_window_list_json_window(l->json, w, at);
	timeparse_format_utc(w->start, s, sizeof(s));
	timeparse_format_utc(w->end, e, sizeof(e));
	cmd_window_list_duration(w->start > at ? w->start - at : w->end > at ?
	    w->end - at : at - w->end, d, sizeof(d));
	if (listed && l->json == NULL)
		printf("%s: %s, %s to %s (%s %s%s)\n  reason: %s\n", w->name,
		    cmd_window_list_state(w, at), s, e, w->start > at ?
		    "starts in" : w->end > at ?
		    "ends in" : "ended", d, w->end <= at ? " ago" : "",
		    w->reason);
	for (i = 0; i < l->m->nhosts && w->start <= at; i++) {
		h = &l->m->hosts[i];
		if (!model_window_targets(w, h))
			continue;
		buf_reset(&line);
		eh = cmd_window_list_host(l, h);
		bad = l->bad;
		l->bad = 0;
		if (w->end > at)
			cmd_window_list_open_host(&line, l, w, eh);
		else
			cmd_window_list_ended_host(&line, l, w, h, eh);
		if (listed && l->json != NULL)
			cmd_window_list_json_host(l->json, h->name,
			    buf_cstr(&line), !l->bad);
		else if (listed)
			printf("  %s: %s\n", h->name, buf_cstr(&line));
		l->bad |= bad;
	}
	if (listed && l->json != NULL) {
		json_array_end(l->json);
		json_object_end(l->json);
	}
	buf_release(&line);
}

int
window_list(const struct window_args *a)
{
	struct errors errs = ERRORS_INIT;
	struct cmd_window_list l;
	struct buf out = BUF_INIT;
	struct json j;
	char *cause = NULL;
	size_t i, listed = 0;
	int rc = EXIT_ERROR, show;

	memset(&l, 0, sizeof(l));
	l.a = a;
	if (model_load(&l.m, a->path, &errs) == -1) {
		cmd_errors("window list", &errs, NULL);
		goto out;
	}
	cmd_errors("window list", &l.m->warnings, NULL);
	cmd_window_list_history(&l);
	if (!a->offline && l.m->nwindows > 0 &&
	    cmd_window_list_run(&l, &cause) == -1)
		goto out;
	if (a->json) {
		json_init_style(&j, &out, JSON_SPACED);
		json_object_begin(&j);
		json_kv_int(&j, "version", 1);
		json_kv_time(&j, "at", a->at);
		json_key(&j, "windows");
		json_array_begin(&j);
		l.json = &j;
	}
	for (i = 0; i < l.m->nwindows; i++) {
		show = l.m->windows[i].end > a->at ||
		    a->at - l.m->windows[i].end <= a->recent;
		listed += show;
		cmd_window_list_window(&l, &l.m->windows[i], show);
	}
	if (a->json) {
		json_array_end(&j);
		json_kv_bool(&j, "not_reverted", l.bad);
		json_object_end(&j);
		printf("%s\n", buf_cstr(&out));
	} else if (listed == 0)
		printf("no open, upcoming or recent window\n");
	rc = a->check && l.bad ? EXIT_PENDING : EXIT_OK;
out:
	cmd_errors("window list", NULL, cause);
	free(cause);
	if (l.ran)
		engine_run_release(&l.run);
	for (i = 0; l.last != NULL && i < l.m->nhosts; i++)
		node_free(l.last[i]);
	free(l.last);
	history_free(l.hist);
	model_free(l.m);
	errors_clear(&errs);
	buf_release(&out);
	return rc;
}
