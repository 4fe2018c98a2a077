#!/bin/sh
# history_classes.sh: classes computed from facts (docs/history.md,
# "Classes"), read from the history with git, the simulator's ground
# truth checked along:
#  - a change the desired state asks for anew is intentional; the same
#    change retried after it failed is corrective (a retry);
#  - after `revert`, the next apply putting the desired state back is
#    corrective (it undoes the revert), not intentional;
#  - once a window's revert is done, CredSSP turned on by hand is drift
#    (corrective), not expiry.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

git_home
cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  n1.contoso.test:
    address: $NET.1
    services: { Spooler: { state: Stopped, start_mode: Disabled } }
  n2.contoso.test:
    address: $NET.2
    services: { Spooler: { state: Running, start_mode: Auto } }
EOF
fleet_start "$TMP/fleet.yaml"

D="$TMP/ds"
ds_new "$D"
cat >"$D/hosts.yaml" <<EOF
hosts:
  n1.contoso.test: { groups: [nodes], address: $NET.1 }
  n2.contoso.test: { groups: [nodes], address: $NET.2 }
policies:
  nodes: { credssp: { server: disabled } }
EOF
git -C "$D" init -q -b main
git -C "$D" add -A
git -C "$D" commit -q -m "v0"
g() {
	git -C "$D" "$@"
}
# The change line of HOST and PATH in the tip run commit.
change() {	# HOST PATH
	g log -1 --format=%B --grep='^Record: run' enforcer/history |
	    grep "^change host=$1 path=$2 "
}
at() {	# TIME: the hosts' clocks and the run's instant
	sim_ok POST /clock "set=$1" >/dev/null
	AT=$1
}
at 2026-11-25T08:00:00Z
run_enforcer apply --at $AT "$D"
expect "v0: in sync" 0 "$RC"

# --- intentional, then a retry -----------------------------------------------
sed -i 's/nodes: { credssp: { server: disabled } }/nodes: { credssp: { server: disabled }, service: { Spooler: running } }/' \
    "$D/hosts.yaml"
g commit -q -a -m "v1: the print spooler runs"
run_enforcer apply --at $AT "$D"
expect "v1: n1's Spooler cannot start (disabled)" 3 "$RC"
expect "v1: n1's Spooler stays stopped (ground truth)" Stopped \
    "$(truth n1.contoso.test service.Spooler.state)"
expect_match "v1: the new desired state's change is intentional" \
    'class=intentional verified=no' "$(change n1.contoso.test service.Spooler.state)"
run_enforcer apply --at $AT "$D"
expect "retry: fails again" 3 "$RC"
expect_match "retry: the retried change is corrective, a retry" \
    'class=corrective verified=no reason="policy nodes; retry: the change failed in run ' \
    "$(change n1.contoso.test service.Spooler.state)"

# --- revert, then apply ------------------------------------------------------
sed -i 's/Spooler: running/Spooler: stopped/' "$D/hosts.yaml"
g commit -q -a -m "v2: the print spooler stops"
run_enforcer apply --at $AT "$D"
expect "v2: n2's Spooler stopped (ground truth)" Stopped \
    "$(truth n2.contoso.test service.Spooler.state)"
expect_match "v2: intentional" 'class=intentional verified=yes' \
    "$(change n2.contoso.test service.Spooler.state)"
A=$(printf '%s\n' "$OUT" | sed -n 's/^recorded run \([^ ]*\) in .*/\1/p')
run_enforcer revert --at $AT "$A" "$D"
expect "revert: exit 0" 0 "$RC"
expect "revert: n2's Spooler running again (ground truth)" Running \
    "$(truth n2.contoso.test service.Spooler.state)"
run_enforcer apply --at $AT "$D"
expect "apply after revert: n2's Spooler stopped (ground truth)" Stopped \
    "$(truth n2.contoso.test service.Spooler.state)"
expect_match "apply after revert: corrective, undoing the revert" \
    "class=corrective verified=yes reason=\"policy nodes; undoes the revert of run " \
    "$(change n2.contoso.test service.Spooler.state)"

# --- a window ends; CredSSP turned on by hand later ---------------------------
cat >"$D/windows.yaml" <<'EOF'
windows:
  wiz:
    start: 2026-11-25T09:00:00Z
    end: 2026-11-25T11:00:00Z
    reason: cluster wizard
    apply:
      n2.contoso.test: { credssp: { server: enabled } }
EOF
g add -A
g commit -q -m "v3: window wiz"
at 2026-11-25T09:30:00Z
run_enforcer apply --at $AT --hosts n2.contoso.test "$D"
expect "inside the window: CredSSP on (ground truth)" true \
    "$(truth n2.contoso.test winrm.service.auth.CredSSP)"
expect_match "inside the window: class window" 'class=window verified=yes window=wiz' \
    "$(change n2.contoso.test credssp.server.enabled)"
# Runs inside the window renew the host's fail-safe lease (30m), so that
# the window's revert at 11:05 is enforcer's, not the host's own task's.
for t in 10:10 10:45; do
	at 2026-11-25T$t:00Z
	run_enforcer apply --at $AT --hosts n2.contoso.test "$D"
done
at 2026-11-25T11:05:00Z
run_enforcer apply --at $AT --hosts n2.contoso.test "$D"
expect "after the end: CredSSP off (ground truth)" false \
    "$(truth n2.contoso.test winrm.service.auth.CredSSP)"
expect_match "after the end: the window's revert is expiry" \
    'class=expiry verified=yes window=wiz' \
    "$(change n2.contoso.test credssp.server.enabled)"
sim_ok POST /hosts/n2.contoso.test/set 'winrm.service.auth.CredSSP = true' \
    >/dev/null
at 2026-11-25T11:10:00Z
run_enforcer apply --at $AT --hosts n2.contoso.test "$D"
expect "turned on by hand: off again (ground truth)" false \
    "$(truth n2.contoso.test winrm.service.auth.CredSSP)"
expect_match "turned on by hand: drift, corrective, not expiry" \
    'class=corrective verified=yes reason="drift: changed outside enforcer; policy nodes"' \
    "$(change n2.contoso.test credssp.server.enabled)"
finish
