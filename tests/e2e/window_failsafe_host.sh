#!/bin/sh
# window_failsafe_host.sh: the host-side fail-safe where Windows makes it
# hard (issue 13 item 5).  A window turns CredSSP on (and grants a member
# on a German host), enforcer never runs again, and each host's own task
# must turn it off:
#  - novbs: the VBScript feature removed and the WinRM service stopped at
#    the trigger: winrm.vbs cannot run, the task's script does it anyway;
#  - off: rebooted inside the window (the boot run does nothing before the
#    trigger), then off at the trigger: nothing runs until it boots, and
#    at boot the task runs and turns CredSSP off;
#  - de: a de-DE host, the group named by SID (Administratoren), the member
#    a non-ASCII name: taken out by SID;
#  - gpo: Group Policy takes CredSSP over meanwhile: the script cannot read
#    its off-state back, so it fails, keeps a non-zero LastTaskResult, writes
#    no marker and stays; enforcer's next run says so.
# The window also weakens the encryption-oracle level and adds a
# TrustedHosts entry: the task gives both back, WinRM stopped or not.
# Every assertion is on the simulator's ground truth.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

JU='CONTOSO\jürgen'
cat >"$TMP/fleet.yaml" <<YAML
defaults:
  users:
    CONTOSO\svc-enforcer: { password: 'S3cret-pass!', admin: true }
  winrm: { service: { auth: { Basic: true } } }
hosts:
  novbs.contoso.test: { address: $NET.1, vbscript: false }
  off.contoso.test: { address: $NET.2 }
  de.contoso.test:
    address: $NET.3
    language: de-DE
    accounts: ['$JU']
  gpo.contoso.test: { address: $NET.4 }
YAML
fleet_start "$TMP/fleet.yaml"

D="$TMP/ds"
mkdir -p "$D"
cat >"$D/hosts.yaml" <<YAML
hosts:
  novbs.contoso.test: { groups: [nodes], address: $NET.1 }
  off.contoso.test: { groups: [nodes], address: $NET.2 }
  de.contoso.test: { groups: [de], address: $NET.3 }
  gpo.contoso.test: { groups: [nodes], address: $NET.4 }
connection:
  auth: ntlm
  username: CONTOSO\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
policies:
  nodes:
    credssp: { server: { enabled: false }, encryption_oracle: mitigated }
    trusted_hosts: { hosts: [keep.contoso.test] }
  de:
    local_group:
      S-1-5-32-544: { members: ['CONTOSO\svc-enforcer'] }
windows:
  maint:
    start: 2026-11-25T09:00:00Z
    end: 2026-11-25T10:00:00Z
    reason: maintenance (CHG-9)
    apply:
      nodes:
        credssp: { server: { enabled: true }, encryption_oracle: vulnerable }
        trusted_hosts: { hosts: [keep.contoso.test, tmp.contoso.test] }
      de:
        local_group:
          S-1-5-32-544: { members: ['$JU'] }
YAML
git -C "$D" init -q
git_commit "$D" "a window"

on() {
	truth "$1.contoso.test" winrm.service.auth.CredSSP
}
task() {
	truth "$1.contoso.test" "task.\\enforcer\\failsafe-maint.$2" 2>/dev/null
}
marker() {
	truth "$1.contoso.test" 'reg.SOFTWARE\enforcer\failsafe:maint' 2>/dev/null
}
oracle() {
	truth "$1.contoso.test" 'reg.SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters:AllowEncryptionOracle'
}
trusted() {
	truth "$1.contoso.test" winrm.client.TrustedHosts
}
admins() {
	truth de.contoso.test group.Administratoren.members
}

sim POST /clock set=2026-11-25T09:30:00Z >/dev/null
run_enforcer apply --at 2026-11-25T09:30:00Z "$D"
expect "apply inside the window: exit" 0 "$RC"
for h in novbs off gpo; do
	expect "$h: CredSSP on in the window" true "$(on $h)"
	expect "$h: its task has a trigger" 2026-11-25T10:15:00Z "$(task $h trigger)"
	expect "$h: the oracle weakened" "REG_DWORD 2" "$(oracle $h)"
	expect "$h: TrustedHosts added to" keep.contoso.test,tmp.contoso.test \
	    "$(trusted $h)"
done
expect_match "de: jürgen granted" 'CONTOSO\\jürgen' "$(admins)"

