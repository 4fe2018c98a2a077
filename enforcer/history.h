/*
 * history.h: every run recorded in a git repository (libgit2), and read
 * back.  The format (tree, commit message grammar, trailers, classes, the
 * --json shape) is described in docs/history.md.
 *
 * Where: by default the branch "enforcer/history" of the git repository
 * holding the desired state; otherwise the repository given with --history
 * (created bare on first use).  Only objects are written and only that one
 * ref moves: the team's work tree, index and HEAD are never touched.
 *
 * What: the tree holds hosts/<name>.yaml, each host's state (node_emit with
 * sorted keys), so "git log -p hosts/<name>.yaml" is that host's audit
 * trail.  A run gives at most two commits: an "observed" commit when a
 * host's observed state differs from the one last recorded (drift), then
 * the run commit holding the verified states.  Both are written before the
 * ref moves once, under a lock, so a run killed at any point leaves the
 * branch at a complete run (see history_record).
 *
 * Nothing secret belongs in these structs; history_add_secret() is a last
 * line of defence that redacts known secrets from everything written.
 */
#ifndef ENFORCER_HISTORY_H
#define ENFORCER_HISTORY_H

#include <stddef.h>
#include <time.h>

#include <git2.h>

#include "node.h"

enum history_class {
	HISTORY_INTENTIONAL,	/* the desired state changed */
	HISTORY_CORRECTIVE,	/* drift repaired */
	HISTORY_WINDOW,		/* a window opened */
	HISTORY_EXPIRY,		/* a window ended */
};
#define HISTORY_NCLASSES 4

/* One property changed on one host.  Every string is borrowed. */
struct history_change {
	const char	*host;		/* "node2.contoso.test" */
	const char	*path;		/* "credssp.server.enabled" */
	const char	*before;	/* observed before, as text; NULL: absent */
	const char	*after;		/* verified after; NULL: removed */
	enum history_class class;
	const char	*reason;	/* "window create-cluster", "policy
					   hci-nodes", ...; may be NULL */
	const char	*window;	/* window id or NULL */
	int		 verified;	/* the re-read after apply matched */
};

/* One host of a run.  Everything is borrowed. */
struct history_host {
	const char	  *name;	/* [A-Za-z0-9._-], not starting '.' */
	const struct node *observed;	/* whole observed state before the run,
					   NULL if the host was unreadable */
	const struct node *verified;	/* whole state re-read after applying,
					   NULL if nothing was applied */
	const char	  *error;	/* one-line cause if the host failed */
	const char	  *noncompliant; /* one line when the host was left
					   out of its desired state (held by
					   Group Policy, needs a person, a
					   change not made), else NULL */
	const char	  *observed_text; /* when writing, instead of a tree:
					   the same state as node_emit() */
	const char	  *verified_text; /* text with sorted keys, or NULL */
};

/*
 * A run.  For history_record() everything is borrowed from the caller.  In
 * a struct history_log (reading) everything is owned by the log.
 */
struct history_run {
	const char		 *run_id;	/* history_new_run_id() */
	const char		 *verb;		/* "apply", "revert", ... */
	time_t			  started;
	time_t			  finished;
	const char		 *desired_path;	/* path or URL, may be NULL */
	const char		 *desired_commit; /* hex id, or NULL */
	const char		**windows;	/* active window ids */
	size_t			  nwindows;
	const struct history_host *hosts;
	size_t			  nhosts;
	const struct history_change *changes;
	size_t			  nchanges;
	long long		  heartbeat;	/* history_record(): seconds; 0
						   records every run */
	int			  desired_dirty; /* the work tree had
						   uncommitted changes */
	const char		 *operator;	/* who ran it ($SUDO_USER, login
						   name), or NULL */
};

/* One run read back from the history (newest first in a history_log). */
struct history_entry {
	char		  commit[41];	/* hex id of the run commit */
	char		  observed[41];	/* hex id of its observed (drift)
					   commit, "" if none */
	const char	 *summary;	/* the run commit's first line */
	struct history_run run;		/* hosts[] carry name and error; their
					   trees only from history_show() */
	const char	**drifted;	/* hosts found changed outside
					   enforcer before this run */
	size_t		  ndrifted;
	int		  cut;		/* no run commit: the run was killed
					   or not recorded after its intent
					   commits (commit is its newest) */
};

/*
 * Runs read back.  Everything reachable from entries (strings, arrays, node
 * trees) is owned by the log: free it with history_log_free().
 */
struct history_log {
	struct history_entry *entries;
	size_t		   n;
	/* private: what history_log_free() releases */
	void		 **mem;
	size_t		   nmem;
	struct node	 **nodes;
	size_t		   nnodes;
};

