#!/bin/sh
# window_grants.sh: grants end, whatever the policy (issue 14 item 3).  A
# window adds CONTOSO\alice to a group whose policy is additive
# (exclusive: false):
#  - the fail-safe task is armed first, its script taking alice out again
#    by SID through ADSI (any display language);
#  - a member a person adds during the window (carol) and the policy's own
#    (hci-admins) are never taken out;
#  - after the end, `window list --check` says NOT REVERTED (exit 2) while
#    alice is there; apply takes her out, removes the task, and --check
#    exits 0;
#  - with no enforcer run at all, the host's own task takes her out once
#    its trigger passes;
#  - under an exclusive policy the same window's grant ends the same way.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

GA='Gateway Administrators'
RMU='Remote Management Users'
cat >"$TMP/fleet.yaml" <<FLEET
defaults:
  users:
    CONTOSO\svc-enforcer: { password: 'S3cret-pass!', admin: true }
  accounts: ['CONTOSO\hci-admins', 'CONTOSO\alice', 'CONTOSO\carol', 'CONTOSO\ops']
hosts:
  wac01.contoso.test:
    address: $NET.3
    groups:
      $GA: { members: ['CONTOSO\hci-admins'] }
      $RMU: { members: ['CONTOSO\ops'] }
FLEET
fleet_start "$TMP/fleet.yaml"

D="$TMP/ds"
mkdir -p "$D"
cat >"$D/hosts.yaml" <<DESIRED
hosts:
  wac01.contoso.test: { groups: [gateways], address: $NET.3 }
connection:
  auth: ntlm
  username: CONTOSO\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
policies:
  gateways:
    local_group:
      $GA: { members: ['CONTOSO\hci-admins'] }
      $RMU: { members: ['CONTOSO\ops'], exclusive: true }
windows:
  grant-alice:
    start: 2026-11-25T09:00:00Z
    end: 2026-11-25T10:00:00Z
    reason: alice fixes the gateway (CHG-7)
    apply:
      gateways:
        local_group:
          $GA: { members: ['CONTOSO\alice'] }
          $RMU: { members: ['CONTOSO\ops', 'CONTOSO\alice'], exclusive: true }
DESIRED
git -C "$D" init -q
git_commit "$D" "policies and a grant"
H=wac01.contoso.test
TASK='task.\enforcer\failsafe-grant-alice'
members() {
	truth $H "group.$1.members"
}

# --- in the window: the task first, then alice -------------------------------
sim POST /clock set=2026-11-25T09:30:00Z >/dev/null
run_enforcer apply --at 2026-11-25T09:30:00Z "$D"
expect "apply inside the window: exit" 0 "$RC"
expect_match "the fail-safe armed for the grant" \
    "+ failsafe.tasks.grant-alice: 2026-11-25T10:15:00Z   (window grant-alice: host-side fail-safe, takes out the members it granted at 10:15Z unless renewed or reverted first)" \
    "$OUT"
expect "alice granted (additive policy)" 'CONTOSO\hci-admins,CONTOSO\alice' \
    "$(members "$GA")"
expect "alice granted (exclusive policy)" 'CONTOSO\ops,CONTOSO\alice' \
    "$(members "$RMU")"
expect "the task's trigger" 2026-11-25T10:15:00Z "$(truth $H "$TASK.trigger")"
script=$(truth $H 'reg.SOFTWARE\enforcer\failsafe-script:grant-alice')
# By SID, looked up on the host: no name on a command line, any language.
take_out="+',group');\$g.Remove('WinNT://'+(New-Object System.Security.Principal.NTAccount('CONTOSO\\alice')).Translate("
expect "the task's script takes alice out of $GA, by SID" 1 \
    "$(printf '%s\n' "$script" | grep -cF "'$GA'$take_out")"
expect "... and out of $RMU" 1 \
    "$(printf '%s\n' "$script" | grep -cF "'$RMU'$take_out")"
expect "... and never hci-admins" 0 \
    "$(printf '%s\n' "$script" | grep -c 'hci-admins')"
run_enforcer window list --at 2026-11-25T09:30:00Z "$D"
expect_match "list: in effect, armed" \
    "$H: in effect; fail-safe armed for 2026-11-25T10:15:00Z" "$OUT"

# A person adds carol during the window: not the window's to take away.
sim POST /hosts/$H/set \
    "group.$GA.members = CONTOSO\\hci-admins,CONTOSO\\alice,CONTOSO\\carol" \
    >/dev/null

# --- after the end: list says so until apply takes alice out ------------------
sim POST /clock set=2026-11-25T10:05:00Z >/dev/null
run_enforcer window list --check --at 2026-11-25T10:05:00Z "$D"
expect "--check while alice is still there: exit" 2 "$RC"
expect_match "NOT REVERTED, naming the group" \
    "$H: NOT REVERTED 5m after the end: local_group.$GA.members" "$OUT"
