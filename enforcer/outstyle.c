/*
 * outstyle.c: syslog priorities for the journal, colours for a terminal.
 * See outstyle.h.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outstyle.h"

enum outstyle_mode {
	OUTSTYLE_PLAIN,
	OUTSTYLE_JOURNAL,
	OUTSTYLE_COLOUR,
};

static enum outstyle_mode outstyle_modes[3];

/*
 * systemd sets JOURNAL_STREAM to "DEV:INODE" of the journal's socket; a
 * descriptor is the journal when it is still that socket (a shell
 * redirection in ExecStart= would have replaced it).
 */
static int
outstyle_is_journal(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (env == NULL || sscanf(env, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return 0;
	if (fstat(fd, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

static int
outstyle_wants_colour(int fd)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	if (no != NULL && *no != '\0')
		return 0;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}

void
outstyle_init(void)
{
	int fd;

	for (fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
		if (outstyle_is_journal(fd))
			outstyle_modes[fd] = OUTSTYLE_JOURNAL;
		else if (outstyle_wants_colour(fd))
			outstyle_modes[fd] = OUTSTYLE_COLOUR;
		else
			outstyle_modes[fd] = OUTSTYLE_PLAIN;
	}
}

int
outstyle_active(int fd)
{
	return (fd == STDOUT_FILENO || fd == STDERR_FILENO) &&
	    outstyle_modes[fd] != OUTSTYLE_PLAIN;
}

static int
outstyle_has(const char *line, size_t len, const char *word)
{
	return memmem(line, len, word, strlen(word)) != NULL;
}

static int
outstyle_ends(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && memcmp(line + len - n, word, n) == 0;
}

/*
 * The report's own shapes (report.c): "host: in sync", "host: N
 * change(s)", "host: failed: ...", "failed: host: ...", "host: WARNING:".
 * On stderr everything is an error but warnings.
 */
enum outstyle_class
outstyle_classify(int fd, const char *line, size_t len)
{
	if (outstyle_has(line, len, "warning:") ||
	    outstyle_has(line, len, "WARNING:"))
		return OUTSTYLE_WARNING;
	if (fd == STDERR_FILENO)
		return OUTSTYLE_ERROR;
	if ((len >= 7 && memcmp(line, "failed:", 7) == 0) ||
	    outstyle_has(line, len, ": failed:"))
		return OUTSTYLE_ERROR;
	if (outstyle_ends(line, len, ": in sync"))
		return OUTSTYLE_OK;
	if (outstyle_ends(line, len, " change") ||
	    outstyle_ends(line, len, " changes"))
		return OUTSTYLE_CHANGE;
	return OUTSTYLE_INFO;
}

void
outstyle_line(int fd, const char *line, size_t len, struct buf *out)
{
	static const char *const prio[] = { "<6>", "<6>", "<6>", "<4>", "<3>" };
	static const char *const sgr[] = { NULL, "\033[32m", "\033[33m",
	    "\033[33m", "\033[31m" };
	enum outstyle_class c = outstyle_classify(fd, line, len);
	enum outstyle_mode mode = fd == STDOUT_FILENO || fd == STDERR_FILENO ?
	    outstyle_modes[fd] : OUTSTYLE_PLAIN;

	if (mode == OUTSTYLE_JOURNAL)
		buf_puts(out, prio[c]);
	if (mode == OUTSTYLE_COLOUR && sgr[c] != NULL && len > 0) {
		buf_puts(out, sgr[c]);
		buf_add(out, line, len);
		buf_puts(out, "\033[0m");
		return;
	}
	buf_add(out, line, len);
}