/* Filters for history_list(); zero / NULL / -1 means "any". */
struct history_filter {
	const char	*host;	/* runs that changed, failed on or found drift
				   on this host; changes narrowed to it */
	time_t		 since;	/* runs finished at or after */
	size_t		 limit;	/* at most this many runs */
	int		 class;	/* -1, or runs with a change of this enum
				   history_class; changes narrowed to it */
};
#define HISTORY_FILTER_INIT { NULL, 0, 0, -1 }

struct history;

/* Refs of a sharded history: refs/heads/ + this + "shard-I-of-N". */
#define HISTORY_SHARE_PREFIX	"enforcer/history/"

/*
 * Where a history is kept, beyond its directory: with shard_count, the
 * run records to its own ref, enforcer/history/shard-I-of-N, so that
 * shards never contend on one ref (docs/scale.md); a history given as a
 * URL is mirrored in cache_dir (NULL: $XDG_CACHE_HOME/enforcer/git, else
 * ~/.cache/enforcer/git), fetched when opened, and the run's ref pushed
 * after each record.  Reading reads every enforcer/history ref.
 */
struct history_place {
	const char	*cache_dir;
	unsigned	 shard_index;
	unsigned	 shard_count;	/* 0: not sharded */
};

/* history.c */

/*
 * Open the history: history_dir when not NULL (a repository, created bare
 * with HEAD at enforcer/history when the directory is missing or empty);
 * otherwise the git repository containing desired (a directory or a file),
 * branch enforcer/history.  Fails when neither applies.  *out must be
 * passed to history_free().
 */
int history_open(struct history **out, const char *desired,
    const char *history_dir, char **cause);

/*
 * The same, with place (NULL: not sharded); history_dir may then be a URL
 * (gitsrc_is_url()), always opened: nothing is created there but refs.
 */
int history_open_at(struct history **out, const char *desired,
    const char *history_dir, const struct history_place *place,
    char **cause);
void history_free(struct history *);

/*
 * dir is missing or an empty directory: no history was recorded there
 * yet, and history_open() would create one.
 */
int history_dir_unused(const char *dir);

/* "branch enforcer/history of /path/.git" (borrowed), for messages. */
const char *history_where(const struct history *);

/*
 * Redact every occurrence of secret (copied; 4 bytes or longer) from all
 * that history_record() writes, replacing it with "[redacted]": as it is,
 * and as quoting writes it (change lines, YAML single quotes).
 */
void history_add_secret(struct history *, const char *secret);

/*
 * Record a run: an observed commit first when some known host's observed
 * state differs from its last recorded one (drift), or when a host seen
 * for the first time was changed (so its state before the run is kept);
 * then the run commit, whose tree holds each host's verified state, else
 * its observed state, else (unreadable) its last recorded state.  Hosts
 * recorded earlier but absent from the run keep their files.  A run that
 * changes nothing adds one commit with the same tree, except with
 * run->heartbeat: when the branch's tip is a run commit with the same
 * tree, younger than heartbeat seconds, with the same Desired,
 * Desired-Commit, Window, Hosts-Failed and Hosts-Noncompliant trailers,
 * nothing is added (docs/history.md, "Commits of a run").  *wrote
 * (may be NULL) says whether a commit was added.  Objects are written
 * (fsync on) before the branch moves, by compare-and-swap, under a lock
 * file held with flock(2) (released by the kernel if the process dies).
 */
int history_record(struct history *, const struct history_run *,
    int *wrote, char **cause);

/*
 * Record what a run is about to do, before its first write to run's hosts
 * (docs/history.md, "Intent"): one "intent" commit whose tree sets each
 * host's observed state (drift and first records included) and whose
 * message carries run->changes, the changes about to be made (verified
 * no), then one move of the branch, as history_record() does.  A run
 * killed after it leaves its drift and intent in the history; the run
 * commit that history_record() adds later completes it.
 */
int history_record_intent(struct history *, const struct history_run *,
    char **cause);

/*
 * Runs matching filter (NULL: all), newest first.  *out:
 * history_log_free().
 */
int history_list(struct history_log **out, struct history *,
    const struct history_filter *, char **cause);

/*
 * One run by run id, as a log of one entry whose run.hosts[] carry trees:
 * observed = the host's recorded state before the run, verified = its
 * state after the run for hosts it changed (else NULL).  Fails with
 * "no run 'ID' in ..." when there is none.  *out: history_log_free().
 */
int history_show(struct history_log **out, struct history *,
    const char *run_id, char **cause);

/*
 * The last recorded state of host, or *out = NULL when it was never
 * recorded.  *out is owned by the caller (node_free).  This,
 * history_record() and history_record_intent() may be called from several
 * threads at once (they take turns); no other call may run meanwhile.
 */
int history_last_state(struct node **out, struct history *, const char *host,
    char **cause);

/*
 * The state of host recorded just before run_id (what that run observed),
 * or *out = NULL when the host was not recorded then; for revert.  Fails
 * when there is no such run.  *out is owned by the caller (node_free).
 */
