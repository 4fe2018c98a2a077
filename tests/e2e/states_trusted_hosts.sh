#!/bin/sh
# states_trusted_hosts.sh: the trusted_hosts module against the simulator
# (on $NET).
#  - additive: missing entries appended, others' entries kept
#  - exclusive: exactly the listed entries
#  - from an empty list
#  - a list Group Policy owns: reported, never written
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

ADD=add.contoso.test
EXCL=excl.contoso.test
EMPTY=empty.contoso.test
GPO=gpo.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $ADD:
    address: $NET.1
    winrm: { client: { TrustedHosts: '10.0.0.5' } }
  $EXCL:
    address: $NET.2
    winrm: { client: { TrustedHosts: '10.0.0.5,old.example.test' } }
  $EMPTY:
    address: $NET.3
  $GPO:
    address: $NET.4
    winrm: { client: { TrustedHosts: '10.0.0.5' } }
    gpo: [winrm.client.TrustedHosts]
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $ADD: { groups: [fixable], address: $NET.1 }
  $EXCL: { groups: [fixable], address: $NET.2 }
  $EMPTY: { groups: [fixable], address: $NET.3 }
  $GPO: { address: $NET.4 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  $ADD:
    trusted_hosts: { hosts: ['*.contoso.test'] }
  $EXCL:
    trusted_hosts: { hosts: ['*.contoso.test', '192.0.2.10'], exclusive: true }
  $EMPTY:
    trusted_hosts: { hosts: ['*.contoso.test', '<local>'] }
  $GPO:
    trusted_hosts: { hosts: ['*.contoso.test'] }
EOF

run_enforcer plan --hosts fixable "$TMP/ds"
expect_rc "plan shows the drift" 2
expect_line "additive" \
    "  ~ trusted_hosts.hosts: 10.0.0.5 -> 10.0.0.5,*.contoso.test   (policy $ADD)"
expect_line "exclusive" \
    "  ~ trusted_hosts.hosts: 10.0.0.5,old.example.test -> *.contoso.test,192.0.2.10   (policy $EXCL)"
expect_line "from empty" \
    "  + trusted_hosts.hosts: *.contoso.test,<local>   (policy $EMPTY)"

run_enforcer apply --hosts fixable "$TMP/ds"
expect_rc "apply fixes it" 0
expect "additive: others' entry kept" '10.0.0.5,*.contoso.test' \
    "$(truth $ADD winrm.client.TrustedHosts)"
expect "exclusive: only the listed entries" '*.contoso.test,192.0.2.10' \
    "$(truth $EXCL winrm.client.TrustedHosts)"
expect "from empty" '*.contoso.test,<local>' \
    "$(truth $EMPTY winrm.client.TrustedHosts)"
NOOP_ARGS="--hosts fixable" expect_noop "$TMP/ds" $ADD $EXCL $EMPTY

# Drift out of band: winrm set from a console replaces the list.
sim_ok POST "/hosts/$EXCL/cmd" \
    'winrm set winrm/config/client @{TrustedHosts="rogue.example.test"}' \
    >/dev/null
expect "drift planted" rogue.example.test "$(truth $EXCL winrm.client.TrustedHosts)"
run_enforcer apply --hosts $EXCL "$TMP/ds"
expect_rc "apply repairs the drift" 0
expect "exclusive list back" '*.contoso.test,192.0.2.10' \
    "$(truth $EXCL winrm.client.TrustedHosts)"

# --- owned by Group Policy ------------------------------------------------------
reset_counters $GPO
run_enforcer apply --hosts $GPO "$TMP/ds"
expect_rc "apply reports the GPO-owned list" 2
expect_line "reported" \
    "  ! trusted_hosts.hosts: 10.0.0.5 -> 10.0.0.5,*.contoso.test   (policy $GPO)"
expect_line "GPO note" "      owned by Group Policy: change the GPO"
expect "list untouched" 10.0.0.5 "$(truth $GPO winrm.client.TrustedHosts)"
expect "no write" 0 "$(writes $GPO)"

finish
