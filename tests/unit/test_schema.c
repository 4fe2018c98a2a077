/*
 * test_schema.c: the JSON Schema validator, keyword by keyword, with the
 * exact messages; schema loading refusals; defaults; suggestions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"

/* Positions in the expected messages read "d.yaml:...". */
#define TEST_YAML_NAME	"d.yaml"
#include "test_util.h"

static struct schema *
schema_ok(const char *json)
{
	struct schema *s;
	char *cause = NULL;

	if (schema_load(&s, "s.json", json, strlen(json), &cause) != 0)
		fail_msg("schema refused: %s", cause);
	return s;
}

static void
schema_bad(const char *json, const char *want)
{
	struct schema *s;
	char *cause = NULL;

	assert_int_equal(schema_load(&s, "s.json", json, strlen(json),
	    &cause), -1);
	assert_null(s);
	assert_string_equal(cause, want);
	free(cause);
}

/* Every error of validating text, one per line; "" when valid. */
static void
check(const char *json, const char *text, const char *want)
{
	struct errors errs = ERRORS_INIT;
	struct buf got = BUF_INIT;
	struct schema *s;
	struct node *doc;
	size_t i;
	int rc;

	s = schema_ok(json);
	doc = yaml(text);
	rc = schema_validate(s, NULL, doc, &errs);
	for (i = 0; i < errs.n; i++)
		buf_printf(&got, "%s\n", errs.msg[i]);
	assert_string_equal(buf_cstr(&got), want);
	assert_int_equal(rc, *want == '\0' ? 0 : -1);
	buf_release(&got);
	errors_clear(&errs);
	node_free(doc);
	schema_free(s);
}

#define OBJ(props) "{ \"type\": \"object\", \"additionalProperties\": " \
	"false, \"properties\": " props " }"

static void
test_type(void **state)
{
	const char *s = OBJ("{ \"port\": { \"type\": \"integer\" }, "
	    "\"on\": { \"type\": \"boolean\" }, "
	    "\"name\": { \"type\": \"string\" }, "
	    "\"any\": { \"type\": [\"string\", \"object\", \"null\"] } }");

	check(s, "port: 5986\non: true\nname: x\nany: ~\n", "");
	check(s, "any: {a: 1}\n", "");
	check(s, "port: '5986'\n",
	    "d.yaml:1:7: 'port' must be an integer, not a string\n");
	check(s, "on: yes\n",
	    "d.yaml:1:5: 'on' must be a boolean, not a string\n");
	/* Quoted scalars are strings; plain ones are typed. */
	check(s, "name: 'true'\n", "");
	check(s, "name: true\n",
	    "d.yaml:1:7: 'name' must be a string, not a boolean\n");
	check(s, "any: [1]\n", "d.yaml:1:6: 'any' must be a string, a "
	    "mapping or null, not a sequence\n");
	check(OBJ("{}"), "[]\n",
	    "d.yaml:1:1: the document must be a mapping, not a sequence\n");
}

static void
test_enum_const(void **state)
{
	const char *s = OBJ("{ \"auth\": { \"enum\": [\"basic\", \"ntlm\"] }, "
	    "\"flag\": { \"const\": true }, \"n\": { \"enum\": [1, 2] } }");

	check(s, "auth: ntlm\nflag: true\nn: 2\n", "");
	check(s, "auth: kerberos\n", "d.yaml:1:7: 'auth' must be one of "
	    "basic, ntlm (found 'kerberos')\n");
	check(s, "auth: {a: b}\n", "d.yaml:1:7: 'auth' must be one of "
	    "basic, ntlm (found a mapping)\n");
	/* JSON equality: the string 'true' is not true, '1' is not 1. */
	check(s, "flag: 'true'\n",
	    "d.yaml:1:7: 'flag' must be true (found 'true')\n");
	check(s, "n: '1'\n", "d.yaml:1:4: 'n' must be one of 1, 2 "
	    "(found '1')\n");
	check(s, "n: +1\n", "");
}

