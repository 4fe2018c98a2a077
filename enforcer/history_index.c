/*
 * history_index.c: which runs of a history ref concern a host, without
 * reading every commit (`history --host H` at 100,000 commits;
 * docs/scale.md, "Index").
 *
 * Beside the repository (its git directory), enforcer-index/<ref>/ holds
 * 256 bucket files, one per top byte of the host name's FNV-1a hash (the
 * fan-out of the tree), each with lines "<commit> <host>", oldest first:
 * the run commit (or, for a run cut short, its newest commit) of every
 * run that changed, failed on or found drift on the host.  TIP names the
 * last commit indexed; what lies above it is read by walking, as before.
 *
 * Nothing in the index is authoritative: it is made from the history and
 * can be removed at any time.  It is brought up to the ref's tip after
 * each recorded run and before each reading by host, under the history's
 * lock: the new commits (down to TIP) are read, their lines appended to
 * the buckets, then TIP replaced by rename.  A process killed between the
 * two leaves lines that the next update appends again: readers drop
 * repeated commits.  A TIP that is not on the ref any more (a replayed
 * push rewrote the ref) makes the index of that ref be built again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitutil.h"
#include "history.h"
#include "shard.h"

#define INDEX_DIR	"enforcer-index"
#define INDEX_LINE	(GIT_OID_HEXSZ + 1)	/* "<hex> " before the host */

/* The lines of one update, by bucket. */
struct index_add {
	struct buf	 b[256];
	git_oid		 tip;		/* the last commit of a whole run */
	int		 has_tip;
};

/* The run being gathered (its observed and intent commits first). */
struct index_run {
	char		*run_id;
	char		 last[GIT_OID_HEXSZ + 1];	/* its newest commit */
	char	       **hosts;
	size_t		 nhosts;
};

static char *
index_dir(git_repository *r, const char *ref)
{
	const char *leaf = strrchr(ref, '/');

	return xasprintf("%s%s/%s", git_repository_commondir(r), INDEX_DIR,
	    leaf != NULL ? leaf + 1 : ref);
}

static unsigned
index_bucket(const char *host)
{
	return (unsigned)(shard_hash(host) >> 56);
}

static int
index_read_tip(const char *dir, git_oid *tip)
{
	char *path = xasprintf("%s/TIP", dir), hex[GIT_OID_HEXSZ + 1];
	FILE *f;
	int ok = 0;

	if ((f = fopen(path, "re")) != NULL) {
		ok = fread(hex, 1, GIT_OID_HEXSZ, f) == GIT_OID_HEXSZ;
		hex[GIT_OID_HEXSZ] = '\0';
		ok = ok && git_oid_fromstr(tip, hex) == 0;
		fclose(f);
	}
	free(path);
	return ok;
}

static void
run_add_host(struct index_run *run, const char *host)
{
	size_t i;

	for (i = 0; i < run->nhosts; i++)
		if (strcmp(run->hosts[i], host) == 0)
			return;
	run->hosts = xreallocarray(run->hosts, run->nhosts + 1,
	    sizeof(*run->hosts));
	run->hosts[run->nhosts++] = xstrdup(host);
}

/* The gathered run's lines, under its newest commit; then empty. */
static void
run_emit(struct index_run *run, struct index_add *add)
{
	size_t i;

	for (i = 0; i < run->nhosts; i++) {
		buf_printf(&add->b[index_bucket(run->hosts[i])], "%s %s\n",
		    run->last, run->hosts[i]);
		free(run->hosts[i]);
	}
	if (run->run_id != NULL) {
		git_oid_fromstr(&add->tip, run->last);
		add->has_tip = 1;
	}
	free(run->hosts);
	free(run->run_id);
	run->hosts = NULL;
	run->nhosts = 0;
	run->run_id = NULL;
}

/* The hosts one commit concerns: changed, failed, found drifted. */
static void
run_add_entry(struct index_run *run, const struct history_entry *e)
{
	size_t i;

	for (i = 0; i < e->run.nchanges; i++)
		run_add_host(run, e->run.changes[i].host);
	for (i = 0; i < e->run.nhosts; i++)
		if (e->run.hosts[i].error != NULL)
			run_add_host(run, e->run.hosts[i].name);
	for (i = 0; i < e->ndrifted; i++)
		run_add_host(run, e->drifted[i]);
}

