/*
 * test_failsafe.c: the fail-safe's desired state (which windows get a
 * task, its trigger, its command), how its changes are told, what ended
 * windows left on; and the state module's diff, which is pure.  Reading and
 * registering tasks on a host are tested against the simulator
 * (tests/e2e/window_*.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"
#include "window_failsafe.h"

#define T09	1795597200	/* 2026-11-25T09:00:00Z */
#define MIN	60
#define HOUR	3600

#define CD_PS	"HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\" \
		"CredentialsDelegation"
/* base64 of the UTF-16LE of: $ErrorActionPreference='Stop';iex
 * (Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\enforcer\failsafe-script'
 * -Name 'create-cluster').'create-cluster' */
#define LOADER_CREATE_CLUSTER \
	"JABFAHIAcgBvAHIAQQBjAHQAaQBvAG4AUAByAGUAZgBlAHIAZQBuAGMAZQA9ACcA" \
	"UwB0AG8AcAAnADsAaQBlAHgAIAAoAEcAZQB0AC0ASQB0AGUAbQBQAHIAbwBwAGUA" \
	"cgB0AHkAIAAtAEwAaQB0AGUAcgBhAGwAUABhAHQAaAAgACcASABLAEwATQA6AFwA" \
	"UwBPAEYAVABXAEEAUgBFAFwAZQBuAGYAbwByAGMAZQByAFwAZgBhAGkAbABzAGEA" \
	"ZgBlAC0AcwBjAHIAaQBwAHQAJwAgAC0ATgBhAG0AZQAgACcAYwByAGUAYQB0AGUA" \
	"LQBjAGwAdQBzAHQAZQByACcAKQAuACcAYwByAGUAYQB0AGUALQBjAGwAdQBzAHQA" \
	"ZQByACcA"


static const char hosts[] =
    "hosts:\n"
    "  node1: { groups: [hci-nodes] }\n"
    "  node2: { groups: [hci-nodes] }\n"
    "  wac01: { groups: [gateways] }\n"
    "connection: { auth: negotiate }\n"
    "policies:\n"
    "  hci-nodes: { credssp: { server: disabled } }\n"
    "  gateways: { credssp: { client: disabled } }\n";

static struct model *
load(const char *windows)
{
	char *text = xasprintf("%s%s", hosts, windows);
	struct model_file f = { "f.yaml", text, strlen(text) };
	struct errors errs = ERRORS_INIT;
	struct model *m;

	if (model_load_files(&m, &f, 1, &errs) != 0)
		fail_msg("refused: %s", errs.msg[0]);
	free(text);
	return m;
}

static const struct model_host *
host(const struct model *m, const char *name)
{
	const struct model_host *h = model_host_find(m, name);

	assert_non_null(h);
	return h;
}

static struct node *
desired(const struct model *m, const char *h, time_t at, const char *obs)
{
	struct node *d, *o = obs != NULL ? yaml(obs) : NULL;
	char *cause = NULL;

	if (window_failsafe_desired(&d, m, host(m, h), at, o, &cause) != 0)
		fail_msg("%s", cause);
	node_free(o);
	return d;
}

static const char one[] =
    "windows:\n"
    "  create-cluster:\n"
    "    start: 2026-11-25T09:00:00Z\n"
    "    end: 2026-11-25T11:00:00Z\n"
    "    reason: wizard\n"
    "    apply:\n"
    "      hci-nodes: { credssp: { server: enabled } }\n"
    "      gateways: { credssp: { client: { enabled: true, delegate: "
    "['wsman/*.contoso.test'] } } }\n";

