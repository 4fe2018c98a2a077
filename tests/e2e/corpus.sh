#!/bin/sh
# corpus.sh: the desired-state corpus through the real binary.
#  - every tests/data/good/* and examples/hci-cluster: exit 0, a summary
#    line on stdout, nothing on stderr;
#  - every tests/data/bad/NAME(.yaml or directory): exit 1, nothing on
#    stdout, stderr byte for byte NAME.expected;
#  - plan --offline --at shows a window's overlay inside the window and the
#    base policy outside it (golden files in tests/data/plan/, plus explicit
#    checks of the boundaries: start inclusive, end exclusive).
# Run from the top of the tree (tests/run.sh does).
set -u
E=${ENFORCER:-bin/enforcer}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
checked=0

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

run() {
	"$E" "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}

rc() {
	cat "$tmp/rc"
}

for g in tests/data/good/*.yaml tests/data/good/*/ examples/hci-cluster; do
	g=${g%/}
	run validate "$g"
	[ "$(rc)" = 0 ] || fail "$g: exit $(rc), want 0: $(cat "$tmp/err")"
	[ -s "$tmp/err" ] && fail "$g: unexpected stderr: $(cat "$tmp/err")"
	grep -q "^$g: ok ([0-9]* host" "$tmp/out" || fail "$g: no summary line"
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
	[ -s "$tmp/out" ] && fail "$b: unexpected stdout: $(cat "$tmp/out")"
	if ! cmp -s "$exp" "$tmp/err"; then
		fail "$b: stderr differs from $exp"
		diff "$exp" "$tmp/err"
	fi
	checked=$((checked + 1))
done

# The issue's example, before, inside and after its window.
ex=examples/hci-cluster
check_plan() {	# TIME GOLDEN
	run plan --offline --at "$1" "$ex"
	[ "$(rc)" = 0 ] || fail "plan --at $1: exit $(rc): $(cat "$tmp/err")"
	if [ -n "$2" ] && ! cmp -s "$2" "$tmp/out"; then
		fail "plan --at $1 differs from $2"
		diff "$2" "$tmp/out"
	fi
	checked=$((checked + 1))
}
# node1's credssp.server line and wac01's delegate line.
server_line() {
	sed -n '/^node1.contoso.test:/,/^[^ ]/{/server:/{n;p;}}' "$tmp/out"
}

check_plan 2026-11-25T10:00:00Z tests/data/plan/hci-cluster-inside.out
server_line | grep -q 'enabled: true   # window create-cluster (until 2026-11-25T11:00:00Z; policy hci-nodes says false)' ||
	fail "inside the window: node1 server is not enabled by the window"
grep -q -- '- wsman/\*.contoso.test' "$tmp/out" ||
	fail "inside the window: wac01 has no delegation"

check_plan 2026-11-25T11:00:00Z tests/data/plan/hci-cluster-after.out
server_line | grep -q 'enabled: false   # policy hci-nodes$' ||
	fail "at the window's end: node1 server is not back to the policy"
grep -q 'delegate' "$tmp/out" &&
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
grep -q '^# desired state of examples/hci-cluster at 2026-11-25T09:00:00Z' "$tmp/out" ||
	fail "--at with an offset is not printed back in UTC"

# Host selection by name or group.
run plan --offline --at 2026-11-25T10:00:00Z --hosts 'hci-*' "$ex"
[ "$(grep -c '^[a-z]' "$tmp/out")" = 2 ] || fail "--hosts 'hci-*' did not select the two nodes"
run plan --offline --hosts nomatch "$ex"
[ "$(rc)" = 1 ] || fail "--hosts matching nothing: exit $(rc), want 1"

# Usage.
run validate --help
[ "$(rc)" = 0 ] && grep -q '^usage: enforcer validate PATH' "$tmp/out" || fail "validate --help"
run plan --help
[ "$(rc)" = 0 ] && grep -q '^usage: enforcer plan' "$tmp/out" || fail "plan --help"
run validate --bogus "$ex"
[ "$(rc)" = 1 ] || fail "validate --bogus: exit $(rc), want 1"
run plan --offline --at 2026-11-25 "$ex"
[ "$(rc)" = 1 ] && grep -q "is not an RFC 3339 timestamp" "$tmp/err" || fail "plan --at with a date only"
# Online, with no Kerberos ticket nor keytab: every host fails on its own
# (exit 3), each named with its cause, before anything is sent.
unset ENFORCER_PASSWORD KRB5_CLIENT_KTNAME
printf '[libdefaults]\n\tdefault_realm = CONTOSO.TEST\n' >"$tmp/krb5.conf"
KRB5_CONFIG="$tmp/krb5.conf" KRB5CCNAME="FILE:$tmp/no-such-ccache" \
    run plan "$ex"
[ "$(rc)" = 3 ] && [ "$(grep -c "^failed: .*kerberos: cannot get credentials: no Kerberos credentials: run kinit" "$tmp/out")" = 3 ] ||
	fail "plan without --offline and without credentials: exit $(rc)"
run validate tests/data/does-not-exist
[ "$(rc)" = 1 ] && grep -q '^tests/data/does-not-exist: No such file or directory$' "$tmp/err" ||
	fail "validate of a missing path"

echo "$checked corpus cases checked, $failed failures"
[ "$failed" -eq 0 ]
