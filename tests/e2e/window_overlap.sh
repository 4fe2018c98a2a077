#!/bin/sh
# window_overlap.sh: overlapping windows combine as docs/format.md says
# (the window that started later wins a value; when it ends the earlier
# one's value is back, then the policy's) and the fail-safe follows: its
# trigger is the end of the stretch during which windows keep CredSSP on,
# plus the grace, so one window's task never cuts another's.
#
#   a  09:00-11:00  hci-nodes           credssp.server enabled
#   b  10:00-12:00  node1.contoso.test  credssp.server enabled
#   c  10:30-10:45  hci-nodes           credssp.server disabled
#
# Ground truth after an apply at each instant (hosts' clocks set to it).
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

window_fleet $NET
window_desired "$TMP/ds" $NET
cat >"$TMP/ds/windows.yaml" <<'YAML'
windows:
  a:
    start: 2026-11-25T09:00:00Z
    end: 2026-11-25T11:00:00Z
    reason: first
    apply: { hci-nodes: { credssp: { server: enabled } } }
  b:
    start: 2026-11-25T10:00:00Z
    duration: 2h
    reason: second, node1 only
    apply: { node1.contoso.test: { credssp: { server: enabled } } }
  c:
    start: 2026-11-25T10:30:00Z
    end: 2026-11-25T10:45:00Z
    reason: a pause
    apply: { hci-nodes: { credssp: { server: disabled } } }
YAML
# A lease longer than the windows, so that the trigger is the stretch's
# end plus the grace at every instant (window_lease.sh has the lease).
printf 'settings:\n  failsafe_lease: 8h\n' >"$TMP/ds/settings.yaml"
git_commit "$TMP/ds" "three windows"

# at TIME: apply at TIME with the hosts' clocks at TIME
at() {
	sim POST /clock "set=$1" >/dev/null
	run_enforcer apply --at "$1" "$TMP/ds"
	expect "apply at $1: exit" 0 "$RC"
}
# state HOST: "server=BOOL tasks=NAME@TRIGGER,..."
state() {
	s=$(sim GET "/hosts/$1/state")
	printf 'server=%s tasks=%s\n' \
	    "$(printf '%s\n' "$s" | sed -n 's/^winrm\.service\.auth\.CredSSP = //p')" \
	    "$(printf '%s\n' "$s" | sed -n 's/^task\.\\enforcer\\failsafe-\(.*\)\.trigger = \(.*\)$/\1@\2/p' | paste -sd, -)"
}

at 2026-11-25T09:30:00Z
# node1's stretch ends when c starts (CredSSP wanted off), so does node2's.
expect "09:30 node1" "server=true tasks=a@2026-11-25T10:45:00Z" "$(state node1.contoso.test)"
expect "09:30 node2" "server=true tasks=a@2026-11-25T10:45:00Z" "$(state node2.contoso.test)"

at 2026-11-25T10:35:00Z
expect "10:35 node1: c started later and wins" "server=false tasks=" "$(state node1.contoso.test)"
expect "10:35 node2: c wins" "server=false tasks=" "$(state node2.contoso.test)"

at 2026-11-25T10:50:00Z
# node1: b started after a, so b holds the value, until 12:00.
expect "10:50 node1: b's" "server=true tasks=b@2026-11-25T12:15:00Z" "$(state node1.contoso.test)"
expect "10:50 node2: a's again" "server=true tasks=a@2026-11-25T11:15:00Z" "$(state node2.contoso.test)"

at 2026-11-25T11:30:00Z
expect "11:30 node1: b still open" "server=true tasks=b@2026-11-25T12:15:00Z" "$(state node1.contoso.test)"
expect "11:30 node2: policy again" "server=false tasks=" "$(state node2.contoso.test)"

at 2026-11-25T12:05:00Z
expect "12:05 node1: policy again" "server=false tasks=" "$(state node1.contoso.test)"
expect "wac01 never touched" no "$(credssp_on wac01.contoso.test)"

# b extended while open: its fail-safe moves; a's, within the stretch, too.
sed -i 's/^    duration: 2h$/    duration: 3h/' "$TMP/ds/windows.yaml"
at 2026-11-25T09:30:00Z
at 2026-11-25T10:50:00Z
expect "b lasts 3h: node1's task moved" "server=true tasks=b@2026-11-25T13:15:00Z" "$(state node1.contoso.test)"
finish