static void
test_server(void **state)
{
	struct model *m = load(one);
	struct node *d = desired(m, "node1", T09 + 30 * MIN, NULL);
	const char *script;

	/* The lease, not the end: 09:30 + 30m + the grace. */
	assert_string_equal(node_get_str(node_getv(d, "tasks",
	    "create-cluster", NULL), "trigger"), "2026-11-25T10:15:00Z");
	assert_string_equal(node_get_str(node_getv(d, "tasks",
	    "create-cluster", NULL), "keep_from"), "2026-11-25T10:00:00Z");
	/* The loader, which runs the script the registry keeps. */
	assert_string_equal(node_get_str(node_getv(d, "tasks",
	    "create-cluster", NULL), "command"),
	    "powershell.exe -NoProfile -NonInteractive -EncodedCommand "
	    LOADER_CREATE_CLUSTER);
	script = node_get_str(node_getv(d, "tasks", "create-cluster", NULL),
	    "script");
	assert_non_null(strstr(script, "[DateTime]::Parse("
	    "'2026-11-25T10:15:00Z',"));
	assert_non_null(strstr(script, "\nNew-ItemProperty -LiteralPath "
	    "'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN"
	    "\\Service' -Name 'auth_credssp' -PropertyType DWord -Value 0 "
	    "-Force|Out-Null\nif((Get-Service -Name 'WinRM').Status -eq "
	    "'Running'){try{Set-Item -LiteralPath 'WSMan:\\localhost\\Service"
	    "\\Auth\\CredSSP' -Value $false -Force}catch{Restart-Service "
	    "-Name 'WinRM' -Force}}\n"));
	assert_null(strstr(script, "\\Client"));
	/* The marker only after the loop, then the task's own removal. */
	assert_non_null(strstr(script, "if($try -ge 10){exit 1};Start-Sleep "
	    "-Seconds 60}}\nif(-not(Test-Path -LiteralPath 'HKLM:\\SOFTWARE"
	    "\\enforcer\\failsafe')){New-Item -Path 'HKLM:\\SOFTWARE\\"
	    "enforcer\\failsafe' -Force|Out-Null}\nNew-ItemProperty "
	    "-LiteralPath 'HKLM:\\SOFTWARE\\enforcer\\failsafe' -Name "
	    "'create-cluster' -PropertyType String -Value "
	    "'2026-11-25T10:15:00Z' -Force|Out-Null\nRemove-ItemProperty "
	    "-LiteralPath 'HKLM:\\SOFTWARE\\enforcer\\failsafe-script' "
	    "-Name 'create-cluster'\nUnregister-ScheduledTask -TaskPath "
	    "'\\enforcer\\' -TaskName 'failsafe-create-cluster' "
	    "-Confirm:$false\nexit 0"));
	assert_string_equal(node_get_str(node_getv(d, "tasks",
	    "create-cluster", NULL), "enabled"), "true");
	assert_int_equal(node_get(d, "fired")->npairs, 0);
	node_free(d);
	/* Outside the window, nothing to guard. */
	d = desired(m, "node1", T09 + 2 * HOUR, NULL);
	assert_int_equal(node_get(d, "tasks")->npairs, 0);
	node_free(d);
	d = desired(m, "node1", T09 - 1, NULL);
	assert_int_equal(node_get(d, "tasks")->npairs, 0);
	node_free(d);
	model_free(m);
}

/* The list given back: someone else's entry kept, renumbered from 1. */
static void
test_client_list(void **state)
{
	struct model *m = load(one);
	struct node *d;
	const char *cmd;

	d = desired(m, "wac01", T09, "credssp: { client: { enabled: false, "
	    "delegate: [TERMSRV/wac01] } }");
	cmd = node_get_str(node_getv(d, "tasks", "create-cluster", NULL),
	    "script");
	assert_non_null(strstr(cmd, "WSMAN\\Client' -Name 'auth_credssp'"));
	assert_non_null(strstr(cmd, "\nif(Test-Path -LiteralPath '" CD_PS
	    "\\AllowFreshCredentials'){Remove-Item -LiteralPath '" CD_PS
	    "\\AllowFreshCredentials' -Recurse -Force}\nNew-Item -Path '"
	    CD_PS "\\AllowFreshCredentials' -Force|Out-Null\n"
	    "New-ItemProperty -LiteralPath '" CD_PS "\\AllowFreshCredentials' "
	    "-Name '1' -PropertyType String -Value 'TERMSRV/wac01' -Force|"
	    "Out-Null\nif((Get-ItemProperty -LiteralPath '" CD_PS
	    "\\AllowFreshCredentials' -Name '1').'1' -ne 'TERMSRV/wac01')"
	    "{throw 'delegation entry 1 not written'}\n"));
	assert_null(strstr(cmd, "WSMAN\\Service"));
	node_free(d);
	/* Nothing else there: the flags and the subkey go, read back. */
	d = desired(m, "wac01", T09, NULL);
	cmd = node_get_str(node_getv(d, "tasks", "create-cluster", NULL),
	    "script");
	assert_non_null(strstr(cmd, "\nRemove-ItemProperty -LiteralPath '"
	    CD_PS "' -Name 'AllowFreshCredentials' -ErrorAction "
	    "SilentlyContinue\nRemove-ItemProperty -LiteralPath '" CD_PS
	    "' -Name 'ConcatenateDefaults_AllowFresh' -ErrorAction "
	    "SilentlyContinue\nif(Test-Path -LiteralPath '" CD_PS
	    "\\AllowFreshCredentials'){throw 'AllowFreshCredentials still "
	    "listed'}\nif($null -ne (Get-Item -LiteralPath '" CD_PS "')."
	    "GetValue('AllowFreshCredentials')){throw 'AllowFreshCredentials "
	    "still on'}\n"));
	node_free(d);
	model_free(m);
}

