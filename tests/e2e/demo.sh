#!/bin/sh
# demo.sh: `make demo` keeps working (examples/demo.sh on 127.0.10.0/24):
# it exits 0, every step ran, the plan after apply found the fleet in sync,
# the window was reverted after its end, and it
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

# The demo logs on with NTLM: see tests/lsan.supp.
[ "${SAN:-0}" = 1 ] &&
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0"
sh "$TOP/examples/demo.sh" >"$out" 2>&1
rc=$?
cat "$out"
[ "$rc" = 0 ] || fail "examples/demo.sh exited $rc"
grep -q '^demo: done' "$out" || fail "the demo did not reach its end"
grep -q '^plan: 3 hosts: 3 in sync, 0 with changes, 0 failed' "$out" ||
	fail "the plan after apply did not find the fleet in sync"
grep -q '^  node2.contoso.test: reverted$' "$out" ||
	fail "the window was not reverted after its end"
[ -e "$TOP/examples/demo/run" ] && fail "examples/demo/run left behind"
# The simulator is stopped: its addresses no longer answer.
if /usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.10.1", 5986), timeout=2)' 2>/dev/null; then
	fail "something still listens on 127.0.10.1:5986"
fi
[ "$failed" -eq 0 ] || exit 1
echo "all checks passed"
