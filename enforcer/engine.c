/*
 * engine.c: plan and apply over every selected host, in parallel.
 *
 * Order of side effects, per host: nothing is written before every kind
 * has been read and diffed (so plan and apply share one path up to the
 * first write); changes that may cut our own connection go last, but for
 * CHANGE_LAST ones, which wait until the rest is verified; every applied
 * change is re-read before it is called verified.  The caller's guard
 * (engine_opts) runs at fixed points between these steps.
 */

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "history.h"
#include "killpoint.h"
#include "memo.h"
#include "secret.h"
#include "timeparse.h"
#include "wsman.h"

static volatile sig_atomic_t engine_stop;

void
engine_interrupt(void)
{
	engine_stop = 1;
}

int
engine_interrupted(void)
{
	return engine_stop != 0;
}

struct engine_ctx {
	const struct model		*m;
	const struct engine_opts	*o;
	struct engine_run		*run;
	const struct engine_target	*targets; /* parallel to run->hosts,
						     or NULL */
};

const char *
engine_class_name(enum engine_class c)
{
	static const char *names[] = { "intentional", "corrective", "window",
	    "expiry" };

	return names[c];
}

const char *
engine_result_name(enum engine_result r)
{
	static const char *names[] = { "pending", "verified", "failed",
	    "unverified", "reported" };

	return names[r];
}

/* Who asked: the node's origin, else that of its first leaf. */
static const struct origin *
engine_node_origin(const struct node *n)
{
	const struct origin *o;
	size_t i;

	if (n == NULL)
		return NULL;
	if (n->origin != NULL)
		return n->origin;
	for (i = 0; i < n->npairs; i++)
		if ((o = engine_node_origin(n->pairs[i].value)) != NULL)
			return o;
	for (i = 0; i < n->nitems; i++)
		if ((o = engine_node_origin(n->items[i])) != NULL)
			return o;
	return NULL;
}

static const struct origin *
engine_origin(const struct change *c)
{
	return engine_node_origin(c->desired);
}

/*
 * The most recent window, ended by now, that set this path differently.
 * Only windows that target the host cost an effective-state computation.
 */
static const struct model_window *
engine_expired_window(struct engine_ctx *ec, const struct model_host *h,
    const struct change *c)
{
	const struct model_window *w, *found = NULL;
	const struct origin *o;
	const struct node *then;
	struct node *eff;
	size_t i;

	for (i = 0; i < ec->m->nwindows; i++) {
		w = &ec->m->windows[i];
		if (w->end > ec->o->at || (found != NULL &&
		    w->end <= found->end) || !model_window_targets(w, h))
			continue;
		if (model_effective(&eff, ec->m, h, w->end - 1, NULL) == -1)
			continue;
		then = node_path(eff, c->path, NULL, 0, NULL);
		o = then != NULL ? then->origin : NULL;
		if (o != NULL && o->kind == ORIGIN_WINDOW && o->window == w &&
		    !node_equal(then, c->desired))
			found = w;
		node_free(eff);
	}
	return found;
}

/* What the history says of c's path on eh; nothing known without it. */
static void
engine_fact(struct engine_ctx *ec, const struct engine_host *eh,
    const struct change *c, struct engine_fact *f)
{
	memset(f, 0, sizeof(*f));
	f->desired = -1;
	if (ec->o->fact != NULL)
		ec->o->fact(ec->o->last_arg, eh->host->name, c->path, f);
}

/*
 * The window ended, and what it set is still to be put back: its change
 * is the last one recorded on the path.  Without history, the window's
 * end is all there is to go on.
 */
static int
engine_expiry_pending(struct engine_ctx *ec, const struct model_window *w,
    const struct engine_fact *f)
{
	if (ec->o->fact == NULL)
		return 1;
	return f->known && f->class == ENGINE_WINDOW && f->window != NULL &&
	    strcmp(f->window, w->name) == 0;
}

/*
 * The host is as we last left it, so the change comes from our side: the
 * desired state changed (intentional), unless the facts say otherwise:
 * the last attempt on the path failed (a retry), a revert put the value
 * there, or the desired-state commit is the same as at the last record.
 */
static void
engine_classify_ours(struct engine_change *ic, const struct engine_fact *f,
    const char *policy)
{
	ic->class = ENGINE_CORRECTIVE;
	if (f->known && !f->verified)
		ic->reason = xasprintf("policy %s; retry: the change failed "
		    "in run %s", policy, f->run_id);
	else if (f->known && f->verb != NULL &&
	    strcmp(f->verb, "revert") == 0)
		ic->reason = xasprintf("policy %s; undoes the revert of run "
		    "%s", policy, f->run_id);
	else if (f->desired == 1)
		ic->reason = xasprintf("policy %s; desired state unchanged",
		    policy);
	else {
		ic->class = ENGINE_INTENTIONAL;
		ic->reason = xasprintf("policy %s; desired state changed",
		    policy);
	}
}

