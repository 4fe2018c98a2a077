/*
 * test_states_table.c: the table of state modules (states/states.c) and
 * the embedded JSON Schema agree.  Every kind a user may write has exactly
 * one description in the schema (the file's, or its module's own part,
 * which the load adds), and every kind the schema describes has a module:
 * a kind without a schema could never be written, a schema without a
 * module would pass the loader and fail at the first run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"
#include "state.h"

static const struct node *
kinds_in_schema(struct schema **s)
{
	const struct node *props;
	char *cause = NULL;

	assert_int_equal(schema_load_builtin(s, &cause), 0);
	assert_null(cause);
	props = schema_at(*s, "#/$defs/policy_body/properties");
	assert_non_null(props);
	assert_int_equal(props->kind, NODE_MAP);
	return props;
}

static void
test_every_module_described(void **state)
{
	const struct state_ops *ops;
	const struct node *props;
	struct schema *s;
	size_t i;

	props = kinds_in_schema(&s);
	for (i = 0; (ops = state_table[i]) != NULL; i++) {
		if (ops->flags & STATE_INTERNAL) {
			if (node_get(props, ops->kind) != NULL)
				fail_msg("internal kind '%s' is in the schema",
				    ops->kind);
			continue;
		}
		if (node_get(props, ops->kind) == NULL)
			fail_msg("kind '%s' has no schema", ops->kind);
	}
	schema_free(s);
}

static void
test_every_schema_kind_has_module(void **state)
{
	const struct node *props;
	const char *kind;
	struct schema *s;
	size_t i;

	props = kinds_in_schema(&s);
	assert_true(props->npairs > 0);
	for (i = 0; i < props->npairs; i++) {
		kind = props->pairs[i].key->value;
		if (state_find(kind) == NULL)
			fail_msg("schema kind '%s' has no module", kind);
	}
	schema_free(s);
}

/* Kinds are unique, and each module has the hooks the engine calls. */
static void
test_table(void **state)
{
	const struct state_ops *ops;
	size_t i;

	for (i = 0; (ops = state_table[i]) != NULL; i++) {
		assert_non_null(ops->kind);
		assert_ptr_equal(state_find(ops->kind), ops);
		assert_non_null(ops->read);
		assert_non_null(ops->diff);
		assert_non_null(ops->apply);
	}
	assert_true(i > 0);
	assert_null(state_find("no_such_kind"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_module_described),
		cmocka_unit_test(test_every_schema_kind_has_module),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
