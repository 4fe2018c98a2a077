/*
 * fuzz_loader.c: the desired-state loader on arbitrary YAML text: parse,
 * schema validation, shorthands, references and conflicts (model.h), then
 * the effective state of the first hosts at two instants (inside and
 * outside the examples' windows), as plan --offline computes it.
 * Seeds: tests/data/good, tests/data/bad, examples/.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "model.h"

#define FUZZ_HOSTS	8	/* effective states computed per input */

static void
fuzz_effective(const struct model *m)
{
	const time_t at[] = { 1764280800, 1800000000 };
	struct node *eff;
	char *cause;
	size_t i, j;

	for (i = 0; i < m->nhosts && i < FUZZ_HOSTS; i++)
		for (j = 0; j < nitems(at); j++) {
			eff = NULL;
			cause = NULL;
			if (model_effective(&eff, m, &m->hosts[i], at[j],
			    &cause) == 0)
				node_free(eff);
			free(cause);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_file f = { "fuzz.yaml", (const char *)data, size };
	struct errors errs = ERRORS_INIT;
	struct model *m = NULL;

	if (model_load_files(&m, &f, 1, &errs) == 0)
		fuzz_effective(m);
	model_free(m);
	errors_clear(&errs);
	return 0;
}
