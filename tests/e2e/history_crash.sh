#!/bin/sh
# history_crash.sh: kill (SIGKILL) a process recording runs, 50 times at
# random points.  After each kill `git fsck` must be clean, the branch must
# be at a complete run (its run id matches every host file of its tree and
# the number of runs), no run may be lost, and the next process must go on
# recording (a stale ref lock must not stop it).
set -u
DRIVER="$TOP/$ENFORCER_BUILD/tests/test_history"
KILLS=50
T=$(mktemp -d)
pid=""
cleanup() {
	[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() {
	echo "history_crash: kill $i: $*"
	exit 1
}
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
H="$T/hist"

prev=0
mid=0
locks=0
ndang=0
i=1
while [ "$i" -le "$KILLS" ]; do
	"$DRIVER" loop "$H" >"$T/out" 2>"$T/err" &
	pid=$!
	# One kill in five anywhere from the start (opening, creating the
	# repository); the others once it writes, whatever its start-up
	# costs (sanitizers): 5..84 ms, a few runs then a kill inside one.
	if [ $((i % 5)) -ne 1 ]; then
		n=0
		while [ ! -s "$T/out" ] && [ "$n" -lt 3000 ]; do
			sleep 0.01
			n=$((n + 1))
		done
		[ -s "$T/out" ] || fail "driver did not start: $(cat "$T/err")"
	fi
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % 80 + 5 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null || fail "driver exited early: $(cat "$T/err")"
	wait "$pid" 2>/dev/null
	pid=""
	[ ! -s "$T/err" ] || fail "driver: $(cat "$T/err")"
	[ -d "$H/refs" ] || { i=$((i + 1)); continue; }
	out=$(git -C "$H" fsck --full --strict 2>&1) || fail "git fsck: $out"
	bad=$(echo "$out" | grep -v -e '^dangling ' \
	    -e '^notice: HEAD points to an unborn branch' \
	    -e '^notice: No default references' | grep .)
	[ -z "$bad" ] || fail "git fsck: $bad"
	# Unreachable objects appear when a kill cut a run short.
	d=$(echo "$out" | grep -c '^dangling ')
	[ "$d" -le "$ndang" ] || mid=$((mid + 1))
	ndang=$d
	[ ! -e "$H/refs/heads/enforcer/history.lock" ] || locks=$((locks + 1))
	seq=$("$DRIVER" verify "$H") || fail "verify failed"
	[ "$seq" -ge "$prev" ] || fail "branch went back from run $prev to $seq"
	prev=$seq
	i=$((i + 1))
done
# Kills must not all land before any write.
[ "$prev" -ge 10 ] || fail "only $prev runs recorded"
n=$(git -C "$H" rev-list --count enforcer/history)
echo "history_crash: $KILLS kills, $prev runs, $n commits; $mid kills" \
    "cut a run short (new unreachable objects), $locks left a stale ref lock"
