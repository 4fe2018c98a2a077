#!/bin/sh
# window_revert.sh: a window's life against the simulator, ground truth
# read from its control interface: inside the window (hosts' clocks and
# --at at 09:30) CredSSP is on, each host's fail-safe task armed for the
# end plus the grace (a lease longer than the window); a second apply writes nothing; a task deleted, moved
# or disabled behind enforcer's back shows in plan and is put back; after
# the end (clocks and --at past 11:00) the next apply turns CredSSP off,
# keeps a delegation entry someone else wrote, removes the tasks, and says
# why (class expiry).
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

window_fleet $NET
window_desired "$TMP/ds" $NET
cat >"$TMP/ds/windows.yaml" <<'YAML'
windows:
  create-cluster:
    start: 2026-11-25T09:00:00Z
    end: 2026-11-25T11:00:00Z
    reason: Create cluster wizard (CHG-1234)
    apply:
      hci-nodes: { credssp: { server: enabled } }
      gateways: { credssp: { client: { enabled: true, delegate: ['wsman/*.contoso.test'] } } }
YAML
# A lease longer than the window: the trigger is the end plus the grace
# (the lease and its renewal are window_lease.sh's).
printf 'settings:\n  failsafe_lease: 8h\n' >"$TMP/ds/settings.yaml"
git_commit "$TMP/ds" "policies and a window"

sim POST /clock set=2026-11-25T09:30:00Z >/dev/null
run_enforcer plan --at 2026-11-25T09:30:00Z "$TMP/ds"
expect "plan inside the window: exit" 2 "$RC"
expect_match "plan: server change, reverting at the end" \
    '~ credssp.server.enabled: false -> true   (window create-cluster: until 11:00Z, then reverts)' "$OUT"
expect_match "plan: the fail-safe to arm" \
    '+ failsafe.tasks.create-cluster: 2026-11-25T11:15:00Z   (window create-cluster: host-side fail-safe, turns CredSSP off at 11:15Z unless reverted first)' "$OUT"
expect "plan wrote nothing" 0 "$(sim GET /hosts/node1.contoso.test/counters | sed -n 's/^writes = //p')"

run_enforcer apply --at 2026-11-25T09:30:00Z "$TMP/ds"
expect "apply inside the window: exit" 0 "$RC"
# The fail-safe is armed before the change it guards.
expect_match "node1: fail-safe armed first" '^  + failsafe.tasks.create-cluster' \
    "$(printf '%s\n' "$OUT" | sed -n '/^node1/,/^[^ ]/p' | grep '^  [~+-]' | head -n 1)"
for h in node1 node2; do
	expect "$h: server CredSSP on" true "$(truth $h.contoso.test winrm.service.auth.CredSSP)"
	expect "$h: fail-safe trigger" 2026-11-25T11:15:00Z \
	    "$(truth $h.contoso.test 'task.\enforcer\failsafe-create-cluster.trigger')"
	expect "$h: fail-safe runs as SYSTEM" SYSTEM \
	    "$(truth $h.contoso.test 'task.\enforcer\failsafe-create-cluster.run_as')"
done
expect "wac01: client CredSSP on" true "$(truth wac01.contoso.test winrm.client.auth.CredSSP)"
expect "wac01: someone else's entry kept first" "REG_SZ TERMSRV/wac01.contoso.test" \
    "$(truth wac01.contoso.test "reg.$CD\\AllowFreshCredentials:1")"
expect "wac01: the window's entry added" "REG_SZ wsman/*.contoso.test" \
    "$(truth wac01.contoso.test "reg.$CD\\AllowFreshCredentials:2")"
expect "wac01: fail-safe trigger" 2026-11-25T11:15:00Z \
    "$(truth wac01.contoso.test 'task.\enforcer\failsafe-create-cluster.trigger')"
expect "wac01: fail-safe gives the list back" 1 \
    "$(truth wac01.contoso.test 'reg.SOFTWARE\enforcer\failsafe-script:create-cluster' |
    grep -cF "New-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\CredentialsDelegation\\AllowFreshCredentials' -Name '1' -PropertyType String -Value 'TERMSRV/wac01.contoso.test' -Force")"

