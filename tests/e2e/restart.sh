#!/bin/sh
# restart.sh: enforcer restart (Remedy 1: restart the computer) against
# the simulator (on $NET), checked in the ground truth (boot.time, the
# WinRM service, the task):
#  - a dry run reads each host's boot time and changes nothing
#  - two hosts: refused without --yes (no terminal); with it, each
#    restarted by the SYSTEM task (shutdown /r), back with a new boot
#    time, the task deleted
#  - a host that does not come back: exit 3, named, while the other one
#    is restarted; both runs in enforcer history
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

A=a.contoso.test
B=b.contoso.test
TASK='\enforcer\restart'

cat >"$TMP/fleet.yaml" <<EOT
$FLEET_DEFAULTS
hosts:
  $A: { address: $NET.1 }
  $B: { address: $NET.2 }
EOT
fleet_start "$TMP/fleet.yaml"
ds_new "$TMP/ds"
export ENFORCER_HISTORY="$TMP/hist"
cat >"$TMP/ds/hosts.yaml" <<EOT
hosts:
  $A: { address: $NET.1 }
  $B: { address: $NET.2 }
EOT
BOOT_A=$(truth $A boot.time)
BOOT_B=$(truth $B boot.time)

# --- a dry run -------------------------------------------------------------------
run_enforcer restart --dry-run "$TMP/ds"
expect_rc "dry run" 0
expect_line "dry run: $A with its boot time" \
    "$A: would restart, booted $BOOT_A (task \\enforcer\\restart: shutdown /r /t 0 /f /d p:4:1)"
expect "dry run: no write" 0 "$(($(writes $A) + $(writes $B)))"
expect "dry run: boot time unchanged" "$BOOT_A" "$(truth $A boot.time)"

# --- two hosts: --yes --------------------------------------------------------------
run_enforcer restart "$TMP/ds" </dev/null
expect_rc "two hosts without --yes: refused" 1
expect_contains "refused: says --yes" "$ERR" \
    "enforcer: restart: 2 hosts selected: give --yes"
expect "refused: no write" 0 "$(($(writes $A) + $(writes $B)))"

run_enforcer restart --yes --timeout 60s "$TMP/ds"
expect_rc "both back" 0
for h in $A $B; do
	expect_line_re "$h: restarted, new boot time" \
	    "$h: restarted, answering again after [0-9]+\\.[0-9] s, booted .* \\(was .*\\)"
	expect "$h: WinRM running" Running "$(truth $h service.WinRM.state)"
	absent "$h: task deleted" $h "task.$TASK"
done
expect_match "$A: boot time moved" . "$(test "$(truth $A boot.time)" != "$BOOT_A" && echo moved)"
expect_match "$B: boot time moved" . "$(test "$(truth $B boot.time)" != "$BOOT_B" && echo moved)"
expect_line "summary" "restart: 2 hosts: 2 restarted, 0 failed"

# --- one stays down -------------------------------------------------------------
BOOT_A=$(truth $A boot.time)
sim_ok POST "/hosts/$B/set" "boot.stays_down = true" >/dev/null
run_enforcer restart --yes --timeout 6s "$TMP/ds"
expect_rc "one did not come back" 3
expect_line "summary" "restart: 2 hosts: 1 restarted, 1 failed"
expect_line_re "$B named" "failed: $B: not back within 6s \\(last: .*\\)"
expect "$B: still down in the ground truth" true "$(truth $B boot.restarting)"
expect_match "$A: restarted beside it" . "$(test "$(truth $A boot.time)" != "$BOOT_A" && echo moved)"

run_enforcer history --changes "$TMP/ds"
expect_match "restart appears in enforcer history" \
    "intentional $A  host.restart: (absent) -> done  (restart)$" "$OUT"
finish
