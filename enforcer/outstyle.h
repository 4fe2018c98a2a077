/*
 * outstyle.h: how a line of output is dressed for where it goes.  To the
 * journal (stdout or stderr is the stream named by $JOURNAL_STREAM), each
 * line starts with its syslog priority: <3> errors, <4> warnings, <6> the
 * rest; to a terminal, lines that say a host failed, drifted or is in
 * sync are coloured, unless $NO_COLOR is set (https://no-color.org) or
 * TERM is dumb; anywhere else, lines are left as they are.
 *
 * termsafe.c calls outstyle_line() for each line it has escaped, so what
 * is added here is the only control sequence that reaches a terminal.
 */
#ifndef ENFORCER_OUTSTYLE_H
#define ENFORCER_OUTSTYLE_H

#include <stddef.h>

#include "util.h"

enum outstyle_class {
	OUTSTYLE_INFO,		/* <6>, no colour */
	OUTSTYLE_OK,		/* <6>, green: "host: in sync" */
	OUTSTYLE_CHANGE,	/* <6>, yellow: "host: 2 changes" */
	OUTSTYLE_WARNING,	/* <4>, yellow: "warning:", "WARNING:" */
	OUTSTYLE_ERROR,		/* <3>, red: stderr, "failed:" */
};

/* Decide, once, for descriptors 1 and 2: journal, colour or plain. */
void outstyle_init(void);

/* fd (1 or 2) gets decorated lines: termsafe buffers it by line. */
int outstyle_active(int fd);

/* What a line written to fd says (without its newline). */
enum outstyle_class outstyle_classify(int fd, const char *line, size_t len);

/* Append line (len bytes, no newline) to out as fd's mode dresses it. */
void outstyle_line(int fd, const char *line, size_t len, struct buf *out);

#endif
