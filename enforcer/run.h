/*
 * run.h: the one pipeline of the verbs that contact hosts (plan, apply,
 * revert, window open/close/extend, restart-winrm).  A verb parses its
 * options into a struct run_opts, then:
 *
 *	run_open()	desired state, history, lock, secrets, last states,
 *			safe-point signal handling
 *	run_engine()	plan or apply over the selected hosts or targets
 *	run_report()	the report on stdout
 *	run_record()	the run into history (verbs that change hosts)
 *	run_exit_code()	the exit status of a plan or apply
 *	run_release()
 *
 * run_main() is all of it for plan and apply.
 *
 * run.c belongs to the CLI: it prints the report, the "recorded run" line
 * and warnings; failures come back as a cause for the verb to print.
 */
#ifndef ENFORCER_RUN_H
#define ENFORCER_RUN_H

#include "desired.h"
#include "engine.h"
#include "record.h"

struct runlock;

enum run_history {
	RUN_HISTORY_NONE,	/* not opened (restart-winrm) */
	RUN_HISTORY_OPTIONAL,	/* plan: opened when it exists; a problem
				   is a warning, changes are classified
				   without it */
	RUN_HISTORY_EXISTING,	/* revert --dry-run: opened when it exists,
				   never created */
	RUN_HISTORY_REQUIRED,	/* apply, revert: created on first use */
};

/* What a verb's options say.  Strings are borrowed (argv). */
struct run_opts {
	const char		*verb;	/* "apply", ...: messages, record */
	enum run_history	 history;
	int			 lock;	/* changes hosts: one run at a time */
	int			 wait;	/* wait for the lock (not --no-wait) */
	int			 last;	/* give the engine each host's last
					   recorded state */
	int			 json;	/* report as JSON */
	int			 quiet;	/* no report when the exit code is 0 */
	struct buf		*json_sink;	/* with json: the report is
					   appended here (one line), not
					   printed: a verb of several runs */
	int			 warned;	/* the desired state's warnings
					   were said already */
	const char		*metrics_file;	/* or settings.metrics_file */
	struct engine_opts	 eo;	/* apply, parallel, hosts_glob, at */
	const char		*shard_arg;	/* --shard I/N */
	unsigned		 shard_count;	/* --shards N */
	struct desired_src	 src;
};

/*
 * An open run.  Verbs read d, hist and er; run_release() frees them all.
 */
struct run {
	struct run_opts		 o;
	struct desired		 d;
	struct history		*hist;	/* NULL without one */
	struct record_last	*last;
	struct runlock		*lock;
	struct record_info	 ri;	/* what the history records */
	struct record_writer	 writer; /* intent commits (apply) */
	struct engine_run	 er;	/* after run_engine() */
};

/* run.c */

/* Defaults for verb: wait for the lock, 16 hosts at once, at now. */
void run_opts_init(struct run_opts *, const char *verb);

/*
 * The defaults of plan (apply 0: history optional, no lock) or apply
 * (history required, lock); both feed last states to the engine.
 */
void run_opts_plan(struct run_opts *, int apply);

/*
 * Load o->src's desired state (problems into errs; its warnings printed
 * unless o->warned or o->quiet), open its history as
 * o->history says, take the lock (o->lock), hand the history the secrets
 * to redact, load last states (o->last), and catch SIGINT and SIGTERM:
 * the first stops the engine at its next safe point (engine_interrupt()),
 * a second ends the process.  r is released with run_release(), also on
 * failure.
 */
int run_open(struct run *r, const struct run_opts *o, struct errors *errs,
    char **cause);

/*
 * Plan or apply (o->eo.apply) over the hosts o->eo.hosts_glob selects
 * (n == 0), or over n explicit targets (engine_run_targets()).  An apply
 * with a history records each host's observed state and intended changes
 * before its first write (record_before_write()).
 */
int run_engine(struct run *r, const struct engine_target *targets, size_t n,
    char **cause);

/*
 * Print r->er as text or JSON (into o->json_sink when set), reported as
 * verb as ("plan", "apply", ...).
 */
void run_report(const struct run *r, const char *as);

/*
 * Record r->er in the history as a run of o->verb and say where.  What
 * was applied stays applied when it cannot be recorded: the cause says
 * so; the next run records it as drift.
 */
int run_record(struct run *r, char **cause);

/*
 * 0 in sync, 2 changes pending or reported, 3 some hosts failed; then
 * run_signal_exit().
 */
int run_exit_code(const struct run *r);

/*
 * The exit status code becomes when a signal stopped the run: never 0 or
 * 2, which would tell a scheduler the run went through.  3 (hosts left
 * unhandled: not attempted, changes not applied) and 1 stay; anything
 * else becomes 130.
 */
int run_signal_exit(int code);

void run_release(struct run *r);

/*
 * The whole of a plan or an apply (o->eo.apply: recorded) over the hosts
 * o->eo.hosts_glob selects, every error printed as o->verb's.  Returns
 * the exit status.
 */
int run_main(const struct run_opts *o);

#endif
