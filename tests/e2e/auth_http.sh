#!/bin/sh
# auth_http.sh: a host reached over HTTP (5985) with NTLM and WinRM message
# encryption, as `winrm quickconfig` leaves most hosts (loopback addresses
# chosen per run).
#  - the host has only its HTTP listener; the enforcer converges it over
#    HTTP (the simulator refuses any SOAP in clear, so every request and
#    reply was sealed) and creates its HTTPS listener; ground truth shows
#    both
#  - the new HTTPS listener then serves: the same desired state over HTTPS
#    finds the host in sync
#  - one kind's batched reads go over several connections at once, each
#    with its own context; a connection the host closes after each reply
#    is logged on again, and a drift is still repaired over HTTP
#  - a wrong password over HTTP: one line naming the host
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
# gss-ntlmssp's leak is suppressed by module (tests/lsan.supp).
[ "${SAN:-0}" = 1 ] &&
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0"

NET=127.$((20 + $$ % 200)).$(( ($$ / 200) % 250 ))
H=web1.contoso.test
GA='Gateway Administrators'

cat >"$TMP/fleet.yaml" <<EOF
defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: '$E2E_PASSWORD', admin: true } }
  accounts: [ 'CONTOSO\\hci-admins' ]
  groups: { '$GA': { members: [] } }
hosts:
  $H: { address: $NET.1, http_port: 5985 }
EOF
fleet_start "$TMP/fleet.yaml"
THUMB=$(truth $H 'listener.HTTPS.*.CertificateThumbprint')
sim_ok POST /hosts/$H/set 'listener.HTTPS.* = <deleted>' >/dev/null
absent "only the HTTP listener is left" $H 'listener.HTTPS.*.Port'
expect "unencrypted traffic refused by the host" false \
    "$(truth $H winrm.service.AllowUnencrypted)"

mkdir -p "$TMP/ds"
cat >"$TMP/ds/connection.yaml" <<EOF
connection:
  transport: http
  port: 5985
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  # The CA the HTTPS listener's certificate must chain to: the enforcer
  # binds no certificate it would not trust afterwards.
  ca_file: $SIM_CA
  timeout: 10s
EOF
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $H: { address: $NET.1 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  all:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins'] }
    wsman_listener:
      https: { certificate: { min_days_left: 30, match_hostname: true } }
EOF

run_enforcer apply "$TMP/ds"
expect_rc "apply over HTTP, sealed" 0
expect "converged over HTTP" 'CONTOSO\hci-admins' \
    "$(truth $H "group.$GA.members")"
expect "HTTPS listener created over HTTP" "$THUMB" \
    "$(truth $H 'listener.HTTPS.*.CertificateThumbprint')"
expect "... on WinRM's HTTPS port" 5986 "$(truth $H 'listener.HTTPS.*.Port')"
expect "no refusals" 0 \
    "$(sim GET /hosts/$H/counters | sed -n 's/^auth_failures = //p')"

# The listener it created now serves HTTPS.
mkdir -p "$TMP/ds2"
cp "$TMP/ds/hosts.yaml" "$TMP/ds/policies.yaml" "$TMP/ds2/"
cat >"$TMP/ds2/connection.yaml" <<EOF
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
  timeout: 10s
EOF
run_enforcer plan "$TMP/ds2"
expect_rc "plan over the new HTTPS listener" 0
expect_line "in sync over HTTPS" "$H: in sync"

# Several connections over HTTP, each with its own context and sequence
# numbers; a connection the host closes is logged on again, and writes
# still land (drift planted, then repaired over HTTP).
ds_batched "$TMP/ds/connection.yaml" "$TMP/par" $H $NET.1
expect_parallel $H "$TMP/par" "HTTP, sealed"
sim_ok POST /hosts/$H/set "group.$GA.members = " >/dev/null
expect "HTTP, sealed: drift planted" "" "$(truth $H "group.$GA.members")"
expect_relogon $H "HTTP, sealed" apply "$TMP/ds"
n=$(writes $H)
[ "${n:-0}" -gt 0 ] && pass "HTTP, sealed: $n writes" ||
	fail "HTTP, sealed: no write repaired the drift"
expect "HTTP, sealed: converged again" 'CONTOSO\hci-admins' \
    "$(truth $H "group.$GA.members")"

ENFORCER_PASSWORD=wrong-password run_enforcer plan "$TMP/ds"
expect_rc "wrong password over HTTP fails the host" 3
expect_match "wrong password over HTTP: one line naming the host" \
    "^$H: failed: .*: ntlm authentication refused for user 'CONTOSO\\\\svc-enforcer' (HTTP 401; server offers: Negotiate, Kerberos): check the user name and password\$" \
    "$OUT"

finish
