#!/bin/sh
# window_close_kill.sh: a killed `window close` leaves CredSSP off, or on
# with a fail-safe that fires soon: within the grace of the close once the
# close has pulled the task forward, else within the lease and the grace
# of the open.  A window (server role, one host) is opened whole, then its
# close is killed with SIGKILL after N WS-Man exchanges
# (ENFORCER_TEST_KILL_AFTER=N), for every N from 0 to what a whole close
# takes, each on its own simulated host.  Then, the control node silent,
# the hosts' clocks move past the close plus the grace: every host whose
# task was pulled forward is off; and past the open's lease: all are.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

MAX=100		# hosts in the fleet: more than a close takes exchanges
BATCH=24	# runs at once
kill_fleet $MAX

# desired NAME ADDRESS: a desired state for one host in git, CredSSP off
desired() {
	one_host "$1" "$2" '{ server: disabled }'
	git -C "$TMP/$1" init -q && git_commit "$TMP/$1" policies
}
run() {	# VERB NAME ARGS...: enforcer window VERB w ... on NAME's desired state
	v=$1 n=$2
	shift 2
	ENFORCER_HISTORY="$TMP/$n.hist" "$ENFORCER" window "$v" w "$@" \
	    "$TMP/$n" >>"$TMP/$n.out" 2>&1
}
open() { run open "$1" --for 2h --hosts nodes --set credssp.server=enabled --reason test; }
close() { run close "$1" --reason test; }
secs() { date -u -d "$1" +%s; }

desired cal $NET.250
open cal && c0=$(sim GET /hosts/cal.contoso.test/counters | sed -n 's/^requests = //p')
close cal || { cat "$TMP/cal.out"; fail "a whole close failed"; finish; }
M=$(($(sim GET /hosts/cal.contoso.test/counters | sed -n 's/^requests = //p') - c0))
echo "a whole close takes $M exchanges"
[ "$M" -gt 10 ] && [ "$M" -lt $MAX ] || { fail "exchanges: $M"; finish; }

open_k() { desired k$1 $NET.$(($1 + 10)) && open k$1; }
close_k() { ENFORCER_TEST_KILL_AFTER=$1 close k$1; }
each_k open_k
each_k close_k

# At the kill: CredSSP on implies a task, pulled forward (the close's end
# plus the grace) or still on the open's lease (its start plus 45m).
pulled=0
leased=0
i=0
while [ $i -le "$M" ]; do
	h=k$i.contoso.test
	f="$TMP/k$i/windows/w.yaml"
	if [ "$(credssp_on $h)" = yes ]; then
		got=$(truth $h 'task.\enforcer\failsafe-w.trigger' 2>/dev/null)
		if [ -z "$got" ]; then
			fail "k$i: CredSSP on, no fail-safe"
		elif [ $(($(secs "$got") - $(secs "$(sed -n 's/^    end: //p' "$f")"))) -eq 900 ]; then
			pulled=$((pulled + 1))
		elif [ $(($(secs "$got") - $(secs "$(sed -n 's/^    start: //p' "$f")"))) -le 2710 ]; then
			leased=$((leased + 1))
		else
			fail "k$i: CredSSP on, fail-safe $got: neither pulled forward nor on the open's lease"
		fi
	fi
	i=$((i + 1))
done
echo "killed after 0..$M exchanges: CredSSP on with the task pulled forward at $pulled kill points, on the open's lease at $leased"
[ "$pulled" -gt 0 ] && pass "some kill points fall between the pull and the revert" ||
    fail "no kill point after the pull and before the revert"

# Past the close plus the grace (the closes took well under a minute).
sim POST /clock advance=$((17 * 60)) >/dev/null
left=0
i=0
while [ $i -le "$M" ]; do
	h=k$i.contoso.test
	if [ "$(credssp_on $h)" = yes ]; then
		got=$(truth $h 'task.\enforcer\failsafe-w.trigger' 2>/dev/null)
		[ $(($(secs "$got") - $(secs "$(sed -n 's/^    start: //p' "$TMP/k$i/windows/w.yaml")"))) -le 2710 ] ||
		    fail "k$i: CredSSP on past the close plus the grace, fail-safe '$got'"
		left=$((left + 1))
	fi
	i=$((i + 1))
done
expect "past the close plus the grace: on only where the pull never ran" "$leased" "$left"
sim POST /clock advance=$((30 * 60)) >/dev/null
off=0
i=0
while [ $i -le "$M" ]; do
	[ "$(credssp_on k$i.contoso.test)" = no ] && off=$((off + 1))
	i=$((i + 1))
done
expect "past the open's lease and grace: CredSSP off on every host" $((M + 1)) "$off"
finish
