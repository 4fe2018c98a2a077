/*
 * test_states.c: the modules' diff functions, which are pure: desired and
 * observed trees in, changes out.  Reading and applying are tested against
 * the simulator by the end-to-end tests (tests/e2e/states_*.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "state.h"
#include "test_util.h"

/* Diff desired against observed with kind's module. */
static void
diff(const char *kind, const char *desired, const char *observed,
    struct changes *out)
{
	test_diff(kind, 1800000000, desired, observed, out);
}

static void
test_credssp_server(void **state)
{
	struct changes cs = CHANGES_INIT;

	diff("credssp", "server: {enabled: false}",
	    "server: {enabled: true}\nclient: {enabled: false, delegate: [], "
	    "delegate_ntlm_only: []}\nencryption_oracle: mitigated", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "credssp.server.enabled", "true", "false");
	assert_int_equal(cs.v[0].flags, 0);
	changes_clear(&cs);

	diff("credssp", "server: {enabled: false}",
	    "server: {enabled: true, source: gpo}", &cs);
	assert_int_equal(cs.n, 1);
	assert_true(cs.v[0].flags & CHANGE_GPO);
	changes_clear(&cs);

	diff("credssp", "server: {enabled: true}", "server: {enabled: true}",
	    &cs);
	assert_int_equal(cs.n, 0);
}

static void
test_credssp_client_lists(void **state)
{
	struct changes cs = CHANGES_INIT;

	/* Enabling adds the wanted entries and keeps others'. */
	diff("credssp", "client: {enabled: true, delegate: ['wsman/*.contoso.test']}",
	    "client: {enabled: false, delegate: ['TERMSRV/x'], "
	    "delegate_ntlm_only: []}", &cs);
	assert_int_equal(cs.n, 2);
	assert_change(&cs.v[0], "credssp.client.enabled", "false", "true");
	assert_change(&cs.v[1], "credssp.client.delegate", "TERMSRV/x",
	    "TERMSRV/x, wsman/*.contoso.test");
	changes_clear(&cs);

	/* Disabling drops wsman/ entries, keeps the rest. */
	diff("credssp", "client: {enabled: false}",
	    "client: {enabled: true, delegate: ['wsman/*.contoso.test', "
	    "'TERMSRV/x'], delegate_ntlm_only: ['wsman/a']}", &cs);
	assert_int_equal(cs.n, 3);
	assert_change(&cs.v[0], "credssp.client.enabled", "true", "false");
	assert_change(&cs.v[1], "credssp.client.delegate",
	    "wsman/*.contoso.test, TERMSRV/x", "TERMSRV/x");
	assert_change(&cs.v[2], "credssp.client.delegate_ntlm_only",
	    "wsman/a", NULL);
	changes_clear(&cs);
}

static void
test_local_group(void **state)
{
	struct changes cs = CHANGES_INIT;

	diff("local_group", "Gateway Administrators: {members: ['CONTOSO\\hci-admins'], "
	    "exclusive: true}",
	    "Gateway Administrators: {members: ['CONTOSO\\eve', "
	    "'contoso\\HCI-admins']}", &cs);
	/* Names compare without case, as Windows does. */
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "local_group.Gateway Administrators.members",
	    "CONTOSO\\eve", NULL);
	changes_clear(&cs);

	diff("local_group", "Administrators: {members: ['CONTOSO\\a']}",
	    "Administrators: {members: ['Administrator']}", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "local_group.Administrators.members", NULL,
	    "CONTOSO\\a");
	changes_clear(&cs);
}

/*
 * Members compare by SID: the read resolved every spelling (accounts);
 * one account in several spellings is neither removed nor added twice;
 * an orphan (a bare SID) is removable; an unresolved name is added as
 * written (apply then fails it as unknown).
 */
