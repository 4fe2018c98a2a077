/*
 * desired.c: the desired state of a run, from a path or a git commit; its
 * history and its lock.  See desired.h.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "confdir.h"
#include "desired.h"
#include "gitsrc.h"
#include "gitutil.h"
#include "lock.h"

const char *
desired_history_dir(const char *given)
{
	const char *env;

	if (given != NULL)
		return given;
	env = getenv("ENFORCER_HISTORY");
	return env != NULL && *env != '\0' ? env : NULL;
}

int
desired_src_check(struct desired_src *src, char **cause)
{
	if (src->repo != NULL && src->path != NULL)
		return cause_set(cause, "give PATH or --repo, not both");
	if (src->repo != NULL && src->ref == NULL)
		return cause_set(cause, "--repo needs --ref REF");
	src->history_dir = desired_history_dir(src->history_dir);
	if (src->repo == NULL && (src->ref != NULL || src->keyring != NULL))
		return cause_set(cause, "--ref and --require-signed read the "
		    "desired state from --repo");
	if (src->repo == NULL && src->cache_dir != NULL &&
	    (src->history_dir == NULL || !gitsrc_is_url(src->history_dir)))
		return cause_set(cause, "--cache keeps what --repo or a "
		    "--history URL fetches");
	/* No PATH: the configuration directory's (a unit, a cron line). */
	if (src->repo == NULL && src->path == NULL)
		src->path = confdir_desired();
	return 0;
}


static int
desired_load_git(struct desired *d, const struct desired_src *src,
    struct errors *errs)
{
	struct model_reader reader = { gitsrc_file_read, NULL };
	struct gitsrc_files gf;
	struct model_file *mf;
	char *cache, *cause = NULL;
	size_t i;
	int rc = -1;

	cache = src->cache_dir != NULL ? xstrdup(src->cache_dir) :
	    gitutil_cache_dir();
	if (gitsrc_read(&gf, src->repo, src->ref, cache, src->keyring,
	    &cause) == -1) {
		errors_add_owned(errs, cause);
		goto out;
	}
	mf = xcalloc(gf.n + 1, sizeof(*mf));
	for (i = 0; i < gf.n; i++) {
		mf[i].name = gf.files[i].name;
		mf[i].text = gf.files[i].text;
		mf[i].len = gf.files[i].len;
	}
	/* Its inventories from the same commit. */
	reader.arg = &gf;
	rc = model_load_source(&d->m, mf, gf.n, &reader, errs);
	free(mf);
	memcpy(d->commit, gf.commit, sizeof(d->commit));
	if (gf.signer != NULL)
		d->signer = xstrdup(gf.signer);
out:
	gitsrc_files_release(&gf);
	free(cache);
	return rc;
}

/*
 * PATH in a git work tree: the commit it comes from, and whether it has
 * uncommitted changes (refused with --require-clean, as is a PATH whose
 * commit cannot be known).
 */
static int
desired_worktree(struct desired *d, const struct desired_src *src,
    struct errors *errs)
{
	char *cause = NULL;
	int rc;

	git_libgit2_init();
	rc = gitutil_worktree_commit(src->path, d->commit, &d->dirty, &cause);
	git_libgit2_shutdown();
	if (rc == -1) {
		errors_add_owned(errs, cause);
		return -1;
	}
	if (!src->require_clean)
		return 0;
	if (d->commit[0] == '\0')
		cause = xasprintf("%s: not in a git work tree with a commit: "
		    "--require-clean cannot tell what is enforced", src->path);
	else if (d->dirty)
		cause = xasprintf("%s: uncommitted changes in the work tree "
		    "(--require-clean): commit them, or run without it",
		    src->path);
	if (cause == NULL)
		return 0;
	errors_add_owned(errs, cause);
	return -1;
}

int
desired_load(struct desired *d, const struct desired_src *src,
    struct errors *errs)
{
	int rc;

	memset(d, 0, sizeof(*d));
	if (src->repo != NULL) {
		d->where = gitutil_url_public(src->repo);
		rc = desired_load_git(d, src, errs);
	} else {
		/* The history names it from anywhere: absolute. */
		if ((d->where = realpath(src->path, NULL)) == NULL)
			d->where = xstrdup(src->path);
		rc = model_load(&d->m, src->path, errs);
		if (rc == 0)
			rc = desired_worktree(d, src, errs);
	}
	if (rc == -1)
		desired_release(d);
	return rc;
}

