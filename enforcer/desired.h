/*
 * desired.h: where a run's desired state comes from (a path, or a commit
 * of a git repository: --repo/--ref), where its history lives, and which
 * lock serialises the runs that change its hosts.  Shared by the verbs
 * that run the engine (plan, apply, revert).
 *
 * History location, in order (docs/history.md, "Where it lives"):
 * --history DIR; else $ENFORCER_HISTORY; else the branch enforcer/history
 * of the git repository holding PATH (or of --repo when it is a local
 * repository).  A verb that records refuses to run without one: every
 * change must be recorded, and a default hidden inside the desired state
 * would be lost with it.
 */
#ifndef ENFORCER_DESIRED_H
#define ENFORCER_DESIRED_H

#include "history.h"
#include "model.h"

/* Everything is borrowed (from argv and the environment). */
struct desired_src {
	const char	*path;		/* PATH, or NULL with repo */
	const char	*repo;		/* --repo PATH_OR_URL */
	const char	*ref;		/* --ref REF */
	const char	*keyring;	/* --require-signed KEYRING */
	const char	*cache_dir;	/* --cache DIR; NULL: the default */
	const char	*history_dir;	/* --history DIR; NULL: see above */
	int		 require_clean;	/* --require-clean: refuse a PATH with
					   uncommitted changes */
	unsigned	 shard_index;	/* --shard I/N: the history ref and
					   the lock are the shard's own */
	unsigned	 shard_count;	/* 0: not sharded */
};

/* A loaded desired state.  Owns everything: desired_release(). */
struct desired {
	struct model	*m;
	char		*where;		/* PATH made absolute, or the
					   repository (a URL without its
					   credentials) */
	char		 commit[41];	/* full id read with --ref, or HEAD of
					   PATH's work tree, else "" */
	int		 dirty;		/* PATH differs from that commit */
	char		*signer;	/* key that signed it (--require-signed) */
};

/* desired.c */

/*
 * Check the combination of options: PATH or --repo, not both; --ref and
 * --require-signed only with --repo.  Fills history_dir from
 * $ENFORCER_HISTORY when not given.
 */
int desired_src_check(struct desired_src *, char **cause);

/* given, else $ENFORCER_HISTORY when set and not empty, else NULL. */
const char *desired_history_dir(const char *given);

/*
 * Load the desired state of src.  On failure returns -1 with every problem
 * in errs ("file:line:col: ..." or "REPO: REF: ..."); d is released.  A
 * PATH in a git work tree gets its HEAD commit and dirty mark; with
 * src->require_clean, a dirty PATH (or one outside git) is refused.
 */
int desired_load(struct desired *d, const struct desired_src *src,
    struct errors *errs);
void desired_release(struct desired *);

/*
 * Open src's history.  With required (verbs that record), a missing
 * location fails with a cause saying what to do, and a --history DIR is
 * created on first use.  Without (plan), *out is NULL when no history
 * exists yet, and nothing is created.  *out: history_free().
 */
int desired_history(struct history **out, const struct desired_src *src,
    int required, char **cause);

/*
 * Give the history the credentials of a --repo URL
 * ("https://bot:TOKEN@host/..."), so that they are redacted should one
 * ever reach it (the Desired trailer already drops them).
 */
void desired_add_secrets(struct history *h, const struct desired_src *src);

/*
 * The lock file of runs that change src's hosts (lock.h): in
 * $STATE_DIRECTORY under systemd, else next to the desired state.  free().
 */
char *desired_lock_path(const struct desired_src *);

#endif