static void
test_local_group_sids(void **state)
{
	struct changes cs = CHANGES_INIT;
	const char *bob = "CONTOSO\\bob (S-1-5-21-7-7-7-1104)";

	diff("local_group", "S-1-5-32-544: {members: ['.\\admin', "
	    "'ADM\\admin', admin, 'CONTOSO\\bob', bob@contoso.test, "
	    "'CONTOSO\\nobody'], exclusive: true}",
	    "S-1-5-32-544: {name: Administratoren, sid: S-1-5-32-544, "
	    "members: ['ADM\\admin (S-1-5-21-1-2-3-1001)', "
	    "S-1-5-21-9-9-9-1500], accounts: {"
	    "'.\\admin': 'ADM\\admin (S-1-5-21-1-2-3-1001)', "
	    "'ADM\\admin': 'ADM\\admin (S-1-5-21-1-2-3-1001)', "
	    "admin: 'ADM\\admin (S-1-5-21-1-2-3-1001)', "
	    "'CONTOSO\\bob': 'CONTOSO\\bob (S-1-5-21-7-7-7-1104)', "
	    "bob@contoso.test: 'CONTOSO\\bob (S-1-5-21-7-7-7-1104)'}}", &cs);
	assert_int_equal(cs.n, 3);
	assert_change(&cs.v[0], "local_group.S-1-5-32-544.members", NULL, bob);
	assert_change(&cs.v[1], "local_group.S-1-5-32-544.members", NULL,
	    "CONTOSO\\nobody");
	assert_change(&cs.v[2], "local_group.S-1-5-32-544.members",
	    "S-1-5-21-9-9-9-1500", NULL);
	changes_clear(&cs);

	/* "NAME (SID)", the form history shows, names the account too. */
	diff("local_group", "Admins: {members: ['X\\renamed (S-1-5-21-7-7-7-1104)'], "
	    "exclusive: true}", "Admins: {members: ['CONTOSO\\bob "
	    "(S-1-5-21-7-7-7-1104)'], accounts: {}}", &cs);
	assert_int_equal(cs.n, 0);
}

static void
test_service(void **state)
{
	struct changes cs = CHANGES_INIT;

	diff("service", "WinRM: {state: stopped}",
	    "WinRM: {state: running, start_mode: auto}", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "service.WinRM.state", "running", "stopped");
	assert_true(cs.v[0].flags & CHANGE_CUTS_CONNECTION);
	changes_clear(&cs);

	diff("service", "Spooler: {state: running, start_mode: auto}",
	    "Spooler: {state: stopped, start_mode: disabled}", &cs);
	assert_int_equal(cs.n, 2);
	assert_change(&cs.v[0], "service.Spooler.start_mode", "disabled",
	    "auto");
	assert_change(&cs.v[1], "service.Spooler.state", "stopped", "running");
	assert_int_equal(cs.v[1].flags, 0);
	changes_clear(&cs);
}

static void
test_trusted_hosts(void **state)
{
	struct changes cs = CHANGES_INIT;

	diff("trusted_hosts", "hosts: ['*.contoso.test']",
	    "hosts: ['10.0.0.1']", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "trusted_hosts.hosts", "10.0.0.1",
	    "10.0.0.1,*.contoso.test");
	changes_clear(&cs);

	diff("trusted_hosts", "{hosts: ['*.contoso.test'], exclusive: true}",
	    "hosts: ['10.0.0.1', '*.contoso.test']", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "trusted_hosts.hosts",
	    "10.0.0.1,*.contoso.test", "*.contoso.test");
	changes_clear(&cs);
}

/*
 * absent (enforcer's own key: a window's grants after its end, a revert's
 * delta): those items go, one change each for members, and nothing else
 * of the list moves; an item exclusive already removes is not removed
 * twice.
 */
static void
test_absent(void **state)
{
	struct changes cs = CHANGES_INIT;

	diff("local_group", "GA: {members: [a], absent: [B, c, d]}",
	    "GA: {members: [a, b, c, eve]}", &cs);
	assert_int_equal(cs.n, 2);
	assert_change(&cs.v[0], "local_group.GA.members", "b", NULL);
	assert_true(cs.v[0].flags & CHANGE_ITEM);
	assert_change(&cs.v[1], "local_group.GA.members", "c", NULL);
	changes_clear(&cs);

	diff("local_group", "GA: {members: [a], absent: [b], exclusive: true}",
	    "GA: {members: [a, b, eve]}", &cs);
	assert_int_equal(cs.n, 2);
	assert_change(&cs.v[0], "local_group.GA.members", "b", NULL);
	assert_change(&cs.v[1], "local_group.GA.members", "eve", NULL);
	changes_clear(&cs);

	/* A group only absent names (no policy manages it). */
	diff("local_group", "RD: {absent: [d]}", "RD: {members: [d, e]}", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "local_group.RD.members", "d", NULL);
	changes_clear(&cs);

	diff("trusted_hosts", "{hosts: [c], absent: [b], exclusive: false}",
	    "hosts: [a, b]", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "trusted_hosts.hosts", "a,b", "a,c");
	changes_clear(&cs);

	/* An enabled client: the entries of absent go, the others stay. */
	diff("credssp", "client: {enabled: true, delegate: [], "
	    "absent_delegate: [wsman/b]}",
	    "client: {enabled: true, delegate: [TERMSRV/x, wsman/b], "
	    "delegate_ntlm_only: []}", &cs);
	assert_int_equal(cs.n, 1);
	assert_change(&cs.v[0], "credssp.client.delegate",
	    "TERMSRV/x, wsman/b", "TERMSRV/x");
	changes_clear(&cs);
}