/* Class and reason of one change (docs/history.md, "Classes"). */
static void
engine_classify(struct engine_ctx *ec, struct engine_host *eh,
    const struct node *last, struct engine_change *ic)
{
	const struct change *c = ic->change;
	const struct origin *o = engine_origin(c);
	const char *policy = o != NULL ? o->name : "?";
	const struct model_window *w;
	const struct node *was;
	struct engine_fact f;
	char *hm;

	if (ec->o->guard != NULL &&
	    ec->o->guard->classify(ec->m, ec->o->at, ic))
		return;
	if (o != NULL && o->kind == ORIGIN_WINDOW) {
		hm = timeparse_hhmm(o->window->end);
		ic->class = ENGINE_WINDOW;
		ic->window = o->window->name;
		ic->until = o->window->end;
		ic->reason = xasprintf("window %s: until %s, then reverts", o->name,
		    hm);
		free(hm);
		return;
	}
	engine_fact(ec, eh, c, &f);
	if ((w = engine_expired_window(ec, eh->host, c)) != NULL &&
	    engine_expiry_pending(ec, w, &f)) {
		hm = timeparse_hhmm(w->end);
		ic->class = ENGINE_EXPIRY;
		ic->window = w->name;
		ic->reason = xasprintf("window %s ended %s", w->name, hm);
		free(hm);
		return;
	}
	was = last != NULL ? node_path(last, c->path, NULL, 0,
	    NULL) : NULL;
	/*
	 * Whole values, not c->before: a list's change names one item.  A
	 * kind never recorded on the host was not read before: no drift.
	 */
	if (last != NULL && ((was == NULL && c->before == NULL) ||
	    node_get(last, c->kind) == NULL ||
	    (was != NULL && node_equal(was, node_path(eh->observed,
	    c->path, NULL, 0, NULL))))) {
		engine_classify_ours(ic, &f, policy);
		return;
	}
	ic->class = ENGINE_CORRECTIVE;
	if (last != NULL)
		ic->reason = xasprintf("drift: changed outside enforcer; "
		    "policy %s", policy);
	else
		ic->reason = xasprintf("policy %s", policy);
}

/*
 * Connection options for a host, with its password read (owned by *pw,
 * wiped by secret_free()).  Several clients may be made from them.
 */
static int
engine_opts(const struct model_host *h, struct wsman_opts *wo, char **pw,
    char **cause)
{
	const struct model_conn *mc = &h->conn;

	*pw = NULL;
	wsman_opts_init(wo);
	wo->name = h->name;
	wo->address = mc->address;
	wo->port = mc->port;
	wo->scheme = mc->http ? "http" : "https";
	wo->user = mc->username;
	wo->ca_file = mc->ca_file;
	wo->tls_verify = mc->tls_verify;
	wo->cert_file = mc->cert_file;
	wo->key_file = mc->key_file;
	/*
	 * The timeout bounds each exchange (and each Kerberos call, which
	 * may wait for a KDC); the host is asked to answer before it, with
	 * a margin for the network; connecting and TLS take 5 s at most.
	 */
	wo->request_timeout_ms = mc->timeout * 1000;
	wo->operation_timeout_ms = wo->request_timeout_ms -
	    (wo->request_timeout_ms / 2 < 5000 ? wo->request_timeout_ms / 2 :
	    5000);
	if (wo->connect_timeout_ms > wo->request_timeout_ms)
		wo->connect_timeout_ms = wo->request_timeout_ms;
	wo->auth = mc->auth;
	wo->stop = engine_interrupted;
	/* Kerberos takes a password too, when one is configured. */
	if ((wo->auth == WSMAN_AUTH_BASIC || wo->auth == WSMAN_AUTH_NTLM ||
	    model_conn_has_password(mc)) &&
	    secret_read(pw, mc->password_env, mc->password_file,
	    mc->password_credential, cause) == -1)
		return cause_prefix(cause, "%s", h->name);
	wo->password = *pw;
	if (killpoint_wrap(wo, cause) == -1)
		return cause_prefix(cause, "%s", h->name);
	return 0;
}

int
engine_wsman_opts(const struct model_host *h, struct wsman_opts *wo,
    char **pw, char **cause)
{
	return engine_opts(h, wo, pw, cause);
}

/*
 * Reading a host: the kinds' reads do not depend on each other, so each
 * runs in its own thread with its own connection to the host, and a host
 * costs the slowest kind's round trips, not the sum of all of them.  The
 * first kind reuses the host's main client (and its warm connection).
 */
struct engine_reader {
	pthread_t		 thread;
	const struct state_ops	*ops;
	struct state_ctx	 ctx;
	const struct node	*desired;
	struct node		*observed;
	char			*cause;
	int			 rc;
};

static void *
engine_reader_run(void *arg)
{
	struct engine_reader *r = arg;

	r->rc = r->ops->read(&r->ctx, r->desired, &r->observed, &r->cause);
	return NULL;
}

static void
engine_readers_run(struct engine_reader *rd, size_t n,
    const struct wsman_opts *wo)
{
	size_t i;

	/*
	 * One connection per host (engine_connections()), or a replaced
	 * transport (the test kill point, one shared object): every kind
	 * reads in turn over the main client.
	 */
	if (wo->ops != NULL || wo->max_connections == 1) {
		for (i = 0; i < n; i++) {
			rd[i].ctx.ws = rd[0].ctx.ws;
			/* A host that failed one kind is not asked for more. */
			if (i > 0 && rd[i - 1].rc == -1)
				rd[i].rc = -1;
			else
				engine_reader_run(&rd[i]);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && wsman_new(&rd[i].ctx.ws, wo, &rd[i].cause) == -1) {
			rd[i].rc = -1;
			continue;
		}
		if (n == 1)
			engine_reader_run(&rd[i]);
		else if (pthread_create(&rd[i].thread, NULL, engine_reader_run,
		    &rd[i]) != 0)
			fatal("cannot start a reader thread");
	}
	for (i = 0; i < n && n > 1; i++)
		if (rd[i].ctx.ws != NULL)
			pthread_join(rd[i].thread, NULL);
}