static void
test_strings(void **state)
{
	const char *s = OBJ("{ \"d\": { \"title\": \"duration\", \"type\": "
	    "\"string\", \"pattern\": \"^[0-9]+[smhd]$\", "
	    "\"patternErrorMessage\": \"use e.g. 90s\" }, "
	    "\"raw\": { \"pattern\": \"^a\" }, "
	    "\"len\": { \"minLength\": 2, \"maxLength\": 3 }, "
	    "\"ne\": { \"minLength\": 1 } }");

	check(s, "d: 90s\nraw: abc\nlen: ab\nne: x\n", "");
	check(s, "d: 2x\n",
	    "d.yaml:1:4: bad duration '2x' (use e.g. 90s)\n");
	/* Unanchored, as in ECMA-262: "^a" matches "abc" but not "ba". */
	check(s, "raw: ba\n", "d.yaml:1:6: 'raw' does not match '^a' "
	    "(found 'ba')\n");
	/* Patterns only constrain strings. */
	check(s, "raw: 5\n", "");
	check(s, "len: a\n",
	    "d.yaml:1:6: 'len' must be at least 2 characters long\n");
	/* Characters, not bytes: "éé" is two. */
	check(s, "len: \xc3\xa9\xc3\xa9\n", "");
	check(s, "len: abcd\n",
	    "d.yaml:1:6: 'len' must be at most 3 characters long\n");
	check(s, "ne: ''\n", "d.yaml:1:5: 'ne' must not be empty\n");
}

static void
test_integers(void **state)
{
	const char *s = OBJ("{ \"port\": { \"type\": \"integer\", "
	    "\"minimum\": 1, \"maximum\": 65535 } }");

	check(s, "port: 1\n", "");
	check(s, "port: 65535\n", "");
	check(s, "port: 0\n",
	    "d.yaml:1:7: 'port' must be at least 1 (found 0)\n");
	check(s, "port: 70000\n",
	    "d.yaml:1:7: 'port' must be at most 65535 (found 70000)\n");
}

static void
test_objects(void **state)
{
	const char *s = "{ \"type\": \"object\", \"additionalProperties\": false,"
	    " \"properties\": { \"group\": { \"$ref\": \"#/$defs/grp\" } },"
	    " \"$defs\": { \"grp\": { \"title\": \"local group\", "
	    "\"type\": \"object\", \"required\": [\"members\"], "
	    "\"additionalProperties\": false, \"properties\": { "
	    "\"members\": {}, \"exclusive\": {} } } } }";

	check(s, "group: {members: []}\n", "");
	/* Required names the owner by its title; did-you-mean on typos. */
	check(s, "group:\n  membrs: [a]\n",
	    "d.yaml:1:1: local group 'group': missing 'members'\n"
	    "d.yaml:2:3: unknown key 'membrs' (did you mean 'members'?)\n");
	check(s, "grup: {}\n",
	    "d.yaml:1:1: unknown key 'grup' (did you mean 'group'?)\n");
	check(s, "zzzzzz: {}\n", "d.yaml:1:1: unknown key 'zzzzzz'\n");
}

static void
test_pattern_properties_names(void **state)
{
	const char *s = "{ \"type\": \"object\", "
	    "\"patternProperties\": { \"^x-\": { \"type\": \"integer\" } }, "
	    "\"propertyNames\": { \"title\": \"name\", \"pattern\": "
	    "\"^[a-z-]+$\" }, \"additionalProperties\": { \"type\": "
	    "\"string\" }, \"minProperties\": 1 }";

	check(s, "x-a: 1\nb: s\n", "");
	check(s, "x-a: s\n",
	    "d.yaml:1:6: 'x-a' must be an integer, not a string\n");
	check(s, "b: 1\n", "d.yaml:1:4: 'b' must be a string, not an integer\n");
	/* Keys are names whatever they look like: "123" is checked as text. */
	check(s, "123: s\n", "d.yaml:1:1: bad name '123'\n");
	check(s, "{}\n", "d.yaml:1:1: the document must not be empty\n");
}

