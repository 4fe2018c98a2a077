#!/bin/sh
# Run every test: the unit test programs given as arguments, then each
# end-to-end script under tests/e2e/ (shell or Python).  Prints one line per
# test and a closing "N passed, N failed" line; exits non-zero on failure.
#
# Environment for the scripts: TOP (the source tree), ENFORCER, WINRM_SIM
# (the binaries), ENFORCER_BUILD (the object directory), SAN (1 under
# sanitizers).  Every shell script sources tests/e2e/lib/e2e.sh, which puts
# its simulated hosts on a /24 of its own, so two suites can run at once on
# one machine.  A test whose prerequisite is missing (a binary, a Python
# module) fails; nothing here skips.
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
export ENFORCER="$TOP/bin/enforcer" WINRM_SIM="$TOP/bin/winrm-sim"
export ENFORCER_BUILD="${ENFORCER_BUILD:-build/default}"
# Unit tests: every leak with its whole stack (the slow unwinder).  The
# end-to-end suites log on with NTLM, as a fleet does, and gss-ntlmssp's
# leak (tests/lsan.supp) then has only libcrypto frames under the fast
# unwinder, which runs these suites three times faster: they suppress
# libcrypto too (tests/lsan-e2e.supp), and our own OpenSSL use is checked
# for leaks, whole stacks, by the unit tests.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp:print_suppressions=0}"
UNIT_ASAN="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
E2E_LSAN=$(echo "$LSAN_OPTIONS" | sed "s|tests/lsan.supp|tests/lsan-e2e.supp|")
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# The test CA is not in the system bundle; never let the environment's
# bundle settings leak into pywinrm or curl.
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE SSL_CERT_FILE
LOGDIR="$TOP/$ENFORCER_BUILD/test-logs"
mkdir -p "$LOGDIR"

passed=0
failed=0
failures=""

run_one() {
	name=$1
	shift
	log="$LOGDIR/$(echo "$name" | tr '/' '_').log"
	if (cd "$TOP" && "$@") >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name (log: $log)"
		sed 's/^/    | /' "$log" | tail -40
	fi
}

for t in "$@"; do
	run_one "unit/$(basename "$t")" env ASAN_OPTIONS="$UNIT_ASAN" "$t"
done
export LSAN_OPTIONS="$E2E_LSAN"
for t in "$TOP"/tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	run_one "e2e/$(basename "$t")" sh "$t"
done
for t in "$TOP"/tests/e2e/*.py; do
	[ -f "$t" ] || continue
	run_one "e2e/$(basename "$t")" /usr/bin/python3 "$t"
done

echo
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
