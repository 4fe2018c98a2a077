/*
 * json.h: a small streaming JSON writer into a struct buf, for the --json
 * reports.  The writer inserts commas itself; callers only open, write and
 * close.  Strings are escaped per RFC 8259 (UTF-8 passes through).
 */
#ifndef ENFORCER_JSON_H
#define ENFORCER_JSON_H

#include "util.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct buf	*out;		/* borrowed */
	int		 depth;
	int		 first[JSON_MAX_DEPTH];	/* no member written yet */
	int		 after_key;	/* a key was just written */
};

void json_init(struct json *, struct buf *out);
void json_object_begin(struct json *);
void json_object_end(struct json *);
void json_array_begin(struct json *);
void json_array_end(struct json *);
void json_key(struct json *, const char *);
void json_string(struct json *, const char *);	/* NULL writes null */
void json_int(struct json *, long long);
void json_bool(struct json *, int);
void json_null(struct json *);
/* key + value shorthands */
void json_kv_string(struct json *, const char *key, const char *value);
void json_kv_int(struct json *, const char *key, long long value);
void json_kv_bool(struct json *, const char *key, int value);

#endif
