/*
 * window_repo.c: windows written into a commit of a repository, with no
 * work tree (`enforcer window open|close|extend --repo R --ref BRANCH`),
 * under the rules of the desired state read that way: with
 * --require-signed, the commit read must be signed by a key of the
 * keyring, and so must the one written.
 *
 * Order: the commit's *.yaml files, and the inventories they name, are
 * copied into a private directory,
 * where the verbs write and check the window as in a work tree; then a
 * commit of the edited files on top of the one read (signed with --sign),
 * verified against the keyring before anything points at it; last, the
 * branch is moved, only if it still points at the commit read.  A
 * failure before the move leaves the repository's refs as they were.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "desired.h"
#include "gitsrc.h"
#include "gitutil.h"
#include "window.h"

/* --- the private copy ------------------------------------------------------ */

/* mkdir -p of the directories of path (below dir, which exists). */
static int
wr_mkdirs(const char *path, size_t from, char **cause)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + from; rc == 0 && (s = strchr(s + 1, '/')) != NULL;) {
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			rc = cause_set(cause, "%s: %s", p, strerror(errno));
		*s = '/';
	}
	free(p);
	return rc;
}

static int
wr_write(const char *path, const char *text, size_t len, char **cause)
{
	FILE *fp;
	int rc = 0;

	if ((fp = fopen(path, "wx")) == NULL)
		return cause_set(cause, "%s: %s", path, strerror(errno));
	if (fwrite(text, 1, len, fp) != len)
		rc = cause_set(cause, "%s: %s", path, strerror(errno));
	if (fclose(fp) == EOF && rc == 0)
		rc = cause_set(cause, "%s: %s", path, strerror(errno));
	return rc;
}

/* The files of gf, named "REF:path", as dir/path. */
static int
wr_copy(const char *dir, const char *ref, const struct gitsrc_files *gf,
    char **cause)
{
	char *prefix = gitsrc_name_prefix(ref), *path;
	size_t i, n = strlen(prefix);
	int rc = 0;

	for (i = 0; rc == 0 && i < gf->n; i++) {
		path = xasprintf("%s/%s", dir, gf->files[i].name + n);
		if ((rc = wr_mkdirs(path, strlen(dir), cause)) == 0)
			rc = wr_write(path, gf->files[i].text, gf->files[i].len,
			    cause);
		free(path);
	}
	free(prefix);
	return rc;
}

/*
 * Copy the inventory item (a scalar of gf's YAML) names, as plan reads
 * it.  One that cannot be read or written, or lies outside the copied
 * directory (--ref BRANCH:DIR), is left out: loading the copy names it.
 */
static void
wr_copy_inventory(const char *dir, const struct gitsrc_files *gf,
    const struct node *item, struct errors *errs)
{
	struct buf text = BUF_INIT;
	char *name = NULL, *path, *cause = NULL;

	if (gitsrc_file_read((void *)gf, item, &name, &text, errs) == 0 &&
	    strncmp(name, gf->prefix, strlen(gf->prefix)) == 0) {
		path = xasprintf("%s/%s", dir, name + strlen(gf->prefix));
		if (wr_mkdirs(path, strlen(dir), &cause) == 0)
			wr_write(path, buf_cstr(&text), text.len, &cause);
		free(cause);
		free(path);
	}
	free(name);
	buf_release(&text);
}

static void
wr_copy_inventories(const char *dir, const struct gitsrc_files *gf)
{
	struct errors errs = ERRORS_INIT;
	const struct node *inv;
	struct node *doc;
	size_t i, j;

	for (i = 0; i < gf->n; i++) {
		/* A file that does not parse: the window's load says so. */
		if (node_parse_string(&doc, gf->files[i].name,
		    gf->files[i].text, gf->files[i].len, &errs) == -1)
			continue;
		inv = node_get(doc, "inventory");
		for (j = 0; inv != NULL && j < (inv->kind == NODE_SEQ ?
		    inv->nitems : 1); j++)
			if ((inv->kind == NODE_SEQ ? inv->items[j] : inv)->kind ==
			    NODE_SCALAR)
				wr_copy_inventory(dir, gf, inv->kind ==
				    NODE_SEQ ? inv->items[j] : inv, &errs);
		node_free(doc);
	}
	errors_clear(&errs);
}

