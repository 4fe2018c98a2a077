#!/bin/sh
# states_wsman_listener.sh: the wsman_listener module against the simulator
# (on $NET).
#  - an expiring certificate with a newer valid one in LocalMachine\My: the
#    listener is rebound (ground truth) and a new TLS connection presents
#    the new certificate
#  - no fit certificate on the host: reported as needing a person, nothing
#    written, apply exits 2 (cmd_apply.c: a change that is reported, not
#    applied, keeps the run "pending")
#  - the HTTPS listener for every address missing (the host still answers
#    on one bound to its own IP): created; the plain HTTP listener removed
#  - a listener Group Policy made (Source="GPO"): reported, never written
#  - in sync, the presented certificate is the one the read's own NTLM
#    connection saw: one connection, no handshake of its own
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

EXP=exp.contoso.test
NOFIT=nofit.contoso.test
NOLST=nolst.contoso.test
GPO=gpo.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $EXP:
    address: $NET.1
    certificate: expiring
    certificate_days: 10
    extra_certificates: [{ scenario: valid, days: 365 }]
  $NOFIT:
    address: $NET.2
    certificate: expiring
    certificate_days: 10
  $NOLST:
    address: $NET.3
  $GPO:
    address: $NET.4
    certificate: expiring
    certificate_days: 10
    extra_certificates: [{ scenario: valid, days: 365 }]
    gpo: ['listener.HTTPS.*']
EOF
fleet_start "$TMP/fleet.yaml"

# The thumbprint of the certificate a new TLS connection to ADDRESS is
# shown, as Windows writes thumbprints (SHA-1, upper-case hex).
presented() {
	/usr/bin/python3 - "$1" "$2" "$SIM_CA" <<'EOF'
import hashlib, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[3])
with socket.create_connection((sys.argv[2], 5986), timeout=5) as s:
    with ctx.wrap_socket(s, server_hostname=sys.argv[1]) as t:
        print(hashlib.sha1(t.getpeercert(True)).hexdigest().upper())
EOF
}

# The thumbprint of the host's certificate in the store other than $2.
other_cert() {
	sim GET "/hosts/$1/state" |
	    sed -n 's/^cert\.\([0-9A-F]*\)\.subject = .*/\1/p' | grep -v "^$2\$"
}

OLD=$(truth $EXP 'listener.HTTPS.*.CertificateThumbprint')
NEW=$(other_cert $EXP "$OLD")
expect "the expiring certificate is presented first" "$OLD" \
    "$(presented $EXP $NET.1)"
NOFIT_T=$(truth $NOFIT 'listener.HTTPS.*.CertificateThumbprint')
GPO_T=$(truth $GPO 'listener.HTTPS.*.CertificateThumbprint')

