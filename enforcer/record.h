/*
 * record.h: the glue between the engine and the history.  Before a run:
 * each host's last recorded state, so the engine tells drift (corrective)
 * from a changed desired state (intentional); the secrets the run will
 * read, so the history can redact them.  After an apply: the run turned
 * into a struct history_run and recorded (docs/history.md).
 */
#ifndef ENFORCER_RECORD_H
#define ENFORCER_RECORD_H

#include <pthread.h>

#include "engine.h"
#include "history.h"

/* What the engine run does not know about itself.  Borrowed. */
struct record_info {
	const char	*verb;		/* "apply", "revert", ... */
	const char	*desired;	/* path or URL, or NULL */
	const char	*commit;	/* desired-state commit id, or NULL */
	int		 dirty;		/* the work tree differs from it */
	const char	*operator;	/* who ran it, or NULL */
};

/*
 * Hosts that reached their first write about together, sharing one intent
 * commit (record_before_write()).  Owned by its waiting threads (refs).
 */
struct record_batch {
	const struct engine_host **hosts;
	size_t			   n;
	int			   refs;
	int			   done;	/* its commit was tried */
	int			   rc;
	char			  *cause;
};

/* How long the first host of a batch waits for others to join it. */
#define RECORD_GATHER_MS	100

/*
 * What record_before_write() needs, shared by the engine's threads.
 * Everything is borrowed; release with record_writer_release().
 */
struct record_writer {
	struct history		*h;
	const struct model	*m;
	const struct record_info *info;
	pthread_mutex_t		 lock;
	pthread_cond_t		 arrived;	/* a host joined the open batch */
	pthread_cond_t		 written;	/* a batch's commit was tried */
	struct record_batch	*open;		/* gathering, not yet taken */
	int			 leading;	/* a thread writes the batches */
};

/* What the history says of some hosts, for a run's classes. */
struct record_last;

/* record.c */

/*
 * For every host of m matching glob (NULL: all) in shard (NULL: all),
 * the facts that classify changes (engine_fact): the last recorded change
 * of each of their paths and the desired-state commit of each host's last
 * record, compared with now's (may be NULL: unknown).  Their last states
 * are read one by one when the engine asks (record_last_get()), not here:
 * a fleet's would be another tree per host held for the whole run.  h may
 * be NULL (no history): every state and fact is then unknown; else it is
 * borrowed until record_last_free().  *out: record_last_free().
 */
int record_last_load(struct record_last **out, struct history *h,
    const struct model *m, const char *glob, const struct shard *shard,
    const struct record_info *now, char **cause);
void record_last_free(struct record_last *);

/* An engine_fact_fn: arg is a struct record_last.  Thread-safe, as is: */
void record_fact_get(void *arg, const char *host, const char *path,
    struct engine_fact *out);

/*
 * An engine_last_fn: arg is a struct record_last.  Reads the host's last
 * state from the history when asked (history_last_state(), safe from the
 * engine's threads), for a host record_last_load() selected.
 */
int record_last_get(void *arg, const char *host, struct node **out,
    char **cause);

/*
 * Give the history every password the hosts of m use (password_env,
 * password_file), so that it redacts them should one ever reach it.
 */
void record_add_secrets(struct history *h, const struct model *m);

void record_writer_init(struct record_writer *, struct history *,
    const struct model *, const struct record_info *);
void record_writer_release(struct record_writer *);

/*
 * An engine_before_write_fn: arg is a struct record_writer.  Records the
 * host's observed state and the changes about to be made as an intent
 * commit (history_record_intent()), so that a run killed while writing
 * leaves its drift and its intent in the history.  Returns only once that
 * commit is on the branch (or failed).  Group commit: the first host to
 * arrive waits up to RECORD_GATHER_MS for the run's other hosts, and one
 * commit records every host that arrived meanwhile; hosts that arrive
 * while it is written make the next.
 */
int record_before_write(void *arg, const struct engine_run *run,
    const struct engine_host *eh, char **cause);

/*
 * Record an applied run: each host's observed and verified states, each
 * change that was attempted (verified or not; changes only planned or
 * reported are not changes), the windows active at the run's instant that
 * target one of its hosts.  A run that says nothing new is not recorded
 * before settings.history_heartbeat (history_record()): *wrote says.
 */
int record_run(struct history *h, const struct engine_run *run,
    const struct model *m, const struct record_info *info, int *wrote,
    char **cause);

/*
 * Who runs enforcer: $SUDO_USER, else the login name, else the user
 * name; NULL when none is known.  Borrowed (environment or static).
 */
const char *record_operator(void);

/*
 * One host of a verb that writes to hosts outside the engine
 * (restart-winrm).  Borrowed.
 */
struct record_verb_host {
	const char	*name;
	const char	*error;		/* NULL: done */
	int		 attempted;	/* something was sent to it */
};

/*
 * Record such a verb's run: with intent, before its first write, what it
 * is about to do on every host (history_record_intent()); then, after it,
 * what it did (history_record()).  Each attempted host gets one change
 * on path (to "done"), verified when it has no error; the hosts' recorded
 * states are kept as they are.
 */
int record_verb(struct history *h, const struct record_info *info,
    const char *run_id, time_t started, const char *path,
    const struct record_verb_host *hosts, size_t n, int intent,
    char **cause);

#endif
