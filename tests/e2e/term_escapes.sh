#!/bin/sh
# term_escapes.sh: a hostile host cannot drive the operator's terminal.
# A group member whose name carries an escape sequence (clear the line,
# move up) and a C1 CSI reaches plan's output, the history and `show`
# escaped: \x1b and \u009b, never the raw bytes; --json stays valid JSON
# holding the name exactly.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
H=evil.contoso.test

cat >"$TMP/fleet.yaml" <<EOF2
$FLEET_DEFAULTS
hosts:
  $H:
    address: $NET.1
    groups:
      Administrators: { members: ["CONTOSO\\\\x\\e[2K\\e[1A\\u009bhidden"] }
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
raw=$(printf '%s%s' "$OUT" "$ERR" | od -An -c | grep -c '033\|302 233')
expect "plan: no raw ESC or CSI" 0 "$raw"
expect_contains "plan: the name shown escaped" "$OUT" 'x\x1b[2K\x1b[1A\u009bhidden'

run_enforcer plan --json "$TMP/ds"
name=$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
for h in r["hosts"]:
    for c in h.get("changes", []):
        if c.get("before"):
            print(repr(c["before"]))')
expect "json: valid, the name exact" "'CONTOSO\\\\x\\x1b[2K\\x1b[1A\\x9bhidden'" "$name"
finish
