/*
 * gitutil.h: what history.c and gitsrc.c share about libgit2: its error
 * turned into a cause once, and bare repositories created atomically.
 * Callers hold a git_libgit2_init() reference.
 */
#ifndef ENFORCER_GITUTIL_H
#define ENFORCER_GITUTIL_H

#include <git2.h>

/*
 * Set *cause to "where: what: <libgit2's last error>" and return -1.  Call
 * it right after the failing libgit2 call, before any other.
 */
int gitutil_fail(char **cause, const char *where, const char *what);

/*
 * url without its userinfo ("https://bot:TOKEN@host/x" -> "https://host/x"),
 * fit for messages and the history; anything else copied.  free().
 */
char *gitutil_url_public(const char *url);

/*
 * text with the userinfo of every URL in it replaced by three stars
 * ("https://bot:TOKEN@host/x" becomes "https://" "***" "@host/x"), for
 * libgit2's messages, which quote the URL they were given.  free().
 */
char *gitutil_redact(const char *text);

/*
 * Where fetched repositories are kept by default:
 * $XDG_CACHE_HOME/enforcer/git, else ~/.cache/enforcer/git; NULL when
 * neither is set.  free().
 */
char *gitutil_cache_dir(void);

/* 1 when url is plain http:// and carries credentials (userinfo). */
int gitutil_url_cleartext_secret(const char *url);

/*
 * Create a bare repository at dir (missing or an empty directory; parents
 * are created), with HEAD at refs/heads/<initial_head>.  It is made
 * beside dir and renamed into place, so a process killed meanwhile leaves
 * no half-made repository.  *out: git_repository_free().
 */
int gitutil_create_bare(git_repository **out, const char *dir,
    const char *initial_head, char **cause);

/*
 * The commit a work tree's desired state at path (a file or directory)
 * comes from: its repository's HEAD, in commit[41] ("" when path is not
 * in a work tree or HEAD is unborn), and *dirty when a file under path
 * differs from HEAD (modified, staged, deleted or untracked; ignored
 * files aside).  Fails only on a repository libgit2 cannot read.
 */
int gitutil_worktree_commit(const char *path, char commit[41], int *dirty,
    char **cause);

#endif
