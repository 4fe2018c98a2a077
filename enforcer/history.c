/*
 * history.c: the history repository: open it, record runs, read them back.
 *
 * Order of side effects in history_record(), so that a process killed at
 * any point leaves a valid repository whose branch is at a complete run:
 * blobs, trees and commits are written first (loose objects, each through
 * a temporary file and rename, fsync on); the branch moves last, by
 * compare-and-swap through libgit2's ref lock file.  Objects written by a
 * killed run are unreachable and harmless (git gc prunes them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "gitsrc.h"
#include "gitutil.h"
#include "history.h"
#include "shard.h"

#define HISTORY_BRANCH	"enforcer/history"
#define HISTORY_REF	"refs/heads/" HISTORY_BRANCH
#define HISTORY_LOCK	"enforcer-history.lock"
#define LOCK_TRIES	100		/* of 100 ms: wait 10 s at most */
#define REDACTED	"[redacted]"

struct history {
	git_repository	 *repo;
	char		 *ref;		/* the ref runs record to */
	char		 *url;		/* shared by URL (credentials and all:
					   never printed), else NULL */
	char		 *url_public;	/* url without credentials */
	int		  fanout;	/* hosts/<xx>/<name>.yaml: sharded */
	char		 *where;	/* "branch enforcer/history of DIR" */
	char		 *gitdir;	/* prefix of every message */
	char		**secrets;
	size_t		  nsecrets;
	size_t		  pack_loose;	/* history_set_pack() */
	/*
	 * The engine's workers load last states and write intent commits at
	 * once; a libgit2 object is for one thread at a time (libgit2's
	 * docs/threading.md), so the entry points they use hold this.
	 */
	pthread_mutex_t	  lock;
};

/* One host of a run being recorded. */
struct rec_host {
	const struct history_host *h;
	git_oid		 last;		/* recorded before this run */
	git_oid		 observed;
	git_oid		 verified;
	unsigned	 has_last : 1, has_observed : 1, has_verified : 1;
};

/* What the next commit builds on: the branch tip, then each new commit. */
struct rec_head {
	git_oid		 tree;
	git_oid		 commit;
	int		 empty;		/* no commit yet (first run) */
};

/* A tree under construction: files to put under hosts/. */
struct rec_files {
	const char	**names;
	const git_oid	**oids;
	size_t		  n;
};

static int
history_git_fail(const struct history *h, char **cause, const char *what)
{
	return gitutil_fail(cause, h->gitdir, what);
}

/* --- the log's memory ----------------------------------------------------- */

void *
history_log_keep(struct history_log *log, void *p)
{
	if (p == NULL)
		return NULL;
	log->mem = xreallocarray(log->mem, log->nmem + 1, sizeof(*log->mem));
	log->mem[log->nmem++] = p;
	return p;
}

const char *
history_log_strndup(struct history_log *log, const char *s, size_t len)
{
	return history_log_keep(log, xstrndup(s, len));
}

struct node *
history_log_keep_node(struct history_log *log, struct node *n)
{
	if (n == NULL)
		return NULL;
	log->nodes = xreallocarray(log->nodes, log->nnodes + 1,
	    sizeof(*log->nodes));
	log->nodes[log->nnodes++] = n;
	return n;
}

void
history_log_free(struct history_log *log)
{
	size_t i;

	if (log == NULL)
		return;
	for (i = 0; i < log->nmem; i++)
		free(log->mem[i]);
	for (i = 0; i < log->nnodes; i++)
		node_free(log->nodes[i]);
	free(log->mem);
	free(log->nodes);
	free(log->entries);
	free(log);
}

/* --- opening -------------------------------------------------------------- */

