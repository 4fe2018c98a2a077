/*
 * run.c: the pipeline every verb that contacts hosts goes through: desired
 * state, history, lock, secrets, last states, signals, engine, report,
 * record, exit code.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lock.h"
#include "metrics.h"
#include "report.h"
#include "run.h"
#include "window_failsafe.h"

void
run_opts_init(struct run_opts *o, const char *verb)
{
	memset(o, 0, sizeof(*o));
	o->verb = verb;
	o->wait = 1;
	o->eo.parallel = 16;
	o->eo.at = time(NULL);
	/* Every run honours the windows' host-side fail-safe. */
	o->eo.guard = &window_guard;
}

void
run_opts_plan(struct run_opts *o, int apply)
{
	run_opts_init(o, apply ? "apply" : "plan");
	o->eo.apply = apply;
	o->history = apply ? RUN_HISTORY_REQUIRED : RUN_HISTORY_OPTIONAL;
	o->lock = apply;
	o->last = 1;
	/* Their callers read a done host's changes, report and record only. */
	o->eo.keep = apply ? ENGINE_KEEP_TEXT : ENGINE_KEEP_NONE;
}

/*
 * First SIGINT/SIGTERM: stop at the next safe point (changes in flight are
 * verified and reported); a second one ends the process at once.
 */