int history_state_before(struct node **out, struct history *,
    const char *run_id, const char *host, char **cause);

void history_log_free(struct history_log *);

/* history_share.c: a history shared by URL (docs/scale.md). */

/* The mirror of url_public for one process kind (leaf): a path.  free(). */
char *history_share_mirror(const char *cache_dir, const char *url_public,
    const char *leaf);

/*
 * Fetch every enforcer/history/ ref of url into r: the other shards' as
 * they are; own (a full ref name) taken when behind, kept when ahead,
 * our unpushed commits replayed on it when both moved.  where names the
 * repository in messages (no credentials).
 */
int history_share_pull(git_repository *r, const char *url, const char *where,
    const char *own, char **cause);

/*
 * Push own to url, reconciled first with the shared ref (as above); a
 * push that races another on the same ref retries on the new tip.
 */
int history_share_push(git_repository *r, const char *url, const char *where,
    const char *own, char **cause);

/*
 * The loose objects that make history_record() pack them (when a run has
 * been recorded; history_set_pack()), and the packs past which
 * everything is packed into one.
 */
#define HISTORY_PACK_LOOSE	1000
#define HISTORY_PACK_MAX	8

/* Pack when loose objects reach loose (0: never; benchmarks compare). */
void history_set_pack(struct history *, size_t loose);

/*
 * history_pack.c: the repository kept small (docs/scale.md, "Packing").
 * When r holds at least threshold loose objects (0: never), put them into
 * one new pack, then remove them; when that makes more than
 * HISTORY_PACK_MAX packs, the new pack holds everything the refs reach,
 * and the older packs are removed.  The caller holds the history lock.
 */
int history_pack(git_repository *r, size_t threshold, const char *where,
    char **cause);
/* How many loose objects and packs r holds. */
int history_pack_count(git_repository *r, size_t *loose, size_t *packs);

/*
 * history_index.c: the runs of a ref that concern a host, kept beside
 * the repository (docs/scale.md, "Index").  history_index_update(): bring
 * the index of ref up to its tip (the caller holds the history lock).
 * history_index_lookup(): the run commits (a run cut short: its newest
 * commit) of ref that changed, failed on or found drift on host, newest
 * first, in *out (free()), and in *tip the last commit indexed: what lies
 * above it is not indexed.  -1 when there is no index.
 */
int history_index_update(git_repository *r, const char *ref,
    const char *where, char **cause);
int history_index_lookup(git_repository *r, const char *ref,
    const char *host, git_oid **out, size_t *n, git_oid *tip);

/* history_msg.c: the commit message grammar (docs/history.md). */

/* "intentional", "corrective", "window", "expiry". */
const char *history_class_name(enum history_class);
/* 0 and *out, or -1 for an unknown name. */
int history_class_parse(const char *name, enum history_class *out);

/* "20261125T093000Z-1a2b3c": the UTC time and 24 random bits; free(). */
char *history_new_run_id(time_t now);

/*
 * Append "path: before -> after  (reason)", with "  NOT VERIFIED" when the
 * re-read did not match and "(absent)" for an absent value: how the CLI
 * shows a change.
 */
void history_change_describe(struct buf *out, const struct history_change *);

/* Append s as it appears inside a quoted value of a change line. */
void history_msg_escape(struct buf *out, const char *s);

/* The run commit's message; the observed commit's message. */
void history_msg_run(struct buf *out, const struct history_run *);
void history_msg_observed(struct buf *out, const struct history_run *,
    const char **drifted, size_t ndrifted, const char **fresh,
    size_t nfresh, int intent);

/* Which commit a message belongs to. */
enum history_msg_record {
	HISTORY_MSG_RUN,
	HISTORY_MSG_OBSERVED,
	HISTORY_MSG_INTENT,	/* an observed commit made before a write */
};

/*
 * Parse a commit message into e->run, e->summary and (observed commits)
 * e->drifted, allocating in log.  Returns 0, or -1 with a cause naming the
 * offending line.
 */
int history_msg_parse(struct history_log *log, struct history_entry *e,
    enum history_msg_record *record, const char *message, char **cause);

/* Allocation in a log: kept until history_log_free(). */
void *history_log_keep(struct history_log *, void *);
const char *history_log_strndup(struct history_log *, const char *, size_t);
struct node *history_log_keep_node(struct history_log *, struct node *);

/* history_json.c: the --json shape (docs/history.md). */

/* Append n as JSON (typed scalars as YAML 1.2 core reads them). */
void history_json_node(struct buf *out, const struct node *n);
/*
 * Append one run as a JSON object; with trees, run.hosts[] carry their
 * "observed" and "verified" trees (history_show).
 */
void history_json_entry(struct buf *out, const struct history_entry *,
    int trees);
/* Append one change as a JSON object, with its run's id and time. */
void history_json_change(struct buf *out, const struct history_entry *,
    const struct history_change *);

#endif
