#!/bin/sh
# run_signal.sh: a first SIGINT stops revert and restart-winrm at a safe
# point, as it stops apply (engine_signal.sh).  Every host answers slowly
# and the verbs take one host at a time; the signal is sent once the
# ground truth shows the first host being changed, so it lands mid-run
# whatever the machine's speed.  Checked from the simulator's ground truth
# and the history's git objects:
#  - revert: exit 3; each host is either reverted and recorded as such, or
#    untouched (no write at all); the last host is untouched; the history
#    still parses with git and records exactly the ground truth;
#  - restart-winrm: exit 3; the host in flight is seen through (WinRM
#    running, its task deleted); the hosts after it are untouched; the run
#    is recorded (an intent commit, then the run: one restart verified,
#    the others not attempted);
#  - apply interrupted once its only change is on the host: exit 130.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

git_home
HOSTS="n1.sig.test n2.sig.test n3.sig.test"
TASK='\enforcer\restart-winrm'

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  n1.sig.test: { address: $NET.1, services: { Spooler: { state: Stopped, start_mode: Auto } } }
  n2.sig.test: { address: $NET.2, services: { Spooler: { state: Stopped, start_mode: Auto } } }
  n3.sig.test: { address: $NET.3, services: { Spooler: { state: Stopped, start_mode: Auto } } }
EOF
fleet_start "$TMP/fleet.yaml"

D="$TMP/desired"
ds_new "$D"
cat >"$D/hosts.yaml" <<EOF
hosts:
  n1.sig.test: { groups: [nodes], address: $NET.1 }
  n2.sig.test: { groups: [nodes], address: $NET.2 }
  n3.sig.test: { groups: [nodes], address: $NET.3 }
policies:
  nodes: { service: { Spooler: running } }
EOF
git -C "$D" init -q -b main
git -C "$D" add -A
git -C "$D" commit -q -m "desired state"

