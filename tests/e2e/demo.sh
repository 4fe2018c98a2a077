#!/bin/sh
# demo.sh: `make demo` keeps working (examples/demo.sh on 127.0.10.0/24):
# it exits 0, every step ran, the last plan found the fleet in sync, and it
# leaves no simulator running and nothing behind in examples/demo/run.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
failed=0

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

sh "$TOP/examples/demo.sh" >"$out" 2>&1
rc=$?
cat "$out"
[ "$rc" = 0 ] || fail "examples/demo.sh exited $rc"
grep -q '^demo: done' "$out" || fail "the demo did not reach its end"
tail -3 "$out" | grep -q '^plan: 3 hosts: 3 in sync, 0 with changes, 0 failed' ||
	fail "the last plan did not find the fleet in sync"
[ -e "$TOP/examples/demo/run" ] && fail "examples/demo/run left behind"
# The simulator is stopped: its addresses no longer answer.
if /usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.10.1", 5986), timeout=2)' 2>/dev/null; then
	fail "something still listens on 127.0.10.1:5986"
fi
[ "$failed" -eq 0 ] || exit 1
echo "all checks passed"
