#!/bin/sh
# auth_kerberos.sh: `auth: kerberos` (and `negotiate`) against a real MIT
# KDC started for this run, on hosts with Basic off and CbtHardeningLevel
# Strict, over HTTPS (loopback addresses and ports chosen per run).
#  - the enforcer converges a host from a ticket cache (kinit), and
#    another from a client keytab alone (KRB5_CLIENT_KTNAME), and reads
#    one with a password (username + password_env); the service
#    principal is HTTP/<inventory name> although `address` says where to
#    connect; ground truth shows the changes
#  - the same over HTTP (5985) with Kerberos message encryption, batched
#    reads over several connections, each logged on again once the host
#    closes it; over HTTPS, every request with its AP-REQ, bound to the
#    certificate of the connection it goes on: none without a header
#  - pywinrm (transport='kerberos', requests-kerberos) logs on as a
#    third-party control
#  - one clear line naming the host and what to do for: no ticket, a
#    missing keytab, an expired ticket, an unknown service principal, an
#    unreachable KDC, and a host whose clock is off
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
. "$(dirname "$0")/lib/kdc.sh"

NET=127.$((20 + $$ % 200)).$(( ($$ / 200) % 250 ))
REALM=CONTOSO.TEST
KDC_PORT=$((20000 + $$ % 20000))
CACHE=kh1.contoso.test
KEYTAB=kh2.contoso.test
NOSPN=kh3.contoso.test
SKEW=kh4.contoso.test
GA='Gateway Administrators'
PW=krb-Pa55w.rd

kdc_start $REALM $NET.88 $KDC_PORT
kadmin "addprinc -pw $PW svc-enforcer"
kadmin "ktadd -k $KDC_DIR/client.keytab -norandkey svc-enforcer"
for h in $CACHE $KEYTAB; do
	kadmin "addprinc -randkey HTTP/$h"
	kadmin "ktadd -k $KDC_DIR/http.keytab HTTP/$h"
done
export KRB5_KTNAME="FILE:$KDC_DIR/http.keytab"

cat >"$TMP/fleet.yaml" <<EOF
defaults:
  winrm: { service: { auth: { Basic: false, CbtHardeningLevel: Strict } } }
  users: { 'CONTOSO\\svc-enforcer': { password: 'not-used-$$', admin: true } }
  accounts: [ 'CONTOSO\\hci-admins', 'CONTOSO\\alice' ]
  groups: { '$GA': { members: [] } }
hosts:
  $CACHE: { address: $NET.1, http_port: 5985 }
  $KEYTAB: { address: $NET.2 }
  $NOSPN: { address: $NET.3 }
EOF
fleet_start "$TMP/fleet.yaml" --ca-out "$TMP/ca.pem" --trace "$TMP/trace"
# The simulator's own environment must not serve as the client's.
unset KRB5_KTNAME

ds_new "$TMP/ds"
cat >"$TMP/ds/connection.yaml" <<EOF
connection:
  auth: kerberos
  ca_file: $SIM_CA
  timeout: 10s
EOF
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $CACHE: { groups: [cache], address: $NET.1 }
  $KEYTAB: { groups: [keytab], address: $NET.2 }
  $NOSPN: { groups: [nospn], address: $NET.3 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  all:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins'] }
EOF

# From a ticket cache.
echo "$PW" | kinit svc-enforcer >"$TMP/kinit.out" 2>&1 ||
	fail "kinit: $(cat "$TMP/kinit.out")"
run_enforcer apply --hosts cache "$TMP/ds"
expect_rc "apply from the ticket cache" 0
expect "ticket cache: converged" 'CONTOSO\hci-admins' \
    "$(truth $CACHE "group.$GA.members")"
NOOP_ARGS="--hosts cache" expect_noop "$TMP/ds" $CACHE
expect "no refusals" 0 \
    "$(sim GET /hosts/$CACHE/counters | sed -n 's/^auth_failures = //p')"

# Under Kerberos a client sends its batched reads (one kind: credssp's
# config and registry reads, wsman_read_many) over several connections
# at once, each with a GSS context of its own.  Ground truth: the host
# saw several connections open at once (one at a time while the client
# had a single context), and refused none of the AP-REQs.
ds_batched "$TMP/ds/connection.yaml" "$TMP/par" $CACHE $NET.1
mark=$(wc -l <"$TMP/trace")
expect_parallel $CACHE "$TMP/par" "Kerberos"
# The AP-REQ is bound to the certificate of the connection it goes on,
# made once libcurl has that connection (transport.c, on_prereq()): no
# request goes without a header to learn the certificate, so the host
# answers no 401 (none is a refusal either, above), and closes no
# connection after one.
expect "Kerberos: every request with its AP-REQ, no 401" 0 \
    "$(tail -n +$((mark + 1)) "$TMP/trace" |
    awk -v h=$CACHE '$2 == h && $3 == "401"' | wc -l)"