/* Any entry travels whole: a quote doubled, the rest as it is. */
static void
test_unsafe_entry(void **state)
{
	struct model *m = load(one);
	struct node *d, *o = yaml("credssp: { client: { delegate: "
	    "['a\"b''c\u2019d'] } }");
	char *cause = NULL;

	assert_int_equal(window_failsafe_desired(&d, m, host(m, "wac01"), T09, o,
	    &cause), 0);
	assert_non_null(strstr(node_get_str(node_getv(d, "tasks",
	    "create-cluster", NULL), "script"), "-Value 'a\"b''c\u2019\u2019d' "
	    "-Force"));
	node_free(d);
	node_free(o);
	/* A control character is refused before anything is armed. */
	o = yaml("credssp: { client: { delegate: [\"a\\tb\"] } }");
	assert_int_equal(window_failsafe_desired(&d, m, host(m, "wac01"), T09, o,
	    &cause), -1);
	assert_string_equal(cause, "wac01: failsafe: a delegation entry of "
	    "AllowFreshCredentials cannot be written into the fail-safe's "
	    "script");
	free(cause);
	node_free(o);
	model_free(m);
}

/* What the policies want on needs no fail-safe. */
static void
test_policy_on(void **state)
{
	struct model *m;
	struct node *d;
	char *text = xasprintf("%s",
	    "  node1: { credssp: { client: enabled } }\n"
	    "windows:\n"
	    "  w:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    duration: 1h\n"
	    "    reason: r\n"
	    "    apply: { node1: { credssp: { client: enabled } } }\n");

	m = load(text);
	d = desired(m, "node1", T09, NULL);
	assert_int_equal(node_get(d, "tasks")->npairs, 0);
	node_free(d);
	model_free(m);
	free(text);
}

/* One stretch across overlapping windows; a gap ends it. */
static void
test_stretch(void **state)
{
	struct model *m = load(
	    "windows:\n"
	    "  a: { start: 2026-11-25T09:00:00Z, duration: 2h, reason: r,\n"
	    "       apply: { node1: { credssp: { server: enabled } } } }\n"
	    "  b: { start: 2026-11-25T10:00:00Z, duration: 2h, reason: r,\n"
	    "       apply: { node1: { credssp: { server: enabled } } } }\n"
	    "  c: { start: 2026-11-25T13:00:00Z, duration: 1h, reason: r,\n"
	    "       apply: { node1: { credssp: { server: enabled } } } }\n");
	struct node *d;

	d = desired(m, "node1", T09, NULL);
	assert_string_equal(node_get_str(node_getv(d, "tasks", "a", NULL),
	    "trigger"), "2026-11-25T09:45:00Z");
	node_free(d);
	/* Both open: b, started later, holds the value, so b's task. */
	d = desired(m, "node1", T09 + 110 * MIN, NULL);
	assert_null(node_getv(d, "tasks", "a", NULL));
	assert_string_equal(node_get_str(node_getv(d, "tasks", "b", NULL),
	    "trigger"), "2026-11-25T11:35:00Z");
	node_free(d);
	/* Near b's end, its end caps the lease. */
	d = desired(m, "node1", T09 + 170 * MIN, NULL);
	assert_null(node_getv(d, "tasks", "a", NULL));
	assert_string_equal(node_get_str(node_getv(d, "tasks", "b", NULL),
	    "trigger"), "2026-11-25T12:15:00Z");
	node_free(d);
	d = desired(m, "node1", T09 + 4 * HOUR + 45 * MIN, NULL);
	assert_string_equal(node_get_str(node_getv(d, "tasks", "c", NULL),
	    "trigger"), "2026-11-25T14:15:00Z");
	node_free(d);
	model_free(m);
}

