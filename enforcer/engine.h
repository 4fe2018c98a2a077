/*
 * engine.h: plan and apply.  For every selected host, in parallel (a
 * bounded pool of threads, one host per thread at a time):
 *
 *	effective desired state at the run's instant  (model_effective)
 *	-> read each kind's actual state               (state_ops.read)
 *	-> diff into changes, each with its reason      (state_ops.diff)
 *	-> [apply] changes in a safe order               (state_ops.apply)
 *	-> [apply] re-read and diff again: verify
 *
 * A guard (struct engine_guard, installed by the caller) adds rules that
 * span kinds at fixed points of that path: the fail-safe of CredSSP
 * windows is one (window_guard.c).
 *
 * One failing host never stops the others: its cause is kept in its
 * result.  The engine prints nothing; report.c renders a run.
 */
#ifndef ENFORCER_ENGINE_H
#define ENFORCER_ENGINE_H

#include <time.h>

#include "model.h"
#include "node.h"
#include "shard.h"
#include "state.h"

enum engine_class {		/* why a change is made (history's classes) */
	ENGINE_INTENTIONAL,	/* the desired state changed */
	ENGINE_CORRECTIVE,	/* drift repaired */
	ENGINE_WINDOW,		/* a window opened */
	ENGINE_EXPIRY,		/* a window ended */
};

enum engine_result {
	ENGINE_PENDING,		/* planned, not applied (plan, or skipped) */
	ENGINE_VERIFIED,	/* applied and re-read as desired */
	ENGINE_FAILED,		/* apply failed */
	ENGINE_UNVERIFIED,	/* applied but the re-read still differs */
	ENGINE_REPORTED,	/* GPO-owned or needs a person: not applied */
};

/* What the engine knows about one change beyond the module's diff. */
struct engine_change {
	struct change		*change;	/* in host->changes */
	enum engine_class	 class;
	char			*reason;	/* "policy hci-nodes", ... */
	const char		*window;	/* window name or NULL */
	time_t			 until;		/* window end, or 0 */
	enum engine_result	 result;
	char			*error;		/* apply failure, or NULL */
	int			 held;		/* CHANGE_LAST kept back by the
						   guard: left pending */
};

struct engine_host {
	const struct model_host	*host;
	struct node		*desired;	/* effective, per kind */
	struct node		*observed;	/* kind -> observed tree */
	struct node		*verified;	/* after apply, or NULL */
	struct changes		 changes;
	struct engine_change	*info;		/* one per change */
	char			*error;		/* one line if the host failed */
	char			*overdue;	/* what ended windows left on, or
						   NULL (set by the guard) */
	char			*observed_text;	/* ENGINE_KEEP_TEXT: observed */
	char			*verified_text;	/* and verified as node_emit()
						   text with sorted keys, once
						   the host is done */
	int			 tls_unverified;
	char			*repaired_via;	/* why the host was reached over
						   its HTTP listener, or NULL */
	long			 ms_read;
	long			 ms_apply;
	long			 ms_total;
};

/*
 * Optional: the last recorded state of a host (history), to tell drift
 * (corrective) from a changed desired state (intentional).  Called from the
 * host's worker thread, only for a host with changes to classify (and by a
 * guard), so a run holds the last states of the hosts in flight only, not
 * of the fleet.  *out is the caller's (node_free), NULL when the host was
 * never recorded.  Returns 0, or -1 with a cause naming the host.
 */
typedef int (*engine_last_fn)(void *arg, const char *host, struct node **out,
    char **cause);

/*
 * What the history knows that classifies a change (docs/history.md,
 * "Classes").  Strings are borrowed from the callback's owner.
 */
struct engine_fact {
	int		 desired;	/* 1: the desired-state commit is the
					   one of the host's last record (both
					   clean), 0: it changed, -1: unknown */
	int		 known;		/* a change on the path was recorded;
					   then the last one's: */
	enum engine_class class;
	const char	*verb;		/* "apply", "revert", ... */
	const char	*window;	/* or NULL */
	const char	*run_id;
	int		 verified;
};

/*
 * Optional: fill *out for host's path from the history; called from the
 * hosts' threads (only reads what was loaded before the run).
 */
typedef void (*engine_fact_fn)(void *arg, const char *host, const char *path,
    struct engine_fact *out);

/*
 * Optional, apply only: called once for a host about to be written, after
 * its read, diff and classification and before its first write, from the
 * host's worker thread (so it must be thread-safe).  The history commits
 * the host's observed state and the changes about to be made here, so
 * that a run killed while writing leaves its drift and intent behind.
 * Returns 0, or -1 with a cause: the host is then not written at all.
 */
struct engine_run;
typedef int (*engine_before_write_fn)(void *arg, const struct engine_run *,
    const struct engine_host *, char **cause);

struct engine_opts;

/*
 * Steps the engine runs at fixed points of each host, for a rule that
 * spans kinds: the CredSSP windows' fail-safe (window_guard.c), which must
 * be armed and read back before a window turns CredSSP on and removed only
 * once the revert is verified.  Every member is set.  Called from the
 * host's worker thread; a guard keeps its state in eh.  at is the run's
 * instant (ctx->now).
 */
