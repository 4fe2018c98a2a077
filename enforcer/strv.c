/*
 * strv.c: arrays of strings, as the history, the engine and revert keep
 * host names and paths.
 */
#include <string.h>

#include "util.h"

int
strv_has(const char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}