/*
 * Verify: a change is done only when the re-read value is its target
 * (changes_still_due).  One case per outcome.
 */
static void
test_still_due_scalar(void **state)
{
	struct changes applied = CHANGES_INIT, again = CHANGES_INIT;
	const struct change *due;

	diff("service", "WinRM: { state: running }",
	    "WinRM: { state: stopped, start_mode: auto }", &applied);
	assert_int_equal(applied.n, 1);
	/* Re-read equal to the target: done. */
	diff("service", "WinRM: { state: running }",
	    "WinRM: { state: running, start_mode: auto }", &again);
	assert_null(changes_still_due(&again, &applied.v[0]));
	changes_clear(&again);
	/* Re-read unchanged: still due, with what was read. */
	diff("service", "WinRM: { state: running }",
	    "WinRM: { state: stopped, start_mode: auto }", &again);
	due = changes_still_due(&again, &applied.v[0]);
	assert_non_null(due);
	assert_string_equal(due->before, "stopped");
	changes_clear(&again);
	changes_clear(&applied);
}

static void
test_still_due_other_target(void **state)
{
	struct changes applied = CHANGES_INIT, again = CHANGES_INIT;
	const struct change *due;

	/*
	 * The listener rebound to A; the re-read now wants B on the same
	 * path (A turned out unusable): A's change is not done.
	 */
	changes_add(&applied, "wsman_listener",
	    "wsman_listener.https.thumbprint", "OLD", "A", NULL);
	changes_add(&again, "wsman_listener",
	    "wsman_listener.https.thumbprint", "A", "B", NULL);
	due = changes_still_due(&again, &applied.v[0]);
	assert_non_null(due);
	assert_string_equal(due->before, "A");
	assert_string_equal(due->after, "B");
	changes_clear(&again);
	changes_clear(&applied);
}

static void
test_still_due_items(void **state)
{
	struct changes applied = CHANGES_INIT, again = CHANGES_INIT;
	const char *want = "Administrators: { members: [alice, bob], "
	    "exclusive: true }";

	diff("local_group", want, "Administrators: { members: [eve] }",
	    &applied);
	assert_int_equal(applied.n, 3);	/* + alice, + bob, - eve */
	assert_true(applied.v[0].flags & CHANGE_ITEM);
	/* bob and eve done, alice still missing. */
	diff("local_group", want, "Administrators: { members: [bob] }",
	    &again);
	assert_non_null(changes_still_due(&again, &applied.v[0]));
	assert_null(changes_still_due(&again, &applied.v[1]));
	assert_null(changes_still_due(&again, &applied.v[2]));
	changes_clear(&again);
	/* eve still there: her removal is not done; the adds are. */
	diff("local_group", want, "Administrators: { members: [alice, bob, "
	    "eve] }", &again);
	assert_null(changes_still_due(&again, &applied.v[0]));
	assert_null(changes_still_due(&again, &applied.v[1]));
	assert_non_null(changes_still_due(&again, &applied.v[2]));
	changes_clear(&again);
	changes_clear(&applied);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credssp_server),
		cmocka_unit_test(test_credssp_client_lists),
		cmocka_unit_test(test_local_group),
		cmocka_unit_test(test_local_group_sids),
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_trusted_hosts),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_still_due_scalar),
		cmocka_unit_test(test_still_due_other_target),
		cmocka_unit_test(test_still_due_items),
	};

	return cmocka_run_group_tests_name("states", tests, NULL, NULL);
}
