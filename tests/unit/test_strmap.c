/*
 * test_strmap.c: the string map the history and the parser look names up
 * in: every key found with its own value after the table grew many
 * times, absent keys not found (nor their prefixes), a second put keeps
 * the first value, clear empties it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "strmap.h"
#include "util.h"

#define NKEYS	10000

static void
test_many(void **state)
{
	struct strmap m = STRMAP_INIT;
	char **keys = xcalloc(NKEYS, sizeof(*keys));
	char *other;
	size_t i;

	assert_null(strmap_get(&m, "node0"));
	assert_false(strmap_has(&m, "node0"));
	for (i = 0; i < NKEYS; i++) {
		keys[i] = xasprintf("node%zu.contoso.test", i);
		assert_int_equal(strmap_put(&m, keys[i], &keys[i]), 0);
	}
	assert_int_equal(m.n, NKEYS);
	assert_true(m.cap >= 2 * NKEYS);
	for (i = 0; i < NKEYS; i++) {
		/* A copy: found by content, not by the pointer put. */
		other = xasprintf("node%zu.contoso.test", i);
		assert_ptr_equal(strmap_get(&m, other), &keys[i]);
		assert_true(strmap_has(&m, other));
		free(other);
	}
	assert_null(strmap_get(&m, "node1.contoso"));
	assert_null(strmap_get(&m, "NODE1.contoso.test"));
	assert_false(strmap_has(&m, ""));
	strmap_clear(&m);
	assert_int_equal(m.n, 0);
	assert_null(strmap_get(&m, keys[0]));
	for (i = 0; i < NKEYS; i++)
		free(keys[i]);
	free(keys);
}

static void
test_first_value_kept(void **state)
{
	struct strmap m = STRMAP_INIT;
	int a, b;

	assert_int_equal(strmap_put(&m, "x", &a), 0);
	assert_int_equal(strmap_put(&m, "x", &b), 1);
	assert_ptr_equal(strmap_get(&m, "x"), &a);
	/* A key with a NULL value is there all the same. */
	assert_int_equal(strmap_put(&m, "y", NULL), 0);
	assert_true(strmap_has(&m, "y"));
	assert_null(strmap_get(&m, "y"));
	assert_int_equal(m.n, 2);
	strmap_clear(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_first_value_kept),
	};

	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