static void
test_arrays(void **state)
{
	const char *s = OBJ("{ \"m\": { \"type\": \"array\", \"minItems\": 1, "
	    "\"uniqueItems\": true, \"items\": { \"type\": \"string\" } } }");

	check(s, "m: [a, b]\n", "");
	check(s, "m: []\n", "d.yaml:1:4: 'm' must not be empty\n");
	check(s, "m: [a, b, a]\n",
	    "d.yaml:1:11: 'm' lists 'a' twice (items 1 and 3)\n");
	/* 1 and '1' differ in JSON. */
	check(OBJ("{ \"m\": { \"uniqueItems\": true } }"), "m: [1, '1']\n",
	    "");
	check(s, "m: [a, {b: c}]\n", "d.yaml:1:8: item 2 of 'm' must be a "
	    "string, not a mapping\n");
}

static void
test_alternatives(void **state)
{
	const char *s = OBJ("{ \"server\": { \"oneOf\": ["
	    "{ \"type\": \"string\", \"enum\": [\"enabled\", \"disabled\"] },"
	    "{ \"type\": \"object\", \"additionalProperties\": false, "
	    "\"properties\": { \"enabled\": { \"type\": \"boolean\" } } } ] },"
	    " \"any\": { \"anyOf\": [ { \"type\": \"integer\" }, "
	    "{ \"minimum\": 5 } ] },"
	    " \"both\": { \"oneOf\": [ { \"type\": \"integer\" }, "
	    "{ \"minimum\": 5 } ] } }");

	check(s, "server: enabled\n", "");
	check(s, "server: {enabled: false}\n", "");
	/* The alternative for the kind written is the one reported. */
	check(s, "server: enabld\n", "d.yaml:1:9: 'server' must be one of "
	    "enabled, disabled (found 'enabld')\n");
	check(s, "server: {enable: true}\n", "d.yaml:1:10: unknown key "
	    "'enable' (did you mean 'enabled'?)\n");
	/* No alternative takes a sequence: say which kinds would do. */
	check(s, "server: [x]\n", "d.yaml:1:9: 'server' must be a string or "
	    "a mapping, not a sequence\n");
	check(s, "any: 7\n", "");
	check(s, "both: 3\n", "");
	check(s, "both: 7\n",
	    "d.yaml:1:7: 'both' matches more than one alternative\n");
}

static void
test_all_of_error_message(void **state)
{
	const char *s = "{ \"type\": \"object\", \"title\": \"window\", "
	    "\"properties\": { \"scheme\": { \"const\": \"https\", "
	    "\"errorMessage\": \"only https\" } }, "
	    "\"allOf\": [ { \"oneOf\": [ { \"required\": [\"end\"] }, "
	    "{ \"required\": [\"duration\"] } ], "
	    "\"errorMessage\": \"set exactly one of 'end' and 'duration'\" } "
	    "] }";

	check(s, "end: 1\n", "");
	check(s, "duration: 1\n", "");
	check(s, "end: 1\nduration: 1\n", "d.yaml:1:1: the document: set "
	    "exactly one of 'end' and 'duration'\n");
	check(s, "x: 1\n", "d.yaml:1:1: the document: set exactly one of "
	    "'end' and 'duration'\n");
	check(s, "end: 1\nscheme: http\n",
	    "d.yaml:2:9: 'scheme': only https\n");
}

static void
test_ref_pointer_and_false(void **state)
{
	const char *s = "{ \"type\": \"object\", \"properties\": { "
	    "\"a\": { \"$ref\": \"#/$defs/x~1y/properties/p\" }, "
	    "\"no\": false }, \"$defs\": { \"x/y\": { \"properties\": { "
	    "\"p\": { \"type\": \"integer\" } } } } }";

	check(s, "a: 1\n", "");
	check(s, "a: b\n", "d.yaml:1:4: 'a' must be an integer, not a string\n");
	check(s, "no: 1\n", "d.yaml:1:5: 'no' is not allowed here\n");
}

