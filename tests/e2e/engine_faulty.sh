#!/bin/sh
# engine_faulty.sh: faulty hosts among healthy ones (on $NET).  One
# host refuses connections, one answers every request with HTTP 500, one
# drops the connection halfway through each reply, one answers only after
# the request timeout.  plan and apply exit 3, the healthy hosts converge
# (ground truth), the faulty ones are untouched, and the summary names each
# failed host with a one-line cause.
#
# The slow host costs the run its timeout (1s) once: a read that timed
# out is not tried again, so the timeout holds.  It is managed for one
# service only, so that it has that one read.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

HEALTHY="h1.contoso.test h2.contoso.test h3.contoso.test"
BROKEN="bdown.contoso.test b500.contoso.test bdrop.contoso.test"
SLOW=slow.contoso.test

# Drift on every host: CredSSP left on, W32Time stopped.
{
	echo "$FLEET_DEFAULTS"
	echo "  services: { W32Time: { state: Stopped } }"
	echo "hosts:"
	i=1
	for h in $HEALTHY $BROKEN $SLOW; do
		echo "  $h: { address: $NET.$i," \
		    "winrm: { service: { auth: { CredSSP: true } } } }"
		i=$((i + 1))
	done
} >"$TMP/fleet.yaml"
fleet_start "$TMP/fleet.yaml"
sim_ok POST /hosts/bdown.contoso.test/fault down=1 >/dev/null
sim_ok POST /hosts/b500.contoso.test/fault http500=1 >/dev/null
sim_ok POST /hosts/bdrop.contoso.test/fault drop_mid_reply=1 >/dev/null
sim_ok POST /hosts/$SLOW/fault latency_ms=6500 >/dev/null

ds_new "$TMP/ds"
sed -i 's/^  timeout: .*/  timeout: 1s/' "$TMP/ds/connection.yaml"
{
	echo "hosts:"
	i=1
	for h in $HEALTHY $BROKEN; do
		echo "  $h: { address: $NET.$i, groups: [fleet] }"
		i=$((i + 1))
	done
	echo "  $SLOW: { address: $NET.$i }"
	cat <<EOF
policies:
  all:
    service: { W32Time: running }
  fleet:
    credssp: { server: disabled }
EOF
} >"$TMP/ds/hosts.yaml"

# The summary's failure lines: exactly one per faulty host, one line each.
failed_line() {	# HOST ERE
	n=$(printf '%s\n' "$OUT" | grep -c "^failed: $1: ")
	expect "$1: one summary line" 1 "$n"
	expect_line_re "$1: its cause" "failed: $1: $2"
}

# --- plan: the fast faults ---------------------------------------------------------
run_enforcer plan --hosts '[hb]*' "$TMP/ds"
expect_rc "plan with failed hosts" 3
for h in $HEALTHY; do
	expect_line "$h planned" "$h: 2 changes"
done
expect_match "plan summary" "plan: 6 hosts: 0 in sync, 3 with changes, 3 failed" "$OUT"

# --- apply: all four faults at once ---------------------------------------------
reset_counters $HEALTHY $BROKEN $SLOW
start=$(date +%s)
run_enforcer apply "$TMP/ds"
took=$(($(date +%s) - start))
echo "apply took ${took}s"	# a figure, not a check: timing is tests/bench's
expect_rc "apply with failed hosts" 3
for h in $HEALTHY; do
	expect "$h converged: CredSSP off" false \
	    "$(truth $h winrm.service.auth.CredSSP)"
	expect "$h converged: W32Time running" Running \
	    "$(truth $h service.W32Time.state)"
done
for h in $BROKEN $SLOW; do
	expect "$h untouched: CredSSP" true "$(truth $h winrm.service.auth.CredSSP)"
	expect "$h untouched: W32Time" Stopped "$(truth $h service.W32Time.state)"
	expect "$h: no write" 0 "$(writes $h)"
done
expect_match "apply summary" \
    "apply: 7 hosts: 0 in sync, 3 with changes, 4 failed; 6 verified, 0 failed" "$OUT"
failed_line bdown.contoso.test ".*connection refused by $NET_RE\\.4:5986"
failed_line b500.contoso.test '.*HTTP 500.*'
failed_line bdrop.contoso.test '.*connection dropped mid-reply.*'
failed_line $SLOW '.*no reply within 1000 ms \(timeout\)'
for h in $HEALTHY; do
	expect "$h: not in the failures" 0 \
	    "$(printf '%s\n' "$OUT" | grep -c "^failed: $h")"
done

finish