run_enforcer plan --at 2026-11-25T10:05:00Z "$D"
expect_match "plan: alice goes, the window named" \
    "- local_group.$GA.members: CONTOSO.alice (S-1-5-21-[0-9-]*)   (window grant-alice ended 10:00Z)" \
    "$OUT"
run_enforcer apply --at 2026-11-25T10:05:00Z "$D"
expect "apply after the end: exit" 0 "$RC"
expect "alice out, carol (a person's) and hci-admins (the policy's) stay" \
    'CONTOSO\hci-admins,CONTOSO\carol' "$(members "$GA")"
expect "alice out of the exclusive group too" 'CONTOSO\ops' "$(members "$RMU")"
expect "the task removed once reverted" "" \
    "$(truth $H "$TASK.trigger" 2>/dev/null)"
run_enforcer window list --check --at 2026-11-25T10:05:00Z "$D"
expect "--check once reverted: exit" 0 "$RC"
expect_match "reverted" "$H: reverted" "$OUT"
run_enforcer plan --at 2026-11-25T10:06:00Z "$D"
expect "then in sync" 0 "$RC"

# --- the control node gone: the host's own task ends the grant ----------------
sim POST /clock set=2026-11-25T09:30:00Z >/dev/null
run_enforcer apply --at 2026-11-25T09:30:00Z "$D"
expect "apply inside the window again: exit" 0 "$RC"
expect "alice granted again" 'CONTOSO\hci-admins,CONTOSO\carol,CONTOSO\alice' \
    "$(members "$GA")"
sim POST /clock set=2026-11-25T10:14:00Z >/dev/null
expect "alice still there within the grace" \
    'CONTOSO\hci-admins,CONTOSO\carol,CONTOSO\alice' "$(members "$GA")"
sim POST /clock set=2026-11-25T10:16:00Z >/dev/null
expect "the host's task took alice out; carol and hci-admins stay" \
    'CONTOSO\hci-admins,CONTOSO\carol' "$(members "$GA")"
expect "... and out of the exclusive group" 'CONTOSO\ops' "$(members "$RMU")"
expect "the task deleted itself" "" "$(truth $H "$TASK.trigger" 2>/dev/null)"
expect "marker left" "REG_SZ 2026-11-25T10:15:00Z" \
    "$(truth $H 'reg.SOFTWARE\enforcer\failsafe:grant-alice')"
run_enforcer window list --check --at 2026-11-25T10:20:00Z "$D"
expect "--check after the host's own revert: exit" 0 "$RC"
run_enforcer apply --at 2026-11-25T10:20:00Z "$D"
expect "the run after the host's own revert: exit" 0 "$RC"
expect_match "it names the fail-safe and clears its marker" \
    "- failsafe.fired.grant-alice: 2026-11-25T10:15:00Z" "$OUT"
expect "no member change left to make" 0 \
    "$(printf '%s\n' "$OUT" | grep -c 'local_group')"

# --- unreachable after the end: said on every run until it is reverted --------
sim POST /clock set=2026-11-25T09:30:00Z >/dev/null
run_enforcer apply --at 2026-11-25T09:30:00Z "$D"
expect "apply inside the window a third time: exit" 0 "$RC"
sim POST /hosts/$H/fault down=1 >/dev/null
sim POST /clock set=2026-11-25T10:05:00Z >/dev/null
run_enforcer apply --at 2026-11-25T10:05:00Z "$D"
expect "unreachable after the end: exit" 3 "$RC"
expect_match "the grant left is reported, as last recorded" \
    "$H: WARNING: .*CONTOSO.alice in '$GA'.* there 5m past the end of window grant-alice (10:00Z) as last recorded" \
    "$OUT"
run_enforcer window list --check --at 2026-11-25T10:05:00Z "$D"
expect "--check with the host unreachable: exit" 2 "$RC"
expect_match "NOT REVERTED as last recorded" \
    "$H: NOT REVERTED as last recorded" "$OUT"
sim POST /hosts/$H/fault clear >/dev/null
run_enforcer apply --at 2026-11-25T10:06:00Z "$D"
expect "reachable again: exit" 0 "$RC"
expect "alice out" 'CONTOSO\hci-admins,CONTOSO\carol' "$(members "$GA")"
expect "no warning once reverted" 0 "$(printf '%s\n' "$OUT" | grep -c WARNING)"

# --- closed early: the grant ends with the close ------------------------------
sim POST /clock set=2026-11-25T09:30:00Z >/dev/null
run_enforcer apply --at 2026-11-25T09:30:00Z "$D"
expect "apply inside the window a fourth time: exit" 0 "$RC"
sim POST /clock set=2026-11-25T09:40:00Z >/dev/null
run_enforcer window close grant-alice --reason done --at 2026-11-25T09:40:00Z "$D"
expect "window close: exit" 0 "$RC"
expect "alice out at the close" 'CONTOSO\hci-admins,CONTOSO\carol' \
    "$(members "$GA")"
expect "... of both groups" 'CONTOSO\ops' "$(members "$RMU")"
expect "the task removed at the close" "" \
    "$(truth $H "$TASK.trigger" 2>/dev/null)"
finish
