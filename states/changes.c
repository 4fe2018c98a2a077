/*
 * changes.c: the list of changes that diff() fills and the engine applies.
 */
#include <stdlib.h>
#include <string.h>

#include "state.h"

struct change *
changes_add(struct changes *cs, const char *kind, const char *path,
    const char *before, const char *after, const struct node *desired)
{
	struct change *c;

	cs->v = xreallocarray(cs->v, cs->n + 1, sizeof(*cs->v));
	c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->path = xstrdup(path);
	c->before = before != NULL ? xstrdup(before) : NULL;
	c->after = after != NULL ? xstrdup(after) : NULL;
	c->desired = desired;
	return c;
}

void
changes_clear(struct changes *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		free(cs->v[i].path);
		free(cs->v[i].before);
		free(cs->v[i].after);
		free(cs->v[i].note);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}