/*
 * Read every kind the desired state names into one observed map.  The
 * kinds share one memo (memo.h) for this read only: a whole resource that
 * several of them need is fetched once, and a re-read after a write
 * fetches it again.
 */
static int
engine_read(struct state_ctx *ctx, const struct wsman_opts *wo,
    const struct node *desired, struct node **observed, char **cause)
{
	struct engine_reader *rd;
	struct memo *memo;
	struct node *all;
	size_t i, n = desired->npairs;
	int rc = 0;

	rd = xcalloc(n + 1, sizeof(*rd));
	memo = memo_new();
	for (i = 0; i < n; i++) {
		const char *kind = desired->pairs[i].key->value;

		if ((rd[i].ops = state_find(kind)) == NULL) {
			memo_free(memo);
			free(rd);
			return cause_set(cause, "%s: no state module for '%s'",
			    ctx->host, kind);
		}
		rd[i].ctx = *ctx;
		rd[i].ctx.ws = i == 0 ? ctx->ws : NULL;
		rd[i].ctx.memo = memo;
		rd[i].desired = desired->pairs[i].value;
	}
	engine_readers_run(rd, n, wo);
	memo_free(memo);
	all = node_map();
	for (i = 0; i < n; i++) {
		if (rd[i].rc == -1 && rc == 0) {
			rc = -1;
			*cause = rd[i].cause;
			rd[i].cause = NULL;
		}
		if (rd[i].rc == 0)
			node_map_set(all, desired->pairs[i].key->value,
			    rd[i].observed);
		else
			node_free(rd[i].observed);
		free(rd[i].cause);
		if (rd[i].ctx.ws != ctx->ws)
			wsman_free(rd[i].ctx.ws);
	}
	free(rd);
	if (rc == -1) {
		node_free(all);
		return -1;
	}
	*observed = all;
	return 0;
}

static int
engine_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	const struct state_ops *ops;
	size_t i;

	for (i = 0; i < desired->npairs; i++) {
		const char *kind = desired->pairs[i].key->value;

		ops = state_find(kind);
		if (ops->diff(desired->pairs[i].value, node_get(observed, kind),
		    now, out, cause) == -1)
			return -1;
	}
	return 0;
}

/* Put every kind of from into map (copies). */
static void
engine_merge(struct node *map, const struct node *from)
{
	size_t i;

	for (i = 0; from != NULL && i < from->npairs; i++)
		node_map_set(map, from->pairs[i].key->value,
		    node_copy(from->pairs[i].value));
}

/*
 * Each kind of eh->desired that eh->observed lacks (the guard added it
 * after the read) is read in turn; if that fails, it leaves eh->desired.
 */
static int
engine_read_added(struct state_ctx *ctx, const struct wsman_opts *wo,
    struct engine_host *eh, char **cause)
{
	struct node *more, *have = NULL;
	const char *kind;
	size_t i;
	int rc = 0;

	more = node_map();
	for (i = 0; i < eh->desired->npairs; i++) {
		kind = eh->desired->pairs[i].key->value;
		if (node_get(eh->observed, kind) == NULL)
			node_map_set(more, kind,
			    node_copy(eh->desired->pairs[i].value));
	}
	if (more->npairs > 0 &&
	    (rc = engine_read(ctx, wo, more, &have, cause)) == 0)
		engine_merge(eh->observed, have);
	for (i = 0; rc == -1 && i < more->npairs; i++)
		node_map_del(eh->desired, more->pairs[i].key->value);
	node_free(more);
	node_free(have);
	return rc;
}

/*
 * Read every kind of the host into eh->observed.  The guard may add to
 * eh->desired before (what the model implies) and after (kinds computed
 * from what was read, read in turn).
 */
static int
engine_read_host(struct engine_ctx *ec, struct state_ctx *ctx,
    const struct wsman_opts *wo, struct engine_host *eh, char **cause)
{
	const struct engine_guard *g = ec->o->guard;

	if (g != NULL)
		g->before_read(eh, ec->m, ctx->now);
	if (engine_read(ctx, wo, eh->desired, &eh->observed, cause) == -1)
		return -1;
	if (g == NULL)
		return 0;
	if (g->after_read(eh, ec->m, ctx->now, cause) == -1)
		return -1;
	return engine_read_added(ctx, wo, eh, cause);
}

/*
 * Safe order: CHANGE_FIRST first; changes that may cut our connection
 * after the rest; CHANGE_LAST once all of them are verified.
 */
static int
engine_rank(const struct change *c)
{
	if (c->flags & CHANGE_FIRST)
		return 0;
	if (c->flags & CHANGE_LAST)
		return 3;
	return (c->flags & CHANGE_CUTS_CONNECTION) != 0 ? 2 : 1;
}

/* Why c is unverified: what it wanted, what the re-read still has. */
static char *
engine_differs(const struct change *c, const struct change *due)
{
	return xasprintf("re-read after apply still differs: wanted %s, read "
	    "%s", c->after != NULL ? c->after : "absent",
	    due->before != NULL ? due->before : "absent");
}