/*
 * One commit, oldest first: a run's observed and intent commits gather,
 * its run commit closes it; a commit of another run closes a run cut
 * short (as history_list() reads them).
 */
static int
index_commit(git_commit *c, struct index_run *run, struct index_add *add,
    const char *where, char **cause)
{
	enum history_msg_record record;
	struct history_log *log = xcalloc(1, sizeof(*log));
	struct history_entry e;
	int rc = 0;

	memset(&e, 0, sizeof(e));
	if (history_msg_parse(log, &e, &record, git_commit_message(c),
	    cause) == -1) {
		rc = cause_prefix(cause, "%s: commit %s", where,
		    git_oid_tostr_s(git_commit_id(c)));
		goto out;
	}
	if (run->run_id != NULL && (e.run.run_id == NULL ||
	    strcmp(run->run_id, e.run.run_id) != 0))
		run_emit(run, add);
	if (run->run_id == NULL)
		run->run_id = xstrdup(e.run.run_id != NULL ? e.run.run_id : "");
	git_oid_tostr(run->last, sizeof(run->last), git_commit_id(c));
	run_add_entry(run, &e);
	if (record == HISTORY_MSG_RUN)
		run_emit(run, add);
out:
	history_log_free(log);
	return rc;
}

/*
 * The commits of ref above tip (all, without one), oldest first, in *out;
 * *found says whether tip was met (else the ref was rewritten).
 */
static int
index_new_commits(git_repository *r, const char *ref, const git_oid *tip,
    git_oid **out, size_t *n, int *found)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int err;

	*out = NULL;
	*n = 0;
	*found = 0;
	if ((err = git_revwalk_new(&walk, r)) != 0 ||
	    (err = git_revwalk_push_ref(walk, ref)) != 0) {
		git_revwalk_free(walk);
		return err;
	}
	git_revwalk_simplify_first_parent(walk);
	while ((err = git_revwalk_next(&id, walk)) == 0) {
		if (tip != NULL && git_oid_equal(&id, tip)) {
			*found = 1;
			break;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		git_oid_cpy(&(*out)[(*n)++], &id);
	}
	git_revwalk_free(walk);
	return err == GIT_ITEROVER || err == 0 ? 0 : err;
}

static int
index_write_all(const char *dir, const char *name, const char *data,
    size_t len, int flags)
{
	char *path = xasprintf("%s/%s", dir, name);
	ssize_t w;
	int fd, rc = -1;

	if ((fd = open(path, flags | O_WRONLY | O_CLOEXEC, 0644)) != -1) {
		for (rc = 0; len > 0 && rc == 0; data += w, len -= (size_t)w)
			if ((w = write(fd, data, len)) <= 0)
				rc = -1;
		if (close(fd) == -1)
			rc = -1;
	}
	free(path);
	return rc;
}

/* Append each bucket's lines, then replace TIP. */
static int
index_store(const char *dir, struct index_add *add)
{
	char name[8], hex[GIT_OID_HEXSZ + 2];
	char *tmp, *tip;
	unsigned i;
	int rc = 0;

	for (i = 0; i < 256 && rc == 0; i++) {
		if (add->b[i].len == 0)
			continue;
		snprintf(name, sizeof(name), "%02x", i);
		rc = index_write_all(dir, name, add->b[i].ptr, add->b[i].len,
		    O_CREAT | O_APPEND);
	}
	if (rc == -1 || !add->has_tip)
		return rc;
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &add->tip);
	strcat(hex, "\n");
	tmp = xasprintf("%s/TIP.new", dir);
	tip = xasprintf("%s/TIP", dir);
	rc = index_write_all(dir, "TIP.new", hex, strlen(hex),
	    O_CREAT | O_TRUNC);
	if (rc == 0 && rename(tmp, tip) == -1)
		rc = -1;
	free(tmp);
	free(tip);
	return rc;
}

/* Forget the index of a rewritten ref. */
static void
index_clear(const char *dir)
{
	char name[8], *path;
	unsigned i;

	for (i = 0; i < 257; i++) {
		if (i < 256)
			snprintf(name, sizeof(name), "%02x", i);
		path = xasprintf("%s/%s", dir, i < 256 ? name : "TIP");
		unlink(path);
		free(path);
	}
}

