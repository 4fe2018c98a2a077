/*
 * report.h: a run rendered for people (text) or programs (--json).
 * The JSON shape is documented in docs/json.md and is stable: fields are
 * only ever added.
 */
#ifndef ENFORCER_REPORT_H
#define ENFORCER_REPORT_H

#include "engine.h"
#include "util.h"

struct json;

/* verb: "plan" or "apply". */
void report_text(struct buf *out, const struct engine_run *, const char *verb);
void report_json(struct buf *out, const struct engine_run *, const char *verb);

/*
 * Begin, in out, an object of the report's conventions for another verb
 * ({"version":1,"verb":verb ...): the caller adds its members, then
 * json_object_end().
 */
void report_json_begin(struct json *j, struct buf *out, const char *verb);

/*
 * The same object with more members, which extra writes (json_kv_*) after
 * the report's own (revert: what it reverts and what it refused).
 */
void report_json_with(struct buf *out, const struct engine_run *,
    const char *verb, void (*extra)(struct json *, const void *),
    const void *arg);

#endif
