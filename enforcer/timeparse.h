/*
 * timeparse.h: every conversion between time and text in enforcer, in one
 * place: RFC 3339 timestamps, durations such as 1h30m, the compact stamp of
 * a run id, and elapsed milliseconds.  All of it is UTC: nothing here reads
 * TZ or the local time.
 */
#ifndef ENFORCER_TIMEPARSE_H
#define ENFORCER_TIMEPARSE_H

#include <stddef.h>
#include <time.h>

/* Room for timeparse_format_utc() and timeparse_format_stamp(). */
#define TIMEPARSE_UTC_LEN	32

/* The longest duration: 100 years of 365 days. */
#define TIMEPARSE_MAX_DURATION	(36500LL * 86400)

/*
 * RFC 3339 date-time ("2026-11-25T09:00:00Z", "...T10:00:00+01:00";
 * fractions of a second are dropped) to a time_t.
 */
int timeparse_rfc3339(const char *s, time_t *out, char **cause);

/*
 * Only the exact form timeparse_format_utc() writes, as the history keeps
 * it ("2026-11-25T09:30:00Z"): 0, or -1 for anything else.
 */
int timeparse_utc(const char *s, time_t *out);

/*
 * Duration: one or more of <N>d <N>h <N>m <N>s in that order ("90s",
 * "1h30m", "1d") to seconds, at most TIMEPARSE_MAX_DURATION.  The cause
 * reads "bad duration '2x' (use e.g. 90s, 15m, 2h, 1d)".
 */
int timeparse_duration(const char *s, long long *out, char **cause);

/* "2026-11-25T11:00:00Z" into buf (at least TIMEPARSE_UTC_LEN bytes). */
void timeparse_format_utc(time_t, char *buf, size_t len);

/* "20261125T110000Z", the stamp of a run id (TIMEPARSE_UTC_LEN bytes). */
void timeparse_format_stamp(time_t, char *buf, size_t len);

/* "11:00Z", the time of day in messages; free(). */
char *timeparse_hhmm(time_t);

/* "1h30m", "8h", "0s" */
void timeparse_format_duration(long long seconds, char *buf, size_t len);

/* Milliseconds from t0 to t1. */
long timeparse_ms_between(const struct timespec *t0,
    const struct timespec *t1);

/* Milliseconds since t0, a CLOCK_MONOTONIC reading. */
long timeparse_ms_since(const struct timespec *t0);

#endif
