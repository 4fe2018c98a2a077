/*
 * errors.c: a list of error messages collected before failing once.
 */
#include <stdlib.h>

#include "util.h"

void
errors_add_owned(struct errors *e, char *msg)
{
	e->msg = xreallocarray(e->msg, e->n + 1, sizeof(*e->msg));
	e->msg[e->n++] = msg;
}

void
errors_addf(struct errors *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errors_add_owned(e, xvasprintf(fmt, ap));
	va_end(ap);
}

void
errors_clear(struct errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = 0;
}
