/*
 * gitutil.c: libgit2 errors as causes; bare repositories made atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "gitutil.h"
#include "util.h"

int
gitutil_fail(char **cause, const char *where, const char *what)
{
	const git_error *e = git_error_last();
	char *msg;
	int rc;

	/* libgit2 repeats the URL it was given, credentials and all. */
	msg = gitutil_redact(e != NULL && e->message != NULL ? e->message :
	    "unknown error");
	rc = cause_set(cause, "%s: %s: %s", where, what, msg);
	free(msg);
	return rc;
}

char *
gitutil_redact(const char *text)
{
	struct buf b = BUF_INIT;
	const char *p = text, *host, *end, *at, *q;

	while ((q = strstr(p, "://")) != NULL) {
		host = q + 3;
		end = host + strcspn(host, "/?# \t\r\n'\"<>");
		for (at = NULL, q = host; q < end; q++)
			if (*q == '@')
				at = q;
		if (at == NULL) {
			buf_add(&b, p, (size_t)(end - p));
			p = end;
			continue;
		}
		buf_add(&b, p, (size_t)(host - p));
		buf_puts(&b, "***");
		p = at;
	}
	buf_puts(&b, p);
	return buf_detach(&b);
}

int
gitutil_url_cleartext_secret(const char *url)
{
	const char *host, *end;

	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	host = url + 7;
	end = host + strcspn(host, "/?#");
	return memchr(host, '@', (size_t)(end - host)) != NULL;
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

/* path inside the work tree of repo, relative to it; NULL if outside. */
static char *
gitutil_relative(git_repository *repo, const char *path)
{
	const char *wd = git_repository_workdir(repo);
	char *abs, *rel = NULL;
	size_t n;

	if (wd == NULL || (abs = realpath(path, NULL)) == NULL)
		return NULL;
	n = strlen(wd);
	/* workdir ends in '/'; the top itself is abs without it. */
	if (strncmp(abs, wd, n) == 0)
		rel = xstrdup(abs + n);
	else if (strncmp(abs, wd, n - 1) == 0 && abs[n - 1] == '\0')
		rel = xstrdup("");
	free(abs);
	return rel;
}

static int
gitutil_dirty(git_repository *repo, const char *rel, int *dirty,
    char **cause)
{
	git_status_options so;
	git_status_list *sl = NULL;
	char *spec[1];

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	spec[0] = (char *)rel;
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	if (*rel != '\0') {
		so.pathspec.strings = spec;
		so.pathspec.count = 1;
	}
	if (git_status_list_new(&sl, repo, &so) != 0)
		return gitutil_fail(cause, git_repository_path(repo),
		    "status");
	*dirty = git_status_list_entrycount(sl) > 0;
	git_status_list_free(sl);
	return 0;
}

int
gitutil_worktree_commit(const char *path, char commit[41], int *dirty,
    char **cause)
{
	git_repository *repo = NULL;
	git_oid head;
	struct stat st;
	char *dir, *rel = NULL, *slash;
	int rc = 0;

	commit[0] = '\0';
	*dirty = 0;
	dir = xstrdup(path);
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		if ((slash = strrchr(dir, '/')) == NULL)
			strcpy(dir, ".");
		else
			slash[slash == dir ? 1 : 0] = '\0';
	}
	if (git_repository_open_ext(&repo, dir, 0, NULL) != 0 ||
	    (rel = gitutil_relative(repo, path)) == NULL ||
	    git_reference_name_to_id(&head, repo, "HEAD") != 0)
		goto out;	/* not a work tree, or nothing committed */
	git_oid_tostr(commit, 41, &head);
	rc = gitutil_dirty(repo, rel, dirty, cause);
out:
	free(rel);
	free(dir);
	git_repository_free(repo);
	return rc;
}

char *
gitutil_cache_dir(void)
{
	const char *base;

	if ((base = getenv("XDG_CACHE_HOME")) != NULL && *base == '/')
		return xasprintf("%s/enforcer/git", base);
	if ((base = getenv("HOME")) != NULL && *base == '/')
		return xasprintf("%s/.cache/enforcer/git", base);
	return NULL;
}
