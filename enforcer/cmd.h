/*
 * cmd.h: the CLI verbs.  Each verb lives in its own cmd_<verb>.c and is
 * registered in main.c's table.  A verb parses its own options, prints its
 * own output and every error (once, at the top, with cmd_errors()), and
 * returns an exit code; a verb that contacts hosts goes through run.h.
 */
#ifndef ENFORCER_CMD_H
#define ENFORCER_CMD_H

#include <stdio.h>

/* Exit codes, documented in enforcer --help, the README and enforcer.1. */
#define EXIT_OK		0	/* success, or in sync */
#define EXIT_ERROR	1	/* error: bad input, bad usage, ... */
#define EXIT_PENDING	2	/* plan: changes are pending */
#define EXIT_HOSTS	3	/* some hosts failed */
#define EXIT_SIGNAL	130	/* stopped by a signal, nothing left undone */

struct cmd_entry {
	const char	*name;
	const char	*summary;	/* one line for enforcer --help */
	int		(*run)(int argc, char **argv);
};

/* main.c */
const struct cmd_entry *cmd_find(const char *name);
extern const char *cmd_progname;

/*
 * Print every problem of errs as it is (each names its file or source),
 * then cause, when not NULL, as "enforcer: VERB: cause".
 */
struct errors;
void cmd_errors(const char *verb, const struct errors *errs,
    const char *cause);

/* cmd_suggest.c */
struct option;

/*
 * Print "enforcer: VERB: unknown option '--x' (did you mean '--y'?)" for
 * arg, the argument getopt_long() refused (with opterr = 0), naming the
 * closest of opts, or that a known option needs or takes no value; then
 * where the options are described (not the whole usage).
 */
void cmd_bad_option(const char *verb, const char *arg,
    const struct option *opts);

/* cmd_validate.c */
int cmd_validate(int, char **);
/* cmd_plan.c */
int cmd_plan(int, char **);
/* cmd_history.c */
int cmd_history(int, char **);
/* cmd_show.c */
int cmd_show(int, char **);
/* cmd_window.c */
int cmd_window(int, char **);

/* cmd_revert.c */
int cmd_revert(int, char **);

/* cmd_complete.c */
int cmd_complete(int, char **);

/* cmd_doctor.c */
int cmd_doctor(int, char **);

/* cmd_restart.c: restart-winrm and restart */
int cmd_restart_winrm(int, char **);
int cmd_restart_computer(int, char **);

/* cmd_apply.c: plan (online) and apply, through run_main(); apply: 1 or 0 */
int cmd_run_engine(int apply, int argc, char **argv);
int cmd_apply(int, char **);

/* cmd_options.c */

/*
 * The options the verbs that run the engine share, by their getopt
 * letters, into a run's options: --parallel (p), --no-wait (n), --at (a),
 * --history (y), --repo (r), --ref (f), --require-signed (s), --cache (c),
 * --require-clean (C), --hosts (H), --json (j), --quiet (q),
 * --metrics-file (m), --shard, --shards and --connections.  A verb takes those its
 * longopts name.  Returns 1 when ch was one of them, 0 when it is the
 * caller's, -1 with *cause on a bad value.
 */
struct run_opts;
int cmd_run_option(int ch, const char *arg, struct run_opts *, char **cause);

/* Entries of a verb's longopts, with cmd_run_option()'s letters. */
#define CMD_OPT_JSON		{ "json", no_argument, NULL, 'j' }
#define CMD_OPT_HOSTS		{ "hosts", required_argument, NULL, 'H' }
#define CMD_OPT_PARALLEL	{ "parallel", required_argument, NULL, 'p' }
/* The runs that change hosts: how many at once, the lock, the history. */
#define CMD_OPTS_RUN		CMD_OPT_PARALLEL, \
	{ "no-wait", no_argument, NULL, 'n' }, \
	{ "history", required_argument, NULL, 'y' }
/* The desired state of a commit, at an instant. */
#define CMD_OPTS_SOURCE		{ "at", required_argument, NULL, 'a' }, \
	{ "repo", required_argument, NULL, 'r' }, \
	{ "ref", required_argument, NULL, 'f' }, \
	{ "require-signed", required_argument, NULL, 's' }, \
	{ "cache", required_argument, NULL, 'c' }
/* Every table's end: --help ('h'), then the terminator. */
#define CMD_OPTS_END		{ "help", no_argument, NULL, 'h' }, \
	{ NULL, 0, NULL, 0 }

/* A verb's option taken as it is: its value kept, or a flag set to 1. */
struct cmd_store {
	int		  ch;		/* 0 ends a list */
	const char	**value;	/* or NULL */
	int		 *flag;		/* or NULL */
};

/* How one verb reads its options. */
struct cmd_parser {
	const char		*verb;		/* for messages */
	const struct option	*longopts;	/* "help" is 'h' */
	struct run_opts		*o;		/* cmd_run_option()'s, or NULL */
	const struct cmd_store	*store;		/* or NULL */
	void	(*usage)(FILE *, const void *arg);
	/* The verb's other options: 0, or -1 with *cause; NULL: none. */
	int	(*option)(void *arg, int ch, const char *optarg, char **cause);
	void			*arg;
};

/*
 * getopt_long() over argv's options: run options into p->o, those of
 * p->store kept, the rest to p->option; --help prints p->usage on stdout and exits 0; an unknown
 * option is named with the closest known one (cmd_bad_option()).  Returns
 * 0 with optind at the first operand, or -1 with *cause (NULL when the
 * problem was an unknown option, already said).
 */
int cmd_options(const struct cmd_parser *p, int argc, char **argv,
    char **cause);

/*
 * cmd_options(), then from min to max operands: 0, or -1 with every
 * problem printed as p->verb's.
 */
int cmd_operands(const struct cmd_parser *p, int argc, char **argv, int min,
    int max);

/*
 * After cmd_options(): at most one operand, the desired state's PATH
 * (none: --repo, or the configuration directory's), then
 * desired_src_check().
 */
int cmd_options_path(const struct cmd_parser *p, int argc, char **argv,
    char **cause);

/* --shard, --shards, --connections: codes past any letter, since other verbs' letters
 * ('N' for doctor's --node) reach cmd_run_option() too. */
#define CMD_OPT_SHARD	0x100
#define CMD_OPT_SHARDS	0x101
#define CMD_OPT_CONNECTIONS 0x102

#endif
