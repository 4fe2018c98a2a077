/*
 * test_wsman_tree.c: replies are read into our own tree (wsman_tree.c)
 * instead of libxml2's; libxml2's tree of the same bytes is the reference.
 * For every reply under tests/data/wsman (recorded, written and MS-WSMV
 * examples), the crash kept in fuzz_wsman_reply's corpus and the cases below
 * (escapes in attributes, CDATA, comments inside text, mixed content,
 * prefixes rebound, the refusals and the depth limit), both parses must
 * fail with the same cause or give the same elements, attributes,
 * namespace declarations and text, and the helpers must read the same
 * (wsman_tree_diff.h, which fuzz_wsman_reply checks too).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wsman.h"
#include "wsman_fake.h"
#include "wsman_tree_diff.h"

static const char *const cases[] = {
	"<a x='1 &amp; 2' y='&#38;&#x26;&lt;&gt;&quot;&apos;' "
	    "z='&amp;#38;'>t &amp; &#38; &lt;u&gt;</a>",
	"<a>one<!-- c -->two<?pi x?>three<![CDATA[ <four> & ]]>five</a>",
	"<a>\n  <b>x</b> mid <c/>  end\n</a>",
	"<a xmlns='urn:d' xmlns:p='urn:p'><p:b p:q='v' xml:lang='en-US'>"
	    "<c xmlns='urn:e' xmlns:p='urn:p2'>p:x</c></p:b><b/></a>",
	"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope' "
	    "xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'><s:Body>"
	    "<v xsi:nil='true'/><w a=''>&#xe9;&#x1F600;</w></s:Body>"
	    "</s:Envelope>",
	"<?xml version='1.0' encoding='UTF-16'?><a/>",
	"<?xml version='1.0' encoding='ISO-8859-1'?><a b='\xe9'>\xe9</a>",
	"<a>\xff\xfe</a>",
	"<a><b></a>",
	"<a>&undeclared;</a>",
	"<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
	"<a/><b/>",
	"<a x='1' x='2'/>",
	"<p:a q:b='1'><c xmlns:q='urn:q' q:b='2'/></p:a>",
	"   ",
	"<?xml version='1.0'?>",
};

static void
check_same(const char *what, const char *data, size_t len)
{
	const char *why;

	if ((why = wsman_tree_diff(data, len)) != NULL)
		fail_msg("%s: %s", what, why);
}

static void
check_file(const char *rel)
{
	char *data;
	size_t len;

	data = fake_read(rel, &len);
	check_same(rel, data, len);
	free(data);
}

/* Every file in the directory (relative to tests/data/wsman); how many. */
static int
check_dir(const char *rel)
{
	struct dirent *de;
	char *path, *file;
	DIR *dir;
	int n = 0;

	path = fake_path(rel);
	if ((dir = opendir(path)) == NULL)
		fail_msg("cannot open %s", path);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		file = xasprintf("%s/%s", rel, de->d_name);
		check_file(file);
		free(file);
		n++;
	}
	closedir(dir);
	free(path);
	return n;
}

static void
test_replies(void **state)
{
	assert_true(check_dir(".") > 10);
	assert_true(check_dir("fixtures") > 10);
	assert_true(check_dir("fixtures/spec_examples") > 5);
	assert_true(check_dir("../../fuzz/corpus/wsman_reply") > 0);
}

static void
test_cases(void **state)
{
	size_t i;

	for (i = 0; i < nitems(cases); i++)
		check_same(cases[i], cases[i], strlen(cases[i]));
}

/* libxml2 stops past 256 levels: the tree must keep that limit. */
static void
test_depth(void **state)
{
	struct wsman_tree *t = NULL;
	struct buf b = BUF_INIT;
	char *cause = NULL;
	int i;

	for (i = 0; i < 300; i++)
		buf_puts(&b, "<a>");
	for (i = 0; i < 300; i++)
		buf_puts(&b, "</a>");
	check_same("300 levels", b.ptr, b.len);
	assert_int_equal(wsman_tree_parse(&t, b.ptr, b.len, &cause), -1);
	assert_non_null(strstr(cause, "depth"));
	free(cause);
	buf_release(&b);
}

/* An attribute value that escapes '&' every way, as the readers see it. */
static void
test_attr_amp(void **state)
{
	static const char doc[] = "<a Name='&amp;&#38;&#x26;&amp;#38;'>"
	    "<b p:c='x' xmlns:p='urn:p'>v</b></a>";
	struct wsman_tree *t = NULL;
	const struct wsman_el *b;
	char *cause = NULL, *v;

	assert_int_equal(wsman_tree_parse(&t, doc, strlen(doc), &cause), 0);
	v = wsman_el_attr(wsman_tree_root(t), "Name");
	assert_string_equal(v, "&&&&#38;");
	free(v);
	b = wsman_el_child(wsman_tree_root(t), NULL, "b");
	assert_string_equal(wsman_el_attr_ns(b, "urn:p", "c"), "x");
	assert_null(wsman_el_attr(b, "c"));
	assert_string_equal(wsman_el_prefix_ns(b, "p"), "urn:p");
	assert_null(wsman_el_prefix_ns(wsman_tree_root(t), "p"));
	wsman_tree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_attr_amp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
