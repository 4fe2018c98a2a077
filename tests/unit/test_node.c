/*
 * test_node.c: the YAML node tree: parsing with positions, strictness
 * (duplicate keys, aliases), typing, copy/equal and stable emission.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "node.h"

static struct node *
parse_ok(const char *text)
{
	struct errors errs = ERRORS_INIT;
	struct node *n;

	assert_int_equal(node_parse_string(&n, "t.yaml", text, strlen(text),
	    &errs), 0);
	assert_int_equal(errs.n, 0);
	return n;
}

static void
parse_fails(const char *text, const char *want)
{
	struct errors errs = ERRORS_INIT;
	struct node *n;

	assert_int_equal(node_parse_string(&n, "t.yaml", text, strlen(text),
	    &errs), -1);
	assert_null(n);
	assert_true(errs.n >= 1);
	assert_string_equal(errs.msg[0], want);
	errors_clear(&errs);
}

static void
test_positions(void **state)
{
	struct node *n, *v;

	n = parse_ok("a:\n  b: [1, 'x']\n  c: yes\n");
	v = node_getv(n, "a", "b", NULL);
	assert_non_null(v);
	assert_int_equal(v->kind, NODE_SEQ);
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 6);
	assert_int_equal(v->nitems, 2);
	assert_true(node_is_int(v->items[0]));
	assert_false(node_is_int(v->items[1]));
	assert_true(v->items[1]->quoted);
	assert_string_equal(v->file, "t.yaml");
	/* YAML 1.2 core: "yes" is a string, not a boolean. */
	assert_string_equal(node_type_name(node_getv(n, "a", "c", NULL)),
	    "a string");
	node_free(n);
}

static void
test_strict(void **state)
{
	parse_fails("a: 1\nb: 2\na: 3\n",
	    "t.yaml:3:1: duplicate key 'a' (first at line 1)");
	parse_fails("a: &x 1\nb: *x\n",
	    "t.yaml:1:4: anchors and aliases are not supported ('&x')");
	parse_fails("a: [1, 2\n",
	    "t.yaml:2:1: YAML syntax error: did not find expected ',' or ']' "
	    "while parsing a flow sequence");
	parse_fails("a: 1\n---\nb: 2\n",
	    "t.yaml:2:1: only one YAML document per file");
}

static void
test_empty_is_map(void **state)
{
	struct node *n;

	n = parse_ok("# nothing\n");
	assert_int_equal(n->kind, NODE_MAP);
	assert_int_equal(n->npairs, 0);
	node_free(n);
}

static void
test_copy_equal_emit(void **state)
{
	struct node *n, *c;
	struct buf b = BUF_INIT;

	n = parse_ok("z: 1\na: {k: 'true', l: [x, y]}\n");
	c = node_copy(n);
	assert_true(node_equal(n, c));
	node_map_set(c, "z", node_scalar("2"));
	assert_false(node_equal(n, c));
	node_emit(n, &b, 1);
	assert_string_equal(buf_cstr(&b),
	    "a:\n  k: 'true'\n  l:\n  - x\n  - y\nz: 1\n");
	buf_release(&b);
	/* A plain scalar that must be quoted is quoted, never tagged. */
	node_map_set(c, "star", node_scalar("*"));
	node_emit(node_get(c, "star"), &b, 1);
	assert_string_equal(buf_cstr(&b), "'*'\n");
	buf_release(&b);
	node_map_del(c, "a");
	assert_null(node_get(c, "a"));
	assert_int_equal(c->npairs, 2);
	node_free(c);
	node_free(n);
}

static void
test_path(void **state)
{
	const char *keys[4];
	struct node *n;
	size_t nk;

	n = parse_ok("service:\n  a.b: {state: running}\n  a: {state: x}\n");
	/* The longest key wins: "a.b" is a service, not a then b. */
	assert_string_equal(node_path(n, "service.a.b.state", NULL, 0,
	    NULL)->value, "running");
	assert_string_equal(node_path(n, "service.a.state", keys, 4,
	    &nk)->value, "x");
	assert_int_equal(nk, 3);
	assert_string_equal(keys[1], "a");
	assert_null(node_path(n, "service.a.state", keys, 2, &nk));
	assert_null(node_path(n, "service.c", NULL, 0, NULL));
	node_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_empty_is_map),
		cmocka_unit_test(test_copy_equal_emit),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests_name("node", tests, NULL, NULL);
}
