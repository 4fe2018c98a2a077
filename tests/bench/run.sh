#!/bin/sh
# make bench: run every benchmark under tests/bench/ and print its figures.
# Benchmarks print numbers; they never pass or fail on timing.
# BENCHES="a.sh b.py" runs only those (the table shows what they measured).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP ENFORCER="$TOP/bin/enforcer" WINRM_SIM="$TOP/bin/winrm-sim"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE SSL_CERT_FILE
# Each benchmark adds its issue-16 figures here (lib/rows.sh,
# lib/benchrows.py); the table at the end is printed from them.
BENCH_ROWS=$(mktemp "${TMPDIR:-/tmp}/enforcer-bench-rows.XXXXXX") || exit 1
export BENCH_ROWS
trap 'rm -f "$BENCH_ROWS"' EXIT
rc=0
for b in "$TOP"/tests/bench/*.py "$TOP"/tests/bench/*.sh; do
	[ -f "$b" ] || continue
	[ "$(basename "$b")" = run.sh ] && continue
	# BENCHES="host_rtt.sh engine_fleet.py": only those.
	[ -z "$BENCHES" ] || case " $BENCHES " in
	*" $(basename "$b") "*) ;;
	*) continue ;;
	esac
	echo "== $(basename "$b")"
	case "$b" in
	*.py) /usr/bin/python3 "$b" || rc=1 ;;
	*) sh "$b" || rc=1 ;;
	esac
done
echo "== issue 16's table"
/usr/bin/python3 "$TOP/tests/bench/lib/issue16.py" "$BENCH_ROWS"
exit $rc