/* A role only a window sets is turned off again once it has started. */
static void
test_fill_base(void **state)
{
	struct model *m = load(
	    "windows:\n"
	    "  w: { start: 2026-11-25T09:00:00Z, duration: 1h, reason: r,\n"
	    "       apply: { node1: { credssp: { client: enabled } } } }\n");
	struct node *d;

	assert_int_equal(model_effective(&d, m, host(m, "node1"), T09 - 1,
	    NULL), 0);
	window_failsafe_fill_base(d, m, host(m, "node1"), T09 - 1);
	assert_null(node_getv(d, "credssp", "client", NULL));
	window_failsafe_fill_base(d, m, host(m, "node1"), T09 + 2 * HOUR);
	assert_string_equal(node_get_str(node_getv(d, "credssp", "client",
	    NULL), "enabled"), "false");
	assert_true(window_failsafe_applies(m, host(m, "node2"), d));
	node_free(d);
	model_free(m);
}

static struct change
change(const char *kind, const char *path, const char *before,
    const char *after)
{
	struct change c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.path = (char *)path;
	c.before = (char *)before;
	c.after = (char *)after;
	return c;
}

static void
test_enables(void **state)
{
	struct change c;

	c = change("credssp", "credssp.server.enabled", "false", "true");
	assert_true(window_failsafe_enables(&c));
	c = change("credssp", "credssp.client.enabled", "true", "false");
	assert_false(window_failsafe_enables(&c));
	c = change("credssp", "credssp.client.delegate", "TERMSRV/x",
	    "TERMSRV/x, wsman/y");
	assert_true(window_failsafe_enables(&c));
	c = change("credssp", "credssp.client.delegate", "TERMSRV/x, wsman/y",
	    "TERMSRV/x");
	assert_false(window_failsafe_enables(&c));
	c = change("credssp", "credssp.client.delegate_ntlm_only", NULL, "a");
	assert_true(window_failsafe_enables(&c));
	/* Weaker is on; stronger is not. */
	c = change("credssp", "credssp.encryption_oracle", "mitigated",
	    "vulnerable");
	assert_true(window_failsafe_enables(&c));
	c = change("credssp", "credssp.encryption_oracle", "vulnerable",
	    "mitigated");
	assert_false(window_failsafe_enables(&c));
	c = change("trusted_hosts", "trusted_hosts.hosts", "a", "a,b");
	assert_true(window_failsafe_enables(&c));
	c = change("trusted_hosts", "trusted_hosts.hosts", "a,b", "a");
	assert_false(window_failsafe_enables(&c));
	c = change("failsafe", "failsafe.tasks.w", NULL, "2026-11-25T11:15:00Z");
	assert_true(failsafe_is_arm(&c));
	assert_false(failsafe_is_disarm(&c));
	assert_string_equal(failsafe_change_window(&c), "w");
}

static void
reason_is(const struct model *m, time_t at, const char *path,
    const char *before, const char *after, enum engine_class class,
    const char *want)
{
	struct change c = change("failsafe", path, before, after);
	struct engine_change ic;

	memset(&ic, 0, sizeof(ic));
	ic.change = &c;
	window_failsafe_classify(m, at, &ic);
	assert_int_equal(ic.class, class);
	assert_string_equal(ic.reason, want);
	free(ic.reason);
}

