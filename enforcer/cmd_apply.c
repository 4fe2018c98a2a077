/*
 * cmd_apply.c: enforcer plan PATH (online) and enforcer apply PATH.  Both
 * share this file: apply is plan followed by writes, and the code path is
 * the same up to the first write.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "desired.h"
#include "engine.h"
#include "lock.h"
#include "record.h"
#include "report.h"
#include "timeparse.h"

struct run_args {
	int		 apply;
	int		 json;
	int		 wait;
	struct engine_opts eo;
	struct desired_src src;
};

static void
run_usage(FILE *fp, int apply)
{
	const char *verb = apply ? "apply" : "plan";

	fprintf(fp,
	    "usage: %s %s [--parallel N] [--hosts GLOB] [--json] [--no-wait]\n"
	    "       %*s [--at TIME] [--history DIR] PATH\n"
	    "       %s %s [options] --repo PATH_OR_URL --ref REF\n"
	    "       %*s [--require-signed KEYRING] [--cache DIR]\n\n"
	    "%s\n\n"
	    "  --parallel N   hosts handled at once (default 16)\n"
	    "  --hosts GLOB   only hosts whose name or group matches GLOB\n"
	    "  --json         machine-readable report (docs/json.md)\n"
	    "  --no-wait      fail at once if another run holds the lock\n"
	    "  --at TIME      evaluate windows at TIME (RFC 3339) instead of now,\n"
	    "                 for rehearsals against a simulated fleet\n"
	    "  --history DIR  the history repository (default: $ENFORCER_HISTORY,\n"
	    "                 else branch enforcer/history of PATH's git repository)\n"
	    "  --repo R --ref REF  the desired state of commit REF of repository R\n"
	    "                 (a local repository or a URL), without a work tree\n"
	    "  --require-signed KEYRING  only a commit signed by a key of KEYRING\n"
	    "  --cache DIR    where a URL is cloned (default ~/.cache/enforcer/git)\n"
	    "%s"
	    "\nexit status: 0 in sync%s, 1 error%s,\n"
	    "2 changes pending%s, 3 some hosts failed\n",
	    cmd_progname, verb, (int)(strlen(cmd_progname) + strlen(verb)), "",
	    cmd_progname, verb, (int)(strlen(cmd_progname) + strlen(verb)), "",
	    apply ? "Read every host, diff against the desired state, apply "
	    "the changes in a safe\norder and verify each by reading it back." :
	    "Read every host and show what apply would change.",
	    apply ? "" : "  --offline      print each host's effective desired "
	    "state; contact no host\n",
	    apply ? " (all changes verified and recorded)" : "",
	    apply ? "\n(also when what was applied could not be recorded)" : "",
	    apply ? " (GPO-owned or needing a person)" : "");
}

int
cmd_run_option(int ch, const char *arg, struct engine_opts *eo,
    struct desired_src *src, int *wait, char **cause)
{
	char *end;
	long v;

	switch (ch) {
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno != 0 || *end != '\0' || v < 1 || v > 4096)
			return cause_set(cause, "--parallel: '%s' is not a "
			    "number from 1 to 4096", arg);
		eo->parallel = (int)v;
		return 1;
	case 'n':
		*wait = 0;
		return 1;
	case 'a':
		if (timeparse_rfc3339(arg, &eo->at, cause) == -1)
			return cause_prefix(cause, "--at");
		return 1;
	case 'y':
		src->history_dir = arg;
		return 1;
	case 'r':
		src->repo = arg;
		return 1;
	case 'f':
		src->ref = arg;
		return 1;
	case 's':
		src->keyring = arg;
		return 1;
	case 'c':
		src->cache_dir = arg;
		return 1;
	}
	return 0;
}

static int
run_parse(struct run_args *a, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "parallel", required_argument, NULL, 'p' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "at", required_argument, NULL, 'a' },
		{ "history", required_argument, NULL, 'y' },
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "require-signed", required_argument, NULL, 's' },
		{ "cache", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if ((rc = cmd_run_option(ch, optarg, &a->eo, &a->src, &a->wait,
		    cause)) == -1)
			return -1;
		if (rc == 1)
			continue;
		switch (ch) {
		case 'H':
			a->eo.hosts_glob = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'h':
			run_usage(stdout, a->apply);
			exit(EXIT_OK);
		default:
			run_usage(stderr, a->apply);
			return cause_set(cause, "bad usage");
		}
	}
	if (optind < argc - 1) {
		run_usage(stderr, a->apply);
		return cause_set(cause, "expected one PATH");
	}
	a->src.path = optind < argc ? argv[optind] : NULL;
	return desired_src_check(&a->src, cause);
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

static int
run_exit(const struct engine_run *run, int apply)
{
	struct engine_totals t;

	engine_totals(run, &t);
	if (t.failed > 0 || t.failed_changes > 0)
		return EXIT_HOSTS;
	if (t.pending > 0 || t.reported > 0)
		return EXIT_PENDING;
	return EXIT_OK;
}

/*
 * What a run needs beside the engine: its history (required to apply,
 * optional to plan) and, from it, each host's last recorded state.
 */
