/*
 * strmap.c: strings to pointers, hashed; see strmap.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

static uint64_t
strmap_hash(const char *k)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	while (*k != '\0')
		h = (h ^ (unsigned char)*k++) * 1099511628211ULL;
	return h;
}

/* The slot holding key, or the empty one where it would go. */
static struct strmap_slot *
strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)strmap_hash(key) & (m->cap - 1);

	while (m->slot[i].key != NULL && strcmp(m->slot[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

/* At most half full, so that a probe ends soon. */
static void
strmap_grow(struct strmap *m)
{
	struct strmap_slot *old = m->slot;
	size_t i, oldcap = m->cap;

	m->cap = oldcap == 0 ? 16 : 2 * oldcap;
	m->slot = xcalloc(m->cap, sizeof(*m->slot));
	for (i = 0; i < oldcap; i++)
		if (old[i].key != NULL)
			*strmap_slot(m, old[i].key) = old[i];
	free(old);
}

int
strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot *s;

	if (2 * (m->n + 1) > m->cap)
		strmap_grow(m);
	if ((s = strmap_slot(m, key))->key != NULL)
		return 1;
	s->key = key;
	s->value = value;
	m->n++;
	return 0;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	return m->cap == 0 ? NULL : strmap_slot(m, key)->value;
}

int
strmap_has(const struct strmap *m, const char *key)
{
	return m->cap != 0 && strmap_slot(m, key)->key != NULL;
}

void
strmap_clear(struct strmap *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}