int
history_index_update(git_repository *r, const char *ref, const char *where,
    char **cause)
{
	struct index_add add;
	struct index_run run;
	git_commit *c = NULL;
	git_oid tip, *ids = NULL;
	char *dir = index_dir(r, ref), *top;
	size_t n = 0, i;
	int has_tip, found, rc = -1;

	memset(&add, 0, sizeof(add));
	memset(&run, 0, sizeof(run));
	top = xasprintf("%s%s", git_repository_commondir(r), INDEX_DIR);
	if ((mkdir(top, 0755) == -1 && errno != EEXIST) ||
	    (mkdir(dir, 0755) == -1 && errno != EEXIST)) {
		cause_set(cause, "%s: %s: %s", where, dir, strerror(errno));
		goto out;
	}
	has_tip = index_read_tip(dir, &tip);
	if (index_new_commits(r, ref, has_tip ? &tip : NULL, &ids, &n,
	    &found) != 0) {
		gitutil_fail(cause, where, ref);
		goto out;
	}
	/* Rewritten, or never (fully) made: built from the root. */
	if (!has_tip || !found)
		index_clear(dir);
	for (i = n; i > 0; i--) {
		if (git_commit_lookup(&c, r, &ids[i - 1]) != 0) {
			gitutil_fail(cause, where, "index");
			goto out;
		}
		if (index_commit(c, &run, &add, where, cause) == -1)
			goto out;
		git_commit_free(c);
		c = NULL;
	}
	/* A run still going (its intent commits only) is read by walking. */
	if (index_store(dir, &add) == -1) {
		cause_set(cause, "%s: %s: %s", where, dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < run.nhosts; i++)
		free(run.hosts[i]);
	free(run.hosts);
	free(run.run_id);
	for (i = 0; i < 256; i++)
		buf_release(&add.b[i]);
	git_commit_free(c);
	free(ids);
	free(top);
	free(dir);
	return rc;
}

/* A commit and where it was read, to find repeated ones. */
struct index_seen {
	git_oid	id;
	size_t	at;
};

static int
index_seen_cmp(const void *a, const void *b)
{
	const struct index_seen *x = a, *y = b;
	int c = git_oid_cmp(&x->id, &y->id);

	return c != 0 ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* Keep the first of repeated commits (lines a killed update left). */
static void
index_dedupe(git_oid *ids, size_t *n)
{
	struct index_seen *s = xcalloc(*n + 1, sizeof(*s));
	char *drop = xcalloc(*n + 1, 1);
	size_t i, k = 0;

	for (i = 0; i < *n; i++) {
		git_oid_cpy(&s[i].id, &ids[i]);
		s[i].at = i;
	}
	qsort(s, *n, sizeof(*s), index_seen_cmp);
	for (i = 1; i < *n; i++)
		if (git_oid_equal(&s[i].id, &s[i - 1].id))
			drop[s[i].at] = 1;
	for (i = 0; i < *n; i++)
		if (!drop[i])
			git_oid_cpy(&ids[k++], &ids[i]);
	*n = k;
	free(drop);
	free(s);
}

int
history_index_lookup(git_repository *r, const char *ref, const char *host,
    git_oid **out, size_t *n, git_oid *tip)
{
	char *dir = index_dir(r, ref), *path, *line = NULL;
	size_t cap = 0, hlen = strlen(host), i;
	ssize_t len;
	git_oid id;
	FILE *f;
	int rc = -1;

	*out = NULL;
	*n = 0;
	path = xasprintf("%s/%02x", dir, index_bucket(host));
	if (!index_read_tip(dir, tip))
		goto out;
	rc = 0;
	if ((f = fopen(path, "re")) == NULL)
		goto out;	/* no run concerns a host of that bucket */
	while ((len = getline(&line, &cap, f)) > 0) {
		if ((size_t)len != INDEX_LINE + hlen + 1 ||
		    strncmp(line + INDEX_LINE, host, hlen) != 0 ||
		    git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) != 0)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		git_oid_cpy(&(*out)[(*n)++], &id);
	}
	fclose(f);
	free(line);
	index_dedupe(*out, n);
	/* Newest first, as history_list() returns runs. */
	for (i = 0; i < *n / 2; i++) {
		id = (*out)[i];
		(*out)[i] = (*out)[*n - 1 - i];
		(*out)[*n - 1 - i] = id;
	}
out:
	free(path);
	free(dir);
	return rc;
}
