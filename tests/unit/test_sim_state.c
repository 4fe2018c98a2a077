/*
 * test_sim_state.c: the simulator's ground truth (state.c): Windows
 * defaults, the registry, accounts, the dump's keys and order, sim_set
 * and its errors, the clock and due tasks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_sim.h"

static void
test_defaults(void **state)
{
	struct sim_host *h = host_new();
	struct sim_listener *l;

	assert_false(h->winrm.svc_basic.value);
	assert_true(h->winrm.svc_kerberos.value);
	assert_false(h->winrm.svc_credssp.value);
	assert_true(h->winrm.cli_basic.value);
	assert_string_equal(h->winrm.cbt_hardening, "Relaxed");
	assert_int_equal(h->winrm.max_envelope_kb, 500);
	assert_string_equal(sim_service(h, "winrm")->state, "Running");
	assert_string_equal(sim_service(h, "Schedule")->start_mode, "Auto");
	assert_int_not_equal(sim_service(h, "WinRM")->pid, 0);
	l = sim_listener(h, "https", "*", 0);
	assert_non_null(l);
	assert_int_equal(l->port, 5986);
	assert_string_equal(l->hostname, "node1.contoso.test");
	assert_non_null(sim_listener(h, "HTTP", "*", 0));
	assert_int_equal(sim_group_find_member(sim_group(h, "administrators"),
	    "ADMINISTRATOR"), 0);
	assert_non_null(sim_group(h, "Remote Management Users"));
	assert_non_null(sim_reg_key(h, "SOFTWARE\\Policies\\Microsoft\\Windows",
	    0));
	host_free(h);
}

static void
test_registry(void **state)
{
	struct sim_host *h = host_new();
	struct sim_reg_key *k;
	char **names;
	size_t n;

	k = sim_reg_key(h, "HKLM\\Software\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation\\AllowFreshCredentials\\", 1);
	assert_non_null(k);
	assert_string_equal(k->path, "Software\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation\\AllowFreshCredentials");
	/* Case-insensitive; the parent exists; prefixes are accepted. */
	assert_ptr_equal(sim_reg_key(h, "HKEY_LOCAL_MACHINE\\SOFTWARE\\"
	    "POLICIES\\MICROSOFT\\WINDOWS\\CREDENTIALSDELEGATION\\"
	    "allowfreshcredentials", 0), k);
	assert_non_null(sim_reg_key(h, "SOFTWARE\\Policies\\Microsoft\\"
	    "Windows\\CredentialsDelegation", 0));
	sim_reg_set_sz(k, "1", SIM_REG_SZ, "wsman/*.contoso.test");
	sim_reg_set_num(k, "n", SIM_REG_DWORD, 0x1ffffffffULL);
	assert_int_equal(sim_reg_value(k, "N", 0)->num, 0xffffffffU);
	assert_string_equal(sim_reg_value(k, "1", 0)->sz,
	    "wsman/*.contoso.test");
	assert_int_equal(sim_reg_delete_value(k, "n"), 0);
	assert_int_equal(sim_reg_delete_value(k, "n"), -1);
	n = sim_reg_subkeys(h, "SOFTWARE\\Policies\\Microsoft\\Windows", &names);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "CredentialsDelegation");
	free(names[0]);
	free(names);
	/* Deleting a key takes its subtree, not its siblings. */
	sim_reg_key(h, "SOFTWARE\\Policies\\Microsoft\\WindowsX", 1);
	assert_int_equal(sim_reg_delete_key(h, "SOFTWARE\\Policies\\Microsoft\\"
	    "Windows"), 0);
	assert_null(sim_reg_key(h, "SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation", 0));
	assert_non_null(sim_reg_key(h, "SOFTWARE\\Policies\\Microsoft\\WindowsX",
	    0));
	assert_int_equal(sim_reg_delete_key(h, "SOFTWARE\\Nope"), -1);
	host_free(h);
}

