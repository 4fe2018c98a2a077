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
 *		whose target the host now holds (changes_still_due)
 *
 * Around them, the module's other hooks: normalize (the loader expands
 * the kind's shorthands), revert (enforcer revert shapes a recorded
 * value), schema (the kind's part of the JSON Schema).  A kind is one
 * file, states/<kind>.c, plus one line in states/states.c: copy
 * states/template.c.
 *
 * Desired state arrives normalised (normalize, at load) as the module's
 * subtree, e.g. for credssp: { server: { enabled: false } }; each leaf's
 * node->origin says which policy or window asked for it.  Observed
 * state is a node tree of the same shape, so that diffs and history read
 * alike.  Properties a module reports as owned by Group Policy carry
 * CHANGE_GPO and are never applied.
 */
#ifndef ENFORCER_STATE_H
#define ENFORCER_STATE_H

#include <time.h>

#include "node.h"

struct wsman;
struct memo;

/* What a module gets to talk to one host. */
struct state_ctx {
	const char	*host;		/* host name, for messages */
	struct wsman	*ws;		/* the host's WS-Man connection */
	const char	*address;	/* where to connect (may be NULL) */
	int		 port;
	const char	*ca_file;	/* trust anchors for TLS checks */
	time_t		 now;		/* the run's instant */
	struct memo	*memo;		/* whole resources read once for
					   the host's kinds (memo.h); NULL:
					   none */
	/*
	 * What the host last held, kind -> observed tree, for a kind with
	 * STATE_GUESS: its last recorded state before the run's first read,
	 * the run's observed state at a re-read; NULL: not known (never
	 * recorded, no history, or the kinds read in turn, where a guess
	 * saves no round trip).  Borrowed.  A guess only: a read may send
	 * a request built from it with its first, and uses the reply only
	 * if that round confirms the guess on the host.
	 */
	const struct node *last;
};

/* Change flags. */
#define CHANGE_CUTS_CONNECTION	0x01	/* may cut the enforcer's connection */
#define CHANGE_GPO		0x02	/* owned by Group Policy: report only */
#define CHANGE_NEEDS_PERSON	0x04	/* cannot be fixed from here: report */
/*
 * Order against the host's other changes, for a change that guards them
 * (a fail-safe armed first, removed last): CHANGE_FIRST goes before every
 * other change; CHANGE_LAST after every other change is verified, and only
 * if the engine's guard lets it (engine.h).  Neither is cut short by an
 * interrupt: the first only guards, the last only follows a verified
 * revert.
 */
#define CHANGE_FIRST		0x08
#define CHANGE_LAST		0x10
#define CHANGE_ITEM		0x20	/* adds (after) or removes (before) one
					   item of a list; several may share
					   a path (group members) */

struct change {
	const char	*kind;		/* module kind, static */
	char		*path;		/* "credssp.server.enabled" */
	char		*before;	/* observed, as text; NULL if absent */
	char		*after;		/* desired, as text; NULL to remove */
	char		*note;		/* why it cannot be applied, or NULL */
	char		*gpo;		/* CHANGE_GPO: the GPO that owns it
					   ("{GUID}"), or NULL if unknown */
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
	 * Rewrite the kind's desired body (a copy of what a policy or window
	 * wrote, schema-valid) from its shorthands to the one long form that
	 * diff reads, in place: credssp "server: enabled" -> "server:
	 * {enabled: true}".  Runs once per rule, at load, so that overlaying
	 * rules is a plain merge and both spellings compare equal.  NULL: the
	 * kind has no shorthand.
	 */
	void	(*normalize)(struct node *body);

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

	/*
	 * Revert: set in desired (a host's whole desired tree) the value
	 * that puts back what a recorded run changed at keys[0..nkeys)
	 * (keys[0] is the kind), in the shape the kind's desired state
	 * takes.  value is the value before that run, before the host's
	 * whole observed state then.  A list is a delta, never restored
	 * whole: added and removed (sequences, NULL for a scalar path) are
	 * the items the run added and removed; only they change
	 * (state_overlay_delta).  NULL, or for paths it has no shape for,
	 * state_overlay().
	 */
	void	(*revert)(struct node *desired, const char **keys,
		    size_t nkeys, const struct node *value,
		    const struct node *before, const struct node *added,
		    const struct node *removed);

	/*
	 * The kind's part of the JSON Schema: the schema of its desired body
	 * as JSON text, written with STATE_SCHEMA().  schema_load_builtin()
	 * adds it to the embedded schema as $defs/<kind> and a property of
	 * policy_body, so that a new kind is one file and one table line.
	 * NULL for the kinds schemas/enforcer.schema.json describes: that
	 * file is what editors, `make install` and the second validator
	 * (tests/e2e/schema_jsonschema.py) read, so a kind that users should
	 * see there moves its part into the file and sets NULL here.  A kind
	 * described in both places fails the load; tests/unit/
	 * test_states_table.c checks that every kind users write is
	 * described and every kind the schema describes has a module.
	 */
	const char	*schema;

	/*
	 * STATE_INTERNAL: the kind is set by enforcer itself (the fail-safe
	 * of a CredSSP window), never written by users, so it has no schema.
	 */
	int		 flags;
#define STATE_INTERNAL	0x01
	/*
	 * STATE_GUESS: the read guesses from ctx->last (a dependent round
	 * trip sent with the first): the engine loads the host's last
	 * recorded state before the read.
	 */
#define STATE_GUESS	0x02
};

