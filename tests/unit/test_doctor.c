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

/* A gateway and a node as read, from YAML; hosts named as given. */
static void
facts(struct doctor_facts *f, struct model_host *h, const char *name,
    const char *credssp, const char *listener, const char *trust)
{
	memset(f, 0, sizeof(*f));
	memset(h, 0, sizeof(*h));
	h->name = name;
	f->host = h;
	f->ubr = -1;
	f->credssp = yaml(credssp);
	f->trusted_hosts = yaml("{ hosts: [] }");
	f->listener = yaml(listener);
	f->policy = yaml("{ AllowFreshCredentials: '1' }");
	f->trust = yaml(trust);
}

static const struct doctor_finding *
find(const struct doctor_path *p, const char *link)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].link, link) == 0)
			return &p->v[i];
	return NULL;
}

/* A workgroup node whose HTTPS listener Group Policy disabled: the
 * listener link is broken and its fix is the GPO's, not a snippet. */
static void
test_listener_gpo(void **state)
{
	struct doctor_facts g, n;
	struct model_host gh, nh;
	struct doctor_opts o = { "ds", 0 };
	struct doctor_path p;
	const struct doctor_finding *f;

	facts(&g, &gh, "wac01.contoso.test", "{ client: { enabled: true, "
	    "delegate: ['wsman/*.contoso.test'] }, server: { enabled: false } }",
	    "{ https: { exists: true } }", "{ domain_joined: true, "
	    "domain: contoso.test, secure_channel: true }");
	facts(&n, &nh, "ws1.contoso.test", "{ server: { enabled: true }, "
	    "client: { enabled: false } }", "{ https: { exists: true, "
	    "enabled: false, thumbprint: AB, source: gpo } }",
	    "{ domain_joined: false, domain: WORKGROUP }");
	doctor_check(&p, &g, &n, "ws1.contoso.test", &o);
	assert_string_equal(p.auth, "ntlm");
	assert_non_null(f = find(&p, "listener"));
	assert_int_equal(f->status, DOCTOR_BROKEN);
	assert_true(f->gpo);
	assert_non_null(strstr(f->fix, "owned by Group Policy on "
	    "ws1.contoso.test"));
	assert_int_equal(doctor_worst(&p), DOCTOR_BROKEN);
	/* Without Group Policy the fix is the kind's snippet. */
	doctor_path_release(&p);
	node_free(n.listener);
	n.listener = yaml("{ https: { exists: false } }");
	doctor_check(&p, &g, &n, "ws1.contoso.test", &o);
	assert_non_null(f = find(&p, "listener"));
	assert_false(f->gpo);
	assert_string_equal(f->fix, "policies: { ws1.contoso.test: { "
	    "wsman_listener: { https: { enabled: true } } } }");
	doctor_path_release(&p);
	doctor_facts_release(&g);
	doctor_facts_release(&n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spn),
		cmocka_unit_test(test_trusted_hosts),
		cmocka_unit_test(test_domain_trust_diff),
		cmocka_unit_test(test_listener_gpo),
	};

	return cmocka_run_group_tests_name("doctor", tests, NULL, NULL);
}