/* Applied and not yet judged. */
static int
engine_unjudged(const struct engine_change *ic)
{
	return ic->result == ENGINE_UNVERIFIED && ic->error == NULL;
}

/*
 * Judge what was applied and not yet judged against a re-read of the kinds
 * of desired: verified only when the value read back is the change's
 * target (changes_still_due), so a re-read that wants yet another value on
 * the same path is unverified, with both values shown.  Returns the re-read (the
 * caller's), or NULL when it failed.
 */
static struct node *
engine_reread(struct state_ctx *ctx, const struct wsman_opts *wo,
    struct engine_host *eh, const struct node *desired)
{
	struct changes again = CHANGES_INIT;
	const struct change *due;
	struct node *now = NULL;
	char *cause = NULL;
	size_t i;

	if (engine_read(ctx, wo, desired, &now, &cause) == -1 ||
	    engine_diff(desired, now, ctx->now, &again, &cause) == -1) {
		for (i = 0; i < eh->changes.n; i++)
			if (engine_unjudged(&eh->info[i]))
				eh->info[i].error = xasprintf("could not "
				    "verify: %s", cause);
		free(cause);
		node_free(now);
		changes_clear(&again);
		return NULL;
	}
	for (i = 0; i < eh->changes.n; i++) {
		if (!engine_unjudged(&eh->info[i]))
			continue;
		due = changes_still_due(&again, eh->info[i].change);
		if (due == NULL)
			eh->info[i].result = ENGINE_VERIFIED;
		else
			eh->info[i].error = engine_differs(eh->info[i].change,
			    due);
	}
	changes_clear(&again);
	return now;
}

/* kind's desired state into sent (kind -> desired), once. */
static void
engine_sent_add(struct node *sent, const struct engine_host *eh,
    const char *kind)
{
	if (node_get(sent, kind) == NULL)
		node_map_set(sent, kind, node_copy(node_get(eh->desired,
		    kind)));
}

/* The kinds of sent re-read and judged, into eh->verified. */
static void
engine_reread_sent(struct state_ctx *ctx, const struct wsman_opts *wo,
    struct engine_host *eh, const struct node *sent)
{
	struct node *now;

	if (sent->npairs == 0 || (now = engine_reread(ctx, wo, eh,
	    sent)) == NULL)
		return;
	/* Nothing else re-read: the rest is as observed. */
	if (eh->verified == NULL)
		eh->verified = node_copy(eh->observed);
	engine_merge(eh->verified, now);
	node_free(now);
}

/*
 * Re-read and diff again: a change is verified when it is no longer due.
 * Only the kinds something was sent to are re-read; the others are as
 * this run observed them (a drifted host costs its writes and one read of
 * what they touched, not a second read of everything).
 */
static void
engine_verify(struct state_ctx *ctx, const struct wsman_opts *wo,
    struct engine_host *eh)
{
	struct node *sent;
	size_t i;

	sent = node_map();
	for (i = 0; i < eh->changes.n; i++)
		if (engine_unjudged(&eh->info[i]))
			engine_sent_add(sent, eh, eh->info[i].change->kind);
	engine_reread_sent(ctx, wo, eh, sent);
	node_free(sent);
}

static int
engine_order_cmp(const void *a, const void *b)
{
	const struct engine_change *x = a, *y = b;
	int rx = engine_rank(x->change), ry = engine_rank(y->change);

	if (rx != ry)
		return rx - ry;
	return x->change < y->change ? -1 : x->change > y->change;
}

/* Send one change; its result says how it went. */
static void
engine_send(struct state_ctx *ctx, struct engine_host *eh,
    struct engine_change *ic)
{
	const struct state_ops *ops = state_find(ic->change->kind);

	if (ops->apply(ctx, ic->change, node_get(eh->observed,
	    ic->change->kind), &ic->error) == -1)
		ic->result = ENGINE_FAILED;
	else
		ic->result = ENGINE_UNVERIFIED;
}

/*
 * Apply in the safe order.  The CHANGE_FIRST changes go first; then the
 * guard may stop some of the others.  Before the first change that may cut
 * our connection, what was applied so far is verified while the host still
 * answers; then the cutting changes go, and are verified if it still does.
 * The CHANGE_LAST ones wait for engine_apply_last().
 */
static void
engine_apply(struct engine_ctx *ec, struct state_ctx *ctx,
    const struct wsman_opts *wo, struct engine_host *eh)
{
	struct engine_change *ic;
	size_t i;
	int cut = 0;

	/* info[] is the order of application (and of the report). */
	qsort(eh->info, eh->changes.n, sizeof(*eh->info), engine_order_cmp);
	for (i = 0; i < eh->changes.n; i++)
		if ((eh->info[i].change->flags & CHANGE_FIRST) &&
		    eh->info[i].result == ENGINE_PENDING)
			engine_send(ctx, eh, &eh->info[i]);
	if (ec->o->guard != NULL)
		ec->o->guard->after_first(eh, ctx);
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (ic->result != ENGINE_PENDING ||
		    (ic->change->flags & (CHANGE_FIRST | CHANGE_LAST)))
			continue;
		if (ic->change->flags & (CHANGE_GPO | CHANGE_NEEDS_PERSON)) {
			ic->result = ENGINE_REPORTED;
			continue;
		}
		if (engine_stop) {
			ic->result = ENGINE_FAILED;
			ic->error = xstrdup("not applied: interrupted");
			continue;
		}
		if ((ic->change->flags & CHANGE_CUTS_CONNECTION) && !cut) {
			cut = 1;
			engine_verify(ctx, wo, eh);
		}
		engine_send(ctx, eh, ic);
	}
}

