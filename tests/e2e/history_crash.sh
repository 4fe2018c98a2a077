#!/bin/sh
# history_crash.sh: kill (SIGKILL) a process recording runs, 50 times at
# random points.  After each kill `git fsck` must be clean, the branch must
# be at a complete run (its run id matches every host file of its tree and
# the number of runs), no run may be lost, and the next process must go on
# recording (a stale ref lock must not stop it).
. "$(dirname "$0")/lib/e2e.sh"
unset ENFORCER_HISTORY
DRIVER="$TOP/$ENFORCER_BUILD/tests/test_history"
KILLS=50
pid=""
trap '[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null; cleanup' EXIT
# The first failure ends the test: what follows a broken kill means nothing.
fail_kill() {
	fail "kill $i: $*"
	finish
}
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
H="$TMP/hist"

prev=0
mid=0
locks=0
ndang=0
i=1
while [ "$i" -le "$KILLS" ]; do
	"$DRIVER" loop "$H" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	# One kill in five anywhere from the start (opening, creating the
	# repository); the others once it writes, whatever its start-up
	# costs (sanitizers): 5..84 ms, a few runs then a kill inside one.
	if [ $((i % 5)) -ne 1 ]; then
		# Up to 120 s by the clock: a loaded machine (a parallel
		# build, sanitizers) can starve the driver for long.
		until=$(($(date +%s) + 120))
		while [ ! -s "$TMP/out" ] && [ "$(date +%s)" -le "$until" ] &&
		    kill -0 "$pid" 2>/dev/null; do
			sleep 0.01
		done
		[ -s "$TMP/out" ] || fail_kill "driver did not start: $(cat "$TMP/err")"
	fi
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % 80 + 5 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null || fail_kill "driver exited early: $(cat "$TMP/err")"
	wait "$pid" 2>/dev/null
	pid=""
	[ ! -s "$TMP/err" ] || fail_kill "driver: $(cat "$TMP/err")"
	[ -d "$H/refs" ] || { i=$((i + 1)); continue; }
	out=$(git -C "$H" fsck --full --strict 2>&1) || fail_kill "git fsck: $out"
	bad=$(echo "$out" | grep -v -e '^dangling ' \
	    -e '^notice: HEAD points to an unborn branch' \
	    -e '^notice: No default references' | grep .)
	[ -z "$bad" ] || fail_kill "git fsck: $bad"
	# Unreachable objects appear when a kill cut a run short.
	d=$(echo "$out" | grep -c '^dangling ')
	[ "$d" -le "$ndang" ] || mid=$((mid + 1))
	ndang=$d
	[ ! -e "$H/refs/heads/enforcer/history.lock" ] || locks=$((locks + 1))
	seq=$("$DRIVER" verify "$H") || fail_kill "verify failed"
	[ "$seq" -ge "$prev" ] || fail_kill "branch went back from run $prev to $seq"
	prev=$seq
	i=$((i + 1))
done
# Kills must not all land before any write.
[ "$prev" -ge 10 ] || fail_kill "only $prev runs recorded"
n=$(git -C "$H" rev-list --count enforcer/history)
echo "history_crash: $KILLS kills, $prev runs, $n commits; $mid kills" \
    "cut a run short (new unreachable objects), $locks left a stale ref lock"
finish
