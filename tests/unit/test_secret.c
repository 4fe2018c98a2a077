/*
 * test_secret.c: secrets from the environment, an owner-only file or a
 * systemd credential.
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
	assert_int_equal(secret_read(&s, "ENFORCER_TEST_PW", NULL, NULL,
	    &cause), 0);
	assert_string_equal(s, "s3cret");
	secret_free(s);
	unsetenv("ENFORCER_TEST_PW");
	assert_int_equal(secret_read(&s, "ENFORCER_TEST_PW", NULL, NULL,
	    &cause), -1);
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
	assert_int_equal(secret_read(&s, NULL, path, NULL, &cause), 0);
	assert_string_equal(s, "pw-from-file");
	secret_free(s);

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(secret_read(&s, NULL, path, NULL, &cause), -1);
	want = xasprintf("password file '%s' is accessible by group or others "
	    "(mode 0644); run chmod 600 on it", path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	unlink(path);
}

/* LoadCredential=: $CREDENTIALS_DIRECTORY/NAME, owner-only as a file. */
static void
test_credential(void **state)
{
	char dir[] = "/tmp/enforcer-cred-XXXXXX";
	char *s, *cause = NULL, *path;
	FILE *fp;

	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(secret_read(&s, NULL, NULL, "pw", &cause), -1);
	assert_string_equal(cause, "credential 'pw' (password_credential): "
	    "$CREDENTIALS_DIRECTORY is not set: run under systemd with "
	    "LoadCredential=pw:FILE");
	free(cause);
	cause = NULL;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/pw", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("from-systemd\n", fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0400), 0);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	assert_int_equal(secret_read(&s, NULL, NULL, "pw", &cause), 0);
	assert_string_equal(s, "from-systemd");
	secret_free(s);
	/* An environment variable, when named, wins. */
	setenv("ENFORCER_TEST_PW", "env", 1);
	assert_int_equal(secret_read(&s, "ENFORCER_TEST_PW", NULL, NULL,
	    &cause), 0);
	assert_string_equal(s, "env");
	secret_free(s);
	unsetenv("ENFORCER_TEST_PW");
	unsetenv("CREDENTIALS_DIRECTORY");
	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_file_mode),
		cmocka_unit_test(test_credential),
	};

	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