/* The trigger: a lease from the run, never past the stretch's end. */
static void
test_lease(void **state)
{
	struct model_settings st = { .max_window = 8 * HOUR,
	    .failsafe_grace = 15 * MIN, .failsafe_lease = 30 * MIN };
	time_t trig, keep;

	/* Far from the end: the lease; kept while more than half is left. */
	window_failsafe_lease(&st, T09, T09 + 2 * HOUR, &trig, &keep);
	assert_int_equal(trig, T09 + 45 * MIN);
	assert_int_equal(keep, T09 + 30 * MIN);
	/* Less than a lease from the end: the end caps the trigger... */
	window_failsafe_lease(&st, T09 + 100 * MIN, T09 + 2 * HOUR, &trig,
	    &keep);
	assert_int_equal(trig, T09 + 2 * HOUR + 15 * MIN);
	assert_int_equal(keep, T09 + 115 * MIN + 15 * MIN);
	/* ... and, less than half a lease from it, what is kept too. */
	window_failsafe_lease(&st, T09 + 110 * MIN, T09 + 2 * HOUR, &trig,
	    &keep);
	assert_int_equal(trig, T09 + 2 * HOUR + 15 * MIN);
	assert_int_equal(keep, T09 + 2 * HOUR + 15 * MIN);
	/* A lease longer than any window: the end plus the grace. */
	st.failsafe_lease = 8 * HOUR;
	window_failsafe_lease(&st, T09, T09 + 2 * HOUR, &trig, &keep);
	assert_int_equal(trig, T09 + 2 * HOUR + 15 * MIN);
	assert_int_equal(keep, T09 + 2 * HOUR + 15 * MIN);
	/* A window closed at the run's instant: a grace from now. */
	st.failsafe_lease = 30 * MIN;
	window_failsafe_lease(&st, T09 - 1, T09, &trig, &keep);
	assert_int_equal(trig, T09 + 15 * MIN);
	assert_int_equal(keep, T09 + 15 * MIN);
}

/*
 * Renewal through the state module's diff: a task armed by a run is kept
 * by the runs after it until less than half the lease is left.
 */
/* The module's diff of node1's desired fail-safe at at against have. */
static void
diff_at(const struct model *m, time_t at, const struct node *have,
    struct changes *cs)
{
	struct node *d = desired(m, "node1", at, NULL);
	char *cause = NULL;

	assert_int_equal(state_find(FAILSAFE_KIND)->diff(d, have, at, cs,
	    &cause), 0);
	node_free(d);
}

static void
test_lease_renewal(void **state)
{
	struct model *m = load(one);
	struct changes cs = CHANGES_INIT;
	struct node *have;

	/* Armed at 09:30 for 10:15. */
	have = desired(m, "node1", T09 + 30 * MIN, NULL);
	node_map_del(node_getv(have, "tasks", "create-cluster", NULL),
	    "keep_from");
	/* 09:44: 16m of the lease left: kept. */
	diff_at(m, T09 + 44 * MIN, have, &cs);
	assert_int_equal(cs.n, 0);
	/* 09:46: 14m left: renewed to 10:31, classified as such. */
	diff_at(m, T09 + 46 * MIN, have, &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "failsafe.tasks.create-cluster",
	    "2026-11-25T10:15:00Z", "2026-11-25T10:31:00Z");
	reason_is(m, T09 + 46 * MIN, "failsafe.tasks.create-cluster",
	    "2026-11-25T10:15:00Z", "2026-11-25T10:31:00Z", ENGINE_WINDOW,
	    "window create-cluster: fail-safe lease renewed, fires 10:31Z "
	    "unless renewed again (window ends 11:00Z)");
	changes_clear(&cs);
	/* A task armed for later than the lease allows is pulled in. */
	node_map_set(node_getv(have, "tasks", "create-cluster", NULL),
	    "trigger", node_scalar("2026-11-25T11:15:00Z"));
	diff_at(m, T09 + 31 * MIN, have, &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "failsafe.tasks.create-cluster",
	    "2026-11-25T11:15:00Z", "2026-11-25T10:16:00Z");
	changes_clear(&cs);
	node_free(have);
	model_free(m);
}

