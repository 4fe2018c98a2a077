#!/bin/sh
# make bench: run every benchmark under tests/bench/ and print its figures.
# Benchmarks print numbers; they never pass or fail on timing.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP ENFORCER="$TOP/bin/enforcer" WINRM_SIM="$TOP/bin/winrm-sim"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE SSL_CERT_FILE
rc=0
for b in "$TOP"/tests/bench/*.py "$TOP"/tests/bench/*.sh; do
	[ -f "$b" ] || continue
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b")"
	case "$b" in
	*.py) /usr/bin/python3 "$b" || rc=1 ;;
	*) sh "$b" || rc=1 ;;
	esac
done
exit $rc
