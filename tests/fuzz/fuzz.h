/*
 * fuzz.h: what the libFuzzer targets share.  Each fuzz_<name>.c defines
 * LLVMFuzzerTestOneInput for one parser of untrusted input (the desired
 * state, or what a host returns); tests/fuzz/README.md lists them with
 * their seed corpora.  Header-only: one target includes it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define FUZZ_FN static __attribute__((unused))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (it may hold other NULs).  free(). */
FUZZ_FN char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Split the input at each 0xFF byte (never part of UTF-8, so XML and text
 * chunks cannot contain it): the replies or outputs of one scripted
 * exchange, in order.  *n chunks, each NUL-terminated; fuzz_chunks_free().
 */
struct fuzz_chunk {
	char	*text;
	size_t	 len;
};

FUZZ_FN struct fuzz_chunk *
fuzz_chunks(const uint8_t *data, size_t size, size_t *n)
{
	struct fuzz_chunk *v = NULL;
	size_t start = 0, i;

	*n = 0;
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[*n].text = fuzz_cstr(data + start, i - start);
		v[*n].len = i - start;
		(*n)++;
		start = i + 1;
	}
	return v;
}

FUZZ_FN void
fuzz_chunks_free(struct fuzz_chunk *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

/*
 * Time does not pass inside an input: the client's pauses (retry backoff,
 * an empty Receive) return at once, so that a script of replies is
 * explored at full speed.  The Makefile links every target with
 * -Wl,--wrap=nanosleep; libFuzzer's own threads still sleep.
 */
static _Thread_local int fuzz_in_input;

int __real_nanosleep(const struct timespec *, struct timespec *);
int __wrap_nanosleep(const struct timespec *, struct timespec *);

int
__wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (fuzz_in_input)
		return 0;
	return __real_nanosleep(req, rem);
}

#endif