static void
test_classify(void **state)
{
	struct model *m = load(one);

	reason_is(m, T09, "failsafe.tasks.create-cluster", NULL,
	    "2026-11-25T11:15:00Z", ENGINE_WINDOW, "window create-cluster: "
	    "host-side fail-safe, turns CredSSP off at 11:15Z unless reverted "
	    "first");
	reason_is(m, T09, "failsafe.tasks.create-cluster", NULL,
	    "2026-11-25T09:45:00Z", ENGINE_WINDOW, "window create-cluster: "
	    "host-side fail-safe, turns CredSSP off at 09:45Z unless renewed "
	    "or reverted first");
	reason_is(m, T09, "failsafe.tasks.create-cluster",
	    "2026-11-25T10:15:00Z", "2026-11-25T11:15:00Z", ENGINE_WINDOW,
	    "window create-cluster now ends 11:00Z: fail-safe moved to 11:15Z");
	reason_is(m, T09, "failsafe.tasks.create-cluster",
	    "2026-11-25T11:15:00Z (other action)", "2026-11-25T11:15:00Z",
	    ENGINE_WINDOW, "window create-cluster: fail-safe brought up to "
	    "date");
	reason_is(m, T09 + 3 * HOUR, "failsafe.tasks.create-cluster",
	    "2026-11-25T11:15:00Z", NULL, ENGINE_EXPIRY, "window "
	    "create-cluster ended 11:00Z: fail-safe removed once reverted");
	reason_is(m, T09, "failsafe.tasks.create-cluster",
	    "2026-11-25T11:15:00Z", NULL, ENGINE_INTENTIONAL, "window "
	    "create-cluster no longer turns CredSSP on here: fail-safe "
	    "removed");
	reason_is(m, T09, "failsafe.tasks.gone", "2026-11-25T11:15:00Z", NULL,
	    ENGINE_INTENTIONAL, "window gone is no longer in the desired "
	    "state: fail-safe removed");
	reason_is(m, T09 + 3 * HOUR, "failsafe.fired.create-cluster",
	    "2026-11-25T11:15:00Z", NULL, ENGINE_EXPIRY, "window "
	    "create-cluster: the host's own fail-safe turned CredSSP off, due "
	    "2026-11-25T11:15:00Z");
	model_free(m);
}

static void
test_overdue(void **state)
{
	struct model *m = load(one);
	const struct model_host *h = host(m, "node1");
	struct node *on = yaml("credssp: { server: { enabled: true } }\n"
	    "failsafe: { tasks: { create-cluster: { trigger: "
	    "2026-11-25T11:15:00Z } } }");
	struct node *off = yaml("credssp: { server: { enabled: false } }");
	char *s;

	s = window_failsafe_overdue(m, h, T09 + 2 * HOUR + 5 * MIN, on, 1);
	assert_string_equal(s, "credssp still on 5m past the end of window "
	    "create-cluster (11:00Z); its fail-safe fires 11:15Z");
	free(s);
	s = window_failsafe_overdue(m, h, T09 + 2 * HOUR + 20 * MIN, on, 0);
	assert_string_equal(s, "credssp was on 20m past the end of window "
	    "create-cluster (11:00Z) as last recorded; its fail-safe was due "
	    "11:15Z");
	free(s);
	assert_null(window_failsafe_overdue(m, h, T09 + 3 * HOUR, off, 1));
	assert_null(window_failsafe_overdue(m, h, T09 + HOUR, on, 1));	/* open */
	s = window_failsafe_overdue(m, h, T09 + 4 * HOUR, NULL, 0);
	assert_string_equal(s, "credssp may still be on 2h past the end of "
	    "window create-cluster (11:00Z): not read, no recorded state; its "
	    "fail-safe was due 11:15Z");
	free(s);
	assert_null(window_failsafe_overdue(m, h, T09 + 9 * 86400, NULL, 0));
	assert_int_equal(window_failsafe_status(m, h, &m->windows[0],
	    T09 + 3 * HOUR, on), WINDOW_FAILSAFE_ON);
	assert_int_equal(window_failsafe_status(m, h, &m->windows[0],
	    T09 + 3 * HOUR, off), WINDOW_FAILSAFE_REVERTED);
	assert_int_equal(window_failsafe_status(m, h, &m->windows[0],
	    T09 + 3 * HOUR, NULL), WINDOW_FAILSAFE_UNKNOWN);
	node_free(on);
	node_free(off);
	model_free(m);
}

/* Left on by two windows: blamed on the one that ended last. */
static void
test_overdue_blame(void **state)
{
	struct model *m = load(
	    "windows:\n"
	    "  old: { start: 2026-11-24T09:00:00Z, duration: 1h, reason: r,\n"
	    "         apply: { node1: { credssp: { server: enabled } } } }\n"
	    "  new: { start: 2026-11-25T09:00:00Z, duration: 1h, reason: r,\n"
	    "         apply: { node1: { credssp: { server: enabled } } } }\n");
	struct node *on = yaml("credssp: { server: { enabled: true } }");
	char *s;

	s = window_failsafe_overdue(m, host(m, "node1"), T09 + 2 * HOUR, on, 1);
	assert_string_equal(s, "credssp still on 1h past the end of window new "
	    "(10:00Z)");
	free(s);
	node_free(on);
	model_free(m);
}

