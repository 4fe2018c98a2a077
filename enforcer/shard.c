/*
 * shard.c: a stable split of the fleet by the hash of each inventory name
 * (see shard.h).  FNV-1a is fixed here, not left to a library, so that the
 * split never changes under an upgrade.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"
#include "util.h"

#define FNV64_OFFSET	0xcbf29ce484222325ULL
#define FNV64_PRIME	0x100000001b3ULL

uint64_t
shard_hash(const char *name)
{
	uint64_t h = FNV64_OFFSET;
	unsigned char c;

	/* Windows names are case-insensitive: one host, one shard. */
	for (; *name != '\0'; name++) {
		c = (unsigned char)*name;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h ^= c;
		h *= FNV64_PRIME;
	}
	return h;
}

unsigned
shard_of(const char *name, unsigned count)
{
	return (unsigned)(shard_hash(name) % count);
}

int
shard_has(const struct shard *s, const char *name)
{
	return s == NULL || s->count == 0 || shard_of(name, s->count) ==
	    s->index;
}

static int
shard_number(const char *s, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

int
shard_parse_count(const char *arg, unsigned *count, char **cause)
{
	unsigned long n;

	if (shard_number(arg, &n) == -1 || n < 1 || n > SHARD_MAX)
		return cause_set(cause, "--shards: '%s' is not a number from 1 "
		    "to %d", arg, SHARD_MAX);
	*count = (unsigned)n;
	return 0;
}

int
shard_parse(const char *arg, struct shard *s, char **cause)
{
	const char *slash = strchr(arg, '/');
	unsigned long i, n;
	char *left;
	int bad;

	if (slash == NULL)
		return cause_set(cause, "--shard: '%s' is not I/N", arg);
	left = xstrndup(arg, (size_t)(slash - arg));
	bad = shard_number(left, &i) == -1 || shard_number(slash + 1,
	    &n) == -1;
	free(left);
	if (bad || n < 1 || n > SHARD_MAX)
		return cause_set(cause, "--shard: '%s' is not I/N with N from "
		    "1 to %d", arg, SHARD_MAX);
	if (i >= n)
		return cause_set(cause, "--shard: '%s': shards are numbered "
		    "from 0 to %lu", arg, n - 1);
	s->index = (unsigned)i;
	s->count = (unsigned)n;
	return 0;
}

int
shard_select(struct shard *s, const char *arg, unsigned count, char **cause)
{
	const char *env;
	char *spec;
	int rc;

	memset(s, 0, sizeof(*s));
	if (arg != NULL && count != 0)
		return cause_set(cause, "give --shard I/N or --shards N "
		    "(with JOB_COMPLETION_INDEX), not both");
	if (arg != NULL)
		return shard_parse(arg, s, cause);
	if (count == 0)
		return 0;
	env = getenv("JOB_COMPLETION_INDEX");
	if (env == NULL || *env == '\0')
		return cause_set(cause, "--shards %u: JOB_COMPLETION_INDEX is "
		    "not set (a Kubernetes Indexed Job sets it; elsewhere give "
		    "--shard I/N)", count);
	spec = xasprintf("%s/%u", env, count);
	rc = shard_parse(spec, s, cause);
	free(spec);
	if (rc == -1)
		return cause_prefix(cause, "JOB_COMPLETION_INDEX");
	return 0;
}