# pywinrm as a third-party control, from the same cache.  Debian's
# pykerberos (1.1.14) has no channel bindings, so requests-kerberos sends
# none: Strict refuses it, as Windows would; Relaxed lets it in.
pywinrm_kerberos() {
	env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE /usr/bin/python3 - \
    "$CACHE" "$NET.1" "$SIM_CA" >"$TMP/py.out" 2>&1 <<'EOF'
import socket, sys
import winrm
name, address, ca = sys.argv[1:4]
real = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: real(
    address if host == name else host, *a, **k)
s = winrm.Session('https://%s:5986/wsman' % name, auth=(None, None),
                  transport='kerberos', server_cert_validation='validate',
                  ca_trust_path=ca)
try:
    r = s.run_cmd('whoami')
    print(r.status_code, r.std_out.decode().strip())
except winrm.exceptions.InvalidCredentialsError:
    print('refused')
EOF
}
pywinrm_kerberos
expect "pywinrm Kerberos without bindings, Strict: refused" refused \
    "$(cat "$TMP/py.out")"
sim_ok POST /hosts/$CACHE/set \
    'winrm.service.auth.CbtHardeningLevel = Relaxed' >/dev/null
pywinrm_kerberos
expect "pywinrm Kerberos control, Relaxed" '0 contoso\svc-enforcer' \
    "$(cat "$TMP/py.out")"
sim_ok POST /hosts/$CACHE/set \
    'winrm.service.auth.CbtHardeningLevel = Strict' >/dev/null

# No ticket, no keytab.
kdestroy >/dev/null 2>&1
run_enforcer plan --hosts cache "$TMP/ds"
expect_rc "no ticket fails the host" 3
expect_match "no ticket: what to do" \
    "^$CACHE: failed: .*: kerberos: cannot get credentials: no Kerberos credentials: run kinit, or set KRB5_CLIENT_KTNAME to a client keytab" \
    "$OUT"

# From a client keytab alone, into a cache of the enforcer's own.
KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" \
    KRB5CCNAME="MEMORY:enforcer" run_enforcer apply --hosts keytab "$TMP/ds"
expect_rc "apply from the client keytab" 0
expect "client keytab: converged" 'CONTOSO\hci-admins' \
    "$(truth $KEYTAB "group.$GA.members")"

# From a password alone (no cache, no keytab): the enforcer asks the KDC
# itself, the password kept in memory.
mkdir -p "$TMP/ds2"
cp "$TMP/ds/policies.yaml" "$TMP/ds2/"
cat >"$TMP/ds2/hosts.yaml" <<EOF
connection:
  auth: kerberos
  username: svc-enforcer
  password_env: KRB_PASSWORD
  ca_file: $SIM_CA
  timeout: 10s
hosts:
  $CACHE: { address: $NET.1 }
EOF
KRB_PASSWORD="$PW" KRB5CCNAME="FILE:$TMP/no-such-cache" \
    run_enforcer plan "$TMP/ds2"
expect_rc "plan with a Kerberos password" 0
expect_line "password: read the host" "$CACHE: in sync"
[ -e "$TMP/no-such-cache" ] && fail "the password's ticket was written to a cache"
KRB_PASSWORD="not-$PW" KRB5CCNAME="FILE:$TMP/no-such-cache" \
    run_enforcer plan "$TMP/ds2"
expect_rc "a wrong Kerberos password fails the host" 3
expect_match "wrong Kerberos password: one line, what to do" \
    "^$CACHE: failed: .*: kerberos: cannot [a-z ]*: wrong password or keytab for the client principal" \
    "$OUT"

# Over HTTP (5985) with Kerberos message encryption, from the keytab: the
# simulator refuses any SOAP in clear, so every message was sealed.
mkdir -p "$TMP/ds3"
cat >"$TMP/ds3/hosts.yaml" <<EOF
connection:
  transport: http
  port: 5985
  auth: kerberos
  timeout: 10s
hosts:
  $CACHE: { address: $NET.1 }
policies:
  all:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins', 'CONTOSO\\alice'] }
EOF
KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" KRB5CCNAME="MEMORY:http" \
    run_enforcer apply "$TMP/ds3"
expect_rc "apply over HTTP with Kerberos message encryption" 0
expect "converged over HTTP" 'CONTOSO\hci-admins,CONTOSO\alice' \
    "$(truth $CACHE "group.$GA.members")"
# Over HTTP too, several connections, each with its own context and
# sequence numbers; a connection the host closes is logged on again.
cat >"$TMP/http-connection.yaml" <<EOF
connection:
  transport: http
  port: 5985
  auth: kerberos
  timeout: 10s
