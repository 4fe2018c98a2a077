/*
 * history_share.c: a history shared by several control nodes (shards),
 * kept in a repository reached by URL (docs/scale.md).
 *
 * Each process works in a mirror of its own (a bare repository in the
 * cache directory, one per URL and shard), so that no two processes ever
 * move one local ref.  Before a run, every enforcer/history/ ref of the
 * shared repository is fetched into the mirror; after the run, the
 * process pushes its one ref, enforcer/history/shard-I-of-N.  Shards never
 * write each other's refs; should the process's own ref have moved on the
 * shared repository meanwhile (a second process of the same shard), the
 * commits it has not pushed yet are replayed on the new tip (cherry-pick:
 * each commit only sets hosts/ files) and the push is tried again.
 *
 * Credentials are the URL's (https://user:TOKEN@host/...), or the SSH
 * agent's for ssh://; libgit2's messages are redacted (gitutil_fail).
 * Callers hold the history's lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitutil.h"
#include "history.h"

#define SHARE_FETCHED	"refs/enforcer/fetched/"
#define SHARE_HEADS	"refs/heads/" HISTORY_SHARE_PREFIX
#define SHARE_TRIES	5
#define SHARE_ID_HEX	16

char *
history_share_mirror(const char *cache_dir, const char *url_public,
    const char *leaf)
{
	char hex[SHARE_ID_HEX + 1];
	git_oid id;

	/* Keyed without credentials: a rotated token keeps its mirror. */
	git_odb_hash(&id, url_public, strlen(url_public), GIT_OBJECT_BLOB);
	git_oid_tostr(hex, sizeof(hex), &id);
	return xasprintf("%s/history/%s-%s.git", cache_dir, hex, leaf);
}

/* What libgit2 may authenticate with: the URL's user and password (over
 * TLS or SSH only), or the SSH agent. */
static int
share_credentials(git_credential **out, const char *url,
    const char *user_from_url, unsigned int allowed, void *payload)
{
	(void)url;
	(void)payload;
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(out,
		    user_from_url != NULL ? user_from_url : "git");
	return GIT_PASSTHROUGH;
}

static int
share_remote(git_remote **remote, git_repository *r, const char *url,
    const char *where, char **cause)
{
	if (gitutil_url_cleartext_secret(url))
		return cause_set(cause, "%s: refusing to send the URL's "
		    "credentials over plain http://: use https:// or ssh://",
		    where);
	if (git_remote_create_anonymous(remote, r, url) != 0)
		return gitutil_fail(cause, where, "remote");
	return 0;
}

static int
share_fetch(git_repository *r, const char *url, const char *where,
    const char *spec, char **cause)
{
	git_strarray refspecs = { (char **)&spec, 1 };
	git_fetch_options opts;
	git_remote *remote = NULL;
	int rc = 0;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	opts.callbacks.credentials = share_credentials;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (share_remote(&remote, r, url, where, cause) == -1)
		return -1;
	if (git_remote_fetch(remote, &refspecs, &opts, NULL) != 0)
		rc = gitutil_fail(cause, where, "fetch");
	git_remote_free(remote);
	return rc;
}

static int
share_set_ref(git_repository *r, const char *name, const git_oid *id,
    const char *where, char **cause)
{
	git_reference *ref = NULL;

	if (git_reference_create(&ref, r, name, id, 1,
	    "enforcer: shared history") != 0)
		return gitutil_fail(cause, where, name);
	git_reference_free(ref);
	return 0;
}

/* One commit c (whose first parent is the one replayed before it) on top
 * of onto; *out the new commit. */