/*
 * Once the other changes are verified, the CHANGE_LAST ones that the guard
 * does not hold back; then only their kinds are re-read, into
 * eh->verified.
 */
static void
engine_apply_last(struct engine_ctx *ec, struct state_ctx *ctx,
    const struct wsman_opts *wo, struct engine_host *eh)
{
	struct engine_change *ic;
	struct node *sent;
	size_t i;

	if (ec->o->guard != NULL)
		ec->o->guard->after_verify(eh, ec->m, ctx->now);
	sent = node_map();
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (!(ic->change->flags & CHANGE_LAST) ||
		    ic->result != ENGINE_PENDING || ic->held)
			continue;
		engine_send(ctx, eh, ic);
		engine_sent_add(sent, eh, ic->change->kind);
	}
	engine_reread_sent(ctx, wo, eh, sent);
	node_free(sent);
}


/* A cause without the host's name in front, where it starts with it. */
static const char *
engine_unhost(const char *host, const char *cause)
{
	size_t n = strlen(host);

	if (strncmp(cause, host, n) == 0 && strncmp(cause + n, ": ", 2) == 0)
		return cause + n + 2;
	return cause;
}

/* engine_run_targets(): drop the changes on paths the target leaves. */
static void
engine_keep_paths(struct changes *cs, const struct engine_target *t)
{
	struct changes drop = CHANGES_INIT;
	size_t i, n = 0;

	if (t->paths == NULL)
		return;
	drop.v = xcalloc(cs->n + 1, sizeof(*drop.v));
	for (i = 0; i < cs->n; i++) {
		if (strv_has(t->paths, t->npaths, cs->v[i].path))
			cs->v[n++] = cs->v[i];
		else
			drop.v[drop.n++] = cs->v[i];
	}
	cs->n = n;
	changes_clear(&drop);
}

/*
 * The host's last recorded state before its first read, for a kind
 * that guesses from it (STATE_GUESS, ctx->last), when the kinds read at
 * once: read in turn, a guessed request saves no round trip and the
 * history's read would cost every host of a fleet run.  1 when loaded
 * (*out NULL: never recorded); 0 when not asked or not loaded (the
 * classification asks again, and fails the host then).
 */
static int
engine_last_early(struct engine_ctx *ec, const struct engine_host *eh,
    const struct wsman_opts *wo, struct node **out)
{
	const struct state_ops *ops;
	char *cause = NULL;
	size_t i;

	*out = NULL;
	if (ec->o->last == NULL || wo->max_connections <= 1)
		return 0;
	for (i = 0; i < eh->desired->npairs; i++)
		if ((ops = state_find(eh->desired->pairs[i].key->value)) !=
		    NULL && (ops->flags & STATE_GUESS))
			break;
	if (i == eh->desired->npairs)
		return 0;
	if (ec->o->last(ec->o->last_arg, eh->host->name, out, &cause) == 0)
		return 1;
	free(cause);
	return 0;
}

/*
 * Class and reason of each change of eh, from its last recorded state:
 * early's when engine_last_early() loaded it (has_early), else loaded
 * for this (a host in sync needs none) and dropped after.  When it
 * cannot be loaded, the host fails, its changes unclassified and dropped.
 */
static int
engine_classify_all(struct engine_ctx *ec, struct engine_host *eh,
    const struct node *early, int has_early, char **cause)
{
	struct node *last = NULL;
	size_t i;

	if (!has_early && eh->changes.n > 0 && ec->o->last != NULL &&
	    ec->o->last(ec->o->last_arg, eh->host->name, &last, cause) == -1) {
		changes_clear(&eh->changes);
		return -1;
	}
	eh->info = xcalloc(eh->changes.n + 1, sizeof(*eh->info));
	for (i = 0; i < eh->changes.n; i++) {
		eh->info[i].change = &eh->changes.v[i];
		engine_classify(ec, eh, has_early ? early : last,
		    &eh->info[i]);
		if (eh->changes.v[i].flags & (CHANGE_GPO | CHANGE_NEEDS_PERSON))
			eh->info[i].result = ENGINE_REPORTED;
	}
	node_free(last);
	return 0;
}

static void
engine_host_fail(struct engine_host *eh, char *cause)
{
	eh->error = cause != NULL ? cause : xstrdup("unknown error");
}

/* Some change of eh is still to be sent. */
static int
engine_will_write(const struct engine_host *eh)
{
	size_t i;

	for (i = 0; i < eh->changes.n; i++)
		if (eh->info[i].result == ENGINE_PENDING)
			return 1;
	return 0;
}

/*
 * The caller's hook before the host's first write; when it fails, nothing
 * is sent: a write that could not be recorded first must not happen.
 */
static int
engine_before_write(struct engine_ctx *ec, struct engine_host *eh)
{
	char *cause = NULL;
	size_t i;

	if (ec->o->before_write == NULL || !engine_will_write(eh))
		return 0;
	/* Stopped before this host's first write: leave it untouched. */
	if (engine_stop)
		cause = xstrdup("interrupted");
	else if (ec->o->before_write(ec->o->write_arg, ec->run, eh,
	    &cause) == 0)
		return 0;
	for (i = 0; i < eh->changes.n; i++) {
		if (eh->info[i].result != ENGINE_PENDING)
			continue;
		eh->info[i].result = ENGINE_FAILED;
		eh->info[i].error = xasprintf("not applied: %s", cause);
	}
	free(cause);
	return -1;
}

