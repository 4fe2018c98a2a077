#!/bin/sh
# engine_noop.sh: every module at once on a small fleet (on $NET):
# apply converges it (ground truth), and a second apply right after sends
# no write request to any host, leaves no remote shell open and exits 0;
# plan then exits 0.  Prints the requests a no-op apply costs per host.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

N1=node1.contoso.test
N2=node2.contoso.test
GW=wac01.contoso.test
CD='SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation'

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
  accounts: ['CONTOSO\\hci-admins']
  services: { W32Time: { state: Stopped, start_mode: Manual } }
  groups: { Gateway Administrators: { members: ['CONTOSO\\bob'] } }
  certificate: expiring
  certificate_days: 5
  extra_certificates: [{ scenario: valid, days: 365 }]
hosts:
  $N1:
    address: $NET.1
    winrm: { service: { auth: { CredSSP: true } }, client: { TrustedHosts: '10.0.0.9' } }
  $N2:
    address: $NET.2
    winrm: { service: { auth: { CredSSP: true } } }
  $GW:
    address: $NET.3
    winrm: { client: { auth: { CredSSP: true } } }
    registry:
      '$CD':
        AllowFreshCredentials: { type: REG_DWORD, data: 1 }
        ConcatenateDefaults_AllowFresh: { type: REG_DWORD, data: 1 }
      '$CD\\AllowFreshCredentials':
        '1': { type: REG_SZ, data: 'wsman/*.contoso.test' }
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $N1: { groups: [hci-nodes], address: $NET.1 }
  $N2: { groups: [hci-nodes], address: $NET.2 }
  $GW: { groups: [gateways], address: $NET.3 }
policies:
  all:
    service: { W32Time: { state: running, start_mode: auto } }
    wsman_listener: { https: { certificate: { min_days_left: 30 } } }
  hci-nodes:
    credssp: { server: disabled, encryption_oracle: force_updated_clients }
    trusted_hosts: { hosts: ['*.contoso.test'], exclusive: true }
  gateways:
    credssp: { client: disabled }
    local_group:
      Gateway Administrators: { members: ['CONTOSO\\hci-admins'], exclusive: true }
EOF

run_enforcer plan "$TMP/ds"
expect_rc "plan shows the drift" 2
expect_line "$N1: all its drift" "$N1: 6 changes"
expect_line "$N2: all its drift" "$N2: 6 changes"
expect_line "$GW: all its drift" "$GW: 7 changes"

run_enforcer apply "$TMP/ds"
expect_rc "apply converges" 0
for h in $N1 $N2 $GW; do
	expect "$h: W32Time" Running "$(truth $h service.W32Time.state)"
	expect "$h: W32Time mode" Auto "$(truth $h service.W32Time.start_mode)"
	t=$(truth $h 'listener.HTTPS.*.CertificateThumbprint')
	expect "$h: listener on a certificate with a year left" \
	    "$(sim GET /hosts/$h/state | sed -n 's/^cert\.\([0-9A-F]*\)\.not_after = 2027.*/\1/p')" "$t"
done
for h in $N1 $N2; do
	expect "$h: CredSSP server" false "$(truth $h winrm.service.auth.CredSSP)"
	expect "$h: TrustedHosts" '*.contoso.test' \
	    "$(truth $h winrm.client.TrustedHosts)"
done
expect "$GW: CredSSP client" false "$(truth $GW winrm.client.auth.CredSSP)"
absent "$GW: delegation removed" $GW "reg.$CD:AllowFreshCredentials"
expect "$GW: Gateway Administrators" 'CONTOSO\hci-admins' \
    "$(truth $GW 'group.Gateway Administrators.members')"

expect_noop "$TMP/ds" $N1 $N2 $GW
for h in $N1 $N2 $GW; do
	expect "$h: no shell left open" 0 \
	    "$(sim GET /hosts/$h/counters | sed -n 's/^shells_open = //p')"
done

# The figure: what a no-op apply costs each host.
reset_counters $N1 $N2 $GW
run_enforcer apply "$TMP/ds"
expect_rc "third apply" 0
for h in $N1 $N2 $GW; do
	echo "no-op apply: $h: $(sim GET /hosts/$h/counters |
	    sed -n 's/^requests = //p') requests, $(writes $h) writes"
done

finish