static void
test_accounts(void **state)
{
	struct sim_host *h = host_new();

	assert_string_equal(sim_account(h, "contoso\\BOB")->name,
	    "CONTOSO\\bob");
	assert_string_equal(sim_account(h, "NODE1\\administrator")->name,
	    "Administrator");
	assert_string_equal(sim_account(h, ".\\Operator")->name, USER);
	assert_string_equal(sim_account(h, "SYSTEM")->name,
	    "NT AUTHORITY\\SYSTEM");
	assert_null(sim_account(h, "bob"));	/* a domain account */
	assert_null(sim_account(h, "OTHER\\operator"));
	host_free(h);
}

static void
test_time(void **state)
{
	char s[32];
	time_t t;

	assert_int_equal(sim_time_parse("2026-11-25T11:15:00Z", &t), 0);
	sim_time_format(t, s);
	assert_string_equal(s, "2026-11-25T11:15:00Z");
	assert_int_equal(sim_time_parse("2026-11-25T12:15:00+01:00", &t), 0);
	sim_time_format(t, s);
	assert_string_equal(s, "2026-11-25T11:15:00Z");
	assert_int_equal(sim_time_parse("2026-11-25T11:15:00.250Z", &t), 0);
	assert_int_equal(sim_time_parse("tomorrow", &t), -1);
	assert_int_equal(sim_time_parse("2026-11-25T11:15:00+1", &t), -1);
}

