/*
 * test_effective.c: the effective desired state of a host at an instant:
 * shorthands, defaults, per-leaf overlay, window order, origins; and the
 * conflicts the loader refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

#define T09	1795597200	/* 2026-11-25T09:00:00Z */
#define HOUR	3600

static struct model *
load(const char *text)
{
	struct model_file f = { "e.yaml", text, strlen(text) };
	struct errors errs = ERRORS_INIT;
	struct model *m;

	if (model_load_files(&m, &f, 1, &errs) != 0)
		fail_msg("refused: %s", errs.msg[0]);
	return m;
}

static char *
load_errors(const char *text)
{
	struct model_file f = { "e.yaml", text, strlen(text) };
	struct errors errs = ERRORS_INIT;
	struct buf b = BUF_INIT;
	struct model *m;
	size_t i;

	assert_int_equal(model_load_files(&m, &f, 1, &errs), -1);
	for (i = 0; i < errs.n; i++)
		buf_printf(&b, "%s\n", errs.msg[i]);
	errors_clear(&errs);
	return buf_detach(&b);
}

static void
errors_are(const char *text, const char *want)
{
	char *got = load_errors(text);

	assert_string_equal(got, want);
	free(got);
}

static struct node *
eff(const struct model *m, const char *host, time_t at)
{
	struct node *n;
	char *cause = NULL;

	if (model_effective(&n, m, model_host_find(m, host), at, &cause) != 0)
		fail_msg("%s", cause);
	return n;
}

/* The leaf at a dotted path, which must exist and carry an origin. */
static const struct node *
leaf(const struct node *n, const char *path)
{
	char *copy, *p, *key;

	copy = xstrdup(path);
	for (p = copy; n != NULL && (key = strsep(&p, ".")) != NULL; )
		n = node_get(n, key);
	if (n == NULL)
		fail_msg("no '%s'", path);
	free(copy);
	assert_non_null(n->origin);
	return n;
}

static const struct origin *
origin_of(const struct node *n)
{
	return n->origin;
}

static const char example[] =
    "hosts:\n"
    "  node1.contoso.test: { groups: [hci-nodes] }\n"
    "  node2.contoso.test: { groups: [hci-nodes], address: 127.0.10.2 }\n"
    "  wac01.contoso.test: { groups: [gateways] }\n"
    "policies:\n"
    "  hci-nodes:\n"
    "    credssp: { server: disabled }\n"
    "    wsman_listener: { https: { certificate: { min_days_left: 30, "
    "match_hostname: true } } }\n"
    "    service: { WinRM: running }\n"
    "  gateways:\n"
    "    credssp: { client: disabled }\n"
    "    local_group:\n"
    "      Gateway Administrators: { members: ['CONTOSO\\hci-admins'], "
    "exclusive: true }\n"
    "windows:\n"
    "  create-cluster:\n"
    "    start: 2026-11-25T09:00:00Z\n"
    "    end: 2026-11-25T11:00:00Z\n"
    "    reason: Create cluster wizard (CHG-1234)\n"
    "    apply:\n"
    "      hci-nodes: { credssp: { server: enabled } }\n"
    "      gateways: { credssp: { client: { enabled: true, delegate: "
    "['wsman/*.contoso.test'] } } }\n";

