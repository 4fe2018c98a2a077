#!/bin/sh
# demo.sh: `make demo` keeps working (examples/demo.sh, on a /24 of its
# own): it exits 0, every step ran, the plan after apply found the fleet in
# sync, the window was reverted after its end, and it leaves no simulator
# running and nothing behind in examples/demo/run.
. "$(dirname "$0")/lib/e2e.sh"

# The demo keeps its history in its own desired-state repository.
unset ENFORCER_HISTORY
# The demo logs on with NTLM: see tests/lsan.supp.
[ "${SAN:-0}" = 1 ] &&
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0"
sh "$TOP/examples/demo.sh" >"$TMP/demo.out" 2>&1
rc=$?
cat "$TMP/demo.out"
out=$(cat "$TMP/demo.out")
expect "examples/demo.sh exit status" 0 "$rc"
expect_match "the demo reached its end" '^demo: done' "$out"
expect_match "the plan after apply found the fleet in sync" \
    '^plan: 3 hosts: 3 in sync, 0 with changes, 0 failed' "$out"
expect_match "the window was reverted after its end" \
    '^  node2.contoso.test: reverted$' "$out"
expect_match "doctor named the broken delegation link" \
    '^  broken  delegation            wac01.contoso.test: no AllowFreshCredentials entry covers wsman/node1.contoso.test' "$out"
expect_match "the Create Cluster preset delegated to exactly the nodes" \
    '^  wac01 client role: true, delegates to: wsman/node1.contoso.test wsman/node1 wsman/node2.contoso.test wsman/node2 $' "$out"
expect_match "doctor found the chain sound in the window" \
    '^doctor: 1 path, 1 sound, 0 broken$' "$out"
expect_match "restart-winrm restarted the nodes" \
    '^restart-winrm: 2 hosts: 2 restarted, 0 failed$' "$out"
expect "examples/demo/run removed" no \
    "$([ -e "$TOP/examples/demo/run" ] && echo yes || echo no)"
# The simulator is stopped: the address it served node1 on no longer
# answers.
addr=$(sed -n 's/^  ready: node1\.contoso\.test //p' "$TMP/demo.out")
expect_match "the demo said where node1 was" '^127\.[0-9.]*:5986$' "$addr"
expect "nothing listens on $addr any more" refused "$(/usr/bin/python3 -c '
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
try:
    socket.create_connection((host, int(port)), timeout=2)
    print("listening")
except OSError:
    print("refused")' "$addr")"
finish
