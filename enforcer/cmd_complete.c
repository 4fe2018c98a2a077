/*
 * cmd_complete.c: enforcer complete hosts|groups|windows [PATH]: the
 * names shell completion offers (dist/enforcer.bash), one a line.  Quiet
 * by design: a desired state that does not load offers nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "confdir.h"
#include "model.h"

int
cmd_complete(int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct model *m;
	size_t i;

	if (argc < 2 || argc > 3 || (strcmp(argv[1], "hosts") != 0 &&
	    strcmp(argv[1], "groups") != 0 && strcmp(argv[1], "windows") != 0)) {
		fprintf(stderr, "usage: %s complete hosts|groups|windows "
		    "[PATH]\n", cmd_progname);
		return EXIT_ERROR;
	}
	if (model_load(&m, argc == 3 ? argv[2] : confdir_desired(),
	    &errs) == -1) {
		errors_clear(&errs);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "hosts") == 0)
		for (i = 0; i < m->nhosts; i++)
			printf("%s\n", m->hosts[i].name);
	else if (strcmp(argv[1], "groups") == 0)
		for (i = 0; i < m->ngroups; i++)
			printf("%s\n", m->groups[i]);
	else
		for (i = 0; i < m->nwindows; i++)
			printf("%s\n", m->windows[i].name);
	model_free(m);
	return EXIT_OK;
}
