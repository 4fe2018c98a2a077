/*
 * window_guard.c: the fail-safe as the engine's guard.  The failsafe
 * kind's diff marks a task armed or moved CHANGE_FIRST and a task removed
 * CHANGE_LAST; the engine applies and verifies them in that order, and
 * calls the steps below at its points: the kind joined to the host's
 * states after reading, the tasks read back before anything is turned on,
 * removal held until the revert is verified, what ended windows left on.
 */
#include <stdlib.h>
#include <string.h>

#include "window_failsafe.h"

/*
 * Where a fail-safe may be needed, the kind joins the host's before the
 * read, with a desired state to come (an empty map): reading the tasks
 * needs nothing else, so they are read with the other kinds, at once,
 * not after them.
 */
static void
wg_before_read(struct engine_host *eh, const struct model *m, time_t at)
{
	window_failsafe_fill_base(eh->desired, m, eh->host, at);
	if (window_failsafe_applies(m, eh->host, eh->desired))
		node_map_set(eh->desired, FAILSAFE_KIND, node_map());
}

/*
 * The fail-safe's desired state, computed from the model and the state
 * just read, replaces the one to come.
 */
static int
wg_after_read(struct engine_host *eh, const struct model *m, time_t at,
    char **cause)
{
	struct node *want = NULL;

	if (!window_failsafe_applies(m, eh->host, eh->desired))
		return 0;
	if (window_failsafe_desired(&want, m, eh->host, at, eh->observed,
	    cause) == -1)
		return -1;
	node_map_set(eh->desired, FAILSAFE_KIND, want);
	return 0;
}

/* The tasks of windows that end at at, as they were a second before. */
static int
wg_after_read_close(struct engine_host *eh, const struct model *m, time_t at,
    char **cause)
{
	return wg_after_read(eh, m, at - 1, cause);
}

static int
wg_classify(const struct model *m, time_t at, struct engine_change *ic)
{
	if (strcmp(ic->change->kind, FAILSAFE_KIND) != 0)
		return 0;
	window_failsafe_classify(m, at, ic);
	return 1;
}

/* Read the fail-safe back: every task asked for is there, as asked. */
static int
wg_armed(struct state_ctx *ctx, struct engine_host *eh, char **cause)
{
	const struct state_ops *ops = state_find(FAILSAFE_KIND);
	const struct node *want = node_get(eh->desired, FAILSAFE_KIND);
	struct changes left = CHANGES_INIT;
	struct node *now = NULL;
	size_t i;
	int rc = -1;

	if (ops->read(ctx, want, &now, cause) == -1 ||
	    ops->diff(want, now, ctx->now, &left, cause) == -1)
		goto out;
	for (i = 0; i < left.n; i++)
		if (failsafe_is_arm(&left.v[i])) {
			cause_set(cause, "%s: %s reads back as %s", ctx->host,
			    left.v[i].path, left.v[i].before != NULL ?
			    left.v[i].before : "absent");
			goto out;
		}
	rc = 0;
out:
	node_free(now);
	changes_clear(&left);
	return rc;
}

/*
 * The tasks are sent (CHANGE_FIRST); before a window turns anything on,
 * they are read back, and if they are not there, nothing is turned on.
 * (When no task is asked for, the policies alone want it on.)
 */
static void
wg_after_first(struct engine_host *eh, struct state_ctx *ctx)
{
	const struct node *tasks;
	struct engine_change *ic;
	char *cause = NULL;
	size_t i;

	tasks = node_getv(eh->desired, FAILSAFE_KIND, "tasks", NULL);
	if (tasks == NULL || tasks->npairs == 0)
		return;
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (ic->result != ENGINE_PENDING || ic->class != ENGINE_WINDOW ||
		    !window_failsafe_enables(ic->change))
			continue;
		if (cause == NULL && wg_armed(ctx, eh, &cause) == 0)
			return;
		ic->result = ENGINE_FAILED;
		ic->error = xasprintf("not applied: the host's fail-safe is not "
		    "armed: %s", cause);
	}
	free(cause);
}

/*
 * Tasks are removed (CHANGE_LAST) only once the revert they guard is
 * verified: one stays while a CredSSP change is not verified or anything
 * its window turned on is still on.  A host with nothing but the removal
 * to do (its window never got to turn anything on) was just read: that
 * read is what is on.
 */
static void
wg_after_verify(struct engine_host *eh, const struct model *m, time_t at)
{
	const struct node *now = eh->verified;
	struct engine_change *ic;
	size_t i;
	int reverted, others = 0;

	for (i = 0; i < eh->changes.n; i++)
		others |= !(eh->info[i].change->flags & CHANGE_LAST);
	if (now == NULL && !others)
		now = eh->observed;
	reverted = now != NULL;
	for (i = 0; i < eh->changes.n; i++)
		if (strcmp(eh->info[i].change->kind, "credssp") == 0 &&
		    eh->info[i].result != ENGINE_VERIFIED)
			reverted = 0;
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (!failsafe_is_disarm(ic->change) ||
		    ic->result != ENGINE_PENDING)
			continue;
		if (reverted && window_failsafe_may_disarm(m, eh->host, at,
		    ic->change, now))
			continue;
		ic->held = 1;
		free(ic->change->note);
		ic->change->note = xstrdup("kept until what its window "
		    "turned on is verified off");
	}
}

/* What ended windows left on, from the freshest state there is. */
static void
wg_finish(struct engine_host *eh, const struct model *m,
    const struct engine_opts *o)
{
	const struct node *state;
	struct node *last = NULL;
	char *credssp, *grants, *cause = NULL;
	int current;

	state = eh->verified != NULL ? eh->verified : eh->observed;
	current = state != NULL;
	/* Unreadable history: what is left on is as unknown as the host. */
	if (state == NULL && o->last != NULL &&
	    o->last(o->last_arg, eh->host->name, &last, &cause) == -1)
		free(cause);
	if (state == NULL)
		state = last;
	credssp = window_failsafe_overdue(m, eh->host, o->at, state, current);
	grants = window_grants_overdue(m, eh->host, o->at, state, current);
	node_free(last);
	if (credssp != NULL && grants != NULL) {
		eh->overdue = xasprintf("%s; %s", credssp, grants);
		free(credssp);
		free(grants);
	} else
		eh->overdue = credssp != NULL ? credssp : grants;
}

/* The revert that follows says what is left on; this run does not. */
static void
wg_finish_close(struct engine_host *eh, const struct model *m,
    const struct engine_opts *o)
{
}

const struct engine_guard window_guard = {
	.before_read = wg_before_read,
	.after_read = wg_after_read,
	.classify = wg_classify,
	.after_first = wg_after_first,
	.after_verify = wg_after_verify,
	.finish = wg_finish,
};

const struct engine_guard window_guard_close = {
	.before_read = wg_before_read,
	.after_read = wg_after_read_close,
	.classify = wg_classify,
	.after_first = wg_after_first,
	.after_verify = wg_after_verify,
	.finish = wg_finish_close,
};
