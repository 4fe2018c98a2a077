/*
 * test_revert.c: the glue between the engine and the history (record.c)
 * and the planning of a revert (revert.c), on temporary repositories and
 * hand-made engine runs: no host is contacted.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <git2.h>

#include "desired.h"
#include "record.h"
#include "revert.h"
#include "test_util.h"

/* A window from T0 to T0 + 2h; runs happen at T0 + 1h or T0 + 3h. */
#define T0	1795597200	/* 2026-11-25T09:00:00Z */
#define INSIDE	(T0 + 3600)
#define AFTER	(T0 + 3 * 3600)

static const char desired_yaml[] =
    "hosts:\n"
    "  n1.contoso.test: { groups: [nodes] }\n"
    "  n2.contoso.test: { groups: [gateways] }\n"
    "connection: { username: u, password_env: TEST_REVERT_PW }\n"
    "policies:\n"
    "  nodes:\n"
    "    credssp: { server: disabled }\n"
    "    service: { Spooler: running }\n"
    "  gateways:\n"
    "    credssp: { client: disabled }\n"
    "    local_group:\n"
    "      Admins: { members: ['CONTOSO\\a'], exclusive: true }\n"
    "windows:\n"
    "  maint:\n"
    "    start: 2026-11-25T09:00:00Z\n"
    "    duration: 2h\n"
    "    reason: test\n"
    "    apply:\n"
    "      nodes: { credssp: { server: enabled } }\n";

static char tmp[256];

static int
setup(void **state)
{
	test_sandbox(tmp, sizeof(tmp), "test_revert");
	return 0;
}

static int
teardown(void **state)
{
	test_sandbox_remove(tmp);
	return 0;
}

static struct model *
model(void)
{
	struct errors errs = ERRORS_INIT;
	struct model_file f = { "desired.yaml", desired_yaml,
	    sizeof(desired_yaml) - 1 };
	struct model *m;

	if (model_load_files(&m, &f, 1, &errs) == -1)
		fail_msg("%s", errs.msg[0]);
	return m;
}

static struct history *
open_history(void)
{
	struct history *h;
	char *dir, *cause = NULL;

	dir = xasprintf("%s/hist", tmp);
	if (history_open(&h, NULL, dir, &cause) == -1)
		fail_msg("%s", cause);
	free(dir);
	return h;
}

/* One change of a hand-made engine host. */
static void
add_change(struct engine_host *eh, const char *path, const char *before,
    const char *after, enum engine_class class, enum engine_result result)
{
	struct engine_change *ic;
	size_t i;

	changes_add(&eh->changes, "k", path, before, after, NULL);
	eh->info = xreallocarray(eh->info, eh->changes.n, sizeof(*eh->info));
	/* changes_add may have moved the changes: point at them again. */
	for (i = 0; i < eh->changes.n; i++)
		eh->info[i].change = &eh->changes.v[i];
	ic = &eh->info[eh->changes.n - 1];
	memset(ic, 0, sizeof(*ic));
	ic->change = &eh->changes.v[eh->changes.n - 1];
	ic->class = class;
	ic->reason = xstrdup("policy nodes");
	ic->result = result;
	if (class == ENGINE_WINDOW)
		ic->window = "maint";
}

static const struct node *
at(const struct node *n, const char *k1, const char *k2, const char *k3)
{
	n = node_get(n, k1);
	n = k2 != NULL ? node_get(n, k2) : n;
	return k3 != NULL ? node_get(n, k3) : n;
}

/*
 * An applied run at INSIDE: n1 had CredSSP on and the spooler stopped; the
 * run turned CredSSP off (verified), started the spooler (verified) and
 * found a GPO-owned setting (reported: not a change).  n2 failed.
 */
