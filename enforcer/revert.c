/*
 * revert.c: the desired trees that put back what a recorded run changed,
 * and the check that they did; see revert.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revert.h"

#define REVERT_MAX_KEYS	16

static const struct node *
revert_get(const struct node *n, const char *path)
{
	return node_path(n, path, NULL, 0, NULL);
}

/* A value for a message: "true", "a, b", "(none)", "(absent)". */
static char *
revert_text(const struct node *n)
{
	struct buf b = BUF_INIT;
	char *out;
	size_t i;

	if (n == NULL)
		return xstrdup("(absent)");
	if (n->kind == NODE_SCALAR)
		return xasprintf("'%s'", n->value);
	if (n->kind == NODE_MAP)
		return xstrdup("{...}");
	for (i = 0; i < n->nitems; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "",
		    n->items[i]->kind == NODE_SCALAR ? n->items[i]->value :
		    "...");
	out = b.len == 0 ? xstrdup("(none)") : xasprintf("[%s]", buf_cstr(&b));
	buf_release(&b);
	return out;
}

/* Some value under n comes from a window (it is active: effective). */
static int
revert_from_window(const struct node *n)
{
	const struct origin *o;
	size_t i;

	if (n == NULL)
		return 0;
	o = n->origin;
	if (o != NULL && o->kind == ORIGIN_WINDOW)
		return 1;
	for (i = 0; i < n->npairs; i++)
		if (revert_from_window(n->pairs[i].value))
			return 1;
	for (i = 0; i < n->nitems; i++)
		if (revert_from_window(n->items[i]))
			return 1;
	return 0;
}

/*
 * Putting value back at path would turn CredSSP on, or add delegation
 * entries that RUN left out (after: the path's value after RUN).  A list
 * of a client disabled before RUN adds nothing (see credssp_revert()).
 */
static int
revert_enables_credssp(const char *path, const struct node *value,
    const struct node *before, const struct node *after)
{
	size_t i;
	int on;

	if (strcmp(path, "credssp.server.enabled") == 0 ||
	    strcmp(path, "credssp.client.enabled") == 0)
		return node_bool(value, &on) == 0 && on;
	if (strncmp(path, "credssp.client.delegate", 23) != 0 ||
	    value->kind != NODE_SEQ || node_bool(revert_get(before,
	    "credssp.client.enabled"), &on) == -1 || !on)
		return 0;
	for (i = 0; i < value->nitems; i++)
		if (value->items[i]->kind == NODE_SCALAR &&
		    !node_seq_has_nocase(after, value->items[i]->value))
			return 1;
	return 0;
}

/*
 * Items of a that b lacks, pushed onto seq once each.  Items compare as
 * accounts (account_same): history records a member with its SID, the
 * desired state may name it without; other lists compare case aside.
 */
static void
revert_minus(struct node *seq, const struct node *a, const struct node *b)
{
	size_t i;

	for (i = 0; i < a->nitems; i++)
		if (!account_seq_has(b, a->items[i]->value) &&
		    !account_seq_has(seq, a->items[i]->value))
			node_seq_push(seq, node_scalar(a->items[i]->value));
}

/*
 * What RUN did to the list at path of host: {added: [...], removed:
 * [...]}, from its changes there (one item each, or whole lists as text
 * "a, b"), so that a revert undoes those items and no others.
 */
static struct node *
revert_delta(const struct history_run *run, const char *host,
    const char *path)
{
	const struct history_change *c;
	struct node *d, *added, *removed, *b, *a;
	size_t i;

	added = node_seq();
	removed = node_seq();
	for (i = 0; i < run->nchanges; i++) {
		c = &run->changes[i];
		if (strcmp(c->host, host) != 0 || strcmp(c->path, path) != 0)
			continue;
		b = state_list_split(c->before);
		a = state_list_split(c->after);
		revert_minus(added, a, b);
		revert_minus(removed, b, a);
		node_free(b);
		node_free(a);
	}
	d = node_map();
	node_map_set(d, "added", added);
	node_map_set(d, "removed", removed);
	return d;
}

/* Set value at keys in desired, in the shape the kind's module gives it. */
static void
revert_overlay(struct node *desired, const char **keys, size_t nkeys,
    const struct node *value, const struct node *before,
    const struct node *delta)
{
	const struct state_ops *ops = state_find(keys[0]);

	if (ops != NULL && ops->revert != NULL)
		ops->revert(desired, keys, nkeys, value, before,
		    node_get(delta, "added"), node_get(delta, "removed"));
	else
		state_overlay(desired, keys, nkeys, value);
}