g() {
	git -C "$D" "$@"
}
slow() {
	for h in $HOSTS; do
		sim_ok POST "/hosts/$h/fault" "latency_ms=$1" >/dev/null
	done
}
# The value of KEY in the recorded file of HOST at the history's tip.
recorded() {	# HOST KEY
	g show "enforcer/history:hosts/$1.yaml" | python3 -c '
import sys, yaml
v = yaml.safe_load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(str(v).lower())' "$2"
}
# (awk -v would read the backslashes of the name as escapes.)
has_task() {
	sim GET "/hosts/$1/state" | K="task.$TASK." awk \
	    'index($0, ENVIRON["K"]) == 1 { found = 1 } END { exit !found }'
}
# Start enforcer ARGS in the background; once COND HOST holds for some
# host (polled, at most 60 s), send it one SIGINT; wait for it: RC, OUT.
interrupt_when() {
	cond=$1
	shift
	"$ENFORCER" "$@" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	i=0
	while :; do
		for h in $HOSTS; do
			$cond $h && break 2
		done
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $pid 2>/dev/null; then
			fail "$*: never saw '$cond' on any host"
			break
		fi
		sleep 0.05
	done
	kill -INT $pid
	wait $pid
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

# --- revert ------------------------------------------------------------------
run_enforcer apply "$D"
expect_rc "apply: Spooler running everywhere" 0
A=$(printf '%s\n' "$OUT" | sed -n 's/^recorded run \([^ ]*\) in .*/\1/p')
reset_counters $HOSTS
slow 400
reverted() {
	[ "$(truth "$1" service.Spooler.state)" != Running ]
}
interrupt_when reverted revert --parallel 1 "$A" "$D"
expect "revert: exit status after SIGINT" 3 "$RC"
expect_match "revert: the signal is acknowledged" \
    "interrupted: finishing the changes in flight" "$ERR"
msg=$(g log -1 --format=%B enforcer/history)
expect_match "revert: the interrupted run is recorded" "^Verb: revert$" "$msg"
nrev=0
nkept=0
for h in $HOSTS; do
	st=$(truth $h service.Spooler.state)
	line=$(printf '%s\n' "$msg" | grep -c "^change host=$h path=service.Spooler.state .*verified=yes")
	if [ "$st" = Stopped ]; then
		nrev=$((nrev + 1))
		expect "$h: reverted, and recorded as a verified change" 1 "$line"
		expect "$h: the recorded state is the ground truth" stopped \
		    "$(recorded $h service.Spooler.state)"
	else
		nkept=$((nkept + 1))
		expect "$h: not reverted: still running" Running "$st"
		expect "$h: not reverted: no write sent" 0 "$(writes $h)"
		expect "$h: not reverted: no change recorded" 0 "$line"
	fi
done
expect "revert: the signal landed mid-run (a host reverted)" 1 \
    "$([ $nrev -ge 1 ] && echo 1 || echo 0)"
expect "revert: the signal landed mid-run (a host untouched)" 1 \
    "$([ $nkept -ge 1 ] && echo 1 || echo 0)"
out=$(g fsck --full --strict 2>&1) || fail "git fsck: $out"

# --- restart-winrm -----------------------------------------------------------
slow 0
tip=$(g rev-parse enforcer/history)
reset_counters $HOSTS
slow 300
interrupt_when has_task restart-winrm --parallel 1 --yes "$D"
slow 0
expect "restart-winrm: exit status after SIGINT" 3 "$RC"
expect_match "restart-winrm: the signal is acknowledged" \
    "interrupted: finishing the changes in flight" "$ERR"
nback=0
nkept=0
for h in $HOSTS; do
	if [ "$(writes $h)" != 0 ]; then
		nback=$((nback + 1))
		expect "$h: restarted host: WinRM running" Running \
		    "$(truth $h service.WinRM.state)"
		expect "$h: restarted host: task deleted" 0 \
		    "$(has_task $h && echo 1 || echo 0)"
	else
		nkept=$((nkept + 1))
		expect "$h: host not started: no task" 0 \
		    "$(has_task $h && echo 1 || echo 0)"
	fi
done
expect "restart-winrm: one host seen through" 1 "$nback"
expect "restart-winrm: the others untouched" 2 "$nkept"
msg=$(g log -1 --format=%B enforcer/history)
expect_match "restart-winrm: the interrupted run is recorded" \
    "^Verb: restart-winrm$" "$msg"
expect "restart-winrm: the host restarted is recorded as such" 1 \
    "$(printf '%s\n' "$msg" | grep -c '^change host=.* path=winrm.restart after=done .*verified=yes')"
expect "restart-winrm: the others as not attempted" 2 \
    "$(printf '%s\n' "$msg" | grep -c '^Hosts-Failed: .*: not attempted: interrupted$')"
expect "restart-winrm: its intent came first" 1 \
    "$(g log -1 --format=%B enforcer/history~1 | grep -c '^Record: intent$')"

# --- a signal that leaves nothing undone: 130 ------------------------------
# One host, one change: the signal comes once the change is on the host;
# the change in flight is seen through, nothing is left: exit 130.
HOSTS=n1.sig.test
sim_ok POST /hosts/n1.sig.test/set 'service.Spooler.state = Running' >/dev/null
slow 300
stopped() {
	[ "$(truth "$1" service.Spooler.state)" = Stopped ]
}
sed -i 's/Spooler: running/Spooler: stopped/' "$D/hosts.yaml"
g commit -q -a -m "desired state: spooler stopped"
interrupt_when stopped apply --parallel 1 --hosts n1.sig.test "$D"
slow 0
expect "apply: exit status after SIGINT with nothing left undone" 130 "$RC"
expect_match "apply: the signal is acknowledged" \
    "interrupted: finishing the changes in flight" "$ERR"
expect_match "apply: the run is recorded" "^Verb: apply$" \
    "$(g log -1 --format=%B enforcer/history)"
finish
