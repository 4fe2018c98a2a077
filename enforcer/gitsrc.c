/*
 * gitsrc.c: the *.yaml files of a commit, read from the object database
 * (no checkout, no work tree), from a local repository or from a bare
 * clone of a URL kept in a cache directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gitsrc.h"
#include "gitutil.h"
#include "node.h"
#include "util.h"

#define CACHE_ID_HEX	16	/* of the SHA-1 of the URL */

/* What the tree walk collects. */
struct collect {
	git_repository		*repo;
	const char		*prefix;	/* "REF:" or "REF:DIR/" */
	struct gitsrc_files	*out;
	char			*cause;
};

int
gitsrc_is_url(const char *s)
{
	const char *colon, *slash;

	if (strstr(s, "://") != NULL)
		return 1;
	/* scp-like user@host:path, as git reads it: a colon before any
	   slash. */
	colon = strchr(s, ':');
	slash = strchr(s, '/');
	return colon != NULL && colon != s && (slash == NULL || colon < slash);
}

void
gitsrc_files_release(struct gitsrc_files *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->files[i].name);
		free(f->files[i].text);
	}
	free(f->files);
	free(f->signer);
	free(f->prefix);
	if (f->repo != NULL) {
		git_tree_free(f->root);
		git_repository_free(f->repo);
		git_libgit2_shutdown();
	}
	memset(f, 0, sizeof(*f));
}

static int
open_local(git_repository **r, const char *path, char **cause)
{
	if (git_repository_open_ext(r, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL) != 0)
		return gitutil_fail(cause, path, "not a git repository");
	return 0;
}

/*
 * Branches are mirrored as they are, so "main" is the remote's main.  The
 * remote is anonymous: nothing about it is kept in the cache's config.
 */
static int
fetch(git_repository *r, const char *url, const char *where, char **cause)
{
	char *specs[] = { (char *)"+refs/heads/*:refs/heads/*" };
	git_strarray refspecs = { specs, 1 };
	git_fetch_options opts;
	git_remote *remote = NULL;
	int rc = 0;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	opts.prune = GIT_FETCH_PRUNE;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	if (git_remote_create_anonymous(&remote, r, url) != 0 ||
	    git_remote_fetch(remote, &refspecs, &opts, "enforcer: fetch") != 0)
		rc = gitutil_fail(cause, where, "fetch");
	git_remote_free(remote);
	return rc;
}

static int
open_cached(git_repository **r, const char *url, const char *where,
    const char *cache_dir, char **cause)
{
	char hex[CACHE_ID_HEX + 1], *dir;
	struct stat st;
	git_oid id;
	int rc = -1;

	*r = NULL;
	if (cache_dir == NULL)
		return cause_set(cause, "%s: a URL needs a cache directory",
		    where);
	/* Keyed without credentials: a rotated token keeps its cache. */
	git_odb_hash(&id, where, strlen(where), GIT_OBJECT_BLOB);
	git_oid_tostr(hex, sizeof(hex), &id);
	dir = xasprintf("%s/%s.git", cache_dir, hex);
	if (stat(dir, &st) == 0) {
		if (git_repository_open_bare(r, dir) != 0) {
			gitutil_fail(cause, where, dir);
			goto out;
		}
	} else if (gitutil_create_bare(r, dir, "main", cause) == -1)
		goto out;
	rc = fetch(*r, url, where, cause);
out:
	free(dir);
	return rc;
}

