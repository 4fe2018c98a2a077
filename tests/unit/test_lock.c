/*
 * test_lock.c: one run at a time; a second run fails fast with --no-wait
 * and names the holder, and the lock is free again after release.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lock.h"
#include "util.h"

static void
test_exclusive(void **state)
{
	char dir[] = "/tmp/enforcer-lock-XXXXXX";
	struct runlock *a, *b;
	char *path, *cause = NULL, *want;

	assert_non_null(mkdtemp(dir));
	path = lock_path_for(dir);
	assert_string_equal(path + strlen(dir), "/.enforcer.lock");

	assert_int_equal(lock_acquire(&a, path, 0, &cause), 0);
	assert_int_equal(lock_acquire(&b, path, 0, &cause), -1);
	assert_null(b);
	want = xasprintf("another enforcer run (pid %ld) holds '%s'; not "
	    "waiting (--no-wait)", (long)getpid(), path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	cause = NULL;

	lock_release(a);
	assert_int_equal(lock_acquire(&b, path, 0, &cause), 0);
	lock_release(b);

	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exclusive),
	};

	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
