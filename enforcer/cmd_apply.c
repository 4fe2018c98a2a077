/*
 * cmd_apply.c: enforcer plan PATH (online) and enforcer apply PATH.  Both
 * share this file: apply is plan followed by writes, and the code path
 * (run.c) is the same up to the first write.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "run.h"

static void
cmd_apply_usage(FILE *fp, int apply)
{
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

/* *v from arg, a whole number from 1 to max. */
static int
cmd_apply_number(const char *opt, const char *arg, long max, long *v,
    char **cause)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || *v < 1 || *v > max)
		return cause_set(cause, "%s: '%s' is not a number from 1 to %ld",
		    opt, arg, max);
	return 0;
}

int
cmd_run_option(int ch, const char *arg, struct run_opts *o, char **cause)
{
	struct engine_opts *eo = &o->eo;
	struct desired_src *src = &o->src;
	long v;

	switch (ch) {
	case 'p':
		if (cmd_apply_number("--parallel", arg, 4096, &v, cause) == -1)
			return -1;
		eo->parallel = (int)v;
		return 1;
	case CMD_OPT_CONNECTIONS:
		if (cmd_apply_number("--connections", arg, 64, &v, cause) == -1)
			return -1;
		eo->connections = (unsigned)v;
		return 1;
	case 'n':
		o->wait = 0;
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
	case 'C':
		src->require_clean = 1;
		return 1;
	case CMD_OPT_SHARD:
		o->shard_arg = arg;
		return 1;
	case CMD_OPT_SHARDS:
		return shard_parse_count(arg, &o->shard_count, cause) == -1 ?
		    -1 : 1;
	}
	return 0;
}

static int
cmd_apply_parse(struct run_opts *o, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "parallel", required_argument, NULL, 'p' },
		{ "connections", required_argument, NULL, CMD_OPT_CONNECTIONS },
		{ "hosts", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "metrics-file", required_argument, NULL, 'm' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "at", required_argument, NULL, 'a' },
		{ "history", required_argument, NULL, 'y' },
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "require-signed", required_argument, NULL, 's' },
		{ "cache", required_argument, NULL, 'c' },
		{ "require-clean", no_argument, NULL, 'C' },
		{ "shard", required_argument, NULL, CMD_OPT_SHARD },
		{ "shards", required_argument, NULL, CMD_OPT_SHARDS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if ((rc = cmd_run_option(ch, optarg, o, cause)) == -1)
			return -1;
		if (rc == 1)
			continue;
		switch (ch) {
		case 'H':
			o->eo.hosts_glob = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'm':
			o->metrics_file = optarg;
			break;
		case 'h':
			cmd_apply_usage(stdout, o->eo.apply);
			exit(EXIT_OK);
		default:
			cmd_bad_option(o->verb, argv[optind - 1], longopts);
			return cause_set(cause, "bad usage");
		}
	}
	if (optind < argc - 1) {
		cmd_apply_usage(stderr, o->eo.apply);
		return cause_set(cause, "expected one PATH");
	}
	o->src.path = optind < argc ? argv[optind] : NULL;
	if (shard_select(&o->eo.shard, o->shard_arg, o->shard_count,
	    cause) == -1)
		return -1;
	o->src.shard_index = o->eo.shard.index;
	o->src.shard_count = o->eo.shard.count;
	return desired_src_check(&o->src, cause);
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
