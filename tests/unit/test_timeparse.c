/*
 * test_timeparse.c: RFC 3339 timestamps and durations, both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "timeparse.h"

static time_t
ts_ok(const char *s)
{
	char *cause = NULL;
	time_t t = 0;

	if (timeparse_rfc3339(s, &t, &cause) != 0)
		fail_msg("'%s' refused: %s", s, cause);
	assert_null(cause);
	return t;
}

static void
ts_bad(const char *s)
{
	char *cause = NULL, *want;
	time_t t = 12345;

	if (timeparse_rfc3339(s, &t, &cause) != -1)
		fail_msg("'%s' accepted", s);
	assert_int_equal(t, 12345);	/* untouched on failure */
	want = xasprintf("'%s' is not an RFC 3339 timestamp", s);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
}

static void
test_rfc3339_valid(void **state)
{
	assert_int_equal(ts_ok("2026-11-25T09:00:00Z"), 1795597200);
	/* Offsets are converted to UTC. */
	assert_int_equal(ts_ok("2026-11-25T10:00:00+01:00"), 1795597200);
	assert_int_equal(ts_ok("2026-11-25T04:30:00-04:30"), 1795597200);
	/* Lower case, a space for the T, fractions dropped (RFC 3339 5.6). */
	assert_int_equal(ts_ok("2026-11-25t09:00:00z"), 1795597200);
	assert_int_equal(ts_ok("2026-11-25 09:00:00Z"), 1795597200);
	assert_int_equal(ts_ok("2026-11-25T09:00:00.999Z"), 1795597200);
	assert_int_equal(ts_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(ts_ok("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(ts_ok("2024-02-29T12:00:00Z"), 1709208000);
	assert_int_equal(ts_ok("2000-02-29T00:00:00Z"), 951782400);
	assert_int_equal(ts_ok("9999-12-31T23:59:59Z"), 253402300799LL);
}

static void
test_rfc3339_invalid(void **state)
{
	ts_bad("2026-13-01");
	ts_bad("2026-11-25");			/* a date is not an instant */
	ts_bad("2026-11-25T09:00:00");		/* no offset: local time? */
	ts_bad("2026-11-25T09:00Z");		/* no seconds */
	ts_bad("2026-02-29T00:00:00Z");		/* not a leap year */
	ts_bad("1900-02-29T00:00:00Z");		/* nor is 1900 */
	ts_bad("2026-04-31T00:00:00Z");
	ts_bad("2026-00-10T00:00:00Z");
	ts_bad("2026-11-00T00:00:00Z");
	ts_bad("2026-11-25T24:00:00Z");
	ts_bad("2026-11-25T09:60:00Z");
	ts_bad("2026-11-25T09:00:60Z");		/* no leap seconds in time_t */
	ts_bad("2026-11-25T09:00:00+24:00");
	ts_bad("2026-11-25T09:00:00+0100");
	ts_bad("2026-11-25T09:00:00.Z");
	ts_bad("2026-11-25T09:00:00Z ");
	ts_bad("2026-11-25X09:00:00Z");
	ts_bad("26-11-25T09:00:00Z");
	ts_bad("");
	ts_bad("now");
}

static void
test_format_utc(void **state)
{
	char buf[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(1795604400, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-25T11:00:00Z");
	timeparse_format_utc(ts_ok("2026-11-25T12:00:00+01:00"), buf,
	    sizeof(buf));
	assert_string_equal(buf, "2026-11-25T11:00:00Z");
	timeparse_format_utc(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
}

static long long
dur_ok(const char *s)
{
	char *cause = NULL;
	long long v = -1;

	if (timeparse_duration(s, &v, &cause) != 0)
		fail_msg("'%s' refused: %s", s, cause);
	return v;
}

static void
dur_bad(const char *s)
{
	char *cause = NULL, *want;
	long long v = 7;

	if (timeparse_duration(s, &v, &cause) != -1)
		fail_msg("'%s' accepted", s);
	assert_int_equal(v, 7);
	want = xasprintf("bad duration '%s' (use e.g. 90s, 15m, 2h, 1d)", s);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
}

static void
test_duration(void **state)
{
	assert_int_equal(dur_ok("90s"), 90);
	assert_int_equal(dur_ok("15m"), 900);
	assert_int_equal(dur_ok("2h"), 7200);
	assert_int_equal(dur_ok("1d"), 86400);
	assert_int_equal(dur_ok("1h30m"), 5400);
	assert_int_equal(dur_ok("1d2h3m4s"), 93784);
	assert_int_equal(dur_ok("90m"), 5400);
	assert_int_equal(dur_ok("0s"), 0);
	dur_bad("");
	dur_bad("2x");
	dur_bad("2");
	dur_bad("h");
	dur_bad("30m1h");		/* units largest first */
	dur_bad("1h1h");		/* each once */
	dur_bad("-1h");
	dur_bad("1 h");
	dur_bad("1H");
	dur_bad("99999999999999999999s");
	dur_bad("99999999999999999d");	/* overflows once in seconds */
}

static void
test_duration_bound(void **state)
{
	char *cause = NULL;
	long long v;

	/* 100 years: any time_t of years 0-9999 plus this cannot overflow. */
	assert_int_equal(dur_ok("36500d"), TIMEPARSE_MAX_DURATION);
	assert_int_equal(timeparse_duration("36500d1s", &v, &cause), -1);
	assert_string_equal(cause,
	    "duration '36500d1s' is too long (at most 36500d)");
	free(cause);
	cause = NULL;
	/* The largest number that parses at all is refused the same way. */
	assert_int_equal(timeparse_duration("9223372036854775799s", &v,
	    &cause), -1);
	assert_string_equal(cause, "duration '9223372036854775799s' is too "
	    "long (at most 36500d)");
	free(cause);
}

static void
test_format_duration(void **state)
{
	char buf[32];

	timeparse_format_duration(5400, buf, sizeof(buf));
	assert_string_equal(buf, "1h30m");
	timeparse_format_duration(43200, buf, sizeof(buf));
	assert_string_equal(buf, "12h");
	timeparse_format_duration(90061, buf, sizeof(buf));
	assert_string_equal(buf, "1d1h1m1s");
	timeparse_format_duration(0, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
	/* What it prints, it parses back. */
	assert_int_equal(dur_ok("1d1h1m1s"), 90061);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_valid),
		cmocka_unit_test(test_rfc3339_invalid),
		cmocka_unit_test(test_format_utc),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_bound),
		cmocka_unit_test(test_format_duration),
	};

	return cmocka_run_group_tests_name("timeparse", tests, NULL, NULL);
}