/* ref ("REV" or "REV:DIR") to a commit and the tree to read. */
static int
resolve(git_repository *r, const char *where, const char *ref,
    git_commit **commit, git_tree **tree, char **cause)
{
	git_object *obj = NULL, *peeled = NULL;
	git_tree_entry *e = NULL;
	const char *dir;
	char *rev;
	int err, rc = -1;

	dir = strchr(ref, ':');
	rev = dir != NULL ? xstrndup(ref, (size_t)(dir - ref)) : xstrdup(ref);
	if ((err = git_revparse_single(&obj, r, rev)) != 0) {
		if (err == GIT_ENOTFOUND)
			cause_set(cause, "%s: ref '%s' not found", where, rev);
		else
			gitutil_fail(cause, where, rev);
		goto out;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) {
		cause_set(cause, "%s: '%s' is not a commit", where, rev);
		goto out;
	}
	*commit = (git_commit *)peeled;
	peeled = NULL;
	if (git_commit_tree(tree, *commit) != 0) {
		gitutil_fail(cause, where, rev);
		goto out;
	}
	if (dir != NULL && dir[1] != '\0') {
		if (git_tree_entry_bypath(&e, *tree, dir + 1) != 0 ||
		    git_tree_entry_type(e) != GIT_OBJECT_TREE) {
			cause_set(cause, "%s: '%s' is not a directory", where,
			    ref);
			goto out;
		}
		git_tree_free(*tree);
		if (git_tree_lookup(tree, r, git_tree_entry_id(e)) != 0) {
			gitutil_fail(cause, where, ref);
			goto out;
		}
	}
	rc = 0;
out:
	git_tree_entry_free(e);
	git_object_free(peeled);
	git_object_free(obj);
	free(rev);
	return rc;
}

static int
is_yaml(const char *name)
{
	size_t len = strlen(name);

	return len > 5 && strcmp(name + len - 5, ".yaml") == 0;
}

static int
collect_one(const char *root, const git_tree_entry *e, void *payload)
{
	struct collect *c = payload;
	struct gitsrc_files *out = c->out;
	struct gitsrc_file *f;
	git_blob *blob;
	const char *name = git_tree_entry_name(e);

	/* Hidden files and directories (.github/...) are not desired state. */
	if (name[0] == '.')
		return git_tree_entry_type(e) == GIT_OBJECT_TREE ? 1 : 0;
	if (git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB &&
	    git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB_EXECUTABLE)
		return 0;
	if (!is_yaml(name))
		return 0;
	if (git_blob_lookup(&blob, c->repo, git_tree_entry_id(e)) != 0) {
		gitutil_fail(&c->cause, c->prefix, name);
		return -1;
	}
	out->files = xreallocarray(out->files, out->n + 1,
	    sizeof(*out->files));
	f = &out->files[out->n++];
	f->name = xasprintf("%s%s%s", c->prefix, root, name);
	f->len = (size_t)git_blob_rawsize(blob);
	f->text = xmalloc(f->len + 1);
	memcpy(f->text, git_blob_rawcontent(blob), f->len);
	f->text[f->len] = '\0';
	git_blob_free(blob);
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gitsrc_file *)a)->name,
	    ((const struct gitsrc_file *)b)->name);
}

char *
gitsrc_name_prefix(const char *ref)
{
	size_t len = strlen(ref);

	if (strchr(ref, ':') == NULL)
		return xasprintf("%s:", ref);
	if (ref[len - 1] == ':' || ref[len - 1] == '/')
		return xstrdup(ref);
	return xasprintf("%s/", ref);
}

static int
collect(git_repository *r, const char *where, const char *ref,
    git_tree *tree, struct gitsrc_files *out, char **cause)
{
	struct collect c;
	int rc = 0;

	c = (struct collect){ r, out->prefix, out, NULL };
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, collect_one, &c) != 0) {
		if (c.cause != NULL) {
			*cause = c.cause;
			rc = -1;
		} else
			rc = gitutil_fail(cause, where, ref);
	} else if (out->n == 0)
		rc = cause_set(cause, "%s: no *.yaml file in '%s'", where, ref);
	if (out->n > 1)
		qsort(out->files, out->n, sizeof(*out->files), file_cmp);
	return rc;
}

