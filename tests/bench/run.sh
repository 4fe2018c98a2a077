#!/bin/sh
# run.sh: every benchmark under tests/bench/, one after the other; each
# prints its own figures.  `make bench` runs this.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP
export ENFORCER="${ENFORCER:-$TOP/bin/enforcer}" WINRM_SIM="${WINRM_SIM:-$TOP/bin/winrm-sim}"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE SSL_CERT_FILE
rc=0
for b in "$TOP"/tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b")"
	sh "$b" || rc=1
done
exit $rc
