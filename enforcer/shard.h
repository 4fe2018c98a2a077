/*
 * shard.h: which hosts one of N control nodes handles (docs/scale.md).
 *
 * A host belongs to shard FNV-1a-64(lower-case inventory name) mod N:
 * every host is in exactly one shard, a host's shard depends on its name
 * and N alone (adding or removing a host moves no other host), and every
 * process of every version computes the same split.  Shards are numbered
 * from 0, as Kubernetes numbers an Indexed Job's pods
 * (JOB_COMPLETION_INDEX).
 */
#ifndef ENFORCER_SHARD_H
#define ENFORCER_SHARD_H

#include <stdint.h>

#define SHARD_MAX	4096
/* How reports name the split. */
#define SHARD_HASH_NAME	"fnv1a64(lower-case name) mod N"

/* count 0: no sharding, every host. */
struct shard {
	unsigned	index;
	unsigned	count;
};

/* shard.c */

/* FNV-1a, 64 bits, of name with ASCII letters folded to lower case. */
uint64_t shard_hash(const char *name);

/* The shard of name among count (>= 1). */
unsigned shard_of(const char *name, unsigned count);

/* name is in s (always, without sharding). */
int shard_has(const struct shard *s, const char *name);

/* "I/N", 0 <= I < N <= SHARD_MAX, into *s; -1 with *cause otherwise. */
int shard_parse(const char *arg, struct shard *s, char **cause);

/*
 * The shard of this process from --shard (arg, may be NULL) or, when it is
 * absent and count is not 0 (--shards N), from JOB_COMPLETION_INDEX.
 * Neither: s->count is 0.  Both --shard and --shards, or --shards without
 * the variable, or an index out of range: -1 with *cause.
 */
int shard_select(struct shard *s, const char *arg, unsigned count,
    char **cause);

/* "--shards": N from 1 to SHARD_MAX. */
int shard_parse_count(const char *arg, unsigned *count, char **cause);

#endif
