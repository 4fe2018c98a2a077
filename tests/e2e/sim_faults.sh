#!/bin/sh
# sim_faults.sh: the simulator's fault injection (down, latency, HTTP 500,
# a reply dropped halfway, a trickled reply), WinRM stopped and started
# again (over WMI, by a scheduled task, through the control interface),
# and the certificate scenarios as a verifying TLS client sees them.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SIM=${WINRM_SIM:-$TOP/bin/winrm-sim}
PY=/usr/bin/python3
ST=$TOP/tests/winrm-sim/simtest.py
NET=$($PY "$ST" subnet)
DIR=$(mktemp -d)
PID=
fails=0
SVC=http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

ok() { echo "ok   $1"; }
no() {
	echo "FAIL $1"
	fails=$((fails + 1))
}
expect() {
	what=$1 text=$2
	shift 2
	for s in "$@"; do
		if ! printf '%s' "$text" | grep -qF -- "$s"; then
			no "$what"
			printf '    wanted: %s\n    got: %.1500s\n' "$s" "$text"
			return
		fi
	done
	ok "$what"
}

cat >"$DIR/fleet.yaml" <<EOF
defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: 'secret', admin: true } }
  winrm: { service: { auth: { Basic: true } } }
hosts:
  node1.contoso.test: { address: $NET.1 }
  node2.contoso.test: { address: $NET.2, faults: { latency_ms: 300 } }
  expired.contoso.test: { address: $NET.3, certificate: expired }
  expiring.contoso.test:
    { address: $NET.4, certificate: expiring, certificate_days: 5 }
  wrongname.contoso.test: { address: $NET.5, certificate: wrong_name }
  untrusted.contoso.test: { address: $NET.6, certificate: untrusted }
  clientonly.contoso.test: { address: $NET.7, certificate: no_server_auth }
EOF
"$SIM" --fleet "$DIR/fleet.yaml" --ca-out "$DIR/ca.pem" >"$DIR/out" \
    2>"$DIR/err" &
PID=$!
i=0
while ! grep -q '^fleet ready' "$DIR/out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 600 ] || ! kill -0 "$PID" 2>/dev/null; then
		echo "simulator did not start"
		cat "$DIR/err"
		exit 1
	fi
	sleep 0.1
done
CTL=$(awk '/^control/ { print $2 }' "$DIR/out")
ctl() { "$SIM" ctl "$CTL" "$@"; }
fault() { ctl POST /hosts/node1.contoso.test/fault "$1" >/dev/null; }

# probe N: one config Get to host N, timed; prints "STATUS SECONDS" or the
# error the client saw.
probe() {
	$PY - "$ST" "$NET.$1" "$2" "$DIR/ca.pem" <<'EOF' 2>&1
import sys, time
sys.path.insert(0, sys.argv[1].rsplit('/', 1)[0])
import simtest as t
addr, name, ca = sys.argv[2:5]
start = time.monotonic()
try:
    s, h, b = t.post(addr, 5986, name, ca, t.envelope(t.TRANSFER + 'Get',
        t.WSMAN + '/config/client'), t.basic('CONTOSO\\svc-enforcer', 'secret'))
    print('%d %.2f %d' % (s, time.monotonic() - start, len(b)))
except Exception as e:
    print('%s: %s' % (type(e).__name__, e))
EOF
}
p1() { probe 1 node1.contoso.test; }

# --- fault injection -------------------------------------------------------
expect "baseline" "$(p1)" "200 "
fault down=1
expect "down: connection refused" "$(p1)" "ConnectionRefusedError"
fault clear
expect "down cleared" "$(p1)" "200 "
r=$(probe 2 node2.contoso.test)
s=$(echo "$r" | awk '{ print ($2 >= 0.3) ? "slow" : "fast" }')
expect "latency from the fleet file ($r)" "$r $s" "200 " "slow"
fault http500=1
expect "http500: bare 500" "$(p1)" "500 " " 0"
fault clear
fault drop_mid_reply=1
expect "drop_mid_reply: truncated" "$(p1)" "IncompleteRead"
fault clear
fault trickle_bps=1000
r=$(p1)
s=$(echo "$r" | awk '{ print ($2 >= 1.0) ? "slow" : "fast" }')
expect "trickle_bps: slow but whole ($r)" "$r $s" "200 " "slow"
fault 'clear latency_ms=150'
r=$(p1)
s=$(echo "$r" | awk '{ print ($2 >= 0.15) ? "slow" : "fast" }')
expect "latency at run time ($r)" "$r $s" "200 " "slow"
fault clear
r=$(ctl POST /hosts/node1.contoso.test/fault 'nonsense=1' 2>&1)
expect "unknown fault refused" "$r" "fault: unknown 'nonsense'"

# --- WinRM stopped and started ---------------------------------------------
r=$($PY "$ST" soap "$NET.1:5986" node1.contoso.test "$DIR/ca.pem" \
    'CONTOSO\svc-enforcer' secret "$SVC/StopService" "$SVC" \
    "<p:StopService_INPUT xmlns:p=\"$SVC\"/>" --selector Name=WinRM)
expect "StopService WinRM answers" "$r" "<p:ReturnValue>0</p:ReturnValue>"
expect "WinRM stopped: refused" "$(p1)" "ConnectionRefusedError"
ctl POST /hosts/node1.contoso.test/service WinRM=start >/dev/null
expect "WinRM started through ctl" "$(p1)" "200 "
# A task due in an hour starts WinRM again once the clock passes it.
now=$(ctl GET '/hosts/node1.contoso.test/get?key=clock.now')
due=$($PY -c "import datetime as d; t=d.datetime.strptime('$now','%Y-%m-%dT%H:%M:%SZ'); print((t+d.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
ctl POST /hosts/node1.contoso.test/set "task.\\failsafe.command = net start WinRM
task.\\failsafe.trigger = $due
task.\\failsafe.enabled = true" >/dev/null
r=$(ctl POST /hosts/node1.contoso.test/cmd 'net stop WinRM')
expect "net stop WinRM" "$r" "0
"
expect "stopped by net stop" "$(p1)" "ConnectionRefusedError"
ctl POST /clock advance=3700 >/dev/null
expect "fail-safe task restarted WinRM" "$(p1)" "200 "
expect "task result recorded" \
    "$(ctl GET '/hosts/node1.contoso.test/get?key=task.\failsafe.last_result')" 0

# --- certificate scenarios -------------------------------------------------
expect "expired certificate" "$(probe 3 expired.contoso.test)" \
    "certificate has expired"
r=$(probe 4 expiring.contoso.test)
expect "expiring certificate still valid" "$r" "200 "
na=$(ctl GET /hosts/expiring.contoso.test/state | sed -n 's/^cert\..*\.not_after = //p')
left=$($PY -c "import datetime as d; print((d.datetime.strptime('$na','%Y-%m-%dT%H:%M:%SZ')-d.datetime.utcnow()).days)")
[ "$left" -ge 4 ] && [ "$left" -le 5 ] && ok "expiring: $left days left" ||
    no "expiring: $left days left"
expect "wrong name" "$(probe 5 wrongname.contoso.test)" \
    "Hostname mismatch"
expect "untrusted issuer" "$(probe 6 untrusted.contoso.test)" \
    "unable to get local issuer certificate"
expect "no serverAuth usage" "$(probe 7 clientonly.contoso.test)" \
    "unsuitable certificate purpose"

kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
[ $rc -eq 0 ] && ok "clean exit on SIGTERM" || {
	no "clean exit on SIGTERM ($rc)"
	tail -30 "$DIR/err"
}
echo "$fails failure(s)"
[ $fails -eq 0 ]
