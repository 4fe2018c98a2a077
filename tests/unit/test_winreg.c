/*
 * test_winreg.c: StdRegProv's ReturnValue as Windows answers it
 * (docs/windows-behaviour.md): Get*Value says 1 for a value missing under
 * an existing key and 2 for a missing key, both "absent"; any other code,
 * and 1 from a method that is not a Get, is an error naming the method.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "wsman_fake.h"
#include "winreg.h"

#define CD	"SOFTWARE\\Policies\\Microsoft\\Windows\\CredentialsDelegation"

/* A StdRegProv METHOD_OUTPUT with ReturnValue rv and optional extra XML. */
static char *
reply(const char *method, const char *rv, const char *extra)
{
	return xasprintf("<s:Envelope "
	    "xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
	    "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">"
	    "<s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/"
	    "wmi/root/default/StdRegProv/%sResponse</a:Action>"
	    "<a:RelatesTo>uuid:0</a:RelatesTo></s:Header><s:Body>"
	    "<p:%s_OUTPUT xmlns:p=\"http://schemas.microsoft.com/wbem/wsman/"
	    "1/wmi/root/default/StdRegProv\"><p:ReturnValue>%s</p:ReturnValue>"
	    "%s</p:%s_OUTPUT></s:Body></s:Envelope>", method, method, rv,
	    extra, method);
}

struct t {
	struct fake			 f;
	struct wsman_transport_ops	 ops;
	struct wsman_opts		 o;
	struct wsman			*ws;
	struct canned			 c;
	char				*body;
	char				*cause;
};

static void
t_start(struct t *t, const char *method, const char *rv, const char *extra)
{
	memset(t, 0, sizeof(*t));
	t->body = reply(method, rv, extra);
	t->c.body = t->body;
	fake_opts(&t->o, &t->ops, &t->f, &t->c, 1);
	if (wsman_new(&t->ws, &t->o, &t->cause) != 0)
		fail_msg("wsman_new: %s", t->cause);
}

static void
t_end(struct t *t)
{
	wsman_free(t->ws);
	fake_release(&t->f);
	free(t->body);
	free(t->cause);
}

/* GetDWORDValue answering rv: the call's result, *found, the value. */
static int
get_dword(const char *rv, const char *extra, int *found, uint32_t *v,
    char **cause)
{
	struct t t;
	int rc;

	t_start(&t, "GetDWORDValue", rv, extra);
	*found = -1;
	rc = winreg_get_dword(t.ws, CD, "AllowFreshCredentials", v, found,
	    &t.cause);
	*cause = t.cause != NULL ? xstrdup(t.cause) : NULL;
	t_end(&t);
	return rc;
}

static void
test_get_found(void **state)
{
	uint32_t v = 0;
	char *cause;
	int found;

	assert_int_equal(get_dword("0", "<p:uValue>1</p:uValue>", &found, &v,
	    &cause), 0);
	assert_int_equal(found, 1);
	assert_int_equal(v, 1);
	assert_null(cause);
}

static void
test_get_value_missing(void **state)
{
	uint32_t v = 7;
	char *cause;
	int found;

	/* The key exists, the value does not: 1, not an error. */
	assert_int_equal(get_dword("1", "", &found, &v, &cause), 0);
	assert_int_equal(found, 0);
	assert_int_equal(v, 7);
	assert_null(cause);
}

static void
test_get_key_missing(void **state)
{
	uint32_t v = 0;
	char *cause;
	int found;

	assert_int_equal(get_dword("2", "", &found, &v, &cause), 0);
	assert_int_equal(found, 0);
	assert_null(cause);
}

static void
test_get_errors(void **state)
{
	static const char *codes[] = { "5", "2147749893" };
	uint32_t v = 0;
	char *cause, *want;
	size_t i;
	int found;

	/* Access denied, type mismatch: errors naming method and key. */
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(get_dword(codes[i], "", &found, &v, &cause),
		    -1);
		want = xasprintf("node1.contoso.test: StdRegProv GetDWORDValue "
		    "'HKLM\\%s': Win32 error %s", CD, codes[i]);
		assert_string_equal(cause, want);
		free(want);
		free(cause);
	}
}

static void
test_enum_one_is_error(void **state)
{
	struct node *out = NULL;
	struct t t;
	int found = -1;

	/* 1 means "no such value" only for Get*Value. */
	t_start(&t, "EnumValues", "1", "");
	assert_int_equal(winreg_enum_values(t.ws, CD, &out, &found, &t.cause),
	    -1);
	assert_non_null(strstr(t.cause, "EnumValues"));
	assert_non_null(strstr(t.cause, "Win32 error 1"));
	node_free(out);
	t_end(&t);

	t_start(&t, "EnumValues", "2", "");
	assert_int_equal(winreg_enum_values(t.ws, CD, &out, &found, &t.cause),
	    0);
	assert_int_equal(found, 0);
	node_free(out);
	t_end(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_found),
		cmocka_unit_test(test_get_value_missing),
		cmocka_unit_test(test_get_key_missing),
		cmocka_unit_test(test_get_errors),
		cmocka_unit_test(test_enum_one_is_error),
	};

	return cmocka_run_group_tests_name("winreg", tests, NULL, NULL);
}
