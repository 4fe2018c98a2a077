#!/bin/sh
# window_cli.sh: enforcer window open, extend, close, close --all and list
# on a desired state in git, at the real time (the hosts' clocks are not
# moved): each verb writes the window, commits it with its reason, then
# applies at once to the window's hosts (ground truth checked); a window
# over the cap is refused and leaves no file and no commit; list --check
# exits 2 while a host is not known to be reverted after the end.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

window_fleet $NET
D="$TMP/ds"
window_desired "$D" $NET
git_commit "$D" "policies"
commits() { git -C "$D" rev-list --count HEAD; }
task() { truth "$1" "task.\\enforcer\\failsafe-$2.trigger" 2>/dev/null; }

run_enforcer window open big --for 12h --hosts hci-nodes \
    --set credssp.server=enabled --reason "too long" "$D"
expect "over the cap: exit" 1 "$RC"
expect "over the cap: the error" \
    "enforcer: window open: window 'big' would last 12h, longer than max_window 8h (settings.max_window)" "$ERR"
expect "over the cap: no file" no "$([ -e "$D/windows/big.yaml" ] && echo yes || echo no)"
expect "over the cap: no commit" 1 "$(commits)"
expect "over the cap: CredSSP untouched" no "$(credssp_on node1.contoso.test)"

run_enforcer window open create-cluster --for 2h --hosts hci-nodes,gateways \
    --set credssp.server=enabled --reason "Create cluster wizard (CHG-1234)" "$D"
expect "open: exit" 0 "$RC"
expect_match "open: committed" '^committed [0-9a-f]\{7\}: window open create-cluster: Create cluster wizard (CHG-1234)$' "$OUT"
expect "open: one commit more" 2 "$(commits)"
expect "open: the commit holds the window only" "windows/create-cluster.yaml" \
    "$(git -C "$D" show --name-only --format= HEAD)"
expect_match "open: the reason in the message" "Create cluster wizard (CHG-1234)" \
    "$(git -C "$D" log -1 --format=%B)"
expect "open: work tree clean" "" "$(git -C "$D" status --porcelain)"
for h in node1 node2 wac01; do
	expect "open: $h server CredSSP on" true "$(truth $h.contoso.test winrm.service.auth.CredSSP)"
done
start=$(sed -n 's/^    start: //p' "$D/windows/create-cluster.yaml")
first=$(task node1.contoso.test create-cluster)
# The end is 2h away: the lease (30m) and the grace (15m) from the run.
d=$(($(date -u -d "$first" +%s) - $(date -u -d "$start" +%s)))
[ "$d" -ge 2700 ] && [ "$d" -le 2710 ] &&
    pass "open: fail-safe a lease and a grace after the open" ||
    fail "open: fail-safe $first for a window opened $start"

run_enforcer window list "$D"
expect "list: exit" 0 "$RC"
expect_match "list: open" '^create-cluster: open, .* (ends in \(1h59m\|2h\)' "$OUT"
expect_match "list: armed" "^  node1.contoso.test: in effect; fail-safe armed for $first" "$OUT"

run_enforcer window extend create-cluster --for 1h --reason "wizard slow" "$D"
expect "extend: exit" 0 "$RC"
expect_match "extend: committed" 'window extend create-cluster: now ends' "$OUT"
# The lease, not the end, bounds the task, and it is not due for renewal.
expect "extend: the fail-safe stays on its lease" "$first" \
    "$(task node2.contoso.test create-cluster)"
expect_match "extend: nothing to renew yet" '^node2.contoso.test: in sync$' "$OUT"

run_enforcer window close create-cluster --reason "cluster created" "$D"
expect "close: exit" 0 "$RC"
expect_match "close: committed" 'window close create-cluster: ended early at' "$OUT"
expect_match "close: the fail-safe pulled forward first" \
    '^  ~ failsafe.tasks.create-cluster: .* -> .*(window create-cluster ended .*: fail-safe pulled forward to' "$OUT"
