/*
 * test_schema_suite.c: the validator (enforcer/schema.c) against the
 * JSON-Schema-Test-Suite (Debian json-schema-test-suite), draft 7: the
 * newest draft the package carries; ours is written to 2020-12, which
 * agrees with draft 7 on every keyword run here but for the cases listed
 * in suite_draft_diffs.
 *
 * Every file of the draft is either run or skipped by name with its
 * reason (a keyword we do not implement); a file the lists do not know
 * fails the test, so a newer suite cannot go unread.  In a file that is
 * run, a case whose schema uses a keyword we do not implement is skipped
 * and counted under that keyword.  Every other case must load, and must
 * validate each of its instances as the suite says.  The output lists
 * the counts per file and the skips per keyword.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"

#define SUITE_DEFAULT	"/usr/share/json-schema-test-suite/tests/draft7"

/* Files run: keywords schema.h implements. */
static const char *suite_run[] = {
	"additionalProperties", "allOf", "anyOf", "boolean_schema", "const",
	"default", "enum", "items", "maxLength", "maximum", "minItems",
	"minLength", "minProperties", "minimum", "oneOf", "pattern",
	"patternProperties", "properties", "propertyNames", "ref",
	"required", "type", "uniqueItems",
};

/* Keywords not implemented (schema.h): files named after them are skipped,
 * and so are cases elsewhere whose schema uses them. */
static const char *suite_unimplemented[] = {
	"additionalItems", "contains", "dependencies", "exclusiveMaximum",
	"exclusiveMinimum", "if", "then", "else", "maxItems", "maxProperties",
	"multipleOf", "not", "definitions", "$id", "id",
};

/* Files skipped whole, and why. */
static const struct {
	const char	*file;
	const char	*why;
} suite_skip[] = {
	{ "additionalItems", "keyword additionalItems" },
	{ "contains", "keyword contains" },
	{ "definitions", "keyword definitions; needs the remote draft-07 "
	    "metaschema" },
	{ "dependencies", "keyword dependencies" },
	{ "exclusiveMaximum", "keyword exclusiveMaximum" },
	{ "exclusiveMinimum", "keyword exclusiveMinimum" },
	{ "if-then-else", "keywords if, then, else" },
	{ "maxItems", "keyword maxItems" },
	{ "maxProperties", "keyword maxProperties" },
	{ "multipleOf", "keyword multipleOf" },
	{ "not", "keyword not" },
	{ "refRemote", "remote $ref (only \"#...\" pointers are resolved)" },
};

/* Cases where draft 7 and 2020-12 disagree: skipped, by description. */
static const struct {
	const char	*file;
	const char	*description;
	const char	*why;
} suite_draft_diffs[] = {
	{ "ref", "ref overrides any sibling keywords", "2020-12 applies "
	    "$ref's siblings too" },
	{ "ref", "escaped pointer ref", "keys that are not keywords (draft 7 "
	    "ignores them; we refuse them by design, schema.h)" },
};

struct suite_count {
	unsigned	passed;
	unsigned	failed;
	unsigned	skipped;
};

/* Skips per keyword, for the closing list. */
static struct {
	const char	*what;
	unsigned	 n;
} suite_skips[64];

static void
suite_skip_count(const char *what, unsigned n)
{
	size_t i;

	for (i = 0; i < nitems(suite_skips) && suite_skips[i].what != NULL;
	    i++)
		if (strcmp(suite_skips[i].what, what) == 0)
			break;
	assert_true(i < nitems(suite_skips));
	suite_skips[i].what = what;
	suite_skips[i].n += n;
}

/* The first unimplemented keyword or draft 7 form the schema uses. */
static const char *
suite_unsupported(const struct node *s)
{
	const char *k;
	size_t i;

	if (s->kind == NODE_SEQ) {
		for (i = 0; i < s->nitems; i++)
			if ((k = suite_unsupported(s->items[i])) != NULL)
				return k;
		return NULL;
	}
	if (s->kind != NODE_MAP)
		return NULL;
	for (i = 0; i < s->npairs; i++) {
		k = s->pairs[i].key->value;
		if (strv_has(suite_unimplemented,
		    nitems(suite_unimplemented), k))
			return k;
		if (strcmp(k, "$ref") == 0 &&
		    s->pairs[i].value->kind == NODE_SCALAR &&
		    s->pairs[i].value->value[0] != '#')
			return "remote $ref (only \"#...\" pointers)";
		if (strcmp(k, "items") == 0 &&
		    s->pairs[i].value->kind == NODE_SEQ)
			return "items as an array (draft 7 tuples; "
			    "prefixItems in 2020-12)";
		if ((k = suite_unsupported(s->pairs[i].value)) != NULL)
			return k;
	}
	return NULL;
}

/* Interned: the keyword names live in the parsed files, freed per file. */
static const char *
suite_intern(const char *k)
{
	size_t i;

	for (i = 0; i < nitems(suite_unimplemented); i++)
		if (strcmp(suite_unimplemented[i], k) == 0)
			return suite_unimplemented[i];
	return k;	/* a string literal already */
}

static const char *
suite_draft_diff(const char *file, const char *description)
{
	size_t i;

	for (i = 0; i < nitems(suite_draft_diffs); i++)
		if (strcmp(suite_draft_diffs[i].file, file) == 0 &&
		    strcmp(suite_draft_diffs[i].description, description) == 0)
			return suite_draft_diffs[i].why;
	return NULL;
}