static void
test_window_inside_and_outside(void **state)
{
	struct model *m = load(example);
	const struct origin *o;
	const struct node *v;
	struct node *n;

	/* Inside: the window's value, and its origin says until when. */
	n = eff(m, "node1.contoso.test", T09 + HOUR);
	v = leaf(n, "credssp.server.enabled");
	assert_string_equal(v->value, "true");
	o = origin_of(v);
	assert_int_equal(o->kind, ORIGIN_WINDOW);
	assert_string_equal(o->name, "create-cluster");
	assert_string_equal(o->target, "hci-nodes");
	assert_non_null(o->window);
	assert_int_equal(o->window->end, T09 + 2 * HOUR);
	assert_int_equal(o->node->line, 20);
	/* Where the value itself was written. */
	assert_string_equal(v->file, "e.yaml");
	assert_int_equal(v->line, 20);
	node_free(n);

	/* At the start (inclusive) and at the end (exclusive). */
	n = eff(m, "node1.contoso.test", T09);
	assert_string_equal(leaf(n, "credssp.server.enabled")->value, "true");
	node_free(n);
	n = eff(m, "node1.contoso.test", T09 + 2 * HOUR);
	v = leaf(n, "credssp.server.enabled");
	assert_string_equal(v->value, "false");
	o = origin_of(v);
	assert_int_equal(o->kind, ORIGIN_POLICY);
	assert_string_equal(o->name, "hci-nodes");
	assert_null(o->window);
	node_free(n);
	n = eff(m, "node1.contoso.test", T09 - 1);
	assert_string_equal(leaf(n, "credssp.server.enabled")->value, "false");
	node_free(n);

	/* A key only the window sets exists only inside it. */
	n = eff(m, "wac01.contoso.test", T09 + HOUR);
	v = leaf(n, "credssp.client.delegate");
	assert_int_equal(v->kind, NODE_SEQ);
	assert_int_equal(v->nitems, 1);
	assert_string_equal(v->items[0]->value, "wsman/*.contoso.test");
	assert_ptr_equal(v->items[0]->origin, v->origin);
	node_free(n);
	n = eff(m, "wac01.contoso.test", T09 + 3 * HOUR);
	assert_null(node_getv(n, "credssp", "client", "delegate", NULL));
	node_free(n);
	model_free(m);
}

static void
test_base_ignores_windows(void **state)
{
	struct model *m = load(example);
	struct node *n;
	char *cause = NULL;

	assert_int_equal(model_effective_base(&n, m,
	    model_host_find(m, "node2.contoso.test"), &cause), 0);
	assert_string_equal(leaf(n, "credssp.server.enabled")->value, "false");
	node_free(n);
	assert_int_equal(model_effective(&n, m, NULL, T09, &cause), -1);
	assert_null(n);
	assert_string_equal(cause, "effective state: no host given");
	free(cause);
	model_free(m);
}

static void
test_shorthands_and_canonical(void **state)
{
	struct model *m = load(
	    "hosts: { h: {} }\n"
	    "policies:\n"
	    "  h:\n"
	    "    credssp: { server: enabled, client: disabled }\n"
	    "    service:\n"
	    "      WinRM: running\n"
	    "      Spooler: { state: stopped, start_mode: manual }\n"
	    "    wsman_listener: { https: { enabled: True, port: +05986 } }\n");
	struct node *n = eff(m, "h", T09);
	const struct node *v;

	/* One shape for consumers, whatever was written. */
	assert_string_equal(leaf(n, "credssp.server.enabled")->value, "true");
	assert_string_equal(leaf(n, "credssp.client.enabled")->value, "false");
	v = leaf(n, "service.WinRM.state");
	assert_string_equal(v->value, "running");
	assert_int_equal(v->line, 6);	/* where "running" was written */
	assert_int_equal(v->col, 14);
	assert_string_equal(leaf(n, "service.Spooler.start_mode")->value,
	    "manual");
	assert_string_equal(leaf(n, "wsman_listener.https.enabled")->value,
	    "true");
	assert_string_equal(leaf(n, "wsman_listener.https.port")->value,
	    "5986");
	node_free(n);
	model_free(m);
}

static void
test_defaults_filled(void **state)
{
	struct model *m = load(example);
	struct node *n = eff(m, "node1.contoso.test", T09 - 1);
	const struct node *v, *set;

	set = leaf(n, "wsman_listener.https.certificate.min_days_left");
	v = leaf(n, "wsman_listener.https.enabled");
	assert_string_equal(v->value, "true");
	assert_int_equal(v->line, 0);		/* made, not written */
	/* A default speaks for the rule that asked for its neighbours. */
	assert_ptr_equal(v->origin, set->origin);
	v = leaf(n, "wsman_listener.https.certificate.require_server_auth");
	assert_string_equal(v->value, "true");
	assert_ptr_equal(v->origin, set->origin);
	/* Written values are kept over defaults. */
	assert_string_equal(set->value, "30");
	assert_int_equal(set->line, 8);
	node_free(n);
	model_free(m);
}

