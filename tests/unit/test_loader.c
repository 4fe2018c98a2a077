/*
 * test_loader.c: files -> model: merging across files, resolved
 * connections, windows, settings, groups; errors from several files at
 * once; secrets; loading a directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static const char hosts_yaml[] =
    "hosts:\n"
    "  node1.contoso.test: { groups: [hci-nodes] }\n"
    "  node2.contoso.test: { groups: [hci-nodes], address: 127.0.10.2 }\n"
    "  wac01.contoso.test: { groups: [gateways] }\n"
    "connection:\n"
    "  port: 5986\n"
    "  auth: basic\n"
    "  username: CONTOSO\\svc-enforcer\n"
    "  password_env: ENFORCER_PASSWORD\n"
    "  ca_file: /etc/enforcer/contoso-root.pem\n";

static const char policies_yaml[] =
    "policies:\n"
    "  hci-nodes:\n"
    "    credssp: { server: disabled }\n"
    "  gateways:\n"
    "    credssp: { client: disabled }\n";

static const char windows_yaml[] =
    "windows:\n"
    "  create-cluster:\n"
    "    start: 2026-11-25T09:00:00Z\n"
    "    end: 2026-11-25T11:00:00Z\n"
    "    reason: Create cluster wizard (CHG-1234)\n"
    "    apply:\n"
    "      hci-nodes: { credssp: { server: enabled } }\n"
    "  an-earlier-one:\n"
    "    start: 2026-11-24T09:00:00+01:00\n"
    "    duration: 1h30m\n"
    "    reason: x\n"
    "    apply: { all: { service: { WinRM: running } } }\n";

static struct model_file
mf(const char *name, const char *text)
{
	struct model_file f = { name, text, strlen(text) };

	return f;
}

static struct model *
load_ok(const struct model_file *files, size_t n)
{
	struct errors errs = ERRORS_INIT;
	struct model *m;

	if (model_load_files(&m, files, n, &errs) != 0)
		fail_msg("refused: %s", errs.msg[0]);
	assert_int_equal(errs.n, 0);
	return m;
}

/* Every error, one per line. */
static char *
load_errors(const struct model_file *files, size_t n)
{
	struct errors errs = ERRORS_INIT;
	struct buf b = BUF_INIT;
	struct model *m;
	size_t i;

	assert_int_equal(model_load_files(&m, files, n, &errs), -1);
	assert_null(m);
	for (i = 0; i < errs.n; i++)
		buf_printf(&b, "%s\n", errs.msg[i]);
	errors_clear(&errs);
	return buf_detach(&b);
}

static void
errors_are(const struct model_file *files, size_t n, const char *want)
{
	char *got;

	got = load_errors(files, n);
	assert_string_equal(got, want);
	free(got);
}

static void
test_example_merged(void **state)
{
	struct model_file f[] = { mf("hosts.yaml", hosts_yaml),
	    mf("policies.yaml", policies_yaml),
	    mf("windows.yaml", windows_yaml) };
	struct model *m = load_ok(f, 3);
	const struct model_host *h;

	assert_int_equal(m->nhosts, 3);
	assert_int_equal(m->npolicies, 2);
	assert_int_equal(m->nwindows, 2);
	assert_string_equal(m->hosts[0].name, "node1.contoso.test");
	assert_string_equal(m->policies[1].target, "gateways");
	assert_int_equal(m->policies[1].origin.kind, ORIGIN_POLICY);
	assert_string_equal(m->policies[1].origin.node->file, "policies.yaml");
	assert_int_equal(m->policies[1].origin.node->line, 4);
	/* Groups: every one named, once, sorted. */
	assert_int_equal(m->ngroups, 2);
	assert_string_equal(m->groups[0], "gateways");
	assert_string_equal(m->groups[1], "hci-nodes");
	/* Connection: defaults; address defaults to the name. */
	h = model_host_find(m, "node1.contoso.test");
	assert_non_null(h);
	assert_string_equal(h->conn.address, "node1.contoso.test");
	assert_int_equal(h->conn.port, 5986);
	assert_int_equal(h->conn.auth, WSMAN_AUTH_BASIC);
	assert_string_equal(wsman_auth_name(h->conn.auth), "basic");
	assert_string_equal(h->conn.username, "CONTOSO\\svc-enforcer");
	assert_string_equal(h->conn.password_env, "ENFORCER_PASSWORD");
	assert_null(h->conn.password_file);
	assert_string_equal(h->conn.ca_file, "/etc/enforcer/contoso-root.pem");
	assert_int_equal(h->conn.tls_verify, 1);
	assert_int_equal(h->conn.timeout, 30);
	h = model_host_find(m, "node2.contoso.test");
	assert_string_equal(h->conn.address, "127.0.10.2");
	assert_int_equal(h->ngroups, 1);
	assert_string_equal(h->groups[0], "hci-nodes");
	assert_null(model_host_find(m, "node3.contoso.test"));
	/* Settings: the defaults. */
	assert_int_equal(m->settings.max_window, 8 * 3600);
	assert_int_equal(m->settings.failsafe_grace, 15 * 60);
	assert_int_equal(m->settings.failsafe_lease, 30 * 60);
	model_free(m);
	model_free(NULL);
}

