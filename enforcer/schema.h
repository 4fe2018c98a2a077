/*
 * schema.h: a JSON Schema (draft 2020-12) validator working on node trees,
 * so that every error carries the file:line:col of the YAML it is about.
 *
 * The schema is itself read with node_parse_string (JSON is YAML flow
 * syntax).  Supported keywords: $ref (to "#/..." JSON pointers), $defs,
 * type, enum, const, pattern, minLength, maxLength, minimum, maximum,
 * properties, patternProperties, additionalProperties, propertyNames,
 * required, minProperties, items, minItems, uniqueItems, allOf, anyOf,
 * oneOf; annotations $schema, $id, $comment, title, description, default,
 * examples, format (not asserted, as the draft says).  Loading a schema
 * that uses any other keyword fails, so that a typo in the schema cannot
 * silently weaken it.  Patterns are POSIX extended regular expressions;
 * write them in the subset that ECMA-262 reads the same way.
 *
 * Messages: "title" names what a pattern describes ("bad duration '2x'"),
 * and two keywords that editors (VS Code, yaml-language-server) also
 * honour make them friendlier: "patternErrorMessage" is appended to a
 * pattern failure, "errorMessage" replaces every error of its schema.
 * oneOf/anyOf report the errors of the one alternative whose type fits the
 * value, not a wall of every alternative's errors.
 *
 * Instance types follow node.h (YAML 1.2 core schema): quoted scalars are
 * strings; plain true/false, integers and null are typed.
 */
#ifndef ENFORCER_SCHEMA_H
#define ENFORCER_SCHEMA_H

#include <stddef.h>

#include "node.h"

struct schema;

/*
 * Load a schema from JSON text; name is used in messages.  *out must be
 * passed to schema_free().
 */
int schema_load(struct schema **out, const char *name, const char *text,
    size_t len, char **cause);

/* The same from a tree, which it takes (freed on failure too). */
int schema_load_node(struct schema **out, struct node *root, char **cause);

/*
 * The schema compiled into the binary (schemas/enforcer.schema.json), with
 * the part of each state module that carries its own (state_ops.schema in
 * states/state.h) added as $defs/KIND and a property of policy_body.
 */
int schema_load_builtin(struct schema **out, char **cause);

/* The subschema at JSON pointer ref ("#/$defs/host"), borrowed, or NULL. */
const struct node *schema_at(const struct schema *, const char *ref);

void schema_free(struct schema *);

/*
 * Validate doc against the subschema at JSON pointer ref ("#/$defs/host";
 * NULL for the whole schema).  Returns 0, or -1 with every error added to
 * errs as "file:line:col: message".
 */
int schema_validate(const struct schema *, const char *ref,
    const struct node *doc, struct errors *errs);

/*
 * Add the "default" of every property that the subschema at ref describes
 * and doc lacks, recursively (through the alternative of oneOf/anyOf that
 * doc matches).  Added nodes have no position (line 0).
 */
void schema_fill_defaults(const struct schema *, const char *ref,
    struct node *doc);

/*
 * The candidate closest to word by edit distance, if close enough to be
 * a likely typo ("membrs" -> "members"), else NULL.  Borrowed.
 */
const char *schema_closest(const char *word, const char *const *cands,
    size_t ncands);

#endif
