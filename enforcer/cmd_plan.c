/*
 * cmd_plan.c: enforcer plan (interim).
 */
#include <stdio.h>

#include "cmd.h"

int
cmd_plan(int argc, char **argv)
{
	fprintf(stderr, "%s: plan: not built yet\n", cmd_progname);
	return EXIT_ERROR;
}
