/*
 * revert.h: `enforcer revert RUN`: put every host that RUN changed back
 * to the state recorded before RUN, for exactly the paths RUN changed,
 * through the engine (plan, apply, verify) like any other run.
 *
 * The desired tree of a host is its effective desired state now (so the
 * engine reads the same kinds as apply, and records a whole state),
 * overlaid at each reverted path with the value from before RUN, shaped
 * by the kind's revert hook (states/state.h).  A list is a delta: only the
 * items RUN added (removed again) and removed (added back) change, never
 * the rest of the list (an item a later run added stays).  The engine keeps
 * only changes on those paths.
 *
 * Policy: a revert never turns CredSSP back on (credssp.*.enabled -> true,
 * delegation entries added back) unless a window active now targets the
 * host's CredSSP; that part is refused, with what to do instead.
 */
#ifndef ENFORCER_REVERT_H
#define ENFORCER_REVERT_H

#include <time.h>

#include "engine.h"
#include "history.h"

/* One host to revert.  Owned by the plan. */
struct revert_host {
	const struct model_host	 *host;
	struct node		 *desired;
	const char		**paths;	/* RUN's paths to put back */
	size_t			  npaths;
	const struct node	 *before;	/* the host before RUN */
	struct node		 *deltas;	/* list paths -> {added, removed}:
						   the items RUN changed */
};

/*
 * What revert_plan() found: hosts to run, and notes for the user, one
 * line each ("HOST: PATH: ...").  Owns everything: revert_plan_release().
 */
struct revert_plan {
	char			 run_id[64];
	struct revert_host	*hosts;
	size_t			  nhosts;
	struct engine_target	*targets;	/* for engine_run_targets() */
	size_t			  nchanges;	/* RUN's changes */
	struct errors		  refused;	/* parts not reverted, and why */
	struct errors		  notes;	/* worth knowing, not failures */
	struct history_log	 *log;		/* RUN as history_show() read it */
};

/* revert.c */

/*
 * Plan the revert of run_id with the desired state m (for connections and
 * to tell whether a window is active at instant at).  Fails when the run
 * cannot be read; a host that cannot be reverted is a refused line.
 */
int revert_plan(struct revert_plan *out, struct history *h,
    const struct model *m, const char *run_id, time_t at, char **cause);
void revert_plan_release(struct revert_plan *);

/*
 * After the run: every reverted change becomes intentional, with the
 * reason "revert of run ID"; then each path whose value read back from the
 * host is not the one from before RUN (for a list: an item RUN added still
 * there, or one it removed still missing) is added to refused ("not
 * restored").  run is engine_run_targets()'s over p->targets.
 */
void revert_relabel(const struct revert_plan *, struct engine_run *run);
void revert_check(struct revert_plan *, const struct engine_run *run);

#endif
