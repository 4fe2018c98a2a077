/*
 * test_secret.c: secrets from the environment or an owner-only file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "secret.h"
#include "util.h"

static void
test_env(void **state)
{
	char *s, *cause = NULL;

	setenv("ENFORCER_TEST_PW", "s3cret", 1);
	assert_int_equal(secret_read(&s, "ENFORCER_TEST_PW", NULL, &cause), 0);
	assert_string_equal(s, "s3cret");
	secret_free(s);
	unsetenv("ENFORCER_TEST_PW");
	assert_int_equal(secret_read(&s, "ENFORCER_TEST_PW", NULL, &cause), -1);
	assert_string_equal(cause, "environment variable 'ENFORCER_TEST_PW' "
	    "(password_env) is not set");
	free(cause);
}

static void
test_file_mode(void **state)
{
	char path[] = "/tmp/enforcer-secret-XXXXXX";
	char *s, *cause = NULL, *want;
	int fd;

	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "pw-from-file\n", 13), 13);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(secret_read(&s, NULL, path, &cause), 0);
	assert_string_equal(s, "pw-from-file");
	secret_free(s);

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(secret_read(&s, NULL, path, &cause), -1);
	want = xasprintf("password file '%s' is accessible by group or others "
	    "(mode 0644); run chmod 600 on it", path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_file_mode),
	};

	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