static void
test_windows_sorted(void **state)
{
	struct model_file f[] = { mf("hosts.yaml", hosts_yaml),
	    mf("windows.yaml", windows_yaml) };
	struct model *m = load_ok(f, 2);
	const struct model_window *w;

	/* By start: the later-defined, earlier-starting window first. */
	w = &m->windows[0];
	assert_string_equal(w->name, "an-earlier-one");
	assert_int_equal(w->start, 1795597200 - 86400 - 3600);
	assert_int_equal(w->end, w->start + 5400);
	assert_string_equal(w->end_node->value, "1h30m");
	w = &m->windows[1];
	assert_string_equal(w->name, "create-cluster");
	assert_int_equal(w->start, 1795597200);
	assert_int_equal(w->end, 1795604400);
	assert_string_equal(w->reason, "Create cluster wizard (CHG-1234)");
	assert_int_equal(w->nrules, 1);
	assert_string_equal(w->rules[0].target, "hci-nodes");
	/* Rules point at their window once it has its final place. */
	assert_ptr_equal(w->rules[0].origin.window, w);
	assert_int_equal(w->rules[0].origin.kind, ORIGIN_WINDOW);
	assert_string_equal(w->rules[0].origin.name, "create-cluster");
	assert_true(model_window_active(w, 1795597200));
	assert_true(model_window_active(w, 1795604399));
	assert_false(model_window_active(w, 1795604400));
	assert_false(model_window_active(w, 1795597199));
	model_free(m);
}

static void
test_connection_overrides(void **state)
{
	struct model_file f[] = { mf("c.yaml",
	    "connection: { auth: ntlm, username: u, password_env: P, "
	    "timeout: 1m }\n"
	    "settings: { max_window: 1d }\n"
	    "hosts:\n"
	    "  a: { port: 15986, tls_verify: false }\n"
	    "  b: { password_file: /etc/b.secret }\n"
	    "  c: { auth: certificate, cert_file: c.pem, key_file: c.key }\n"
	    "  d:\n") };
	struct model *m = load_ok(f, 1);
	const struct model_host *h;

	h = model_host_find(m, "a");
	assert_int_equal(h->conn.port, 15986);
	assert_int_equal(h->conn.tls_verify, 0);
	assert_int_equal(h->conn.auth, WSMAN_AUTH_NTLM);
	assert_int_equal(h->conn.timeout, 60);
	/* A host's secret source replaces the default one. */
	h = model_host_find(m, "b");
	assert_string_equal(h->conn.password_file, "/etc/b.secret");
	assert_null(h->conn.password_env);
	h = model_host_find(m, "c");
	assert_int_equal(h->conn.auth, WSMAN_AUTH_CERTIFICATE);
	assert_string_equal(h->conn.cert_file, "c.pem");
	/* A host with no value at all inherits everything. */
	h = model_host_find(m, "d");
	assert_int_equal(h->ngroups, 0);
	assert_int_equal(h->conn.port, 5986);
	assert_string_equal(h->conn.password_env, "P");
	assert_int_equal(m->settings.max_window, 86400);
	model_free(m);
}