static int
share_pick(git_repository *r, git_commit *c, git_commit *onto, git_oid *out,
    const char *where, char **cause)
{
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_oid tree_id;
	const git_commit *parents[1] = { onto };
	int rc = -1;

	if (git_cherrypick_commit(&index, r, c, onto, 0, NULL) != 0) {
		gitutil_fail(cause, where, "replay");
		goto out;
	}
	if (git_index_has_conflicts(index)) {
		cause_set(cause, "%s: replaying commit %.12s on the shared tip: "
		    "it sets a host file another process of this shard set "
		    "too", where, git_oid_tostr_s(git_commit_id(c)));
		goto out;
	}
	if (git_index_write_tree_to(&tree_id, index, r) != 0 ||
	    git_tree_lookup(&tree, r, &tree_id) != 0 ||
	    git_commit_create(out, r, NULL, git_commit_author(c),
	    git_commit_committer(c), git_commit_message_encoding(c),
	    git_commit_message(c), tree, 1, parents) != 0) {
		gitutil_fail(cause, where, "replay");
		goto out;
	}
	rc = 0;
out:
	git_tree_free(tree);
	git_index_free(index);
	return rc;
}

/* The commits of local not in theirs, oldest first (first parents). */
static int
share_own_commits(git_repository *r, const git_oid *local,
    const git_oid *theirs, git_oid **out, size_t *n, const char *where,
    char **cause)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (git_revwalk_new(&walk, r) != 0 ||
	    git_revwalk_push(walk, local) != 0 ||
	    git_revwalk_hide(walk, theirs) != 0) {
		git_revwalk_free(walk);
		return gitutil_fail(cause, where, "walk");
	}
	git_revwalk_simplify_first_parent(walk);
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	while (git_revwalk_next(&id, walk) == 0) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		git_oid_cpy(&(*out)[(*n)++], &id);
	}
	git_revwalk_free(walk);
	return rc;
}

/* Our unpushed commits, replayed on theirs; local ref moved to the result. */
static int
share_replay(git_repository *r, const char *own, const git_oid *local,
    const git_oid *theirs, const char *where, char **cause)
{
	git_commit *c = NULL, *onto = NULL;
	git_oid *mine, tip;
	size_t n, i;
	int rc = -1;

	if (share_own_commits(r, local, theirs, &mine, &n, where, cause) == -1)
		return -1;
	git_oid_cpy(&tip, theirs);
	for (i = 0; i < n; i++) {
		if (git_commit_lookup(&c, r, &mine[i]) != 0 ||
		    git_commit_lookup(&onto, r, &tip) != 0) {
			gitutil_fail(cause, where, "replay");
			goto out;
		}
		if (share_pick(r, c, onto, &tip, where, cause) == -1)
			goto out;
		git_commit_free(c);
		git_commit_free(onto);
		c = onto = NULL;
	}
	rc = share_set_ref(r, own, &tip, where, cause);
out:
	git_commit_free(c);
	git_commit_free(onto);
	free(mine);
	return rc;
}

/*
 * Our ref against the shared one (fetched as theirs): take it when ours
 * is behind or missing, keep ours when ahead (not pushed yet), replay
 * ours on it when both moved.
 */
static int
share_reconcile(git_repository *r, const char *own, const git_oid *theirs,
    const char *where, char **cause)
{
	git_oid local;

	if (git_reference_name_to_id(&local, r, own) != 0)
		return share_set_ref(r, own, theirs, where, cause);
	if (git_oid_equal(&local, theirs) ||
	    git_graph_descendant_of(r, &local, theirs) == 1)
		return 0;
	if (git_graph_descendant_of(r, theirs, &local) == 1)
		return share_set_ref(r, own, theirs, where, cause);
	return share_replay(r, own, &local, theirs, where, cause);
}

struct share_copy {
	git_repository	*r;
	const char	*own;
	const char	*where;
	char		*cause;
};

/* A fetched ref into refs/heads/enforcer/history/: ours reconciled, the
 * other shards' taken as they are. */
