/*
 * fuzz_csv.c: csv_nth() (enforcer/csv.c) on arbitrary text, as
 * schtasks /Query /V /FO CSV prints it for restart-winrm's task.
 * Seeds: tests/fuzz/corpus/csv.
 */
#include <stdlib.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *f;
	size_t i;

	for (i = 0; i < 8; i++) {
		f = csv_nth(s, i);
		free(f);
	}
	free(s);
	return 0;
}
