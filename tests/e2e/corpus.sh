#!/bin/sh
# corpus.sh: the desired-state corpus through the real binary.
#  - every tests/data/good/* and examples/hci-cluster: exit 0, a summary
#    line on stdout, nothing on stderr;
#  - every tests/data/bad/NAME(.yaml or directory): exit 1, nothing on
#    stdout, stderr byte for byte NAME.expected;
#  - plan --offline --at shows a window's overlay inside the window and the
#    base policy outside it (golden files in tests/data/plan/, plus explicit
#    checks of the boundaries: start inclusive, end exclusive).
# Paths are relative to the top of the tree, where it runs.
. "$(dirname "$0")/lib/e2e.sh"
unset ENFORCER_HISTORY
cd "$TOP" || exit 1
checked=0

run() {
	"$ENFORCER" "$@" >"$TMP/out" 2>"$TMP/err"
	echo $? >"$TMP/rc"
}

rc() {
	cat "$TMP/rc"
}

for g in tests/data/good/*.yaml tests/data/good/*/ examples/hci-cluster; do
	g=${g%/}
	run validate "$g"
	[ "$(rc)" = 0 ] || fail "$g: exit $(rc), want 0: $(cat "$TMP/err")"
	[ -s "$TMP/err" ] && fail "$g: unexpected stderr: $(cat "$TMP/err")"
	grep -q "^$g: ok ([0-9]* host" "$TMP/out" || fail "$g: no summary line"
	checked=$((checked + 1))
done

for b in tests/data/bad/*.yaml tests/data/bad/*/; do
	b=${b%/}
	exp=${b%.yaml}.expected
	if [ ! -f "$exp" ]; then
		fail "$b: no $exp"
		continue
	fi
	run validate "$b"
	[ "$(rc)" = 1 ] || fail "$b: exit $(rc), want 1"
	[ -s "$TMP/out" ] && fail "$b: unexpected stdout: $(cat "$TMP/out")"
	expect_file "$b: stderr" "$exp" "$TMP/err"
	checked=$((checked + 1))
done

# The issue's example, before, inside and after its window.
ex=examples/hci-cluster
check_plan() {	# TIME GOLDEN
	run plan --offline --at "$1" "$ex"
	[ "$(rc)" = 0 ] || fail "plan --at $1: exit $(rc): $(cat "$TMP/err")"
	[ -z "$2" ] || expect_file "plan --at $1" "$2" "$TMP/out"
	checked=$((checked + 1))
}
# node1's credssp.server line and wac01's delegate line.
server_line() {
	sed -n '/^node1.contoso.test:/,/^[^ ]/{/server:/{n;p;}}' "$TMP/out"
}

check_plan 2026-11-25T10:00:00Z tests/data/plan/hci-cluster-inside.out
server_line | grep -q 'enabled: true   # window create-cluster (until 2026-11-25T11:00:00Z; policy hci-nodes says false)' ||
	fail "inside the window: node1 server is not enabled by the window"
grep -q -- '- wsman/\*.contoso.test' "$TMP/out" ||
	fail "inside the window: wac01 has no delegation"

check_plan 2026-11-25T11:00:00Z tests/data/plan/hci-cluster-after.out
server_line | grep -q 'enabled: false   # policy hci-nodes$' ||
	fail "at the window's end: node1 server is not back to the policy"
grep -q 'delegate' "$TMP/out" &&
	fail "at the window's end: delegation is still there"

check_plan 2026-11-25T08:59:59Z ""
server_line | grep -q 'enabled: false   # policy hci-nodes$' ||
	fail "before the window: node1 server is not the policy's"
check_plan 2026-11-25T09:00:00Z ""
server_line | grep -q 'enabled: true   # window create-cluster' ||
	fail "at the window's start: node1 server is not the window's"
check_plan 2026-11-25T10:00:00+01:00 ""
server_line | grep -q 'enabled: true   # window create-cluster' ||
	fail "--at with an offset is not converted to UTC"
grep -q '^# desired state of examples/hci-cluster at 2026-11-25T09:00:00Z' "$TMP/out" ||
	fail "--at with an offset is not printed back in UTC"

# Host selection by name or group.
run plan --offline --at 2026-11-25T10:00:00Z --hosts 'hci-*' "$ex"
[ "$(grep -c '^[a-z]' "$TMP/out")" = 2 ] || fail "--hosts 'hci-*' did not select the two nodes"
run plan --offline --hosts nomatch "$ex"
[ "$(rc)" = 1 ] || fail "--hosts matching nothing: exit $(rc), want 1"

# Usage.
run validate --help
[ "$(rc)" = 0 ] && grep -q '^usage: enforcer validate PATH' "$TMP/out" || fail "validate --help"
run plan --help
[ "$(rc)" = 0 ] && grep -q '^usage: enforcer plan' "$TMP/out" || fail "plan --help"
run validate --bogus "$ex"
[ "$(rc)" = 1 ] || fail "validate --bogus: exit $(rc), want 1"
run plan --offline --at 2026-11-25 "$ex"
[ "$(rc)" = 1 ] && grep -q "is not an RFC 3339 timestamp" "$TMP/err" || fail "plan --at with a date only"
# Online, with no Kerberos ticket nor keytab: every host fails on its own
# (exit 3), each named with its cause, before anything is sent.
unset ENFORCER_PASSWORD KRB5_CLIENT_KTNAME
printf '[libdefaults]\n\tdefault_realm = CONTOSO.TEST\n' >"$TMP/krb5.conf"
KRB5_CONFIG="$TMP/krb5.conf" KRB5CCNAME="FILE:$TMP/no-such-ccache" \
    run plan "$ex"
[ "$(rc)" = 3 ] && [ "$(grep -c "^failed: .*kerberos: cannot get credentials: no Kerberos credentials: run kinit" "$TMP/out")" = 3 ] ||
	fail "plan without --offline and without credentials: exit $(rc)"
run validate tests/data/does-not-exist
[ "$(rc)" = 1 ] && grep -q '^tests/data/does-not-exist: No such file or directory$' "$TMP/err" ||
	fail "validate of a missing path"

echo "$checked corpus cases checked"
finish
