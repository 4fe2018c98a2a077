#!/bin/sh
# sim_fleetfile.sh: the simulator refuses a bad fleet file before serving
# anything, with every problem at its file:line:col; a good one with
# defaults and generate gives the hosts it describes.
. "$(dirname "$0")/lib/e2e.sh"

# refused NAME MESSAGE: the fleet in $TMP/f.yaml fails with MESSAGE.
refused() {
	out=$("$WINRM_SIM" --fleet "$TMP/f.yaml" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && printf '%s' "$out" | grep -qF -- "$2"; then
		pass "$1"
	else
		fail "$1"
		printf '    rc %s, wanted: %s\n    got: %s\n' "$rc" "$2" "$out"
	fi
}

cat >"$TMP/f.yaml" <<EOF
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
cat >"$TMP/f.yaml" <<EOF
hosts:
  node1.contoso.test:
    address: $NET.1
    winrm: { service: { auth: { Basic: maybe } } }
EOF
refused "bad setting value" "f.yaml:4:33: winrm.service.auth.Basic"
cat >"$TMP/f.yaml" <<EOF
hosts:
  node1.contoso.test: { address: 10.0.0.1 }
EOF
refused "address outside loopback" "f.yaml:2:34: 'node1.contoso.test': address must be an IPv4 address in 127.0.0.0/8"
cat >"$TMP/f.yaml" <<EOF
hosts:
  node1.contoso.test: { address: $NET.1, certificate: sparkly }
EOF
refused "unknown certificate scenario" "certificate: expected valid, expired"
cat >"$TMP/f.yaml" <<EOF
hosts:
  node1.contoso.test: { address: $NET.1, gpo: [ winrm.nothing ] }
EOF
refused "unknown gpo key" "gpo: 'winrm.nothing' is not a setting group policy can own"
cat >"$TMP/f.yaml" <<EOF
hosts:
  h1.test: { address: $NET.1 }
generate:
  - { count: 2, name: 'h%d.test', first_address: $NET.2, like: h1.test }
EOF
refused "generated name clash" "host 'h1.test' is defined twice"

cat >"$TMP/f.yaml" <<EOF
ca_out: $TMP/ca.pem
defaults:
  services: { Spooler: { state: Running, start_mode: Auto } }
hosts:
  base.test: { address: $NET.1, port: 15986, clock_offset: -3600 }
generate:
  - { count: 3, name: 'gen%02d.test', first_address: $NET.10, like: base.test }
EOF
fleet_start "$TMP/f.yaml" --control 127.0.0.1:0
want="ready base.test $NET.1:15986
ready gen01.test $NET.10:15986
ready gen02.test $NET.11:15986
ready gen03.test $NET.12:15986
fleet ready 4"
expect "generated hosts" "$want" "$(grep -v '^control' "$SIM_OUT")"
expect_match "control line" "^control 127.0.0.1:[1-9][0-9]*$" "$(cat "$SIM_OUT")"
openssl x509 -in "$TMP/ca.pem" -noout -subject 2>/dev/null |
    grep -q "WinRM Simulator Test CA" && pass "ca_out written" || fail "ca_out written"
expect "defaults merged" Running "$(truth gen02.test service.Spooler.state)"
r=$(truth gen03.test clock.now)
now=$(date -u -d '-1 hour' +%Y-%m-%dT%H)
case $r in "$now"*) pass "clock offset" ;; *) fail "clock offset ($r, $now)" ;; esac
fleet_stop
expect "clean exit" 0 "$SIM_RC"
finish
