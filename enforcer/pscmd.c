/*
 * pscmd.c: PowerShell scripts as -EncodedCommand lines, and single-quoted
 * strings inside them.
 */
#include <string.h>

#include "pscmd.h"

/* Decode one UTF-8 character at *p; -1 when malformed. */
static long
pscmd_utf8(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned long c;
	int n;

	n = *s < 0x80 ? 0 : *s >= 0xf8 ? -1 : *s >= 0xf0 ? 3 : *s >= 0xe0 ?
	    2 : *s >= 0xc0 ? 1 : -1;
	if (n < 0)
		return -1;
	c = n == 0 ? *s : *s & (0x3f >> n);
	for (s++; n > 0; n--, s++) {
		if ((*s & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (*s & 0x3f);
	}
	*p = s;
	return (long)c;
}

static void
pscmd_u16(struct buf *out, unsigned long c)
{
	buf_putc(out, (char)(c & 0xff));
	buf_putc(out, (char)(c >> 8));
}

/* UTF-8 to UTF-16LE; -1 on malformed UTF-8. */
static int
pscmd_utf16(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	long c;

	while (*p != '\0') {
		if ((c = pscmd_utf8(&p)) < 0)
			return -1;
		if (c >= 0x10000) {
			c -= 0x10000;
			pscmd_u16(out, 0xd800 | (unsigned long)c >> 10);
			c = 0xdc00 | (c & 0x3ff);
		}
		pscmd_u16(out, (unsigned long)c);
	}
	return 0;
}

static void
pscmd_base64(const struct buf *in, struct buf *out)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
	    "rstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)in->ptr;
	unsigned long v;
	size_t i;

	for (i = 0; i < in->len; i += 3) {
		v = (unsigned long)p[i] << 16 |
		    (i + 1 < in->len ? (unsigned long)p[i + 1] << 8 : 0) |
		    (i + 2 < in->len ? p[i + 2] : 0);
		buf_putc(out, b64[v >> 18 & 63]);
		buf_putc(out, b64[v >> 12 & 63]);
		buf_putc(out, i + 1 < in->len ? b64[v >> 6 & 63] : '=');
		buf_putc(out, i + 2 < in->len ? b64[v & 63] : '=');
	}
}

char *
pscmd_line(const char *script)
{
	struct buf u16 = BUF_INIT, line = BUF_INIT;
	int rc;

	rc = pscmd_utf16(script, &u16);
	buf_puts(&line, "powershell.exe -NoProfile -NonInteractive "
	    "-EncodedCommand ");
	pscmd_base64(&u16, &line);
	buf_release(&u16);
	if (rc == 0)
		return buf_detach(&line);
	buf_release(&line);
	return NULL;
}

int
pscmd_quote(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *from;
	long c;

	while (*p != '\0')
		if ((c = pscmd_utf8(&p)) < 0x20 || c == 0x7f)
			return -1;
	buf_putc(b, '\'');
	for (p = (const unsigned char *)s; *p != '\0';) {
		from = p;
		c = pscmd_utf8(&p);
		/* PowerShell takes the typographic single quotes as ' too. */
		if (c == '\'' || (c >= 0x2018 && c <= 0x201b))
			buf_add(b, (const char *)from, (size_t)(p - from));
		buf_add(b, (const char *)from, (size_t)(p - from));
	}
	buf_putc(b, '\'');
	return 0;
}