/*
 * The HTTPS listener of eh failed TLS (its certificate expired, untrusted
 * or for another name): can its HTTP listener be used to repair it?  Only
 * with NTLM or Kerberos, which seal every message over HTTP (Basic would
 * send the password in clear, a client certificate needs TLS), and only
 * when the desired state has the HTTPS listener to repair.  When not, the
 * cause says what a person must do (docs/transport.md, "Repair over HTTP").
 */
static int
engine_http_repairable(const struct engine_host *eh, const struct wsman *ws,
    char **cause)
{
	const struct model_conn *mc = &eh->host->conn;
	int port = mc->repair_http_port;
	char *tls;

	if (mc->http || wsman_last_error(ws) != WSMAN_E_TLS)
		return 0;
	tls = *cause;
	if (node_get(node_get(eh->desired, "wsman_listener"), "https") ==
	    NULL)
		*cause = xasprintf("%s: bind the HTTPS listener to a valid "
		    "certificate on the host, or add wsman_listener https to "
		    "its desired state so that enforcer repairs it over HTTP "
		    "(port %d)", tls, port);
	else if (mc->auth != WSMAN_AUTH_NTLM && mc->auth !=
	    WSMAN_AUTH_NEGOTIATE)
		*cause = xasprintf("%s: bind the HTTPS listener to a valid "
		    "certificate on the host by hand (auth '%s' cannot repair "
		    "it over HTTP, port %d: only ntlm and kerberos seal every "
		    "message there)", tls, wsman_auth_name(mc->auth), port);
	else
		return 1;
	free(tls);
	return 0;
}

/*
 * Read eh again over its HTTP listener, every message sealed (*ws and wo
 * switched to it); *cause, the TLS failure, becomes eh->repaired_via, which
 * the report shows, or part of the one line saying what a person must do.
 */
static int
engine_read_http(struct engine_ctx *ec, struct state_ctx *ctx,
    struct wsman_opts *wo, struct wsman **ws, struct engine_host *eh,
    char **cause)
{
	const char *tls = engine_unhost(eh->host->name, *cause);
	char *http = NULL, *line;

	wo->scheme = "http";
	wo->port = eh->host->conn.repair_http_port;
	wsman_free(*ws);
	*ws = NULL;
	if (wsman_new(ws, wo, &http) == 0) {
		ctx->ws = *ws;
		if (engine_read_host(ec, ctx, wo, eh, &http) == 0) {
			eh->repaired_via = xasprintf("reached over HTTP (port "
			    "%d, %s, every message sealed) to repair the "
			    "HTTPS listener: %s", wo->port,
			    wsman_auth_name(wo->auth), tls);
			free(*cause);
			*cause = NULL;
			return 0;
		}
	}
	line = xasprintf("%s; over HTTP (port %d) too: %s: enable the HTTP "
	    "listener (winrm quickconfig) or bind the HTTPS listener to a "
	    "valid certificate on the host", tls, wo->port,
	    engine_unhost(eh->host->name, http));
	free(http);
	free(*cause);
	*cause = line;
	return -1;
}

/*
 * Connections per host.  Kinds read at once, each on its own connection
 * (and a kind's reads over up to WSMAN_MAX_CONNECTIONS), cost a host the
 * slowest kind's round trips but a full TLS handshake and a logon per
 * connection: a fleet run is bound by that CPU, not by round trips, once
 * every worker has a host (more hosts than --parallel).  Then one
 * connection per host reads the kinds in turn (docs/performance.md has
 * the figures).
 */
static unsigned
engine_connections(const struct engine_ctx *ec)
{
	if (ec->o->connections > 0)
		return ec->o->connections;
	return ec->run->nhosts > (size_t)ec->o->parallel ? 1 :
	    WSMAN_MAX_CONNECTIONS;
}

static char *
engine_text(const struct node *n)
{
	struct buf b = BUF_INIT;

	if (n == NULL)
		return NULL;
	node_emit(n, &b, 1);
	return buf_detach(&b);
}

/* The host is done: drop what the caller does not keep (engine_keep). */
static void
engine_host_compact(struct engine_host *eh, enum engine_keep keep)
{
	size_t i;

	if (keep == ENGINE_KEEP_TREES)
		return;
	if (keep == ENGINE_KEEP_TEXT) {
		eh->observed_text = engine_text(eh->observed);
		eh->verified_text = engine_text(eh->verified);
	}
	for (i = 0; i < eh->changes.n; i++)
		eh->changes.v[i].desired = NULL;
	node_free(eh->desired);
	node_free(eh->observed);
	node_free(eh->verified);
	eh->desired = eh->observed = eh->verified = NULL;
}