static void
test_overlay_per_leaf(void **state)
{
	struct model *m = load(
	    "hosts: { h: { groups: [g] } }\n"
	    "policies:\n"
	    "  all:\n"
	    "    credssp: { server: disabled, encryption_oracle: mitigated }\n"
	    "  g:\n"
	    "    local_group: { Admins: { members: [a, b], exclusive: true } }\n"
	    "  h:\n"
	    "    trusted_hosts: { hosts: ['*.contoso.test'] }\n"
	    "windows:\n"
	    "  w:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    duration: 1h\n"
	    "    reason: r\n"
	    "    apply:\n"
	    "      g:\n"
	    "        credssp: { server: enabled }\n"
	    "        local_group: { Admins: { members: [c] } }\n");
	struct node *n = eff(m, "h", T09);
	const struct node *v;

	/* Maps merge deeply: the policy's other leaves stay. */
	v = leaf(n, "credssp.server.enabled");
	assert_string_equal(v->value, "true");
	assert_int_equal(origin_of(v)->kind, ORIGIN_WINDOW);
	v = leaf(n, "credssp.encryption_oracle");
	assert_string_equal(v->value, "mitigated");
	assert_string_equal(origin_of(v)->name, "all");
	/* Sequences replace: not [a, b, c]. */
	v = leaf(n, "local_group.Admins.members");
	assert_int_equal(v->nitems, 1);
	assert_string_equal(v->items[0]->value, "c");
	assert_int_equal(origin_of(v)->kind, ORIGIN_WINDOW);
	v = leaf(n, "local_group.Admins.exclusive");
	assert_string_equal(v->value, "true");
	assert_string_equal(origin_of(v)->name, "g");
	/* Rules for all, a group and the host name all apply. */
	v = leaf(n, "trusted_hosts.exclusive");
	assert_string_equal(v->value, "false");
	assert_string_equal(origin_of(v)->name, "h");
	node_free(n);
	model_free(m);
}

static const char overlapping[] =
    "hosts: { h: { groups: [g] } }\n"
    "policies:\n"
    "  g: { credssp: { server: disabled, client: disabled } }\n"
    "windows:\n"
    "  long:\n"
    "    start: 2026-11-25T08:00:00Z\n"
    "    duration: 6h\n"
    "    reason: r\n"
    "    apply: { g: { credssp: { server: enabled, client: enabled } } }\n"
    "  short:\n"
    "    start: 2026-11-25T10:00:00Z\n"
    "    duration: 1h\n"
    "    reason: r\n"
    "    apply: { h: { credssp: { server: disabled } } }\n"
    "  b-same-start:\n"
    "    start: 2026-11-25T12:00:00Z\n"
    "    duration: 1h\n"
    "    reason: r\n"
    "    apply: { h: { credssp: { encryption_oracle: mitigated } } }\n"
    "  a-same-start:\n"
    "    start: 2026-11-25T12:00:00Z\n"
    "    duration: 1h\n"
    "    reason: r\n"
    "    apply: { h: { credssp: { encryption_oracle: vulnerable } } }\n";

static const char *
value_at(const struct model *m, const char *path, time_t at,
    const char **who)
{
	static char buf[64];
	struct node *n = eff(m, "h", at);
	const struct node *v = leaf(n, path);

	snprintf(buf, sizeof(buf), "%s", v->value);
	*who = origin_of(v)->name;
	node_free(n);
	return buf;
}

static void
test_overlapping_windows(void **state)
{
	struct model *m = load(overlapping);
	const char *who;

	assert_string_equal(value_at(m, "credssp.server.enabled", T09, &who),
	    "true");
	assert_string_equal(who, "long");
	/* Both open: the one that starts later wins where they disagree... */
	assert_string_equal(value_at(m, "credssp.server.enabled",
	    T09 + 1.5 * HOUR, &who), "false");
	assert_string_equal(who, "short");
	/* ...and only there. */
	assert_string_equal(value_at(m, "credssp.client.enabled",
	    T09 + 1.5 * HOUR, &who), "true");
	assert_string_equal(who, "long");
	/* The later one ends: the earlier one's value is back. */
	assert_string_equal(value_at(m, "credssp.server.enabled",
	    T09 + 2 * HOUR, &who), "true");
	assert_string_equal(who, "long");
	/* Same start: by name, so b-same-start wins over a-same-start. */
	assert_string_equal(value_at(m, "credssp.encryption_oracle",
	    T09 + 3 * HOUR, &who), "mitigated");
	assert_string_equal(who, "b-same-start");
	/* All closed: the policy. */
	assert_string_equal(value_at(m, "credssp.server.enabled",
	    T09 + 6 * HOUR, &who), "false");
	assert_string_equal(who, "g");
	model_free(m);
}

