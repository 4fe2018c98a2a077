/*
 * test_shard.c: the split of a fleet into shards: every host in exactly
 * one shard, a host's shard fixed by its name and N alone (adding hosts
 * moves none), the hash fixed (known FNV-1a vectors), the options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shard.h"
#include "util.h"

#define FLEET	5000

static char *
host_name(unsigned i)
{
	return xasprintf("node%u.site%u.contoso.test", i, i % 37);
}

/* FNV-1a 64 test vectors (the FNV reference suite): the split must never
 * change under an upgrade. */
static void
test_hash_vectors(void **state)
{
	(void)state;
	assert_true(shard_hash("") == 0xcbf29ce484222325ULL);
	assert_true(shard_hash("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(shard_hash("foobar") == 0x85944171f73967e8ULL);
	/* One host whatever the case of its name. */
	assert_true(shard_hash("FooBar") == shard_hash("foobar"));
}

/* Each host is in exactly one of N shards, for several N. */
static void
test_exactly_one(void **state)
{
	static const unsigned ns[] = { 1, 2, 4, 5, 7, 64 };
	struct shard s;
	unsigned i, k, n, in, seen[64];
	size_t j;
	char *name;

	(void)state;
	for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
		n = ns[j];
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < FLEET; i++) {
			name = host_name(i);
			in = 0;
			for (k = 0; k < n; k++) {
				s.index = k;
				s.count = n;
				if (shard_has(&s, name)) {
					in++;
					seen[k]++;
				}
			}
			assert_int_equal(in, 1);
			free(name);
		}
		/* Balanced enough: each shard within 20 % of its share
		 * (where a share is large enough to say so). */
		for (k = 0; k < n && n <= 7; k++) {
			assert_true(seen[k] * 10 * n > FLEET * 8);
			assert_true(seen[k] * 10 * n < FLEET * 12);
		}
	}
}

/* A host's shard depends on its name and N only: computed alone, in a
 * fleet of 10 or of 5000, it is the same. */
static void
test_adding_moves_none(void **state)
{
	unsigned before[100], i;
	char *name;

	(void)state;
	for (i = 0; i < 100; i++) {
		name = host_name(i);
		before[i] = shard_of(name, 4);
		free(name);
	}
	for (i = 100; i < FLEET; i++) {
		name = host_name(i);
		(void)shard_of(name, 4);
		free(name);
	}
	for (i = 0; i < 100; i++) {
		name = host_name(i);
		assert_int_equal(shard_of(name, 4), before[i]);
		free(name);
	}
}

static void
bad(const char *arg, unsigned count, const char *want)
{
	struct shard s;
	char *cause = NULL;

	assert_int_equal(shard_select(&s, arg, count, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("'%s' does not say '%s'", cause, want);
	free(cause);
}

static void
test_options(void **state)
{
	struct shard s;
	char *cause = NULL;

	(void)state;
	unsetenv("JOB_COMPLETION_INDEX");
	assert_int_equal(shard_select(&s, NULL, 0, &cause), 0);
	assert_int_equal(s.count, 0);
	assert_int_equal(shard_select(&s, "3/4", 0, &cause), 0);
	assert_int_equal(s.index, 3);
	assert_int_equal(s.count, 4);
	bad("4/4", 0, "numbered from 0 to 3");
	bad("1/0", 0, "not I/N");
	bad("x/4", 0, "not I/N");
	bad("-1/4", 0, "not I/N");
	bad("1", 0, "not I/N");
	bad("1/4", 4, "not both");
	bad(NULL, 4, "JOB_COMPLETION_INDEX is not set");
	setenv("JOB_COMPLETION_INDEX", "2", 1);
	assert_int_equal(shard_select(&s, NULL, 4, &cause), 0);
	assert_int_equal(s.index, 2);
	assert_int_equal(s.count, 4);
	setenv("JOB_COMPLETION_INDEX", "4", 1);
	bad(NULL, 4, "JOB_COMPLETION_INDEX");
	unsetenv("JOB_COMPLETION_INDEX");
	assert_int_equal(shard_parse_count("0", &s.count, &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_exactly_one),
		cmocka_unit_test(test_adding_moves_none),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests_name("shard", tests, NULL, NULL);
}