static void
test_load_refusals(void **state)
{
	/* A keyword the validator does not implement is not ignored. */
	schema_bad("{ \"type\": \"object\", \"requird\": [\"a\"] }",
	    "s.json:1:21: unsupported keyword 'requird'");
	schema_bad("{ \"properties\": { \"a\": { \"$ref\": \"#/$defs/b\" } } }",
	    "s.json:1:34: dangling $ref '#/$defs/b'");
	schema_bad("{ \"pattern\": \"(\" }",
	    "s.json:1:14: bad regular expression '('");
	schema_bad("{ \"type\": \"text\" }", "s.json:1:11: bad value for 'type'");
	schema_bad("{ \"minLength\": -1 }",
	    "s.json:1:16: bad value for 'minLength'");
	schema_bad("[1]", "s.json:1:1: not a schema 'a sequence'");
	schema_bad("{ \"a\": ", "s.json:2:1: YAML syntax error: did not find "
	    "expected node content while parsing a flow node");
}

static void
test_builtin(void **state)
{
	struct schema *s;
	char *cause = NULL;

	assert_int_equal(schema_load_builtin(&s, &cause), 0);
	assert_null(cause);
	schema_free(s);
	schema_free(NULL);
}

static void
test_defaults(void **state)
{
	const char *json = "{ \"type\": \"object\", \"properties\": { "
	    "\"port\": { \"$ref\": \"#/$defs/port\" }, "
	    "\"timeout\": { \"type\": \"string\", \"default\": \"30s\" }, "
	    "\"server\": { \"oneOf\": [ { \"type\": \"string\" }, "
	    "{ \"type\": \"object\", \"properties\": { \"enabled\": "
	    "{ \"default\": true } } } ] }, "
	    "\"groups\": { \"additionalProperties\": { \"properties\": { "
	    "\"exclusive\": { \"default\": false } } } } }, "
	    "\"$defs\": { \"port\": { \"type\": \"integer\", \"default\": 5986 } "
	    "} }";
	struct schema *s = schema_ok(json);
	struct node *doc, *v;

	doc = yaml("timeout: 1m\nserver: {}\ngroups: {A: {}, B: {exclusive: "
	    "true}}\n");
	schema_fill_defaults(s, NULL, doc);
	/* Present values stay; missing ones come from "default". */
	assert_string_equal(node_get_str(doc, "timeout"), "1m");
	v = node_get(doc, "port");
	assert_non_null(v);
	assert_string_equal(v->value, "5986");
	assert_true(node_is_int(v));
	assert_int_equal(v->line, 0);
	assert_null(v->file);
	assert_string_equal(node_getv(doc, "server", "enabled", NULL)->value,
	    "true");
	assert_string_equal(node_getv(doc, "groups", "A", "exclusive",
	    NULL)->value, "false");
	assert_string_equal(node_getv(doc, "groups", "B", "exclusive",
	    NULL)->value, "true");
	node_free(doc);
	/* The string alternative takes no default. */
	doc = yaml("server: enabled\n");
	schema_fill_defaults(s, NULL, doc);
	assert_string_equal(node_get_str(doc, "server"), "enabled");
	assert_string_equal(node_get_str(doc, "timeout"), "30s");
	node_free(doc);
	schema_free(s);
}

static void
test_closest(void **state)
{
	const char *keys[] = { "groups", "members", "exclusive", "port" };

	assert_string_equal(schema_closest("membrs", keys, 4), "members");
	assert_string_equal(schema_closest("Members", keys, 4), "members");
	assert_string_equal(schema_closest("exclusiv", keys, 4), "exclusive");
	assert_string_equal(schema_closest("prot", keys, 4), "port");
	assert_null(schema_closest("auth", keys, 4));
	assert_null(schema_closest("zzzzzzzz", keys, 4));
	assert_null(schema_closest("x", keys, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_enum_const),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_pattern_properties_names),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_all_of_error_message),
		cmocka_unit_test(test_ref_pointer_and_false),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_closest),
	};

	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
