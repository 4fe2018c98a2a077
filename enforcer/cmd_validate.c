/*
 * cmd_validate.c: enforcer validate PATH (interim: YAML syntax only; the
 * loader replaces this).
 */
#include <stdio.h>

#include "cmd.h"
#include "node.h"

int
cmd_validate(int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct node *n;
	size_t i;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s validate PATH\n", cmd_progname);
		return EXIT_ERROR;
	}
	rc = node_parse_file(&n, argv[1], &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	errors_clear(&errs);
	node_free(n);
	return rc == 0 ? EXIT_OK : EXIT_ERROR;
}
