#!/bin/sh
# term_escapes.sh: a hostile host cannot drive the operator's terminal.
# A group member whose name carries C1 CSI sequences (U+009B: the 8-bit
# ESC [, which XML 1.0 can carry where ESC itself is not allowed) and a DEL
# reaches plan's output escaped, \u009b and \u007f, never the raw bytes;
# --json stays valid JSON holding the name exactly.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
H=evil.contoso.test

cat >"$TMP/fleet.yaml" <<EOF2
$FLEET_DEFAULTS
hosts:
  $H:
    address: $NET.1
    groups:
      Administrators: { members: ["CONTOSO\\\\x\\u009b2K\\u009b1A\\u007fhidden"] }
EOF2
fleet_start "$TMP/fleet.yaml"
ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF2
hosts:
  $H: { address: $NET.1 }
policies:
  $H:
    local_group: { Administrators: { members: ['CONTOSO\\bob'], exclusive: true } }
EOF2

run_enforcer plan "$TMP/ds"
expect "plan: exit" 2 "$RC"
raw=$(printf '%s%s' "$OUT" "$ERR" | /usr/bin/python3 -c 'import sys
d = sys.stdin.buffer.read()
print(d.count(b"\xc2\x9b") + d.count(b"\x7f") + d.count(b"\x1b"))')
expect "plan: no raw CSI or DEL" 0 "$raw"
expect_contains "plan: the name shown escaped" "$OUT" 'x\u009b2K\u009b1A\u007fhidden'

run_enforcer plan --json "$TMP/ds"
name=$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
for h in r["hosts"]:
    for c in h.get("changes", []):
        if c.get("before"):
            print(repr(c["before"]))')
expect_match "json: valid, the name exact" "^'CONTOSO\\\\\\\\x\\\\x9b2K\\\\x9b1A\\\\x7fhidden" "$name"
finish