/* The desired state now asks for something else: the next apply wins. */
static void
revert_note_desired(struct revert_plan *p, const char *host, const char *path,
    const struct node *eff, const struct node *value)
{
	const struct node *now = revert_get(eff, path);
	const struct origin *o;
	char *want;

	if (now == NULL || now->kind != NODE_SCALAR ||
	    value->kind != NODE_SCALAR || node_equal_nocase(now, value))
		return;
	o = now->origin;
	want = revert_text(now);
	errors_addf(&p->notes, "%s: %s: the desired state asks for %s (%s %s):"
	    " the next apply will undo this revert unless it changes", host,
	    path, want, o == NULL ? "desired" : o->kind == ORIGIN_WINDOW ?
	    "window" : "policy", o == NULL ? "state" : o->name);
	free(want);
}

/* An item the revert takes out that the desired state lists. */
static void
revert_note_items(struct revert_plan *p, const char *host, const char *path,
    const struct node *eff, const struct node *delta)
{
	const struct node *now = revert_get(eff, path);
	const struct node *added = node_get(delta, "added");
	const struct origin *o = now != NULL ? now->origin : NULL;
	size_t i, j;

	/* Named as the desired state spells it. */
	for (i = 0; now != NULL && i < added->nitems; i++)
		for (j = 0; now->kind == NODE_SEQ && j < now->nitems; j++)
			if (account_same(now->items[j]->value,
			    added->items[i]->value))
				errors_addf(&p->notes, "%s: %s: the desired "
				    "state lists '%s' (%s %s): the next apply "
				    "will undo this revert unless it changes",
				    host, path, now->items[j]->value,
				    o == NULL ? "desired" : o->kind ==
				    ORIGIN_WINDOW ? "window" : "policy",
				    o == NULL ? "state" : o->name);
}

/* What a refused CredSSP part says to do instead. */
static void
revert_refuse_credssp(struct revert_plan *p, const char *host,
    const char *path, const struct node *value)
{
	char *was = revert_text(value);
	const char *role = strncmp(path, "credssp.server", 14) == 0 ?
	    "server" : "client";

	errors_addf(&p->refused, "%s: %s: not reverted to %s: revert never "
	    "turns CredSSP back on outside a window; if it must be on, open "
	    "one: enforcer window open NAME --for 1h --hosts %s --set "
	    "credssp.%s=enabled --reason TEXT", host, path, was, host, role);
	free(was);
}

/*
 * Overlay one path of RUN onto desired.  Returns 0, or -1 when the path is
 * not reverted (the reason is in p->refused).
 */
static int
revert_path(struct revert_plan *p, const struct history_run *run,
    const struct history_host *hh, const struct node *eff,
    struct revert_host *rh, const char *path, int window)
{
	const char *keys[REVERT_MAX_KEYS];
	const struct node *value;
	struct node *delta = NULL;
	size_t nkeys = 0;

	value = node_path(hh->observed, path, keys, REVERT_MAX_KEYS,
	    &nkeys);
	if (value == NULL || nkeys == 0) {
		errors_addf(&p->refused, "%s: %s: absent before run %s: revert "
		    "cannot remove it", hh->name, path, p->run_id);
		return -1;
	}
	if (value->kind == NODE_MAP) {
		errors_addf(&p->refused, "%s: %s: no desired value puts it "
		    "back as it was before run %s", hh->name, path, p->run_id);
		return -1;
	}
	if (!window && revert_enables_credssp(path, value, hh->observed,
	    revert_get(hh->verified, path))) {
		revert_refuse_credssp(p, hh->name, path, value);
		return -1;
	}
	revert_note_desired(p, hh->name, path, eff, value);
	if (value->kind == NODE_SEQ) {
		delta = revert_delta(run, hh->name, path);
		node_map_set(rh->deltas, path, delta);
		revert_note_items(p, hh->name, path, eff, delta);
	}
	revert_overlay(rh->desired, keys, nkeys, value, hh->observed, delta);
	return 0;
}

/* A host RUN changed: its desired tree and paths, unless nothing is left. */
static void
revert_host(struct revert_plan *p, const struct model *m,
    const struct history_entry *e, const struct history_host *hh, time_t at)
{
	struct revert_host rh;
	struct node *eff = NULL;
	char *cause = NULL;
	size_t i;
	int window;

	memset(&rh, 0, sizeof(rh));
	if ((rh.host = model_host_find(m, hh->name)) == NULL) {
		errors_addf(&p->refused, "%s: not in the desired state any "
		    "more: revert cannot reach it", hh->name);
		return;
	}
	if (hh->observed == NULL) {
		errors_addf(&p->refused, "%s: no state recorded before run %s",
		    hh->name, p->run_id);
		return;
	}
	if (model_effective(&eff, m, rh.host, at, &cause) == -1) {
		errors_add_owned(&p->refused, cause);
		return;
	}
	window = revert_from_window(node_get(eff, "credssp"));
	rh.desired = node_copy(eff);
	rh.deltas = node_map();
	rh.before = hh->observed;
	rh.paths = xcalloc(e->run.nchanges + 1, sizeof(*rh.paths));
	for (i = 0; i < e->run.nchanges; i++) {
		const char *path = e->run.changes[i].path;

		/*
		 * A fail-safe follows the CredSSP it guards: the engine arms
		 * and removes it as the reverted state needs, so revert never
		 * restores one by itself.
		 */
		if (strcmp(e->run.changes[i].host, hh->name) != 0 ||
		    strv_has(rh.paths, rh.npaths, path) ||
		    strncmp(path, "failsafe.", 9) == 0)
			continue;
		if (revert_path(p, &e->run, hh, eff, &rh, path, window) == 0)
			rh.paths[rh.npaths++] = path;
	}
	node_free(eff);
	if (rh.npaths == 0) {
		node_free(rh.desired);
		node_free(rh.deltas);
		free(rh.paths);
		return;
	}
	p->hosts[p->nhosts++] = rh;
}

