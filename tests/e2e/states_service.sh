#!/bin/sh
# states_service.sh: the service module against the simulator
# (on $NET).
#  - a stopped service started; a start mode changed
#  - stopping WinRM: named as cutting enforcer's own connection and applied
#    last: the host's other changes reach the ground truth first (had WinRM
#    stopped first, they could not have)
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

SVC=svc.contoso.test
CUT=cut.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
  services: { W32Time: { state: Stopped }, RemoteRegistry: { start_mode: Manual } }
hosts:
  $SVC: { address: $NET.1 }
  $CUT: { address: $NET.2 }
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $SVC: { address: $NET.1 }
  $CUT: { address: $NET.2 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  all:
    service:
      W32Time: running
      RemoteRegistry: { start_mode: auto }
  $CUT:
    service:
      WinRM: stopped
EOF

# --- a stopped service started, a start mode changed ---------------------------
run_enforcer plan --hosts $SVC "$TMP/ds"
expect_rc "plan shows the drift" 2
expect_line "stopped service" \
    "  ~ service.W32Time.state: stopped -> running   (policy all)"
expect_line "start mode" \
    "  ~ service.RemoteRegistry.start_mode: manual -> auto   (policy all)"
run_enforcer apply --hosts $SVC "$TMP/ds"
expect_rc "apply fixes it" 0
expect "W32Time running" Running "$(truth $SVC service.W32Time.state)"
expect "RemoteRegistry automatic" Auto \
    "$(truth $SVC service.RemoteRegistry.start_mode)"
expect "RemoteRegistry still stopped (only its mode was asked for)" Stopped \
    "$(truth $SVC service.RemoteRegistry.state)"
NOOP_ARGS="--hosts $SVC" expect_noop "$TMP/ds" $SVC

# Drift out of band: someone stops W32Time again.
sim_ok POST "/hosts/$SVC/cmd" "net stop W32Time" >/dev/null
expect "drift planted" Stopped "$(truth $SVC service.W32Time.state)"
run_enforcer apply --hosts $SVC "$TMP/ds"
expect_rc "apply repairs the drift" 0
expect "W32Time running again" Running "$(truth $SVC service.W32Time.state)"

# --- stopping WinRM: last, and said to cut the connection -----------------------
run_enforcer plan --hosts $CUT "$TMP/ds"
expect_rc "plan shows WinRM to stop" 2
expect_line "WinRM line" \
    "  ~ service.WinRM.state: running -> stopped   (policy $CUT)"
expect_line "named as cutting the connection" \
    "      may cut enforcer's own connection: applied last"
run_enforcer apply --hosts $CUT "$TMP/ds"
# Nothing can re-read a host whose WinRM stopped: the host fails (exit 3)
# with the refused connection as its cause.
expect_rc "apply stops WinRM, cannot verify it" 3
expect_line_re "the summary says why" \
    "failed: $CUT: service\\.[A-Za-z0-9]+\\.[a-z_]+: could not verify: .*connection refused by $NET_RE\\.2:5986"
expect "WinRM stopped" Stopped "$(truth $CUT service.WinRM.state)"
expect "W32Time started before WinRM stopped" Running \
    "$(truth $CUT service.W32Time.state)"
expect "RemoteRegistry's mode changed before WinRM stopped" Auto \
    "$(truth $CUT service.RemoteRegistry.start_mode)"
expect "WinRM is the last change reported" \
    "  ~ service.WinRM.state: running -> stopped   (policy $CUT)" \
    "$(printf '%s\n' "$OUT" | grep '^  [~+!-] ' | tail -1)"

finish
