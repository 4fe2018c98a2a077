/*
 * cmd_suggest.c: "did you mean" for a mistyped option of a verb.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "schema.h"

void
cmd_bad_option(const char *verb, const char *arg,
    const struct option *opts)
{
	const char **cands;
	const char *best;
	char *word;
	size_t i, n = 0, len;

	for (i = 0; opts[i].name != NULL; i++)
		n++;
	cands = xcalloc(n + 1, sizeof(*cands));
	for (i = 0; i < n; i++)
		cands[i] = opts[i].name;
	/* "--hots=x" is the option "hots". */
	while (*arg == '-')
		arg++;
	len = strcspn(arg, "=");
	word = xstrndup(arg, len);
	for (i = 0; i < n && strcmp(cands[i], word) != 0; i++)
		;
	if (i < n && opts[i].has_arg == required_argument)
		fprintf(stderr, "%s: %s: option '--%s' needs a value\n",
		    cmd_progname, verb, word);
	else if (i < n)
		fprintf(stderr, "%s: %s: option '--%s' takes no value\n",
		    cmd_progname, verb, word);
	else if ((best = schema_closest(word, cands, n)) != NULL)
		fprintf(stderr, "%s: %s: unknown option '--%s' (did you mean "
		    "'--%s'?)\n", cmd_progname, verb, word, best);
	else
		fprintf(stderr, "%s: %s: unknown option '--%s'\n",
		    cmd_progname, verb, word);
	fprintf(stderr, "run '%s %s --help' for its options\n", cmd_progname,
	    verb);
	free(word);
	free(cands);
}
