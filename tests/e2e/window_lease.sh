#!/bin/sh
# window_lease.sh: the fail-safe is a dead man's switch (docs/windows.md,
# "The lease").  A window opened at 09:00 for 2h arms each host's task a
# lease (30m) and a grace (15m) ahead, not at the end; a run with more
# than half the lease left writes nothing, a run with less renews it
# (ground truth shows the new trigger).  Then node2 becomes unreachable
# and the window is closed at 09:25: node1's task is pulled forward to
# 09:40 (the close plus the grace) and read back, then the revert turns
# CredSSP off there; node2, which the close cannot reach, turns CredSSP
# off by itself at 10:05, its last contact (the 09:20 renewal) plus the
# lease and the grace, with no run of the control node after the close.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

window_fleet $NET
D="$TMP/ds"
window_desired "$D" $NET
git_commit "$D" "policies"
task() { truth "$1" 'task.\enforcer\failsafe-create-cluster.trigger' 2>/dev/null; }
clock() { sim POST /clock "set=2026-11-25T$1:00Z" >/dev/null; }

clock 09:00
run_enforcer window open create-cluster --for 2h --hosts hci-nodes \
    --set credssp.server=enabled --reason wizard --at 2026-11-25T09:00:00Z "$D"
expect "open: exit" 0 "$RC"
expect_match "open: said so" \
    'turns CredSSP off at 09:45Z unless renewed or reverted first' "$OUT"
for h in node1 node2; do
	expect "open: $h CredSSP on" yes "$(credssp_on $h.contoso.test)"
	expect "open: $h armed a lease and a grace ahead, not at the end" \
	    2026-11-25T09:45:00Z "$(task $h.contoso.test)"
done

# Renewal: only once less than half the lease is left, so it never flaps.
clock 09:10
run_enforcer apply --at 2026-11-25T09:10:00Z "$D"
expect "09:10, 20m of the lease left: in sync" 0 "$RC"
expect "09:10: the task untouched" 2026-11-25T09:45:00Z "$(task node1.contoso.test)"
clock 09:20
run_enforcer apply --json --at 2026-11-25T09:20:00Z "$D"
expect "09:20, 10m left: renewed, exit" 0 "$RC"
expect_match "renewal: a window change of the fail-safe, said so" \
    '"path": *"failsafe.tasks.create-cluster".*"class": *"window".*fail-safe lease renewed, fires 10:05Z unless renewed again (window ends 11:00Z)' \
    "$(printf '%s' "$OUT" | tr -d '\n')"
for h in node1 node2; do
	expect "renewal: $h's ground truth" 2026-11-25T10:05:00Z "$(task $h.contoso.test)"
done

# Closed while node2 cannot be reached.
sim POST /hosts/node2.contoso.test/fault down=1 >/dev/null
clock 09:25
run_enforcer window close create-cluster --reason done \
    --at 2026-11-25T09:25:00Z "$D"
expect "close with node2 unreachable: exit" 3 "$RC"
expect_line "close: node1's fail-safe pulled forward first" \
    '  ~ failsafe.tasks.create-cluster: 2026-11-25T10:05:00Z -> 2026-11-25T09:40:00Z   (window create-cluster ended 09:25Z: fail-safe pulled forward to 09:40Z before the revert)'
expect "close: node1 reverted at once" no "$(credssp_on node1.contoso.test)"
expect "close: node1's task removed" "" "$(task node1.contoso.test)"
expect "close: node2 still on" yes "$(credssp_on node2.contoso.test)"
expect "close: node2 keeps the lease of its last contact" \
    2026-11-25T10:05:00Z "$(task node2.contoso.test)"

# From here the control node is silent: only the hosts' clocks move.
clock 10:04
expect "10:04: node2 on, within lease and grace of its last contact" yes \
    "$(credssp_on node2.contoso.test)"
clock 10:06
expect "10:06: node2 turned CredSSP off by itself" no "$(credssp_on node2.contoso.test)"
expect "node2: its task deleted itself" "" "$(task node2.contoso.test)"
expect "node2: its marker" "REG_SZ 2026-11-25T10:05:00Z" \
    "$(truth node2.contoso.test 'reg.SOFTWARE\enforcer\failsafe:create-cluster')"
expect "node1 untouched meanwhile" no "$(credssp_on node1.contoso.test)"

# node2 back: the next run names the fail-safe, then all is in sync.
sim POST /hosts/node2.contoso.test/fault clear >/dev/null
run_enforcer apply --at 2026-11-25T10:10:00Z "$D"
expect "node2 back: exit" 0 "$RC"
expect_match "node2: the fail-safe named" \
    "failsafe.fired.create-cluster: 2026-11-25T10:05:00Z" "$OUT"
run_enforcer plan --at 2026-11-25T10:11:00Z "$D"
expect "then in sync" 0 "$RC"
finish
