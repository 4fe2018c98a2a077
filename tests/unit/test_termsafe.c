/*
 * test_termsafe.c: the output filter escapes what could drive a terminal
 * and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "termsafe.h"

static void
escaped_is(const char *in, size_t n, const char *want)
{
	char out[256];
	int pending = 0;

	termsafe_escape(in, n, &pending, out);
	assert_string_equal(out, want);
	assert_int_equal(pending, 0);
}

static void
test_plain(void **state)
{
	escaped_is("in sync\n\ttab", 12, "in sync\n\ttab");
	/* Non-ASCII text is not a control: Administratoren, 管理者. */
	escaped_is("Gr\xc3\xbc\xc3\x9f \xe7\xae\xa1", 10,
	    "Gr\xc3\xbc\xc3\x9f \xe7\xae\xa1");
	/* C2 followed by a printable character is U+00A0..U+00BF. */
	escaped_is("\xc2\xa0x", 3, "\xc2\xa0x");
}

static void
test_controls(void **state)
{
	escaped_is("a\033[2Kb\rc\0d", 10, "a\\x1b[2Kb\\x0dc\\x00d");
	escaped_is("del\x7f", 4, "del\\u007f");
	escaped_is("csi\xc2\x9b" "1A", 7, "csi\\u009b1A");
}

static void
test_split_c1(void **state)
{
	char out[64];
	int pending = 0;

	/* A C1 control cut between two writes is still caught. */
	termsafe_escape("x\xc2", 2, &pending, out);
	assert_string_equal(out, "x");
	assert_int_equal(pending, 1);
	termsafe_escape("\x9by", 2, &pending, out);
	assert_string_equal(out, "\\u009by");
	assert_int_equal(pending, 0);
	/* A held C2 that turns out to start U+00A9 comes back. */
	termsafe_escape("\xc2", 1, &pending, out);
	termsafe_escape("\xa9", 1, &pending, out);
	assert_string_equal(out, "\xc2\xa9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_split_c1),
	};

	return cmocka_run_group_tests_name("termsafe", tests, NULL, NULL);
}
