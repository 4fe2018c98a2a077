/*
 * cmd_revert.c: enforcer revert [--dry-run] RUN [PATH]: put back what a
 * recorded run changed, as a new recorded run (verb "revert").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "desired.h"
#include "lock.h"
#include "record.h"
#include "report.h"
#include "revert.h"
#include "window_failsafe.h"

struct revert_args {
	int			 dry_run;
	int			 wait;
	const char		*run_id;
	struct engine_opts	 eo;
	struct desired_src	 src;
};

static void
revert_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: %s revert [--dry-run] [--history DIR] [--parallel N]"
	    " [--no-wait]\n"
	    "       [--at TIME] RUN PATH\n"
	    "       %s revert [options] --repo PATH_OR_URL --ref REF\n"
	    "       [--require-signed KEYRING] [--cache DIR] RUN\n\n"
	    "Put every host that run RUN changed back to the state recorded"
	    " before RUN,\nfor exactly the properties RUN changed; apply,"
	    " verify and record it as a new\nrun. CredSSP is never turned"
	    " back on outside a window active for the host.\nPATH (or --repo)"
	    " is the desired state: how to reach the hosts, and its windows.\n"
	    "\n"
	    "  --dry-run      show what revert would change; change nothing\n"
	    "  --history DIR  the history repository (as for apply)\n"
	    "  --parallel N   hosts handled at once (default 16)\n"
	    "  --no-wait      fail at once if another run holds the lock\n"
	    "  --at TIME      the instant at which windows are evaluated\n"
	    "\nexit status: 0 reverted (or nothing to revert), 1 error,"
	    " 2 some part refused or\nnot restored (--dry-run: changes"
	    " pending), 3 some hosts failed\n", cmd_progname, cmd_progname);
}

static int
revert_parse(struct revert_args *a, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'd' },
		{ "history", required_argument, NULL, 'y' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "at", required_argument, NULL, 'a' },
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
		case 'd':
			a->dry_run = 1;
			break;
		case 'h':
			revert_usage(stdout);
			exit(EXIT_OK);
		default:
			revert_usage(stderr);
			return cause_set(cause, "bad usage");
		}
	}
	if (optind >= argc || argc - optind > 2) {
		revert_usage(stderr);
		return cause_set(cause, "expected RUN and PATH");
	}
	a->run_id = argv[optind];
	a->src.path = optind + 1 < argc ? argv[optind + 1] : NULL;
	return desired_src_check(&a->src, cause);
}

/* Refused parts and notes, after the engine's report. */
static void
revert_print_notes(const struct revert_plan *p, int dry_run)
{
	size_t i;

	for (i = 0; i < p->notes.n; i++)
		printf("note: %s\n", p->notes.msg[i]);
	for (i = 0; i < p->refused.n; i++)
		printf("%s: %s\n", dry_run ? "would not revert" : "not reverted",
		    p->refused.msg[i]);
}

static int
revert_exit(const struct engine_run *run, const struct revert_plan *p,
    int dry_run)
{
	struct engine_totals t;

	engine_totals(run, &t);
	if (t.failed > 0 || t.failed_changes > 0)
		return EXIT_HOSTS;
	if (p->refused.n > 0 || t.reported > 0 || (dry_run && t.pending > 0))
		return EXIT_PENDING;
	return EXIT_OK;
}

static int
revert_record(struct history *h, const struct engine_run *run,
    const struct desired *d)
{
	struct record_info ri;
	char *cause = NULL;

	ri.verb = "revert";
	ri.desired = d->where;
	ri.commit = d->commit[0] != '\0' ? d->commit : NULL;
	if (record_run(h, run, d->m, &ri, &cause) == -1) {
		fprintf(stderr, "%s: revert: %s: what was applied is not "
		    "recorded; the next run records it as drift\n",
		    cmd_progname, cause);
		free(cause);
		return -1;
	}
	printf("recorded run %s in %s\n", run->id, history_where(h));
	return 0;
}

/* Plan, run and report; the history is open and the lock held. */
static int
revert_run(struct revert_args *a, struct history *h, const struct desired *d,
    char **cause)
{
	struct revert_plan p;
	struct engine_run run;
	struct buf out = BUF_INIT;
	int code = EXIT_ERROR;

	memset(&run, 0, sizeof(run));
	if (revert_plan(&p, h, d->m, a->run_id, a->eo.at, cause) == -1)
		goto out;
	if (p.nhosts == 0) {
		printf("revert %s: %s\n", a->run_id, p.nchanges == 0 ?
		    "the run changed nothing" : "nothing left to revert");
		revert_print_notes(&p, a->dry_run);
		code = p.refused.n > 0 ? EXIT_PENDING : EXIT_OK;
		goto out;
	}
	a->eo.progress = isatty(STDERR_FILENO) && p.nhosts > 1;
	if (engine_run_targets(&run, d->m, &a->eo, p.targets, p.nhosts,
	    cause) == -1)
		goto out;
	revert_relabel(&p, &run);
	if (!a->dry_run)
		revert_check(&p, &run);
	printf("revert %s%s\n", a->run_id, a->dry_run ? " (dry run: nothing "
	    "is changed)" : "");
	report_text(&out, &run, a->dry_run ? "plan" : "revert");
	fputs(buf_cstr(&out), stdout);
	revert_print_notes(&p, a->dry_run);
	code = revert_exit(&run, &p, a->dry_run);
	if (!a->dry_run && revert_record(h, &run, d) == -1)
		code = EXIT_ERROR;
out:
	engine_run_release(&run);
	revert_plan_release(&p);
	buf_release(&out);
	return code;
}

int
cmd_revert(int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct revert_args a;
	struct history *h = NULL;
	struct runlock *lock = NULL;
	struct desired d;
	char *cause = NULL, *lockpath = NULL;
	size_t i;
	int code = EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	memset(&d, 0, sizeof(d));
	a.wait = 1;
	a.eo.parallel = 16;
	a.eo.guard = &window_guard;
	a.eo.at = time(NULL);
	if (revert_parse(&a, argc, argv, &cause) == -1)
		goto out;
	a.eo.apply = !a.dry_run;
	if (desired_load(&d, &a.src, &errs) == -1) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		goto out;
	}
	/* Only a revert that changes hosts may create the history. */
	if (desired_history(&h, &a.src, !a.dry_run, &cause) == -1)
		goto out;
	if (h == NULL) {
		cause_set(&cause, "no history to read run '%s' from",
		    a.run_id);
		goto out;
	}
	if (!a.dry_run) {
		lockpath = desired_lock_path(&a.src);
		if (lock_acquire(&lock, lockpath, a.wait, &cause) == -1)
			goto out;
	}
	record_add_secrets(h, d.m);
	desired_add_secrets(h, &a.src);
	code = revert_run(&a, h, &d, &cause);
out:
	if (cause != NULL)
		fprintf(stderr, "%s: revert: %s\n", cmd_progname, cause);
	free(cause);
	free(lockpath);
	lock_release(lock);
	history_free(h);
	desired_release(&d);
	errors_clear(&errs);
	return code;
}
