/*
 * strmap.h: a hash map from strings to pointers (open addressing,
 * FNV-1a), for lookups by host name or key that would otherwise scan a
 * list once per item: quadratic in the fleet.  Keys are borrowed and
 * must outlive the map; comparison is exact (strcmp).
 */
#ifndef STRMAP_H
#define STRMAP_H

#include <stddef.h>

struct strmap_slot {
	const char	*key;		/* NULL: empty */
	void		*value;
};

struct strmap {
	struct strmap_slot	*slot;
	size_t			 cap;	/* a power of two, or 0 */
	size_t			 n;
};
#define STRMAP_INIT { NULL, 0, 0 }

/* Adds key with value; 1 if key was there (its value is kept), else 0. */
int strmap_put(struct strmap *, const char *key, void *value);
/* key's value, or NULL when key is absent. */
void *strmap_get(const struct strmap *, const char *key);
int strmap_has(const struct strmap *, const char *key);
void strmap_clear(struct strmap *);

#endif
