/*
 * main.c: enforcer VERB [options]; dispatch to the verb table.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "cmd.h"
#include "termsafe.h"
#include "util.h"

const char *cmd_progname = "enforcer";

static const struct cmd_entry cmd_table[] = {
	{ "validate", "check desired state; touch no host", cmd_validate },
	{ "plan", "show what apply would change", cmd_plan },
	{ "apply", "apply the changes, verify them, record the run", cmd_apply },
	{ "history", "list the recorded runs", cmd_history },
	{ "show", "show what a recorded run observed, changed and verified",
	  cmd_show },
	{ "revert", "put back what a recorded run changed, as a new run",
	  cmd_revert },
	{ "window", "open, close, extend or list windows (CredSSP and more)",
	  cmd_window },
	{ "restart-winrm", "restart WinRM on hosts through a one-shot task",
	  cmd_restart_winrm },
	{ "restart", "restart computers through a one-shot task (Remedy 1)",
	  cmd_restart_computer },
	{ "doctor", "diagnose CredSSP delegation from a gateway to nodes",
	  cmd_doctor },
	{ "complete", "host, group or window names, for shell completion",
	  cmd_complete },
	{ NULL, NULL, NULL },
};

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *c;

	for (c = cmd_table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void
cmd_errors(const char *verb, const struct errors *errs, const char *cause)
{
	size_t i;

	for (i = 0; errs != NULL && i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
	if (cause != NULL)
		fprintf(stderr, "%s: %s: %s\n", cmd_progname, verb, cause);
}

static void
usage(FILE *fp)
{
	const struct cmd_entry *c;

	fprintf(fp, "usage: %s VERB [options] [PATH]\n\nverbs:\n",
	    cmd_progname);
	for (c = cmd_table; c->name != NULL; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fprintf(fp,
	    "\n'%s VERB --help' describes a verb.\n\n"
	    "exit status:\n"
	    "  0  success; hosts are in sync\n"
	    "  1  error (bad input, bad usage: nothing applied; or what was\n"
	    "     applied could not be recorded)\n"
	    "  2  changes pending (plan)\n"
	    "  3  some hosts failed; the others were handled\n",
	    cmd_progname);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *c;
	int rc;

	/* libcurl and OpenSSL write to sockets a peer may have closed. */
	signal(SIGPIPE, SIG_IGN);
	termsafe_wrap();
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("enforcer 0.1\n");
		return EXIT_OK;
	}
	if ((c = cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "%s: unknown verb '%s'\n", cmd_progname,
		    argv[1]);
		usage(stderr);
		return EXIT_ERROR;
	}
	/*
	 * One libgit2 for the whole run.  Each module takes and drops its
	 * own reference, and a count back at zero shuts libgit2 down: the
	 * next module's init then ran it again, and Debian's libgit2 1.5
	 * (mbedTLS) parses the system CA bundle at every init, about 6 ms
	 * of a one-host plan's 45 ms of CPU, before any host is read.
	 */
	git_libgit2_init();
	rc = c->run(argc - 1, argv + 1);
	git_libgit2_shutdown();
	return rc;
}
