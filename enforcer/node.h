/*
 * node.h: a YAML document as a tree of nodes that remember where they came
 * from (file, line, column).  It is the one data structure shared by the
 * loader (desired state), the state modules (observed state), the plan and
 * the history (observed state written back as YAML).
 *
 * Ownership: a node owns its children and its strings.  node_free() frees
 * the whole subtree.  File names are interned for the life of the process
 * (node_file_intern), so copied nodes can keep pointing at them.
 */
#ifndef ENFORCER_NODE_H
#define ENFORCER_NODE_H

#include <stddef.h>

#include "util.h"

enum node_kind {
	NODE_SCALAR,
	NODE_MAP,
	NODE_SEQ,
};

struct node;

struct node_pair {
	struct node	*key;		/* always a scalar */
	struct node	*value;
};

struct node {
	enum node_kind	  kind;
	char		 *value;	/* NODE_SCALAR: the text, never NULL */
	int		  quoted;	/* scalar was quoted: always a string */
	struct node_pair *pairs;	/* NODE_MAP, in document order */
	size_t		  npairs;
	struct node	**items;	/* NODE_SEQ */
	size_t		  nitems;
	const char	 *file;		/* interned, may be NULL */
	unsigned	  line;		/* 1-based; 0 when made in code */
	unsigned	  col;		/* 1-based */
	const void	 *origin;	/* borrowed struct origin, see model.h */
};

/* Interned file name: lives until exit. */
const char *node_file_intern(const char *);

/* Constructors; file may be NULL for nodes made in code. */
struct node *node_new_scalar(const char *value, const char *file,
    unsigned line, unsigned col);
struct node *node_new_map(const char *file, unsigned line, unsigned col);
struct node *node_new_seq(const char *file, unsigned line, unsigned col);
struct node *node_scalar(const char *value);	/* no position */
struct node *node_map(void);
struct node *node_seq(void);

/* Map: set key (replacing and freeing an existing value); takes value. */
void node_map_set(struct node *map, const char *key, struct node *value);
/* Map: append a pair as parsed (no replacement); takes key and value. */
void node_map_append(struct node *map, struct node *key, struct node *value);
/* Map: remove a key if present. */
void node_map_del(struct node *map, const char *key);
/* Seq: append; takes item. */
void node_seq_push(struct node *seq, struct node *item);

/* Map lookup; borrowed; NULL if n is not a map or has no such key. */
struct node *node_get(const struct node *n, const char *key);
/* Lookup along a NULL-terminated list of keys. */
struct node *node_getv(const struct node *n, ...);
/*
 * The node at a dotted path ("credssp.server.enabled"), borrowed, or NULL.
 * Keys may contain dots themselves (a group "a.b"), so at each level the
 * longest key that matches wins.  When keys is not NULL, the keys on the
 * way are stored there (borrowed, at most maxkeys; a longer path gives
 * NULL) and their number in *nkeys.
 */
struct node *node_path(const struct node *n, const char *path,
    const char **keys, size_t maxkeys, size_t *nkeys);

/* Scalar text of a map member, or NULL. */
const char *node_get_str(const struct node *n, const char *key);

struct node *node_copy(const struct node *);
void node_free(struct node *);

/* Deep equality of two trees (positions and origins ignored). */
int node_equal(const struct node *, const struct node *);

/*
 * Equality as Windows compares names: scalars without regard to case,
 * sequences of scalars as sets, maps member by member.
 */
int node_equal_nocase(const struct node *, const struct node *);

/* seq (NULL or any node) is a sequence with a scalar equal to v, case aside. */
int node_seq_has_nocase(const struct node *seq, const char *v);

/* "a mapping", "a sequence", "a string", "a boolean", "an integer",
 * "a number", "null" */
const char *node_type_name(const struct node *);

/*
 * Scalar typing, YAML 1.2 core schema on plain scalars (quoted scalars are
 * always strings): null (~, null, empty), true/false, integers, decimal
 * floats (1.5, .5, 1e3; not .inf or .nan, which JSON lacks).
 */
int node_is_null(const struct node *);
int node_is_bool(const struct node *);
int node_is_int(const struct node *);
int node_bool(const struct node *, int *out);		/* 0 or -1 */
int node_int(const struct node *, long long *out);	/* 0 or -1 */
int node_is_float(const struct node *);		/* a number, not an integer */
int node_number(const struct node *, double *out);	/* integer or float */

/*
 * Parse one YAML document.  Rejects (adding "file:line:col: message" to errs)
 * syntax errors, duplicate keys, non-scalar keys, anchors and aliases, tags
 * and multiple documents.  An empty document gives an empty map.  Returns 0,
 * or -1 with every error found added to errs.  *out is owned by the caller.
 * A file larger than NODE_FILE_MAX bytes is refused unread.
 */
#define NODE_FILE_MAX	(64 << 20)	/* a desired state is text, not data */
int node_parse_file(struct node **out, const char *path, struct errors *errs);
int node_parse_string(struct node **out, const char *name, const char *text,
    size_t len, struct errors *errs);

/*
 * The bytes of the file at path into out (appended), as node_parse_file()
 * reads them: at most NODE_FILE_MAX.  0, or -1 with "path: reason" in
 * errs.
 */
int node_read_file(struct buf *out, const char *path, struct errors *errs);

/*
 * Emit n as block-style YAML into out.  With sort_keys, map keys are
 * written in byte order so the output is stable (history diffs).
 */
void node_emit(const struct node *n, struct buf *out, int sort_keys);

#endif