static void
make_run(struct engine_run *run, const struct model *m)
{
	struct engine_host *eh;

	memset(run, 0, sizeof(*run));
	strcpy(run->id, "20261125T100000Z-aaaaaa");
	run->at = INSIDE;
	run->started.tv_sec = INSIDE;
	run->finished.tv_sec = INSIDE + 2;
	run->nhosts = 2;
	run->hosts = xcalloc(2, sizeof(*run->hosts));
	eh = &run->hosts[0];
	eh->host = model_host_find(m, "n1.contoso.test");
	eh->observed = yaml("credssp: { server: { enabled: true } }\n"
	    "service: { Spooler: { state: stopped, start_mode: auto } }\n");
	eh->verified = yaml("credssp: { server: { enabled: false } }\n"
	    "service: { Spooler: { state: running, start_mode: auto } }\n");
	add_change(eh, "credssp.server.enabled", "true", "false",
	    ENGINE_EXPIRY, ENGINE_VERIFIED);
	add_change(eh, "service.Spooler.state", "stopped", "running",
	    ENGINE_CORRECTIVE, ENGINE_VERIFIED);
	add_change(eh, "trusted_hosts.hosts", "a", "a,b", ENGINE_INTENTIONAL,
	    ENGINE_REPORTED);
	eh = &run->hosts[1];
	eh->host = model_host_find(m, "n2.contoso.test");
	eh->error = xstrdup("n2.contoso.test: connect: connection refused");
}

static void
test_record_run(void **state)
{
	struct record_info ri = { .verb = "apply", .desired = "/srv/desired" };
	struct model *m = model();
	struct history *h = open_history();
	struct record_last *rl = NULL;
	struct node *last;
	struct engine_run run;
	struct history_log *log = NULL;
	const struct history_entry *e;
	char *cause = NULL;

	make_run(&run, m);
	if (record_run(h, &run, m, &ri, NULL, &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(history_show(&log, h, run.id, &cause), 0);
	e = &log->entries[0];
	assert_string_equal(e->run.verb, "apply");
	assert_string_equal(e->run.desired_path, "/srv/desired");
	/* The reported change was not made: not recorded as one. */
	assert_int_equal(e->run.nchanges, 2);
	assert_string_equal(e->run.changes[0].path, "credssp.server.enabled");
	assert_int_equal(e->run.changes[0].class, HISTORY_EXPIRY);
	assert_true(e->run.changes[0].verified);
	assert_int_equal(e->run.changes[1].class, HISTORY_CORRECTIVE);
	/* The window active at the run's instant targets n1. */
	assert_int_equal(e->run.nwindows, 1);
	assert_string_equal(e->run.windows[0], "maint");
	/* The cause once, without the host's name in front. */
	assert_string_equal(e->run.hosts[1].name, "n2.contoso.test");
	assert_string_equal(e->run.hosts[1].error,
	    "connect: connection refused");
	history_log_free(log);

	/* The engine reads back what was verified; unknown hosts: NULL. */
	assert_int_equal(record_last_load(&rl, h, m, NULL, NULL, NULL, &cause), 0);
	assert_int_equal(record_last_get(rl, "n1.contoso.test", &last,
	    &cause), 0);
	assert_string_equal(at(last, "service", "Spooler", "state")->value,
	    "running");
	node_free(last);
	assert_int_equal(record_last_get(rl, "n2.contoso.test", &last,
	    &cause), 0);
	assert_null(last);
	assert_int_equal(record_last_get(rl, "nobody.contoso.test", &last,
	    &cause), 0);
	assert_null(last);
	record_last_free(rl);
	/* Without a history, every last state is unknown. */
	assert_int_equal(record_last_load(&rl, NULL, m, "n1*", NULL, NULL, &cause), 0);
	assert_int_equal(record_last_get(rl, "n1.contoso.test", &last,
	    &cause), 0);
	assert_null(last);
	record_last_free(rl);

	engine_run_release(&run);
	history_free(h);
	model_free(m);
}

static void
test_secrets_registered(void **state)
{
	struct record_info ri = { .verb = "apply" };
	struct model *m = model();
	struct history *h = open_history();
	struct engine_run run;
	struct history_log *log = NULL;
	char *cause = NULL;

	struct desired_src src = {
		.repo = "https://bot:T0ken-in-url@git.test/d" };

	setenv("TEST_REVERT_PW", "Sekr1t-in-env", 1);
	record_add_secrets(h, m);
	desired_add_secrets(h, &src);
	make_run(&run, m);
	free(run.hosts[1].error);
	run.hosts[1].error = xstrdup("n2.contoso.test: login 'Sekr1t-in-env' "
	    "refused, token T0ken-in-url");
	assert_int_equal(record_run(h, &run, m, &ri, NULL, &cause), 0);
	assert_int_equal(history_show(&log, h, run.id, &cause), 0);
	assert_string_equal(log->entries[0].run.hosts[1].error,
	    "login '[redacted]' refused, token [redacted]");
	history_log_free(log);
	engine_run_release(&run);
	history_free(h);
	model_free(m);
	unsetenv("TEST_REVERT_PW");
}

/*
 * A recorded run to revert: n1 as in make_run(); n2 (a gateway) had
 * CONTOSO\mallory removed from Admins and delegation entries changed.
 */
static void
record_target(struct history *h, const struct model *m)
{
	struct record_info ri = { .verb = "apply" };
	struct engine_run run;
	struct engine_host *eh;
	char *cause = NULL;

	make_run(&run, m);
	eh = &run.hosts[1];
	free(eh->error);
	eh->error = NULL;
	eh->observed = yaml("local_group: { Admins: { members: ['CONTOSO\\a', "
	    "'CONTOSO\\mallory'] } }\ncredssp: { client: { enabled: false, "
	    "delegate: [TERMSRV/x, wsman/old] } }\n");
	eh->verified = yaml("local_group: { Admins: { members: ['CONTOSO\\a'] "
	    "} }\ncredssp: { client: { enabled: false, delegate: [TERMSRV/x] "
	    "} }\n");
	add_change(eh, "local_group.Admins.members", "CONTOSO\\mallory", NULL,
	    ENGINE_CORRECTIVE, ENGINE_VERIFIED);
	add_change(eh, "credssp.client.delegate", "TERMSRV/x, wsman/old",
	    "TERMSRV/x", ENGINE_CORRECTIVE, ENGINE_VERIFIED);
	if (record_run(h, &run, m, &ri, NULL, &cause) == -1)
		fail_msg("%s", cause);
	engine_run_release(&run);
}

static int
has_line(const struct errors *e, const char *needle)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strstr(e->msg[i], needle) != NULL)
			return 1;
	return 0;
}