/*
 * JSON written as is in C: STATE_SCHEMA({ "type": "object" }) is the
 * string "{ \"type\": \"object\" }".  (The preprocessor quotes it; keep
 * to JSON tokens.)
 */
#define STATE_SCHEMA(...)	#__VA_ARGS__

/* states/states.c: the NULL-terminated table; the module of kind, or NULL. */
extern const struct state_ops *const state_table[];
const struct state_ops *state_find(const char *kind);

/* states/changes.c: helpers shared by the modules. */
struct change *changes_add(struct changes *, const char *kind,
    const char *path, const char *before, const char *after,
    const struct node *desired);
void changes_clear(struct changes *);
/* Mark c as Group Policy's (CHANGE_GPO), naming gpo if known (may be NULL). */
void changes_gpo(struct change *c, const char *gpo);
/*
 * The change in again (a diff of the host re-read after apply) that says c
 * is still not done, or NULL when c is done: the re-read value equals c's
 * target.  For a CHANGE_ITEM change only its own item counts; for any other
 * change, whatever is still due on its path means the value read back is
 * not the one c set.
 */
const struct change *changes_still_due(const struct changes *again,
    const struct change *c);

/*
 * Hook helpers.  state_wrap: replace p's scalar value by {key: value},
 * positioned where the scalar was written (a shorthand expanded);
 * state_wrap_scalars: the same for every scalar value of map.
 * state_map_at: the map at keys[0..n) of root, made (replacing anything
 * else) if need be.  state_overlay: a copy of value at keys[0..n) of
 * desired, the plain revert.  state_overlay_delta: the map at
 * keys[0..n-1) becomes {keys[n-1]: removed, absent: added, exclusive:
 * false}: the items a run removed come back, those it added go, the rest
 * of the list stays (the kind's diff honours absent).
 */
void state_wrap(struct node_pair *p, const char *key, const char *value);
void state_wrap_scalars(struct node *map, const char *key);
struct node *state_map_at(struct node *root, const char **keys, size_t n);
void state_overlay(struct node *desired, const char **keys, size_t n,
    const struct node *value);
void state_overlay_delta(struct node *desired, const char **keys,
    size_t n, const struct node *added, const struct node *removed);

/* Lists of names (sequences of scalars); node_seq_has_nocase() finds one. */
/*
 * account.c: accounts as text.  account_sid_in: the SID a text names
 * itself ("S-1-..." or "NAME (S-1-...)"), 0 if none.  account_name_in: the
 * name part of "NAME (SID)" or a plain name, NULL for a bare SID; free().
 * account_same: one account, by SID when both carry one, else by name
 * (case aside).  account_seq_has: seq holds an item account_same as v.
 */
#define ACCOUNT_SID_MAX	192
int account_sid_in(const char *text, char sid[ACCOUNT_SID_MAX]);
char *account_name_in(const char *text);
int account_same(const char *a, const char *b);
int account_seq_has(const struct node *seq, const char *v);

/* Items joined by sep ("a, b"); NULL for an empty or absent list. */
char *state_list_join(const struct node *seq, const char *sep);
/* "a, b,c" split on commas, items trimmed, empty ones dropped. */
struct node *state_list_split(const char *text);

#endif