# --- novbs: what the old action relied on is gone ----------------------------
sim POST /hosts/novbs.contoso.test/service WinRM=stop >/dev/null
r=$(sim POST /hosts/novbs.contoso.test/cmd 'winrm set winrm/config/service/auth @{CredSSP="false"}')
expect "novbs: winrm set fails" 1 "$(printf '%s\n' "$r" | head -1)"
expect_match "novbs: for want of VBScript" "Can't find script engine \"VBScript\"" "$r"
expect "novbs: still on" true "$(on novbs)"

# --- off: a reboot inside the window cuts nothing -----------------------------
sim POST /hosts/off.contoso.test/power off >/dev/null
sim POST /clock set=2026-11-25T09:40:00Z >/dev/null
sim POST /hosts/off.contoso.test/power boot >/dev/null
expect "off: rebooted before the trigger: still on" true "$(on off)"
expect "off: the boot run did nothing and succeeded" 0 "$(task off last_result)"
expect "off: the task stays" 2026-11-25T10:15:00Z "$(task off trigger)"

# --- gpo: Group Policy takes the setting over ---------------------------------
sim POST /hosts/gpo.contoso.test/set 'gpo = winrm.service.auth.CredSSP' >/dev/null

# --- the trigger passes; off is off -------------------------------------------
sim POST /hosts/off.contoso.test/power off >/dev/null
sim POST /clock set=2026-11-25T10:16:00Z >/dev/null

expect "novbs: CredSSP off with WinRM stopped and no VBScript" false "$(on novbs)"
expect "novbs: the oracle back to mitigated" "REG_DWORD 1" "$(oracle novbs)"
expect "novbs: TrustedHosts given back" keep.contoso.test "$(trusted novbs)"
expect "novbs: marker left" "REG_SZ 2026-11-25T10:15:00Z" "$(marker novbs)"
expect "novbs: the task removed itself" "" "$(task novbs trigger)"
expect "novbs: and its script" "" \
    "$(truth novbs.contoso.test 'reg.SOFTWARE\enforcer\failsafe-script:maint' 2>/dev/null)"
sim POST /hosts/novbs.contoso.test/service WinRM=start >/dev/null
expect "novbs: still off once WinRM starts" false "$(on novbs)"

expect "de: jürgen taken out by SID" 'Administrator,CONTOSO\svc-enforcer' \
    "$(admins)"
expect "de: marker left" "REG_SZ 2026-11-25T10:15:00Z" "$(marker de)"

expect "off: off at the trigger: nothing ran" true "$(on off)"
expect "off: no marker yet" "" "$(marker off)"
sim POST /clock set=2026-11-25T12:00:00Z >/dev/null
sim POST /hosts/off.contoso.test/power boot >/dev/null
expect "off: CredSSP off at boot" false "$(on off)"
expect "off: the oracle back at boot" "REG_DWORD 1" "$(oracle off)"
expect "off: TrustedHosts given back at boot" keep.contoso.test "$(trusted off)"
expect "off: marker left" "REG_SZ 2026-11-25T10:15:00Z" "$(marker off)"
expect "off: the task removed itself" "" "$(task off trigger)"

expect "gpo: CredSSP still on (Group Policy)" true "$(on gpo)"
expect "gpo: the task failed: non-zero Last Result" 1 "$(task gpo last_result)"
expect "gpo: the task stays" 2026-11-25T10:15:00Z "$(task gpo trigger)"
expect "gpo: no marker" "" "$(marker gpo)"

# --- enforcer's next run says what each host's task did -----------------------
run_enforcer plan --at 2026-11-25T12:00:00Z "$D"
expect_contains "gpo: the failed task reported, with why it stays on" "$OUT" \
    "gpo.contoso.test: WARNING: credssp still on 2h past the end of window maint (10:00Z); its fail-safe ran and failed (last result 1)" \
    "- failsafe.tasks.maint: 2026-11-25T10:15:00Z (failed: last result 1)   (window maint ended 10:00Z: fail-safe removed once reverted (it ran on the host and failed))" \
    "owned by Group Policy: change the GPO"
expect "novbs, off and de: the fail-safe named as what reverted them" 3 \
    "$(printf '%s\n' "$OUT" | grep -c 'failsafe.fired.maint: 2026-11-25T10:15:00Z')"
finish