static void
test_no_connection_section(void **state)
{
	struct model_file f[] = { mf("h.yaml", "hosts: { a: {} }\n") };
	struct model *m = load_ok(f, 1);

	/* Negotiate needs nothing (a Kerberos ticket will do). */
	assert_int_equal(m->hosts[0].conn.auth, WSMAN_AUTH_NEGOTIATE);
	assert_null(m->hosts[0].conn.username);
	model_free(m);
}

static void
test_errors_from_every_file(void **state)
{
	struct model_file f[] = {
		mf("a.yaml", "hosts:\n  a: { port: '1' }\n"),
		mf("b.yaml", "hosts:\n  b: {\n"),
		mf("c.yaml", "policies:\n  all: { credsp: {} }\n"),
	};

	errors_are(f, 3,
	    "b.yaml:3:1: YAML syntax error: did not find expected node "
	    "content while parsing a flow node\n"
	    "a.yaml:2:14: 'port' must be an integer, not a string\n"
	    "c.yaml:2:10: unknown key 'credsp' (did you mean 'credssp'?)\n");
}

static void
test_semantics_wait_for_structure(void **state)
{
	/*
	 * "nowhere" is an unknown target, but the file's structure is wrong
	 * too: only the structural error is reported, as the merged model it
	 * would be checked against does not exist.
	 */
	struct model_file f[] = { mf("a.yaml",
	    "policies:\n  nowhere: { credssp: { server: on } }\n") };

	errors_are(f, 1, "a.yaml:2:33: 'server' must be one of enabled, "
	    "disabled (found 'on')\n");
}

static void
test_duplicates_across_files(void **state)
{
	struct model_file f[] = {
		mf("a.yaml", "hosts: { h: {} }\nconnection: { port: 1 }\n"
		    "windows:\n  w: { start: 2026-11-25T09:00:00Z, "
		    "duration: 1h, reason: r, apply: { all: { credssp: "
		    "{ server: enabled } } } }\n"),
		mf("b.yaml", "hosts: { h: {} }\nconnection: { port: 2 }\n"
		    "windows:\n  w: { start: 2026-11-25T09:00:00Z, "
		    "duration: 1h, reason: r, apply: { all: { credssp: "
		    "{ server: enabled } } } }\n"),
	};

	errors_are(f, 2,
	    "b.yaml:2:15: duplicate connection key 'port' (first at "
	    "a.yaml:2:15)\n"
	    "b.yaml:4:3: duplicate window 'w' (first at a.yaml:4:3)\n"
	    "b.yaml:1:10: duplicate host 'h' (first at a.yaml:1:10)\n");
}

static void
test_window_times(void **state)
{
	struct model_file f[] = { mf("w.yaml",
	    "hosts: { h: {} }\n"
	    "settings: { max_window: 2h }\n"
	    "windows:\n"
	    "  ok: { start: 2026-11-25T09:00:00Z, duration: 2h, reason: r, "
	    "apply: { h: { credssp: { server: enabled } } } }\n"
	    "  long: { start: 2026-11-25T09:00:00Z, end: 2026-11-25T11:00:01Z, "
	    "reason: r, apply: { h: { credssp: { server: enabled } } } }\n"
	    "  back: { start: 2026-11-25T09:00:00Z, end: 2026-11-25T08:00:00Z, "
	    "reason: r, apply: { h: { credssp: { server: enabled } } } }\n"
	    "  zero: { start: 2026-11-25T09:00:00Z, duration: 0s, "
	    "reason: r, apply: { h: { credssp: { server: enabled } } } }\n"
	    "  bad: { start: 2026-11-31T09:00:00Z, duration: 1h, "
	    "reason: r, apply: { h: { credssp: { server: enabled } } } }\n") };

	errors_are(f, 1,
	    "w.yaml:5:45: window 'long' lasts 2h1s, longer than max_window "
	    "2h\n"
	    "w.yaml:6:45: window 'back' ends before it starts\n"
	    "w.yaml:7:50: window 'zero' ends when it starts\n"
	    "w.yaml:8:17: 'start' is not an RFC 3339 timestamp "
	    "('2026-11-31T09:00:00Z')\n");
}

