#!/bin/sh
# states_winrm_config.sh: the WinRM configuration tree is read with one Get
# of http://schemas.microsoft.com/wbem/wsman/1/config per host per read,
# shared by the kinds that need a part of it (credssp: Service/Auth and
# Client/Auth; trusted_hosts: Client/TrustedHosts; states/memo.c).  Counted
# in the simulator's own trace (--trace: "secs host action resource BODY cN"):
#  - a no-op plan of credssp + trusted_hosts on two hosts: exactly one
#    "Get config" per host, no Get of a sub-resource (auth, client)
#  - a GPO-owned TrustedHosts and service CredSSP are still recognised
#    from that one reply (Source="GPO" on the nested elements)
#  - apply of a changed value on both kinds: the Puts, then one new
#    "Get config" after them (the verify reads afresh), and the simulator
#    holds the new values
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

A=a.contoso.test
B=b.contoso.test
G=gpo.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $A:
    address: $NET.1
    winrm: { client: { TrustedHosts: '*.contoso.test' } }
  $B:
    address: $NET.2
    winrm: { client: { TrustedHosts: '*.contoso.test' } }
  $G:
    address: $NET.3
    winrm:
      service: { auth: { CredSSP: true } }
      client: { TrustedHosts: '10.0.0.5' }
    gpo: [winrm.client.TrustedHosts, winrm.service.auth.CredSSP]
EOF
fleet_start "$TMP/fleet.yaml" --ca-out "$TMP/ca.pem" --trace "$TMP/trace"

# ds ITEMS: the desired state, TrustedHosts [ITEMS] for the fixable group.
ds() {
	rm -rf "$TMP/ds"
	ds_new "$TMP/ds"
	cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $A: { groups: [fixable], address: $NET.1 }
  $B: { groups: [fixable], address: $NET.2 }
  $G: { groups: [gpo], address: $NET.3 }
policies:
  fixable:
    credssp: { server: disabled, client: disabled }
    trusted_hosts: { hosts: [$1], exclusive: true }
  gpo:
    credssp: { server: disabled }
    trusted_hosts: { hosts: ['*.contoso.test'] }
EOF
}

# since N HOST: the trace's lines after line N for HOST, "action resource".
since() {
	tail -n +$(($1 + 1)) "$TMP/trace" |
	    awk -v h="$2" '$2 == h { print $3, $4 }'
}

# count N HOST LINE: how many of those lines are LINE.
count() {
	since "$1" "$2" | grep -cxF "$3"
}

ds "'*.contoso.test'"
mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts fixable "$TMP/ds"
expect_rc "plan: in sync" 0
for h in $A $B; do
	expect "$h: one Get of the config tree" 1 \
	    "$(count "$mark" $h 'Get config')"
	expect "$h: no Get of service or client auth" 0 \
	    "$(count "$mark" $h 'Get auth')"
	expect "$h: no Get of config/client" 0 \
	    "$(count "$mark" $h 'Get client')"
done

mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts gpo "$TMP/ds"
expect_rc "plan: GPO-owned drift reported" 2
expect_line "TrustedHosts is Group Policy's" \
    "  ! trusted_hosts.hosts: 10.0.0.5 -> 10.0.0.5,*.contoso.test   (policy gpo)"
expect_line "service CredSSP is Group Policy's" \
    "  ! credssp.server.enabled: true -> false   (policy gpo)"
expect "$G: one Get of the config tree" 1 \
    "$(count "$mark" $G 'Get config')"

# Both kinds change on A: the Puts go, then a fresh Get verifies them.
sim_ok POST "/hosts/$A/cmd" \
    'winrm set winrm/config/service/auth @{CredSSP="true"}' >/dev/null
expect "drift planted" true "$(truth $A winrm.service.auth.CredSSP)"
ds "'*.contoso.test', '192.0.2.10'"
mark=$(wc -l <"$TMP/trace")
run_enforcer apply --hosts $A "$TMP/ds"
expect_rc "apply: both changes verified" 0
expect "TrustedHosts written" '*.contoso.test,192.0.2.10' \
    "$(truth $A winrm.client.TrustedHosts)"
expect "service CredSSP written" false \
    "$(truth $A winrm.service.auth.CredSSP)"
expect "$A: read, both Puts, then one fresh read" \
    "Get config|Put|Put|Get config" \
    "$(since "$mark" $A | grep -xE 'Get config|Put (auth|client)' |
    sed 's/^Put .*/Put/' | paste -sd '|')"
finish
