/*
 * csv.c: one field of what schtasks /Query /FO CSV prints (host output,
 * so it is parsed defensively and fuzzed: tests/fuzz/fuzz_csv.c).
 */
#include <string.h>

#include "util.h"

char *
csv_nth(const char *s, size_t i)
{
	struct buf f = BUF_INIT;
	size_t k = 0;

	s += strspn(s, "\r\n");
	for (;;) {
		buf_reset(&f);
		if (*s++ != '"')
			break;
		while (*s != '\0' && (*s != '"' || s[1] == '"')) {
			if (*s == '"')
				s++;
			buf_putc(&f, *s++);
		}
		if (*s++ != '"')
			break;
		if (k++ == i)
			return buf_detach(&f);
		if (*s++ != ',')
			break;
	}
	buf_release(&f);
	return NULL;
}
