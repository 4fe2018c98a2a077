/*
 * util.h: memory, growable buffers and error causes shared by the engine,
 * the state modules and the simulator.
 *
 * Conventions used everywhere in the project:
 *  - Out of memory is fatal (xmalloc.c); nothing else is.
 *  - A function that can fail returns 0 or -1 and, on failure, fills
 *    "char **cause" with a message the caller owns and must free().  Only
 *    the CLI prints a cause; everything below it returns one.
 *  - Every *_free() accepts NULL.
 */
#ifndef ENFORCER_UTIL_H
#define ENFORCER_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#ifdef __GNUC__
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTFLIKE(f, a)
#define NORETURN
#endif

/* xmalloc.c: allocation that never returns NULL (aborts on exhaustion). */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) PRINTFLIKE(1, 2);
char *xvasprintf(const char *, va_list) PRINTFLIKE(1, 0);
void fatal(const char *, ...) PRINTFLIKE(1, 2) NORETURN;

/*
 * Set *cause (when cause is not NULL) to a newly allocated message and
 * return -1, so that error paths read "return cause_set(cause, ...);".
 * An existing *cause is freed first.
 */
int cause_set(char **cause, const char *, ...) PRINTFLIKE(2, 3);

/*
 * Prefix an existing *cause with "prefix: ", e.g. a host name or an
 * operation, and return -1.
 */
int cause_prefix(char **cause, const char *, ...) PRINTFLIKE(2, 3);

/*
 * buf.c: a growable byte buffer (after git's strbuf).
 *
 * Invariants: after any successful call, ptr[len] == '\0' whenever ptr is
 * not NULL; a buffer initialised with BUF_INIT owns nothing until the first
 * append.  buf_cstr() never returns NULL.
 */
struct buf {
	char	*ptr;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *);
void buf_grow(struct buf *, size_t extra);
void buf_add(struct buf *, const void *, size_t);
void buf_puts(struct buf *, const char *);
void buf_putc(struct buf *, char);
void buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void buf_vprintf(struct buf *, const char *, va_list) PRINTFLIKE(2, 0);
void buf_truncate(struct buf *, size_t len);
void buf_reset(struct buf *);			/* len = 0, keeps memory */
const char *buf_cstr(const struct buf *);	/* borrowed, "" if empty */
char *buf_detach(struct buf *);		/* caller owns; buf is reset */
void buf_release(struct buf *);		/* frees memory, back to BUF_INIT */

/*
 * errors.c: a list of error messages, for code that reports every problem
 * it finds before failing once (the loader, the schema validator).
 */
struct errors {
	char	**msg;
	size_t	  n;
};
#define ERRORS_INIT { NULL, 0 }

void errors_addf(struct errors *, const char *, ...) PRINTFLIKE(2, 3);
void errors_add_owned(struct errors *, char *msg);	/* takes msg */
void errors_clear(struct errors *);

/*
 * csv.c: field i (from 0) of the first CSV line of s ("a","b",... as
 * schtasks /FO CSV prints), without its quotes, "" read as "; NULL if the
 * line has fewer fields or is not quoted CSV.  Caller frees.
 */
char *csv_nth(const char *s, size_t i);

/* strv.c: s is one of the n strings of v (exact comparison). */
int strv_has(const char **v, size_t n, const char *s);

#endif
