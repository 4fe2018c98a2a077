/*
 * test_doctor.c: the name matching doctor's judgements rest on: a
 * delegation entry against wsman/NAME (one leading wildcard, service class
 * and host compared without case), a TrustedHosts entry against a name,
 * and the domain_trust kind's diff (read-only: reported, never applied).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doctor.h"
#include "test_util.h"

static void
test_spn(void **state)
{
	assert_true(doctor_spn_match("wsman/node1.contoso.test",
	    "node1.contoso.test"));
	assert_true(doctor_spn_match("WSMAN/Node1.Contoso.Test",
	    "node1.contoso.test"));
	assert_true(doctor_spn_match("wsman/*", "node1"));
	assert_true(doctor_spn_match("wsman/*", "10.0.0.5"));
	assert_true(doctor_spn_match("wsman/*.contoso.test",
	    "node1.contoso.test"));
	assert_true(doctor_spn_match("wsman/*.contoso.test",
	    "a.b.contoso.test"));
	/* The FQDN's entry does not cover the short name WAC may use. */
	assert_false(doctor_spn_match("wsman/*.contoso.test", "node1"));
	assert_false(doctor_spn_match("wsman/node1.contoso.test", "node1"));
	assert_false(doctor_spn_match("wsman/*.contoso.test", "contoso.test"));
	assert_false(doctor_spn_match("TERMSRV/*", "node1"));
	assert_false(doctor_spn_match("wsmanx/*", "node1"));
	assert_false(doctor_spn_match("wsman", "node1"));
}

static void
test_trusted_hosts(void **state)
{
	assert_true(doctor_trusted_host_match("*", "10.0.0.5"));
	assert_true(doctor_trusted_host_match("*.contoso.test",
	    "ws1.contoso.test"));
	assert_true(doctor_trusted_host_match("WS1", "ws1"));
	assert_false(doctor_trusted_host_match("*.contoso.test", "ws1"));
	assert_false(doctor_trusted_host_match("10.0.0.5", "10.0.0.50"));
}

static void
test_domain_trust_diff(void **state)
{
	const struct state_ops *ops = state_find("domain_trust");
	struct node *want = yaml("{ secure_channel: true }");
	struct node *ok = yaml("{ domain_joined: true, domain: contoso.test, "
	    "secure_channel: true }");
	struct node *bad = yaml("{ domain_joined: true, domain: contoso.test, "
	    "secure_channel: false }");
	struct changes out = CHANGES_INIT;
	char *cause = NULL;

	assert_non_null(ops);
	assert_int_equal(ops->diff(want, ok, 0, &out, &cause), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(ops->diff(want, bad, 0, &out, &cause), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].path, "domain_trust.secure_channel");
	assert_string_equal(out.v[0].before, "false");
	assert_true(out.v[0].flags & CHANGE_NEEDS_PERSON);
	assert_non_null(strstr(out.v[0].note, "enforcer restart"));
	changes_clear(&out);
	node_free(want);
	node_free(ok);
	node_free(bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spn),
		cmocka_unit_test(test_trusted_hosts),
		cmocka_unit_test(test_domain_trust_diff),
	};

	return cmocka_run_group_tests_name("doctor", tests, NULL, NULL);
}
