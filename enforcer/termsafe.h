/*
 * termsafe.h: what enforcer prints cannot drive the operator's terminal.
 *
 * Host data (a group member's name, a certificate subject, a fault's text)
 * reaches plans, reports and history listings; a hostile host could put
 * escape sequences in it and hide or rewrite lines of a plan.  Rather than
 * escaping at every one of the hundreds of places that print, main()
 * routes stdout and stderr through a filter that shows every C0 control
 * but newline and tab as \xNN, and DEL and the C1 controls (U+0080 to
 * U+009F, which some terminals obey) as \u00NN.  JSON output holds no raw
 * C0 control (json.c escapes them), and \u00NN is JSON's own escape for
 * the rest, so JSON stays valid and means the same.
 */
#ifndef ENFORCER_TERMSAFE_H
#define ENFORCER_TERMSAFE_H

#include <stddef.h>

/*
 * Replace stdout (buffered as stdio would) and stderr (unbuffered) by
 * filtering streams over file descriptors 1 and 2.  Call once, first thing
 * in main().  Output meant to control the terminal (the progress line)
 * goes to the descriptor directly.
 */
void termsafe_wrap(void);

/*
 * The filter itself, for tests: escapes n bytes of s into out (at least
 * 6 * n + 1 bytes), carrying a C1 lead byte across calls in *pending.
 * Returns the length written.
 */
size_t termsafe_escape(const char *s, size_t n, int *pending, char *out);

#endif
