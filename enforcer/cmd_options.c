/*
 * cmd_options.c: the option loop every verb shares (getopt_long, --help,
 * a mistyped option named with a suggestion), the options of the verbs
 * that run the engine, and the desired state's PATH after them.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "run.h"

/* The run options that only keep their argument, or set a flag. */
static const struct {
	int	ch;
	size_t	off;		/* of a const char * in struct run_opts */
} cmd_run_strings[] = {
	{ 'y', offsetof(struct run_opts, src.history_dir) },
	{ 'r', offsetof(struct run_opts, src.repo) },
	{ 'f', offsetof(struct run_opts, src.ref) },
	{ 's', offsetof(struct run_opts, src.keyring) },
	{ 'c', offsetof(struct run_opts, src.cache_dir) },
	{ 'H', offsetof(struct run_opts, eo.hosts_glob) },
	{ 'm', offsetof(struct run_opts, metrics_file) },
	{ CMD_OPT_SHARD, offsetof(struct run_opts, shard_arg) },
};
static const struct {
	int	ch;
	size_t	off;		/* of an int in struct run_opts */
	int	value;
} cmd_run_flags[] = {
	{ 'n', offsetof(struct run_opts, wait), 0 },
	{ 'C', offsetof(struct run_opts, src.require_clean), 1 },
	{ 'j', offsetof(struct run_opts, json), 1 },
	{ 'q', offsetof(struct run_opts, quiet), 1 },
};

/* *v from arg, a whole number from 1 to max. */
static int
cmd_run_number(const char *opt, const char *arg, long max, long *v,
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

/* The options whose value is checked. */
static int
cmd_run_checked(int ch, const char *arg, struct run_opts *o, char **cause)
{
	long v;

	switch (ch) {
	case 'p':
		if (cmd_run_number("--parallel", arg, 4096, &v, cause) == -1)
			return -1;
		o->eo.parallel = (int)v;
		return 1;
	case CMD_OPT_CONNECTIONS:
		if (cmd_run_number("--connections", arg, 64, &v, cause) == -1)
			return -1;
		o->eo.connections = (unsigned)v;
		return 1;
	case 'a':
		if (timeparse_rfc3339(arg, &o->eo.at, cause) == -1)
			return cause_prefix(cause, "--at");
		return 1;
	case CMD_OPT_SHARDS:
		return shard_parse_count(arg, &o->shard_count, cause) == -1 ?
		    -1 : 1;
	}
	return 0;
}

int
cmd_run_option(int ch, const char *arg, struct run_opts *o, char **cause)
{
	char *base = (char *)o;
	size_t i;

	for (i = 0; i < nitems(cmd_run_strings); i++)
		if (cmd_run_strings[i].ch == ch) {
			*(const char **)(void *)(base +
			    cmd_run_strings[i].off) = arg;
			return 1;
		}
	for (i = 0; i < nitems(cmd_run_flags); i++)
		if (cmd_run_flags[i].ch == ch) {
			*(int *)(void *)(base + cmd_run_flags[i].off) =
			    cmd_run_flags[i].value;
			return 1;
		}
	return cmd_run_checked(ch, arg, o, cause);
}

/* ch is one of store's: keep its value or set its flag. */
static int
cmd_options_store(const struct cmd_store *store, int ch, const char *arg)
{
	for (; store != NULL && store->ch != 0; store++) {
		if (store->ch != ch)
			continue;
		if (store->value != NULL)
			*store->value = arg;
		else
			*store->flag = 1;
		return 1;
	}
	return 0;
}

int
cmd_options(const struct cmd_parser *p, int argc, char **argv, char **cause)
{
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", p->longopts, NULL)) != -1) {
		if (p->o != NULL &&
		    (rc = cmd_run_option(ch, optarg, p->o, cause)) != 0) {
			if (rc == -1)
				return -1;
			continue;
		}
		if (cmd_options_store(p->store, ch, optarg))
			continue;
		if (ch == 'h') {
			p->usage(stdout, p->arg);
			exit(EXIT_OK);
		}
		if (ch == '?' || ch == ':' || p->option == NULL) {
			cmd_bad_option(p->verb, argv[optind - 1], p->longopts);
			return -1;	/* said */
		}
		if (p->option(p->arg, ch, optarg, cause) == -1)
			return -1;
	}
	return 0;
}

int
cmd_operands(const struct cmd_parser *p, int argc, char **argv, int min,
    int max)
{
	char *cause = NULL;

	if (cmd_options(p, argc, argv, &cause) == 0) {
		if (argc - optind <= max && argc - optind >= min)
			return 0;
		p->usage(stderr, p->arg);
		if (argc - optind > max)
			cause_set(&cause, "too many arguments ('%s')",
			    argv[optind + max]);
		else
			cause_set(&cause, "too few arguments");
	}
	cmd_errors(p->verb, NULL, cause);
	free(cause);
	return -1;
}

int
cmd_options_path(const struct cmd_parser *p, int argc, char **argv,
    char **cause)
{
	if (argc - optind > 1) {
		p->usage(stderr, p->arg);
		return cause_set(cause, "too many arguments ('%s')",
		    argv[optind + 1]);
	}
	p->o->src.path = optind < argc ? argv[optind] : NULL;
	return desired_src_check(&p->o->src, cause);
}