static void
run_on_signal(int sig)
{
	static const char msg[] = "enforcer: interrupted: finishing the "
	    "changes in flight (signal again to abort)\n";

	if (engine_interrupted()) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	engine_interrupt();
	(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
}

static void
run_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* A plan goes on without history: it only classifies changes worse. */
static void
run_no_history(const struct run *r, char **cause)
{
	fprintf(stderr, "%s: %s: warning: %s; changes are classified without "
	    "history\n", cmd_progname, r->o.verb, *cause);
	free(*cause);
	*cause = NULL;
}

static int
run_open_history(struct run *r, char **cause)
{
	enum run_history how = r->o.history;

	if (how == RUN_HISTORY_NONE)
		return 0;
	if (desired_history(&r->hist, &r->o.src, how == RUN_HISTORY_REQUIRED,
	    cause) == 0)
		return 0;
	if (how != RUN_HISTORY_OPTIONAL)
		return -1;
	run_no_history(r, cause);
	return 0;
}

static int
run_open_last(struct run *r, char **cause)
{
	if (!r->o.last)
		return 0;
	if (record_last_load(&r->last, r->hist, r->d.m, r->o.eo.hosts_glob,
	    &r->o.eo.shard, &r->ri, cause) == 0) {
		/* Without history, classes rest on the model alone. */
		if (r->hist != NULL)
			r->o.eo.fact = record_fact_get;
	} else {
		if (r->o.history != RUN_HISTORY_OPTIONAL)
			return -1;
		run_no_history(r, cause);
		if (record_last_load(&r->last, NULL, r->d.m, NULL, NULL, NULL,
		    cause) == -1)
			return -1;
	}
	r->o.eo.last = record_last_get;
	r->o.eo.last_arg = r->last;
	return 0;
}

/*
 * History before lock: opening may create it, and runs sharing a fetched
 * desired state lock at their history.  Last states under the lock.
 */
int
run_open(struct run *r, const struct run_opts *o, struct errors *errs,
    char **cause)
{
	char *lockpath;
	int err;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	if (desired_load(&r->d, &r->o.src, errs) == -1)
		return -1;
	/*
	 * A policy for an inventory group with no host: said, not a stop;
	 * --quiet (cron) leaves them to validate.
	 */
	if (!r->o.warned && !r->o.quiet)
		cmd_errors(r->o.verb, &r->d.m->warnings, NULL);
	if (run_open_history(r, cause) == -1)
		return -1;
	r->ri.verb = r->o.verb;
	r->ri.desired = r->d.where;
	r->ri.commit = r->d.commit[0] != '\0' ? r->d.commit : NULL;
	r->ri.dirty = r->d.dirty;
	r->ri.operator = record_operator();
	if (r->o.lock) {
		lockpath = desired_lock_path(&r->o.src);
		err = lock_acquire(&r->lock, lockpath, r->o.wait, cause);
		free(lockpath);
		if (err == -1)
			return -1;
	}
	if (r->hist != NULL) {
		record_add_secrets(r->hist, r->d.m);
		desired_add_secrets(r->hist, &r->o.src);
	}
	if (run_open_last(r, cause) == -1)
		return -1;
	run_catch_signals();
	return 0;
}

int
run_engine(struct run *r, const struct engine_target *targets, size_t n,
    char **cause)
{
	size_t hosts = n > 0 ? n : r->d.m->nhosts;

	r->o.eo.progress = !r->o.json && isatty(STDERR_FILENO) && hosts > 1;
	if (r->o.eo.apply && r->hist != NULL) {
		record_writer_init(&r->writer, r->hist, r->d.m, &r->ri);
		r->o.eo.before_write = record_before_write;
		r->o.eo.write_arg = &r->writer;
	}
	if (n == 0)
		return engine_run(&r->er, r->d.m, &r->o.eo, cause);
	return engine_run_targets(&r->er, r->d.m, &r->o.eo, targets, n, cause);
}

void
run_report(const struct run *r, const char *as)
{
	struct buf out = BUF_INIT;

	if (r->o.json && r->o.json_sink != NULL) {
		report_json(r->o.json_sink, &r->er, as);
		return;
	}
	if (r->o.json)
		report_json(&out, &r->er, as);
	else
		report_text(&out, &r->er, as);
	fputs(buf_cstr(&out), stdout);
	fflush(stdout);		/* shown even if recording waits for a lock */
	buf_release(&out);
}

int
run_record(struct run *r, char **cause)
{
	char *why;
	int wrote;

	if (record_run(r->hist, &r->er, r->d.m, &r->ri, &wrote,
	    cause) == -1) {
		why = *cause;
		*cause = NULL;
		cause_set(cause, "%s: what was applied is not recorded; the "
		    "next run records it as drift", why);
		free(why);
		return -1;
	}
	if (r->o.json || r->o.quiet)
		return 0;
	if (wrote)
		printf("recorded run %s in %s\n", r->er.id,
		    history_where(r->hist));
	else
		printf("nothing new to record in %s\n",
		    history_where(r->hist));
	return 0;
}

int
run_exit_code(const struct run *r)
{
	struct engine_totals t;

	engine_totals(&r->er, &t);
	if (t.failed > 0 || t.failed_changes > 0)
		return EXIT_HOSTS;
	if (t.pending > 0 || t.reported > 0)
		return run_signal_exit(EXIT_PENDING);
	return run_signal_exit(EXIT_OK);
}

int
run_signal_exit(int code)
{
	if (!engine_interrupted() || code == EXIT_HOSTS || code == EXIT_ERROR)
		return code;
	return EXIT_SIGNAL;
}

void
run_release(struct run *r)
{
	engine_run_release(&r->er);
	record_writer_release(&r->writer);
	record_last_free(r->last);
	lock_release(r->lock);
	history_free(r->hist);
	desired_release(&r->d);
	memset(r, 0, sizeof(*r));
}

/*
 * After the run, whatever its outcome: a monitoring system must see a run
 * that failed early too.  A file that cannot be written is a warning: the
 * hosts were handled.
 */
static void
run_metrics(const struct run *r, int code)
{
	struct metrics_run mr;
	const char *path = r->o.metrics_file;
	char *cause = NULL;

	if (path == NULL && r->d.m != NULL)
		path = r->d.m->settings.metrics_file;
	if (path == NULL)
		return;
	memset(&mr, 0, sizeof(mr));
	mr.verb = r->o.verb;
	mr.exit_code = code;
	mr.finished = time(NULL);
	mr.er = r->er.hosts != NULL ? &r->er : NULL;
	mr.m = r->d.m;
	mr.at = r->o.eo.at;
	if (metrics_write(path, &mr, &cause) == -1) {
		fprintf(stderr, "%s: %s: warning: %s\n", cmd_progname,
		    r->o.verb, cause);
		free(cause);
	}
}

int
run_main(const struct run_opts *o)
{
	struct errors errs = ERRORS_INIT;
	struct run r;
	char *cause = NULL;
	int code = EXIT_ERROR;

	if (run_open(&r, o, &errs, &cause) == -1 ||
	    run_engine(&r, NULL, 0, &cause) == -1)
		goto out;
	code = run_exit_code(&r);
	/* --quiet (cron): nothing when all is well. */
	if (!o->quiet || code != EXIT_OK)
		run_report(&r, o->verb);
	if (o->eo.apply && run_record(&r, &cause) == -1)
		code = EXIT_ERROR;
out:
	cmd_errors(o->verb, &errs, cause);
	run_metrics(&r, code);
	free(cause);
	run_release(&r);
	errors_clear(&errs);
	return code;
}
