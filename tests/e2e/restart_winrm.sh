#!/bin/sh
# restart_winrm.sh: enforcer restart-winrm against the simulator
# (on $NET).
#  - two healthy hosts: WinRM restarted by the SYSTEM task (its log on the
#    host holds net start's words), Running again, the task deleted
#  - a host that is down, and one whose WinRM cannot start again (start
#    mode Disabled: the task stops it, net start refuses): exit 3, each
#    named with its cause, while the healthy hosts are restarted
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

A=a.contoso.test
B=b.contoso.test
DOWN=down.contoso.test
STUCK=stuck.contoso.test
TASK='\enforcer\restart-winrm'
LOG='C:\Windows\Temp\enforcer-restart-winrm.log'

cat >"$TMP/fleet.yaml" <<EOT
$FLEET_DEFAULTS
hosts:
  $A: { address: $NET.1 }
  $B: { address: $NET.2 }
  $DOWN: { address: $NET.3 }
  $STUCK: { address: $NET.4 }
EOT
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
# restart-winrm writes to hosts: it is recorded, here outside git.
export ENFORCER_HISTORY="$TMP/hist"
cat >"$TMP/ds/hosts.yaml" <<EOT
hosts:
  $A: { address: $NET.1 }
  $B: { address: $NET.2 }
  $DOWN: { address: $NET.3 }
  $STUCK: { address: $NET.4 }
EOT

# --- bad input: exit 1, no host touched ----------------------------------------
run_enforcer restart-winrm --timeout 2x "$TMP/ds"
expect "bad --timeout" 1 "$RC"
run_enforcer restart-winrm --hosts 'nomatch*' "$TMP/ds"
expect "no host matches" 1 "$RC"
expect_match "says so" "no host matches 'nomatch\*'" "$ERR"
expect "no write on $A" 0 "$(writes $A)"

# --- more than one host: --yes, or nothing happens -------------------------------
run_enforcer restart-winrm --hosts "$A,$B" "$TMP/ds" </dev/null
expect_rc "two hosts without --yes and no terminal: refused" 1
expect_contains "refused: says --yes" "$ERR" \
    "enforcer: restart-winrm: 2 hosts selected: give --yes to act on more than one (no terminal to ask)"
expect "refused: no write on $A" 0 "$(writes $A)"
run_enforcer restart-winrm --hosts "$A,$B" --dry-run "$TMP/ds"
expect_rc "dry run" 0
expect_contains "dry run: says what it would do" "$OUT" \
    "$A: would restart (task \\enforcer\\restart-winrm: cmd /c net stop winrm" \
    "restart-winrm: 2 hosts: 2 to restart, 0 failed"
expect "dry run: no write on $A" 0 "$(writes $A)"

# --- two healthy hosts ----------------------------------------------------------
run_enforcer restart-winrm --hosts "$A,$B" --yes "$TMP/ds"
expect_rc "both back" 0
expect_line_re "one line for $A" \
    "$A: WinRM restarted, answering again after [0-9]+\\.[0-9] s"
expect_line_re "one line for $B" \
    "$B: WinRM restarted, answering again after [0-9]+\\.[0-9] s"
expect_line "summary" "restart-winrm: 2 hosts: 2 restarted, 0 failed"
for h in $A $B; do
	expect "$h: WinRM running" Running "$(truth $h service.WinRM.state)"
	absent "$h: task deleted" $h "task.$TASK"
	# Only the task writes this log.  (The simulator prints what the
	# nested "cmd /c net stop" says to the task's output, not to the
	# log: the stop is proved on $STUCK below.)
	expect_match "$h: the task ran and started WinRM" \
	    "service was started successfully" \
	    "$(sim_ok POST "/hosts/$h/cmd" "type $LOG")"
done
expect "$DOWN untouched" 0 "$(writes $DOWN)"

# A second restart works the same: the task is made anew each time.
sim_ok POST "/hosts/$A/cmd" "del $LOG" >/dev/null
run_enforcer restart-winrm --hosts "$A" "$TMP/ds"
expect_rc "again" 0
expect_match "$A restarted again" "service was started successfully" \
    "$(sim_ok POST "/hosts/$A/cmd" "type $LOG")"

# --- a host down, a host whose WinRM cannot start: exit 3 -----------------------
sim_ok POST "/hosts/$DOWN/fault" "down=1" >/dev/null
printf 'service.WinRM.start_mode = Disabled\n' >"$TMP/drift"
sim_ok POST "/hosts/$STUCK/set" "$(cat "$TMP/drift")" >/dev/null
sim_ok POST "/hosts/$B/cmd" "del $LOG" >/dev/null
run_enforcer restart-winrm --timeout 2s --yes "$TMP/ds"
expect_rc "some hosts failed" 3
expect_line "summary" "restart-winrm: 4 hosts: 2 restarted, 2 failed"
expect_line_re "$DOWN named with its cause" \
    "failed: $DOWN: .*$NET_RE\\.3.*"
expect_line_re "$STUCK named with its cause" \
    "failed: $STUCK: WinRM not back within 2s \\(last: .*\\)"
expect "$STUCK: the task ran and stopped WinRM" Stopped \
    "$(truth $STUCK service.WinRM.state)"
expect "$STUCK: the task is left behind (nothing can delete it)" SYSTEM \
    "$(truth $STUCK "task.$TASK.run_as")"
expect "$B restarted beside them" Running "$(truth $B service.WinRM.state)"
expect_match "$B: its task ran" "service was started successfully" \
    "$(sim_ok POST "/hosts/$B/cmd" "type $LOG")"
absent "$B: task deleted" $B "task.$TASK"

run_enforcer history --changes "$TMP/ds"
expect_match "restart-winrm appears in enforcer history" \
    "intentional a.contoso.test  winrm.restart: (absent) -> done  (restart-winrm)$" "$OUT"
finish