# Missing: the wildcard HTTPS listener is gone; one bound to the host's own
# address (an admin's hand-made listener) still serves the connection.
NOLST_T=$(truth $NOLST 'listener.HTTPS.*.CertificateThumbprint')
sim_ok POST "/hosts/$NOLST/set" "listener.HTTPS.IP:$NET.3.CertificateThumbprint = $NOLST_T
listener.HTTPS.IP:$NET.3.Hostname = $NOLST
listener.HTTPS.* = <deleted>" >/dev/null
absent "HTTPS listener for * deleted out of band" $NOLST 'listener.HTTPS.*.Port'

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $EXP: { groups: [fixable], address: $NET.1 }
  $NOFIT: { groups: [person], address: $NET.2 }
  $NOLST: { groups: [fixable], address: $NET.3 }
  $GPO: { groups: [gpo-owned], address: $NET.4 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  all:
    wsman_listener:
      https: { certificate: { min_days_left: 30, match_hostname: true } }
  $NOLST:
    wsman_listener: { http: { enabled: false } }
EOF

# --- expiring certificate rebound; missing listener created ----------------
run_enforcer plan --hosts fixable "$TMP/ds"
expect_rc "plan shows the drift" 2
expect_line "expiring certificate: rebind" \
    "  ~ wsman_listener.https.thumbprint: $OLD -> $NEW   (policy all)"
# 10 days less the seconds since the fleet started: 9, or 10 within the
# first second.
expect_line_re "why" \
    "      certificate expires in (9|10) days \\(fewer than min_days_left 30\\); rebinding to the newest fit certificate in LocalMachine\\\\My"
expect_line "missing listener: create" \
    "  + wsman_listener.https.thumbprint: $NOLST_T   (policy all)"
expect_line "HTTP listener: remove" \
    "  - wsman_listener.http: present   (policy $NOLST)"
expect_line "rebinding is named as cutting the connection" \
    "      may cut enforcer's own connection: applied last"

run_enforcer apply --hosts fixable "$TMP/ds"
expect_rc "apply fixes it" 0
expect "listener rebound to the newer certificate" "$NEW" \
    "$(truth $EXP 'listener.HTTPS.*.CertificateThumbprint')"
expect "a new connection is shown the new certificate" "$NEW" \
    "$(presented $EXP $NET.1)"
expect "HTTPS listener for * created" "$NOLST_T" \
    "$(truth $NOLST 'listener.HTTPS.*.CertificateThumbprint')"
expect "... enabled" true "$(truth $NOLST 'listener.HTTPS.*.Enabled')"
expect "... on the port enforcer uses" 5986 \
    "$(truth $NOLST 'listener.HTTPS.*.Port')"
expect "... for the host's name" $NOLST \
    "$(truth $NOLST 'listener.HTTPS.*.Hostname')"
absent "HTTP listener removed" $NOLST 'listener.HTTP.*.Port'
NOOP_ARGS="--hosts fixable" expect_noop "$TMP/ds" $EXP $NOLST

# The certificate is judged as the read's own NTLM connection saw it (its
# handshake was made on the logon's first leg): no connection of its own.
reset_counters $EXP
run_enforcer plan --hosts fixable --connections 1 "$TMP/ds"
expect_rc "plan, one connection per host: in sync" 0
expect "$EXP: the certificate judged without a second connection" 1 \
    "$(host_counter $EXP connections)"

# --- no fit certificate: needs a person ---------------------------------------
reset_counters $NOFIT
run_enforcer plan --hosts person "$TMP/ds"
expect_rc "plan shows it" 2
expect_line "reported, not changed" \
    "  ! wsman_listener.https.thumbprint: $NOFIT_T   (policy all)"
expect_line_re "saying exactly what to do" \
    "      needs a person: certificate expires in (9|10) days \\(fewer than min_days_left 30\\); $NOFIT: no certificate in LocalMachine\\\\My qualifies: enroll one with a chain to a CA in ca_file, the Server Authentication EKU, $NOFIT in its SAN, its private key on the host, at least 30 days of validity left, then run apply again"
run_enforcer apply --hosts person "$TMP/ds"
expect_rc "apply cannot fix it: exit 2, nothing failed" 2
expect_match "summary counts it" "0 verified, 0 failed, 1 need a person" "$OUT"
expect "listener untouched" "$NOFIT_T" \
    "$(truth $NOFIT 'listener.HTTPS.*.CertificateThumbprint')"
expect "no write" 0 "$(writes $NOFIT)"

# --- a listener Group Policy owns ---------------------------------------------
reset_counters $GPO
run_enforcer apply --hosts gpo-owned "$TMP/ds"
expect_rc "apply reports the GPO-owned listener" 2
expect_line_re "reported" \
    "  ! wsman_listener\\.https\\.thumbprint: $GPO_T -> [0-9A-F]{40}   \\(policy all\\)"
expect_line "GPO note" "      owned by Group Policy: change the GPO"
expect "listener untouched" "$GPO_T" \
    "$(truth $GPO 'listener.HTTPS.*.CertificateThumbprint')"
expect "no write" 0 "$(writes $GPO)"

finish