void
desired_release(struct desired *d)
{
	if (d == NULL)
		return;
	model_free(d->m);
	free(d->where);
	free(d->signer);
	memset(d, 0, sizeof(*d));
}

/* The directory holding path (itself if a directory). */
static char *
desired_dir_of(const char *path)
{
	struct stat st;
	char *dir, *slash;

	dir = xstrdup(path);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else
		slash[slash == dir ? 1 : 0] = '\0';
	return dir;
}

/* path lies in a git repository (work tree or git directory). */
static int
desired_in_git(const char *path)
{
	char *dir = desired_dir_of(path);
	int found;

	git_libgit2_init();
	found = git_repository_open_ext(NULL, dir, 0, NULL) == 0;
	git_libgit2_shutdown();
	free(dir);
	return found;
}

int
desired_history(struct history **out, const struct desired_src *src,
    int required, char **cause)
{
	const char *desired = src->repo != NULL ? src->repo : src->path;
	const struct history_place place = { src->cache_dir, src->shard_index,
	    src->shard_count };

	*out = NULL;
	if (src->history_dir != NULL) {
		if (!required && !gitsrc_is_url(src->history_dir) &&
		    history_dir_unused(src->history_dir))
			return 0;
		return history_open_at(out, NULL, src->history_dir, &place,
		    cause);
	}
	if (src->repo != NULL && gitsrc_is_url(src->repo)) {
		if (!required)
			return 0;
		return cause_set(cause, "history: a desired state fetched from "
		    "a URL keeps no history in its cache: give --history DIR "
		    "(or set ENFORCER_HISTORY)");
	}
	if (!desired_in_git(desired)) {
		if (!required)
			return 0;
		return cause_set(cause, "history: '%s' is not in a git "
		    "repository, so runs have nowhere to be recorded: give "
		    "--history DIR (or set ENFORCER_HISTORY), or keep the "
		    "desired state in git", desired);
	}
	return history_open_at(out, desired, NULL, &place, cause);
}

static char *
desired_lock_base(const struct desired_src *src)
{
	char *cache, *path;

	const char *state = getenv("STATE_DIRECTORY");

	/*
	 * Under systemd (StateDirectory=) the desired state is read-only
	 * (ProtectSystem=strict): runs meet at the unit's state directory,
	 * the first of its colon-separated list.
	 */
	if (state != NULL && *state == '/')
		return xasprintf("%.*s/enforcer.lock",
		    (int)strcspn(state, ":"), state);
	if (src->repo == NULL)
		return lock_path_for(src->path);
	if (!gitsrc_is_url(src->repo) || src->history_dir == NULL)
		return lock_path_for(src->repo);
	if (!gitsrc_is_url(src->history_dir))
		/* A fetched desired state: its runs meet at their history. */
		return lock_path_for(src->history_dir);
	/* Both fetched: the runs of one control node meet in its cache. */
	cache = src->cache_dir != NULL ? xstrdup(src->cache_dir) :
	    gitutil_cache_dir();
	path = xasprintf("%s/history.lock", cache != NULL ? cache : ".");
	free(cache);
	return path;
}

/* Shards lock apart: one shard never waits for another. */
char *
desired_lock_path(const struct desired_src *src)
{
	char *base = desired_lock_base(src), *path;

	if (src->shard_count == 0)
		return base;
	path = xasprintf("%s.shard-%u-of-%u", base, src->shard_index,
	    src->shard_count);
	free(base);
	return path;
}

void
desired_add_secrets(struct history *h, const struct desired_src *src)
{
	const char *scheme, *at, *colon, *slash;
	char *pw;

	if (src->repo == NULL || (scheme = strstr(src->repo, "://")) == NULL)
		return;
	scheme += 3;
	/* userinfo ends at the first '@' before the path. */
	at = strchr(scheme, '@');
	slash = strchr(scheme, '/');
	if (at == NULL || (slash != NULL && slash < at) ||
	    (colon = memchr(scheme, ':', (size_t)(at - scheme))) == NULL)
		return;
	pw = xstrndup(colon + 1, (size_t)(at - colon - 1));
	history_add_secret(h, pw);
	free(pw);
}
