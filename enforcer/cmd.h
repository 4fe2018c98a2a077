/*
 * cmd.h: the CLI verbs.  Each verb lives in its own cmd_<verb>.c and is
 * registered in main.c's table.  A verb parses its own options, prints its
 * own output and every error (once, at the top, with cmd_errors()), and
 * returns an exit code; a verb that contacts hosts goes through run.h.
 */
#ifndef ENFORCER_CMD_H
#define ENFORCER_CMD_H

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

/*
 * The options plan, apply and revert share (--parallel, --no-wait, --at,
 * --history, --repo, --ref, --require-signed, --cache; restart-winrm takes
 * the first two), by their getopt letters, into a run's options: returns
 * 1 when ch was one of them, 0 when it is the caller's, -1 with *cause on
 * a bad value.
 */
struct run_opts;
int cmd_run_option(int ch, const char *arg, struct run_opts *, char **cause);
/* --shard and --shards: codes past any letter, since other verbs' letters
 * ('N' for doctor's --node) reach cmd_run_option() too. */
#define CMD_OPT_SHARD	0x100
#define CMD_OPT_SHARDS	0x101
#define CMD_OPT_CONNECTIONS 0x102

#endif
