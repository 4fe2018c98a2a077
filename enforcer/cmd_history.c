/*
 * cmd_history.c: enforcer history: the recorded runs, newest first, one
 * line per run (or per change with --changes), or JSON (docs/history.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "confdir.h"
#include "desired.h"
#include "history.h"
#include "timeparse.h"

static void
cmd_history_usage(FILE *fp, const void *arg)
{
	fprintf(fp,
	    "usage: %s history [--history DIR|URL] [--cache DIR] [--host NAME]\n"
	    "           [--since TIME] [--limit N] [--class CLASS] [--changes]\n"
	    "           [--json] [PATH]\n\n"
	    "List the recorded runs, newest first: one line per run, or per\n"
	    "change with --changes.  The history is the branch "
	    "enforcer/history\n"
	    "of the git repository holding PATH (default: as for apply), or the "
	    "repository\n"
	    "given with --history; a URL is a history shared by shards, all\n"
	    "of whose refs are read as one fleet (docs/scale.md).\n\n"
	    "  --cache DIR    where a --history URL is mirrored\n"
	    "  --host NAME    runs that changed, failed on or found drift "
	    "on NAME\n"
	    "  --since TIME   runs finished since TIME: 2026-11-25T09:30:00Z,\n"
	    "                 2026-11-25, or an age such as 30d, 12h, 90m\n"
	    "  --limit N      at most N runs\n"
	    "  --class CLASS  runs with changes of CLASS: intentional, "
	    "corrective,\n"
	    "                 window or expiry\n"
	    "  --changes      one line per change\n"
	    "  --json         JSON, as described in docs/history.md\n",
	    cmd_progname);
}

/* An age: digits then s, m, h or d. */
static int
cmd_history_parse_age(const char *s, time_t now, time_t *out)
{
	static const struct {
		char	unit;
		long	secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	char *end;
	long n;
	size_t i;

	n = strtol(s, &end, 10);
	if (end == s || n < 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	for (i = 0; i < nitems(units); i++) {
		if (*end == units[i].unit && n <= 36500L * 86400 /
		    units[i].secs) {
			*out = now - (time_t)(n * units[i].secs);
			return 0;
		}
	}
	return -1;
}

static int
cmd_history_parse_since(const char *s, time_t *out)
{
	char *full;
	int rc;

	if (timeparse_utc(s, out) == 0 ||
	    cmd_history_parse_age(s, time(NULL), out) == 0)
		return 0;
	full = xasprintf("%sT00:00:00Z", s);
	rc = timeparse_utc(full, out);
	free(full);
	return rc;
}

static void
cmd_history_print_change(const struct history_entry *e,
    const struct history_change *c)
{
	struct buf b = BUF_INIT;
	char t[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(e->run.finished, t, sizeof(t));
	history_change_describe(&b, c);
	printf("%s  %s  %-11s %s  %s\n", t, e->run.run_id,
	    history_class_name(c->class), c->host, buf_cstr(&b));
	buf_release(&b);
}

static void
cmd_history_print_run(const struct history_entry *e)
{
	char t[TIMEPARSE_UTC_LEN];
	size_t i;

	timeparse_format_utc(e->run.finished, t, sizeof(t));
	printf("%s  %s  %s", t, e->run.run_id, e->summary);
	for (i = 0; i < e->ndrifted; i++)
		printf("%s%s", i == 0 ? "; drift: " : ", ", e->drifted[i]);
	if (e->cut)
		printf("; cut short: no run commit");
	printf("\n");
}

static void
cmd_history_print_json(const struct history_log *log, int changes)
{
	struct buf b = BUF_INIT;
	size_t i, j;
	int first = 1;

	buf_printf(&b, "{\"version\": 1, \"%s\": [",
	    changes ? "changes" : "runs");
	for (i = 0; i < log->n; i++) {
		if (!changes) {
			buf_puts(&b, i > 0 ? ",\n  " : "\n  ");
			history_json_entry(&b, &log->entries[i], 0);
			continue;
		}
		for (j = 0; j < log->entries[i].run.nchanges; j++) {
			buf_puts(&b, first ? "\n  " : ",\n  ");
			history_json_change(&b, &log->entries[i],
			    &log->entries[i].run.changes[j]);
			first = 0;
		}
	}
	buf_puts(&b, "\n]}\n");
	fputs(buf_cstr(&b), stdout);
	buf_release(&b);
}

static void
cmd_history_print_log(const struct history_log *log, int changes, int json)
{
	size_t i, j;

	if (json) {
		cmd_history_print_json(log, changes);
		return;
	}
	for (i = 0; i < log->n; i++) {
		if (!changes)
			cmd_history_print_run(&log->entries[i]);
		for (j = 0; changes && j < log->entries[i].run.nchanges; j++)
			cmd_history_print_change(&log->entries[i],
			    &log->entries[i].run.changes[j]);
	}
}

/* What history's options say. */
struct history_args {
	struct history_filter	 f;
	struct history_place	 place;
	const char		*dir;		/* --history */
	int			 changes;
	int			 json;
};

static int
cmd_history_option(void *arg, int ch, const char *optarg, char **cause)
{
	struct history_args *a = arg;
	enum history_class class;
	char *end;

	switch (ch) {
	case 's':
		if (cmd_history_parse_since(optarg, &a->f.since) == -1)
			return cause_set(cause, "bad time '%s'", optarg);
		return 0;
	case 'l':
		a->f.limit = strtoul(optarg, &end, 10);
		if (*optarg == '-' || *end != '\0' || a->f.limit == 0)
			return cause_set(cause, "bad limit '%s'", optarg);
		return 0;
	case 'c':
		if (history_class_parse(optarg, &class) == -1)
			return cause_set(cause, "unknown class '%s'", optarg);
		a->f.class = (int)class;
		return 0;
	}
	return 0;
}

int
cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "history", required_argument, NULL, 'H' },
		{ "cache", required_argument, NULL, 'K' },
		{ "host", required_argument, NULL, 'n' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "class", required_argument, NULL, 'c' },
		{ "changes", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		CMD_OPTS_END,
	};
	struct history_args a = { HISTORY_FILTER_INIT, { NULL, 0, 0 }, NULL,
	    0, 0 };
	const struct cmd_store store[] = {
		{ 'H', &a.dir, NULL },
		{ 'K', &a.place.cache_dir, NULL },
		{ 'n', &a.f.host, NULL },
		{ 'C', NULL, &a.changes },
		{ 'j', NULL, &a.json },
		{ 0, NULL, NULL },
	};
	const struct cmd_parser p = { "history", opts, NULL, store,
	    cmd_history_usage, cmd_history_option, &a };
	struct history *h = NULL;
	struct history_log *log = NULL;
	char *cause = NULL;
	int rc = EXIT_ERROR;

	if (cmd_operands(&p, argc, argv, 0, 1) == -1)
		return EXIT_ERROR;
	a.dir = desired_history_dir(a.dir);	/* $ENFORCER_HISTORY, as apply */
	/* No PATH: the configuration directory's, as apply's. */
	if (history_open_at(&h, optind < argc ? argv[optind] :
	    confdir_desired(), a.dir, &a.place, &cause) == -1 ||
	    history_list(&log, h, &a.f, &cause) == -1)
		goto out;
	cmd_history_print_log(log, a.changes, a.json);
	rc = EXIT_OK;
out:
	if (cause != NULL)
		fprintf(stderr, "%s: %s\n", cmd_progname, cause);
	free(cause);
	history_log_free(log);
	history_free(h);
	return rc;
}
