#!/bin/sh
# states_wsman_listener_http_repair.sh: a host configured for HTTPS whose
# listener's certificate fails TLS is repaired over its HTTP listener, every
# message sealed (on $NET).  Assertions read the simulator's ground truth
# and a new TLS connection of our own.
#  - the bound certificate expired, from an untrusted CA, or for another
#    name; auth ntlm: apply reaches each host over HTTP (5985), rebinds the
#    HTTPS listener to the certificate that qualifies, and says so and why;
#    a new TLS connection trusts the listener; nothing crossed in clear
#    (the simulator refuses SOAP in clear on HTTP)
#  - a second run goes over HTTPS and is a no-op
#  - no HTTP listener, or auth basic: one line saying what a person must
#    do, nothing written
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
. "$(dirname "$0")/lib/listener.sh"
[ "${SAN:-0}" = 1 ] &&
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0"

EXP=exp.contoso.test
UNT=unt.contoso.test
NAM=nam.contoso.test
NOH=noh.contoso.test
BAS=bas.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
  extra_certificates: [{ scenario: valid, days: 400 }]
hosts:
  $EXP: { address: $NET.1, http_port: 5985, certificate: expired }
  $UNT: { address: $NET.2, http_port: 5985, certificate: untrusted }
  $NAM: { address: $NET.3, http_port: 5985, certificate: wrong_name }
  $NOH: { address: $NET.4, certificate: expired }
  $BAS: { address: $NET.5, http_port: 5985, certificate: expired }
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/connection.yaml" <<EOF
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
  timeout: 10s
EOF
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $EXP: { groups: [fix], address: $NET.1 }
  $UNT: { groups: [fix], address: $NET.2 }
  $NAM: { groups: [fix], address: $NET.3 }
  $NOH: { groups: [noh], address: $NET.4 }
  $BAS: { groups: [bas], address: $NET.5, auth: basic }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  all:
    wsman_listener:
      https: { certificate: { min_days_left: 30 } }
EOF

# --- repaired over HTTP ------------------------------------------------------
expect "the expired listener refuses a verified TLS connection" \
    "refused: SSLCertVerificationError" "$(presented $EXP $NET.1)"
run_enforcer apply --hosts fix "$TMP/ds"
expect_rc "apply repairs over HTTP" 0
n=1
for h in $EXP $UNT $NAM; do
	GOOD=$(cert_by_days $h 400)
	expect "$h: bound to the certificate that qualifies" "$GOOD" \
	    "$(bound $h)"
	expect "$h: a new TLS connection trusts it" "$GOOD" \
	    "$(presented $h $NET.$n)"
	expect "$h: no refusal on HTTP (nothing in clear)" 0 \
	    "$(sim GET /hosts/$h/counters | sed -n 's/^auth_failures = //p')"
	n=$((n + 1))
done
VIA="reached over HTTP (port 5985, ntlm, every message sealed) to repair the HTTPS listener: Enumerate [^ ]*/listener: TLS:"
expect_match "says it went through HTTP, and why (expired)" \
    "^$EXP: $VIA certificate expired\$" "$OUT"
expect_match "... (untrusted)" \
    "^$UNT: $VIA certificate signed by an unknown CA\$" "$OUT"
expect_match "... (another name)" \
    "^$NAM: $VIA certificate name mismatch (certificate is for other-$NAM)\$" \
    "$OUT"
expect_match "reported verified" "3 verified, 0 failed" "$OUT"

run_enforcer apply --json --hosts fix "$TMP/ds"
expect_rc "second run: exit 0" 0
expect "second run goes over HTTPS" "" \
    "$(printf '%s' "$OUT" | python3 -c 'import json,sys
print(" ".join(h["name"] for h in json.load(sys.stdin)["hosts"]
    if h.get("repaired_via_http")))')"
NOOP_ARGS="--hosts fix" expect_noop "$TMP/ds" $EXP $UNT $NAM

# --- what a person must do ---------------------------------------------------
NOH_T=$(bound $NOH)
BAS_T=$(bound $BAS)
reset_counters $NOH $BAS
run_enforcer apply --hosts noh "$TMP/ds"
expect_rc "no HTTP listener: the host fails" 3
expect_match "one line: HTTP refused too, what to do" \
    "^$NOH: failed: Enumerate [^ ]*/listener: TLS: certificate expired; over HTTP (port 5985) too: Enumerate [^ ]*/listener: connection refused by $NET.4:5985: enable the HTTP listener (winrm quickconfig) or bind the HTTPS listener to a valid certificate on the host\$" \
    "$OUT"
run_enforcer apply --hosts bas "$TMP/ds"
expect_rc "auth basic: the host fails" 3
expect_match "one line: never Basic over HTTP, what to do" \
    "^$BAS: failed: Enumerate [^ ]*/listener: TLS: certificate expired: bind the HTTPS listener to a valid certificate on the host by hand (auth 'basic' cannot repair it over HTTP, port 5985: only ntlm and kerberos seal every message there)\$" \
    "$OUT"
expect "no write to either" "0 0" "$(writes $NOH) $(writes $BAS)"
expect "listeners untouched" "$NOH_T $BAS_T" "$(bound $NOH) $(bound $BAS)"

finish