EOF
ds_batched "$TMP/http-connection.yaml" "$TMP/par3" $CACHE $NET.1
cache=$KRB5CCNAME
export KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" KRB5CCNAME="MEMORY:http"
expect_parallel $CACHE "$TMP/par3" "Kerberos over HTTP"
expect_relogon $CACHE "Kerberos over HTTP" plan "$TMP/par3"
unset KRB5_CLIENT_KTNAME
KRB5CCNAME=$cache

# A keytab that is not there.
KRB5_CLIENT_KTNAME="$KDC_DIR/missing.keytab" \
    run_enforcer plan --hosts keytab "$TMP/ds"
expect_rc "missing keytab fails the host" 3
expect_match "missing keytab: names it" \
    "^$KEYTAB: failed: .*: kerberos: cannot get credentials: the client keytab $KDC_DIR/missing.keytab (KRB5_CLIENT_KTNAME) does not exist" \
    "$OUT"

# A service principal the KDC does not know.
KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" \
    run_enforcer plan --hosts nospn "$TMP/ds"
expect_rc "unknown service principal fails the host" 3
expect_match "unknown service principal: what to do" \
    "^$NOSPN: failed: .*: kerberos: cannot log on: the KDC knows no service principal HTTP/$NOSPN: register it for the host" \
    "$OUT"

# An expired ticket.
echo "$PW" | kinit -l 2s svc-enforcer >"$TMP/kinit.out" 2>&1 ||
	fail "kinit -l 2s: $(cat "$TMP/kinit.out")"
sleep 3
run_enforcer plan --hosts cache "$TMP/ds"
expect_rc "expired ticket fails the host" 3
expect_match "expired ticket: what to do" \
    "^$CACHE: failed: .*: kerberos: .*the Kerberos ticket has expired: run kinit again" \
    "$OUT"
kdestroy >/dev/null 2>&1

# A KDC nobody answers for (a loopback port with nothing listening).
kdc_krb5_conf "$TMP/unreachable.conf" "$NET.89:$KDC_PORT"
KRB5_CONFIG="$TMP/unreachable.conf" \
    KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" \
    run_enforcer plan --hosts keytab "$TMP/ds"
expect_rc "unreachable KDC fails the host" 3
expect_match "unreachable KDC: what to do" \
    "^$KEYTAB: failed: .*: kerberos: .*cannot reach a KDC for the realm" \
    "$OUT"

# A host whose clock is 10 minutes behind (its own simulator, under
# libfaketime): MIT's acceptor refuses the authenticator (5 minutes of
# skew allowed) and answers with a KRB-ERROR.
kadmin "addprinc -randkey HTTP/$SKEW"
kadmin "ktadd -k $KDC_DIR/skew.keytab HTTP/$SKEW"
cat >"$TMP/skew.yaml" <<EOF
defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: 'not-used-$$', admin: true } }
hosts:
  $SKEW: { address: $NET.4 }
EOF
# (ASan wants to come first; libfaketime is preloaded before it.)
ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
    KRB5_KTNAME="FILE:$KDC_DIR/skew.keytab" faketime -f -10m "$WINRM_SIM" \
    --fleet "$TMP/skew.yaml" --ca-out "$TMP/skew-ca.pem" \
    --control 127.0.0.1:0 >"$TMP/skew.out" 2>"$TMP/skew.err" &
SKEW_PID=$!
# faketime forks the simulator and waits for it: both are stopped.
trap 'pkill -P $SKEW_PID 2>/dev/null; kill $SKEW_PID 2>/dev/null; kdc_stop; cleanup' \
    EXIT INT TERM
wait_line "$TMP/skew.out" '^fleet ready' $SKEW_PID "$TMP/skew.err" \
    "skewed simulator"
SKEW_CTL=$(sed -n 's/^control //p' "$TMP/skew.out")
cat >>"$TMP/ds/hosts.yaml" <<EOF
  $SKEW: { groups: [skew], address: $NET.4, ca_file: $TMP/skew-ca.pem }
EOF
KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" KRB5CCNAME="MEMORY:skew" \
    run_enforcer plan --hosts skew "$TMP/ds"
expect_rc "clock skew fails the host" 3
expect_match "clock skew: what to do" \
    "^$SKEW: failed: .*: kerberos: .*clocks differ too much: synchronise this machine, the KDC and the host (NTP)" \
    "$OUT"
# Refused once on each connection the first round opened (local_group's
# groups and accounts queries go at once), none retried.
expect "the skewed host saw the refusal, once per first-round read" 2 \
    "$("$WINRM_SIM" ctl "$SKEW_CTL" GET /hosts/$SKEW/counters |
    sed -n 's/^auth_failures = //p')"

if printf '%s\n%s\n' "$OUT" "$ERR" | grep -q "$PW"; then
	fail "the password appears in the output"
else
	echo "ok: no password in the output"
fi

finish