expect_match "close: reason in the message" "Reason: cluster created" "$(git -C "$D" log -1 --format=%B)"
for h in node1 node2 wac01; do
	expect "close: $h CredSSP off at once" no "$(credssp_on $h.contoso.test)"
	expect "close: $h task removed" "" "$(task $h.contoso.test create-cluster)"
done
run_enforcer window list --check "$D"
expect "list --check after close: exit" 0 "$RC"
expect_match "list: reverted" '^  wac01.contoso.test: reverted$' "$OUT"

# The panic button.
run_enforcer window open w1 --for 1h --hosts node1.contoso.test \
    --set credssp.server=enabled --reason one "$D"
expect "open w1" 0 "$RC"
run_enforcer window open w2 --for 1h --hosts gateways \
    --set credssp.client.enabled=true \
    --set 'credssp.client.delegate=[wsman/*.contoso.test]' --reason two "$D"
expect "open w2" 0 "$RC"
expect "w2: delegation on" "REG_SZ wsman/*.contoso.test" \
    "$(truth wac01.contoso.test "reg.$CD\\AllowFreshCredentials:2")"
run_enforcer window close --all --reason panic "$D"
expect "close --all: exit" 0 "$RC"
expect_match "close --all: one commit for both" 'window close w1, w2: ended early' "$OUT"
for h in node1 wac01; do
	expect "close --all: $h CredSSP off" no "$(credssp_on $h.contoso.test)"
done
expect "close --all: tasks removed" "" "$(task node1.contoso.test w1)$(task wac01.contoso.test w2)"
run_enforcer window close --all "$D"
expect "close --all with none open" "no window is open" "$OUT"

# A host that cannot be read after the end: list --check fails.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
later=$(date -u -d "$now 2 hour" +%Y-%m-%dT%H:%M:%SZ)
run_enforcer window open w3 --at "$now" --for 1h --hosts node2.contoso.test \
    --set credssp.server=enabled --reason three "$D"
expect "open w3" 0 "$RC"
sim POST /hosts/node2.contoso.test/fault down=1 >/dev/null
run_enforcer window list --check --at "$later" "$D"
expect "list --check, node2 down after the end: exit" 2 "$RC"
expect_match "list: node2 not known reverted" '^  node2.contoso.test: NOT .* not read' "$OUT"
sim POST /hosts/node2.contoso.test/fault clear >/dev/null
run_enforcer window list --check --at "$later" "$D"
expect "list --check, node2 read, still on: exit" 2 "$RC"
expect_match "list: NOT REVERTED" '^  node2.contoso.test: NOT REVERTED 1h.* after the end: credssp.server.enabled (run apply)' "$OUT"
run_enforcer window list --check --json --at "$later" "$D"
expect "list --check --json: the same exit" 2 "$RC"
expect "list --json: w3, ended, node2 not ok, not reverted" \
    "w3 ended node2.contoso.test False True" "$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
w = [w for w in d["windows"] if w["name"] == "w3"][0]
h = w["hosts"][0]
print(w["name"], w["state"], h["name"], h["ok"], d["not_reverted"])')"
run_enforcer apply --at "$later" "$D"
expect "apply after the end" 0 "$RC"
run_enforcer window list --check --at "$later" "$D"
expect "list --check once reverted: exit" 0 "$RC"

# Written only: no commit, no apply.
n=$(commits)
run_enforcer window open w4 --for 1h --hosts node1.contoso.test \
    --set credssp.server=enabled --reason four --no-commit --no-apply "$D"
expect "--no-commit --no-apply: exit" 0 "$RC"
expect "--no-commit: file written" yes "$([ -f "$D/windows/w4.yaml" ] && echo yes)"
expect "--no-commit: no commit" "$n" "$(commits)"
expect "--no-apply: CredSSP untouched" no "$(credssp_on node1.contoso.test)"
finish
