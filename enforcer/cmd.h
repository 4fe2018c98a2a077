/*
 * cmd.h: the CLI verbs.  Each verb lives in its own cmd_<verb>.c and is
 * registered in main.c's table.  A verb parses its own options, prints its
 * own output and every error (once, at the top), and returns an exit code.
 */
#ifndef ENFORCER_CMD_H
#define ENFORCER_CMD_H

/* Exit codes, documented in enforcer --help, the README and enforcer.1. */
#define EXIT_OK		0	/* success, or in sync */
#define EXIT_ERROR	1	/* error: bad input, bad usage, ... */
#define EXIT_PENDING	2	/* plan: changes are pending */
#define EXIT_HOSTS	3	/* some hosts failed */

struct cmd_entry {
	const char	*name;
	const char	*summary;	/* one line for enforcer --help */
	int		(*run)(int argc, char **argv);
};

/* main.c */
const struct cmd_entry *cmd_find(const char *name);
extern const char *cmd_progname;

/* cmd_validate.c */
int cmd_validate(int, char **);
/* cmd_plan.c */
int cmd_plan(int, char **);

/*
 * The options of "plan" that both halves read; the online half may add
 * its own.
 */
struct plan_opts {
	const char	*path;		/* desired state: a file or directory */
	const char	*hosts;		/* glob on host names and groups, or
					   NULL for every host */
};

struct model;

/*
 * plan_online.c: plan without --offline: contact the hosts selected by
 * opts in m, print the plan and return an exit code (EXIT_OK in sync,
 * EXIT_PENDING, EXIT_HOSTS, EXIT_ERROR).  It prints its own errors.
 */
int plan_online(const struct model *m, const struct plan_opts *opts);

#endif
