#!/bin/sh
# engine_shards.sh: --shard I/N and --shards N with JOB_COMPLETION_INDEX
# split the fleet by a stable hash of each inventory name (on $NET).  The
# expected split is computed here, independently (FNV-1a 64 in Python);
# what each run handled is read from the simulator's ground truth and
# request counters.
#  - 4 shards, each a separate run: each host changed by exactly the run
#    of its shard, no host contacted by another shard's run
#  - the same through JOB_COMPLETION_INDEX and --shards 4
#  - --hosts narrows within a shard; the split is printed, and in --json
#  - an empty selection in a shard is a run with nothing to do (exit 0)
#  - revert on a local history holding shard refs records its run (as
#    the shard of one, enforcer/history/shard-0-of-1), read with the rest
#  - window open --shard 1/4 turns the window on for shard 1's hosts only
#    (no other host contacted), recorded on shard 1's ref; window close
#    --shards 4 with JOB_COMPLETION_INDEX=1 turns it off on them
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

NH=24
HOSTS=""
i=1
while [ $i -le $NH ]; do
	HOSTS="$HOSTS h$i.shard.test"
	i=$((i + 1))
done
{
	echo "$FLEET_DEFAULTS"
	echo "hosts:"
	i=1
	for h in $HOSTS; do
		echo "  $h: { address: $NET.$i," \
		    "services: { Spooler: { state: Stopped, start_mode: Auto } }," \
		    "winrm: { service: { auth: { CredSSP: true } } } }"
		i=$((i + 1))
	done
} >"$TMP/fleet.yaml"
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
{
	echo "hosts:"
	i=1
	for h in $HOSTS; do
		echo "  $h: { address: $NET.$i, groups: [h$i] }"
		i=$((i + 1))
	done
	echo "policies:"
	echo "  all: { credssp: { server: disabled } }"
} >"$TMP/ds/hosts.yaml"

# The shard of NAME among N, by the documented hash (docs/scale.md).
shard_of() {
	/usr/bin/python3 -c 'import sys
h = 0xcbf29ce484222325
for c in sys.argv[1].lower().encode():
    h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
print(h % int(sys.argv[2]))' "$1" "$2"
}
requests() {
	sim GET "/hosts/$1/counters" | sed -n 's/^requests = //p'
}
credssp_of() {
	truth "$1" winrm.service.auth.CredSSP
}

# After the run of shard K: hosts of shards <= K changed, exactly those of
# K contacted, every other host untouched.
check_shard() {
	k=$1
	for h in $HOSTS; do
		s=$(shard_of $h 4)
		if [ "$s" -eq "$k" ]; then
			[ "$(credssp_of $h)" = false ] && [ "$(writes $h)" = 1 ] ||
			    fail "$h (shard $s): not changed once by shard $k"
		elif [ "$(requests $h)" != 0 ]; then
			fail "$h (shard $s): contacted by shard $k"
		elif [ "$s" -gt "$k" ] && [ "$(credssp_of $h)" != true ]; then
			fail "$h (shard $s): changed before its shard ran"
		fi
	done
	pass "shard $k: its hosts changed once each, no other host contacted"
}

for k in 0 1 2 3; do
	reset_counters $HOSTS
	run_enforcer apply --shard $k/4 "$TMP/ds"
	expect_rc "apply --shard $k/4" 0
	n=0
	for h in $HOSTS; do
		[ "$(shard_of $h 4)" -eq $k ] && n=$((n + 1))
	done
	expect_line "the split in the report" \
	    "shard $k/4: $n of the inventory's $NH hosts (fnv1a64(lower-case name) mod N)"
	check_shard $k
done

# --- the same through JOB_COMPLETION_INDEX ----------------------------------
for h in $HOSTS; do
	sim_ok POST /hosts/$h/set 'winrm.service.auth.CredSSP = true' >/dev/null
done
for k in 0 1 2 3; do
	reset_counters $HOSTS
	JOB_COMPLETION_INDEX=$k run_enforcer apply --shards 4 "$TMP/ds"
	expect_rc "JOB_COMPLETION_INDEX=$k apply --shards 4" 0
	check_shard $k
done
run_enforcer plan --shards 4 "$TMP/ds"
expect_rc "--shards without JOB_COMPLETION_INDEX: usage error" 1
expect_match "says what to do" "JOB_COMPLETION_INDEX is not set" "$ERR"
run_enforcer plan --shard 4/4 "$TMP/ds"
expect_rc "--shard 4/4: usage error" 1

# --- --hosts narrows within a shard, --json shows the split -----------------
FIRST=""
for h in $HOSTS; do
	[ "$(shard_of $h 4)" -eq 2 ] && { FIRST=$h; break; }
