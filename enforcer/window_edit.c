/*
 * window_edit.c: windows written into the desired state, and committed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gitsrc.h"
#include "gitutil.h"
#include "timeparse.h"
#include "window.h"

/* --- files --------------------------------------------------------------- */

static int
we_read(const char *path, char **out, size_t *len, char **cause)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return cause_set(cause, "%s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n == -1) {
		buf_release(&b);
		return cause_set(cause, "%s: %s", path, strerror(errno));
	}
	*len = b.len;
	buf_putc(&b, '\0');
	*out = buf_detach(&b);
	return 0;
}

/*
 * Write path through a temporary file beside it: renamed over it, or,
 * with exclusive, linked to it (which fails if it exists).
 */
static int
we_write(const char *path, const char *data, size_t len, mode_t mode,
    int exclusive, char **cause)
{
	char *tmp;
	ssize_t n;
	size_t off = 0;
	int fd, rc = -1;

	tmp = xasprintf("%s.enforcer.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		cause_set(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len && (n = write(fd, data + off, len - off)) > 0)
		off += (size_t)n;
	if (off < len || fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		cause_set(cause, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if ((exclusive ? link(tmp, path) : rename(tmp, path)) == -1) {
		cause_set(cause, "%s: %s", path, errno == EEXIST ?
		    "already exists" : strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (exclusive || rc == -1)
		unlink(tmp);
	free(tmp);
	return rc;
}

static void
we_add(struct window_edits *e, const char *path, char *before, size_t len)
{
	struct window_edit *w;

	e->v = xreallocarray(e->v, e->n + 1, sizeof(*e->v));
	w = &e->v[e->n++];
	w->path = xstrdup(path);
	w->before = before;
	w->len = len;
}

/* A new file goes, and its directory if that leaves it empty. */
static void
we_unlink(const char *path)
{
	char *dir = xstrdup(path), *slash;

	unlink(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		rmdir(dir);	/* fails, as it should, when not empty */
	}
	free(dir);
}

void
window_edits_undo(struct window_edits *e)
{
	char *cause = NULL;
	size_t i;

	for (i = e->n; i > 0; i--) {
		if (e->v[i - 1].before == NULL)
			we_unlink(e->v[i - 1].path);
		else if (we_write(e->v[i - 1].path, e->v[i - 1].before,
		    e->v[i - 1].len, 0644, 0, &cause) == -1) {
			free(cause);
			cause = NULL;
		}
	}
}

void
window_edits_release(struct window_edits *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].path);
		free(e->v[i].before);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* --- a new window -------------------------------------------------------- */

static struct node *
we_time(time_t t)
{
	char s[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(t, s, sizeof(s));
	return node_scalar(s);
}

int
window_write(struct window_edits *edits, const char *dir, const char *name,
    time_t start, time_t end, const char *reason, const struct node *apply,
    char **cause)
{
	struct node *doc, *windows, *w, *r;
	struct buf text = BUF_INIT;
	char *sub, *path;
	int rc = -1;

	sub = xasprintf("%s/windows", dir);
	path = xasprintf("%s/%s.yaml", sub, name);
	if (mkdir(sub, 0755) == -1 && errno != EEXIST) {
		cause_set(cause, "%s: %s", sub, strerror(errno));
		goto out;
	}
	w = node_map();
	node_map_set(w, "start", we_time(start));
	node_map_set(w, "end", we_time(end));
	r = node_scalar(reason);
	r->quoted = 1;		/* "true" or "1234" is a reason too */
	node_map_set(w, "reason", r);
	node_map_set(w, "apply", node_copy(apply));
	windows = node_map();
	node_map_set(windows, name, w);
	doc = node_map();
	node_map_set(doc, "windows", windows);
	buf_printf(&text, "# Written by `enforcer window open`; `enforcer "
	    "window close %s` ends it early.\n", name);
	node_emit(doc, &text, 0);
	node_free(doc);
	if (we_write(path, text.ptr, text.len, 0644, 1, cause) == -1)
		goto out;
	we_add(edits, path, NULL, 0);
	rc = 0;
out:
	buf_release(&text);
	free(sub);
	free(path);
	return rc;
}

/* --- a window's end -------------------------------------------------------- */

/* Byte offset of 1-based line and column (in characters, as libyaml). */
static int
we_offset(const char *text, size_t len, unsigned line, unsigned col,
    size_t *out)
{
	size_t i = 0;
	unsigned l = 1, c = 1;

	while (i < len && l < line)
		if (text[i++] == '\n')
			l++;
	while (i < len && c < col && text[i] != '\n') {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80)
			i++;	/* the rest of a UTF-8 sequence */
		c++;
	}
	if (l != line || c != col)
		return -1;
	*out = i;
	return 0;
}

/* Length of the scalar n as written at text + off, or -1. */
static long
we_scalar_len(const char *text, size_t len, size_t off, const struct node *n)
{
	size_t i = off + 1, vlen = strlen(n->value);
	char q = text[off];

	if (q != '\'' && q != '"')
		return off + vlen <= len && memcmp(text + off, n->value,
		    vlen) == 0 ? (long)vlen : -1;
	for (; i < len && text[i] != '\n'; i++) {
		if (q == '"' && text[i] == '\\')
			i++;
		else if (q == '\'' && text[i] == '\'' && i + 1 < len &&
		    text[i + 1] == '\'')
			i++;
		else if (text[i] == q)
			return (long)(i + 1 - off);
	}
	return -1;
}

/* The key ("end" or "duration") of w's end_node, in its body. */
static const struct node *
we_end_key(const struct model_window *w)
{
	size_t i;

	for (i = 0; w->body != NULL && i < w->body->npairs; i++)
		if (w->body->pairs[i].value == w->end_node)
			return w->body->pairs[i].key;
	return NULL;
}

int
window_set_end(struct window_edits *edits, const struct model_window *w,
    time_t end, char **cause)
{
	const struct node *key = we_end_key(w), *val = w->end_node;
	const char *file = val != NULL ? val->file : NULL;
	char ts[TIMEPARSE_UTC_LEN], *text = NULL;
	struct buf out = BUF_INIT;
	struct stat st;
	size_t len, koff, voff;
	long klen, vlen;
	int rc = -1;

	if (key == NULL || file == NULL)
		return cause_set(cause, "window '%s': no end written in a file",
		    w->name);
	if (we_read(file, &text, &len, cause) == -1)
		return -1;
	if (we_offset(text, len, key->line, key->col, &koff) == -1 ||
	    we_offset(text, len, val->line, val->col, &voff) == -1 ||
	    (klen = we_scalar_len(text, len, koff, key)) < 0 ||
	    (vlen = we_scalar_len(text, len, voff, val)) < 0 ||
	    koff + (size_t)klen > voff) {
		cause_set(cause, "%s:%u:%u: cannot find the end of window '%s' "
		    "as written: change it by hand", file, val->line, val->col,
		    w->name);
		goto out;
	}
	timeparse_format_utc(end, ts, sizeof(ts));
	buf_add(&out, text, koff);
	buf_puts(&out, "end");
	buf_add(&out, text + koff + klen, voff - koff - (size_t)klen);
	buf_puts(&out, ts);
	buf_add(&out, text + voff + vlen, len - voff - (size_t)vlen);
	if (stat(file, &st) == -1)
		st.st_mode = 0644;
	if (we_write(file, out.ptr, out.len, st.st_mode & 07777, 0,
	    cause) == -1)
		goto out;
	we_add(edits, file, text, len);
	text = NULL;
	rc = 0;
out:
	buf_release(&out);
	free(text);
	return rc;
}

/* --- the commit ---------------------------------------------------------- */

/*
 * path relative to the work tree workdir; free().  The file may be gone
 * (undone): its directory is what is resolved.
 */
static char *
we_relative(const char *workdir, const char *path, char **cause)
{
	char real[PATH_MAX], top[PATH_MAX], *dir;
	const char *base = strrchr(path, '/');
	size_t n;

	dir = base == NULL ? xstrdup(".") : base == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(base - path));
	base = base != NULL ? base + 1 : path;
	if (realpath(dir, real) == NULL || realpath(workdir, top) == NULL) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		free(dir);
		return NULL;
	}
	free(dir);
	n = strlen(top);
	if (strncmp(real, top, n) != 0 || (real[n] != '/' && real[n] != '\0')) {
		cause_set(cause, "%s: not in the work tree %s", path, workdir);
		return NULL;
	}
	if (real[n] == '\0')
		return xstrdup(base);
	return xasprintf("%s/%s", real + n + 1, base);
}

struct we_git {
	git_repository	*repo;
	git_commit	*parent;	/* NULL: HEAD is unborn */
	git_index	*idx;		/* in memory: HEAD's tree + our files */
	git_tree	*tree;
	git_signature	*sig;
	char		**rel;		/* the files, relative to the work tree */
	size_t		 nrel;
};

static void
we_git_release(struct we_git *g)
{
	size_t i;

	for (i = 0; i < g->nrel; i++)
		free(g->rel[i]);
	free(g->rel);
	git_signature_free(g->sig);
	git_tree_free(g->tree);
	git_index_free(g->idx);
	git_commit_free(g->parent);
	git_repository_free(g->repo);
}

static int
we_parent(struct we_git *g, char **cause)
{
	git_reference *head = NULL;
	git_tree *tree = NULL;
	int err, rc = -1;

	err = git_repository_head(&head, g->repo);
	if (err == GIT_EUNBORNBRANCH || err == GIT_ENOTFOUND)
		return 0;
	if (err < 0)
		return gitutil_fail(cause, git_repository_workdir(g->repo),
		    "read HEAD");
	if (git_reference_peel((git_object **)&g->parent, head,
	    GIT_OBJECT_COMMIT) < 0 || git_commit_tree(&tree, g->parent) < 0 ||
	    git_index_read_tree(g->idx, tree) < 0) {
		gitutil_fail(cause, git_repository_workdir(g->repo),
		    "read HEAD's tree");
		goto out;
	}
	rc = 0;
out:
	git_tree_free(tree);
	git_reference_free(head);
	return rc;
}

/* The index to commit: HEAD's tree with our files as they are now. */
static int
we_tree(struct we_git *g, const struct window_edits *e, char **cause)
{
	const char *wd = git_repository_workdir(g->repo);
	git_index_entry entry;
	git_oid oid;
	struct stat st;
	size_t i;

	g->rel = xcalloc(e->n + 1, sizeof(*g->rel));
	for (i = 0; i < e->n; i++) {
		if ((g->rel[i] = we_relative(wd, e->v[i].path, cause)) == NULL)
			return -1;
		g->nrel++;
		if (stat(e->v[i].path, &st) == -1) {
			if (git_index_remove(g->idx, g->rel[i], 0) < 0)
				return gitutil_fail(cause, g->rel[i], "remove");
			continue;
		}
		if (git_blob_create_from_workdir(&oid, g->repo, g->rel[i]) < 0)
			return gitutil_fail(cause, g->rel[i], "add");
		memset(&entry, 0, sizeof(entry));
		entry.path = g->rel[i];
		entry.mode = GIT_FILEMODE_BLOB;
		entry.id = oid;
		if (git_index_add(g->idx, &entry) < 0)
			return gitutil_fail(cause, g->rel[i], "add");
	}
	if (git_index_write_tree_to(&oid, g->idx, g->repo) < 0 ||
	    git_tree_lookup(&g->tree, g->repo, &oid) < 0)
		return gitutil_fail(cause, wd, "write tree");
	return 0;
}

/* The team's index follows, so that git status shows nothing new. */
static void
we_index_follow(struct we_git *g)
{
	git_index *idx = NULL;
	size_t i;

	if (git_repository_index(&idx, g->repo) < 0)
		return;
	for (i = 0; i < g->nrel; i++)
		if (git_index_add_bypath(idx, g->rel[i]) < 0)
			git_index_remove_bypath(idx, g->rel[i]);
	git_index_write(idx);
	git_index_free(idx);
}

/*
 * The commit, signed: written first, then HEAD's branch moved to it if it
 * still points at the parent (git_commit_create() does both for the
 * unsigned one).
 */
static int
we_commit_signed(struct we_git *g, const char *dir, const char *message,
    const char *key, const char *keyring, git_oid *oid, char **cause)
{
	git_reference *head = NULL, *moved = NULL;
	const char *name;
	int err, rc = -1;

	if (gitsig_commit(oid, g->repo, g->sig, message, g->tree, g->parent,
	    key, keyring, dir, cause) == -1)
		return -1;
	if (git_reference_lookup(&head, g->repo, "HEAD") < 0)
		return gitutil_fail(cause, dir, "read HEAD");
	if ((name = git_reference_symbolic_target(head)) == NULL) {
		cause_set(cause, "%s: HEAD is detached: a signed window is "
		    "committed on a branch", dir);
		goto out;
	}
	err = g->parent != NULL ? git_reference_create_matching(&moved,
	    g->repo, name, oid, 1, git_commit_id(g->parent), "enforcer window") :
	    git_reference_create(&moved, g->repo, name, oid, 0,
	    "enforcer window");
	if (err < 0) {
		gitutil_fail(cause, dir, "move the branch");
		goto out;
	}
	rc = 0;
out:
	git_reference_free(moved);
	git_reference_free(head);
	return rc;
}

int
window_commit(const char *dir, const struct window_edits *e,
    const char *message, char id[41], int *committed, char **cause)
{
	return window_commit_signed(dir, e, message, NULL, NULL, id, committed,
	    cause);
}

int
window_commit_signed(const char *dir, const struct window_edits *e,
    const char *message, const char *key, const char *keyring, char id[41],
    int *committed, char **cause)
{
	const git_commit *parents[1];
	struct we_git g;
	git_oid oid;
	int err, rc = -1;

	*committed = 0;
	memset(&g, 0, sizeof(g));
	git_libgit2_init();
	err = git_repository_open_ext(&g.repo, dir, 0, NULL);
	if (err == GIT_ENOTFOUND || (err == 0 && git_repository_is_bare(g.repo))) {
		rc = key == NULL && keyring == NULL ? 0 : cause_set(cause,
		    "%s: not in a git work tree: nothing to sign", dir);
		goto out;
	}
	if (err < 0) {
		gitutil_fail(cause, dir, "open repository");
		goto out;
	}
	if (git_index_new(&g.idx) < 0) {
		gitutil_fail(cause, dir, "new index");
		goto out;
	}
	if (we_parent(&g, cause) == -1 || we_tree(&g, e, cause) == -1)
		goto out;
	if (git_signature_default(&g.sig, g.repo) < 0 &&
	    git_signature_now(&g.sig, "enforcer", "enforcer@localhost") < 0) {
		gitutil_fail(cause, dir, "signature");
		goto out;
	}
	parents[0] = g.parent;
	if (key != NULL || keyring != NULL) {
		if (we_commit_signed(&g, dir, message, key, keyring, &oid,
		    cause) == -1)
			goto out;
	} else if (git_commit_create(&oid, g.repo, "HEAD", g.sig, g.sig, NULL,
	    message, g.tree, g.parent != NULL ? 1 : 0, parents) < 0) {
		gitutil_fail(cause, dir, "commit");
		goto out;
	}
	git_oid_tostr(id, 41, &oid);
	*committed = 1;
	we_index_follow(&g);
	rc = 0;
out:
	we_git_release(&g);
	git_libgit2_shutdown();
	return rc;
}
