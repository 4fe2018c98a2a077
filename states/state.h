/*
 * state.h: the one interface every state module implements.
 *
 * A state module manages one kind of resource on a Windows host (CredSSP,
 * the WinRM HTTPS listener, local groups, ...).  It knows nothing of the
 * other modules, the CLI or history.  The engine drives it:
 *
 *	read    actual state of the host -> observed node tree
 *	diff    desired node tree vs observed -> list of changes   (pure)
 *	apply   one change -> host
 *	verify  the engine re-reads and diffs again: a verified change is one
 *		whose property no longer differs
 *
 * Desired state arrives normalised by the loader (model_effective) as the
 * module's subtree, e.g. for credssp: { server: { enabled: false } }; each
 * leaf's node->origin says which policy or window asked for it.  Observed
 * state is a node tree of the same shape, so that diffs and history read
 * alike.  Properties a module reports as owned by Group Policy carry
 * CHANGE_GPO and are never applied.
 */
#ifndef ENFORCER_STATE_H
#define ENFORCER_STATE_H

#include <time.h>

#include "node.h"

struct wsman;

/* What a module gets to talk to one host. */
struct state_ctx {
	const char	*host;		/* host name, for messages */
	struct wsman	*ws;		/* the host's WS-Man connection */
	const char	*address;	/* where to connect (may be NULL) */
	int		 port;
	const char	*ca_file;	/* trust anchors for TLS checks */
	time_t		 now;		/* the run's instant */
};

/* Change flags. */
#define CHANGE_CUTS_CONNECTION	0x01	/* may cut the enforcer's connection */
#define CHANGE_GPO		0x02	/* owned by Group Policy: report only */
#define CHANGE_NEEDS_PERSON	0x04	/* cannot be fixed from here: report */

struct change {
	const char	*kind;		/* module kind, static */
	char		*path;		/* "credssp.server.enabled" */
	char		*before;	/* observed, as text; NULL if absent */
	char		*after;		/* desired, as text; NULL to remove */
	char		*note;		/* why it cannot be applied, or NULL */
	int		 flags;
	const struct node *desired;	/* borrowed from the desired tree */
};

/* A growable list of changes; owns its members' strings. */
struct changes {
	struct change	*v;
	size_t		 n;
};
#define CHANGES_INIT { NULL, 0 }

struct state_ops {
	/* Key in the desired state ("credssp"); also the module's name. */
	const char	*kind;

	/*
	 * Read the host's actual state for this kind into *observed (owned by
	 * the caller).  desired says what to look at (which groups, which
	 * services); it may be NULL to read everything the module knows.
	 */
	int	(*read)(struct state_ctx *, const struct node *desired,
		    struct node **observed, char **cause);

	/*
	 * Append to out one change per property of desired that observed does
	 * not satisfy, as of instant now.  Pure: no I/O, so plan and apply
	 * share it.  (Observed state holds instants, not ages, so that history
	 * records a change only when the host changes.)
	 */
	int	(*diff)(const struct node *desired, const struct node *observed,
		    time_t now, struct changes *out, char **cause);

	/* Make one change on the host. */
	int	(*apply)(struct state_ctx *, const struct change *,
		    const struct node *observed, char **cause);
};

/* states/registry.c: the table of modules. */
extern const struct state_ops *const state_table[];
const struct state_ops *state_find(const char *kind);

/* states/changes.c: helpers shared by the modules. */
struct change *changes_add(struct changes *, const char *kind,
    const char *path, const char *before, const char *after,
    const struct node *desired);
void changes_clear(struct changes *);

/* Lists of names (sequences of scalars); node_seq_has_nocase() finds one. */
/* Items joined by sep ("a, b"); NULL for an empty or absent list. */
char *state_list_join(const struct node *seq, const char *sep);
/* "a, b,c" split on commas, items trimmed, empty ones dropped. */
struct node *state_list_split(const char *text);

#endif
