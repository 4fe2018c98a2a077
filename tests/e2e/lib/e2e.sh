# tests/e2e/lib/e2e.sh: the one library of the end-to-end tests, sourced
# first by every tests/e2e/*.sh (converge.sh and window.sh build on it).
# tests/run.sh sets TOP, ENFORCER, WINRM_SIM and ENFORCER_BUILD; run alone,
# a script finds them from its own path.
#
#   TMP                        a scratch directory, removed on exit
#   NET                        127.X.Y: a /24 of this run's own (e2e_subnet)
#   NET_RE                     NET as a regular expression (dots escaped)
#   fleet_start FLEET.yaml [OPTION...]
#                              start bin/winrm-sim with the OPTIONs (default
#                              --ca-out $SIM_CA), wait for "fleet ready";
#                              sets SIM_PID, SIM_CTL, SIM_CA, SIM_OUT
#   fleet_stop                 SIGTERM, wait; sets SIM_RC (its exit status)
#   wait_line FILE RE PID ERRFILE WHAT
#                              wait (60 s at most) for a line of FILE
#                              matching RE while PID lives; else fail WHAT
#                              with ERRFILE shown
#   sim GET|POST PATH [BODY]   talk to the control interface
#   truth HOST KEY             one ground-truth value
#   run_enforcer ARGS...       sets OUT, ERR and RC
#
# Assertions print "ok: DESC" or count a failure; finish exits with the
# verdict.
#   fail MSG                   count a failure
#   pass DESC                  say a check passed (COND && pass D || fail D)
#   expect DESC WANT GOT       equality
#   expect_match DESC RE TEXT  TEXT has a match of RE (grep basic RE)
#   expect_contains DESC TEXT STRING...
#                              TEXT holds every STRING, literally
#   expect_file DESC GOLDEN FILE
#                              FILE is GOLDEN, byte for byte
#   expect_rc DESC WANT        RC (from run_enforcer) is WANT
#   expect_line DESC LINE      OUT holds LINE, whole
#   expect_line_re DESC ERE    OUT holds a line matching ERE, whole
#   finish                     exit 1 if anything failed

set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${ENFORCER:=$TOP/bin/enforcer}"
: "${WINRM_SIM:=$TOP/bin/winrm-sim}"
: "${ENFORCER_BUILD:=build/default}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/enforcer-e2e.XXXXXX") || exit 1
# Most suites log on with NTLM: gss-ntlmssp's leak, seen with the fast
# unwinder, is suppressed with libcrypto (tests/lsan-e2e.supp; run.sh sets
# it too, this is for a suite run alone).
[ "${SAN:-0}" = 1 ] && [ -z "${LSAN_OPTIONS:-}" ] &&
	export LSAN_OPTIONS="suppressions=$TOP/tests/lsan-e2e.supp:print_suppressions=0"
# apply records every run: a desired state outside git needs a history
# (tests of the desired repository's own branch unset this).
export ENFORCER_HISTORY="$TMP/history"
SIM_PID=""
SIM_RC=""
FAILS=0

# The simulated hosts listen on 127.X.Y.1-254, X and Y derived from this
# shell's process id: one /24 per pid below 37,500 (Linux's default
# pid_max is 32,768), the same function of the pid as simtest.subnet() and
# test_wsman_sim.c use.  This shell lives as long as its simulator, so two
# suites on one machine never bind the same address.
e2e_subnet() {
	echo "127.$((100 + $$ % 150)).$(($$ / 150 % 250))"
}
NET=$(e2e_subnet)
NET_RE=$(echo "$NET" | sed 's/\./\\./g')

# Tests of the history in the desired repository's own branch: a private
# HOME and git identity, and no ENFORCER_HISTORY.
git_home() {
	export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=infra \
	    GIT_AUTHOR_EMAIL=infra@contoso.test GIT_COMMITTER_NAME=infra \
	    GIT_COMMITTER_EMAIL=infra@contoso.test
	unset ENFORCER_HISTORY
	mkdir -p "$HOME"
}

cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fleet_start() {
	SIM_CA="$TMP/ca.pem"
	SIM_OUT="$TMP/sim.out"
	f=$1
	shift
	[ $# -gt 0 ] || set -- --ca-out "$SIM_CA"
	"$WINRM_SIM" --fleet "$f" "$@" >"$SIM_OUT" 2>"$TMP/sim.err" &
	SIM_PID=$!
	i=0
	while ! grep -q '^fleet ready' "$SIM_OUT" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
			echo "FAIL: simulator did not start:" >&2
			cat "$TMP/sim.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	SIM_CTL=$(sed -n 's/^control //p' "$SIM_OUT")
	export SIM_CA SIM_CTL
}

wait_line() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$3" 2>/dev/null; then
			cat "$4" >&2
			fail "$5"
			return 1
		fi
		sleep 0.1
	done
}

fleet_stop() {
	kill -TERM "$SIM_PID"
	wait "$SIM_PID"
	SIM_RC=$?
	SIM_PID=""
}

sim() {
	"$WINRM_SIM" ctl "$SIM_CTL" "$@"
}

truth() {
	sim GET "/hosts/$1/get?key=$(printf '%s' "$2" | sed 's/ /%20/g; s/\\/%5C/g')"
}

run_enforcer() {
	"$ENFORCER" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

pass() {
	echo "ok: $*"
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

expect_contains() {
	what=$1 text=$2
	shift 2
	for s in "$@"; do
		if ! printf '%s' "$text" | grep -qF -- "$s"; then
			fail "$what"
			printf '    wanted: %s\n    got: %.1500s\n' "$s" "$text" >&2
			return
		fi
	done
	echo "ok: $what"
}

expect_file() {
	if cmp -s "$2" "$3"; then
		echo "ok: $1"
	else
		fail "$1: differs from $2"
		diff -u "$2" "$3" >&2
	fi
}

expect_rc() {
	if [ "$RC" = "$2" ]; then
		echo "ok: $1 (exit $RC)"
	else
		fail "$1: exit $RC, want $2"
		printf '%s\n%s\n' "$OUT" "$ERR" | sed 's/^/    | /' >&2
	fi
}

expect_line() {
	e2e_out_line "$1" -qxF "$2"
}

expect_line_re() {
	e2e_out_line "$1" -qxE "$2"
}

# e2e_out_line DESC GREP-OPTIONS PATTERN: OUT holds a line PATTERN matches.
e2e_out_line() {
	if printf '%s\n' "$OUT" | grep "$2" -- "$3"; then
		echo "ok: $1"
	else
		fail "$1: no line '$3' in:"
		printf '%s\n' "$OUT" | sed 's/^/    | /' >&2
	fi
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed" >&2
		exit 1
	fi
	echo "all checks passed"
}