static void
diff(const char *desired, const char *observed, struct changes *out)
{
	test_diff(FAILSAFE_KIND, T09, desired, observed, out);
}

static void
test_module_diff(void **state)
{
	struct changes cs = CHANGES_INIT;

	diff("tasks: { w: { trigger: T2, command: c, enabled: true } }\n"
	    "fired: {}",
	    "tasks: {}\nfired: {}", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "failsafe.tasks.w", NULL, "T2");
	changes_clear(&cs);
	diff("tasks: { w: { trigger: T2, command: c, enabled: true },\n"
	    "         x: { trigger: T2, command: c, enabled: true },\n"
	    "         y: { trigger: T2, command: c, enabled: true },\n"
	    "         z: { trigger: T2, command: c, enabled: true } }\n"
	    "fired: {}",
	    "tasks: { w: { trigger: T1, command: c, enabled: true },\n"
	    "         x: { trigger: T2, command: old, enabled: true },\n"
	    "         y: { trigger: T2, command: c, enabled: false },\n"
	    "         z: { trigger: T2, command: c, enabled: true },\n"
	    "         gone: { trigger: T0, command: c, enabled: true } }\n"
	    "fired: { old: T0 }", &cs);
	assert_int_equal(cs.n, 5);
	assert_change(&cs.v[0], "failsafe.tasks.w", "T1", "T2");
	assert_change(&cs.v[1], "failsafe.tasks.x", "T2 (other action)", "T2");
	assert_change(&cs.v[2], "failsafe.tasks.y", "T2 (disabled)", "T2");
	assert_change(&cs.v[3], "failsafe.tasks.gone", "T0", NULL);
	assert_change(&cs.v[4], "failsafe.fired.old", "T0", NULL);
	changes_clear(&cs);
}

/*
 * Group grants: members a window lists and no policy does get a task that
 * takes them out by SID (names quoted, one step each); the policy's are
 * never in it; any name, or a SID, works; after the end the window's status
 * follows the members still there.
 */
static void
test_grants(void **state)
{
	struct model *m = load(
	    "  wac01: { local_group: { GA: { members: ['CONTOSO\\p'] } } }\n"
	    "windows:\n"
	    "  grant:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T10:00:00Z\n"
	    "    reason: r\n"
	    "    apply:\n"
	    "      gateways: { local_group: { GA: { members: ['CONTOSO\\a', "
	    "'CONTOSO\\p'] } } }\n"
	    "  bad:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T10:00:00Z\n"
	    "    reason: r\n"
	    "    apply:\n"
	    "      node1: { local_group: { GA: { members: ['x\"&y'] } } }\n"
	    "      node2: { local_group: { GA: { members: "
	    "['S-1-5-21-1-2-3-1001'] } } }\n");
	const struct model_host *h = host(m, "wac01");
	struct node *d, *on, *off;

	assert_true(window_failsafe_applies(m, h, NULL));
	d = desired(m, "wac01", T09 + HOUR / 2, NULL);
	assert_string_equal(node_get_str(node_getv(d, "tasks", "grant", NULL),
	    "trigger"), "2026-11-25T10:15:00Z");
	/* By SID: looked up on the host from the name. */
	assert_non_null(strstr(node_get_str(node_getv(d, "tasks", "grant",
	    NULL), "script"), "\ntry{$g=[ADSI]('WinNT://'+$env:COMPUTERNAME+"
	    "'/'+'GA'+',group');$g.Remove('WinNT://'+(New-Object System."
	    "Security.Principal.NTAccount('CONTOSO\\a')).Translate([System."
	    "Security.Principal.SecurityIdentifier]).Value)}catch{"));
	node_free(d);
	/* Ended: no task wanted any more. */
	d = desired(m, "wac01", T09 + HOUR, NULL);
	assert_int_equal(node_get(d, "tasks")->npairs, 0);
	node_free(d);
	/* Any name travels whole, in quotes; a SID is used as it is. */
	d = desired(m, "node1", T09 + HOUR / 2, NULL);
	assert_non_null(strstr(node_get_str(node_getv(d, "tasks", "bad",
	    NULL), "script"), "NTAccount('x\"&y')"));
	node_free(d);
	d = desired(m, "node2", T09 + HOUR / 2, NULL);
	assert_non_null(strstr(node_get_str(node_getv(d, "tasks", "bad",
	    NULL), "script"), "$g.Remove('WinNT://'+'S-1-5-21-1-2-3-1001')"));
	node_free(d);
	/* Windows in start order, then by name: bad, grant. */
	assert_string_equal(m->windows[1].name, "grant");
	on = yaml("local_group: { GA: { members: ['contoso\\A', b] } }");
	off = yaml("local_group: { GA: { members: [b] } }");
	assert_int_equal(window_failsafe_status(m, h, &m->windows[1],
	    T09 + HOUR, on), WINDOW_FAILSAFE_ON);
	assert_int_equal(window_failsafe_status(m, h, &m->windows[1],
	    T09 + HOUR, off), WINDOW_FAILSAFE_REVERTED);
	assert_int_equal(window_failsafe_status(m, h, &m->windows[1],
	    T09 + HOUR, NULL), WINDOW_FAILSAFE_UNKNOWN);
	node_free(on);
	node_free(off);
	model_free(m);
}