static void
engine_host(struct engine_ctx *ec, struct engine_host *eh)
{
	struct state_ctx ctx;
	struct wsman_opts wo;
	struct timespec t0, t1;
	struct wsman *ws = NULL;
	struct node *last = NULL;
	char *pw = NULL, *cause = NULL;
	size_t i;
	int reading = 1;	/* counted in run->reading */
	int has_last;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	__atomic_add_fetch(&ec->run->reading, 1, __ATOMIC_SEQ_CST);
	eh->tls_unverified = !eh->host->conn.tls_verify;
	/* engine_run_targets() gave the desired tree already. */
	if ((eh->desired == NULL && model_effective(&eh->desired, ec->m,
	    eh->host, ec->o->at, &cause) == -1) ||
	    engine_opts(eh->host, &wo, &pw, &cause) == -1)
		goto fail;
	wo.max_connections = engine_connections(ec);
	if (wsman_new(&ws, &wo, &cause) == -1)
		goto fail;
	memset(&ctx, 0, sizeof(ctx));
	ctx.host = eh->host->name;
	ctx.ws = ws;
	ctx.address = eh->host->conn.address;
	/* The HTTPS port the modules check: WinRM's own when over HTTP. */
	ctx.port = eh->host->conn.http ? 5986 : eh->host->conn.port;
	ctx.ca_file = eh->host->conn.ca_file;
	ctx.now = ec->o->at;
	has_last = engine_last_early(ec, eh, &wo, &last);
	ctx.last = last;
	if ((engine_read_host(ec, &ctx, &wo, eh, &cause) == -1 &&
	    (!engine_http_repairable(eh, ws, &cause) ||
	    engine_read_http(ec, &ctx, &wo, &ws, eh, &cause) == -1)) ||
	    engine_diff(eh->desired, eh->observed, ctx.now,
	    &eh->changes, &cause) == -1)
		goto fail;
	if (ec->targets != NULL)
		engine_keep_paths(&eh->changes,
		    &ec->targets[eh - ec->run->hosts]);
	eh->ms_read = timeparse_ms_since(&t0);
	__atomic_sub_fetch(&ec->run->reading, 1, __ATOMIC_SEQ_CST);
	reading = 0;
	if (engine_classify_all(ec, eh, last, has_last, &cause) == -1)
		goto fail;
	/* A re-read after a write guesses from what this run read. */
	ctx.last = eh->observed;
	if (ec->o->apply && eh->changes.n > 0 &&
	    engine_before_write(ec, eh) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		engine_apply(ec, &ctx, &wo, eh);
		engine_verify(&ctx, &wo, eh);
		engine_apply_last(ec, &ctx, &wo, eh);
		eh->ms_apply = timeparse_ms_since(&t1);
	}
	for (i = 0; i < eh->changes.n && eh->error == NULL; i++)
		if (eh->info[i].error != NULL)
			eh->error = xasprintf("%s: %s",
			    eh->info[i].change->path, engine_unhost(
			    eh->host->name, eh->info[i].error));
	if (wsman_close(ws, &cause) == -1)
		free(cause);	/* a shell left behind is reaped by its idle timeout */
	goto out;
fail:
	engine_host_fail(eh, cause);
out:
	if (reading)
		__atomic_sub_fetch(&ec->run->reading, 1, __ATOMIC_SEQ_CST);
	if (ec->o->guard != NULL)
		ec->o->guard->finish(eh, ec->m, ec->o);
	engine_host_compact(eh, ec->o->keep);
	node_free(last);
	wsman_free(ws);
	secret_free(pw);
	eh->ms_total = timeparse_ms_since(&t0);
}

static void
engine_run_id(struct engine_run *run)
{
	char *id = history_new_run_id(time(NULL));

	snprintf(run->id, sizeof(run->id), "%s", id);
	free(id);
}

static void
engine_start_host(void *arg, size_t i)
{
	struct engine_ctx *ec = arg;

	engine_host(ec, &ec->run->hosts[i]);
}

static void
engine_start_skip(void *arg, size_t i)
{
	struct engine_ctx *ec = arg;

	ec->run->hosts[i].error = xstrdup("not attempted: interrupted");
}

/* run->hosts are chosen: run them all in the pool. */
static void
engine_start(struct engine_run *run, const struct model *m,
    const struct engine_opts *o, const struct engine_target *targets)
{
	struct engine_ctx ec;

	engine_run_id(run);
	run->at = o->at;
	clock_gettime(CLOCK_REALTIME, &run->started);

	memset(&ec, 0, sizeof(ec));
	ec.m = m;
	ec.o = o;
	ec.run = run;
	ec.targets = targets;
	engine_each(run->nhosts, o->parallel, !o->progress ? NULL :
	    o->apply ? "apply" : "plan", engine_start_host, engine_start_skip,
	    &ec);
	clock_gettime(CLOCK_REALTIME, &run->finished);
}

int
engine_run(struct engine_run *run, const struct model *m,
    const struct engine_opts *o, char **cause)
{
	size_t i;

	memset(run, 0, sizeof(*run));
	if (o->parallel < 1)
		return cause_set(cause, "--parallel must be at least 1");
	run->hosts = xcalloc(m->nhosts + 1, sizeof(*run->hosts));
	run->shard = o->shard;
	run->fleet_hosts = m->nhosts;
	for (i = 0; i < m->nhosts; i++) {
		if (!shard_has(&o->shard, m->hosts[i].name))
			continue;
		run->shard_hosts++;
		if (o->hosts_glob == NULL ||
		    model_host_match(&m->hosts[i], o->hosts_glob))
			run->hosts[run->nhosts++].host = &m->hosts[i];
	}
	/* Every shard runs the same command: one may have nothing to do. */
	if (run->nhosts == 0 && o->shard.count == 0) {
		free(run->hosts);
		run->hosts = NULL;
		if (cause != NULL) {
			free(*cause);
			*cause = model_hosts_nomatch(m, o->hosts_glob);
		}
		return -1;
	}
	engine_start(run, m, o, NULL);
	return 0;
}