struct run_ctx {
	struct history		*hist;
	struct record_last	*last;
	struct runlock		*lock;
};

/* A plan goes on without history: it only classifies changes worse. */
static void
run_no_history(const char *verb, char **cause)
{
	fprintf(stderr, "%s: %s: warning: %s; changes are classified without "
	    "history\n", cmd_progname, verb, *cause);
	free(*cause);
	*cause = NULL;
}

/*
 * History before lock: opening may create it, and runs sharing a fetched
 * desired state lock at their history.  Last states under the lock.
 */
static int
run_prepare(struct run_ctx *rc, struct run_args *a, const struct desired *d,
    char **cause)
{
	const char *verb = a->apply ? "apply" : "plan";
	char *lockpath;
	int err;

	if (desired_history(&rc->hist, &a->src, a->apply, cause) == -1) {
		if (a->apply)
			return -1;
		run_no_history(verb, cause);
	}
	if (a->apply) {
		lockpath = desired_lock_path(&a->src);
		err = lock_acquire(&rc->lock, lockpath, a->wait, cause);
		free(lockpath);
		if (err == -1)
			return -1;
	}
	if (rc->hist != NULL) {
		record_add_secrets(rc->hist, d->m);
		desired_add_secrets(rc->hist, &a->src);
	}
	if (record_last_load(&rc->last, rc->hist, d->m, a->eo.hosts_glob,
	    cause) == -1) {
		if (a->apply)
			return -1;
		run_no_history(verb, cause);
		if (record_last_load(&rc->last, NULL, d->m, NULL, cause) == -1)
			return -1;
	}
	a->eo.last = record_last_get;
	a->eo.last_arg = rc->last;
	return 0;
}

/*
 * What was applied stays applied when it cannot be recorded: say so; the
 * next run finds the hosts changed and records a drift commit.
 */
static int
run_record(struct run_ctx *rc, const struct engine_run *run,
    const struct desired *d, int json)
{
	struct record_info ri;
	char *cause = NULL;

	ri.verb = "apply";
	ri.desired = d->where;
	ri.commit = d->commit[0] != '\0' ? d->commit : NULL;
	if (record_run(rc->hist, run, d->m, &ri, &cause) == -1) {
		fprintf(stderr, "%s: apply: %s: what was applied is not "
		    "recorded; the next run records it as drift\n",
		    cmd_progname, cause);
		free(cause);
		return -1;
	}
	if (!json)
		printf("recorded run %s in %s\n", run->id,
		    history_where(rc->hist));
	return 0;
}

int
cmd_run_engine(int apply, int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct run_args a;
	struct run_ctx rc;
	struct engine_run run;
	struct desired d;
	struct buf out = BUF_INIT;
	char *cause = NULL;
	size_t i;
	int code = EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	memset(&rc, 0, sizeof(rc));
	memset(&d, 0, sizeof(d));
	a.apply = apply;
	a.wait = 1;
	a.eo.apply = apply;
	a.eo.parallel = 16;
	a.eo.at = time(NULL);
	if (run_parse(&a, argc, argv, &cause) == -1)
		goto out;
	if (desired_load(&d, &a.src, &errs) == -1) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		goto out;
	}
	if (run_prepare(&rc, &a, &d, &cause) == -1)
		goto out;
	a.eo.progress = !a.json && isatty(STDERR_FILENO) && d.m->nhosts > 1;
	run_catch_signals();
	if (engine_run(&run, d.m, &a.eo, &cause) == -1)
		goto out;
	if (a.json)
		report_json(&out, &run, apply ? "apply" : "plan");
	else
		report_text(&out, &run, apply ? "apply" : "plan");
	fputs(buf_cstr(&out), stdout);
	fflush(stdout);		/* shown even if recording waits for a lock */
	code = run_exit(&run, apply);
	if (apply && run_record(&rc, &run, &d, a.json) == -1)
		code = EXIT_ERROR;
	engine_run_release(&run);
out:
	if (cause != NULL)
		fprintf(stderr, "%s: %s: %s\n", cmd_progname,
		    apply ? "apply" : "plan", cause);
	free(cause);
	buf_release(&out);
	record_last_free(rc.last);
	lock_release(rc.lock);
	history_free(rc.hist);
	desired_release(&d);
	errors_clear(&errs);
	return code;
}

int
cmd_apply(int argc, char **argv)
{
	return cmd_run_engine(1, argc, argv);
}
