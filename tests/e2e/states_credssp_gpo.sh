#!/bin/sh
# states_credssp_gpo.sh: registry policy that Group Policy delivers is
# reported, never written (docs/windows-behaviour.md#group-policy).
#  - a GPO delivers a delegation list entry and AllowEncryptionOracle into
#    the very values a local write uses; RSoP (RSOP_RegistryPolicySetting)
#    names the GPO: plan and apply report "owned by Group Policy {GUID}",
#    the registry is unchanged, history records the host as held by Group
#    Policy (not in sync), a second apply writes nothing
#  - the same host's non-GPO setting (the client role) is still applied
#  - RSoP unavailable (namespace missing, access denied, logging turned off
#    by policy): the report says so and enforcer falls back to WinRM's
#    Source="GPO" marker (here: none, so the local value is written)
#  - RSoP is asked only when a change is due: a drifted host's plan sends
#    its Enumerate, an in-sync host's plan sends none (the simulator's
#    trace)
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

CD='SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation'
EO='SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters'
GUID='{6AC1786C-016F-11D2-945F-00C04FB984F9}'
GPO=gpo.contoso.test
MISSING=missing.contoso.test
DENIED=denied.contoso.test
LOGOFF=logoff.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
  registry:
    '$EO': { AllowEncryptionOracle: { type: REG_DWORD, data: 2 } }
hosts:
  $GPO:
    address: $NET.1
    gpos:
      - guid: '$GUID'
        name: CredSSP for the WAC gateway
        registry:
          '$CD':
            AllowFreshCredentials: { type: REG_DWORD, data: 1 }
            ConcatenateDefaults_AllowFresh: { type: REG_DWORD, data: 1 }
          '$CD\\AllowFreshCredentials':
            '1': { type: REG_SZ, data: 'wsman/legacy.contoso.test' }
          '$EO':
            AllowEncryptionOracle: { type: REG_DWORD, data: 2 }
  $MISSING: { address: $NET.2, rsop: missing }
  $DENIED: { address: $NET.3, rsop: denied }
  $LOGOFF:
    address: $NET.4
    registry:
      'SOFTWARE\Policies\Microsoft\Windows\System':
        RSoPLogging: { type: REG_DWORD, data: 0 }
EOF
fleet_start "$TMP/fleet.yaml" --ca-out "$TMP/ca.pem" --trace "$TMP/trace"

# rsop_asks MARK HOST: RSoP Enumerates (the only WQL "*" Enumerate credssp
# sends) HOST received after trace line MARK.
rsop_asks() {
	tail -n +$(($1 + 1)) "$TMP/trace" |
	    awk -v h="$2" '$2 == h && $3 == "Enumerate" && $4 == "*"' | wc -l
}

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $GPO: { groups: [gpo], address: $NET.1 }
  $MISSING: { groups: [norsop], address: $NET.2 }
  $DENIED: { groups: [norsop], address: $NET.3 }
  $LOGOFF: { groups: [norsop], address: $NET.4 }
policies:
  all:
    credssp: { encryption_oracle: force_updated_clients }
  gpo:
    credssp:
      client: { enabled: true, delegate: ['wsman/*.contoso.test'] }
EOF

# --- a GPO's values: reported, untouched -------------------------------------
mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts gpo "$TMP/ds"
expect_rc "plan shows the drift" 2
expect "drift: RSoP asked once" 1 "$(rsop_asks "$mark" $GPO)"
expect_line "the GPO's list is reported" \
    "  ! credssp.client.delegate: wsman/legacy.contoso.test -> wsman/legacy.contoso.test, wsman/*.contoso.test   (policy gpo)"
expect_line "the GPO's oracle is reported" \
    "  ! credssp.encryption_oracle: vulnerable -> force_updated_clients   (policy all)"
expect_line "the GPO is named" \
    "      owned by Group Policy $GUID: change the GPO"
expect_line "the client role (not the GPO's) is a change" \
    "  ~ credssp.client.enabled: false -> true   (policy gpo)"

reset_counters $GPO
run_enforcer apply --hosts gpo "$TMP/ds"
expect_rc "apply leaves the GPO's settings for a person" 2
expect "the client role was applied (ground truth)" true \
    "$(truth $GPO winrm.client.auth.CredSSP)"
expect "the GPO's entry is untouched" "REG_SZ wsman/legacy.contoso.test" \
    "$(truth $GPO "reg.$CD\\AllowFreshCredentials:1")"
absent "no entry added beside it" $GPO "reg.$CD\\AllowFreshCredentials:2"
expect "the GPO's oracle is untouched" "REG_DWORD 2" \
    "$(truth $GPO "reg.$EO:AllowEncryptionOracle")"
expect "one write: the client role" 1 "$(writes $GPO)"
trailer() {
	git -C "$ENFORCER_HISTORY" log -1 \
	    --format="%(trailers:key=$1,valueonly)" enforcer/history
}
expect_contains "history holds the host as held by Group Policy" \
    "$(trailer Hosts-Noncompliant)" "$GPO: " \
    "credssp.client.delegate held by Group Policy $GUID" \
    "credssp.encryption_oracle held by Group Policy $GUID"
expect "history's summary: not compliant, not in sync" \
    "apply: 1 change on 1 host, 1 host not compliant" \
    "$(git -C "$ENFORCER_HISTORY" log -1 --format=%s enforcer/history)"
case "$(trailer Hosts-Unchanged)" in
*"$GPO"*) fail "history lists the GPO-held host as unchanged" ;;
*) pass "history does not list the GPO-held host as unchanged" ;;
esac

reset_counters $GPO
run_enforcer apply --hosts gpo "$TMP/ds"
expect_rc "a second apply still reports the GPO" 2
expect "a second apply writes nothing" 0 "$(writes $GPO)"

# --- RSoP unavailable: said, then today's detection --------------------------
run_enforcer plan --hosts norsop "$TMP/ds"
expect_rc "plan on hosts without RSoP" 2
expect_match "a missing namespace is reported" \
    "RSoP unavailable (.*$MISSING.*Invalid namespace" "$OUT"
expect_match "access denied is reported" \
    "RSoP unavailable (.*$DENIED.*access denied" "$OUT"
expect_match "logging turned off by policy is reported" \
    "RSoP unavailable (RSoP logging is turned off" "$OUT"
run_enforcer apply --hosts norsop "$TMP/ds"
expect_rc "apply falls back to WinRM's marker (none here): applied" 0
for h in $MISSING $DENIED $LOGOFF; do
	expect "$h: oracle written" "REG_DWORD 0" \
	    "$(truth $h "reg.$EO:AllowEncryptionOracle")"
done

# --- in sync: no change to own, RSoP not asked -------------------------------
mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts norsop "$TMP/ds"
expect_rc "plan after the apply: in sync" 0
for h in $MISSING $DENIED $LOGOFF; do
	expect "$h: in sync, RSoP not asked" 0 "$(rsop_asks "$mark" $h)"
done

finish
