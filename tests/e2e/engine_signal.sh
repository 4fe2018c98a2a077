#!/bin/sh
# engine_signal.sh: SIGINT in the middle of an apply stops at a safe point:
# hosts not started are named as not attempted, nothing is half-applied
# without being reported, and the hosts' ground truth matches the report.
. "$(dirname "$0")/lib/e2e.sh"

cat >"$TMP/fleet.yaml" <<EOF2
defaults:
  users: { 'CONTOSO\svc-enforcer': { password: 'sig-pw', admin: true } }
  winrm: { service: { auth: { CredSSP: true } } }
  faults: { latency_ms: 200 }
hosts:
  n1.sig.test: { address: $NET.1 }
  n2.sig.test: { address: $NET.2 }
  n3.sig.test: { address: $NET.3 }
EOF2
fleet_start "$TMP/fleet.yaml"
mkdir -p "$TMP/desired"
cat >"$TMP/desired/state.yaml" <<EOF2
hosts:
  n1.sig.test: { address: $NET.1 }
  n2.sig.test: { address: $NET.2 }
  n3.sig.test: { address: $NET.3 }
connection: { auth: ntlm, username: 'CONTOSO\svc-enforcer', password_env: SIG_PW, ca_file: '$SIM_CA' }
policies:
  all: { credssp: { server: disabled } }
EOF2

SIG_PW=sig-pw "$ENFORCER" apply --parallel 1 "$TMP/desired" >"$TMP/out" 2>"$TMP/err" &
pid=$!
# The signal lands once the first host has been changed (ground truth), so
# that it comes mid-run however fast or loaded the machine is.
i=0
while [ "$(truth n1.sig.test winrm.service.auth.CredSSP)" != false ] &&
    [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
kill -INT $pid
wait $pid
rc=$?
expect "exit status after SIGINT" 3 "$rc"
expect_match "the signal is acknowledged" "interrupted: finishing the changes in flight" "$(cat "$TMP/err")"
expect_match "later hosts are named as not attempted" "n3.sig.test: failed: not attempted: interrupted" "$(cat "$TMP/out")"
# Ground truth agrees with the report, host by host.
for h in n1 n2 n3; do
	got=$(truth $h.sig.test winrm.service.auth.CredSSP)
	if grep -A3 "^$h.sig.test: 1 change" "$TMP/out" | grep -q '^      verified'; then
		expect "$h: verified change is real" false "$got"
	else
		expect "$h: unreported host untouched" true "$got"
	fi
done
finish
