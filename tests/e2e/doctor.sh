#!/bin/sh
# doctor.sh: enforcer doctor against the simulator.  A sound chain first
# (exit 0): wac01 delegates to wsman/*.contoso.test, node1 (domain, by
# FQDN: Kerberos), ws1 (workgroup, by FQDN: NTLM with a certificate the
# gateway trusts), node1 by address (NTLM, no certificate for an address:
# the NTLM-only list and TrustedHosts).  Then each broken link planted
# alone in the ground truth, doctor naming it (exit 2) with its fix:
# client role off, no delegation entry, an entry for the FQDN while WAC
# uses the short name (the printed fix then run: a window, checked in the
# ground truth, after which the chain is sound), NTLM-only needed but
# missing, the node's certificate untrusted by the gateway's Root, an
# encryption-oracle pair Microsoft's table blocks, a GPO-owned client
# role, a broken secure channel.  --json carries the same.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/window.sh"

GW=wac01.contoso.test
N1=node1.contoso.test
WS=ws1.contoso.test
NT='SOFTWARE\Microsoft\Windows NT\CurrentVersion'
EO='SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters'

cat >"$TMP/fleet.yaml" <<YAML
defaults:
  users:
    CONTOSO\svc-enforcer: { password: 'S3cret-pass!', admin: true }
  winrm: { service: { auth: { CredSSP: true } } }
  registry:
    '$NT':
      CurrentBuildNumber: { type: REG_SZ, data: '20348' }
      UBR: { type: REG_DWORD, data: 2322 }
hosts:
  $GW:
    address: $NET.3
    winrm: { client: { auth: { CredSSP: true }, TrustedHosts: '$NET.1' } }
    registry:
      '$CD':
        AllowFreshCredentials: { type: REG_DWORD, data: 1 }
        ConcatenateDefaults_AllowFresh: { type: REG_DWORD, data: 1 }
        AllowFreshCredentialsWhenNTLMOnly: { type: REG_DWORD, data: 1 }
        ConcatenateDefaults_AllowFreshNTLMOnly: { type: REG_DWORD, data: 1 }
      '$CD\AllowFreshCredentials':
        '1': { type: REG_SZ, data: 'wsman/*.contoso.test' }
      '$CD\AllowFreshCredentialsWhenNTLMOnly':
        '1': { type: REG_SZ, data: 'wsman/$NET.1' }
  $N1: { address: $NET.1 }
  $WS: { address: $NET.2, domain: { joined: false } }
YAML
fleet_start "$TMP/fleet.yaml"
D="$TMP/ds"
mkdir -p "$D"
cat >"$D/hosts.yaml" <<YAML
hosts:
  $N1: { groups: [hci-nodes], address: $NET.1 }
  $WS: { groups: [hci-nodes], address: $NET.2 }
  $GW: { groups: [gateways], address: $NET.3 }
connection:
  auth: ntlm
  username: CONTOSO\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
YAML
git -C "$D" init -q
git_commit "$D" "hosts"

set_truth() {
	sim POST "/hosts/$1/set" "$2" >/dev/null || fail "set $2"
}
doctor() {
	run_enforcer doctor --gateway wac01 "$@" "$D"
}
# The status of LINK's finding ("  STATUS LINK HOST: ..."), about HOST
# when given.
finding() {
	printf '%s\n' "$OUT" | awk -v l="$1" -v h="${2:-}" \
	    '$2 == l && (h == "" || $3 == h ":") { print $1; exit }'
}

# --- the sound chain --------------------------------------------------------
doctor --node $N1 --node $WS --node $NET.1
expect_rc "sound chain" 0
expect_line "node1 by FQDN: Kerberos" \
    "$GW -> $N1 ($N1): kerberos, as both domain members, the node reached by name"
expect_line "ws1: NTLM, workgroup" \
    "$GW -> $WS ($WS): ntlm, as the node is in a workgroup"
expect_line "node1 by address: NTLM" \
    "$GW -> $NET.1 ($N1): ntlm, as an IP address has no Kerberos service principal name"
expect_line "summary" "doctor: 3 paths, 3 sound, 0 broken"
expect_contains "ws1 covered by the wildcard entry, its certificate trusted" "$OUT" \
    "AllowFreshCredentials entry wsman/*.contoso.test covers wsman/$WS" \
    "the gateway trusts listener certificate"
expect_contains "the address: NTLM-only entry and TrustedHosts" "$OUT" \
    "AllowFreshCredentialsWhenNTLMOnly entry wsman/$NET.1 covers wsman/$NET.1" \
    "TrustedHosts entry $NET.1 covers '$NET.1'"
