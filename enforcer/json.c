/*
 * json.c: streaming JSON writer; see json.h.
 */
#include <stdio.h>

#include "json.h"

void
json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = 1;
	j->after_key = 0;
}

/* Separator before a value or key at the current depth. */
static void
json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!j->first[j->depth])
		buf_putc(j->out, ',');
	j->first[j->depth] = 0;
}

static void
json_open(struct json *j, char c)
{
	json_sep(j);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		fatal("json: nesting too deep");
	buf_putc(j->out, c);
	j->first[++j->depth] = 1;
}

static void
json_close(struct json *j, char c)
{
	j->depth--;
	buf_putc(j->out, c);
}

void
json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void
json_object_end(struct json *j)
{
	json_close(j, '}');
}

void
json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void
json_array_end(struct json *j)
{
	json_close(j, ']');
}

static void
json_quote(struct buf *out, const char *s)
{
	const unsigned char *p;

	buf_putc(out, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			buf_puts(out, "\\\"");
			break;
		case '\\':
			buf_puts(out, "\\\\");
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		case '\r':
			buf_puts(out, "\\r");
			break;
		case '\t':
			buf_puts(out, "\\t");
			break;
		default:
			if (*p < 0x20)
				buf_printf(out, "\\u%04x", *p);
			else
				buf_putc(out, (char)*p);
		}
	}
	buf_putc(out, '"');
}

void
json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_quote(j->out, key);
	buf_putc(j->out, ':');
	j->after_key = 1;
}

void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_sep(j);
	json_quote(j->out, s);
}

void
json_int(struct json *j, long long v)
{
	json_sep(j);
	buf_printf(j->out, "%lld", v);
}

void
json_bool(struct json *j, int v)
{
	json_sep(j);
	buf_puts(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	json_sep(j);
	buf_puts(j->out, "null");
}

void
json_kv_string(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	json_string(j, value);
}

void
json_kv_int(struct json *j, const char *key, long long value)
{
	json_key(j, key);
	json_int(j, value);
}

void
json_kv_bool(struct json *j, const char *key, int value)
{
	json_key(j, key);
	json_bool(j, value);
}