/* Basic with a domain account loads, with a warning where it is set. */
static void
test_basic_domain_warning(void **state)
{
	struct model_file f[] = { mf("b.yaml",
	    "connection: { auth: basic, username: 'CONTOSO\\svc', "
	    "password_env: P }\n"
	    "hosts:\n  a.contoso.test: {}\n"
	    "  b.contoso.test: { username: admin }\n"
	    "  c.contoso.test: { username: svc@contoso.test }\n"
	    "  d.contoso.test: { auth: ntlm }\n") };
	struct model *m;

	m = load_ok(f, 1);
	assert_int_equal(m->warnings.n, 2);
	assert_string_equal(m->warnings.msg[0], "b.yaml:5:3: warning: host "
	    "'c.contoso.test': auth 'basic' with domain account "
	    "'svc@contoso.test': Windows accepts Basic only for local accounts "
	    "(use ntlm or kerberos)");
	assert_string_equal(m->warnings.msg[1], "b.yaml:1:1: warning: "
	    "'connection': auth 'basic' with domain account 'CONTOSO\\svc': "
	    "Windows accepts Basic only for local accounts (use ntlm or "
	    "kerberos)");
	model_free(m);
}

/* transport: http; "scheme", its former name, still reads; not both. */
static void
test_transport(void **state)
{
	struct model_file f[] = { mf("t.yaml",
	    "connection: { transport: http, port: 5985, auth: ntlm, "
	    "username: u, password_env: P }\n"
	    "hosts:\n  a.contoso.test: {}\n"
	    "  b.contoso.test: { scheme: https, port: 5986 }\n") };
	struct model_file both[] = { mf("b.yaml",
	    "connection: { transport: http, scheme: http, auth: ntlm, "
	    "username: u, password_env: P }\n"
	    "hosts:\n  a.contoso.test: {}\n") };
	struct model *m;
	char *e;

	m = load_ok(f, 1);
	assert_int_equal(m->nhosts, 2);
	assert_string_equal(m->hosts[0].name, "a.contoso.test");
	assert_int_equal(m->hosts[0].conn.http, 1);
	assert_int_equal(m->hosts[1].conn.http, 0);
	model_free(m);
	e = load_errors(both, 1);
	assert_string_equal(e, "b.yaml:1:32: 'scheme' and 'transport' are "
	    "one setting ('scheme' is its former name): keep 'transport'\n");
	free(e);
}

static void
test_secret_never_echoed(void **state)
{
	static const char secret[] = "Pa55-w0rd-9f1c";
	struct model_file f[] = { mf("s.yaml",
	    "connection:\n  auth: credssp\n  password: Pa55-w0rd-9f1c\n"
	    "policies:\n  all:\n    local_group:\n      Administrators: "
	    "{ members: [a], password: Pa55-w0rd-9f1c, exclusve: true }\n") };
	char *got;

	got = load_errors(f, 1);
	assert_null(strstr(got, secret));
	assert_string_equal(got,
	    "s.yaml:3:3: 'password': secrets do not belong in YAML (use "
	    "password_env or password_file)\n"
	    "s.yaml:7:39: 'password': secrets do not belong in YAML (use "
	    "password_env or password_file)\n"
	    "s.yaml:2:9: 'auth' must be one of basic, ntlm, negotiate, "
	    "kerberos, certificate (found 'credssp')\n"
	    "s.yaml:7:65: unknown key 'exclusve' (did you mean "
	    "'exclusive'?)\n");
	free(got);
}

