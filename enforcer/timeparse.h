/*
 * timeparse.h: instants and durations as the desired state, the hosts and
 * the reports write them: RFC 3339 in UTC and "1h30m".  Needs nothing of
 * the model, so that state modules use it too.
 */
#ifndef ENFORCER_TIMEPARSE_H
#define ENFORCER_TIMEPARSE_H

#include <stddef.h>
#include <time.h>

#define TIMEPARSE_UTC_LEN	32

/*
 * RFC 3339 date-time ("2026-11-25T09:00:00Z", "...T10:00:00+01:00";
 * fractions of a second are dropped) to a time_t.
 */
int timeparse_rfc3339(const char *s, time_t *out, char **cause);

/* The longest duration: 100 years of 365 days. */
#define TIMEPARSE_MAX_DURATION	(36500LL * 86400)

/*
 * Duration: one or more of <N>d <N>h <N>m <N>s in that order ("90s",
 * "1h30m", "1d") to seconds, at most TIMEPARSE_MAX_DURATION.  The cause
 * reads "bad duration '2x' (use e.g. 90s, 15m, 2h, 1d)".
 */
int timeparse_duration(const char *s, long long *out, char **cause);

/* "2026-11-25T11:00:00Z" into buf (at least TIMEPARSE_UTC_LEN bytes). */
void timeparse_format_utc(time_t, char *buf, size_t len);

/* "1h30m", "8h", "0s" */
void timeparse_format_duration(long long seconds, char *buf, size_t len);

#endif