int
gitsrc_read(struct gitsrc_files *out, const char *repo, const char *ref,
    const char *cache_dir, const char *keyring, char **cause)
{
	git_repository *r = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	char *where;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* Messages name the repository, never a URL's credentials. */
	where = gitutil_url_public(repo);
	git_libgit2_init();
	if (*ref == '\0' || *ref == ':') {
		cause_set(cause, "%s: empty ref", where);
		goto out;
	}
	if (gitutil_url_cleartext_secret(repo)) {
		cause_set(cause, "%s: refusing to send the URL's credentials "
		    "over plain http://: use https:// or ssh://", where);
		goto out;
	}
	if (gitsrc_is_url(repo) ? open_cached(&r, repo, where, cache_dir,
	    cause) : open_local(&r, repo, cause))
		goto out;
	if (resolve(r, where, ref, &commit, &tree, cause) == -1)
		goto out;
	git_oid_tostr(out->commit, sizeof(out->commit), git_commit_id(commit));
	if (keyring != NULL && gitsig_verify(r, git_commit_id(commit),
	    keyring, &out->signer, cause) == -1) {
		cause_prefix(cause, "%s: %s", where, ref);
		goto out;
	}
	out->prefix = gitsrc_name_prefix(ref);
	out->revlen = strcspn(ref, ":") + 1;
	if (collect(r, where, ref, tree, out, cause) == -1)
		goto out;
	if (git_commit_tree(&out->root, commit) != 0) {
		gitutil_fail(cause, where, ref);
		goto out;
	}
	/* Open until gitsrc_files_release(): gitsrc_file_read(). */
	out->repo = r;
	r = NULL;
	rc = 0;
out:
	free(where);
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(r);
	if (out->repo == NULL)
		git_libgit2_shutdown();
	return rc;
}

/*
 * path with "." and ".." resolved, in place; -1 when it climbs above the
 * root.
 */
static int
gitsrc_normalize(char *path)
{
	char *in = path, *out = path;
	size_t n;

	for (; *in != '\0'; in += n + (in[n] == '/')) {
		n = strcspn(in, "/");
		if (n == 0 || (n == 1 && *in == '.'))
			continue;
		if (n == 2 && strncmp(in, "..", 2) == 0) {
			if (out == path)
				return -1;
			for (out--; out > path && out[-1] != '/'; out--)
				;
			continue;
		}
		memmove(out, in, n);
		out += n;
		*out++ = '/';
	}
	if (out > path)
		out--;
	*out = '\0';
	return 0;
}

/* The blob at path of the commit read, appended to text. */
static int
gitsrc_blob(const struct gitsrc_files *f, const char *path, struct buf *text)
{
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc = -1;

	if (git_tree_entry_bypath(&e, f->root, path) == 0 &&
	    (git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB ||
	    git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE) &&
	    git_blob_lookup(&blob, f->repo, git_tree_entry_id(e)) == 0 &&
	    git_blob_rawsize(blob) <= NODE_FILE_MAX) {
		buf_add(text, git_blob_rawcontent(blob),
		    (size_t)git_blob_rawsize(blob));
		rc = 0;
	}
	git_blob_free(blob);
	git_tree_entry_free(e);
	return rc;
}

int
gitsrc_file_read(void *arg, const struct node *ref, char **name,
    struct buf *text, struct errors *errs)
{
	const struct gitsrc_files *f = arg;
	const char *file = ref->file != NULL ? ref->file : "";
	const char *dir, *slash;
	char *path;
	int rc = -1, ok;

	/* The YAML's directory in the commit: its name after "REV:". */
	dir = strncmp(file, f->prefix, f->revlen) == 0 ? file + f->revlen : "";
	slash = strrchr(dir, '/');
	path = slash != NULL ? xasprintf("%.*s/%s", (int)(slash - dir), dir,
	    ref->value) : xstrdup(ref->value);
	ok = ref->value[0] != '/' && gitsrc_normalize(path) == 0;
	*name = xasprintf("%.*s%s", (int)f->revlen, f->prefix, path);
	if (!ok)
		errors_addf(errs, "%s:%u:%u: '%s': not a file of the commit "
		    "read (name it relative to this file, within the commit)",
		    file, ref->line, ref->col, ref->value);
	else if (gitsrc_blob(f, path, text) == -1)
		errors_addf(errs, "%s:%u:%u: '%s': no such file (of at most "
		    "%d MiB) in the commit read: %s", file, ref->line, ref->col,
		    ref->value, NODE_FILE_MAX >> 20, *name);
	else
		rc = 0;
	free(path);
	return rc;
}