done
reset_counters $HOSTS
run_enforcer plan --json --shard 2/4 --hosts "$FIRST" "$TMP/ds"
expect_rc "plan --shard 2/4 --hosts ONE" 0
expect "one host, the shard's, in --json" \
    "$FIRST 2 4 $NH" "$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
s = r["shard"]
print(" ".join(h["name"] for h in r["hosts"]), s["index"], s["count"],
      s["fleet_hosts"])')"
others=0
for h in $HOSTS; do
	[ "$h" != "$FIRST" ] && [ "$(requests $h)" != 0 ] && others=$((others + 1))
done
expect "no other host contacted" 0 $others
run_enforcer plan --shard 1/4 --hosts "$FIRST" "$TMP/ds"
expect_rc "a host of another shard: nothing to do, exit 0" 0
expect_line_re "0 hosts in the run" "plan: 0 hosts: .*"

# --- revert on the local sharded history records its run ------------------
# $ENFORCER_HISTORY holds shard refs only: an unsharded run cannot create
# the branch enforcer/history beside them, and records as the one shard of
# one instead (docs/scale.md).
S=$(shard_of h1.shard.test 4)
printf 'policies:\n  h1: { service: { Spooler: running } }\n' \
    >"$TMP/ds/spool.yaml"
run_enforcer apply --shard "$S/4" --hosts h1.shard.test "$TMP/ds"
expect_rc "apply --shard $S/4: Spooler started on h1" 0
expect "ground truth: Spooler running" Running \
    "$(truth h1.shard.test service.Spooler.state)"
A=$(printf '%s\n' "$OUT" | sed -n 's/^recorded run \([^ ]*\) in .*/\1/p')
# The fleet-wide history orders runs of different refs by their time, to
# the second: the revert goes in the next second, so "after" is defined.
t=$(date +%s)
while [ "$(date +%s)" = "$t" ]; do sleep 0.1; done
run_enforcer revert "$A" "$TMP/ds"
expect_rc "revert of a shard's run on the local sharded history" 0
expect "ground truth: Spooler stopped again" Stopped \
    "$(truth h1.shard.test service.Spooler.state)"
R=$(printf '%s\n' "$OUT" | sed -n 's/^recorded run \([^ ]*\) in .*/\1/p')
expect_match "the revert says where it recorded" \
    "recorded run $R in branch enforcer/history/shard-0-of-1" "$OUT"
expect "the history repository: the revert on shard-0-of-1" "$R revert" \
    "$(git --git-dir "$TMP/history" log -1 --format=%B \
    enforcer/history/shard-0-of-1 | sed -n 's/^Verb: //p;s/^Run-Id: //p' |
    tr '\n' ' ' | sed 's/ $//')"
git --git-dir "$TMP/history" show-ref -q --verify refs/heads/enforcer/history
expect "no branch enforcer/history was made" 1 $?
# --- window verbs by shard ---------------------------------------------------
reset_counters $HOSTS
tips() {
	git --git-dir "$TMP/history" for-each-ref --format='%(refname:lstrip=4) %(objectname)' \
	    refs/heads/enforcer/history/
}
before=$(tips)
run_enforcer window open w1 --for 1h --hosts all --reason "shard test" \
    --set credssp.server=enabled --shard 1/4 "$TMP/ds"
expect_rc "window open --shard 1/4" 0
bad=""
for h in $HOSTS; do
	if [ "$(shard_of $h 4)" -eq 1 ]; then
		[ "$(credssp_of $h)" = true ] || bad="$bad $h"
	elif [ "$(requests $h)" != 0 ] || [ "$(credssp_of $h)" != false ]; then
		bad="$bad $h"
	fi
done
expect "window open --shard 1/4: CredSSP on for shard 1's hosts, no other host contacted" "" "$bad"
expect "recorded on shard 1's ref, no other ref moved" "shard-1-of-4" \
    "$(printf '%s\n%s\n' "$before" "$(tips)" | sort | uniq -u |
    cut -d' ' -f1 | sort -u | tr '\n' ' ' | sed 's/ $//')"
reset_counters $HOSTS
JOB_COMPLETION_INDEX=1 run_enforcer window close w1 --shards 4 "$TMP/ds"
expect_rc "window close --shards 4 (index 1)" 0
bad=""
for h in $HOSTS; do
	if [ "$(shard_of $h 4)" -eq 1 ]; then
		[ "$(credssp_of $h)" = false ] || bad="$bad $h"
	elif [ "$(requests $h)" != 0 ]; then
		bad="$bad $h"
	fi
done
expect "window close: CredSSP off again on shard 1's hosts, no other contacted" "" "$bad"

run_enforcer history --json --host h1.shard.test
expect "history --host h1: the revert, then the apply" "$R revert $A apply" \
    "$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
print(" ".join(e["run_id"] + " " + e["verb"] for e in json.load(sys.stdin)["runs"][:2]))')"

finish