static int
share_copy_one(const char *name, void *payload)
{
	struct share_copy *sc = payload;
	char *local;
	git_oid id;
	int rc;

	if (git_reference_name_to_id(&id, sc->r, name) != 0)
		return gitutil_fail(&sc->cause, sc->where, name);
	local = xasprintf("%s%s", SHARE_HEADS, name + strlen(SHARE_FETCHED));
	if (strcmp(local, sc->own) == 0)
		rc = share_reconcile(sc->r, sc->own, &id, sc->where,
		    &sc->cause);
	else
		rc = share_set_ref(sc->r, local, &id, sc->where, &sc->cause);
	free(local);
	return rc;
}

int
history_share_pull(git_repository *r, const char *url, const char *where,
    const char *own, char **cause)
{
	struct share_copy sc = { r, own, where, NULL };
	char *spec;
	int rc;

	spec = xasprintf("+%s*:%s*", SHARE_HEADS, SHARE_FETCHED);
	rc = share_fetch(r, url, where, spec, cause);
	free(spec);
	if (rc == -1)
		return -1;
	if (git_reference_foreach_glob(r, SHARE_FETCHED "*", share_copy_one,
	    &sc) != 0) {
		if (sc.cause == NULL)
			return gitutil_fail(cause, where, "mirror");
		*cause = sc.cause;
		return -1;
	}
	return 0;
}

/* Our ref as the shared repository holds it now, reconciled with ours. */
static int
share_pull_own(git_repository *r, const char *url, const char *where,
    const char *own, char **cause)
{
	const char *leaf = own + strlen(SHARE_HEADS);
	char *spec, *fetched;
	git_oid id;
	int rc;

	fetched = xasprintf("%s%s", SHARE_FETCHED, leaf);
	spec = xasprintf("+%s:%s", own, fetched);
	/* Not there yet (the shard's first run): nothing to reconcile. */
	git_reference_remove(r, fetched);
	rc = share_fetch(r, url, where, spec, cause);
	if (rc == 0 && git_reference_name_to_id(&id, r, fetched) == 0)
		rc = share_reconcile(r, own, &id, where, cause);
	free(spec);
	free(fetched);
	return rc;
}

/* Why the shared repository refused our ref, or NULL (it took it). */
static int
share_refused(const char *ref, const char *status, void *data)
{
	char **why = data;

	(void)ref;
	if (status != NULL && *why == NULL)
		*why = xstrdup(status);
	return 0;
}

static int
share_push_once(git_repository *r, const char *url, const char *where,
    const char *own, int *raced, char **cause)
{
	char *spec = xasprintf("%s:%s", own, own), *why = NULL;
	git_strarray refspecs = { &spec, 1 };
	git_push_options opts;
	git_remote *remote = NULL;
	int err, rc = -1;

	*raced = 0;
	git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	opts.callbacks.credentials = share_credentials;
	opts.callbacks.push_update_reference = share_refused;
	opts.callbacks.payload = &why;
	if (share_remote(&remote, r, url, where, cause) == -1)
		goto out;
	if ((err = git_remote_push(remote, &refspecs, &opts)) != 0) {
		/* Someone else's commits on our ref: fetch and replay. */
		*raced = err == GIT_ENONFASTFORWARD;
		gitutil_fail(cause, where, "push");
		goto out;
	}
	if (why != NULL) {
		*raced = 1;
		cause_set(cause, "%s: push %s: refused: %s", where, own, why);
		goto out;
	}
	rc = 0;
out:
	git_remote_free(remote);
	free(why);
	free(spec);
	return rc;
}

int
history_share_push(git_repository *r, const char *url, const char *where,
    const char *own, char **cause)
{
	int i, raced = 1;

	for (i = 0; i < SHARE_TRIES && raced; i++) {
		free(*cause);
		*cause = NULL;
		if (share_pull_own(r, url, where, own, cause) == -1)
			return -1;
		if (share_push_once(r, url, where, own, &raced, cause) == 0)
			return 0;
	}
	return cause_prefix(cause, "after %d tries", i);
}