static void
test_plan_outside_window(void **state)
{
	struct model *m = model();
	struct history *h = open_history();
	struct revert_plan p;
	const struct revert_host *n1, *n2;
	const struct node *g, *client;
	char *cause = NULL;

	record_target(h, m);
	if (revert_plan(&p, h, m, "20261125T100000Z-aaaaaa", AFTER,
	    &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(p.nhosts, 2);
	n1 = &p.hosts[0];
	assert_string_equal(n1->host->name, "n1.contoso.test");
	/* CredSSP is not turned back on: only the spooler goes back. */
	assert_int_equal(n1->npaths, 1);
	assert_string_equal(n1->paths[0], "service.Spooler.state");
	assert_string_equal(at(n1->desired, "service", "Spooler", "state")->value,
	    "stopped");
	assert_true(has_line(&p.refused, "n1.contoso.test: "
	    "credssp.server.enabled: not reverted to 'true': revert never "
	    "turns CredSSP back on outside a window"));
	assert_true(has_line(&p.refused, "enforcer window open NAME --for 1h "
	    "--hosts n1.contoso.test --set credssp.server=enabled"));
	assert_true(has_line(&p.notes, "n1.contoso.test: service.Spooler.state:"
	    " the desired state asks for 'running' (policy nodes)"));
	/* A delta, not the whole list (issue 14: lists used to come back
	   whole, exclusive): mallory, whom the run removed, comes back and
	   nobody else is touched; the delegation list follows the client's
	   enabled flag of before (off, and the run added nothing: no list). */
	n2 = &p.hosts[1];
	assert_int_equal(n2->npaths, 2);
	g = at(n2->desired, "local_group", "Admins", NULL);
	assert_string_equal(node_get_str(g, "exclusive"), "false");
	assert_int_equal(node_get(g, "members")->nitems, 1);
	assert_string_equal(node_get(g, "members")->items[0]->value,
	    "CONTOSO\\mallory");
	assert_int_equal(node_get(g, "absent")->nitems, 0);
	client = at(n2->desired, "credssp", "client", NULL);
	assert_string_equal(node_get_str(client, "enabled"), "false");
	assert_null(node_get(client, "delegate"));
	/* The engine's targets mirror the hosts. */
	assert_ptr_equal(p.targets[1].desired, n2->desired);
	assert_int_equal(p.targets[1].npaths, 2);
	revert_plan_release(&p);
	history_free(h);
	model_free(m);
}

static void
test_plan_inside_window(void **state)
{
	struct model *m = model();
	struct history *h = open_history();
	struct revert_plan p;
	char *cause = NULL;

	record_target(h, m);
	assert_int_equal(revert_plan(&p, h, m, "20261125T100000Z-aaaaaa",
	    INSIDE, &cause), 0);
	/* Window maint targets n1's CredSSP: it may come back on. */
	assert_int_equal(p.hosts[0].npaths, 2);
	assert_string_equal(at(p.hosts[0].desired, "credssp", "server",
	    "enabled")->value, "true");
	assert_false(has_line(&p.refused, "credssp.server.enabled"));
	revert_plan_release(&p);
	history_free(h);
	model_free(m);
}

/* Delegation entries of an enabled client are not added back. */
static void
test_plan_delegation(void **state)
{
	struct record_info ri = { .verb = "apply" };
	struct model *m = model();
	struct history *h = open_history();
	struct engine_run run;
	struct revert_plan p;
	char *cause = NULL;

	make_run(&run, m);
	free(run.hosts[1].error);
	run.hosts[1].error = NULL;
	run.hosts[1].observed = yaml("credssp: { client: { enabled: true, "
	    "delegate: [wsman/a, wsman/b] } }\n");
	run.hosts[1].verified = yaml("credssp: { client: { enabled: true, "
	    "delegate: [wsman/a] } }\n");
	add_change(&run.hosts[1], "credssp.client.delegate", "wsman/a, wsman/b",
	    "wsman/a", ENGINE_INTENTIONAL, ENGINE_VERIFIED);
	assert_int_equal(record_run(h, &run, m, &ri, NULL, &cause), 0);
	engine_run_release(&run);
	assert_int_equal(revert_plan(&p, h, m, "20261125T100000Z-aaaaaa",
	    INSIDE, &cause), 0);
	/* Window maint opens n1's CredSSP, not n2's. */
	assert_true(has_line(&p.refused, "n2.contoso.test: "
	    "credssp.client.delegate: not reverted to [wsman/a, wsman/b]: "
	    "revert never turns CredSSP back on outside a window"));
	assert_true(has_line(&p.refused, "--set credssp.client=enabled"));
	assert_int_equal(p.nhosts, 1);
	revert_plan_release(&p);
	history_free(h);
	model_free(m);
}

static void
test_plan_refusals(void **state)
{
	static const char other_yaml[] = "hosts:\n  n2.contoso.test:\n";
	struct errors errs = ERRORS_INIT;
	struct model_file f = { "other.yaml", other_yaml,
	    sizeof(other_yaml) - 1 };
	struct model *m = model(), *m2;
	struct history *h = open_history();
	struct revert_plan p;
	char *cause = NULL;

	record_target(h, m);
	assert_int_equal(revert_plan(&p, h, m, "20991231T000000Z-000000",
	    AFTER, &cause), -1);
	assert_non_null(strstr(cause, "no run '20991231T000000Z-000000'"));
	free(cause);
	cause = NULL;
	/* n1 left the desired state: it cannot be reached. */
	assert_int_equal(model_load_files(&m2, &f, 1, &errs), 0);
	assert_int_equal(revert_plan(&p, h, m2, "20261125T100000Z-aaaaaa",
	    AFTER, &cause), 0);
	assert_true(has_line(&p.refused, "n1.contoso.test: not in the desired "
	    "state any more"));
	assert_int_equal(p.nhosts, 1);
	revert_plan_release(&p);
	model_free(m2);
	history_free(h);
	model_free(m);
}

/* After the run: values compared case aside, lists as sets. */
static void
test_check_and_relabel(void **state)
{
	struct model *m = model();
	struct history *h = open_history();
	struct revert_plan p;
	struct engine_run run;
	char *cause = NULL;

	record_target(h, m);
	assert_int_equal(revert_plan(&p, h, m, "20261125T100000Z-aaaaaa",
	    AFTER, &cause), 0);
	memset(&run, 0, sizeof(run));
	run.nhosts = 2;
	run.hosts = xcalloc(2, sizeof(*run.hosts));
	run.hosts[0].host = p.hosts[0].host;
	run.hosts[0].verified = yaml("service: { Spooler: { state: Stopped } }");
	add_change(&run.hosts[0], "service.Spooler.state", "running",
	    "stopped", ENGINE_CORRECTIVE, ENGINE_VERIFIED);
	run.hosts[1].host = p.hosts[1].host;
	run.hosts[1].observed = yaml("local_group: { Admins: { members: "
	    "['contoso\\mallory', 'CONTOSO\\a'] } }\ncredssp: { client: { "
	    "enabled: false, delegate: [TERMSRV/x] } }\n");
	revert_relabel(&p, &run);
	assert_int_equal(run.hosts[0].info[0].class, ENGINE_INTENTIONAL);
	assert_string_equal(run.hosts[0].info[0].reason,
	    "revert of run 20261125T100000Z-aaaaaa");
	revert_check(&p, &run);
	/* Only the delegation list differs: wsman/old is not back. */
	assert_false(has_line(&p.refused, "Spooler"));
	assert_false(has_line(&p.refused, "local_group"));
	assert_true(has_line(&p.refused, "n2.contoso.test: "
	    "credssp.client.delegate: not restored: it is [TERMSRV/x], it was "
	    "[TERMSRV/x, wsman/old] before run 20261125T100000Z-aaaaaa"));
	engine_run_release(&run);
	revert_plan_release(&p);
	history_free(h);
	model_free(m);
}

/*
 * A run that added hci-admins to Admins and b to TrustedHosts, reverted
 * after a later run added bob and c: only hci-admins and b go.
 */
static void
test_plan_delta(void **state)
{
	struct record_info ri = { .verb = "apply" };
	struct model *m = model();
	struct history *h = open_history();
	struct engine_run run;
	struct revert_plan p;
	const struct node *g, *th;
	char *cause = NULL;

	make_run(&run, m);
	free(run.hosts[1].error);
	run.hosts[1].error = NULL;
	run.hosts[1].observed = yaml("local_group: { Admins: { members: "
	    "['CONTOSO\\a'] } }\ntrusted_hosts: { hosts: [a] }\n");
	run.hosts[1].verified = yaml("local_group: { Admins: { members: "
	    "['CONTOSO\\a', 'CONTOSO\\hci-admins'] } }\ntrusted_hosts: { "
	    "hosts: [a, b] }\n");
	add_change(&run.hosts[1], "local_group.Admins.members", NULL,
	    "CONTOSO\\hci-admins", ENGINE_INTENTIONAL, ENGINE_VERIFIED);
	add_change(&run.hosts[1], "trusted_hosts.hosts", "a", "a,b",
	    ENGINE_INTENTIONAL, ENGINE_VERIFIED);
	assert_int_equal(record_run(h, &run, m, &ri, NULL, &cause), 0);
	engine_run_release(&run);
	assert_int_equal(revert_plan(&p, h, m, "20261125T100000Z-aaaaaa",
	    AFTER, &cause), 0);
	assert_int_equal(p.nhosts, 2);
	g = at(p.hosts[1].desired, "local_group", "Admins", NULL);
	assert_string_equal(node_get_str(g, "exclusive"), "false");
	assert_int_equal(node_get(g, "members")->nitems, 0);
	assert_int_equal(node_get(g, "absent")->nitems, 1);
	assert_string_equal(node_get(g, "absent")->items[0]->value,
	    "CONTOSO\\hci-admins");
	th = at(p.hosts[1].desired, "trusted_hosts", NULL, NULL);
	assert_string_equal(node_get_str(th, "exclusive"), "false");
	assert_int_equal(node_get(th, "hosts")->nitems, 0);
	assert_string_equal(node_get(th, "absent")->items[0]->value, "b");

	/* Read back: bob and c, added later, are no failure of the revert. */
	memset(&run, 0, sizeof(run));
	run.nhosts = 2;
	run.hosts = xcalloc(2, sizeof(*run.hosts));
	run.hosts[0].host = p.hosts[0].host;
	run.hosts[1].host = p.hosts[1].host;
	run.hosts[1].verified = yaml("local_group: { Admins: { members: "
	    "['CONTOSO\\a', 'CONTOSO\\bob'] } }\ntrusted_hosts: { hosts: "
	    "[a, c] }\n");
	revert_check(&p, &run);
	assert_false(has_line(&p.refused, "local_group"));
	assert_false(has_line(&p.refused, "trusted_hosts"));
	/* An item the run added, still there, is not restored. */
	node_free(run.hosts[1].verified);
	run.hosts[1].verified = yaml("local_group: { Admins: { members: "
	    "['CONTOSO\\a', 'contoso\\HCI-admins'] } }\ntrusted_hosts: { "
	    "hosts: [a] }\n");
	revert_check(&p, &run);
	assert_true(has_line(&p.refused, "n2.contoso.test: "
	    "local_group.Admins.members: not restored"));
	assert_false(has_line(&p.refused, "trusted_hosts"));
	engine_run_release(&run);
	revert_plan_release(&p);
	history_free(h);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_run, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_secrets_registered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plan_outside_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plan_inside_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plan_delta, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plan_delegation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plan_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_and_relabel, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
