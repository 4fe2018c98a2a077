/*
 * timeparse.c: RFC 3339 timestamps and durations such as 1h30m.
 *
 * Conversion to time_t is done by hand (days from the civil date) rather
 * than with mktime/timegm so that neither TZ nor the C library's notion of
 * local time can shift a window.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeparse.h"
#include "util.h"

/* Duration units, largest first: the order they must be written in. */
static const struct {
	char		unit;
	long long	seconds;
} tp_units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };

/* Exactly n decimal digits. */
static int
tp_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

static int
tp_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
tp_mdays(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m == 2 && tp_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long
tp_days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "Z", "z" or "+HH:MM" / "-HH:MM" to seconds east of UTC. */
static int
tp_offset(const char **p, long long *out)
{
	int sign, h, m;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*out = 0;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return -1;
	sign = *(*p)++ == '-' ? -1 : 1;
	if (tp_digits(p, 2, &h) == -1 || *(*p)++ != ':' ||
	    tp_digits(p, 2, &m) == -1 || h > 23 || m > 59)
		return -1;
	*out = sign * (h * 3600LL + m * 60LL);
	return 0;
}

int
timeparse_rfc3339(const char *s, time_t *out, char **cause)
{
	const char *p = s;
	int y, mo, d, h, mi, sec;
	long long off, t;

	if (tp_digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    tp_digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    tp_digits(&p, 2, &d) == -1)
		goto bad;
	/* RFC 3339 5.6 allows a space in place of the "T". */
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto bad;
	p++;
	if (tp_digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    tp_digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    tp_digits(&p, 2, &sec) == -1)
		goto bad;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			goto bad;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (tp_offset(&p, &off) == -1 || *p != '\0')
		goto bad;
	/* time_t has no leap seconds: refuse :60 rather than guess. */
	if (mo < 1 || mo > 12 || d < 1 || d > tp_mdays(y, mo) || h > 23 ||
	    mi > 59 || sec > 59)
		goto bad;
	t = tp_days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL +
	    sec - off;
	if ((long long)(time_t)t != t)
		goto bad;
	*out = (time_t)t;
	return 0;
bad:
	return cause_set(cause, "'%s' is not an RFC 3339 timestamp", s);
}

int
timeparse_duration(const char *s, long long *out, char **cause)
{
	const char *p = s;
	long long total = 0, v;
	size_t u = 0;

	if (*p == '\0')
		goto bad;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			goto bad;
		for (v = 0; *p >= '0' && *p <= '9'; p++) {
			if (v > (LLONG_MAX - 9) / 10)
				goto bad;
			v = v * 10 + (*p - '0');
		}
		/* Units in order, each at most once: "1h30m", not "30m1h". */
		while (u < nitems(tp_units) && tp_units[u].unit != *p)
			u++;
		if (u == nitems(tp_units))
			goto bad;
		if (v > (LLONG_MAX - total) / tp_units[u].seconds)
			goto bad;
		total += v * tp_units[u].seconds;
		p++;
		u++;
	}
	/* A bound that keeps any time_t plus a duration far from overflow. */
	if (total > TIMEPARSE_MAX_DURATION)
		return cause_set(cause, "duration '%s' is too long (at most "
		    "%lldd)", s, TIMEPARSE_MAX_DURATION / 86400);
	*out = total;
	return 0;
bad:
	return cause_set(cause, "bad duration '%s' (use e.g. 90s, 15m, 2h, "
	    "1d)", s);
}

/* t as strftime's fmt in UTC, or "@<seconds>" past what gmtime holds. */
static void
tp_format(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, fmt, &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

void
timeparse_format_utc(time_t t, char *buf, size_t len)
{
	tp_format(t, "%Y-%m-%dT%H:%M:%SZ", buf, len);
}

int
timeparse_utc(const char *s, time_t *out)
{
	char back[TIMEPARSE_UTC_LEN];
	time_t t;

	if (timeparse_rfc3339(s, &t, NULL) == -1)
		return -1;
	/* RFC 3339 allows offsets and fractions: insist on the exact form. */
	timeparse_format_utc(t, back, sizeof(back));
	if (strcmp(back, s) != 0)
		return -1;
	*out = t;
	return 0;
}

void
timeparse_format_stamp(time_t t, char *buf, size_t len)
{
	tp_format(t, "%Y%m%dT%H%M%SZ", buf, len);
}

char *
timeparse_hhmm(time_t t)
{
	char full[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(t, full, sizeof(full));
	/* "2026-11-25T11:00:00Z" -> "11:00Z" */
	return xasprintf("%.5sZ", full + 11);
}

void
timeparse_format_duration(long long s, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (s <= 0) {
		snprintf(buf, len, "%llds", s);
		return;
	}
	for (i = 0; i < nitems(tp_units) && off < len; i++) {
		if (s / tp_units[i].seconds == 0)
			continue;
		n = snprintf(buf + off, len - off, "%lld%c",
		    s / tp_units[i].seconds, tp_units[i].unit);
		if (n < 0)
			return;
		off += (size_t)n;
		s %= tp_units[i].seconds;
	}
}

long
timeparse_ms_between(const struct timespec *t0, const struct timespec *t1)
{
	return (long)(t1->tv_sec - t0->tv_sec) * 1000 +
	    (t1->tv_nsec - t0->tv_nsec) / 1000000;
}

long
timeparse_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return timeparse_ms_between(t0, &t1);
}