int
window_repo_open(struct window_repo *wr, const struct window_args *a,
    char **cause)
{
	struct gitsrc_files gf;
	const char *tmp = getenv("TMPDIR"), *dir;
	int rc = -1;

	memset(wr, 0, sizeof(*wr));
	if (gitsrc_is_url(a->repo))
		return cause_set(cause, "%s: a window is committed to a local "
		    "repository (enforcer does not push)", a->repo);
	if (gitsrc_read(&gf, a->repo, a->ref, NULL, a->keyring, cause) == -1)
		goto out;
	memcpy(wr->commit, gf.commit, sizeof(wr->commit));
	dir = strchr(a->ref, ':');
	wr->subdir = dir == NULL || dir[1] == '\0' ? xstrdup("") :
	    dir[strlen(dir) - 1] == '/' ? xstrdup(dir + 1) :
	    xasprintf("%s/", dir + 1);
	wr->dir = xasprintf("%s/enforcer-window.XXXXXX", tmp != NULL &&
	    *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(wr->dir) == NULL) {
		cause_set(cause, "%s: %s", wr->dir, strerror(errno));
		free(wr->dir);
		wr->dir = NULL;
		goto out;
	}
	if ((rc = wr_copy(wr->dir, a->ref, &gf, cause)) == 0)
		wr_copy_inventories(wr->dir, &gf);
out:
	gitsrc_files_release(&gf);
	return rc;
}

