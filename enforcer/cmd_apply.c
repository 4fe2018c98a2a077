/*
 * cmd_apply.c: enforcer plan PATH (online) and enforcer apply PATH.  Both
 * share this file: apply is plan followed by writes, and the code path
 * (run.c) is the same up to the first write.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "run.h"

/* arg: the run's options, whose eo.apply tells plan from apply. */
static void
cmd_apply_usage(FILE *fp, const void *arg)
{
	int apply = ((const struct run_opts *)arg)->eo.apply;
	const char *verb = apply ? "apply" : "plan";

	fprintf(fp,
	    "usage: %s %s [--parallel N] [--connections N] [--hosts GLOB]\n"
	    "       %*s [--shard I/N | --shards N]\n"
	    "       %*s [--json] [--no-wait] [--quiet] [--metrics-file FILE]\n"
	    "       %*s [--at TIME] [--history DIR] [--require-clean] [PATH]\n"
	    "       %s %s [options] --repo PATH_OR_URL --ref REF\n"
	    "       %*s [--require-signed KEYRING] [--cache DIR]\n\n"
	    "%s\n\n"
	    "  --parallel N   hosts handled at once (default 16)\n"
	    "  --connections N  connections per host: 1 reads the kinds in turn,\n"
	    "                 more reads them at once (default: 1 when there are\n"
	    "                 more hosts than --parallel, else 4)\n"
	    "  --hosts GLOB   only hosts whose name or group matches GLOB\n"
	    "  --shard I/N    only the hosts of shard I of N (from 0; docs/scale.md)\n"
	    "  --shards N     the same, I from $JOB_COMPLETION_INDEX\n"
	    "  --json         machine-readable report (docs/json.md)\n"
	    "  --quiet        print nothing when the exit status is 0 (cron)\n"
	    "  --metrics-file FILE  write Prometheus metrics to FILE "
	    "(node_exporter's\n"
	    "                 textfile collector; default settings.metrics_file)\n"
	    "  --no-wait      fail at once if another run holds the lock\n"
	    "  --at TIME      evaluate windows at TIME (RFC 3339) instead of now,\n"
	    "                 for rehearsals against a simulated fleet\n"
	    "  --history DIR  the history repository (default: $ENFORCER_HISTORY,\n"
	    "                 else branch enforcer/history of PATH's git repository)\n"
	    "  --require-clean  refuse a PATH whose git work tree has uncommitted\n"
	    "                 changes (or that is not in git)\n"
	    "  --repo R --ref REF  the desired state of commit REF of repository R\n"
	    "                 (a local repository or a URL), without a work tree\n"
	    "  --require-signed KEYRING  only a commit signed by a key of KEYRING\n"
	    "  --cache DIR    where a URL is cloned (default ~/.cache/enforcer/git)\n"
	    "%s"
	    "\nexit status: 0 in sync%s, 1 error%s,\n"
	    "2 changes pending%s, 3 some hosts failed\n",
	    cmd_progname, verb, (int)(strlen(cmd_progname) + strlen(verb)), "",
	    (int)(strlen(cmd_progname) + strlen(verb)), "",
	    (int)(strlen(cmd_progname) + strlen(verb)), "",
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

static int
cmd_apply_parse(struct run_opts *o, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		CMD_OPT_HOSTS, CMD_OPT_JSON, CMD_OPTS_RUN, CMD_OPTS_SOURCE,
		{ "connections", required_argument, NULL, CMD_OPT_CONNECTIONS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "metrics-file", required_argument, NULL, 'm' },
		{ "require-clean", no_argument, NULL, 'C' },
		{ "shard", required_argument, NULL, CMD_OPT_SHARD },
		{ "shards", required_argument, NULL, CMD_OPT_SHARDS },
		CMD_OPTS_END,
	};
	const struct cmd_parser p = { o->verb, longopts, o, NULL,
	    cmd_apply_usage, NULL, o };

	if (cmd_options(&p, argc, argv, cause) == -1 ||
	    shard_select(&o->eo.shard, o->shard_arg, o->shard_count,
	    cause) == -1)
		return -1;
	o->src.shard_index = o->eo.shard.index;
	o->src.shard_count = o->eo.shard.count;
	return cmd_options_path(&p, argc, argv, cause);
}

int
cmd_run_engine(int apply, int argc, char **argv)
{
	struct run_opts o;
	char *cause = NULL;

	run_opts_plan(&o, apply);
	if (cmd_apply_parse(&o, argc, argv, &cause) == -1) {
		cmd_errors(o.verb, NULL, cause);
		free(cause);
		return EXIT_ERROR;
	}
	return run_main(&o);
}

int
cmd_apply(int argc, char **argv)
{
	return cmd_run_engine(1, argc, argv);
}
