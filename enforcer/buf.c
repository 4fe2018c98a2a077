/*
 * buf.c: growable byte buffer; see util.h for the invariants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
buf_init(struct buf *b)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > (size_t)-1 - b->len - 1)
		fatal("buffer size overflows");
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > ((size_t)-1) / 2 ? want : b->cap * 2;
	b->ptr = xrealloc(b->ptr, b->cap);
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len > 0)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("bad format string");
	buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->ptr[len] = '\0';
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

const char *
buf_cstr(const struct buf *b)
{
	return b->ptr != NULL ? b->ptr : "";
}

char *
buf_detach(struct buf *b)
{
	char *p;

	p = b->ptr != NULL ? b->ptr : xstrdup("");
	buf_init(b);
	return p;
}

void
buf_release(struct buf *b)
{
	free(b->ptr);
	buf_init(b);
}
