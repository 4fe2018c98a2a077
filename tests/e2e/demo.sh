#!/bin/sh
# demo.sh: `make demo` keeps working (examples/demo.sh, on a /24 of its
# own): it exits 0, every step ran, enforcer logged on with Kerberos from
# the demo's client keytab (Basic off on every host), the plan after apply
# found the fleet in sync, the gateway's Windows Admin Center groups are
# right, the window was reverted after its end, and it leaves no simulator
# or KDC running and nothing behind in examples/demo/run.
. "$(dirname "$0")/lib/e2e.sh"

# The demo keeps its history in its own desired-state repository.
unset ENFORCER_HISTORY
# The demo starts a Kerberos realm of its own: its environment must not
# be the test run's.
unset KRB5_CONFIG KRB5_KDC_PROFILE KRB5_CLIENT_KTNAME KRB5CCNAME KRB5_KTNAME
# No password anywhere: the hosts' copy of the account's is made up by
# demo.sh and never given to enforcer, so every logon was Kerberos.
unset ENFORCER_PASSWORD
sh "$TOP/examples/demo.sh" >"$TMP/demo.out" 2>&1
rc=$?
cat "$TMP/demo.out"
out=$(cat "$TMP/demo.out")
expect "examples/demo.sh exit status" 0 "$rc"
expect_match "the demo reached its end" '^demo: done' "$out"
expect_match "the demo started its Kerberos realm first" \
    '^=== 1\. Start a Kerberos realm$' "$out"
expect_match "the plan after apply found the fleet in sync" \
    '^plan: 3 hosts: 3 in sync, 0 with changes, 0 failed' "$out"
# The demo's host table is the simulator's ground truth: on the WAC
# gateway, hci-admins ends a local administrator (WAC's gateway
# administrators) and the only member of the local group WAC's installer
# creates for CredSSP, alice gone from it.
expect_match "wac01 before: hci-admins no admin, alice in WAC's CredSSP group" \
    '^  wac01\.contoso\.test .* not an admin  *CONTOSO.alice ' "$out"
expect_match "wac01 after: hci-admins an admin, alone in WAC's CredSSP group" \
    '^  wac01\.contoso\.test .* an admin  *CONTOSO.hci-admins  *-$' "$out"
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
