/*
 * failsafe_engine.c: the engine's steps for the fail-safe, in the order
 * failsafe.h gives: joined to the host's states after reading, armed and
 * read back before anything is turned on, removed once the revert is
 * verified; and what ended windows left on, after the host's run.
 */
#include <stdlib.h>
#include <string.h>

#include "failsafe.h"

/*
 * The fail-safe joins the host's desired and observed states: computed
 * from the model and the CredSSP state just read, then read like a kind.
 */
int
failsafe_prepare(struct engine_host *eh, const struct model *m,
    struct state_ctx *ctx, char **cause)
{
	struct node *want = NULL, *have = NULL;

	if (!failsafe_applies(m, eh->host, eh->desired))
		return 0;
	if (failsafe_desired(&want, m, eh->host, ctx->now,
	    node_get(eh->observed, "credssp"), cause) == -1)
		return -1;
	if (state_find(FAILSAFE_KIND)->read(ctx, want, &have, cause) == -1) {
		node_free(want);
		return -1;
	}
	node_map_set(eh->desired, FAILSAFE_KIND, want);
	node_map_set(eh->observed, FAILSAFE_KIND, have);
	return 0;
}

/* Read the fail-safe back: every task asked for is there, as asked. */
static int
fe_armed(struct state_ctx *ctx, struct engine_host *eh, char **cause)
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
 * Before a window turns anything on, the host's fail-safe task is
 * registered and read back; if it is not, nothing is turned on.  (When
 * no task is asked for, the policies alone want it on.)
 */
void
failsafe_arm(struct engine_host *eh, struct state_ctx *ctx)
{
	const struct state_ops *ops = state_find(FAILSAFE_KIND);
	const struct node *tasks;
	struct engine_change *ic;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (!failsafe_is_arm(ic->change) || ic->result != ENGINE_PENDING)
			continue;
		ic->result = ops->apply(ctx, ic->change, node_get(eh->observed,
		    FAILSAFE_KIND), &ic->error) == -1 ? ENGINE_FAILED :
		    ENGINE_UNVERIFIED;
	}
	tasks = node_getv(eh->desired, FAILSAFE_KIND, "tasks", NULL);
	if (tasks == NULL || tasks->npairs == 0)
		return;
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (ic->result != ENGINE_PENDING || ic->class != ENGINE_WINDOW ||
		    !failsafe_change_enables(ic->change))
			continue;
		if (cause == NULL && fe_armed(ctx, eh, &cause) == 0)
			return;
		ic->result = ENGINE_FAILED;
		ic->error = xasprintf("not applied: the host's fail-safe is not "
		    "armed: %s", cause);
	}
	free(cause);
}

/* Each removed task re-read as gone; eh->verified gets the re-read. */
static void
fe_disarm_verify(struct state_ctx *ctx, struct engine_host *eh)
{
	const struct state_ops *ops = state_find(FAILSAFE_KIND);
	const struct node *want = node_get(eh->desired, FAILSAFE_KIND);
	struct changes left = CHANGES_INIT;
	struct engine_change *ic;
	struct node *now = NULL;
	char *cause = NULL;
	size_t i, j;

	if (ops->read(ctx, want, &now, &cause) == -1 ||
	    ops->diff(want, now, ctx->now, &left, &cause) == -1) {
		node_free(now);
		now = NULL;
	}
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (!failsafe_is_disarm(ic->change) ||
		    ic->result != ENGINE_UNVERIFIED)
			continue;
		for (j = 0; now != NULL && j < left.n; j++)
			if (strcmp(left.v[j].path, ic->change->path) == 0)
				break;
		if (now != NULL && j == left.n)
			ic->result = ENGINE_VERIFIED;
		else
			ic->error = now != NULL ? xstrdup("re-read after apply "
			    "still differs") : xasprintf("could not verify: %s",
			    cause);
	}
	if (now != NULL)
		node_map_set(eh->verified, FAILSAFE_KIND, now);
	changes_clear(&left);
	free(cause);
}

/*
 * Fail-safes are removed last, once the revert they guard is verified: a
 * task stays while a CredSSP change failed or anything its window turned
 * on is still on.
 */
void
failsafe_disarm(struct engine_host *eh, const struct model *m,
    struct state_ctx *ctx)
{
	const struct state_ops *ops = state_find(FAILSAFE_KIND);
	struct engine_change *ic;
	size_t i;
	int reverted = eh->verified != NULL, any = 0;

	for (i = 0; i < eh->changes.n; i++)
		if (strcmp(eh->info[i].change->kind, "credssp") == 0 &&
		    eh->info[i].result != ENGINE_VERIFIED)
			reverted = 0;
	for (i = 0; i < eh->changes.n; i++) {
		ic = &eh->info[i];
		if (!failsafe_is_disarm(ic->change) ||
		    ic->result != ENGINE_PENDING)
			continue;
		if (!reverted || !failsafe_may_disarm(m, eh->host, ctx->now,
		    ic->change, eh->verified)) {
			free(ic->change->note);
			ic->change->note = xstrdup("kept until what its window "
			    "turned on is verified off");
			continue;
		}
		ic->result = ops->apply(ctx, ic->change, node_get(eh->observed,
		    FAILSAFE_KIND), &ic->error) == -1 ? ENGINE_FAILED :
		    ENGINE_UNVERIFIED;
		any = 1;
	}
	if (any)
		fe_disarm_verify(ctx, eh);
}

/* What ended windows left on, from the freshest state there is. */
void
failsafe_host_overdue(struct engine_host *eh, const struct model *m,
    const struct engine_opts *o)
{
	const struct node *state;
	int current;

	state = eh->verified != NULL ? eh->verified : eh->observed;
	current = state != NULL;
	if (state == NULL && o->last != NULL)
		state = o->last(o->last_arg, eh->host->name);
	eh->overdue = failsafe_overdue(m, eh->host, o->at, state, current);
}
