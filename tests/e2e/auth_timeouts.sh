#!/bin/sh
# auth_timeouts.sh: the connection's `timeout` holds wherever a host or a
# KDC can stop answering; each case ends with one line naming the host,
# the operation and the value in force (docs/transport.md, "Timeouts"):
#  - a KDC address that is a loopback port with nothing listening (refused
#    at once: what to do);
#  - a KDC that takes every UDP datagram and TCP connection and never
#    answers (MIT krb5 1.20 would wait ~25 s: the enforcer stops at the
#    timeout);
#  - a WinRM port that accepts TCP and never starts TLS;
#  - a host that answers the NTLM logon and then never the request.
# No timed assertion: each run is under an outer `timeout` that only
# guards against a hang, and the checks read the messages and that the run
# ended.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
. "$(dirname "$0")/lib/kdc.sh"

REALM=CONTOSO.TEST
KDC_PORT=$((20000 + $$ % 20000))
KRB=kt1.contoso.test
TLS=silent.contoso.test
STALL=stall.contoso.test
PW=krb-Pa55w.rd
GUARD=120		# an outer bound against a hang, not an assertion

kdc_start $REALM $NET.88 $KDC_PORT
kadmin "addprinc -pw $PW svc-enforcer"
kadmin "ktadd -k $KDC_DIR/client.keytab -norandkey svc-enforcer"
export KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" KRB5CCNAME="MEMORY:t"

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $KRB: { address: $NET.1 }
  $STALL: { address: $NET.3, faults: { stall: true } }
EOF
fleet_start "$TMP/fleet.yaml"

# What never answers: a KDC (UDP and TCP) and a WinRM port (TCP only).
SILENT_KDC_PORT=$((KDC_PORT + 1))
/usr/bin/python3 - "$NET.89" $SILENT_KDC_PORT "$NET.2" 5986 \
    >"$TMP/silent.out" 2>&1 <<'EOF' &
import select, socket, sys
kdc, kport, winrm, wport = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    int(sys.argv[4])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((kdc, kport))
listeners = []
for addr, port in ((kdc, kport), (winrm, wport)):
    t = socket.socket()
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, port))
    t.listen(64)
    listeners.append(t)
print('listening', flush=True)
conns = []
while True:
    r, _, _ = select.select([u] + listeners + conns, [], [])
    for s in r:
        if s is u:
            u.recvfrom(65536)
        elif s in listeners:
            conns.append(s.accept()[0])
        elif not s.recv(65536):
            conns.remove(s)
            s.close()
EOF
SILENT_PID=$!
trap 'kill $SILENT_PID 2>/dev/null; kdc_stop; cleanup' EXIT INT TERM
wait_line "$TMP/silent.out" '^listening' $SILENT_PID "$TMP/silent.out" \
    "silent listeners"

# A client krb5.conf per KDC; UDP first (no udp_preference_limit), as a
# default krb5.conf would.
kdc_krb5_conf "$TMP/dead.conf" "$NET.90:$KDC_PORT"
kdc_krb5_conf "$TMP/silent.conf" "$NET.89:$SILENT_KDC_PORT"
sed -i '/udp_preference_limit/d' "$TMP/silent.conf"

ds() {	# DIR AUTH HOST ADDRESS
	mkdir -p "$1"
	cat >"$1/state.yaml" <<EOF
connection: { auth: $2, username: 'CONTOSO\\svc-enforcer',
  password_env: ENFORCER_PASSWORD, ca_file: '$SIM_CA', timeout: 3s }
hosts:
  $3: { address: $4 }
policies:
  all: { credssp: { server: disabled } }
EOF
}
ds "$TMP/krb" kerberos $KRB $NET.1
sed -i 's/, username: .*$/,/; s/^  password_env: ENFORCER_PASSWORD, /  /' \
    "$TMP/krb/state.yaml"
ds "$TMP/tls" ntlm $TLS $NET.2
ds "$TMP/stall" ntlm $STALL $NET.3

guarded() {	# KRB5_CONFIG DIR [OPTION...]: plan under the hang guard
	k=$1 d=$2
	shift 2
	KRB5_CONFIG=$k timeout $GUARD "$ENFORCER" plan "$@" "$d" >"$TMP/out" \
	    2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	[ "$RC" != 124 ] || fail "$2: still running after ${GUARD}s"
}

# The KDC's address: nothing listens there.
guarded "$TMP/dead.conf" "$TMP/krb"
expect_rc "KDC with nothing listening fails the host" 3
expect_match "KDC with nothing listening: what to do" \
    "^$KRB: failed: .*kerberos: cannot log on: cannot reach a KDC for the realm: check krb5.conf and that the KDC is up and reachable" \
    "$OUT"

# A KDC that never answers.
guarded "$TMP/silent.conf" "$TMP/krb"
expect_rc "silent KDC fails the host" 3
expect_match "silent KDC: one line, the host, the operation, the timeout" \
    "^$KRB: failed: [A-Za-z]* http://[^ ]*: kerberos: cannot log on: no answer from the KDC within 3000 ms (timeout): check that the KDC is up and answers this machine (krb5.conf)$" \
    "$OUT"

# A WinRM port that takes the connection and never starts TLS.
guarded "$KRB5_CONFIG" "$TMP/tls"
expect_rc "TLS never starts: fails the host" 3
expect_match "TLS never starts: one line, the host, the timeout" \
    "^$TLS: failed: [A-Za-z]* http://[^ ]*: no TLS handshake from $NET.2:5986 within 3000 ms (connect timeout)$" \
    "$OUT"

# A host that lets the NTLM logon through and never answers the request.
# Over one connection (the kinds in turn) exactly one request goes out:
# not retried, and no other kind tried after the host failed.
guarded "$KRB5_CONFIG" "$TMP/stall" --connections 1
expect_rc "stalled after the logon: fails the host" 3
expect_match "stalled after the logon: one line, the host, the timeout" \
    "^$STALL: failed: [A-Za-z]* http://[^ ]*: no reply within 3000 ms (timeout)$" \
    "$OUT"
expect "stalled: the logon went through (no refusal)" 0 \
    "$(sim GET /hosts/$STALL/counters | sed -n 's/^auth_failures = //p')"
expect "stalled: one request, not retried" 1 \
    "$(sim GET /hosts/$STALL/counters | sed -n 's/^requests = //p')"

finish