static void
test_auth_needs(void **state)
{
	struct model_file f[] = { mf("a.yaml",
	    "connection: { auth: basic, username: u }\n"
	    "hosts:\n"
	    "  a: {}\n"
	    "  a2: {}\n"
	    "  b: { auth: certificate, key_file: k }\n"
	    "  c: { password_env: P }\n") };
	struct model_file g[] = { mf("g.yaml",
	    "hosts:\n"
	    "  d: { password_env: P }\n"
	    "  e: { auth: ntlm, username: u, password_env: P, "
	    "password_file: F }\n") };

	/* a and a2 share the defaults: one message about them. */
	errors_are(f, 1,
	    "a.yaml:5:3: host 'b': auth 'certificate' needs 'cert_file' and "
	    "'key_file'\n"
	    "a.yaml:1:1: 'connection': auth 'basic' needs 'password_env', "
	    "'password_file' or 'password_credential'\n");
	/* Negotiate with a password needs the user it belongs to. */
	errors_are(g, 1,
	    "g.yaml:2:3: host 'd': auth 'negotiate' needs 'username'\n"
	    "g.yaml:3:3: host 'e': set only one of 'password_env', "
	    "'password_file' and 'password_credential'\n");
}

static void
test_targets(void **state)
{
	struct model_file f[] = { mf("t.yaml",
	    "hosts:\n"
	    "  node1: { groups: [hci-nodes] }\n"
	    "  node2: { groups: [gateways] }\n"
	    "policies:\n"
	    "  all: { credssp: { server: disabled } }\n"
	    "  node1: { service: { WinRM: running } }\n"
	    "  hci-nodes: { service: { WinRM: running } }\n"
	    "  HCI-nodes: { service: { WinRM: running } }\n"
	    "  node3: { service: { WinRM: running } }\n"
	    "  nothing-like-it: { service: { WinRM: running } }\n") };

	errors_are(f, 1,
	    "t.yaml:8:3: policy target 'HCI-nodes' is not a host, a group or "
	    "'all' (did you mean 'hci-nodes'?)\n"
	    "t.yaml:9:3: policy target 'node3' is not a host, a group or "
	    "'all' (did you mean 'node1'?)\n"
	    "t.yaml:10:3: policy target 'nothing-like-it' is not a host, a "
	    "group or 'all'\n");
}

static void
test_targets_without_groups(void **state)
{
	/* No host names a group: the group list is empty, not missing. */
	struct model_file f[] = { mf("t.yaml",
	    "hosts: { node1: {} }\n"
	    "policies:\n"
	    "  node2: { service: { WinRM: running } }\n") };

	errors_are(f, 1,
	    "t.yaml:3:3: policy target 'node2' is not a host, a group or "
	    "'all' (did you mean 'node1'?)\n");
}

static void
test_load_directory(void **state)
{
	struct errors errs = ERRORS_INIT;
	struct model *m;

	/* tests/run.sh runs every test from the top of the tree. */
	assert_int_equal(model_load(&m, "tests/data/good/split", &errs), 0);
	assert_int_equal(errs.n, 0);
	/* hosts.yaml, more/policies.yaml, more/secrets.yaml, policies.yaml;
	   .editor-swap.yaml and README.txt are not read. */
	assert_int_equal(m->ndocs, 4);
	assert_string_equal(m->docs[0]->file, "tests/data/good/split/hosts.yaml");
	assert_string_equal(m->docs[1]->file,
	    "tests/data/good/split/more/policies.yaml");
	assert_int_equal(m->npolicies, 3);
	assert_string_equal(m->hosts[0].conn.password_env,
	    "ENFORCER_PASSWORD");
	model_free(m);

	assert_int_equal(model_load(&m, "tests/data/nonexistent", &errs), -1);
	assert_null(m);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0],
	    "tests/data/nonexistent: No such file or directory");
	errors_clear(&errs);
	assert_int_equal(model_load(&m, "tests/data/bad/empty", &errs), -1);
	assert_string_equal(errs.msg[0],
	    "tests/data/bad/empty: no *.yaml or *.yml file in this directory");
	errors_clear(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_merged),
		cmocka_unit_test(test_windows_sorted),
		cmocka_unit_test(test_connection_overrides),
		cmocka_unit_test(test_no_connection_section),
		cmocka_unit_test(test_errors_from_every_file),
		cmocka_unit_test(test_semantics_wait_for_structure),
		cmocka_unit_test(test_duplicates_across_files),
		cmocka_unit_test(test_window_times),
		cmocka_unit_test(test_secret_never_echoed),
		cmocka_unit_test(test_basic_domain_warning),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_auth_needs),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_targets_without_groups),
		cmocka_unit_test(test_load_directory),
	};

	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
