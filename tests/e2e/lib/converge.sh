# tests/e2e/lib/converge.sh: what the state-module and engine tests share,
# on top of e2e.sh (sourced first): a fleet's common defaults, a desired
# state that reaches the fleet, the simulator's write counters and the
# "drift planted, plan shows it, apply fixes it, a second apply is a
# no-op" sequence.  Every assertion reads the simulator's ground truth or
# its counters, never what enforcer says about itself.
#
#   FLEET_DEFAULTS             text to start a fleet file with (hosts in
#                              the display language $E2E_LANGUAGE)
#   ds_new DIR                 a desired state: connection.yaml for SIM_CA
#   writes HOST                the host's write counter
#   reset_counters HOST...
#   absent DESC HOST KEY       assert a ground-truth key does not exist
#   reg_key_exists HOST KEY    1 if the registry key exists (even empty)
#   expect_noop DIR HOST...    second apply: exit 0, zero writes, in sync;
#                              then plan exits 0
#   sim_ok ARGS...             sim, failing the test if the call fails

E2E_PASSWORD='e2e-Pa55w.rd'
ENFORCER_PASSWORD=$E2E_PASSWORD
export ENFORCER_PASSWORD

# As a domain host is reached: a domain account, an administrator as
# enforcer's service account is, logging on with NTLM inside Negotiate
# over HTTPS; Basic stays off, as Windows ships it.  The hosts' display
# language is E2E_LANGUAGE (en-US unless states_languages.sh runs the test
# again in another one).
FLEET_DEFAULTS="defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: '$E2E_PASSWORD', admin: true } }
  language: ${E2E_LANGUAGE:-en-US}"

ds_new() {
	mkdir -p "$1"
	cat >"$1/connection.yaml" <<EOF
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
  timeout: 10s
EOF
}

sim_ok() {
	if ! sim "$@" >"$TMP/sim_ok.out" 2>&1; then
		fail "sim $*: $(cat "$TMP/sim_ok.out")"
		return 1
	fi
	cat "$TMP/sim_ok.out"
}

writes() {
	sim GET "/hosts/$1/counters" | sed -n 's/^writes = //p'
}

# host_counter HOST NAME: one of the simulator's counters for HOST.
host_counter() {
	sim GET "/hosts/$1/counters" | sed -n "s/^$2 = //p"
}

# ds_batched CONNECTION DIR HOST ADDRESS: a desired state in DIR with the
# connection file CONNECTION and one kind whose reads go out batched (credssp's
# config and registry reads, wsman_read_many) for HOST at ADDRESS.
ds_batched() {
	mkdir -p "$2"
	cp "$1" "$2/connection.yaml"
	cat >"$2/hosts.yaml" <<EOF
hosts:
  $3: { address: $4 }
policies:
  all: { credssp: { server: disabled, client: disabled } }
EOF
}

# expect_parallel HOST DS WHAT: a plan of DS (a kind with batched reads)
# sends them over several connections at once, each logged on by itself
# (the host's 200 ms latency keeps them open together).  Ground truth: the
# host saw two connections or more open at once and refused no logon.
expect_parallel() {
	reset_counters "$1"
	sim_ok POST "/hosts/$1/fault" latency_ms=200 >/dev/null
	run_enforcer plan "$2"
	sim_ok POST "/hosts/$1/fault" clear >/dev/null
	expect_rc "$3: plan" 0
	n=$(host_counter "$1" connections_max)
	if [ "${n:-0}" -ge 2 ]; then
		pass "$3: batched reads over $n connections at once"
	else
		fail "$3: batched reads one connection at a time: $(sim GET \
		    "/hosts/$1/counters")"
	fi
	expect "$3: no refusals" 0 "$(host_counter "$1" auth_failures)"
}

# expect_relogon HOST WHAT ARGS...: the host closes each connection once
# its reply is out (fault close_idle); enforcer ARGS still succeeds, every
# request on a new connection it logged on again (connections >= requests)
# without a refusal.
expect_relogon() {
	h=$1 what=$2
	shift 2
	reset_counters "$h"
	sim_ok POST "/hosts/$h/fault" close_idle=1 >/dev/null
	run_enforcer "$@"
	sim_ok POST "/hosts/$h/fault" clear >/dev/null
	expect_rc "$what: $1, the host closing each connection" 0
	req=$(host_counter "$h" requests)
	conn=$(host_counter "$h" connections)
	if [ "${req:-0}" -gt 0 ] && [ "${conn:-0}" -ge "$req" ]; then
		pass "$what: $req requests, each logged on again ($conn connections)"
	else
		fail "$what: $req requests over $conn connections"
	fi
	expect "$what: no refusals after the closes" 0 \
	    "$(host_counter "$h" auth_failures)"
}

reset_counters() {
	for h in "$@"; do
		sim POST "/hosts/$h/counters/reset" >/dev/null ||
			fail "cannot reset the counters of $h"
	done
}

# KEY itself, or for a registry key any of its values.
absent() {
	# Through ENVIRON: awk -v would read the backslashes of a registry
	# path or task name as escapes, and never find it.
	if sim GET "/hosts/$2/state" | K="$3" awk 'index($0, ENVIRON["K"] " = ") == 1 ||
	    index($0, ENVIRON["K"] ":") == 1 { found = 1 } END { exit !found }'; then
		fail "$1: '$3' still exists on $2"
	else
		echo "ok: $1"
	fi
}

# The dump shows values only; reg.exe run out of band sees empty keys too.
reg_key_exists() {
	code=$(sim POST "/hosts/$1/cmd" "reg query \"HKLM\\$2\"" | head -1)
	[ "$code" = 0 ] && echo 1 || echo 0
}

# The second apply right after a first one changes nothing and sends no
# write request; plan then finds nothing to do.  Extra enforcer options
# (e.g. --hosts) go in NOOP_ARGS.
expect_noop() {
	dir=$1
	shift
	reset_counters "$@"
	run_enforcer apply ${NOOP_ARGS:-} "$dir"
	expect_rc "second apply" 0
	for h in "$@"; do
		expect "$h: writes by the second apply" 0 "$(writes "$h")"
		expect_line "$h: in sync after apply" "$h: in sync"
	done
	run_enforcer plan ${NOOP_ARGS:-} "$dir"
	expect_rc "plan after apply" 0
}
