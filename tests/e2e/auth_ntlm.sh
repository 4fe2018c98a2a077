#!/bin/sh
# auth_ntlm.sh: `auth: ntlm` the way Windows offers it: NTLMv2 tokens in
# the Negotiate scheme with channel bindings, against hosts with Basic off
# and CbtHardeningLevel Strict, over HTTPS (loopback addresses chosen per
# run).
#  - the enforcer converges a workgroup host with a domain account and a
#    host with a local account (no domain); ground truth shows the change
#  - pywinrm (transport='ntlm', requests-ntlm) logs on to the same host
#    as a third-party control
#  - one kind's batched reads go over several connections at once, each
#    logged on by itself; a connection the host closes is logged on again
#  - a wrong password: one line naming the host and what to do, and the
#    simulator counts the refusal
#  - a challenge cut short by a dropped connection reads as such
#  - UAC remote restrictions: a local administrator that is not the
#    built-in Administrator is filtered until LocalAccountTokenFilterPolicy
#    is 1
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

NET=127.$((20 + $$ % 200)).$(( ($$ / 200) % 250 ))
WG=wg1.contoso.test
LOCAL=wg2.contoso.test
UAC=wg3.contoso.test
GA='Gateway Administrators'

cat >"$TMP/fleet.yaml" <<EOF
defaults:
  winrm: { service: { auth: { Basic: false, CbtHardeningLevel: Strict } } }
  users:
    'CONTOSO\\svc-enforcer': { password: '$E2E_PASSWORD', admin: true }
    'Administrator': { password: '$E2E_PASSWORD', admin: true }
  accounts: [ 'CONTOSO\\hci-admins' ]
  groups: { '$GA': { members: [] } }
hosts:
  $WG: { address: $NET.1 }
  $LOCAL: { address: $NET.2 }
  $UAC:
    address: $NET.3
    users: { 'ops': { password: '$E2E_PASSWORD', admin: true } }
EOF
fleet_start "$TMP/fleet.yaml"
expect "Basic is off" false "$(truth $WG winrm.service.auth.Basic)"
expect "CBT Strict" Strict "$(truth $WG winrm.service.auth.CbtHardeningLevel)"

ds_new "$TMP/ds"
sed -i 's/^  auth: basic/  auth: ntlm/' "$TMP/ds/connection.yaml"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $WG: { groups: [ntlm], address: $NET.1 }
  $LOCAL: { groups: [ntlm], address: $NET.2, username: Administrator }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  ntlm:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins'] }
EOF

run_enforcer apply "$TMP/ds"
expect_rc "apply over NTLM" 0
expect "domain account: converged" 'CONTOSO\hci-admins' \
    "$(truth $WG "group.$GA.members")"
expect "local account: converged" 'CONTOSO\hci-admins' \
    "$(truth $LOCAL "group.$GA.members")"
expect "no refusals" 0 \
    "$(sim GET /hosts/$WG/counters | sed -n 's/^auth_failures = //p')"
NOOP_ARGS="" expect_noop "$TMP/ds" $WG $LOCAL

# pywinrm as a third-party control, on the same host, CBT Strict.
env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE /usr/bin/python3 - \
    "$WG" "$NET.1" "$SIM_CA" "$E2E_PASSWORD" >"$TMP/py.out" 2>&1 <<'EOF'
import socket, sys
import winrm
name, address, ca, password = sys.argv[1:5]
real = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: real(
    address if host == name else host, *a, **k)
s = winrm.Session('https://%s:5986/wsman' % name,
                  auth=('CONTOSO\\svc-enforcer', password), transport='ntlm',
                  server_cert_validation='validate', ca_trust_path=ca)
r = s.run_cmd('hostname')
print(r.status_code, r.std_out.decode().strip())
EOF
expect "pywinrm NTLM control" "0 wg1" "$(cat "$TMP/py.out")"

# NTLM authenticates a connection, not a request: each of the client's
# connections logs on by itself and keeps its own context, so one kind's
# batched reads (credssp's) go over several connections at once; a
# connection the host closed is logged on again.
ds_batched "$TMP/ds/connection.yaml" "$TMP/par" $WG $NET.1
expect_parallel $WG "$TMP/par" "NTLM"
expect_relogon $WG "NTLM" plan "$TMP/par"

sim_ok POST "/hosts/$WG/counters/reset" >/dev/null
ENFORCER_PASSWORD=wrong-password run_enforcer plan --hosts $WG "$TMP/ds"
expect_rc "wrong password fails the host" 3
expect_match "wrong password: one line naming the host and what to do" \
    "^$WG: failed: .*: ntlm authentication refused for user 'CONTOSO\\\\svc-enforcer' (HTTP 401; server offers: Negotiate, Kerberos): check the user name and password\$" \
    "$OUT"
# Each connection the plan opened (the first round's reads go at once)
# logs on once and is refused once: no logon is retried.
refused=$(sim GET /hosts/$WG/counters | sed -n 's/^auth_failures = //p')
expect_match "the host saw the refusal" '^[1-9]' "$refused"
expect "one refusal per connection, none retried" \
    "$(sim GET /hosts/$WG/counters | sed -n 's/^connections = //p')" \
    "$refused"
# The challenge cut short (connection closed inside the 401's headers):
# a dropped connection, not a refusal.
sim_ok POST /hosts/$WG/fault drop_mid_reply=1 >/dev/null
run_enforcer plan --hosts $WG "$TMP/ds"
expect_rc "a reply cut short fails the host" 3
expect_match "a reply cut short: said so" \
    "^$WG: failed: .*: connection dropped mid-reply" "$OUT"
sim_ok POST /hosts/$WG/fault drop_mid_reply=0 >/dev/null

# UAC remote restrictions: a local administrator other than the built-in
# Administrator gets a filtered token over the network until
# LocalAccountTokenFilterPolicy is 1.
UAC_KEY='SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System'
UAC_VALUE="reg.$UAC_KEY:LocalAccountTokenFilterPolicy"
cat >>"$TMP/ds/hosts.yaml" <<EOF
  $UAC: { groups: [ntlm], address: $NET.3, username: ops }
EOF
run_enforcer apply --hosts $UAC "$TMP/ds"
expect_rc "a filtered local administrator fails the host" 3
expect "filtered: nothing changed" '' "$(truth $UAC "group.$GA.members")"
printf '%s\n' "$OUT" | grep -m1 "^$UAC: failed:" | sed 's/^/    /'
sim_ok POST /hosts/$UAC/set "$UAC_VALUE = REG_DWORD 1" >/dev/null
run_enforcer apply --hosts $UAC "$TMP/ds"
expect_rc "LocalAccountTokenFilterPolicy 1: apply" 0
expect "unfiltered: converged" 'CONTOSO\hci-admins' \
    "$(truth $UAC "group.$GA.members")"

if printf '%s\n%s\n' "$OUT" "$ERR" | grep -q wrong-password; then
	fail "the password appears in the output"
else
	echo "ok: no password in the output"
fi

finish