/* Members of local_group.G.L in n, joined by ",", or "" when none. */
static char *
seq_at(const struct node *n, const char *g, const char *l)
{
	const struct node *s = node_getv(n, "local_group", g, l, NULL);
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; s != NULL && i < s->nitems; i++)
		buf_printf(&b, "%s%s", i > 0 ? "," : "", s->items[i]->value);
	return b.len > 0 ? buf_detach(&b) : xstrdup("");
}

static void
seq_is(const struct node *n, const char *g, const char *l, const char *want)
{
	char *got = seq_at(n, g, l);

	assert_string_equal(got, want);
	free(got);
}

/*
 * Grants end whatever the policy: once a window has ended, the members it
 * listed that nothing in effect lists are absent (to be removed); those a
 * policy or an open window lists are not, nor anyone the window did not
 * list.
 */
static void
test_grants_end(void **state)
{
	struct model *m = load("hosts: { gw: { groups: [gateways] }, "
	    "lone: {} }\n"
	    "policies:\n"
	    "  gateways: { local_group: { GA: { members: [a] }, "
	    "EX: { members: [a], exclusive: true } } }\n"
	    "windows:\n"
	    "  w1:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T10:00:00Z\n"
	    "    reason: one\n"
	    "    apply:\n"
	    "      gateways: { local_group: { GA: { members: [a, b, c] }, "
	    "EX: { members: [a, b], exclusive: true }, "
	    "RD: { members: [d] } } }\n"
	    "  w2:\n"
	    "    start: 2026-11-25T09:30:00Z\n"
	    "    end: 2026-11-25T11:00:00Z\n"
	    "    reason: two\n"
	    "    apply:\n"
	    "      gateways: { local_group: { GA: { members: [a, c] } } }\n"
	    "  w3:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T10:00:00Z\n"
	    "    reason: three\n"
	    "    apply:\n"
	    "      lone: { local_group: { GA: { members: [z] } } }\n");
	struct node *n;

	/* Open: the window's list, nothing absent. */
	n = eff(m, "gw", T09 + HOUR / 2);
	seq_is(n, "GA", "members", "a,c");
	seq_is(n, "GA", "absent", "");
	node_free(n);
	/* w1 ended, w2 open: b goes, c (w2) stays; a is the policy's. */
	n = eff(m, "gw", T09 + HOUR);
	seq_is(n, "GA", "members", "a,c");
	seq_is(n, "GA", "absent", "b");
	seq_is(n, "EX", "absent", "b");
	/* A group no policy manages: the window's members go all the same. */
	seq_is(n, "RD", "members", "");
	seq_is(n, "RD", "absent", "d");
	assert_null(node_getv(n, "local_group", "RD", "absent", NULL)->origin);
	node_free(n);
	/* Both ended: b and c go, never a. */
	n = eff(m, "gw", T09 + 3 * HOUR);
	seq_is(n, "GA", "members", "a");
	seq_is(n, "GA", "absent", "b,c");
	node_free(n);
	/* A host with no policy at all. */
	n = eff(m, "lone", T09 + 3 * HOUR);
	seq_is(n, "GA", "absent", "z");
	node_free(n);
	/* The base state knows no window, so no grant. */
	assert_int_equal(model_effective_base(&n, m, model_host_find(m, "gw"),
	    NULL), 0);
	assert_null(node_getv(n, "local_group", "GA", "absent", NULL));
	node_free(n);
	model_free(m);
}

static void
test_no_policy(void **state)
{
	struct model *m = load("hosts: { lonely: {}, other: {} }\n"
	    "policies: { other: { credssp: { server: enabled } } }\n");
	struct node *n;

	/* No rule targets it: an empty state, nothing to enforce. */
	n = eff(m, "lonely", T09);
	assert_int_equal(n->kind, NODE_MAP);
	assert_int_equal(n->npairs, 0);
	node_free(n);
	n = eff(m, "other", T09);
	assert_int_equal(n->npairs, 1);
	node_free(n);
	model_free(m);
}

