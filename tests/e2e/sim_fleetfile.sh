#!/bin/sh
# sim_fleetfile.sh: the simulator refuses a bad fleet file before serving
# anything, with every problem at its file:line:col; a good one with
# defaults and generate gives the hosts it describes.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SIM=${WINRM_SIM:-$TOP/bin/winrm-sim}
NET=$(/usr/bin/python3 "$TOP/tests/winrm-sim/simtest.py" subnet)
DIR=$(mktemp -d)
PID=
fails=0

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

# refused NAME MESSAGE: the fleet in $DIR/f.yaml fails with MESSAGE.
refused() {
	out=$("$SIM" --fleet "$DIR/f.yaml" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && printf '%s' "$out" | grep -qF -- "$2"; then
		ok "$1"
	else
		no "$1"
		printf '    rc %s, wanted: %s\n    got: %s\n' "$rc" "$2" "$out"
	fi
}

cat >"$DIR/f.yaml" <<EOF
hosts:
  node1.contoso.test:
    address: $NET.1
    adress: $NET.1
    winrm: { service: { auth: { Basic: maybe } } }
    certificate: sparkly
bogus: 1
EOF
refused "unknown host key" "f.yaml:4:5: node1.contoso.test: unknown key 'adress'"
refused "unknown top-level key" "f.yaml:7:1: fleet: unknown key 'bogus'"
cat >"$DIR/f.yaml" <<EOF
hosts:
  node1.contoso.test:
    address: $NET.1
    winrm: { service: { auth: { Basic: maybe } } }
EOF
refused "bad setting value" "f.yaml:4:33: winrm.service.auth.Basic"
cat >"$DIR/f.yaml" <<EOF
hosts:
  node1.contoso.test: { address: 10.0.0.1 }
EOF
refused "address outside loopback" "f.yaml:2:34: 'node1.contoso.test': address must be an IPv4 address in 127.0.0.0/8"
cat >"$DIR/f.yaml" <<EOF
hosts:
  node1.contoso.test: { address: $NET.1, certificate: sparkly }
EOF
refused "unknown certificate scenario" "certificate: expected valid, expired"
cat >"$DIR/f.yaml" <<EOF
hosts:
  node1.contoso.test: { address: $NET.1, gpo: [ winrm.nothing ] }
EOF
refused "unknown gpo key" "gpo: 'winrm.nothing' is not a setting group policy can own"
cat >"$DIR/f.yaml" <<EOF
hosts:
  h1.test: { address: $NET.1 }
generate:
  - { count: 2, name: 'h%d.test', first_address: $NET.2, like: h1.test }
EOF
refused "generated name clash" "host 'h1.test' is defined twice"

cat >"$DIR/f.yaml" <<EOF
ca_out: $DIR/ca.pem
defaults:
  services: { Spooler: { state: Running, start_mode: Auto } }
hosts:
  base.test: { address: $NET.1, port: 15986, clock_offset: -3600 }
generate:
  - { count: 3, name: 'gen%02d.test', first_address: $NET.10, like: base.test }
EOF
"$SIM" --fleet "$DIR/f.yaml" --control 127.0.0.1:0 >"$DIR/out" 2>"$DIR/err" &
PID=$!
i=0
while ! grep -q '^fleet ready' "$DIR/out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$PID" 2>/dev/null; then
		no "good fleet starts"
		cat "$DIR/err"
		exit 1
	fi
	sleep 0.1
done
want="ready base.test $NET.1:15986
ready gen01.test $NET.10:15986
ready gen02.test $NET.11:15986
ready gen03.test $NET.12:15986
fleet ready 4"
[ "$(grep -v '^control' "$DIR/out")" = "$want" ] && ok "generated hosts" ||
    { no "generated hosts"; cat "$DIR/out"; }
grep -q "^control 127.0.0.1:[1-9][0-9]*$" "$DIR/out" && ok "control line" ||
    no "control line"
openssl x509 -in "$DIR/ca.pem" -noout -subject 2>/dev/null |
    grep -q "WinRM Simulator Test CA" && ok "ca_out written" || no "ca_out written"
CTL=$(awk '/^control/ { print $2 }' "$DIR/out")
r=$("$SIM" ctl "$CTL" GET '/hosts/gen02.test/get?key=service.Spooler.state')
[ "$r" = Running ] && ok "defaults merged" || no "defaults merged ($r)"
r=$("$SIM" ctl "$CTL" GET '/hosts/gen03.test/get?key=clock.now')
now=$(date -u -d '-1 hour' +%Y-%m-%dT%H)
case $r in "$now"*) ok "clock offset" ;; *) no "clock offset ($r, $now)" ;; esac
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
[ $rc -eq 0 ] && ok "clean exit" || no "clean exit ($rc)"
echo "$fails failure(s)"
[ $fails -eq 0 ]
