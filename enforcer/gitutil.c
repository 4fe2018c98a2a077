/*
 * gitutil.c: libgit2 errors as causes; bare repositories made atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gitutil.h"
#include "util.h"

int
gitutil_fail(char **cause, const char *where, const char *what)
{
	const git_error *e = git_error_last();

	return cause_set(cause, "%s: %s: %s", where, what,
	    e != NULL && e->message != NULL ? e->message : "unknown error");
}

char *
gitutil_url_public(const char *url)
{
	const char *host, *end, *at = NULL, *p;

	if ((p = strstr(url, "://")) == NULL)
		return xstrdup(url);
	host = p + 3;
	end = host + strcspn(host, "/?#");
	for (p = host; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}

static int
mkdir_parents(const char *path, char **cause)
{
	char *p, *slash;
	int rc = 0;

	p = xstrdup(path);
	for (slash = strchr(p + 1, '/'); slash != NULL && rc == 0;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			rc = cause_set(cause, "%s: %s", p, strerror(errno));
		*slash = '/';
	}
	free(p);
	return rc;
}

int
gitutil_create_bare(git_repository **out, const char *dir,
    const char *initial_head, char **cause)
{
	git_repository_init_options opts;
	git_repository *tmprepo = NULL;
	char *tmp;
	int rc = -1;

	*out = NULL;
	tmp = xasprintf("%s.new.XXXXXX", dir);
	if (mkdir_parents(tmp, cause) == -1)
		goto out;
	if (mkdtemp(tmp) == NULL) {
		cause_set(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	git_repository_init_options_init(&opts,
	    GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	opts.flags = GIT_REPOSITORY_INIT_BARE;
	opts.initial_head = initial_head;
	if (git_repository_init_ext(&tmprepo, tmp, &opts) != 0) {
		gitutil_fail(cause, tmp, "create repository");
		goto out;
	}
	if (rename(tmp, dir) == -1) {
		cause_set(cause, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (git_repository_open_bare(out, dir) != 0) {
		gitutil_fail(cause, dir, "open repository");
		goto out;
	}
	rc = 0;
out:
	git_repository_free(tmprepo);
	free(tmp);
	return rc;
}
