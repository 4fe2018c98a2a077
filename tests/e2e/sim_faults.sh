#!/bin/sh
# sim_faults.sh: the simulator's fault injection (down, latency, HTTP 500,
# a reply dropped halfway, a trickled reply), WinRM stopped and started
# again (over WMI, by a scheduled task, through the control interface),
# and the certificate scenarios as a verifying TLS client sees them.
. "$(dirname "$0")/lib/e2e.sh"
PY=/usr/bin/python3
ST=$TOP/tests/winrm-sim/simtest.py
SVC=http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service

cat >"$TMP/fleet.yaml" <<EOF
defaults:
  # Basic over HTTPS with a local account, as Windows takes it.
  users: { Administrator: { password: 'secret', admin: true } }
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
fleet_start "$TMP/fleet.yaml"
fault() { sim POST /hosts/node1.contoso.test/fault "$1" >/dev/null; }

# probe N: one config Get to host N, timed; prints "STATUS SECONDS" or the
# error the client saw.
probe() {
	$PY - "$ST" "$NET.$1" "$2" "$SIM_CA" <<'EOF' 2>&1
import sys, time
sys.path.insert(0, sys.argv[1].rsplit('/', 1)[0])
import simtest as t
addr, name, ca = sys.argv[2:5]
start = time.monotonic()
try:
    s, h, b = t.post(addr, 5986, name, ca, t.envelope(t.TRANSFER + 'Get',
        t.WSMAN + '/config/client'), t.basic('Administrator', 'secret'))
    print('%d %.2f %d' % (s, time.monotonic() - start, len(b)))
except Exception as e:
    print('%s: %s' % (type(e).__name__, e))
EOF
}
p1() { probe 1 node1.contoso.test; }

# --- fault injection -------------------------------------------------------
expect_contains "baseline" "$(p1)" "200 "
fault down=1
expect_contains "down: connection refused" "$(p1)" "ConnectionRefusedError"
fault clear
expect_contains "down cleared" "$(p1)" "200 "
r=$(probe 2 node2.contoso.test)
s=$(echo "$r" | awk '{ print ($2 >= 0.3) ? "slow" : "fast" }')
expect_contains "latency from the fleet file ($r)" "$r $s" "200 " "slow"
fault http500=1
expect_contains "http500: bare 500" "$(p1)" "500 " " 0"
fault clear
fault drop_mid_reply=1
expect_contains "drop_mid_reply: truncated" "$(p1)" "IncompleteRead"
fault clear
fault trickle_bps=1000
r=$(p1)
s=$(echo "$r" | awk '{ print ($2 >= 1.0) ? "slow" : "fast" }')
expect_contains "trickle_bps: slow but whole ($r)" "$r $s" "200 " "slow"
fault 'clear latency_ms=150'
r=$(p1)
s=$(echo "$r" | awk '{ print ($2 >= 0.15) ? "slow" : "fast" }')
expect_contains "latency at run time ($r)" "$r $s" "200 " "slow"
fault clear
r=$(sim POST /hosts/node1.contoso.test/fault 'nonsense=1' 2>&1)
expect_contains "unknown fault refused" "$r" "fault: unknown 'nonsense'"

# --- WinRM stopped and started ---------------------------------------------
r=$($PY "$ST" soap "$NET.1:5986" node1.contoso.test "$SIM_CA" \
    Administrator secret "$SVC/StopService" "$SVC" \
    "<p:StopService_INPUT xmlns:p=\"$SVC\"/>" --selector Name=WinRM)
expect_contains "StopService WinRM answers" "$r" "<p:ReturnValue>0</p:ReturnValue>"
expect_contains "WinRM stopped: refused" "$(p1)" "ConnectionRefusedError"
sim POST /hosts/node1.contoso.test/service WinRM=start >/dev/null
expect_contains "WinRM started through ctl" "$(p1)" "200 "
# A task due in an hour starts WinRM again once the clock passes it.
now=$(sim GET '/hosts/node1.contoso.test/get?key=clock.now')
due=$($PY -c "import datetime as d; t=d.datetime.strptime('$now','%Y-%m-%dT%H:%M:%SZ'); print((t+d.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
sim POST /hosts/node1.contoso.test/set "task.\\failsafe.command = net start WinRM
task.\\failsafe.trigger = $due
task.\\failsafe.enabled = true" >/dev/null
r=$(sim POST /hosts/node1.contoso.test/cmd 'net stop WinRM')
expect_contains "net stop WinRM" "$r" "0
"
expect_contains "stopped by net stop" "$(p1)" "ConnectionRefusedError"
sim POST /clock advance=3700 >/dev/null
expect_contains "fail-safe task restarted WinRM" "$(p1)" "200 "
expect_contains "task result recorded" \
    "$(sim GET '/hosts/node1.contoso.test/get?key=task.\failsafe.last_result')" 0

# --- certificate scenarios -------------------------------------------------
expect_contains "expired certificate" "$(probe 3 expired.contoso.test)" \
    "certificate has expired"
r=$(probe 4 expiring.contoso.test)
expect_contains "expiring certificate still valid" "$r" "200 "
na=$(sim GET /hosts/expiring.contoso.test/state | sed -n 's/^cert\..*\.not_after = //p')
left=$($PY -c "import datetime as d; print((d.datetime.strptime('$na','%Y-%m-%dT%H:%M:%SZ')-d.datetime.utcnow()).days)")
[ "$left" -ge 4 ] && [ "$left" -le 5 ] && pass "expiring: $left days left" ||
    fail "expiring: $left days left"
expect_contains "wrong name" "$(probe 5 wrongname.contoso.test)" \
    "Hostname mismatch"
expect_contains "untrusted issuer" "$(probe 6 untrusted.contoso.test)" \
    "unable to get local issuer certificate"
expect_contains "no serverAuth usage" "$(probe 7 clientonly.contoso.test)" \
    "unsuitable certificate purpose"

fleet_stop
expect "clean exit on SIGTERM" 0 "$SIM_RC"
[ "$SIM_RC" = 0 ] || tail -30 "$TMP/sim.err"
finish
