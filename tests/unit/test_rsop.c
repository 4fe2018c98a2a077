/*
 * test_rsop.c: which registry values a GPO owns, from the host's RSoP
 * answer (states/rsop.h; docs/windows-behaviour.md#group-policy): keys
 * compared without the hive and without regard to case, a key's values and
 * subkeys owned when name is NULL (and no longer key sharing its prefix),
 * the GPO shown by its {GUID}; a fault on the Enumerate, or RSoPLogging
 * 0, is "unavailable", not a failure; any other failure is one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rsop.h"

#define CD	"SOFTWARE\\Policies\\Microsoft\\Windows\\CredentialsDelegation"
#define EO	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\" \
		"System\\CredSSP\\Parameters"
#define GUID	"{6AC1786C-016F-11D2-945F-00C04FB984F9}"

static struct node *
setting(const char *gpoid, const char *key, const char *name)
{
	struct node *s = node_map();

	node_map_set(s, "GPOID", node_scalar(gpoid));
	node_map_set(s, "registryKey", node_scalar(key));
	node_map_set(s, "valueName", node_scalar(name));
	return s;
}

/* The StdRegProv answer for RSoPLogging: absent, or the DWORD v. */
static struct node *
logging(int present, unsigned v)
{
	struct node *m = node_map();
	char num[16];

	node_map_set(m, "ReturnValue", node_scalar(present ? "0" : "1"));
	snprintf(num, sizeof(num), "%u", v);
	if (present)
		node_map_set(m, "uValue", node_scalar(num));
	return m;
}

static void
reads(struct wsman_read r[RSOP_NREADS], struct node *items,
    struct node *log)
{
	rsop_read_prepare(r);
	r[0].rc = 0;
	r[0].result = items;
	r[1].rc = 0;
	r[1].result = log;
}

static void
test_owner(void **state)
{
	struct wsman_read r[RSOP_NREADS];
	struct node *items = node_seq();
	struct rsop rs;
	char *cause = NULL;

	(void)state;
	node_seq_push(items, setting("cn=" GUID ",cn=policies,cn=system,"
	    "DC=contoso,DC=test", "Software\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation\\AllowFreshCredentials", "1"));
	node_seq_push(items, setting("LocalGPO", "HKEY_LOCAL_MACHINE\\" EO,
	    "AllowEncryptionOracle"));
	reads(r, items, logging(0, 0));
	assert_int_equal(rsop_result(NULL, r, &rs, &cause), 0);
	assert_null(rs.unavailable);
	assert_string_equal(rsop_owner(&rs, CD "\\AllowFreshCredentials",
	    NULL), GUID);
	assert_string_equal(rsop_owner(&rs, CD "\\ALLOWFRESHCREDENTIALS",
	    "1"), GUID);
	assert_null(rsop_owner(&rs, CD "\\AllowFreshCredentials", "2"));
	assert_null(rsop_owner(&rs, CD, "AllowFreshCredentials"));
	/* A key that only shares the prefix is not the list's. */
	assert_null(rsop_owner(&rs, CD "\\AllowFreshCredentialsWhenNTLMOnly",
	    NULL));
	assert_string_equal(rsop_owner(&rs, EO, "AllowEncryptionOracle"),
	    "local Group Policy (LocalGPO)");
	assert_string_equal(rsop_owner(&rs, "HKLM\\" EO "\\", NULL),
	    "local Group Policy (LocalGPO)");
	rsop_release(&rs);
	rsop_read_release(r);
}

static void
test_fault_unavailable(void **state)
{
	struct wsman_read r[RSOP_NREADS];
	struct rsop rs;
	char *cause = NULL;

	(void)state;
	reads(r, NULL, logging(0, 0));
	r[0].rc = -1;
	r[0].error = WSMAN_E_FAULT;
	r[0].cause = xstrdup("h: Enumerate ...: WS-Man fault 2150859012: "
	    "access denied");
	assert_int_equal(rsop_result(NULL, r, &rs, &cause), 0);
	assert_non_null(strstr(rs.unavailable, "access denied"));
	assert_null(rsop_owner(&rs, EO, "AllowEncryptionOracle"));
	rsop_release(&rs);
	rsop_read_release(r);
}

static void
test_logging_off(void **state)
{
	struct wsman_read r[RSOP_NREADS];
	struct node *items = node_seq();
	struct rsop rs;
	char *cause = NULL;

	(void)state;
	/* Whatever RSoP holds is not trusted once logging is off. */
	node_seq_push(items, setting("LocalGPO", EO, "AllowEncryptionOracle"));
	reads(r, items, logging(1, 0));
	assert_int_equal(rsop_result(NULL, r, &rs, &cause), 0);
	assert_non_null(strstr(rs.unavailable, "RSoP logging is turned off"));
	assert_null(rsop_owner(&rs, EO, "AllowEncryptionOracle"));
	rsop_release(&rs);
	rsop_read_release(r);
}

static void
test_connection_fails(void **state)
{
	struct wsman_read r[RSOP_NREADS];
	struct rsop rs;
	char *cause = NULL;

	(void)state;
	reads(r, NULL, logging(0, 0));
	r[0].rc = -1;
	r[0].error = WSMAN_E_CONNECT;
	r[0].cause = xstrdup("h: Enumerate ...: connection refused");
	assert_int_equal(rsop_result(NULL, r, &rs, &cause), -1);
	assert_string_equal(cause, "h: Enumerate ...: connection refused");
	free(cause);
	rsop_release(&rs);
	rsop_read_release(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_fault_unavailable),
		cmocka_unit_test(test_logging_off),
		cmocka_unit_test(test_connection_fails),
	};

	return cmocka_run_group_tests_name("rsop", tests, NULL, NULL);
}
