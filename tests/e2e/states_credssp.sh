#!/bin/sh
# states_credssp.sh: the credssp module against the simulator (on $NET).
#  - server role on -> off; encryption_oracle vulnerable -> force_updated_clients
#  - client role: enabling writes the delegation lists as numbered REG_SZ
#    values beside DWORD flags; disabling removes only the wsman/ entries,
#    keeps TERMSRV/x (someone else's), renumbered from 1, and drops the
#    NTLM-only list, its flags and subkey entirely
#  - a GPO-owned setting is reported, never written (zero writes, exit 2)
# Each: plan shows the drift (exit 2), apply fixes it (exit 0), the ground
# truth changed, a second apply writes nothing, plan then exits 0.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

CD='SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation'
EO='SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters'
SRV=srv.contoso.test
CLI=cli.contoso.test
GPO=gpo.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $SRV:
    address: $NET.1
    winrm: { service: { auth: { CredSSP: true } } }
    registry:
      '$EO': { AllowEncryptionOracle: { type: REG_DWORD, data: 2 } }
  $CLI:
    address: $NET.2
    registry:
      '$CD':
        AllowFreshCredentials: { type: REG_DWORD, data: 1 }
        ConcatenateDefaults_AllowFresh: { type: REG_DWORD, data: 1 }
      '$CD\\AllowFreshCredentials':
        '1': { type: REG_SZ, data: 'wsman/old.contoso.test' }
        '2': { type: REG_SZ, data: 'TERMSRV/x' }
  $GPO:
    address: $NET.3
    winrm: { service: { auth: { CredSSP: true } } }
    gpo: [winrm.service.auth.CredSSP]
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $SRV: { groups: [fixable], address: $NET.1 }
  $CLI: { groups: [fixable], address: $NET.2 }
  $GPO: { groups: [gpo-owned], address: $NET.3 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  $SRV:
    credssp: { server: disabled, encryption_oracle: force_updated_clients }
  $CLI:
    credssp:
      client:
        enabled: true
        delegate: ['wsman/*.contoso.test']
        delegate_ntlm_only: ['wsman/*.contoso.test']
  $GPO:
    credssp: { server: disabled }
EOF

# --- server role, encryption oracle, client enabled ------------------------
run_enforcer plan --hosts fixable "$TMP/ds"
expect_rc "plan shows the drift" 2
expect_line "server role drift" \
    "  ~ credssp.server.enabled: true -> false   (policy $SRV)"
expect_line "encryption oracle drift" \
    "  ~ credssp.encryption_oracle: vulnerable -> force_updated_clients   (policy $SRV)"
expect_line "client role drift" \
    "  ~ credssp.client.enabled: false -> true   (policy $CLI)"
expect_line "delegation list: ours added, others kept" \
    "  ~ credssp.client.delegate: wsman/old.contoso.test, TERMSRV/x -> wsman/old.contoso.test, TERMSRV/x, wsman/*.contoso.test   (policy $CLI)"
expect_line "NTLM-only list created" \
    "  + credssp.client.delegate_ntlm_only: wsman/*.contoso.test   (policy $CLI)"
expect "plan wrote nothing" 0 "$(($(writes $SRV) + $(writes $CLI)))"

run_enforcer apply --hosts fixable "$TMP/ds"
expect_rc "apply fixes it" 0
expect "server role off" false "$(truth $SRV winrm.service.auth.CredSSP)"
expect "encryption oracle 0" "REG_DWORD 0" \
    "$(truth $SRV "reg.$EO:AllowEncryptionOracle")"
expect "client role on" true "$(truth $CLI winrm.client.auth.CredSSP)"
expect "AllowFreshCredentials flag" "REG_DWORD 1" \
    "$(truth $CLI "reg.$CD:AllowFreshCredentials")"
expect "ConcatenateDefaults_AllowFresh" "REG_DWORD 1" \
    "$(truth $CLI "reg.$CD:ConcatenateDefaults_AllowFresh")"
expect "delegate 1" "REG_SZ wsman/old.contoso.test" \
    "$(truth $CLI "reg.$CD\\AllowFreshCredentials:1")"
expect "delegate 2" "REG_SZ TERMSRV/x" \
    "$(truth $CLI "reg.$CD\\AllowFreshCredentials:2")"
expect "delegate 3" "REG_SZ wsman/*.contoso.test" \
    "$(truth $CLI "reg.$CD\\AllowFreshCredentials:3")"
expect "NTLM-only flag" "REG_DWORD 1" \
    "$(truth $CLI "reg.$CD:AllowFreshCredentialsWhenNTLMOnly")"
expect "ConcatenateDefaults_AllowFreshNTLMOnly" "REG_DWORD 1" \
    "$(truth $CLI "reg.$CD:ConcatenateDefaults_AllowFreshNTLMOnly")"
expect "NTLM-only 1" "REG_SZ wsman/*.contoso.test" \
    "$(truth $CLI "reg.$CD\\AllowFreshCredentialsWhenNTLMOnly:1")"
expect "reg_key_exists sees the NTLM-only subkey" 1 \
    "$(reg_key_exists $CLI "$CD\\AllowFreshCredentialsWhenNTLMOnly")"
NOOP_ARGS="--hosts fixable" expect_noop "$TMP/ds" $SRV $CLI

# --- client disabled: only wsman/ entries go, renumbered from 1 ------------
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  $SRV:
    credssp: { server: disabled, encryption_oracle: force_updated_clients }
  $CLI:
    credssp: { client: disabled }
  $GPO:
    credssp: { server: disabled }
EOF
run_enforcer plan --hosts $CLI "$TMP/ds"
expect_rc "plan shows the client to disable" 2
expect_line "client role off" \
    "  ~ credssp.client.enabled: true -> false   (policy $CLI; desired state changed)"
expect_line "wsman/ entries leave the list" \
    "  ~ credssp.client.delegate: wsman/old.contoso.test, TERMSRV/x, wsman/*.contoso.test -> TERMSRV/x   (policy $CLI; desired state changed)"
expect_line "NTLM-only list removed" \
    "  - credssp.client.delegate_ntlm_only: wsman/*.contoso.test   (policy $CLI; desired state changed)"
run_enforcer apply --hosts $CLI "$TMP/ds"
expect_rc "apply disables the client" 0
expect "client role off" false "$(truth $CLI winrm.client.auth.CredSSP)"
expect "someone else's entry kept, now 1" "REG_SZ TERMSRV/x" \
    "$(truth $CLI "reg.$CD\\AllowFreshCredentials:1")"
absent "no value 2 left" $CLI "reg.$CD\\AllowFreshCredentials:2"
absent "no value 3 left" $CLI "reg.$CD\\AllowFreshCredentials:3"
expect "AllowFreshCredentials flag kept (an entry remains)" "REG_DWORD 1" \
    "$(truth $CLI "reg.$CD:AllowFreshCredentials")"
absent "NTLM-only flag gone" $CLI "reg.$CD:AllowFreshCredentialsWhenNTLMOnly"
absent "NTLM-only concatenate gone" $CLI \
    "reg.$CD:ConcatenateDefaults_AllowFreshNTLMOnly"
expect "NTLM-only subkey gone" 0 \
    "$(reg_key_exists $CLI "$CD\\AllowFreshCredentialsWhenNTLMOnly")"
NOOP_ARGS="--hosts $CLI" expect_noop "$TMP/ds" $CLI

# --- owned by Group Policy: reported, never written -------------------------
reset_counters $GPO
run_enforcer plan --hosts gpo-owned "$TMP/ds"
expect_rc "plan shows the GPO-owned setting" 2
expect_line "GPO-owned change line" \
    "  ! credssp.server.enabled: true -> false   (policy $GPO)"
expect_line "GPO note" "      owned by Group Policy: change the GPO"
run_enforcer apply --hosts gpo-owned "$TMP/ds"
expect_rc "apply reports, does not fight, the GPO" 2
expect_line "apply says so" "      owned by Group Policy: change the GPO"
expect "GPO-owned value untouched" true "$(truth $GPO winrm.service.auth.CredSSP)"
expect "no write to the GPO-owned host" 0 "$(writes $GPO)"

finish
