# tests/e2e/lib/e2e.sh: helpers for end-to-end tests: start a simulated fleet,
# read and set its ground truth, run enforcer, assert.  Sourced by the
# tests; tests/run.sh sets TOP, ENFORCER and WINRM_SIM.
#
#   fleet_start FLEET.yaml   start bin/winrm-sim; sets SIM_CTL and SIM_CA
#   sim GET|POST PATH [BODY] talk to the control interface
#   truth HOST KEY           one ground-truth value
#   expect DESC WANT GOT     assert equality
#   run_enforcer ARGS...     sets OUT, ERR and RC

set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${ENFORCER:=$TOP/bin/enforcer}"
: "${WINRM_SIM:=$TOP/bin/winrm-sim}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/enforcer-e2e.XXXXXX")
# apply records every run: a desired state outside git needs a history
# (tests of the desired repository's own branch unset this).
export ENFORCER_HISTORY="$TMP/history"
SIM_PID=""
FAILS=0

cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# Wait (at most 60 s) for the simulator to print "fleet ready".
fleet_start() {
	SIM_CA="$TMP/ca.pem"
	"$WINRM_SIM" --fleet "$1" --ca-out "$SIM_CA" --control 127.0.0.1:0 \
	    >"$TMP/sim.out" 2>"$TMP/sim.err" &
	SIM_PID=$!
	i=0
	while ! grep -q '^fleet ready' "$TMP/sim.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
			echo "simulator did not start:" >&2
			cat "$TMP/sim.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	SIM_CTL=$(sed -n 's/^control //p' "$TMP/sim.out")
	export SIM_CA SIM_CTL
}

sim() {
	"$WINRM_SIM" ctl "$SIM_CTL" "$@"
}

truth() {
	sim GET "/hosts/$1/get?key=$(printf '%s' "$2" | sed 's/ /%20/g; s/\\/%5C/g')"
}

expect() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		fail "$1: want '$2', got '$3'"
	fi
}

expect_match() {
	if printf '%s' "$3" | grep -q -- "$2"; then
		echo "ok: $1"
	else
		fail "$1: '$2' not found in:"
		printf '%s\n' "$3" | sed 's/^/    /' >&2
	fi
}

run_enforcer() {
	"$ENFORCER" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed" >&2
		exit 1
	fi
	echo "all checks passed"
}