/*
 * A window that weakens the encryption-oracle level and adds a TrustedHosts
 * entry: the task sets the policies' level back and writes TrustedHosts
 * back without the window's entry (what the host had kept), both read
 * back.
 */
static void
test_oracle_trusted_hosts(void **state)
{
	static const char policies[] =
	    "policies:\n"
	    "  node1: { credssp: { encryption_oracle: mitigated }, "
	    "trusted_hosts: { hosts: [p] } }\n";
	struct model_file f[2] = {
		{ "p.yaml", policies, sizeof(policies) - 1 },
	};
	struct errors errs = ERRORS_INIT;
	struct model *m;
	struct node *d;
	const char *sc;
	char *text;

	text = xasprintf("%s%s", hosts,
	    "windows:\n"
	    "  weak:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T10:00:00Z\n"
	    "    reason: r\n"
	    "    apply:\n"
	    "      node1: { credssp: { encryption_oracle: vulnerable }, "
	    "trusted_hosts: { hosts: [p, w] } }\n");
	f[1].name = "f.yaml";
	f[1].text = text;
	f[1].len = strlen(text);
	if (model_load_files(&m, f, 2, &errs) != 0)
		fail_msg("refused: %s", errs.msg[0]);
	free(text);
	d = desired(m, "node1", T09 + HOUR / 2, "trusted_hosts: { hosts: "
	    "[other, p, w] }");
	sc = node_get_str(node_getv(d, "tasks", "weak", NULL), "script");
	assert_non_null(sc);
	assert_non_null(strstr(sc, "\nNew-ItemProperty -LiteralPath 'HKLM:\\"
	    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\"
	    "System\\CredSSP\\Parameters' -Name 'AllowEncryptionOracle' "
	    "-PropertyType DWord -Value 1 -Force|Out-Null\n"));
	assert_non_null(strstr(sc, "\nNew-ItemProperty -LiteralPath 'HKLM:\\"
	    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client' "
	    "-Name 'trusted_hosts' -PropertyType String -Value 'other,p' "
	    "-Force|Out-Null\nif((Get-Service -Name 'WinRM').Status -eq "
	    "'Running'){try{Set-Item -LiteralPath 'WSMan:\\localhost\\Client"
	    "\\TrustedHosts' -Value 'other,p' -Force}catch{"));
	assert_null(strstr(sc, "auth_credssp"));
	node_free(d);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_client_list),
		cmocka_unit_test(test_unsafe_entry),
		cmocka_unit_test(test_policy_on),
		cmocka_unit_test(test_stretch),
		cmocka_unit_test(test_fill_base),
		cmocka_unit_test(test_enables),
		cmocka_unit_test(test_lease),
		cmocka_unit_test(test_lease_renewal),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_overdue_blame),
		cmocka_unit_test(test_grants),
		cmocka_unit_test(test_oracle_trusted_hosts),
		cmocka_unit_test(test_module_diff),
	};

	return cmocka_run_group_tests_name("failsafe", tests, NULL, NULL);
}
