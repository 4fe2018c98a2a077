/*
 * cmd_validate.c: enforcer validate PATH: load the desired state with
 * every check, touch no host.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "model.h"

static void
cmd_validate_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: %s validate PATH\n"
	    "\n"
	    "Check the desired state in PATH (a YAML file, or a directory whose\n"
	    "*.yaml files are merged) against the schema and the format's rules,\n"
	    "without contacting any host.  Prints a one-line summary, or every\n"
	    "error as file:line:col: message on stderr.\n"
	    "\n"
	    "exit status: 0 valid, 1 invalid or bad usage\n", cmd_progname);
}

static const char *
cmd_validate_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int
cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct errors errs = ERRORS_INIT;
	struct model *m;
	size_t i;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cmd_validate_usage(stdout);
			return EXIT_OK;
		}
		fprintf(stderr, "%s: validate: unknown option '%s'\n",
		    cmd_progname, argv[optind - 1]);
		cmd_validate_usage(stderr);
		return EXIT_ERROR;
	}
	if (argc - optind != 1) {
		cmd_validate_usage(stderr);
		return EXIT_ERROR;
	}
	if (model_load(&m, argv[optind], &errs) == -1) {
		cmd_errors("validate", &errs, NULL);
		errors_clear(&errs);
		return EXIT_ERROR;
	}
	for (i = 0; i < m->warnings.n; i++)
		fprintf(stderr, "%s\n", m->warnings.msg[i]);
	printf("%s: ok (%zu %s, %zu %s, %zu %s)\n", argv[optind], m->nhosts,
	    cmd_validate_plural(m->nhosts, "host", "hosts"), m->npolicies,
	    cmd_validate_plural(m->npolicies, "policy", "policies"),
	    m->nwindows, cmd_validate_plural(m->nwindows, "window", "windows"));
	model_free(m);
	return EXIT_OK;
}