static void
test_dump_sorted(void **state)
{
	struct sim_host *h = host_new();
	struct buf b = BUF_INIT;
	char *line, *prev = NULL, *save;

	sim_dump(h, &b);
	for (line = strtok_r(b.ptr, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_non_null(strstr(line, " = "));
		if (prev != NULL)
			assert_true(strcmp(prev, line) < 0);
		prev = line;
	}
	buf_release(&b);
	assert_dump(h, "clock.now", NOW);
	assert_dump(h, "winrm.service.auth.Basic", "false");
	assert_dump(h, "winrm.service.auth.CbtHardeningLevel", "Relaxed");
	assert_dump(h, "winrm.client.TrustedHosts", "");
	assert_dump(h, "listener.HTTPS.*.Port", "5986");
	assert_dump(h, "listener.HTTPS.*.Hostname", "node1.contoso.test");
	assert_dump(h, "service.WinRM.state", "Running");
	assert_dump(h, "service.WinRM.start_mode", "Auto");
	assert_dump(h, "group.Gateway Administrators.members", "CONTOSO\\alice");
	assert_dump(h, "group.Administrators.members",
	    "Administrator,CONTOSO\\svc-enforcer");
	assert_dump(h, "account.CONTOSO\\svc-enforcer.admin", "true");
	assert_dump(h, "gpo", "");
	host_free(h);
}

static void
set_ok(struct sim_host *h, const char *key, const char *value)
{
	char *cause = NULL;

	if (sim_set(h, key, value, &cause) != 0)
		fail_msg("%s: %s", key, cause);
}

static void
set_fails(struct sim_host *h, const char *key, const char *value,
    const char *want)
{
	char *cause = NULL;

	assert_int_equal(sim_set(h, key, value, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_set_round_trip(void **state)
{
	struct sim_host *h = host_new();
	const char *reg = "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation";

	set_ok(h, "winrm.service.auth.CredSSP", "true");
	set_ok(h, "winrm.service.auth.CbtHardeningLevel", "strict");
	set_ok(h, "winrm.client.TrustedHosts", "*.contoso.test");
	set_ok(h, "winrm.MaxEnvelopeSizekb", "150");
	set_ok(h, "listener.HTTPS.IP:127.0.10.1.Port", "443");
	set_ok(h, "service.WinRM.state", "stopped");
	set_ok(h, "service.W32Time.start_mode", "manual");
	set_ok(h, "group.Gateway Administrators.members",
	    "CONTOSO\\alice, CONTOSO\\hci-admins");
	set_ok(h, "account.CONTOSO\\carol.admin", "false");
	set_ok(h, "task.\\enforcer\\revert-x.trigger", "2026-11-25T11:15:00Z");
	set_ok(h, "task.\\enforcer\\revert-x.command", "winrm set x");
	set_ok(h, "file.C:\\t\\a.txt.data", "a\\r\\nb");
	assert_dump(h, "winrm.service.auth.CredSSP", "true");
	assert_dump(h, "winrm.service.auth.CbtHardeningLevel", "Strict");
	assert_dump(h, "winrm.client.TrustedHosts", "*.contoso.test");
	assert_dump(h, "winrm.MaxEnvelopeSizekb", "150");
	assert_dump(h, "listener.HTTPS.IP:127.0.10.1.Port", "443");
	assert_dump(h, "listener.HTTPS.IP:127.0.10.1.Enabled", "true");
	assert_dump(h, "service.WinRM.state", "Stopped");
	assert_int_equal(sim_service(h, "WinRM")->pid, 0);
	assert_dump(h, "service.W32Time.start_mode", "Manual");
	assert_dump(h, "group.Gateway Administrators.members",
	    "CONTOSO\\alice,CONTOSO\\hci-admins");
	assert_dump(h, "account.CONTOSO\\carol.admin", "false");
	assert_dump(h, "task.\\enforcer\\revert-x.trigger",
	    "2026-11-25T11:15:00Z");
	assert_dump(h, "task.\\enforcer\\revert-x.command", "winrm set x");
	assert_dump(h, "task.\\enforcer\\revert-x.enabled", "true");
	assert_dump(h, "task.\\enforcer\\revert-x.last_result", "267011");
	assert_dump(h, "task.\\enforcer\\revert-x.last_run", "");
	assert_dump(h, "file.C:\\t\\a.txt.size", "4");
	assert_int_equal(sim_file(h, "c:\\T\\A.TXT", 0)->data.len, 4);

	set_ok(h, "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation:AllowFreshCredentials", "REG_DWORD 1");
	set_ok(h, "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation\\AllowFreshCredentials:1",
	    "REG_SZ wsman/*.contoso.test");
	set_ok(h, "reg.SOFTWARE\\X:m", "REG_MULTI_SZ a\\0b c");
	set_ok(h, "reg.SOFTWARE\\X:q", "REG_QWORD 0x10");
	assert_dump(h, "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation:AllowFreshCredentials", "REG_DWORD 1");
	assert_dump(h, "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation\\AllowFreshCredentials:1",
	    "REG_SZ wsman/*.contoso.test");
	assert_dump(h, "reg.SOFTWARE\\X:m", "REG_MULTI_SZ a\\0b c");
	assert_int_equal(sim_reg_value(sim_reg_key(h, "SOFTWARE\\X", 0), "m",
	    0)->nmulti, 2);
	assert_dump(h, "reg.SOFTWARE\\X:q", "REG_QWORD 16");

	/* Empty or <deleted> deletes; a task key deletes the task. */
	set_ok(h, "reg.SOFTWARE\\X:m", "");
	assert_dump(h, "reg.SOFTWARE\\X:m", NULL);
	set_ok(h, reg, "<deleted>");
	assert_null(sim_reg_key(h, reg + 4, 0));
	set_ok(h, "task.\\enforcer\\revert-x.trigger", "");
	assert_null(sim_task(h, "\\enforcer\\revert-x", 0));
	set_ok(h, "group.Gateway Administrators.members", "");
	assert_dump(h, "group.Gateway Administrators.members", "");
	set_ok(h, "group.Gateway Administrators", "");
	assert_null(sim_group(h, "Gateway Administrators"));
	set_ok(h, "listener.HTTPS.IP:127.0.10.1", "");
	assert_null(sim_listener(h, "HTTPS", "IP:127.0.10.1", 0));
	set_ok(h, "file.C:\\t\\a.txt", "");
	assert_null(sim_file(h, "C:\\t\\a.txt", 0));
	set_ok(h, "account.CONTOSO\\carol", "<deleted>");
	assert_null(sim_account(h, "CONTOSO\\carol"));
	set_ok(h, "task.\\never-there", "");
	host_free(h);
}

static void
test_set_errors(void **state)
{
	struct sim_host *h = host_new();

	set_fails(h, "nope", "1", "unknown key 'nope'");
	set_fails(h, "winrm.service.auth.Fancy", "true",
	    "unknown key 'winrm.service.auth.Fancy'");
	set_fails(h, "winrm.service.auth.Basic", "maybe",
	    "winrm.service.auth.Basic: 'maybe' is not true or false");
	set_fails(h, "winrm.service.auth.CbtHardeningLevel", "Loose",
	    "winrm.service.auth.CbtHardeningLevel: 'Loose' is not Strict, "
	    "Relaxed or None");
	set_fails(h, "winrm.MaxTimeoutms", "-1",
	    "winrm.MaxTimeoutms: '-1' is not a number up to 4294967295");
	set_fails(h, "clock.now", "soon", "clock.now: 'soon' is not an RFC "
	    "3339 time");
	set_fails(h, "service.WinRM.state", "Sleeping",
	    "service.WinRM.state: 'Sleeping' is not a service state");
	set_fails(h, "listener.FTP.*.Port", "21",
	    "listener.FTP.*.Port: transport 'FTP' is not HTTP or HTTPS");
	set_fails(h, "listener.HTTPS.*.Port", "70000",
	    "listener.HTTPS.*.Port: '70000' is not a number up to 65535");
	set_fails(h, "reg.SOFTWARE\\X:v", "REG_TEXT x",
	    "reg.SOFTWARE\\X:v: 'REG_TEXT' is not a registry type");
	set_fails(h, "reg.SOFTWARE\\X:v", "REG_DWORD 0x100000000",
	    "reg.SOFTWARE\\X:v: '0x100000000' is not a number up to "
	    "4294967295");
	set_fails(h, "reg.SOFTWARE\\X", "yes",
	    "reg.SOFTWARE\\X: a key takes '<key>' or '<deleted>', not 'yes'");
	set_fails(h, "task.\\t.enabled", "sometimes",
	    "task.\\t.enabled: 'sometimes' is not true or false");
	set_fails(h, "task.\\t.colour", "red", "unknown key 'task.\\t.colour'");
	set_fails(h, "cert.ABC.subject", "CN=x", "cert.ABC.subject: "
	    "certificates are read-only (an empty value deletes one)");
	set_fails(h, "gpo", "winrm.service.auth.CredSSP,service.WinRM.state",
	    "gpo: 'service.WinRM.state' is not a setting group policy can own");
	set_fails(h, "file.C:\\x.size", "3",
	    "file.C:\\x.size: read-only or unknown key");
	host_free(h);
}

static void
test_gpo(void **state)
{
	struct sim_host *h = host_new();

	sim_reg_key(h, "SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM", 1);
	set_ok(h, "gpo", "winrm.service.auth.CredSSP, winrm.client.TrustedHosts,"
	    "listener.HTTPS.*,reg.SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM");
	assert_int_equal(h->winrm.svc_credssp.source, SIM_SRC_GPO);
	assert_int_equal(h->winrm.trusted_hosts_source, SIM_SRC_GPO);
	assert_int_equal(sim_listener(h, "HTTPS", "*", 0)->source, SIM_SRC_GPO);
	assert_dump(h, "gpo", "winrm.service.auth.CredSSP,"
	    "winrm.client.TrustedHosts,listener.HTTPS.*,"
	    "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM");
	/* The list replaces the previous one. */
	set_ok(h, "gpo", "winrm.client.auth.CredSSP");
	assert_int_equal(h->winrm.svc_credssp.source, SIM_SRC_LOCAL);
	assert_dump(h, "gpo", "winrm.client.auth.CredSSP");
	host_free(h);
}

static int changes;

static void
on_service(struct sim_host *h, struct sim_service *s)
{
	changes++;
}

static void
test_service_hook(void **state)
{
	struct sim_host *h = host_new();
	struct sim_fleet fleet;

	memset(&fleet, 0, sizeof(fleet));
	fleet.service_changed = on_service;
	h->fleet = &fleet;
	changes = 0;
	set_ok(h, "service.WinRM.state", "Stopped");
	sim_service_set_state(h, sim_service(h, "WinRM"), "Running");
	assert_int_equal(changes, 2);
	host_free(h);
}

/* A task fires once when the clock passes its trigger, as SYSTEM. */
static void
test_due_tasks(void **state)
{
	struct sim_host *h = host_new();

	set_ok(h, "task.\\enforcer\\revert.trigger", "2026-11-25T11:15:00Z");
	set_ok(h, "task.\\enforcer\\revert.command",
	    "net localgroup \"Gateway Administrators\" CONTOSO\\alice /delete");
	set_ok(h, "task.\\later.trigger", "2026-11-26T00:00:00Z");
	set_ok(h, "task.\\later.command", "echo later> C:\\later.txt");
	set_ok(h, "task.\\off.trigger", "2026-11-25T00:00:00Z");
	set_ok(h, "task.\\off.command", "echo off> C:\\off.txt");
	set_ok(h, "task.\\off.enabled", "false");
	sim_run_due_tasks(h);
	assert_dump(h, "task.\\enforcer\\revert.last_result", "267011");

	set_ok(h, "clock.now", "2026-11-25T11:15:00Z");
	sim_run_due_tasks(h);
	assert_dump(h, "group.Gateway Administrators.members", "");
	assert_dump(h, "task.\\enforcer\\revert.last_result", "0");
	assert_dump(h, "task.\\enforcer\\revert.last_run",
	    "2026-11-25T11:15:00Z");
	assert_null(sim_file(h, "C:\\later.txt", 0));
	assert_null(sim_file(h, "C:\\off.txt", 0));

	/* Exactly once: running again (member re-added) changes nothing. */
	sim_group_add_member(sim_group(h, "Gateway Administrators"),
	    "CONTOSO\\alice");
	set_ok(h, "clock.now", "2026-11-25T12:00:00Z");
	sim_run_due_tasks(h);
	assert_dump(h, "group.Gateway Administrators.members", "CONTOSO\\alice");
	assert_dump(h, "task.\\enforcer\\revert.last_run",
	    "2026-11-25T11:15:00Z");

	/* A stopped Task Scheduler runs nothing. */
	set_ok(h, "service.Schedule.state", "Stopped");
	set_ok(h, "clock.now", "2026-11-27T00:00:00Z");
	sim_run_due_tasks(h);
	assert_null(sim_file(h, "C:\\later.txt", 0));
	set_ok(h, "service.Schedule.state", "Running");
	sim_run_due_tasks(h);
	assert_non_null(sim_file(h, "C:\\later.txt", 0));
	assert_dump(h, "task.\\later.last_result", "0");
	host_free(h);
}

/* A task that deletes itself, and one whose command fails. */
static void
test_due_task_self_delete(void **state)
{
	struct sim_host *h = host_new();

	set_ok(h, "task.\\enforcer\\once.trigger", "2026-11-25T00:00:00Z");
	set_ok(h, "task.\\enforcer\\once.command",
	    "schtasks /Delete /TN \\enforcer\\once /F");
	set_ok(h, "task.\\bad.trigger", "2026-11-25T00:00:00Z");
	set_ok(h, "task.\\bad.command", "net localgroup Nope");
	set_ok(h, "clock.now", "2026-11-25T00:00:01Z");
	sim_run_due_tasks(h);
	assert_null(sim_task(h, "\\enforcer\\once", 0));
	assert_dump(h, "task.\\bad.last_result", "2");
	host_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_dump_sorted),
		cmocka_unit_test(test_set_round_trip),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_gpo),
		cmocka_unit_test(test_service_hook),
		cmocka_unit_test(test_due_tasks),
		cmocka_unit_test(test_due_task_self_delete),
	};

	return cmocka_run_group_tests_name("sim_state", tests, NULL, NULL);
}