static void
test_conflicts(void **state)
{
	/* Two policies disagree, for three hosts of a group: one message. */
	errors_are(
	    "hosts:\n"
	    "  a: { groups: [g] }\n"
	    "  b: { groups: [g] }\n"
	    "  c: { groups: [g] }\n"
	    "policies:\n"
	    "  g: { credssp: { server: disabled } }\n"
	    "  all: { credssp: { server: { enabled: true } } }\n",
	    "e.yaml:6:27: policies 'g' and 'all' set credssp.server.enabled "
	    "of host 'a' (and 2 other hosts) to different values: false "
	    "(here) and true (at e.yaml:7:40)\n");
	/* Sequences are compared whole. */
	errors_are(
	    "hosts: { a: { groups: [g] } }\n"
	    "policies:\n"
	    "  g: { local_group: { Admins: { members: [x, y] } } }\n"
	    "  a: { local_group: { Admins: { members: [y, x] } } }\n",
	    "e.yaml:3:42: policies 'g' and 'a' set "
	    "local_group.Admins.members of host 'a' to different values: "
	    "[x, y] (here) and [y, x] (at e.yaml:4:42)\n");
	/* Two targets of one window. */
	errors_are(
	    "hosts: { a: { groups: [g] } }\n"
	    "windows:\n"
	    "  w: { start: 2026-11-25T09:00:00Z, duration: 1h, reason: r,\n"
	    "       apply: { g: { service: { WinRM: running } },\n"
	    "                a: { service: { WinRM: stopped } } } }\n",
	    "e.yaml:4:40: window 'w': targets 'g' and 'a' set "
	    "service.WinRM.state of host 'a' to different values: running "
	    "(here) and stopped (at e.yaml:5:40)\n");
}

static void
test_agreement_is_not_conflict(void **state)
{
	struct model *m;

	/* Shorthand and long form, True and true: the same values. */
	m = load(
	    "hosts: { a: { groups: [g] } }\n"
	    "policies:\n"
	    "  g: { credssp: { server: disabled }, service: { W: running } }\n"
	    "  a: { credssp: { server: { enabled: FALSE } },\n"
	    "       service: { W: { state: running } } }\n"
	    "  all: { wsman_listener: { https: { enabled: True } } }\n"
	    "windows:\n"
	    "  w1: { start: 2026-11-25T09:00:00Z, duration: 1h, reason: r,\n"
	    "        apply: { a: { credssp: { server: enabled } } } }\n"
	    "  w2: { start: 2026-11-25T09:00:00Z, duration: 1h, reason: r,\n"
	    "        apply: { a: { credssp: { server: disabled } } } }\n");
	/* Different windows may disagree: their order decides. */
	assert_int_equal(m->nwindows, 2);
	model_free(m);
}

static void
test_host_match(void **state)
{
	struct model *m = load(example);
	const struct model_host *h = model_host_find(m, "node2.contoso.test");

	assert_true(model_host_match(h, "node2.contoso.test"));
	assert_true(model_host_match(h, "node*"));
	assert_true(model_host_match(h, "hci-*"));
	assert_true(model_host_match(h, "hci-nodes"));
	assert_false(model_host_match(h, "gateways"));
	assert_false(model_host_match(h, "node1*"));
	assert_true(model_rule_targets(&m->policies[0], h));
	assert_false(model_rule_targets(&m->policies[1], h));
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_inside_and_outside),
		cmocka_unit_test(test_base_ignores_windows),
		cmocka_unit_test(test_shorthands_and_canonical),
		cmocka_unit_test(test_defaults_filled),
		cmocka_unit_test(test_overlay_per_leaf),
		cmocka_unit_test(test_overlapping_windows),
		cmocka_unit_test(test_grants_end),
		cmocka_unit_test(test_no_policy),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_agreement_is_not_conflict),
		cmocka_unit_test(test_host_match),
	};

	return cmocka_run_group_tests_name("effective", tests, NULL, NULL);
}
