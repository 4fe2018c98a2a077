/*
 * cmd_show.c: enforcer show RUN: what a recorded run observed, changed and
 * verified, as text or JSON (docs/history.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "confdir.h"
#include "desired.h"
#include "history.h"
#include "timeparse.h"

static void
cmd_show_usage(FILE *fp, const void *arg)
{
	fprintf(fp,
	    "usage: %s show [--history DIR|URL] [--cache DIR] [--json] RUN "
	    "[PATH]\n\n"
	    "Show what run RUN (a run id from '%s history') observed, "
	    "changed\n"
	    "and verified on each host.  The history is found as for "
	    "'history'.\n\n"
	    "  --json   JSON, as described in docs/history.md\n",
	    cmd_progname, cmd_progname);
}

/* A state as YAML, indented under its label. */
static void
cmd_show_print_state(const char *label, const struct node *n)
{
	struct buf b = BUF_INIT;
	const char *line, *nl;

	printf("  %s:\n", label);
	node_emit(n, &b, 1);
	for (line = buf_cstr(&b); *line != '\0'; line = nl + 1) {
		nl = strchrnul(line, '\n');
		printf("    %.*s\n", (int)(nl - line), line);
		if (*nl == '\0')
			break;
	}
	buf_release(&b);
}

static void
cmd_show_print_changes(const struct history_run *r, const char *host)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < r->nchanges; i++) {
		if (strcmp(r->changes[i].host, host) != 0)
			continue;
		buf_reset(&b);
		history_change_describe(&b, &r->changes[i]);
		printf("  %-11s %s\n", history_class_name(r->changes[i].class),
		    buf_cstr(&b));
	}
	buf_release(&b);
}

static size_t
cmd_show_count_changes(const struct history_run *r, const char *host)
{
	size_t i, n = 0;

	for (i = 0; i < r->nchanges; i++)
		if (strcmp(r->changes[i].host, host) == 0)
			n++;
	return n;
}

static void
cmd_show_print_host(const struct history_entry *e, const struct history_host *h)
{
	size_t n = cmd_show_count_changes(&e->run, h->name);
	int drifted = strv_has(e->drifted, e->ndrifted, h->name);

	printf("\n%s: ", h->name);
	if (n > 0)
		printf("%zu change%s", n, n == 1 ? "" : "s");
	if (h->error != NULL)
		printf("%sfailed: %s", n > 0 ? "; " : "", h->error);
	else if (n == 0)
		printf("in sync");
	printf("%s\n", drifted ? "; changed outside enforcer before this run"
	    : "");
	cmd_show_print_changes(&e->run, h->name);
	/* States only where something happened; --json has them all. */
	if (h->observed != NULL && (h->verified != NULL || drifted))
		cmd_show_print_state("observed", h->observed);
	if (h->verified != NULL)
		cmd_show_print_state("verified", h->verified);
}

static void
cmd_show_print_text(const struct history_entry *e)
{
	const struct history_run *r = &e->run;
	char t[TIMEPARSE_UTC_LEN];
	size_t i;

	printf("run %s\n%s\n", r->run_id, e->summary);
	timeparse_format_utc(r->started, t, sizeof(t));
	printf("started:  %s\n", t);
	timeparse_format_utc(r->finished, t, sizeof(t));
	printf("finished: %s\n", t);
	if (r->desired_path != NULL)
		printf("desired:  %s\n", r->desired_path);
	if (r->desired_commit != NULL)
		printf("desired commit: %s\n", r->desired_commit);
	for (i = 0; i < r->nwindows; i++)
		printf("window:   %s\n", r->windows[i]);
	printf("commit:   %s", e->commit);
	if (e->observed[0] != '\0')
		printf(" (observed: %s)", e->observed);
	printf("\n");
	for (i = 0; i < r->nhosts; i++)
		cmd_show_print_host(e, &r->hosts[i]);
}

int
cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "history", required_argument, NULL, 'H' },
		{ "cache", required_argument, NULL, 'K' },
		{ "json", no_argument, NULL, 'j' },
		CMD_OPTS_END,
	};
	struct history_place place = { NULL, 0, 0 };
	const char *dir = NULL;
	int json = 0;
	const struct cmd_store store[] = {
		{ 'H', &dir, NULL },
		{ 'K', &place.cache_dir, NULL },
		{ 'j', NULL, &json },
		{ 0, NULL, NULL },
	};
	const struct cmd_parser p = { "show", opts, NULL, store,
	    cmd_show_usage, NULL, NULL };
	struct history *h = NULL;
	struct history_log *log = NULL;
	struct buf b = BUF_INIT;
	char *cause = NULL;
	int rc = EXIT_ERROR;

	if (cmd_operands(&p, argc, argv, 1, 2) == -1)
		return EXIT_ERROR;
	dir = desired_history_dir(dir);	/* $ENFORCER_HISTORY, as apply */
	/* No PATH: the configuration directory's, as apply's. */
	if (history_open_at(&h, optind + 1 < argc ? argv[optind + 1] :
	    confdir_desired(), dir, &place, &cause) == -1 ||
	    history_show(&log, h, argv[optind], &cause) == -1)
		goto out;
	if (json) {
		history_json_entry(&b, &log->entries[0], 1);
		printf("{\"version\": 1, \"run\": %s}\n", buf_cstr(&b));
	} else
		cmd_show_print_text(&log->entries[0]);
	rc = EXIT_OK;
out:
	if (cause != NULL)
		fprintf(stderr, "%s: %s\n", cmd_progname, cause);
	free(cause);
	buf_release(&b);
	history_log_free(log);
	history_free(h);
	return rc;
}
