/*
 * termsafe.c: stdout and stderr through a filter that escapes control
 * characters (termsafe.h says why).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outstyle.h"
#include "termsafe.h"
#include "util.h"

#define TERMSAFE_C1_LEAD	0xc2	/* U+0080..U+009F: C2 80..C2 9F */

struct termsafe {
	int		fd;
	int		pending;	/* a C2 byte held back, or 0 */
	struct buf	line;		/* outstyle: the escaped line so far */
};

size_t
termsafe_escape(const char *s, size_t n, int *pending, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (*pending) {
			*pending = 0;
			if (u[i] >= 0x80 && u[i] <= 0x9f) {
				o += (size_t)sprintf(out + o, "\\u%04x", u[i]);
				continue;
			}
			out[o++] = (char)TERMSAFE_C1_LEAD;
		}
		if (u[i] == TERMSAFE_C1_LEAD)
			*pending = 1;
		else if (u[i] < 0x20 && u[i] != '\n' && u[i] != '\t')
			o += (size_t)sprintf(out + o, "\\x%02x", u[i]);
		else if (u[i] == 0x7f)	/* as JSON writes it: a raw DEL may
					   stand inside a JSON string */
			o += (size_t)sprintf(out + o, "\\u%04x", u[i]);
		else
			out[o++] = (char)u[i];
	}
	out[o] = '\0';
	return o;
}

static int
termsafe_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Decorated output (outstyle.h) goes out a whole line at a time, so that
 * a priority or a colour covers the line however stdio cut it up.
 */
static int
termsafe_lines(struct termsafe *t, const char *p, size_t n, int flush)
{
	struct buf out = BUF_INIT;
	const char *nl;
	size_t len;
	int rc;

	buf_add(&t->line, p, n);
	p = t->line.ptr;
	len = t->line.len;
	while (len > 0 && (nl = memchr(p, '\n', len)) != NULL) {
		outstyle_line(t->fd, p, (size_t)(nl - p), &out);
		buf_putc(&out, '\n');
		len -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	if (flush && len > 0) {
		outstyle_line(t->fd, p, len, &out);
		len = 0;
	}
	memmove(t->line.ptr, p, len);
	buf_truncate(&t->line, len);
	rc = termsafe_write_all(t->fd, out.ptr, out.len);
	buf_release(&out);
	return rc;
}

static ssize_t
termsafe_write(void *cookie, const char *buf, size_t n)
{
	struct termsafe *t = cookie;
	char *out;
	size_t len;
	int rc;

	out = xmalloc(6 * n + 1);
	len = termsafe_escape(buf, n, &t->pending, out);
	if (outstyle_active(t->fd))
		rc = termsafe_lines(t, out, len, 0);
	else
		rc = termsafe_write_all(t->fd, out, len);
	free(out);
	return rc == -1 ? -1 : (ssize_t)n;
}

static int
termsafe_close(void *cookie)
{
	struct termsafe *t = cookie;
	char lead = (char)TERMSAFE_C1_LEAD;

	/* A lone C2 at the very end is not a C1 control: let it out. */
	if (t->pending && outstyle_active(t->fd))
		buf_putc(&t->line, lead);
	else if (t->pending)
		termsafe_write_all(t->fd, &lead, 1);
	if (outstyle_active(t->fd))
		termsafe_lines(t, NULL, 0, 1);
	buf_release(&t->line);
	return 0;
}

/* The two streams live as long as the process: no allocation to free. */
static struct termsafe termsafe_out = { STDOUT_FILENO, 0, BUF_INIT };
static struct termsafe termsafe_err = { STDERR_FILENO, 0, BUF_INIT };

static FILE *
termsafe_open(struct termsafe *t, int mode)
{
	cookie_io_functions_t io = { NULL, termsafe_write, NULL,
	    termsafe_close };
	FILE *fp;

	if ((fp = fopencookie(t, "w", io)) == NULL)
		fatal("fopencookie: %s", strerror(errno));
	setvbuf(fp, NULL, mode, 0);
	return fp;
}

void
termsafe_wrap(void)
{
	fflush(stdout);
	fflush(stderr);
	outstyle_init();
	/* As stdio does: line by line to a terminal, in blocks otherwise. */
	stdout = termsafe_open(&termsafe_out, isatty(STDOUT_FILENO) ?
	    _IOLBF : _IOFBF);
	stderr = termsafe_open(&termsafe_err, _IONBF);
}