int
engine_run_targets(struct engine_run *run, const struct model *m,
    const struct engine_opts *o, const struct engine_target *targets,
    size_t n, char **cause)
{
	size_t i;

	memset(run, 0, sizeof(*run));
	if (o->parallel < 1)
		return cause_set(cause, "--parallel must be at least 1");
	if (n == 0)
		return cause_set(cause, "no host to run");
	run->hosts = xcalloc(n + 1, sizeof(*run->hosts));
	for (i = 0; i < n; i++) {
		run->hosts[i].host = targets[i].host;
		run->hosts[i].desired = node_copy(targets[i].desired);
	}
	run->nhosts = n;
	engine_start(run, m, o, targets);
	return 0;
}

void
engine_run_release(struct engine_run *run)
{
	struct engine_host *eh;
	size_t i, j;

	for (i = 0; i < run->nhosts; i++) {
		eh = &run->hosts[i];
		node_free(eh->desired);
		node_free(eh->observed);
		node_free(eh->verified);
		free(eh->observed_text);
		free(eh->verified_text);
		for (j = 0; j < eh->changes.n && eh->info != NULL; j++) {
			free(eh->info[j].reason);
			free(eh->info[j].error);
		}
		free(eh->info);
		changes_clear(&eh->changes);
		free(eh->error);
		free(eh->overdue);
		free(eh->repaired_via);
	}
	free(run->hosts);
	memset(run, 0, sizeof(*run));
}

void
engine_totals(const struct engine_run *run, struct engine_totals *t)
{
	const struct engine_host *eh;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	t->hosts = run->nhosts;
	for (i = 0; i < run->nhosts; i++) {
		eh = &run->hosts[i];
		if (eh->error != NULL)
			t->failed++;
		else if (eh->changes.n == 0)
			t->in_sync++;
		else
			t->changed++;
		for (j = 0; j < eh->changes.n; j++) {
			switch (eh->info[j].result) {
			case ENGINE_PENDING:
				t->pending++;
				break;
			case ENGINE_VERIFIED:
				t->verified++;
				break;
			case ENGINE_FAILED:
			case ENGINE_UNVERIFIED:
				t->failed_changes++;
				break;
			case ENGINE_REPORTED:
				t->reported++;
				break;
			}
		}
	}
}

struct engine_each_ctx {
	size_t		 n;
	engine_each_fn	*fn;
	engine_each_fn	*skip;
	void		*arg;
	pthread_mutex_t	 lock;
	size_t		 next;	/* next i to take */
	size_t		 done;	/* calls returned */
};

static void *
engine_each_worker(void *arg)
{
	struct engine_each_ctx *c = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		i = c->next++;
		pthread_mutex_unlock(&c->lock);
		if (i >= c->n)
			return NULL;
		if (engine_stop)
			c->skip(c->arg, i);
		else
			c->fn(c->arg, i);
		pthread_mutex_lock(&c->lock);
		c->done++;
		pthread_mutex_unlock(&c->lock);
	}
}

/* "plan 3/10 hosts" on stderr until every call has returned. */
static void
engine_each_progress(struct engine_each_ctx *c, const char *label)
{
	size_t done;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		done = c->done;
		pthread_mutex_unlock(&c->lock);
		/* Straight to the descriptor: stderr escapes \r (termsafe.h). */
		dprintf(STDERR_FILENO, "\r%s %zu/%zu hosts", label, done, c->n);
		if (done == c->n)
			break;
		usleep(200000);
	}
	dprintf(STDERR_FILENO, "\r\033[K");
}

/*
 * glibc gives each thread an arena of its own up to 8 per core, and
 * what a host frees stays in its thread's arena: with 32 to 64 workers
 * that slack was most of a host in flight's RSS.  The workers mostly
 * wait on the network, so arenas beyond twice the cores buy no
 * parallelism (docs/performance.md, "Memory of a fleet run").  An
 * operator's own setting (MALLOC_ARENA_MAX, GLIBC_TUNABLES) stands.
 */
static pthread_once_t arenas_once = PTHREAD_ONCE_INIT;

static void
engine_arenas(void)
{
	const char *t = getenv("GLIBC_TUNABLES");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (getenv("MALLOC_ARENA_MAX") != NULL ||
	    (t != NULL && strstr(t, "arena_max") != NULL))
		return;
	mallopt(M_ARENA_MAX, cores < 1 ? 2 : 2 * (int)cores);
}

void
engine_each(size_t n, int parallel, const char *progress, engine_each_fn *fn,
    engine_each_fn *skip, void *arg)
{
	struct engine_each_ctx c;
	pthread_t *threads;
	size_t i, nthreads;

	memset(&c, 0, sizeof(c));
	c.n = n;
	c.fn = fn;
	c.skip = skip;
	c.arg = arg;
	pthread_mutex_init(&c.lock, NULL);
	nthreads = parallel < 1 ? 1 : (size_t)parallel < n ? (size_t)parallel :
	    n;
	pthread_once(&arenas_once, engine_arenas);
	threads = xcalloc(nthreads + 1, sizeof(*threads));
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, engine_each_worker,
		    &c) != 0)
			fatal("cannot start a worker thread");
	if (progress != NULL)
		engine_each_progress(&c, progress);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&c.lock);
}
