/*
 * changes.c: the list of changes that diff() fills and the engine applies,
 * and the helpers the modules share (hooks, lists).
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
		free(cs->v[i].gpo);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

void
changes_gpo(struct change *c, const char *gpo)
{
	c->flags |= CHANGE_GPO;
	if (gpo != NULL && c->gpo == NULL)
		c->gpo = xstrdup(gpo);
}

static int
changes_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

const struct change *
changes_still_due(const struct changes *again, const struct change *c)
{
	const struct change *a;
	size_t i;

	for (i = 0; i < again->n; i++) {
		a = &again->v[i];
		if (strcmp(a->path, c->path) != 0)
			continue;
		if (!(c->flags & CHANGE_ITEM))
			return a;
		if (c->after != NULL ? changes_streq(a->after, c->after) :
		    a->after == NULL && changes_streq(a->before, c->before))
			return a;
	}
	return NULL;
}

void
state_wrap(struct node_pair *p, const char *key, const char *value)
{
	const struct node *at = p->value;
	struct node *m;

	m = node_new_map(at->file, at->line, at->col);
	node_map_append(m, node_new_scalar(key, at->file, at->line, at->col),
	    node_new_scalar(value, at->file, at->line, at->col));
	node_free(p->value);
	p->value = m;
}

void
state_wrap_scalars(struct node *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->npairs; i++)
		if (map->pairs[i].value->kind == NODE_SCALAR)
			state_wrap(&map->pairs[i], key,
			    map->pairs[i].value->value);
}

struct node *
state_map_at(struct node *root, const char **keys, size_t n)
{
	struct node *m = root, *next;
	size_t i;

	for (i = 0; i < n; i++) {
		next = node_get(m, keys[i]);
		if (next == NULL || next->kind != NODE_MAP) {
			next = node_map();
			node_map_set(m, keys[i], next);
		}
		m = next;
	}
	return m;
}

void
state_overlay(struct node *desired, const char **keys, size_t n,
    const struct node *value)
{
	node_map_set(state_map_at(desired, keys, n - 1), keys[n - 1],
	    node_copy(value));
}

void
state_overlay_delta(struct node *desired, const char **keys, size_t n,
    const struct node *added, const struct node *removed)
{
	struct node *m;

	m = node_map();
	node_map_set(m, keys[n - 1], removed != NULL ? node_copy(removed) :
	    node_seq());
	node_map_set(m, "absent", added != NULL ? node_copy(added) :
	    node_seq());
	node_map_set(m, "exclusive", node_scalar("false"));
	node_map_set(state_map_at(desired, keys, n - 2), keys[n - 2], m);
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