expect_contains "oracle judged from the builds" "$OUT" \
    "gateway mitigated, node mitigated: allowed"
expect_contains "secure channel read" "$OUT" \
    "secure channel to contoso.test healthy"

run_enforcer doctor --gateway $NET.3 --node $N1 --json "$D"
expect_rc "json: sound" 0
expect "json: one sound path, no unread host" "True 0 kerberos" "$(printf '%s' "$OUT" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["paths"][0]; print(p["sound"], len(d["unread"]), p["auth"])')"

# --- client role off ---------------------------------------------------------
set_truth $GW "winrm.client.auth.CredSSP = false"
doctor --node $N1
expect_rc "client role off" 2
expect "client role off: broken" broken "$(finding client_role)"
expect_contains "client role off: the fix is a window" "$OUT" \
    "fix: enforcer window open doctor-delegate-node1 --for 2h --hosts $GW --set credssp.client.enabled=true --set 'credssp.client.delegate=[wsman/$N1]'"
set_truth $GW "winrm.client.auth.CredSSP = true"

# --- GPO-owned client role -------------------------------------------------
set_truth $GW "winrm.client.auth.CredSSP = false
gpo = winrm.client.auth.CredSSP"
run_enforcer doctor --gateway wac01 --node $N1 --json "$D"
expect_rc "GPO-owned client role" 2
expect "GPO-owned: broken, gpo, the fix names the GPO" \
    "broken True owned by Group Policy on $GW" "$(printf '%s' "$OUT" |
    python3 -c 'import json,sys; f=[f for f in json.load(sys.stdin)["paths"][0]["findings"] if f["link"]=="client_role"][0]; print(f["status"], f["gpo"], f["fix"].split(":")[0])')"
set_truth $GW "gpo =
winrm.client.auth.CredSSP = true"

# --- no delegation entry -----------------------------------------------------
set_truth $GW "reg.$CD\\AllowFreshCredentials:1 ="
doctor --node $N1
expect_rc "no delegation entry" 2
expect "no delegation entry: broken" broken "$(finding delegation)"
expect_contains "no delegation entry: said" "$OUT" \
    "no AllowFreshCredentials entry covers wsman/$N1"
set_truth $GW "reg.$CD\\AllowFreshCredentials:1 = REG_SZ wsman/*.contoso.test"

# --- an entry for the FQDN, WAC uses the short name; the fix then run -------
set_truth $GW "reg.$CD\\AllowFreshCredentials:1 = REG_SZ wsman/$N1"
doctor --node node1
expect_rc "FQDN entry, short name used" 2
expect "short name: delegation broken" broken "$(finding delegation)"
expect_contains "short name: the entry naming it otherwise" "$OUT" \
    "no AllowFreshCredentials entry covers wsman/node1: wsman/$N1 names the node otherwise than WAC does"
FIX=$(printf '%s\n' "$OUT" | awk '$2 == "delegation" { getline; sub(/^ *fix: /, ""); print; exit }')
expect_match "short name: the fix opens a window" '^enforcer window open doctor-delegate-node1 ' "$FIX"
( cd "$TMP" && eval "\"$ENFORCER\" ${FIX#enforcer }" ) >"$TMP/fix.out" 2>&1
expect "the printed fix runs" 0 "$?"
expect "fix: wsman/node1 now in the gateway's list" "REG_SZ wsman/node1" \
    "$(sim GET "/hosts/$GW/state" | sed -n 's/^reg\..*\\AllowFreshCredentials:[0-9]* = \(REG_SZ wsman\/node1\)$/\1/p')"
expect_match "fix: the gateway's fail-safe armed" '.' \
    "$(truth $GW 'task.\enforcer\failsafe-doctor-delegate-node1.trigger' 2>/dev/null)"
doctor --node node1
expect_rc "after the fix: sound" 0
run_enforcer window close doctor-delegate-node1 "$D"
expect_rc "fix window closed" 0
set_truth $GW "reg.$CD\\AllowFreshCredentials =
reg.$CD:AllowFreshCredentials = REG_DWORD 1
reg.$CD:ConcatenateDefaults_AllowFresh = REG_DWORD 1
reg.$CD\\AllowFreshCredentials:1 = REG_SZ wsman/*.contoso.test
winrm.client.auth.CredSSP = true"

# --- NTLM-only needed (an address) but missing -------------------------------
set_truth $GW "reg.$CD\\AllowFreshCredentialsWhenNTLMOnly:1 ="
doctor --node $NET.1
expect_rc "NTLM-only entry missing" 2
expect "NTLM-only: broken" broken "$(finding delegation_ntlm_only)"
expect "NTLM-only: the address's certificate now breaks it too" broken \
    "$(finding certificate_name)"
set_truth $GW "reg.$CD\\AllowFreshCredentialsWhenNTLMOnly:1 = REG_SZ wsman/$NET.1"

# --- the node's certificate untrusted by the gateway -----------------------
ROOT=$(sim GET "/hosts/$GW/state" | sed -n 's/^\(trust\.Root\.[0-9A-F]*\) = .*/\1/p')
expect_match "the gateway's Root holds the test CA" '^trust\.Root\.' "$ROOT"
set_truth $GW "$ROOT ="
doctor --node $WS
expect_rc "untrusted certificate" 2
expect "untrusted: certificate_trust broken" broken "$(finding certificate_trust)"
expect_contains "untrusted: why, and the CA to import" "$OUT" \
    "the gateway does not trust the node's listener certificate" \
    "into $GW's LocalMachine\\Root"
