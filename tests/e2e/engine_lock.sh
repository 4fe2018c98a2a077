#!/bin/sh
# engine_lock.sh: two applies against the same desired state never run at
# once (on $NET).  While a slow apply holds the lock:
#  - apply --no-wait exits 1 at once, naming the holder's pid;
#  - apply waits, says so, and runs after the holder: it finds the fleet in
#    sync and writes nothing (the simulator counts the holder's writes only);
#  - plan does not take the lock: it finishes while the holder still runs.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

H=slow.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $H:
    address: $NET.1
    services: { W32Time: { state: Stopped }, RemoteRegistry: { start_mode: Manual } }
EOF
fleet_start "$TMP/fleet.yaml"
# Every reply takes a second: the first apply holds the lock for seconds.
sim_ok POST /hosts/$H/fault latency_ms=1000 >/dev/null

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $H: { address: $NET.1 }
policies:
  all:
    service: { W32Time: running, RemoteRegistry: { start_mode: auto } }
EOF
LOCK="$TMP/ds/.enforcer.lock"

reset_counters $H
"$ENFORCER" apply "$TMP/ds" >"$TMP/out1" 2>"$TMP/err1" &
P1=$!
# Wait (at most 10 s) for the first run to hold the lock and name itself.
i=0
while [ "$(cat "$LOCK" 2>/dev/null)" != "$P1" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		fail "the first apply never took the lock"
		break
	fi
	sleep 0.1
done

# plan runs beside an apply.
run_enforcer plan "$TMP/ds"
if kill -0 $P1 2>/dev/null; then
	echo "ok: plan finished while the apply held the lock"
else
	fail "the apply finished before plan: the test proves nothing"
fi
expect "plan did not wait" "" "$(printf '%s' "$ERR" | grep waiting)"

# --no-wait: fail at once, naming the holder.
run_enforcer apply --no-wait "$TMP/ds"
expect_rc "apply --no-wait while another run holds the lock" 1
expect "holder named" \
    "enforcer: apply: another enforcer run (pid $P1) holds '$LOCK'; not waiting (--no-wait)" \
    "$ERR"
expect "nothing on stdout" "" "$OUT"
if kill -0 $P1 2>/dev/null; then
	echo "ok: --no-wait returned while the holder still ran"
else
	fail "the holder finished before --no-wait returned"
fi

# Without --no-wait: wait for the holder, then run.
run_enforcer apply "$TMP/ds"
expect_rc "the waiting apply" 0
expect_match "it said it waits" \
    "enforcer: waiting for another run (pid $P1) holding '$LOCK'" "$ERR"
if kill -0 $P1 2>/dev/null; then
	fail "the waiting apply finished while the holder still ran"
else
	echo "ok: the waiting apply finished after the holder"
fi
wait $P1
RC1=$?
expect "the holder's apply" 0 "$RC1"
expect_line "the waiting apply found the host in sync" "$H: in sync"
expect "only the holder wrote (two changes)" 2 "$(writes $H)"
expect "W32Time running" Running "$(truth $H service.W32Time.state)"
expect "RemoteRegistry automatic" Auto "$(truth $H service.RemoteRegistry.start_mode)"

finish
