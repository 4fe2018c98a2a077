/*
 * lock.c: one run at a time per desired state; see lock.h.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

struct runlock {
	int	 fd;
	char	*path;
};

static long
lock_holder(int fd)
{
	char text[32];
	ssize_t n;

	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

int
lock_acquire(struct runlock **out, const char *path, int wait, char **cause)
{
	struct runlock *l;
	char pid[32];
	int fd, n;

	*out = NULL;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return cause_set(cause, "lock '%s': %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK || !wait) {
			long holder = lock_holder(fd);

			close(fd);
			if (errno == EWOULDBLOCK)
				return cause_set(cause, "another enforcer run "
				    "(pid %ld) holds '%s'; not waiting "
				    "(--no-wait)", holder, path);
			return cause_set(cause, "lock '%s': %s", path,
			    strerror(errno));
		}
		fprintf(stderr, "enforcer: waiting for another run (pid %ld) "
		    "holding '%s'\n", lock_holder(fd), path);
		if (flock(fd, LOCK_EX) == -1) {
			close(fd);
			return cause_set(cause, "lock '%s': %s", path,
			    strerror(errno));
		}
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n) {
		close(fd);
		return cause_set(cause, "lock '%s': %s", path, strerror(errno));
	}
	l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	l->path = xstrdup(path);
	*out = l;
	return 0;
}

void
lock_release(struct runlock *l)
{
	if (l == NULL)
		return;
	/* Leave the file: unlinking it would race with a waiting run. */
	close(l->fd);
	free(l->path);
	free(l);
}

char *
lock_path_for(const char *dir)
{
	struct stat st;
	char *git, *path;

	git = xasprintf("%s/.git", dir);
	if (stat(git, &st) == 0 && S_ISDIR(st.st_mode))
		path = xasprintf("%s/enforcer.lock", git);
	else if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		path = xasprintf("%s/.enforcer.lock", dir);
	else
		path = xasprintf("%s.lock", dir);
	free(git);
	return path;
}
