/*
 * engine.c: plan and apply over every selected host, in parallel.
 *
 * Order of side effects, per host: nothing is written before every kind
 * has been read and diffed (so plan and apply share one path up to the
 * first write); changes that may cut our own connection go last; every
 * applied change is re-read before it is called verified.
 */
#include <sys/random.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "failsafe.h"
#include "killpoint.h"
#include "secret.h"
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
	pthread_mutex_t			 lock;
	size_t				 next;	/* next host to take */
	size_t				 done;	/* hosts finished */
	const struct engine_target	*targets; /* parallel to run->hosts,
						     or NULL */
};

static long
engine_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

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

/* Some rule of window w applies to host h. */
static int
engine_window_targets(const struct model_window *w,
    const struct model_host *h)
{
	size_t i;

	for (i = 0; i < w->nrules; i++)
		if (model_rule_targets(&w->rules[i], h))
			return 1;
	return 0;
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
		    w->end <= found->end) || !engine_window_targets(w, h))
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

static char *
engine_hhmm(time_t t)
{
	char full[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(t, full, sizeof(full));
	/* "2026-11-25T11:00:00Z" -> "11:00Z" */
	return xasprintf("%.5sZ", full + 11);
}

/* Class and reason of one change. */
static void
engine_classify(struct engine_ctx *ec, struct engine_host *eh,
    struct engine_change *ic)
{
	const struct change *c = ic->change;
	const struct origin *o = engine_origin(c);
	const struct model_window *w;
	const struct node *last, *was;
	char *hm;

	if (strcmp(c->kind, FAILSAFE_KIND) == 0) {
		failsafe_classify(ec->m, ec->o->at, ic);
		return;
	}
	if (o != NULL && o->kind == ORIGIN_WINDOW) {
		hm = engine_hhmm(o->window->end);
		ic->class = ENGINE_WINDOW;
		ic->window = o->window->name;
		ic->until = o->window->end;
		ic->reason = xasprintf("window %s: until %s, then reverts", o->name,
		    hm);
		free(hm);
		return;
	}
	if ((w = engine_expired_window(ec, eh->host, c)) != NULL) {
		hm = engine_hhmm(w->end);
		ic->class = ENGINE_EXPIRY;
		ic->window = w->name;
		ic->reason = xasprintf("window %s ended %s", w->name, hm);
		free(hm);
		return;
	}
	last = ec->o->last != NULL ?
	    ec->o->last(ec->o->last_arg, eh->host->name) : NULL;
	was = last != NULL ? node_path(last, c->path, NULL, 0,
	    NULL) : NULL;
	/* Whole values, not c->before: a list's change names one item. */
	if (last != NULL && ((was == NULL && c->before == NULL) ||
	    (was != NULL && node_equal(was, node_path(eh->observed,
	    c->path, NULL, 0, NULL))))) {
		/* The host is as we last left it: the desired state moved. */
		ic->class = ENGINE_INTENTIONAL;
		ic->reason = xasprintf("policy %s; desired state changed",
		    o != NULL ? o->name : "?");
		return;
	}
	ic->class = ENGINE_CORRECTIVE;
	if (last != NULL)
		ic->reason = xasprintf("drift: changed outside enforcer; "
		    "policy %s", o != NULL ? o->name : "?");
	else
		ic->reason = xasprintf("policy %s", o != NULL ? o->name : "?");
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
	wo->operation_timeout_ms = mc->timeout * 1000;
	wo->request_timeout_ms = mc->timeout * 1000 + 5000;
	switch (mc->auth) {
	case MODEL_AUTH_BASIC:
		wo->auth = WSMAN_AUTH_BASIC;
		break;
	case MODEL_AUTH_NTLM:
		wo->auth = WSMAN_AUTH_NTLM;
		break;
	case MODEL_AUTH_NEGOTIATE:
		wo->auth = WSMAN_AUTH_NEGOTIATE;
		break;
	case MODEL_AUTH_CERTIFICATE:
		wo->auth = WSMAN_AUTH_CERTIFICATE;
		break;
	}
	/* Kerberos takes a password too, when one is configured. */
	if ((wo->auth == WSMAN_AUTH_BASIC || wo->auth == WSMAN_AUTH_NTLM ||
	    mc->password_env != NULL || mc->password_file != NULL) &&
	    secret_read(pw, mc->password_env, mc->password_file, cause) == -1)
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
	 * A replaced transport (the test kill point) is one shared object:
	 * then every kind reads in turn over the main client.
	 */
	if (wo->ops != NULL) {
		for (i = 0; i < n; i++) {
			rd[i].ctx.ws = rd[0].ctx.ws;
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

/* Read every kind the desired state names into one observed map. */
static int
engine_read(struct state_ctx *ctx, const struct wsman_opts *wo,
    const struct node *desired, struct node **observed, char **cause)
{
	struct engine_reader *rd;
	struct node *all;
	size_t i, n = desired->npairs;
	int rc = 0;

	rd = xcalloc(n + 1, sizeof(*rd));
	for (i = 0; i < n; i++) {
		const char *kind = desired->pairs[i].key->value;

		if ((rd[i].ops = state_find(kind)) == NULL) {
			free(rd);
			return cause_set(cause, "%s: no state module for '%s'",
			    ctx->host, kind);
		}
		rd[i].ctx = *ctx;
		rd[i].ctx.ws = i == 0 ? ctx->ws : NULL;
		rd[i].desired = desired->pairs[i].value;
	}
	engine_readers_run(rd, n, wo);
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

/*
 * Safe order: fail-safes armed first; changes that may cut our connection
 * last but for fail-safes removed, which wait for the revert they guard.
 */
static int
engine_rank(const struct change *c)
{
	if (failsafe_is_arm(c))
		return 0;
	if (failsafe_is_disarm(c))
		return 3;
	return (c->flags & CHANGE_CUTS_CONNECTION) != 0 ? 2 : 1;
}

static int
engine_streq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/*
 * The same change is still wanted: same property, same target value (and,
 * for a removal, the same item).  Several changes may share a path, e.g.
 * one per group member.
 */
static int
engine_same_change(const struct change *a, const struct change *b)
{
	if (strcmp(a->path, b->path) != 0 || !engine_streq(a->after, b->after))
		return 0;
	return a->after != NULL || engine_streq(a->before, b->before);
}

/* Re-read and diff again: a change is verified when it is no longer due. */
static void
engine_verify(struct state_ctx *ctx, const struct wsman_opts *wo,
    struct engine_host *eh)
{
	struct changes again = CHANGES_INIT;
	struct node *now = NULL;
	char *cause = NULL;
	size_t i, j;
	int clean, todo = 0;

	/* Judge only what was applied and not yet judged. */
	for (i = 0; i < eh->changes.n; i++)
		if (eh->info[i].result == ENGINE_UNVERIFIED &&
		    eh->info[i].error == NULL)
			todo = 1;
	if (!todo)
		return;
	if (engine_read(ctx, wo, eh->desired, &now, &cause) == -1 ||
	    engine_diff(eh->desired, now, ctx->now, &again, &cause) == -1) {
		for (i = 0; i < eh->changes.n; i++)
			if (eh->info[i].result == ENGINE_UNVERIFIED &&
			    eh->info[i].error == NULL)
				eh->info[i].error = xasprintf("could not "
				    "verify: %s", cause);
		free(cause);
		node_free(now);
		changes_clear(&again);
		return;
	}
	for (i = 0; i < eh->changes.n; i++) {
		if (eh->info[i].result != ENGINE_UNVERIFIED ||
		    eh->info[i].error != NULL)
			continue;
		clean = 1;
		for (j = 0; j < again.n; j++)
			if (engine_same_change(&again.v[j],
			    eh->info[i].change))
				clean = 0;
		if (clean)
			eh->info[i].result = ENGINE_VERIFIED;
		else
			eh->info[i].error = xstrdup("re-read after apply "
			    "still differs");
	}
	node_free(eh->verified);
	eh->verified = now;
	changes_clear(&again);
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

/*
 * Apply in the safe order.  Before the first change that may cut our
 * connection, what was applied so far is verified while the host still
 * answers; then the cutting changes go, and are verified if it still does.
 */
static void
engine_apply(struct state_ctx *ctx, const struct wsman_opts *wo,
    struct engine_host *eh)
{
	struct engine_change *ic;
	const struct state_ops *ops;
	size_t i;
	int cut = 0;

	/* info[] is the order of application (and of the report). */
	qsort(eh->info, eh->changes.n, sizeof(*eh->info), engine_order_cmp);
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		/* Fail-safes: armed before (failsafe_arm), removed after. */
		if (ic->result != ENGINE_PENDING ||
		    failsafe_is_disarm(ic->change))
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
		ops = state_find(ic->change->kind);
		if (ops->apply(ctx, ic->change, node_get(eh->observed,
		    ic->change->kind), &ic->error) == -1) {
			ic->result = ENGINE_FAILED;
			continue;
		}
		ic->result = ENGINE_UNVERIFIED;
	}
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

static int
engine_target_has(const struct engine_target *t, const char *path)
{
	size_t i;

	for (i = 0; i < t->npaths; i++)
		if (strcmp(t->paths[i], path) == 0)
			return 1;
	return 0;
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
		if (engine_target_has(t, cs->v[i].path))
			cs->v[n++] = cs->v[i];
		else
			drop.v[drop.n++] = cs->v[i];
	}
	cs->n = n;
	changes_clear(&drop);
}

static void
engine_host_fail(struct engine_host *eh, char *cause)
{
	eh->error = cause != NULL ? cause : xstrdup("unknown error");
}

static void
engine_host(struct engine_ctx *ec, struct engine_host *eh)
{
	struct state_ctx ctx;
	struct wsman_opts wo;
	struct timespec t0, t1;
	struct wsman *ws = NULL;
	char *pw = NULL, *cause = NULL;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	eh->tls_unverified = !eh->host->conn.tls_verify;
	/* engine_run_targets() gave the desired tree already. */
	if ((eh->desired == NULL && model_effective(&eh->desired, ec->m,
	    eh->host, ec->o->at, &cause) == -1) ||
	    engine_opts(eh->host, &wo, &pw, &cause) == -1 ||
	    wsman_new(&ws, &wo, &cause) == -1)
		goto fail;
	memset(&ctx, 0, sizeof(ctx));
	ctx.host = eh->host->name;
	ctx.ws = ws;
	ctx.address = eh->host->conn.address;
	/* The HTTPS port the modules check: WinRM's own when over HTTP. */
	ctx.port = eh->host->conn.http ? 5986 : eh->host->conn.port;
	ctx.ca_file = eh->host->conn.ca_file;
	ctx.now = ec->o->at;
	failsafe_fill_base(eh->desired, ec->m, eh->host, ec->o->at);
	if (engine_read(&ctx, &wo, eh->desired, &eh->observed, &cause) == -1 ||
	    failsafe_prepare(eh, ec->m, &ctx, &cause) == -1 ||
	    engine_diff(eh->desired, eh->observed, ctx.now,
	    &eh->changes, &cause) == -1)
		goto fail;
	if (ec->targets != NULL)
		engine_keep_paths(&eh->changes,
		    &ec->targets[eh - ec->run->hosts]);
	eh->ms_read = engine_ms_since(&t0);
	eh->info = xcalloc(eh->changes.n + 1, sizeof(*eh->info));
	for (i = 0; i < eh->changes.n; i++) {
		eh->info[i].change = &eh->changes.v[i];
		engine_classify(ec, eh, &eh->info[i]);
		if (eh->changes.v[i].flags & (CHANGE_GPO | CHANGE_NEEDS_PERSON))
			eh->info[i].result = ENGINE_REPORTED;
	}
	if (ec->o->apply && eh->changes.n > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		failsafe_arm(eh, &ctx);
		engine_apply(&ctx, &wo, eh);
		engine_verify(&ctx, &wo, eh);
		failsafe_disarm(eh, ec->m, &ctx);
		eh->ms_apply = engine_ms_since(&t1);
		for (i = 0; i < eh->changes.n && eh->error == NULL; i++)
			if (eh->info[i].error != NULL)
				eh->error = xasprintf("%s: %s",
				    eh->info[i].change->path, engine_unhost(
				    eh->host->name, eh->info[i].error));
	}
	if (wsman_close(ws, &cause) == -1)
		free(cause);	/* a shell left behind is reaped by its idle timeout */
	goto out;
fail:
	engine_host_fail(eh, cause);
out:
	failsafe_host_overdue(eh, ec->m, ec->o);
	wsman_free(ws);
	secret_free(pw);
	eh->ms_total = engine_ms_since(&t0);
}

static void *
engine_worker(void *arg)
{
	struct engine_ctx *ec = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&ec->lock);
		i = ec->next++;
		pthread_mutex_unlock(&ec->lock);
		if (i >= ec->run->nhosts)
			break;
		if (engine_stop)
			ec->run->hosts[i].error = xstrdup("not attempted: "
			    "interrupted");
		else
			engine_host(ec, &ec->run->hosts[i]);
		pthread_mutex_lock(&ec->lock);
		ec->done++;
		pthread_mutex_unlock(&ec->lock);
	}
	return NULL;
}

static void
engine_progress(struct engine_ctx *ec, int last)
{
	size_t done;

	pthread_mutex_lock(&ec->lock);
	done = ec->done;
	pthread_mutex_unlock(&ec->lock);
	fprintf(stderr, "\r%s %zu/%zu hosts", ec->o->apply ? "apply" : "plan",
	    done, ec->run->nhosts);
	if (last)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static void
engine_run_id(struct engine_run *run)
{
	unsigned char rnd[3];
	struct tm tm;
	char stamp[20];
	time_t now = time(NULL);

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(run->id, sizeof(run->id), "%s-%02x%02x%02x", stamp, rnd[0],
	    rnd[1], rnd[2]);
}

/* run->hosts are chosen: run them all in the pool. */
static void
engine_start(struct engine_run *run, const struct model *m,
    const struct engine_opts *o, const struct engine_target *targets)
{
	struct engine_ctx ec;
	pthread_t *threads;
	size_t i, nthreads;

	engine_run_id(run);
	run->at = o->at;
	clock_gettime(CLOCK_REALTIME, &run->started);

	memset(&ec, 0, sizeof(ec));
	ec.m = m;
	ec.o = o;
	ec.run = run;
	ec.targets = targets;
	pthread_mutex_init(&ec.lock, NULL);
	nthreads = (size_t)o->parallel < run->nhosts ? (size_t)o->parallel :
	    run->nhosts;
	threads = xcalloc(nthreads, sizeof(*threads));
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, engine_worker, &ec) != 0)
			fatal("cannot start a worker thread");
	if (o->progress) {
		while (ec.done < run->nhosts) {
			engine_progress(&ec, 0);
			usleep(200000);
		}
		engine_progress(&ec, 1);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&ec.lock);
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
	for (i = 0; i < m->nhosts; i++)
		if (o->hosts_glob == NULL ||
		    model_host_match(&m->hosts[i], o->hosts_glob))
			run->hosts[run->nhosts++].host = &m->hosts[i];
	if (run->nhosts == 0) {
		free(run->hosts);
		run->hosts = NULL;
		return cause_set(cause, "no host matches '%s'",
		    o->hosts_glob != NULL ? o->hosts_glob : "*");
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
		for (j = 0; j < eh->changes.n && eh->info != NULL; j++) {
			free(eh->info[j].reason);
			free(eh->info[j].error);
		}
		free(eh->info);
		changes_clear(&eh->changes);
		free(eh->error);
		free(eh->overdue);
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