static int
wr_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
window_repo_release(struct window_repo *wr)
{
	if (wr == NULL)
		return;
	if (wr->dir != NULL)
		nftw(wr->dir, wr_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(wr->dir);
	free(wr->subdir);
	memset(wr, 0, sizeof(*wr));
}

/* --- the commit ------------------------------------------------------------ */

struct wr_git {
	git_repository	*repo;
	git_reference	*branch;
	git_commit	*parent;
	git_tree	*tree;
	git_signature	*sig;
	git_oid		 id;		/* the new commit */
};

static void
wr_git_release(struct wr_git *g)
{
	git_signature_free(g->sig);
	git_tree_free(g->tree);
	git_commit_free(g->parent);
	git_reference_free(g->branch);
	git_repository_free(g->repo);
}

/*
 * The branch REF names, still at the commit read, and not checked out
 * (its work tree would no longer match it).
 */
static int
wr_branch(struct wr_git *g, const struct window_repo *wr, const char *repo,
    const char *ref, char **cause)
{
	char *rev = xstrndup(ref, strcspn(ref, ":"));
	git_oid read;
	int rc = -1;

	if (git_reference_dwim(&g->branch, g->repo, rev) < 0 ||
	    !git_reference_is_branch(g->branch)) {
		cause_set(cause, "%s: --ref '%s' is not a branch: a window is "
		    "committed on a branch", repo, rev);
		goto out;
	}
	if (!git_repository_is_bare(g->repo) &&
	    git_branch_is_checked_out(g->branch) == 1) {
		cause_set(cause, "%s: branch '%s' is checked out: give its work "
		    "tree as PATH instead of --repo", repo, rev);
		goto out;
	}
	git_oid_fromstr(&read, wr->commit);
	if (git_oid_cmp(git_reference_target(g->branch), &read) != 0) {
		cause_set(cause, "%s: branch '%s' moved since it was read: "
		    "nothing committed", repo, rev);
		goto out;
	}
	if (git_commit_lookup(&g->parent, g->repo, &read) < 0) {
		gitutil_fail(cause, repo, rev);
		goto out;
	}
	rc = 0;
out:
	free(rev);
	return rc;
}

/* The parent's tree with the edited files as they are in wr->dir. */
static int
wr_tree(struct wr_git *g, const struct window_repo *wr,
    const struct window_edits *e, const char *repo, char **cause)
{
	git_index *idx = NULL;
	git_tree *base = NULL;
	git_index_entry entry;
	git_oid oid;
	struct stat st;
	char *path;
	size_t i, n = strlen(wr->dir) + 1;
	int rc = -1;

	if (git_index_new(&idx) < 0 || git_commit_tree(&base, g->parent) < 0 ||
	    git_index_read_tree(idx, base) < 0) {
		gitutil_fail(cause, repo, "read the tree");
		goto out;
	}
	for (i = 0; i < e->n; i++) {
		path = xasprintf("%s%s", wr->subdir, e->v[i].path + n);
		memset(&entry, 0, sizeof(entry));
		entry.path = path;
		entry.mode = GIT_FILEMODE_BLOB;
		if (stat(e->v[i].path, &st) == -1)
			rc = git_index_remove(idx, path, 0);
		else if ((rc = git_blob_create_from_disk(&oid, g->repo,
		    e->v[i].path)) == 0) {
			entry.id = oid;
			rc = git_index_add(idx, &entry);
		}
		free(path);
		if (rc < 0) {
			rc = gitutil_fail(cause, repo, e->v[i].path + n);
			goto out;
		}
	}
	if (git_index_write_tree_to(&oid, idx, g->repo) < 0 ||
	    git_tree_lookup(&g->tree, g->repo, &oid) < 0) {
		gitutil_fail(cause, repo, "write tree");
		goto out;
	}
	rc = 0;
out:
	git_tree_free(base);
	git_index_free(idx);
	return rc;
}

static int
wr_move(struct wr_git *g, const char *repo, char **cause)
{
	git_reference *moved = NULL;

	if (git_reference_create_matching(&moved, g->repo,
	    git_reference_name(g->branch), &g->id, 1,
	    git_commit_id(g->parent), "enforcer window") < 0)
		return gitutil_fail(cause, repo, "move the branch");
	git_reference_free(moved);
	return 0;
}

int
window_repo_commit(const struct window_repo *wr, const struct window_args *a,
    const struct window_edits *e, const char *message, char id[41],
    char **cause)
{
	struct wr_git g;
	int rc = -1;

	memset(&g, 0, sizeof(g));
	git_libgit2_init();
	if (git_repository_open_ext(&g.repo, a->repo,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		gitutil_fail(cause, a->repo, "not a git repository");
		goto out;
	}
	if (git_signature_default(&g.sig, g.repo) < 0 &&
	    git_signature_now(&g.sig, "enforcer", "enforcer@localhost") < 0) {
		gitutil_fail(cause, a->repo, "signature");
		goto out;
	}
	if (wr_branch(&g, wr, a->repo, a->ref, cause) == -1 ||
	    wr_tree(&g, wr, e, a->repo, cause) == -1 ||
	    gitsig_commit(&g.id, g.repo, g.sig, message, g.tree, g.parent,
	    a->sign_key, a->keyring, a->repo, cause) == -1 ||
	    wr_move(&g, a->repo, cause) == -1)
		goto out;
	git_oid_tostr(id, 41, &g.id);
	rc = 0;
out:
	wr_git_release(&g);
	git_libgit2_shutdown();
	return rc;
}

char *
window_repo_name(const struct window_repo *wr, const char *ref,
    const char *text)
{
	size_t n = wr != NULL ? strlen(wr->dir) : 0;
	char *prefix, *s;

	if (wr == NULL || strncmp(text, wr->dir, n) != 0 || text[n] != '/')
		return xstrdup(text);
	prefix = gitsrc_name_prefix(ref);
	s = xasprintf("%s%s", prefix, text + n + 1);
	free(prefix);
	return s;
}

void
window_desired_src(struct desired_src *src, const struct window_args *a)
{
	memset(src, 0, sizeof(*src));
	src->history_dir = a->history;
	if (a->repo == NULL) {
		src->path = a->path;
		return;
	}
	src->repo = a->repo;
	src->ref = a->ref;
	src->keyring = a->keyring;
}
