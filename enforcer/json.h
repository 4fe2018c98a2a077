/*
 * json.h: a small streaming JSON writer into a struct buf, for the --json
 * reports and the history's --json.  The writer inserts commas itself;
 * callers only open, write and close.  Strings are escaped per RFC 8259
 * (UTF-8 passes through).
 */
#ifndef ENFORCER_JSON_H
#define ENFORCER_JSON_H

#include <time.h>

#include "node.h"
#include "util.h"

#define JSON_MAX_DEPTH 32

/*
 * Two published shapes, kept byte for byte: the run report (docs/json.md)
 * is compact and writes \r as "\r"; the history (docs/history.md) puts a
 * space after ',' and ':' and writes \r and DEL as \u escapes.
 */
enum json_style {
	JSON_COMPACT,	/* {"a":1,"b":[2,3]} */
	JSON_SPACED,	/* {"a": 1, "b": [2, 3]} */
};

struct json {
	struct buf	*out;		/* borrowed */
	enum json_style	 style;
	int		 depth;
	int		 first[JSON_MAX_DEPTH];	/* no member written yet */
	int		 after_key;	/* a key was just written */
};

void json_init(struct json *, struct buf *out);	/* JSON_COMPACT */
void json_init_style(struct json *, struct buf *out, enum json_style);
void json_object_begin(struct json *);
void json_object_end(struct json *);
void json_array_begin(struct json *);
void json_array_end(struct json *);
void json_key(struct json *, const char *);
void json_string(struct json *, const char *);	/* NULL writes null */
void json_int(struct json *, long long);
void json_bool(struct json *, int);
void json_null(struct json *);
/*
 * A tree: maps as objects, sequences as arrays, plain scalars typed as
 * YAML 1.2 core reads them (null, booleans, integers), the rest strings;
 * NULL writes null.
 */
void json_node(struct json *, const struct node *);
/*
 * A value another struct json wrote (a report inside a larger object):
 * its len bytes of text go in as they are.
 */
void json_raw(struct json *, const char *text, size_t len);
/* key + value shorthands */
void json_kv_string(struct json *, const char *key, const char *value);
void json_kv_int(struct json *, const char *key, long long value);
void json_kv_bool(struct json *, const char *key, int value);
/* value as timeparse_format_utc() writes it: "2026-11-25T09:30:00Z" */
void json_kv_time(struct json *, const char *key, time_t value);
/* key: [v[0], ..., v[n - 1]] */
void json_kv_strings(struct json *, const char *key, const char *const *v,
    size_t n);

#endif