static int
revert_changed(const struct history_run *run, const char *host)
{
	size_t i;

	for (i = 0; i < run->nchanges; i++)
		if (strcmp(run->changes[i].host, host) == 0)
			return 1;
	return 0;
}

int
revert_plan(struct revert_plan *p, struct history *h, const struct model *m,
    const char *run_id, time_t at, char **cause)
{
	const struct history_entry *e;
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->run_id, sizeof(p->run_id), "%s", run_id);
	if (history_show(&p->log, h, run_id, cause) == -1)
		return -1;
	e = &p->log->entries[0];
	p->nchanges = e->run.nchanges;
	p->hosts = xcalloc(e->run.nhosts + 1, sizeof(*p->hosts));
	for (i = 0; i < e->run.nhosts; i++)
		if (revert_changed(&e->run, e->run.hosts[i].name))
			revert_host(p, m, e, &e->run.hosts[i], at);
	p->targets = xcalloc(p->nhosts + 1, sizeof(*p->targets));
	for (i = 0; i < p->nhosts; i++) {
		p->targets[i].host = p->hosts[i].host;
		p->targets[i].desired = p->hosts[i].desired;
		p->targets[i].paths = p->hosts[i].paths;
		p->targets[i].npaths = p->hosts[i].npaths;
	}
	return 0;
}

void
revert_plan_release(struct revert_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nhosts; i++) {
		node_free(p->hosts[i].desired);
		node_free(p->hosts[i].deltas);
		free(p->hosts[i].paths);
	}
	free(p->hosts);
	free(p->targets);
	errors_clear(&p->refused);
	errors_clear(&p->notes);
	history_log_free(p->log);
	memset(p, 0, sizeof(*p));
}

void
revert_relabel(const struct revert_plan *p, struct engine_run *run)
{
	struct engine_change *ic;
	size_t i, j;

	for (i = 0; i < run->nhosts; i++) {
		for (j = 0; j < run->hosts[i].changes.n; j++) {
			ic = &run->hosts[i].info[j];
			free(ic->reason);
			ic->reason = xasprintf("revert of run %s", p->run_id);
			ic->class = ENGINE_INTENTIONAL;
			ic->window = NULL;
			ic->until = 0;
		}
	}
}

/* A list's delta undone: what RUN added is gone, what it removed back. */
static int
revert_delta_undone(const struct node *delta, const struct node *is)
{
	const struct node *added = node_get(delta, "added");
	const struct node *removed = node_get(delta, "removed");
	size_t i;

	for (i = 0; i < added->nitems; i++)
		if (account_seq_has(is, added->items[i]->value))
			return 0;
	for (i = 0; i < removed->nitems; i++)
		if (!account_seq_has(is, removed->items[i]->value))
			return 0;
	return 1;
}

void
revert_check(struct revert_plan *p, const struct engine_run *run)
{
	const struct engine_host *eh;
	const struct revert_host *rh;
	const struct node *now, *was, *is, *delta;
	char *ts, *ws;
	size_t i, j;

	for (i = 0; i < run->nhosts && i < p->nhosts; i++) {
		eh = &run->hosts[i];
		rh = &p->hosts[i];
		now = eh->verified != NULL ? eh->verified : eh->observed;
		if (now == NULL)
			continue;	/* unreadable: the report says why */
		for (j = 0; j < rh->npaths; j++) {
			was = revert_get(rh->before, rh->paths[j]);
			is = revert_get(now, rh->paths[j]);
			delta = node_get(rh->deltas, rh->paths[j]);
			if (delta != NULL ? revert_delta_undone(delta, is) :
			    node_equal_nocase(was, is))
				continue;
			ts = revert_text(is);
			ws = revert_text(was);
			errors_addf(&p->refused, "%s: %s: not restored: it is "
			    "%s, it was %s before run %s", rh->host->name,
			    rh->paths[j], ts, ws, p->run_id);
			free(ts);
			free(ws);
		}
	}
}
