#!/bin/sh
# window_failsafe.sh: the host-side fail-safe alone.  A window is applied,
# then enforcer never runs again: advancing the hosts' clocks changes
# nothing until the lease (30m) and the grace (15m) from that run are over
# (the window's end is 90m further), then each host's own task turns
# CredSSP off (the delegation list given back, someone else's entry kept),
# leaves its marker and deletes itself.  The next run reports the fail-safe
# as what reverted the host, and clears the markers.  A host unreachable
# at the end is reported on every run, with how long CredSSP has been on
# past the end, until a run reverts it.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

window_fleet $NET
window_desired "$TMP/ds" $NET
cp "$TOP/examples/hci-cluster/windows.yaml" "$TMP/ds/windows.yaml"
git_commit "$TMP/ds" "policies and a window"

sim POST /clock set=2026-11-25T09:30:00Z >/dev/null
run_enforcer apply --at 2026-11-25T09:30:00Z "$TMP/ds"
expect "apply inside the window: exit" 0 "$RC"
for h in node1 node2 wac01; do
	expect "$h: CredSSP on in the window" yes "$(credssp_on $h.contoso.test)"
done

# The control node is gone: only the hosts' clocks move.  The task fires
# a lease and a grace after the last run, not at the window's end.
sim POST /clock set=2026-11-25T10:14:00Z >/dev/null
for h in node1 node2 wac01; do
	expect "$h: still on within the lease and the grace" yes "$(credssp_on $h.contoso.test)"
done
sim POST /clock set=2026-11-25T10:16:00Z >/dev/null
for h in node1 node2 wac01; do
	expect "$h: CredSSP off by the fail-safe" no "$(credssp_on $h.contoso.test)"
	expect "$h: the task deleted itself" "" \
	    "$(truth $h.contoso.test 'task.\enforcer\failsafe-create-cluster.trigger' 2>/dev/null)"
	expect "$h: marker left" "REG_SZ 2026-11-25T10:15:00Z" \
	    "$(truth $h.contoso.test 'reg.SOFTWARE\enforcer\failsafe:create-cluster')"
done
expect "wac01: someone else's entry kept" "REG_SZ TERMSRV/wac01.contoso.test" \
    "$(truth wac01.contoso.test "reg.$CD\\AllowFreshCredentials:1")"
expect "wac01: the delegation policy still on" "REG_DWORD 1" \
    "$(truth wac01.contoso.test "reg.$CD:AllowFreshCredentials")"

run_enforcer apply --at 2026-11-25T11:20:00Z "$TMP/ds"
expect "run after the fail-safe: exit" 0 "$RC"
expect_match "the fail-safe named as what reverted the host" \
    "- failsafe.fired.create-cluster: 2026-11-25T10:15:00Z   (window create-cluster: the host's own fail-safe turned CredSSP off, due 2026-11-25T10:15:00Z)" "$OUT"
for h in node1 node2 wac01; do
	expect "$h: marker cleared" "" \
	    "$(truth $h.contoso.test 'reg.SOFTWARE\enforcer\failsafe:create-cluster' 2>/dev/null)"
done
# History: the host's own revert is observed drift, then the run that
# names the fail-safe.
run_enforcer history --changes --host node1.contoso.test "$TMP/ds"
expect_match "history: the fail-safe's revert recorded" \
    "expiry .*failsafe.fired.create-cluster.*the host's own fail-safe turned CredSSP off" "$OUT"
run_enforcer show "$(printf '%s\n' "$OUT" | awk 'NR == 1 { print $2 }')" "$TMP/ds"
expect_match "history: the drift it left was observed" \
    "changed outside enforcer" "$OUT"
run_enforcer plan --at 2026-11-25T11:21:00Z "$TMP/ds"
expect "then in sync" 0 "$RC"

# Unreachable at the end: said on every run until it is reverted.  Runs
# every 20 minutes renew the lease up to the end plus the grace.
for t in 09:30 09:50 10:10 10:30 10:50; do
	sim POST /clock set=2026-11-25T$t:00Z >/dev/null
	run_enforcer apply --at 2026-11-25T$t:00Z "$TMP/ds"
	expect "apply inside the window again at $t: exit" 0 "$RC"
done
expect "the lease renewed up to the end plus the grace" 2026-11-25T11:15:00Z \
    "$(truth node2.contoso.test 'task.\enforcer\failsafe-create-cluster.trigger')"
sim POST /hosts/node2.contoso.test/fault down=1 >/dev/null
sim POST /clock set=2026-11-25T11:05:00Z >/dev/null
run_enforcer apply --at 2026-11-25T11:05:00Z "$TMP/ds"
expect "node2 down after the end: exit" 3 "$RC"
expect_match "node2 reported, 5m past the end" \
    'node2.contoso.test: WARNING: credssp .* on 5m past the end of window create-cluster (11:00Z)' "$OUT"
expect_match "its fail-safe time said" 'its fail-safe fires 11:15Z' "$OUT"
expect "node1 reverted meanwhile" no "$(credssp_on node1.contoso.test)"
sim POST /clock set=2026-11-25T11:10:00Z >/dev/null
run_enforcer plan --at 2026-11-25T11:10:00Z "$TMP/ds"
expect_match "reported again, 10m past the end" \
    'node2.contoso.test: WARNING: credssp .* on 10m past the end of window create-cluster (11:00Z)' "$OUT"
expect "the others are not reported" 1 "$(printf '%s\n' "$OUT" | grep -c WARNING)"
sim POST /hosts/node2.contoso.test/fault clear >/dev/null
run_enforcer apply --at 2026-11-25T11:11:00Z "$TMP/ds"
expect "node2 back: exit" 0 "$RC"
expect "node2 reverted" no "$(credssp_on node2.contoso.test)"
expect "no warning once reverted" 0 "$(printf '%s\n' "$OUT" | grep -c WARNING)"
# Reading the fail-safe costs no shell where the registry shows no script
# and no marker (the usual host); a task of ours left with only its
# marker (its script removed itself, Unregister-ScheduledTask failed) is
# still found and removed.
sim POST /hosts/node1.contoso.test/counters/reset >/dev/null
run_enforcer plan --at 2026-11-25T11:12:00Z "$TMP/ds"
expect "in sync again: exit" 0 "$RC"
expect "no shell to read the fail-safe of a host without one" 0 \
    "$(sim GET /hosts/node1.contoso.test/counters | sed -n 's/^shells_created = //p')"
sim POST /hosts/node1.contoso.test/cmd \
    'schtasks /Create /TN "\enforcer\failsafe-left" /SC ONCE /ST 23:00 /TR "powershell.exe -NoProfile" /RU SYSTEM /F' >/dev/null
sim POST /hosts/node1.contoso.test/set \
    'reg.SOFTWARE\enforcer\failsafe:left = REG_SZ 2026-11-25T10:00:00Z' >/dev/null
expect "a task left behind, planted" "2026-11-25T23:00:00Z" \
    "$(truth node1.contoso.test 'task.\enforcer\failsafe-left.trigger' | cut -c1-20)"
run_enforcer apply --at 2026-11-25T11:13:00Z "$TMP/ds"
expect "the task left behind removed: exit" 0 "$RC"
expect "its task gone" "" \
    "$(truth node1.contoso.test 'task.\enforcer\failsafe-left.trigger' 2>/dev/null)"
expect "its marker gone" "" \
    "$(truth node1.contoso.test 'reg.SOFTWARE\enforcer\failsafe:left' 2>/dev/null)"
finish
