/*
 * window.h: windows written into the desired state by `enforcer window`
 * (docs/windows.md): a new window as its own file, an end moved in the
 * file where a window is written, and the files committed (libgit2) when
 * the desired state lives in a git work tree.
 *
 * Order of side effects, for the verbs: files are written (each one
 * atomically, by rename) and kept in a struct window_edits; the desired
 * state is loaded again to check it; only then the commit; on any failure
 * before the commit the edits are undone, so a refused window leaves
 * neither a file nor a commit behind.
 */
#ifndef ENFORCER_WINDOW_H
#define ENFORCER_WINDOW_H

#include <stddef.h>
#include <time.h>

#include "model.h"
#include "node.h"
#include "util.h"

/* Files written, with what to put back; owned: window_edits_release(). */
struct window_edit {
	char	*path;
	char	*before;	/* the old content, or NULL: the file is new */
	size_t	 len;
};
struct window_edits {
	struct window_edit	*v;
	size_t			 n;
};
#define WINDOW_EDITS_INIT { NULL, 0 }

/* window_edit.c */

/*
 * Write dir/windows/NAME.yaml, holding the window NAME from start to end
 * with reason and apply (a map TARGET -> BODY, copied as it is).  Refuses
 * to replace an existing file.  The path is added to edits.
 */
int window_write(struct window_edits *edits, const char *dir,
    const char *name, time_t start, time_t end, const char *reason,
    const struct node *apply, char **cause);

/*
 * Make window w end at end, in the file and at the place where it is
 * written: its "end: ..." or "duration: ..." becomes "end: TIME"; the rest
 * of the file (comments included) stays as it is.  The file is added to
 * edits.
 */
int window_set_end(struct window_edits *edits, const struct model_window *w,
    time_t end, char **cause);

/* Put every edited file back as it was (best effort), newest first. */
void window_edits_undo(struct window_edits *);
void window_edits_release(struct window_edits *);

/*
 * Commit the edited files on top of HEAD of the git repository whose work
 * tree holds dir, with message; the repository's index gets the same
 * files.  Nothing else of the index or the work tree is touched (other
 * changes, staged or not, stay out of the commit).  *committed is 0 (and
 * nothing is done) when dir is not in a git work tree; otherwise id holds
 * the new commit's hex id.  A commit that would not come right after the
 * HEAD read first (someone committed meanwhile) fails.
 */
int window_commit(const char *dir, const struct window_edits *,
    const char *message, char id[41], int *committed, char **cause);

/*
 * The same, the commit signed with key (gpg's --local-user) unless NULL,
 * and, with keyring, refused unless a key of the keyring signed it
 * (gitsig_commit()): then HEAD's branch does not move.  With a key or a
 * keyring, dir outside a git work tree is an error.
 */
int window_commit_signed(const char *dir, const struct window_edits *,
    const char *message, const char *key, const char *keyring, char id[41],
    int *committed, char **cause);

struct window_repo;

/* cmd_window.c and cmd_window_list.c: the verb's parsed options. */
struct window_args {
	const char	*sub;		/* open, close, extend, list */
	const char	*name;		/* NAME, or NULL */
	const char	*path;		/* PATH, else confdir_desired(); with
					   repo, the private copy (window_repo) */
	const char	*repo;		/* --repo: a local repository */
	const char	*ref;		/* --ref BRANCH[:DIR] */
	const char	*keyring;	/* --require-signed KEYRING */
	const char	*sign_key;	/* --sign KEYID */
	const struct window_repo *repo_copy;	/* with repo */
	const char	*hosts;		/* --hosts TARGET[,TARGET...] */
	const char	*reason;	/* --reason */
	const char	*history;	/* --history DIR (list) */
	struct node	*set;		/* --set: KIND -> BODY, merged */
	long long	 for_s;		/* --for, 0: not given */
	long long	 recent;	/* --recent, list */
	time_t		 until;		/* --until, 0: not given */
	time_t		 start;		/* --start, 0: not given */
	time_t		 at;		/* --at, else now */
	int		 at_given;
	int		 all;		/* close --all */
	int		 check;		/* list --check */
	int		 offline;	/* list --offline */
	int		 json;		/* --json */
	int		 no_apply;
	int		 no_commit;
	int		 path_given;
	const char	*gateway;	/* open PRESET: --gateway */
	const char	*nodes;		/* --nodes TARGET */
	const char	*member;	/* --member ACCOUNT */
	const char	*group;		/* --group NAME */
	/* open, close, extend --json: what they did, for the one object */
	struct buf	*reports;	/* each run's report, one a line */
	char		 commit[41];	/* the commit written, or "" */
	int		 warned;	/* the warnings of the desired state
					   written were said */
};