for h in node1 node2 wac01; do sim POST /hosts/$h.contoso.test/counters/reset >/dev/null; done
run_enforcer apply --at 2026-11-25T09:31:00Z "$TMP/ds"
expect "second apply: exit" 0 "$RC"
expect "second apply: nothing to do" 3 "$(printf '%s\n' "$OUT" | grep -c ': in sync$')"
for h in node1 node2 wac01; do
	expect "second apply: no write to $h" 0 \
	    "$(sim GET /hosts/$h.contoso.test/counters | sed -n 's/^writes = //p')"
done

# A task deleted or changed behind enforcer's back shows in plan; apply
# puts it back.
sim POST /hosts/node1.contoso.test/set 'task.\enforcer\failsafe-create-cluster = <deleted>' >/dev/null
sim POST /hosts/node2.contoso.test/set 'task.\enforcer\failsafe-create-cluster.trigger = 2026-11-25T12:00:00Z' >/dev/null
sim POST /hosts/wac01.contoso.test/set 'task.\enforcer\failsafe-create-cluster.enabled = false' >/dev/null
run_enforcer plan --at 2026-11-25T09:32:00Z "$TMP/ds"
expect "plan, tasks tampered with: exit" 2 "$RC"
expect_match "node1: missing task" '^  + failsafe.tasks.create-cluster: 2026-11-25T11:15:00Z ' "$OUT"
expect_match "node2: task moved" '^  ~ failsafe.tasks.create-cluster: 2026-11-25T12:00:00Z -> 2026-11-25T11:15:00Z ' "$OUT"
expect_match "wac01: task disabled" '^  ~ failsafe.tasks.create-cluster: 2026-11-25T11:15:00Z (disabled) -> 2026-11-25T11:15:00Z ' "$OUT"
run_enforcer apply --at 2026-11-25T09:32:00Z "$TMP/ds"
expect "apply re-arms: exit" 0 "$RC"
for h in node1 node2 wac01; do
	expect "$h: re-armed" "2026-11-25T11:15:00Z true" \
	    "$(truth $h.contoso.test 'task.\enforcer\failsafe-create-cluster.trigger') $(truth $h.contoso.test 'task.\enforcer\failsafe-create-cluster.enabled')"
done

# Past the end, before the fail-safe's time: the next run reverts.
sim POST /clock set=2026-11-25T11:05:00Z >/dev/null
run_enforcer plan --at 2026-11-25T11:05:00Z "$TMP/ds"
expect "plan after the end: exit" 2 "$RC"
expect_match "plan after the end: overdue said" \
    'node1.contoso.test: WARNING: credssp still on 5m past the end of window create-cluster (11:00Z); its fail-safe fires 11:15Z' "$OUT"
run_enforcer apply --json --at 2026-11-25T11:05:00Z "$TMP/ds"
expect "apply after the end: exit" 0 "$RC"
printf '%s' "$OUT" >"$TMP/run.json"
expect "apply after the end: classes and reasons" \
    "credssp.server.enabled expiry window create-cluster ended 11:00Z verified
failsafe.tasks.create-cluster expiry window create-cluster ended 11:00Z: fail-safe removed once reverted verified" \
    "$(/usr/bin/python3 -c '
import json, sys
for h in json.load(open(sys.argv[1]))["hosts"]:
    if h["name"] == "node1.contoso.test":
        for c in h["changes"]:
            print(c["path"], c["class"], c["reason"], c["result"])
' "$TMP/run.json")"
for h in node1 node2; do
	expect "$h: server CredSSP off" false "$(truth $h.contoso.test winrm.service.auth.CredSSP)"
	expect "$h: fail-safe removed" "" \
	    "$(truth $h.contoso.test 'task.\enforcer\failsafe-create-cluster.trigger' 2>/dev/null)"
done
expect "wac01: client CredSSP off" false "$(truth wac01.contoso.test winrm.client.auth.CredSSP)"
expect "wac01: someone else's entry kept" "REG_SZ TERMSRV/wac01.contoso.test" \
    "$(truth wac01.contoso.test "reg.$CD\\AllowFreshCredentials:1")"
expect "wac01: the window's entry gone" "" \
    "$(truth wac01.contoso.test "reg.$CD\\AllowFreshCredentials:2" 2>/dev/null)"
run_enforcer plan --at 2026-11-25T11:06:00Z "$TMP/ds"
expect "plan after the revert: in sync" 0 "$RC"
finish
