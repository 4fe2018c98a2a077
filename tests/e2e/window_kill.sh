#!/bin/sh
# window_kill.sh: no instant exists at which CredSSP is on without its
# fail-safe armed.  `enforcer window open` (server and client roles and a
# delegation entry, on one host) is killed with SIGKILL after N WS-Man
# exchanges (ENFORCER_TEST_KILL_AFTER=N), for every N from 0 to the number
# a whole open takes: each N on its own simulated host, all at once.  At
# the kill, a host with anything of CredSSP on must carry its task with the
# right trigger; then, the control node being dead, the hosts' clocks move
# past the lease and the grace, and CredSSP must be off on every host.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

MAX=120		# hosts in the fleet: more than an open takes exchanges
BATCH=24	# runs at once
kill_fleet $MAX

# desired NAME ADDRESS: a desired state for one host, CredSSP off
desired() { one_host "$1" "$2" '{ server: disabled, client: disabled }'; }
# open NAME: the window, in the background when told to
open() {
	ENFORCER_HISTORY="$TMP/$1.hist" "$ENFORCER" window open w --for 1h \
	    --hosts "$1.contoso.test" --set credssp.server=enabled \
	    --set credssp.client.enabled=true \
	    --set 'credssp.client.delegate=[wsman/*.contoso.test]' \
	    --reason "crash test" "$TMP/$1" >"$TMP/$1.out" 2>&1
}

desired cal $NET.250
open cal || { cat "$TMP/cal.out"; fail "a whole open failed"; finish; }
expect "a whole open turns CredSSP on" yes "$(credssp_on cal.contoso.test)"
M=$(sim GET /hosts/cal.contoso.test/counters | sed -n 's/^requests = //p')
echo "a whole open takes $M exchanges"
[ "$M" -gt 10 ] && [ "$M" -lt $MAX ] || { fail "exchanges: $M"; finish; }

kill_k() { desired k$1 $NET.$(($1 + 10)) && ENFORCER_TEST_KILL_AFTER=$1 open k$1; }
each_k kill_k

# At the kill: on implies armed, for the open's run plus the lease (30m)
# and the grace (15m): the window's end (1h) is further.
armed=0
on=0
i=0
while [ $i -le "$M" ]; do
	h=k$i.contoso.test
	if [ "$(credssp_on $h)" = yes ]; then
		on=$((on + 1))
		start=$(sed -n 's/^    start: //p' "$TMP/k$i/windows/w.yaml")
		got=$(truth $h 'task.\enforcer\failsafe-w.trigger' 2>/dev/null)
		d=$(($(date -u -d "${got:-$start}" +%s) - $(date -u -d "$start" +%s)))
		[ "$d" -ge 2700 ] && [ "$d" -le 2710 ] ||
		    fail "k$i: CredSSP on, fail-safe '$got' (want 45m after $start)"
		armed=$((armed + 1))
	fi
	i=$((i + 1))
done
echo "killed after 0..$M exchanges: CredSSP on at $on kill points, each armed"
[ "$on" -gt 0 ] || fail "no kill point after CredSSP went on"

sim POST /clock advance=$((76 * 60)) >/dev/null
i=0
off=0
while [ $i -le "$M" ]; do
	if [ "$(credssp_on k$i.contoso.test)" = no ]; then
		off=$((off + 1))
	else
		fail "k$i: CredSSP still on past the end and the grace"
	fi
	i=$((i + 1))
done
expect "CredSSP off on every host" $((M + 1)) "$off"
expect "the whole open reverted by its fail-safe too" no "$(credssp_on cal.contoso.test)"
finish
