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
#include "json.h"
#include "report.h"
#include "revert.h"
#include "run.h"

struct revert_args {
	int			 dry_run;
	const char		*run_id;
	struct run_opts		 o;
};

static void
cmd_revert_usage(FILE *fp, const void *arg)
{
	fprintf(fp,
	    "usage: %s revert [--dry-run] [--json] [--history DIR] [--parallel N]"
	    "\n       [--no-wait] [--at TIME] RUN [PATH]\n"
	    "       %s revert [options] --repo PATH_OR_URL --ref REF\n"
	    "       [--require-signed KEYRING] [--cache DIR] RUN\n\n"
	    "Put every host that run RUN changed back to the state recorded"
	    " before RUN,\nfor exactly the properties RUN changed; apply,"
	    " verify and record it as a new\nrun. CredSSP is never turned"
	    " back on outside a window active for the host.\nPATH (or --repo)"
	    " is the desired state: how to reach the hosts, and its windows.\n"
	    "\n"
	    "  --dry-run      show what revert would change; change nothing\n"
	    "  --json         the report as JSON (docs/json.md), with the run\n"
	    "                 reverted, notes and refused parts\n"
	    "  --history DIR  the history repository (as for apply)\n"
	    "  --parallel N   hosts handled at once (default 16)\n"
	    "  --no-wait      fail at once if another run holds the lock\n"
	    "  --at TIME      the instant at which windows are evaluated\n"
	    "\nexit status: 0 reverted (or nothing to revert), 1 error,"
	    " 2 some part refused or\nnot restored (--dry-run: changes"
	    " pending), 3 some hosts failed\n", cmd_progname, cmd_progname);
}

static int
cmd_revert_parse(struct revert_args *a, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'd' },
		CMD_OPT_JSON, CMD_OPTS_RUN, CMD_OPTS_SOURCE, CMD_OPTS_END,
	};
	const struct cmd_store store[] = {
		{ 'd', NULL, &a->dry_run },
		{ 0, NULL, NULL },
	};
	const struct cmd_parser p = { "revert", longopts, &a->o, store,
	    cmd_revert_usage, NULL, a };

	if (cmd_options(&p, argc, argv, cause) == -1)
		return -1;
	if (optind >= argc) {
		cmd_revert_usage(stderr, NULL);
		return cause_set(cause, "expected RUN and PATH");
	}
	a->run_id = argv[optind++];
	return cmd_options_path(&p, argc, argv, cause);
}

/* Refused parts and notes, after the engine's report. */
static void
cmd_revert_print_notes(const struct revert_plan *p, int dry_run)
{
	size_t i;

	for (i = 0; i < p->notes.n; i++)
		printf("note: %s\n", p->notes.msg[i]);
	for (i = 0; i < p->refused.n; i++)
		printf("%s: %s\n", dry_run ? "would not revert" : "not reverted",
		    p->refused.msg[i]);
}

/* What --json adds to the engine's report. */
struct cmd_revert_json {
	const struct revert_args	*a;
	const struct revert_plan	*p;
};

static void
cmd_revert_json_extra(struct json *j, const void *arg)
{
	const struct cmd_revert_json *x = arg;

	json_kv_string(j, "reverts", x->a->run_id);
	json_kv_bool(j, "dry_run", x->a->dry_run);
	json_kv_strings(j, "notes", (const char *const *)x->p->notes.msg,
	    x->p->notes.n);
	json_kv_strings(j, "refused", (const char *const *)x->p->refused.msg,
	    x->p->refused.n);
}

/* The report, then refused parts and notes (--json: all in one object). */
static void
cmd_revert_print(const struct revert_args *a, const struct revert_plan *p,
    const struct run *r)
{
	struct cmd_revert_json x = { a, p };
	struct buf out = BUF_INIT;

	if (a->o.json) {
		report_json_with(&out, &r->er, a->dry_run ? "plan" : "revert",
		    cmd_revert_json_extra, &x);
		fputs(buf_cstr(&out), stdout);
		fflush(stdout);
		buf_release(&out);
		return;
	}
	printf("revert %s%s\n", a->run_id, a->dry_run ? " (dry run: nothing "
	    "is changed)" : "");
	run_report(r, a->dry_run ? "plan" : "revert");
	cmd_revert_print_notes(p, a->dry_run);
}

static int
cmd_revert_exit(const struct engine_run *run, const struct revert_plan *p,
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

/* No host to revert: say why (--json: the report with no host). */
static void
cmd_revert_print_nothing(const struct revert_args *a,
    const struct revert_plan *p)
{
	struct cmd_revert_json x = { a, p };
	struct buf out = BUF_INIT;
	struct json j;

	if (!a->o.json) {
		printf("revert %s: %s\n", a->run_id, p->nchanges == 0 ?
		    "the run changed nothing" : "nothing left to revert");
		cmd_revert_print_notes(p, a->dry_run);
		return;
	}
	report_json_begin(&j, &out, a->dry_run ? "plan" : "revert");
	json_key(&j, "hosts");
	json_array_begin(&j);
	json_array_end(&j);
	cmd_revert_json_extra(&j, &x);
	json_object_end(&j);
	printf("%s\n", buf_cstr(&out));
	buf_release(&out);
}

/* Plan, run and report; the history is open and, to apply, the lock held. */
static int
cmd_revert_run(const struct revert_args *a, struct run *r, char **cause)
{
	struct revert_plan p;
	int code = EXIT_ERROR;

	if (revert_plan(&p, r->hist, r->d.m, a->run_id, r->o.eo.at,
	    cause) == -1)
		goto out;
	if (p.nhosts == 0) {
		cmd_revert_print_nothing(a, &p);
		code = p.refused.n > 0 ? EXIT_PENDING : EXIT_OK;
		goto out;
	}
	if (run_engine(r, p.targets, p.nhosts, cause) == -1)
		goto out;
	revert_relabel(&p, &r->er);
	if (!a->dry_run)
		revert_check(&p, &r->er);
	cmd_revert_print(a, &p, r);
	code = cmd_revert_exit(&r->er, &p, a->dry_run);
	if (!a->dry_run && run_record(r, cause) == -1)
		code = EXIT_ERROR;
out:
	revert_plan_release(&p);
	return code;
}

/* Only a revert that changes hosts may create the history. */
int
cmd_revert(int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct revert_args a;
	struct run r;
	char *cause = NULL;
	int code = EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	run_opts_init(&a.o, "revert");
	if (cmd_revert_parse(&a, argc, argv, &cause) == -1)
		goto out;
	a.o.eo.apply = !a.dry_run;
	a.o.lock = !a.dry_run;
	a.o.history = a.dry_run ? RUN_HISTORY_EXISTING : RUN_HISTORY_REQUIRED;
	if (run_open(&r, &a.o, &errs, &cause) == -1)
		goto out;
	if (r.hist == NULL) {
		cause_set(&cause, "no history to read run '%s' from",
		    a.run_id);
		goto out;
	}
	code = run_signal_exit(cmd_revert_run(&a, &r, &cause));
out:
	cmd_errors("revert", &errs, cause);
	free(cause);
	run_release(&r);
	errors_clear(&errs);
	return code;
}