/* One instance: 1 when our verdict is the suite's. */
static int
suite_instance(const struct schema *sch, const char *file,
    const char *group, const struct node *t)
{
	struct errors errs = ERRORS_INIT;
	const struct node *data = node_get(t, "data");
	int valid, got;

	assert_non_null(data);
	assert_int_equal(node_bool(node_get(t, "valid"), &valid), 0);
	got = schema_validate(sch, NULL, data, &errs) == 0;
	if (got != valid)
		printf("FAIL %s: %s: %s: suite says %s, we say %s%s%s\n", file,
		    group, node_get_str(t, "description"),
		    valid ? "valid" : "invalid", got ? "valid" : "invalid",
		    errs.n > 0 ? ": " : "", errs.n > 0 ? errs.msg[0] : "");
	errors_clear(&errs);
	return got == valid;
}

static void
suite_group(const char *file, const struct node *g, struct suite_count *c)
{
	const struct node *tests = node_get(g, "tests");
	const char *desc = node_get_str(g, "description"), *why;
	struct schema *sch = NULL;
	char *cause = NULL;
	size_t i;

	assert_non_null(tests);
	if ((why = suite_draft_diff(file, desc)) != NULL ||
	    (why = suite_unsupported(node_get(g, "schema"))) != NULL) {
		c->skipped += tests->nitems;
		suite_skip_count(suite_intern(why), tests->nitems);
		return;
	}
	if (schema_load_node(&sch, node_copy(node_get(g, "schema")),
	    &cause) == -1) {
		printf("FAIL %s: %s: schema refused: %s\n", file, desc, cause);
		c->failed += tests->nitems;
		free(cause);
		return;
	}
	for (i = 0; i < tests->nitems; i++) {
		if (suite_instance(sch, file, desc, tests->items[i]))
			c->passed++;
		else
			c->failed++;
	}
	schema_free(sch);
}

/*
 * The file's text for the YAML reader: JSON writes a character beyond
 * U+FFFF as a pair of \u escapes (surrogates), which YAML refuses; YAML
 * writes it \UXXXXXXXX.
 */
static char *
suite_read(const char *path, size_t *len)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	unsigned hi, lo;
	char chunk[4096];
	const char *p;
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&in, chunk, n);
	fclose(fp);
	for (p = buf_cstr(&in); *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == 'u' &&
		    sscanf(p, "\\u%4x\\u%4x", &hi, &lo) == 2 &&
		    hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 &&
		    lo <= 0xdfff) {
			buf_printf(&out, "\\U%08X", 0x10000 +
			    ((hi - 0xd800) << 10) + (lo - 0xdc00));
			p += 11;
		} else if (p[0] == '\\' && p[1] != '\0') {
			buf_add(&out, p, 2);	/* "\\u..." is no escape */
			p++;
		} else
			buf_putc(&out, *p);
	}
	buf_release(&in);
	*len = out.len;
	return buf_detach(&out);
}

static void
suite_file(const char *dir, const char *file, struct suite_count *total)
{
	struct suite_count c = { 0, 0, 0 };
	struct errors errs = ERRORS_INIT;
	struct node *doc = NULL;
	char *path, *text;
	size_t i, len;

	path = xasprintf("%s/%s.json", dir, file);
	text = suite_read(path, &len);
	if (node_parse_string(&doc, path, text, len, &errs) == -1)
		fail_msg("%s: %s", path, errs.msg[0]);
	free(text);
	assert_int_equal(doc->kind, NODE_SEQ);
	for (i = 0; i < doc->nitems; i++)
		suite_group(file, doc->items[i], &c);
	printf("draft7/%s.json: %u passed, %u failed, %u skipped\n", file,
	    c.passed, c.failed, c.skipped);
	total->passed += c.passed;
	total->failed += c.failed;
	total->skipped += c.skipped;
	node_free(doc);
	free(path);
}

/* Every file of the draft is run or skipped by name. */
static void
suite_known(const char *dir)
{
	struct dirent *e;
	DIR *d;
	char *name;
	size_t i, len, nfiles = 0;
	int known;

	if ((d = opendir(dir)) == NULL)
		fail_msg("%s: cannot open (apt-get install "
		    "json-schema-test-suite)", dir);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		name = xstrndup(e->d_name, len - 5);
		known = strv_has(suite_run, nitems(suite_run), name);
		for (i = 0; i < nitems(suite_skip); i++)
			known |= strcmp(suite_skip[i].file, name) == 0;
		if (!known)
			fail_msg("%s/%s: neither run nor skipped by this test",
			    dir, e->d_name);
		free(name);
		nfiles++;
	}
	closedir(d);
	assert_int_equal(nfiles, nitems(suite_run) + nitems(suite_skip));
}

static void
test_suite_draft7(void **state)
{
	const char *dir = getenv("JSON_SCHEMA_TEST_SUITE");
	struct suite_count total = { 0, 0, 0 };
	size_t i;

	if (dir == NULL)
		dir = SUITE_DEFAULT;
	suite_known(dir);
	for (i = 0; i < nitems(suite_skip); i++)
		printf("draft7/%s.json: skipped: %s\n", suite_skip[i].file,
		    suite_skip[i].why);
	for (i = 0; i < nitems(suite_run); i++)
		suite_file(dir, suite_run[i], &total);
	for (i = 0; i < nitems(suite_skips) && suite_skips[i].what != NULL;
	    i++)
		printf("skipped in files run: %u instances using %s\n",
		    suite_skips[i].n, suite_skips[i].what);
	printf("JSON-Schema-Test-Suite draft7: %u passed, %u failed, "
	    "%u skipped\n", total.passed, total.failed, total.skipped);
	assert_int_equal(total.failed, 0);
	assert_true(total.passed > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suite_draft7),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
