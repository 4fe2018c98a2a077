/*
 * changes.c: the list of changes that diff() fills and the engine applies,
 * and list helpers the modules share.
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

char *
state_list_join(const struct node *seq, const char *sep)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; seq != NULL && i < seq->nitems; i++)
		buf_printf(&b, "%s%s", i > 0 ? sep : "", seq->items[i]->value);
	return b.len > 0 ? buf_detach(&b) : NULL;
}

struct node *
state_list_split(const char *text)
{
	struct node *seq;
	char *copy, *item, *save, *end;

	seq = node_seq();
	copy = xstrdup(text != NULL ? text : "");
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item += strspn(item, " ");
		end = item + strlen(item);
		while (end > item && end[-1] == ' ')
			*--end = '\0';
		if (*item != '\0')
			node_seq_push(seq, node_scalar(item));
	}
	free(copy);
	return seq;
}