doctor --node $N1
expect_rc "untrusted certificate does not break Kerberos" 0
expect "Kerberos path: the certificate only warned" warn "$(finding certificate_trust)"

# --- encryption oracle: node without the update, gateway at Mitigated ----
# The simulator's verdict (its own model of Microsoft's table, from each
# host's credssp.updated and AllowEncryptionOracle) is the reference.
verdict() { sim GET "/hosts/$N1/credssp_from?client=$GW"; }
expect "oracle: the simulator lets the sound pair through" allowed "$(verdict)"
set_truth $N1 "credssp.updated = false
reg.$NT:CurrentBuildNumber = REG_SZ 14393
reg.$NT:UBR = REG_DWORD 1000"
expect "oracle: the simulator blocks an updated gateway at Mitigated" \
    blocked "$(verdict)"
doctor --node $N1
expect_rc "oracle mismatch" 2
expect "oracle: broken" broken "$(finding encryption_oracle)"
expect_contains "oracle: the interim fix on the gateway" "$OUT" \
    "--hosts $GW --set credssp.encryption_oracle=vulnerable"
set_truth $GW "reg.$EO:AllowEncryptionOracle = REG_DWORD 2"
expect "oracle: the simulator lets a Vulnerable gateway through" allowed \
    "$(verdict)"
doctor --node $N1
expect_rc "gateway at Vulnerable talks to the old node" 0
set_truth $N1 "credssp.updated = true
reg.$NT:CurrentBuildNumber = REG_SZ 20348
reg.$NT:UBR = REG_DWORD 2322
reg.$EO:AllowEncryptionOracle = REG_DWORD 0"
set_truth $GW "credssp.updated = false
reg.$NT:CurrentBuildNumber = REG_SZ 14393
reg.$NT:UBR = REG_DWORD 1000
reg.$EO:AllowEncryptionOracle ="
expect "oracle: the simulator blocks an old gateway at a forcing node" \
    blocked "$(verdict)"
doctor --node $N1
expect_rc "node forcing updated clients, gateway not updated" 2
expect_contains "oracle: the interim fix on the node" "$OUT" \
    "--hosts $N1 --set credssp.encryption_oracle=mitigated"
set_truth $GW "credssp.updated = true
reg.$NT:CurrentBuildNumber = REG_SZ 20348
reg.$NT:UBR = REG_DWORD 2322"
set_truth $N1 "reg.$EO:AllowEncryptionOracle ="
expect "oracle: allowed again" allowed "$(verdict)"

# --- a broken secure channel -------------------------------------------------
set_truth $N1 "domain.secure_channel = false"
doctor --node $N1
expect_rc "secure channel broken" 2
expect "secure channel: broken" broken "$(finding secure_channel $N1)"
expect "secure channel: the gateway's healthy" ok "$(finding secure_channel $GW)"
expect_contains "secure channel: the restart recommended" "$OUT" \
    "fix: enforcer restart --hosts $N1 $D"
# plan shows the read-only property too, as needing a person.
cat >"$D/trust.yaml" <<YAML
policies:
  hci-nodes:
    domain_trust: { domain_joined: true, secure_channel: true }
YAML
run_enforcer plan --hosts $N1 "$D"
expect_rc "plan: the broken trust is reported" 2
expect_contains "plan: the trust change needs a person, restart named" "$OUT" \
    "domain_trust.secure_channel: false -> true" "enforcer restart"
expect "plan: nothing written" "true false" \
    "$(truth $N1 domain.joined) $(truth $N1 domain.secure_channel)"
rm "$D/trust.yaml"

# --- an unknown name ---------------------------------------------------------
doctor --node node9
expect_rc "unknown node" 1
expect_contains "unknown node: said" "$ERR" \
    "enforcer: doctor: --node: 'node9' is no inventory host's name, short name or address"

finish
