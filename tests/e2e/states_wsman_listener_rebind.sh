#!/bin/sh
# states_wsman_listener_rebind.sh: a rebind of the HTTPS listener cannot
# lock enforcer out (on $NET).  Every certificate is judged by itself, read
# as DER from LocalMachine\My; every assertion reads the simulator's
# ground truth or a new TLS connection of our own.
#  - newer certificates from an untrusted CA, without any EKU, without a
#    private key, for another name, and an older one with only a CN, next
#    to one that qualifies: apply binds the one that qualifies, reports it
#    verified only as the host holds it, and a new connection trusts it
#  - only unfit certificates: nothing written; the person is told, in one
#    line, the host and what the closest certificate lacks
#  - a certificate that qualifies by all the host says of it, but whose key
#    the WinRM service cannot use: after the Put a new handshake fails, so
#    the previous binding is put back, the run fails saying so, and the
#    next run connects
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
. "$(dirname "$0")/lib/listener.sh"

PICK=pick.contoso.test
NONE=none.contoso.test
BACK=back.contoso.test

# Every host's listener starts on a certificate that expires too soon.
cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
  certificate: expiring
  certificate_days: 10
hosts:
  $PICK:
    address: $NET.1
    extra_certificates:
      - { scenario: untrusted, days: 800 }
      - { scenario: no_eku, days: 700 }
      - { scenario: no_key, days: 600 }
      - { scenario: san_mismatch, days: 500 }
      - { scenario: valid, days: 365 }
      - { scenario: cn_only, days: 300 }
  $NONE:
    address: $NET.2
    extra_certificates: [{ scenario: untrusted, days: 800 },
      { scenario: no_eku, days: 700 }, { scenario: no_key, days: 600 }]
  $BACK:
    address: $NET.3
    extra_certificates: [{ scenario: key_unusable, days: 800 }]
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $PICK: { groups: [pick], address: $NET.1 }
  $NONE: { groups: [none], address: $NET.2 }
  $BACK: { groups: [back], address: $NET.3 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  all:
    wsman_listener:
      https: { certificate: { min_days_left: 30 } }
EOF

# --- the one that qualifies, never a newer bad one -------------------------
GOOD=$(cert_by_days $PICK 365)
OLD=$(bound $PICK)
if [ -n "$GOOD" ] && [ -n "$OLD" ]; then
	pass "ground truth names the certificates"
else
	fail "cannot find the certificates in the ground truth"
fi
run_enforcer apply --hosts pick "$TMP/ds"
expect_rc "apply rebinds" 0
expect "bound to the certificate that qualifies" "$GOOD" "$(bound $PICK)"
for days in 800 700 600 500 300; do
	if [ "$(bound $PICK)" != "$(cert_by_days $PICK $days)" ]; then
		pass "not bound to the $days-day certificate"
	else
		fail "bound to the $days-day certificate"
	fi
done
expect "a new connection trusts what it is shown" "$GOOD" \
    "$(presented $PICK $NET.1)"
# "verified" only where the host holds the target.
expect_line "the rebind, as the host now holds it" \
    "  ~ wsman_listener.https.thumbprint: $OLD -> $GOOD   (policy all)"
expect_match "reported verified" "1 verified, 0 failed" "$OUT"
NOOP_ARGS="--hosts pick" expect_noop "$TMP/ds" $PICK

# --- nothing qualifies: a person is told what is missing -------------------
NONE_T=$(bound $NONE)
reset_counters $NONE
run_enforcer apply --hosts none "$TMP/ds"
expect_rc "apply cannot fix it: exit 2, nothing failed" 2
expect "listener untouched" "$NONE_T" "$(bound $NONE)"
expect "no write" 0 "$(writes $NONE)"
expect_line_re "one line: the host and what the closest certificate lacks" \
    "      needs a person: certificate expires in (9|10) days \\(fewer than min_days_left 30\\); $NONE: no certificate in LocalMachine\\\\My qualifies: enroll one with a chain to a CA in ca_file, the Server Authentication EKU, $NONE in its SAN, its private key on the host, at least 30 days of validity left, then run apply again \\(closest, $(cert_by_days $NONE 800), lacks a chain to a CA in ca_file\\)"

# --- the handshake after the Put fails: put back ---------------------------
BACK_T=$(bound $BACK)
BAD=$(cert_by_days $BACK 800)
reset_counters $BACK
run_enforcer apply --hosts back "$TMP/ds"
expect_rc "apply fails: exit 3, a change failed" 3
expect "the previous binding is back" "$BACK_T" "$(bound $BACK)"
expect "written: the Put and the Put back" 2 "$(writes $BACK)"
expect "a new connection is shown the previous certificate" "$BACK_T" \
    "$(presented $BACK $NET.3)"
expect_match "says what happened" \
    "bound to $BAD, a new TLS connection failed (.*): put back the previous certificate" \
    "$OUT$ERR"
if printf '%s\n' "$OUT" | grep -q " [1-9][0-9]* verified"; then
	fail "a change put back reported verified"
else
	pass "nothing reported verified"
fi
run_enforcer plan --hosts back "$TMP/ds"
expect_rc "the next run connects and plans the rebind again" 2

finish