/*
 * window_preset.c: named windows built from options (window open
 * create-cluster --gateway G --nodes TARGET [--member ACCOUNT [--group
 * NAME]]).  window_preset_known: NAME is a preset's, or a preset's name
 * followed by "-SUFFIX".  window_preset_build:
 * the window's apply map (TARGET -> BODY, per role) in *apply and the
 * targets to apply to ("G,TARGET") in *hosts, both the caller's to free.
 */
int window_preset_known(const char *name);
int window_preset_build(const struct window_args *a, const struct model *m,
    struct node **apply, char **hosts, char **cause);

/*
 * window_pull.c (continued): before `window open` turns anything on, arm
 * the fail-safes of the window (paths: "failsafe.tasks.NAME") on each of
 * hosts (",a,b,", or NULL), alone, and read them back, recorded as a run
 * "open".  Returns 0 when every host that needs one has it armed, else -1
 * with *cause naming the hosts: then nothing may be turned on anywhere.
 */
int window_arm_first(const struct window_args *a, const char *hosts,
    const char **paths, size_t npaths, char **cause);

/*
 * window_repo.c: with --repo R --ref BRANCH[:DIR], the desired state of
 * the branch's commit, copied into a private directory (dir) for the verbs
 * to edit and check as in a work tree, then committed on the branch.
 * Owned: window_repo_release() removes the directory.
 */
struct window_repo {
	char	*dir;
	char	 commit[41];	/* the commit read */
	char	*subdir;	/* "DIR/" of BRANCH:DIR, or "" */
};

/*
 * Read a->ref of a->repo (a local repository; with a->keyring, only a
 * commit signed by one of its keys, as plan and apply read it) into
 * wr->dir.
 */
int window_repo_open(struct window_repo *wr, const struct window_args *a,
    char **cause);

/*
 * Commit the edited files of wr->dir on top of the commit read, signed
 * with a->sign_key when given, and move the branch to it: only if the
 * commit passes a->keyring (when given) and the branch still points at
 * the commit read; otherwise no ref moves.  id: the new commit's hex id.
 */
int window_repo_commit(const struct window_repo *wr,
    const struct window_args *a, const struct window_edits *,
    const char *message, char id[41], char **cause);
void window_repo_release(struct window_repo *);

/*
 * text (a message or a file name) starting with a file of wr's private
 * copy, as plan --repo names that file ("main:windows/w.yaml..."); with wr
 * NULL, or about another file, text as it is.  free().
 */
char *window_repo_name(const struct window_repo *wr, const char *ref,
    const char *text);

/* Where the runs that follow read the desired state: a's PATH or --repo. */
struct desired_src;
void window_desired_src(struct desired_src *, const struct window_args *a);

/*
 * window_pull.c: before `window close` reverts, pull the fail-safe tasks
 * of the windows it closed (paths: "failsafe.tasks.NAME") forward to a->at,
 * their new end, plus the grace, on each of hosts (",a,b,", or NULL for
 * every host) that the run reaches, and read them back.  Prints its report
 * and errors (a host not reached is one; the revert is tried anyway) and
 * records the run as "close".
 */
void window_pull_forward(const struct window_args *a, const char *hosts,
    const char **paths, size_t npaths);

/* cmd_window_list.c: window list; returns an exit code. */
int window_list(const struct window_args *);

#endif
