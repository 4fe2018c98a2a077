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
#include "engine.h"
#include "lock.h"
#include "report.h"

struct run_args {
	int		 apply;
	int		 json;
	int		 wait;
	struct engine_opts eo;
	const char	*path;
};

static void
run_usage(FILE *fp, int apply)
{
	const char *verb = apply ? "apply" : "plan";

	fprintf(fp,
	    "usage: %s %s [--parallel N] [--hosts GLOB] [--json] [--no-wait]\n"
	    "       %*s [--at TIME] PATH\n\n"
	    "%s\n\n"
	    "  --parallel N   hosts handled at once (default 16)\n"
	    "  --hosts GLOB   only hosts whose name or group matches GLOB\n"
	    "  --json         machine-readable report (docs/json.md)\n"
	    "  --no-wait      fail at once if another run holds the lock\n"
	    "  --at TIME      evaluate windows at TIME (RFC 3339) instead of now,\n"
	    "                 for rehearsals against a simulated fleet\n"
	    "%s"
	    "\nexit status: 0 in sync%s, 1 error, 2 changes pending%s,"
	    " 3 some hosts failed\n",
	    cmd_progname, verb, (int)(strlen(cmd_progname) + strlen(verb)), "",
	    apply ? "Read every host, diff against the desired state, apply "
	    "the changes in a safe\norder and verify each by reading it back." :
	    "Read every host and show what apply would change.",
	    apply ? "" : "  --offline      print each host's effective desired "
	    "state; contact no host\n",
	    apply ? " (all changes verified)" : "",
	    apply ? " (GPO-owned or needing a person)" : "");
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 4096)
				return cause_set(cause, "--parallel: '%s' is "
				    "not a number from 1 to 4096", optarg);
			a->eo.parallel = (int)v;
			break;
		case 'H':
			a->eo.hosts_glob = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'n':
			a->wait = 0;
			break;
		case 'a':
			if (timeparse_rfc3339(optarg, &a->eo.at, cause) == -1)
				return cause_prefix(cause, "--at");
			break;
		case 'h':
			run_usage(stdout, a->apply);
			exit(EXIT_OK);
		default:
			run_usage(stderr, a->apply);
			return cause_set(cause, "bad usage");
		}
	}
	if (optind != argc - 1) {
		run_usage(stderr, a->apply);
		return cause_set(cause, "expected one PATH");
	}
	a->path = argv[optind];
	return 0;
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

int
cmd_run_engine(int apply, int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct run_args a;
	struct engine_run run;
	struct runlock *lock = NULL;
	struct model *m = NULL;
	struct buf out = BUF_INIT;
	char *cause = NULL, *lockpath = NULL;
	size_t i;
	int rc = EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	a.apply = apply;
	a.wait = 1;
	a.eo.apply = apply;
	a.eo.parallel = 16;
	a.eo.at = time(NULL);
	if (run_parse(&a, argc, argv, &cause) == -1)
		goto out;
	if (model_load(&m, a.path, &errs) == -1) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		goto out;
	}
	/* Plans may run beside each other; applies never do. */
	if (apply) {
		lockpath = lock_path_for(a.path);
		if (lock_acquire(&lock, lockpath, a.wait, &cause) == -1)
			goto out;
	}
	a.eo.progress = !a.json && isatty(STDERR_FILENO) && m->nhosts > 1;
	run_catch_signals();
	if (engine_run(&run, m, &a.eo, &cause) == -1)
		goto out;
	if (a.json)
		report_json(&out, &run, apply ? "apply" : "plan");
	else
		report_text(&out, &run, apply ? "apply" : "plan");
	fputs(buf_cstr(&out), stdout);
	rc = run_exit(&run, apply);
	engine_run_release(&run);
out:
	if (cause != NULL)
		fprintf(stderr, "%s: %s: %s\n", cmd_progname,
		    apply ? "apply" : "plan", cause);
	free(cause);
	buf_release(&out);
	lock_release(lock);
	free(lockpath);
	model_free(m);
	errors_clear(&errs);
	return rc;
}

int
cmd_apply(int argc, char **argv)
{
	return cmd_run_engine(1, argc, argv);
}
