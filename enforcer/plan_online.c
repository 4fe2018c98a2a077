/*
 * plan_online.c: plan against live hosts.  Interim: the engine replaces
 * this file; until then an online plan is refused with a pointer to the
 * offline one.
 */
#include <stdio.h>

#include "cmd.h"

int
plan_online(const struct model *m, const struct plan_opts *opts)
{
	fprintf(stderr, "%s: plan: contacting hosts is not implemented yet; "
	    "use --offline\n", cmd_progname);
	return EXIT_ERROR;
}