struct engine_guard {
	/*
	 * Before the read: may add to eh->desired what the model implies for
	 * the host without saying it (what a window's CredSSP reverts to).
	 */
	void	(*before_read)(struct engine_host *eh, const struct model *,
		    time_t at);
	/*
	 * After the read, before the diff: kinds added to eh->desired,
	 * computed from what was read; the engine reads them in turn.
	 */
	int	(*after_read)(struct engine_host *eh, const struct model *,
		    time_t at, char **cause);
	/* Class and reason of a change it knows (1), or 0: the engine's. */
	int	(*classify)(const struct model *, time_t at,
		    struct engine_change *);
	/*
	 * apply: after the CHANGE_FIRST changes, before any other: may fail
	 * pending changes (result and error) that must not go.
	 */
	void	(*after_first)(struct engine_host *eh, struct state_ctx *);
	/*
	 * apply: after the other changes are verified (eh->verified), before
	 * the CHANGE_LAST ones: may keep some back (held, with a note).
	 */
	void	(*after_verify)(struct engine_host *eh, const struct model *,
		    time_t at);
	/* Last, whether the host failed or not (eh->overdue). */
	void	(*finish)(struct engine_host *eh, const struct model *,
		    const struct engine_opts *);
};

/*
 * What a run keeps of a host once it is done.  A fleet's trees held until
 * the report were most of a run's memory (docs/performance.md, "Memory of
 * a fleet run"): a caller that reads only the changes and the report's
 * fields drops them.
 */
enum engine_keep {
	ENGINE_KEEP_TREES,	/* desired, observed, verified (default) */
	ENGINE_KEEP_TEXT,	/* observed and verified as text only (what
				   the history records); change->desired
				   becomes NULL */
	ENGINE_KEEP_NONE,	/* no state at all (a plan reports only) */
};

struct engine_opts {
	int		 apply;		/* 0: plan only */
	int		 parallel;	/* hosts at once (>= 1) */
	unsigned	 connections;	/* per host: 1, one connection, the
					   kinds read in turn; more, the
					   kinds at once on up to that many
					   each; 0: 1 when there are more
					   hosts than parallel, else
					   WSMAN_MAX_CONNECTIONS (6) */
	const char	*hosts_glob;	/* NULL: every host */
	struct shard	 shard;		/* count 0: every host; else only
					   this shard's (shard.h), and an
					   empty selection is no error */
	time_t		 at;		/* the run's instant */
	int		 progress;	/* progress line on stderr */
	engine_last_fn	 last;		/* may be NULL */
	engine_fact_fn	 fact;		/* may be NULL; gets last_arg */
	void		*last_arg;
	engine_before_write_fn before_write; /* may be NULL */
	void		*write_arg;
	const struct engine_guard *guard; /* may be NULL; borrowed */
	enum engine_keep keep;
};

struct engine_run {
	char			 id[40];	/* 20261125T093000Z-1a2b3c */
	time_t			 at;
	struct timespec		 started;
	struct timespec		 finished;
	struct engine_host	*hosts;		/* selected hosts, model order */
	size_t			 nhosts;
	struct shard		 shard;		/* as in engine_opts */
	size_t			 shard_hosts;	/* hosts of the model in it */
	size_t			 fleet_hosts;	/* hosts of the model */
	unsigned		 reading;	/* hosts being read and diffed
						   now (__atomic): the history
						   waits for them to batch
						   intent commits */
};

/*
 * One host of engine_run_targets(): its desired state given explicitly
 * instead of model_effective() (revert), and the change paths to act on.
 */
struct engine_target {
	const struct model_host	 *host;
	const struct node	 *desired;	/* kind -> tree; copied */
	const char		**paths;	/* only changes on these paths
						   are kept; NULL: all */
	size_t			  npaths;
};

/*
 * Run plan or apply over m.  Fails only when nothing could be attempted
 * (no host matches, bad options); per-host failures are in the result.
 * run must be released with engine_run_release().
 */
int engine_run(struct engine_run *run, const struct model *m,
    const struct engine_opts *, char **cause);
void engine_run_release(struct engine_run *);

/*
 * The same over n explicit targets, in that order (run->hosts[i] is
 * targets[i]); o->hosts_glob is ignored.  Reads what each target's desired
 * tree names, diffs, drops changes on other paths, then applies and
 * verifies as engine_run() does.
 */
int engine_run_targets(struct engine_run *run, const struct model *m,
    const struct engine_opts *, const struct engine_target *targets,
    size_t n, char **cause);

/*
 * Ask a running engine to stop at the next safe point: no new host is
 * started and no further change applied; changes already sent are still
 * verified and reported, so nothing applied goes unrecorded.  Safe to call
 * from a signal handler.
 */
void engine_interrupt(void);
int engine_interrupted(void);

/*
 * The engine's pool, which runs every host of engine_run() and serves
 * verbs that work on hosts outside one (restart-winrm): fn(arg, i) for
 * each i < n on at most parallel threads at once, in order of i.  After
 * engine_interrupt(), no new i is started: skip(arg, i) is called for it
 * instead.  With progress, a line "PROGRESS done/n hosts" on stderr
 * while it runs.  Returns when every call has returned.
 */
typedef void engine_each_fn(void *arg, size_t i);
void engine_each(size_t n, int parallel, const char *progress,
    engine_each_fn *fn, engine_each_fn *skip, void *arg);

/*
 * The connection options plan and apply use for host h, for verbs that
 * talk to a host outside a run (restart-winrm).  *pw holds the password
 * wo->password points to, or NULL: release it with secret_free() after
 * the last client made from wo.
 */
struct wsman_opts;
int engine_wsman_opts(const struct model_host *h, struct wsman_opts *wo,
    char **pw, char **cause);

/* Counts over a run, for summaries and exit codes. */
struct engine_totals {
	size_t	hosts, in_sync, changed, failed;
	size_t	pending, verified, failed_changes, reported;
};
void engine_totals(const struct engine_run *, struct engine_totals *);

const char *engine_class_name(enum engine_class);
const char *engine_result_name(enum engine_result);

#endif