int
history_dir_unused(const char *path)
{
	struct dirent *de;
	DIR *d;
	int empty = 1;

	if ((d = opendir(path)) == NULL)
		return errno == ENOENT;
	while (empty && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/*
 * A dedicated history repository is bare: nothing is ever checked out, and
 * a work tree would only invite edits that the next run would not see.
 */
static int
open_history_dir(struct history *h, const char *dir, char **cause)
{
	if (history_dir_unused(dir))
		return gitutil_create_bare(&h->repo, dir, HISTORY_BRANCH,
		    cause);
	if (git_repository_open_ext(&h->repo, dir,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0)
		return gitutil_fail(cause, dir,
		    "not a git repository, and not empty");
	return 0;
}

static int
open_desired_repo(struct history *h, const char *desired, char **cause)
{
	struct stat st;
	char *dir, *slash;
	int rc = 0;

	if (stat(desired, &st) == -1)
		return cause_set(cause, "'%s': %s", desired, strerror(errno));
	dir = xstrdup(desired);
	if (!S_ISDIR(st.st_mode)) {
		slash = strrchr(dir, '/');
		if (slash == NULL)
			strcpy(dir, ".");
		else
			slash[slash == dir ? 1 : 0] = '\0';
	}
	if (git_repository_open_ext(&h->repo, dir, 0, NULL) != 0) {
		rc = cause_set(cause, "'%s' is not in a git repository: give "
		    "--history DIR to keep the history elsewhere", desired);
	}
	free(dir);
	return rc;
}

static int history_lock_take(struct history *, int *fdp, char **cause);

/*
 * A history shared by URL: this process's own mirror of it (one per
 * shard, so that no two processes move one local ref), fetched now.
 */
static int
open_history_url(struct history *h, const char *url,
    const struct history_place *place, char **cause)
{
	char *cache, *dir, *leaf;
	int lockfd = -1, rc = -1;

	h->url = xstrdup(url);
	h->url_public = gitutil_url_public(url);
	cache = place->cache_dir != NULL ? xstrdup(place->cache_dir) :
	    gitutil_cache_dir();
	if (cache == NULL)
		return cause_set(cause, "%s: no cache directory for its mirror "
		    "(set HOME or give --cache DIR)", h->url_public);
	leaf = place->shard_count != 0 ? xstrdup(h->ref + strlen("refs/heads/"
	    HISTORY_SHARE_PREFIX)) : xstrdup("read");
	dir = history_share_mirror(cache, h->url_public, leaf);
	if (history_dir_unused(dir))
		rc = gitutil_create_bare(&h->repo, dir, HISTORY_BRANCH, cause);
	else if ((rc = git_repository_open_bare(&h->repo, dir)) != 0)
		rc = gitutil_fail(cause, h->url_public, dir);
	if (rc == 0 && (rc = history_lock_take(h, &lockfd, cause)) == 0)
		rc = history_share_pull(h->repo, h->url, h->url_public, h->ref,
		    cause);
	if (lockfd != -1)
		close(lockfd);
	free(dir);
	free(leaf);
	free(cache);
	return rc;
}

static int
shard_ref_found(const char *name, void *payload)
{
	(void)name;
	*(int *)payload = 1;
	return 1;	/* one is enough */
}

/*
 * A sharded run's ref cannot sit beside the unsharded branch: git keeps
 * enforcer/history either as a ref or as a directory of refs.  So an
 * unsharded run (revert, a window verb without --shard) on a repository
 * that holds shard refs records as the one shard of one, as it would over
 * a URL: the branch could not be created, and the run would go unrecorded.
 */
static int
check_sharded(struct history *h, char **cause)
{
	git_oid id;
	int shards = 0;

	if (strcmp(h->ref, HISTORY_REF) == 0) {
		if (git_reference_name_to_id(&id, h->repo, HISTORY_REF) == 0)
			return 0;
		git_reference_foreach_glob(h->repo, "refs/heads/"
		    HISTORY_SHARE_PREFIX "*", shard_ref_found, &shards);
		if (!shards)
			return 0;
		free(h->ref);
		h->ref = xstrdup("refs/heads/" HISTORY_SHARE_PREFIX
		    "shard-0-of-1");
		h->fanout = 1;
		free(h->where);
		h->where = xasprintf("branch %s of %s", h->ref +
		    strlen("refs/heads/"), h->gitdir);
		return 0;
	}
	if (git_reference_name_to_id(&id, h->repo, HISTORY_REF) != 0)
		return 0;
	return cause_set(cause, "%s: branch %s exists: a sharded history "
	    "needs a repository of its own (docs/scale.md)", h->gitdir,
	    HISTORY_BRANCH);
}

int
history_open(struct history **out, const char *desired,
    const char *history_dir, char **cause)
{
	return history_open_at(out, desired, history_dir, NULL, cause);
}

int
history_open_at(struct history **out, const char *desired,
    const char *history_dir, const struct history_place *place,
    char **cause)
{
	const struct history_place none = { NULL, 0, 0 };
	struct history *h;
	int rc = -1;

	git_libgit2_init();
	/* A history that lies after a power cut is worse than a slow one. */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/*
	 * libgit2 caches no commit or tree over 4 KiB: a run's commit (its
	 * message names every host changed) and the hosts/ tree of a fleet
	 * would be read, inflated and hashed again for every host a run looks
	 * up, quadratic in the fleet.  Up to 16 MiB each stay, within a cache
	 * of 32 MiB: what a run reads again is the last commit and its trees
	 * (about 3 MiB at 50,000 hosts); a larger cache only keeps trees
	 * that an apply's intent commits replaced.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_COMMIT,
	    (size_t)16 << 20);
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
	    (size_t)16 << 20);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)32 << 20);
	if (place == NULL)
		place = &none;
	h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	h->gitdir = xstrdup("history");
	h->pack_loose = HISTORY_PACK_LOOSE;
	/* Shared by URL: sharded or not, runs record to a shard ref. */
	if (place->shard_count != 0 || (history_dir != NULL &&
	    gitsrc_is_url(history_dir)))
		h->ref = xasprintf("refs/heads/%sshard-%u-of-%u",
		    HISTORY_SHARE_PREFIX, place->shard_index,
		    place->shard_count != 0 ? place->shard_count : 1);
	else
		h->ref = xstrdup(HISTORY_REF);
	h->fanout = strcmp(h->ref, HISTORY_REF) != 0;
	if (history_dir != NULL && gitsrc_is_url(history_dir))
		rc = open_history_url(h, history_dir, place, cause);
	else if (history_dir != NULL)
		rc = open_history_dir(h, history_dir, cause);
	else if (desired != NULL)
		rc = open_desired_repo(h, desired, cause);
	else
		cause_set(cause, "history: no desired state in a git "
		    "repository and no --history DIR");
	if (rc == 0) {
		free(h->gitdir);
		h->gitdir = xstrdup(h->url_public != NULL ? h->url_public :
		    git_repository_path(h->repo));
		h->where = xasprintf("branch %s of %s", h->ref +
		    strlen("refs/heads/"), h->gitdir);
		rc = check_sharded(h, cause);
	}
	if (rc == -1) {
		history_free(h);
		h = NULL;
	}
	*out = h;
	return rc;
}

void
history_free(struct history *h)
{
	size_t i;

	if (h == NULL)
		return;
	git_repository_free(h->repo);
	free(h->ref);
	free(h->url);
	free(h->url_public);
	for (i = 0; i < h->nsecrets; i++)
		free(h->secrets[i]);
	free(h->secrets);
	free(h->where);
	free(h->gitdir);
	pthread_mutex_destroy(&h->lock);
	free(h);
	git_libgit2_shutdown();
}

const char *
history_where(const struct history *h)
{
	return h->where;
}

void
history_set_pack(struct history *h, size_t loose)
{
	h->pack_loose = loose;
}

static void
history_secret_keep(struct history *h, const char *s)
{
	size_t i;

	for (i = 0; i < h->nsecrets; i++)
		if (strcmp(h->secrets[i], s) == 0)
			return;
	h->secrets = xreallocarray(h->secrets, h->nsecrets + 1,
	    sizeof(*h->secrets));
	h->secrets[h->nsecrets++] = xstrdup(s);
}

void
history_add_secret(struct history *h, const char *secret)
{
	struct buf b = BUF_INIT;
	const char *p;

	/* Shorter strings would redact ordinary words. */
	if (secret == NULL || strlen(secret) < 4)
		return;
	history_secret_keep(h, secret);
	/* A quote or backslash is escaped in change lines (and by libyaml's
	   double quotes); a quote is doubled in YAML single quotes. */
	history_msg_escape(&b, secret);
	history_secret_keep(h, buf_cstr(&b));
	buf_reset(&b);
	for (p = secret; *p != '\0'; p++)
		buf_puts(&b, *p == '\'' ? "''" : (char[]){ *p, '\0' });
	history_secret_keep(h, buf_cstr(&b));
	buf_release(&b);
}

static void
redact(const struct history *h, struct buf *b)
{
	struct buf out = BUF_INIT;
	const char *p, *hit;
	size_t i, len;

	for (i = 0; i < h->nsecrets; i++) {
		len = strlen(h->secrets[i]);
		if ((hit = memmem(b->ptr, b->len, h->secrets[i], len)) == NULL)
			continue;
		buf_reset(&out);
		for (p = b->ptr; hit != NULL; p = hit + len,
		    hit = memmem(p, b->len - (size_t)(p - b->ptr),
		    h->secrets[i], len)) {
			buf_add(&out, p, (size_t)(hit - p));
			buf_puts(&out, REDACTED);
		}
		buf_add(&out, p, b->len - (size_t)(p - b->ptr));
		buf_reset(b);
		buf_add(b, out.ptr, out.len);
	}
	buf_release(&out);
}

/* --- locking -------------------------------------------------------------- */

/*
 * Runs are serialised by flock(2) on a file beside the refs: the kernel
 * drops it when its holder dies.  Holding it, a lock file left on our ref
 * can only come from a writer killed mid-update (only enforcer moves this
 * ref), so it is removed; otherwise one SIGKILL would stop all history.
 */
static int
history_lock_take(struct history *h, int *fdp, char **cause)
{
	char *path;
	int fd, i, rc = -1;

	path = xasprintf("%s/%s", git_repository_commondir(h->repo),
	    HISTORY_LOCK);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; i++) {
		if (errno != EWOULDBLOCK || i == LOCK_TRIES) {
			cause_set(cause, "%s: %s", path, errno == EWOULDBLOCK ?
			    "locked by another run for 10s" : strerror(errno));
			close(fd);
			goto out;
		}
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	free(path);
	path = xasprintf("%s/%s.lock", git_repository_commondir(h->repo),
	    h->ref);
	if (unlink(path) == -1 && errno != ENOENT) {
		cause_set(cause, "%s: stale lock: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	*fdp = fd;
	rc = 0;
out:
	free(path);
	return rc;
}

/* --- recording ------------------------------------------------------------ */

static int
host_name_ok(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0' || *name == '.')
		return 0;
	for (p = name; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-_", *p) == NULL)
			return 0;
	return 1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
check_run(const struct history *h, const struct history_run *run, char **cause)
{
	const char **names;
	size_t i;
	int rc = 0;

	if (run->run_id == NULL || run->verb == NULL)
		return cause_set(cause, "%s: run without an id or a verb",
		    h->gitdir);
	for (i = 0; i < run->nhosts; i++)
		if (!host_name_ok(run->hosts[i].name))
			return cause_set(cause, "%s: host name '%s' cannot be "
			    "a file name", h->gitdir, run->hosts[i].name);
	/* Sorted, not pairwise: 50,000 hosts are 50,000 names. */
	names = xcalloc(run->nhosts + 1, sizeof(*names));
	for (i = 0; i < run->nhosts; i++)
		names[i] = run->hosts[i].name;
	qsort(names, run->nhosts, sizeof(*names), name_cmp);
	for (i = 1; i < run->nhosts && rc == 0; i++)
		if (strcmp(names[i], names[i - 1]) == 0)
			rc = cause_set(cause, "%s: host '%s' twice in one run",
			    h->gitdir, names[i]);
	free(names);
	return rc;
}

/* The tip of ref and (when tree is not NULL) its tree; NULL if unborn. */
static int
read_ref_tip(struct history *h, const char *ref, git_commit **tip,
    git_tree **tree, char **cause)
{
	git_oid id;
	char *what;
	int err;

	*tip = NULL;
	if (tree != NULL)
		*tree = NULL;
	err = git_reference_name_to_id(&id, h->repo, ref);
	if (err == GIT_ENOTFOUND)
		return 0;
	if (err != 0 || git_commit_lookup(tip, h->repo, &id) != 0 ||
	    (tree != NULL && git_commit_tree(tree, *tip) != 0)) {
		what = xasprintf("read %s", ref);
		err = history_git_fail(h, cause, what);
		free(what);
		return err;
	}
	return 0;
}

/* The tip of the ref this history records to. */
static int
read_tip(struct history *h, git_commit **tip, git_tree **tree, char **cause)
{
	return read_ref_tip(h, h->ref, tip, tree, cause);
}

/* Names of refs, owned: refs_release(). */
struct refs {
	char	**v;
	size_t	  n;
};

static void
refs_add(struct refs *l, const char *name)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(name);
}

static void
refs_release(struct refs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
read_refs_add(const char *name, void *payload)
{
	refs_add(payload, name);
	return 0;
}

/*
 * The refs reading verbs read, as one fleet: the unsharded branch, and
 * every shard's (docs/scale.md).  Freed with refs_release().
 */
static int
read_refs(struct history *h, struct refs *out, char **cause)
{
	git_oid id;

	memset(out, 0, sizeof(*out));
	if (git_reference_name_to_id(&id, h->repo, HISTORY_REF) == 0)
		refs_add(out, HISTORY_REF);
	if (git_reference_foreach_glob(h->repo, "refs/heads/"
	    HISTORY_SHARE_PREFIX "*", read_refs_add, out) != 0) {
		refs_release(out);
		return history_git_fail(h, cause, "list refs");
	}
	return 0;
}

/* A host's state as a blob: its tree n, or the same already as text. */
static int
write_state(struct history *h, const struct node *n, const char *text,
    git_oid *oid, char **cause)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	if (text != NULL)
		buf_puts(&b, text);
	else
		node_emit(n, &b, 1);
	redact(h, &b);
	if (git_blob_create_from_buffer(oid, h->repo, b.ptr, b.len) != 0)
		rc = history_git_fail(h, cause, "write blob");
	buf_release(&b);
	return rc;
}

/*
 * hosts/<xx>/ of a fanned-out tree (sharded histories): the top byte of
 * the name's FNV-1a hash in hex, so that a run that changes a few hosts
 * of 50,000 writes a few directories of about 200 entries, not one of
 * 50,000 (docs/scale.md).
 */
static void
host_fan_dir(const char *host, char dir[3])
{
	snprintf(dir, 3, "%02x", (unsigned)(shard_hash(host) >> 56));
}

/* Where host's file is: fanned out or flat (both are read). */
static char *
host_path(const char *host, int fanout)
{
	char dir[3];

	if (!fanout)
		return xasprintf("hosts/%s.yaml", host);
	host_fan_dir(host, dir);
	return xasprintf("hosts/%s/%s.yaml", dir, host);
}

/* host's file in tree, in either layout; *path (may be NULL) where. */
static int
host_entry(git_tree *tree, const char *host, git_tree_entry **e,
    char **path)
{
	char *p;
	int fanout, err = GIT_ENOTFOUND;

	*e = NULL;
	for (fanout = 1; fanout >= 0 && err == GIT_ENOTFOUND; fanout--) {
		p = host_path(host, fanout);
		err = git_tree_entry_bypath(e, tree, p);
		if (path != NULL && (err == 0 || fanout == 0))
			*path = p;
		else
			free(p);
	}
	return err;
}

static int
last_blob(git_tree *tree, const char *host, git_oid *oid)
{
	git_tree_entry *e;
	int found = 0;

	if (tree == NULL)
		return 0;
	if (host_entry(tree, host, &e, NULL) == 0) {
		git_oid_cpy(oid, git_tree_entry_id(e));
		found = git_tree_entry_type(e) == GIT_OBJECT_BLOB;
		git_tree_entry_free(e);
	}
	return found;
}

static int
prepare_hosts(struct history *h, const struct history_run *run, git_tree *last,
    struct rec_host *rh, char **cause)
{
	size_t i;

	for (i = 0; i < run->nhosts; i++) {
		rh[i].h = &run->hosts[i];
		rh[i].has_last = last_blob(last, rh[i].h->name, &rh[i].last);
		if (rh[i].h->observed != NULL ||
		    rh[i].h->observed_text != NULL) {
			if (write_state(h, rh[i].h->observed,
			    rh[i].h->observed_text, &rh[i].observed,
			    cause) == -1)
				return -1;
			rh[i].has_observed = 1;
		}
		if (rh[i].h->verified != NULL ||
		    rh[i].h->verified_text != NULL) {
			if (write_state(h, rh[i].h->verified,
			    rh[i].h->verified_text, &rh[i].verified,
			    cause) == -1)
				return -1;
			rh[i].has_verified = 1;
		}
	}
	return 0;
}

static void
files_add(struct rec_files *f, const char *name, const git_oid *oid)
{
	f->names = xreallocarray(f->names, f->n + 1, sizeof(*f->names));
	f->oids = xreallocarray(f->oids, f->n + 1, sizeof(*f->oids));
	f->names[f->n] = name;
	f->oids[f->n++] = oid;
}

static void
files_release(struct rec_files *f)
{
	free(f->names);
	free(f->oids);
	memset(f, 0, sizeof(*f));
}

/* Set <name>.yaml for files [from, to) of f (by index ix) in b. */
static int
insert_files(git_treebuilder *b, const struct rec_files *f, const size_t *ix,
    size_t from, size_t to)
{
	char *file;
	int err = 0;

	for (; from < to && err == 0; from++) {
		file = xasprintf("%s.yaml", f->names[ix[from]]);
		err = git_treebuilder_insert(NULL, b, file, f->oids[ix[from]],
		    GIT_FILEMODE_BLOB);
		free(file);
	}
	return err;
}

/* A file of a run and its directory, to write each directory once. */
struct fan_order {
	size_t	i;
	char	dir[3];
};

static int
fan_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fan_order *)a)->dir,
	    ((const struct fan_order *)b)->dir);
}

/* One directory hosts/<dir>/ of hb, with files [from, to) of ix set. */
static int
write_fan_dir(struct history *h, git_treebuilder *hb, git_tree *hosts,
    const char *dir, const struct rec_files *f, const size_t *ix,
    size_t from, size_t to)
{
	const git_tree_entry *e;
	git_treebuilder *db = NULL;
	git_tree *sub = NULL;
	git_oid id;
	int err;

	e = hosts != NULL ? git_tree_entry_byname(hosts, dir) : NULL;
	err = e != NULL ? git_tree_lookup(&sub, h->repo,
	    git_tree_entry_id(e)) : 0;
	if (err == 0)
		err = git_treebuilder_new(&db, h->repo, sub);
	if (err == 0)
		err = insert_files(db, f, ix, from, to);
	if (err == 0)
		err = git_treebuilder_write(&id, db);
	if (err == 0)
		err = git_treebuilder_insert(NULL, hb, dir, &id,
		    GIT_FILEMODE_TREE);
	git_treebuilder_free(db);
	git_tree_free(sub);
	return err;
}

/* hb (hosts/) with each file of f set, fanned out or flat. */
static int
write_hosts(struct history *h, git_treebuilder *hb, git_tree *hosts,
    const struct rec_files *f)
{
	struct fan_order *o;
	size_t *ix, i, j;
	int err = 0;

	o = xcalloc(f->n + 1, sizeof(*o));
	ix = xcalloc(f->n + 1, sizeof(*ix));
	for (i = 0; i < f->n; i++) {
		o[i].i = i;
		host_fan_dir(f->names[i], o[i].dir);
	}
	if (h->fanout)
		qsort(o, f->n, sizeof(*o), fan_cmp);
	for (i = 0; i < f->n; i++)
		ix[i] = o[i].i;
	if (!h->fanout)
		err = insert_files(hb, f, ix, 0, f->n);
	for (i = 0; h->fanout && i < f->n && err == 0; i = j) {
		for (j = i; j < f->n && strcmp(o[j].dir, o[i].dir) == 0; j++)
			;
		err = write_fan_dir(h, hb, hosts, o[i].dir, f, ix, i, j);
	}
	free(o);
	free(ix);
	return err;
}

/* base (may be NULL) with each host's file set (host_path()). */
static int
write_tree(struct history *h, const git_oid *base, const struct rec_files *f,
    git_oid *out, char **cause)
{
	git_treebuilder *hb = NULL, *rb = NULL;
	git_tree *root = NULL, *hosts = NULL;
	git_tree_entry *e = NULL;
	git_oid hosts_id;
	int rc = -1;

	if (base != NULL && (git_tree_lookup(&root, h->repo, base) != 0 ||
	    (git_tree_entry_bypath(&e, root, "hosts") == 0 &&
	    git_tree_lookup(&hosts, h->repo, git_tree_entry_id(e)) != 0)))
		goto fail;
	if (git_treebuilder_new(&hb, h->repo, hosts) != 0 ||
	    write_hosts(h, hb, hosts, f) != 0)
		goto fail;
	if (git_treebuilder_write(&hosts_id, hb) != 0 ||
	    git_treebuilder_new(&rb, h->repo, root) != 0 ||
	    git_treebuilder_insert(NULL, rb, "hosts", &hosts_id,
	    GIT_FILEMODE_TREE) != 0 || git_treebuilder_write(out, rb) != 0)
		goto fail;
	rc = 0;
	goto done;
fail:
	rc = history_git_fail(h, cause, "write tree");
done:
	git_treebuilder_free(hb);
	git_treebuilder_free(rb);
	git_tree_entry_free(e);
	git_tree_free(hosts);
	git_tree_free(root);
	return rc;
}

static int
write_commit(struct history *h, const git_oid *tree_id, const git_oid *parent,
    time_t when, struct buf *msg, git_oid *out, char **cause)
{
	git_signature *sig = NULL;
	git_commit *pc = NULL;
	git_tree *tree = NULL;
	const git_commit *parents[1];
	char host[256], *email;
	int rc = -1;

	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	email = xasprintf("enforcer@%s", host);
	redact(h, msg);
	if (git_signature_new(&sig, "enforcer", email, (git_time_t)when, 0)
	    != 0 || git_tree_lookup(&tree, h->repo, tree_id) != 0 ||
	    (parent != NULL && git_commit_lookup(&pc, h->repo, parent) != 0))
		goto fail;
	parents[0] = pc;
	if (git_commit_create(out, h->repo, NULL, sig, sig, NULL,
	    buf_cstr(msg), tree, parent != NULL ? 1 : 0, parents) != 0)
		goto fail;
	rc = 0;
	goto done;
fail:
	rc = history_git_fail(h, cause, "write commit");
done:
	git_signature_free(sig);
	git_commit_free(pc);
	git_tree_free(tree);
	free(email);
	return rc;
}

/* Write a tree (head's with files set) and a commit on head; advance it. */
static int
commit_on(struct history *h, struct rec_head *head, const struct rec_files *f,
    time_t when, struct buf *msg, char **cause)
{
	git_oid tree, commit;

	if (write_tree(h, head->empty ? NULL : &head->tree, f, &tree,
	    cause) == -1 || write_commit(h, &tree, head->empty ? NULL :
	    &head->commit, when, msg, &commit, cause) == -1)
		return -1;
	git_oid_cpy(&head->tree, &tree);
	git_oid_cpy(&head->commit, &commit);
	head->empty = 0;
	return 0;
}

/*
 * The observed commit, when needed: drifted hosts (recorded before, now
 * different) and new hosts this run changed, with their observed states.
 * With intent, always, before the run writes to run's hosts: every host
 * not recorded yet is recorded, and the message carries the changes
 * about to be made.
 */
static int
history_commit_observed(struct history *h, const struct history_run *run,
    const struct rec_host *rh, int intent, struct rec_head *head, char **cause)
{
	struct rec_files f = { NULL, NULL, 0 };
	const char **drifted, **fresh;
	size_t i, nd = 0, nf = 0;
	struct buf msg = BUF_INIT;
	int rc = 0;

	drifted = xcalloc(run->nhosts + 1, sizeof(*drifted));
	fresh = xcalloc(run->nhosts + 1, sizeof(*fresh));
	for (i = 0; i < run->nhosts; i++) {
		if (!rh[i].has_observed)
			continue;
		if (rh[i].has_last && !git_oid_equal(&rh[i].last,
		    &rh[i].observed))
			drifted[nd++] = rh[i].h->name;
		else if (!rh[i].has_last && (intent || (rh[i].has_verified &&
		    !git_oid_equal(&rh[i].verified, &rh[i].observed))))
			fresh[nf++] = rh[i].h->name;
		else
			continue;
		files_add(&f, rh[i].h->name, &rh[i].observed);
	}
	if (f.n > 0 || intent) {
		history_msg_observed(&msg, run, drifted, nd, fresh, nf,
		    intent);
		rc = commit_on(h, head, &f, run->started, &msg, cause);
	}
	buf_release(&msg);
	files_release(&f);
	free(drifted);
	free(fresh);
	return rc;
}

/*
 * The lines of a run commit's message that say how things stand, beyond
 * the tree: which desired state and windows, which hosts failed or are
 * not compliant.
 */
static void
msg_status(const char *msg, struct buf *out)
{
	static const char *const keep[] = { "Record: ", "Desired: ",
	    "Desired-Commit: ", "Desired-Dirty: ", "Window: ",
	    "Hosts-Failed: ", "Hosts-Noncompliant: ", NULL };
	const char *nl;
	size_t i;

	for (; *msg != '\0'; msg = *nl != '\0' ? nl + 1 : nl) {
		nl = msg + strcspn(msg, "\n");
		for (i = 0; keep[i] != NULL; i++)
			if (strncmp(msg, keep[i], strlen(keep[i])) == 0)
				buf_add(out, msg, (size_t)(nl - msg) + 1);
	}
}

/*
 * A run commit with tree and msg would say nothing new: this run changed
 * nothing, and the tip is a run commit younger than run->heartbeat with
 * the same tree and the same status (msg_status()).
 */
static int
run_says_nothing(const struct history_run *run, const git_commit *tip,
    const git_oid *tree, const struct buf *msg)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int same;

	if (run->heartbeat <= 0 || tip == NULL || run->nchanges > 0 ||
	    !git_oid_equal(git_commit_tree_id(tip), tree) ||
	    (time_t)git_commit_time(tip) + run->heartbeat <= run->finished)
		return 0;
	msg_status(git_commit_message(tip), &a);
	msg_status(buf_cstr(msg), &b);
	same = strncmp(buf_cstr(&a), "Record: run\n", 12) == 0 &&
	    strcmp(buf_cstr(&a), buf_cstr(&b)) == 0;
	buf_release(&a);
	buf_release(&b);
	return same;
}

/*
 * The run commit, unless it would say nothing new (run_says_nothing())
 * and no observed commit was written before it.
 */
static int
history_commit_run(struct history *h, const struct history_run *run,
    const struct rec_host *rh, const git_commit *tip, struct rec_head *head,
    char **cause)
{
	struct rec_files f = { NULL, NULL, 0 };
	struct buf msg = BUF_INIT;
	git_oid tree, commit;
	size_t i;
	int rc = -1;

	for (i = 0; i < run->nhosts; i++) {
		if (rh[i].has_verified)
			files_add(&f, rh[i].h->name, &rh[i].verified);
		else if (rh[i].has_observed)
			files_add(&f, rh[i].h->name, &rh[i].observed);
	}
	history_msg_run(&msg, run);
	redact(h, &msg);
	if (write_tree(h, head->empty ? NULL : &head->tree, &f, &tree,
	    cause) == -1)
		goto out;
	if (tip != NULL && git_oid_equal(git_commit_id(tip), &head->commit) &&
	    run_says_nothing(run, tip, &tree, &msg)) {
		rc = 0;
		goto out;
	}
	if (write_commit(h, &tree, head->empty ? NULL : &head->commit,
	    run->finished, &msg, &commit, cause) == -1)
		goto out;
	git_oid_cpy(&head->tree, &tree);
	git_oid_cpy(&head->commit, &commit);
	head->empty = 0;
	rc = 0;
out:
	buf_release(&msg);
	files_release(&f);
	return rc;
}

static int
move_branch(struct history *h, const struct history_run *run,
    const git_oid *new_id, const git_commit *tip, char **cause)
{
	git_reference *ref = NULL;
	char *logmsg;
	int err;

	logmsg = xasprintf("enforcer: %s %s", run->verb, run->run_id);
	/* Compare-and-swap: a tip moved by anyone else fails the run. */
	err = git_reference_create_matching(&ref, h->repo, h->ref, new_id,
	    tip != NULL, tip != NULL ? git_commit_id(tip) : NULL, logmsg);
	free(logmsg);
	git_reference_free(ref);
	if (err != 0) {
		logmsg = xasprintf("update %s", h->ref);
		err = history_git_fail(h, cause, logmsg);
		free(logmsg);
		return err;
	}
	return 0;
}

/*
 * One or two commits (observed, run), then one move of the branch, when
 * there is a commit to add: *wrote says whether there was.
 */
static int
history_write(struct history *h, const struct history_run *run, int intent,
    int *wrote, char **cause)
{
	struct rec_host *rh = NULL;
	git_commit *tip = NULL;
	git_tree *last = NULL;
	struct rec_head head;
	char *packing = NULL;
	int lockfd = -1, rc = -1;

	*wrote = 0;
	if (check_run(h, run, cause) == -1 ||
	    history_lock_take(h, &lockfd, cause) == -1 ||
	    read_tip(h, &tip, &last, cause) == -1)
		goto out;
	rh = xcalloc(run->nhosts + 1, sizeof(*rh));
	if (prepare_hosts(h, run, last, rh, cause) == -1)
		goto out;
	memset(&head, 0, sizeof(head));
	head.empty = tip == NULL;
	if (tip != NULL) {
		git_oid_cpy(&head.tree, git_tree_id(last));
		git_oid_cpy(&head.commit, git_commit_id(tip));
	}
	if (history_commit_observed(h, run, rh, intent, &head, cause) == -1 ||
	    (!intent && history_commit_run(h, run, rh, tip, &head,
	    cause) == -1))
		goto out;
	*wrote = head.empty ? 0 : tip == NULL ||
	    !git_oid_equal(&head.commit, git_commit_id(tip));
	if (*wrote && move_branch(h, run, &head.commit, tip, cause) == -1) {
		*wrote = 0;
		goto out;
	}
	/* Intent commits travel with their run commit (docs/scale.md). */
	if (h->url != NULL && !intent && history_share_push(h->repo, h->url,
	    h->url_public, h->ref, cause) == -1)
		goto out;
	/*
	 * Packing is housekeeping: the run is recorded (and pushed) by now,
	 * and must not be reported otherwise; a pack that failed is tried
	 * again after the next run, nothing having been removed.
	 */
	if (!intent && *wrote && history_pack(h->repo, h->pack_loose,
	    h->gitdir, &packing) == -1)
		free(packing);
	/* So is the index by host: rebuilt from the history when behind. */
	packing = NULL;
	if (!intent && *wrote && history_index_update(h->repo, h->ref,
	    h->gitdir, &packing) == -1)
		free(packing);
	rc = 0;
out:
	if (lockfd != -1)
		close(lockfd);
	free(rh);
	git_tree_free(last);
	git_commit_free(tip);
	return rc;
}

int
history_record(struct history *h, const struct history_run *run, int *wrote,
    char **cause)
{
	int w, rc;

	pthread_mutex_lock(&h->lock);
	rc = history_write(h, run, 0, wrote != NULL ? wrote : &w, cause);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int
history_record_intent(struct history *h, const struct history_run *run,
    char **cause)
{
	int w, rc;

	pthread_mutex_lock(&h->lock);
	rc = history_write(h, run, 1, &w, cause);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* --- reading -------------------------------------------------------------- */

static int
parse_commit(struct history *h, struct history_log *log, git_commit *c,
    struct history_entry *e, enum history_msg_record *record, char **cause)
{
	memset(e, 0, sizeof(*e));
	git_oid_tostr(e->commit, sizeof(e->commit), git_commit_id(c));
	if (history_msg_parse(log, e, record, git_commit_message(c),
	    cause) == -1)
		return cause_prefix(cause, "%s: commit %.12s", h->gitdir,
		    e->commit);
	if (e->run.finished == 0)
		e->run.finished = (time_t)git_commit_time(c);
	return 0;
}

static int
first_parent(struct history *h, git_commit **c, char **cause)
{
	git_commit *p = NULL;

	if (git_commit_parentcount(*c) > 0 &&
	    git_commit_parent(&p, *c, 0) != 0) {
		git_commit_free(*c);
		*c = NULL;
		return history_git_fail(h, cause, "read parent");
	}
	git_commit_free(*c);
	*c = p;
	return 0;
}

static int
change_matches(const struct history_filter *f, const struct history_change *c)
{
	return (f->host == NULL || strcmp(c->host, f->host) == 0) &&
	    (f->class < 0 || (int)c->class == f->class);
}

static int
host_failed(const struct history_entry *e, const char *host)
{
	size_t i;

	for (i = 0; i < e->run.nhosts; i++)
		if (e->run.hosts[i].error != NULL &&
		    strcmp(e->run.hosts[i].name, host) == 0)
			return 1;
	return 0;
}

/* Keep e? Narrows its changes to the filter. */
static int
entry_filter(struct history_log *log, struct history_entry *e,
    const struct history_filter *f)
{
	struct history_change *kept;
	size_t i, n = 0;

	if (f->host == NULL && f->class < 0)
		return 1;
	kept = xcalloc(e->run.nchanges + 1, sizeof(*kept));
	for (i = 0; i < e->run.nchanges; i++)
		if (change_matches(f, &e->run.changes[i]))
			kept[n++] = e->run.changes[i];
	e->run.changes = history_log_keep(log, kept);
	e->run.nchanges = n;
	if (n > 0)
		return 1;
	return f->class < 0 && (host_failed(e, f->host) ||
	    strv_has(e->drifted, e->ndrifted, f->host));
}

struct walk {
	struct history_log		 *log;
	const struct history_filter *filter;
	size_t			  cap;
	size_t			  first;	/* this ref's first entry */
	struct history_entry	  pending;	/* run awaiting its parent */
	int			  has_pending;
	int			  pending_run;	/* pending is a run commit */
	int			  done;		/* limit or since reached */
};

static void
walk_flush(struct walk *w)
{
	struct history_log *log = w->log;

	if (!w->has_pending)
		return;
	w->has_pending = 0;
	if (w->filter->since != 0 && w->pending.run.finished <
	    w->filter->since) {
		/* First-parent history is in time order: nothing older. */
		w->done = 1;
		return;
	}
	if (!entry_filter(log, &w->pending, w->filter))
		return;
	if (log->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		log->entries = xreallocarray(log->entries, w->cap,
		    sizeof(*log->entries));
	}
	log->entries[log->n++] = w->pending;
	if (w->filter->limit != 0 && log->n - w->first == w->filter->limit)
		w->done = 1;
}

/* Concatenation of two arrays of n1 and n2 items of size, kept in log. */
static void *
join_arrays(struct history_log *log, const void *a1, size_t n1,
    const void *a2, size_t n2, size_t size)
{
	char *v;

	v = xcalloc(n1 + n2 + 1, size);
	if (n1 > 0)
		memcpy(v, a1, n1 * size);
	if (n2 > 0)
		memcpy(v + n1 * size, a2, n2 * size);
	return history_log_keep(log, v);
}

/*
 * An observed or intent commit e of the run of entry into it: its drifted
 * hosts, and its changes when entry has no run commit (a run cut short,
 * of which only what it meant to do is known).  Commits are met newest
 * first, so entry->observed ends as the run's first commit.
 */
static void
entry_join(struct history_log *log, struct history_entry *entry,
    const struct history_entry *e, int changes)
{
	memcpy(entry->observed, e->commit, sizeof(e->commit));
	entry->drifted = join_arrays(log, e->drifted, e->ndrifted,
	    entry->drifted, entry->ndrifted, sizeof(*e->drifted));
	entry->ndrifted += e->ndrifted;
	if (!changes)
		return;
	entry->run.changes = join_arrays(log, e->run.changes, e->run.nchanges,
	    entry->run.changes, entry->run.nchanges, sizeof(*e->run.changes));
	entry->run.nchanges += e->run.nchanges;
	entry->run.started = e->run.started;
}

/* Newest first; observed and intent commits join the run above them. */
static int
walk_one(struct history *h, struct walk *w, git_commit *c, char **cause)
{
	enum history_msg_record record;
	struct history_entry e;

	if (parse_commit(h, w->log, c, &e, &record, cause) == -1)
		return -1;
	if (record != HISTORY_MSG_RUN && w->has_pending &&
	    strcmp(w->pending.run.run_id, e.run.run_id) == 0) {
		entry_join(w->log, &w->pending, &e, !w->pending_run);
		return 0;
	}
	walk_flush(w);
	w->pending = e;
	w->has_pending = 1;
	w->pending_run = record == HISTORY_MSG_RUN;
	if (!w->pending_run) {
		memcpy(w->pending.observed, e.commit, sizeof(e.commit));
		w->pending.cut = 1;
	}
	return 0;
}

/* One ref's runs into w->log, newest first, up to the filter's limit. */
static int
walk_ref(struct history *h, struct walk *w, const char *ref, char **cause)
{
	git_commit *c = NULL;
	int rc = -1;

	w->first = w->log->n;
	w->done = 0;
	w->has_pending = 0;
	if (read_ref_tip(h, ref, &c, NULL, cause) == -1)
		goto out;
	while (c != NULL && !w->done) {
		if (walk_one(h, w, c, cause) == -1 ||
		    first_parent(h, &c, cause) == -1)
			goto out;
	}
	if (!w->done)
		walk_flush(w);
	rc = 0;
out:
	git_commit_free(c);
	return rc;
}

static int commit_before_run(const git_commit *c);

/*
 * The run whose run commit (or, cut short, newest commit) is id: that
 * commit and the observed and intent commits of the same run below it.
 */
static int
walk_run_at(struct history *h, struct walk *w, const git_oid *id,
    char **cause)
{
	git_commit *c = NULL;
	char *needle = NULL;
	int rc = -1;

	if (git_commit_lookup(&c, h->repo, id) != 0)
		return history_git_fail(h, cause, "read indexed commit");
	if (walk_one(h, w, c, cause) == -1)
		goto out;
	needle = xasprintf("\nRun-Id: %s\n", w->pending.run.run_id);
	for (;;) {
		if (first_parent(h, &c, cause) == -1)
			goto out;
		if (c == NULL || !commit_before_run(c) ||
		    strstr(git_commit_message(c), needle) == NULL)
			break;
		if (walk_one(h, w, c, cause) == -1)
			goto out;
	}
	walk_flush(w);
	rc = 0;
out:
	free(needle);
	git_commit_free(c);
	return rc;
}

/* The index of ref brought up to date, then looked up: -1 without one. */
static int
host_index(struct history *h, const char *ref, const char *host,
    git_oid **ids, size_t *n, git_oid *tip)
{
	char *cause = NULL;
	int lockfd = -1, rc = -1;

	if (history_lock_take(h, &lockfd, &cause) == 0 &&
	    history_index_update(h->repo, ref, h->gitdir, &cause) == 0)
		rc = history_index_lookup(h->repo, ref, host, ids, n, tip);
	if (lockfd != -1)
		close(lockfd);
	free(cause);
	return rc;
}

/*
 * One ref's runs concerning filter->host: those above the index's tip by
 * walking, then the indexed ones; without an index (a repository this
 * process cannot write to), the whole walk.
 */
static int
walk_ref_host(struct history *h, struct walk *w, const char *ref,
    char **cause)
{
	git_commit *c = NULL;
	git_oid *ids = NULL, tip;
	size_t n, i;
	int rc = -1;

	if (host_index(h, ref, w->filter->host, &ids, &n, &tip) == -1)
		return walk_ref(h, w, ref, cause);
	w->first = w->log->n;
	w->done = 0;
	w->has_pending = 0;
	if (read_ref_tip(h, ref, &c, NULL, cause) == -1)
		goto out;
	while (c != NULL && !w->done &&
	    !git_oid_equal(git_commit_id(c), &tip)) {
		if (walk_one(h, w, c, cause) == -1 ||
		    first_parent(h, &c, cause) == -1)
			goto out;
	}
	if (!w->done)
		walk_flush(w);
	for (i = 0; i < n && !w->done; i++)
		if (walk_run_at(h, w, &ids[i], cause) == -1)
			goto out;
	rc = 0;
out:
	git_commit_free(c);
	free(ids);
	return rc;
}

/* Newest first across shards: finish time, then run id (which starts
 * with the start time). */
static int
entry_newer(const void *a, const void *b)
{
	const struct history_entry *x = a, *y = b;

	if (x->run.finished != y->run.finished)
		return x->run.finished > y->run.finished ? -1 : 1;
	return -strcmp(x->run.run_id != NULL ? x->run.run_id : "",
	    y->run.run_id != NULL ? y->run.run_id : "");
}

int
history_list(struct history_log **out, struct history *h,
    const struct history_filter *filter, char **cause)
{
	const struct history_filter all = HISTORY_FILTER_INIT;
	struct refs refs;
	struct walk w;
	size_t i;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	w.log = xcalloc(1, sizeof(*w.log));
	w.filter = filter != NULL ? filter : &all;
	if (read_refs(h, &refs, cause) == -1)
		goto out;
	for (i = 0; i < refs.n; i++)
		if ((w.filter->host != NULL ? walk_ref_host(h, &w, refs.v[i],
		    cause) : walk_ref(h, &w, refs.v[i], cause)) == -1)
			goto out;
	/* One ref is in order already; several are merged. */
	if (refs.n > 1 && w.log->n > 1)
		qsort(w.log->entries, w.log->n, sizeof(*w.log->entries),
		    entry_newer);
	if (w.filter->limit != 0 && w.log->n > w.filter->limit)
		w.log->n = w.filter->limit;
	rc = 0;
out:
	refs_release(&refs);
	if (rc == -1) {
		history_log_free(w.log);
		w.log = NULL;
	}
	*out = w.log;
	return rc;
}

/* The run commit of run_id, its entry filled in log. */
static int
find_run(struct history *h, struct history_log *log, const char *run_id,
    git_commit **out, struct history_entry *e, char **cause)
{
	enum history_msg_record record;
	git_commit *c = NULL;
	struct refs refs = { NULL, 0 };
	char *needle;
	size_t i;
	int rc = -1;

	*out = NULL;
	needle = xasprintf("\nRun-Id: %s\n", run_id);
	if (read_refs(h, &refs, cause) == -1)
		goto out;
	for (i = 0; i < refs.n && c == NULL; i++) {
		if (read_ref_tip(h, refs.v[i], &c, NULL, cause) == -1)
			goto out;
		for (; c != NULL; ) {
			if (strstr(git_commit_message(c), needle) != NULL) {
				if (parse_commit(h, log, c, e, &record,
				    cause) == -1)
					goto out;
				if (record == HISTORY_MSG_RUN)
					break;
			}
			if (first_parent(h, &c, cause) == -1)
				goto out;
		}
	}
	if (c == NULL) {
		cause_set(cause, "no run '%s' in %s", run_id, h->where);
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	refs_release(&refs);
	git_commit_free(c);
	free(needle);
	return rc;
}

/* hosts/<host>.yaml of commit c parsed, or *out = NULL if absent. */
static int
read_state(struct history *h, git_commit *c, const char *host,
    struct node **out, char **cause)
{
	struct errors errs = ERRORS_INIT;
	git_tree_entry *e = NULL;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	char *path, *name, hex[13];
	int err, rc = -1;

	*out = NULL;
	path = NULL;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	if (git_commit_tree(&tree, c) != 0) {
		name = xasprintf("%s:hosts/%s.yaml", hex, host);
		goto fail;
	}
	err = host_entry(tree, host, &e, &path);
	name = xasprintf("%s:%s", hex, path);
	if (err == GIT_ENOTFOUND) {
		rc = 0;
		goto done;
	}
	if (err != 0 || git_blob_lookup(&blob, h->repo,
	    git_tree_entry_id(e)) != 0)
		goto fail;
	if (node_parse_string(out, node_file_intern(name),
	    git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
	    &errs) == -1) {
		cause_set(cause, "%s: %s", h->gitdir, errs.msg[0]);
		goto done;
	}
	rc = 0;
	goto done;
fail:
	rc = history_git_fail(h, cause, name);
done:
	errors_clear(&errs);
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_tree_free(tree);
	free(name);
	free(path);
	return rc;
}

static int
run_changed(const struct history_run *run, const char *host)
{
	size_t i;

	for (i = 0; i < run->nchanges; i++)
		if (strcmp(run->changes[i].host, host) == 0)
			return 1;
	return 0;
}

/*
 * Before run c: the parent's file; a host first recorded by c and left
 * unchanged has no earlier file, and c's file is what it observed.
 */
static int
history_state_prior(struct history *h, git_commit *c,
    const struct history_run *run, const char *host, struct node **out,
    char **cause)
{
	git_commit *parent = NULL;
	int rc = 0;

	*out = NULL;
	if (git_commit_parentcount(c) > 0 &&
	    git_commit_parent(&parent, c, 0) != 0)
		return history_git_fail(h, cause, "read parent");
	if (parent != NULL)
		rc = read_state(h, parent, host, out, cause);
	if (rc == 0 && *out == NULL && !run_changed(run, host))
		rc = read_state(h, c, host, out, cause);
	git_commit_free(parent);
	return rc;
}

static int
show_host(struct history *h, struct history_log *log, git_commit *c,
    const struct history_run *run, struct history_host *hh, char **cause)
{
	struct node *n;

	if (history_state_prior(h, c, run, hh->name, &n, cause) == -1)
		return -1;
	hh->observed = history_log_keep_node(log, n);
	if (!run_changed(run, hh->name))
		return 0;
	if (read_state(h, c, hh->name, &n, cause) == -1)
		return -1;
	hh->verified = history_log_keep_node(log, n);
	return 0;
}

/* Made by a run before its run commit (an observed or intent commit). */
static int
commit_before_run(const git_commit *c)
{
	const char *msg = git_commit_message(c);

	return strstr(msg, "\nRecord: observed\n") != NULL ||
	    strstr(msg, "\nRecord: intent\n") != NULL;
}

/* The observed and intent commits just below c, of the same run. */
static int
show_drift(struct history *h, struct history_log *log, git_commit *c,
    struct history_entry *e, char **cause)
{
	enum history_msg_record record;
	struct history_entry pe;
	git_commit *cur = NULL, *p = NULL;
	int rc = 0;

	while (git_commit_parentcount(cur != NULL ? cur : c) > 0) {
		if (git_commit_parent(&p, cur != NULL ? cur : c, 0) != 0) {
			rc = history_git_fail(h, cause, "read parent");
			break;
		}
		if (!commit_before_run(p) ||
		    (rc = parse_commit(h, log, p, &pe, &record, cause)) == -1 ||
		    strcmp(pe.run.run_id, e->run.run_id) != 0)
			break;
		entry_join(log, e, &pe, 0);
		git_commit_free(cur);
		cur = p;
		p = NULL;
	}
	git_commit_free(p);
	git_commit_free(cur);
	return rc;
}

int
history_show(struct history_log **out, struct history *h, const char *run_id,
    char **cause)
{
	struct history_log *log;
	struct history_host *hosts;
	git_commit *c = NULL;
	size_t i;
	int rc = -1;

	log = xcalloc(1, sizeof(*log));
	log->entries = xcalloc(1, sizeof(*log->entries));
	if (find_run(h, log, run_id, &c, &log->entries[0], cause) == -1 ||
	    show_drift(h, log, c, &log->entries[0], cause) == -1)
		goto out;
	log->n = 1;
	/* The parsed hosts are the log's; give them their trees. */
	hosts = (struct history_host *)log->entries[0].run.hosts;
	for (i = 0; i < log->entries[0].run.nhosts; i++)
		if (show_host(h, log, c, &log->entries[0].run, &hosts[i],
		    cause) == -1)
			goto out;
	rc = 0;
out:
	git_commit_free(c);
	if (rc == -1) {
		history_log_free(log);
		log = NULL;
	}
	*out = log;
	return rc;
}

/*
 * Across shards, the ref whose tip is newest among those that hold the
 * host: when N changes, the refs of the old split stop moving, so the
 * host's newest record is in the newest ref that has it.
 */
static int
last_state(struct node **out, struct history *h, const char *host,
    char **cause)
{
	struct refs refs;
	git_commit *tip = NULL;
	git_time_t best = 0;
	struct node *n;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (read_refs(h, &refs, cause) == -1)
		return -1;
	for (i = 0; i < refs.n; i++) {
		if (read_ref_tip(h, refs.v[i], &tip, NULL, cause) == -1)
			goto out;
		n = NULL;
		if (tip != NULL && (*out == NULL || git_commit_time(tip) >
		    best) && read_state(h, tip, host, &n, cause) == -1)
			goto out;
		if (n != NULL) {
			node_free(*out);
			*out = n;
			best = git_commit_time(tip);
		}
		git_commit_free(tip);
		tip = NULL;
	}
	rc = 0;
out:
	git_commit_free(tip);
	refs_release(&refs);
	if (rc == -1) {
		node_free(*out);
		*out = NULL;
	}
	return rc;
}

int
history_last_state(struct node **out, struct history *h, const char *host,
    char **cause)
{
	int rc;

	pthread_mutex_lock(&h->lock);
	rc = last_state(out, h, host, cause);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int
history_state_before(struct node **out, struct history *h,
    const char *run_id, const char *host, char **cause)
{
	struct history_log *log;
	struct history_entry e;
	git_commit *c = NULL;
	int rc;

	*out = NULL;
	log = xcalloc(1, sizeof(*log));
	rc = find_run(h, log, run_id, &c, &e, cause);
	if (rc == 0)
		rc = history_state_prior(h, c, &e.run, host, out, cause);
	git_commit_free(c);
	history_log_free(log);
	return rc;
}
