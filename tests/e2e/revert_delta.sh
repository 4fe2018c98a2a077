#!/bin/sh
# revert_delta.sh: a revert undoes exactly the items its run changed, never
# the rest of a list (issue 14 item 5): reverting the run that added
# CONTOSO\hci-admins to a group takes it out and leaves CONTOSO\bob, whom a
# later run added, and the members nobody manages; the same for
# TrustedHosts entries.
. "$(dirname "$0")/lib/e2e.sh"

git_home
export ENFORCER_PASSWORD="Delta-pw-1"
GA='Gateway Administrators'

cat >"$TMP/fleet.yaml" <<FLEET
defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: '$ENFORCER_PASSWORD', admin: true } }
  accounts: ['CONTOSO\\hci-admins', 'CONTOSO\\bob', 'CONTOSO\\ops']
hosts:
  wac01.contoso.test:
    address: $NET.3
    groups: { '$GA': { members: ['CONTOSO\\ops'] } }
    winrm: { client: { TrustedHosts: 'keep.contoso.test' } }
FLEET
fleet_start "$TMP/fleet.yaml"

D="$TMP/desired"
mkdir -p "$D"
desired() {	# MEMBERS TRUSTED_HOSTS
	cat >"$D/hosts.yaml" <<DESIRED
hosts:
  wac01.contoso.test: { groups: [gateways], address: $NET.3 }
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
policies:
  gateways:
    local_group:
      $GA: { members: [$1] }
    trusted_hosts: { hosts: [$2] }
DESIRED
	git -C "$D" add -A
	git -C "$D" commit -q -m "desired state: $1; $2"
}
run_id() {
	printf '%s\n' "$OUT" | sed -n 's/^recorded run \([^ ]*\) in .*/\1/p'
}
git -C "$D" init -q -b main

# Run A adds hci-admins and a.contoso.test; run B adds bob and b.contoso.test.
desired "'CONTOSO\\hci-admins'" "a.contoso.test"
run_enforcer apply "$D"
expect "apply A exits 0" 0 "$RC"
A=$(run_id)
desired "'CONTOSO\\hci-admins', 'CONTOSO\\bob'" "a.contoso.test, b.contoso.test"
run_enforcer apply "$D"
expect "apply B exits 0" 0 "$RC"
expect "after B: members" 'CONTOSO\ops,CONTOSO\hci-admins,CONTOSO\bob' \
    "$(truth wac01.contoso.test "group.$GA.members")"
expect "after B: trusted hosts" \
    'keep.contoso.test,a.contoso.test,b.contoso.test' \
    "$(truth wac01.contoso.test winrm.client.TrustedHosts)"

# Revert A: only what A added goes.
run_enforcer revert --dry-run "$A" "$D"
expect "revert --dry-run A exits 2 (changes pending)" 2 "$RC"
expect_match "the plan removes what A added" \
    "- local_group.$GA.members: CONTOSO.hci-admins (S-1-5-21-[0-9-]*)   (revert of run $A)" \
    "$OUT"
expect_match "it says the policy will add hci-admins again" \
    "note: wac01.contoso.test: local_group.$GA.members: the desired state lists 'CONTOSO.hci-admins' (policy gateways): the next apply will undo this revert" \
    "$OUT"
expect "the plan touches nobody else" 0 \
    "$(printf '%s\n' "$OUT" | grep -c 'members: CONTOSO.\(bob\|ops\)')"
run_enforcer revert "$A" "$D"
expect "revert A exits 0" 0 "$RC"
expect "bob (run B) and ops (nobody's) stay; hci-admins (run A) gone" \
    'CONTOSO\ops,CONTOSO\bob' "$(truth wac01.contoso.test "group.$GA.members")"
expect "b.contoso.test (run B) and keep stay; a.contoso.test (run A) gone" \
    'keep.contoso.test,b.contoso.test' \
    "$(truth wac01.contoso.test winrm.client.TrustedHosts)"
R=$(run_id)

# Reverting the revert puts back exactly what it took.
run_enforcer revert "$R" "$D"
expect "revert of the revert exits 0" 0 "$RC"
expect "hci-admins back, the others as they were" \
    'CONTOSO\ops,CONTOSO\bob,CONTOSO\hci-admins' \
    "$(truth wac01.contoso.test "group.$GA.members")"
expect "a.contoso.test back" \
    'keep.contoso.test,b.contoso.test,a.contoso.test' \
    "$(truth wac01.contoso.test winrm.client.TrustedHosts)"
finish
