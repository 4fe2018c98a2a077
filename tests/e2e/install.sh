#!/bin/sh
# install.sh: enforcer run as the package runs it.  `make install` (with
# DESTDIR, and with a PREFIX the test owns) puts the binary, man page,
# schema, docs, examples, units, completion and /etc example in place, and
# `make uninstall` takes them away; systemd-analyze verify passes on the
# installed units; the installed binary, started in / with no PATH, reads
# the desired state from its configuration directory (ENFORCER_CONFDIR),
# relative paths in it (ca_file) against that directory, the password from
# a systemd credential ($CREDENTIALS_DIRECTORY), takes its lock in
# $STATE_DIRECTORY, prints nothing with --quiet when all is well, and
# writes metrics that promtool accepts.  validate names every missing or
# too-open file as file:line:col; the installed completion offers run
# ids.  The Debian package itself: make
# deb-check (tests/pkg/deb.sh).
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

N1=node1.contoso.test
N2=node2.contoso.test

# make runs in the source tree as `make check` left it: same variant,
# nothing to rebuild, the package's dependency check off.
mk() {
	make -s -C "$TOP" SAN="${SAN:-0}" NODEPS=1 "$@" >"$TMP/make.out" 2>&1 ||
	    { cat "$TMP/make.out"; fail "make $*"; }
}

# --- make install DESTDIR=, then uninstall --------------------------------
D="$TMP/destdir"
mk install DESTDIR="$D" PREFIX=/usr UNITDIR=/lib/systemd/system
for f in usr/bin/enforcer usr/share/man/man1/enforcer.1 \
    usr/share/enforcer/enforcer.schema.json \
    usr/share/doc/enforcer/README.md usr/share/doc/enforcer/format.md \
    usr/share/doc/enforcer/examples/hci-cluster/hosts.yaml \
    lib/systemd/system/enforcer.service lib/systemd/system/enforcer.timer \
    usr/share/bash-completion/completions/enforcer \
    etc/enforcer/enforcer.conf.example; do
	[ -f "$D/$f" ] && pass "installed /$f" || fail "not installed: /$f"
done
expect "the unit starts the installed binary" \
    "ExecStart=/usr/bin/enforcer apply --no-wait --metrics-file /var/lib/prometheus/node-exporter/enforcer.prom" \
    "$(grep '^ExecStart=' "$D/lib/systemd/system/enforcer.service")"
mk uninstall DESTDIR="$D" PREFIX=/usr UNITDIR=/lib/systemd/system
expect "make uninstall leaves no file" "" "$(find "$D" ! -type d)"

# --- an installation the test can run: PREFIX and SYSCONFDIR under TMP ----
P="$TMP/prefix"
mk install PREFIX="$P" SYSCONFDIR="$P/etc"
U="$P/lib/systemd/system"
# --man=no: the man page is in $P, not where man(1) looks.
if systemd-analyze verify --man=no "$U/enforcer.service" "$U/enforcer.timer" \
    >"$TMP/verify.out" 2>&1; then
	pass "systemd-analyze verify: enforcer.service and enforcer.timer"
else
	cat "$TMP/verify.out"
	fail "systemd-analyze verify"
fi
for k in Type=oneshot ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
    StateDirectory=enforcer "LoadCredential=password:$P/etc/enforcer/password"; do
	grep -Fqx "$k" "$U/enforcer.service" && pass "service: $k" ||
	    fail "service: no $k"
done
for k in 'OnCalendar=*:0/15' RandomizedDelaySec=2min Persistent=true; do
	grep -Fqx "$k" "$U/enforcer.timer" && pass "timer: $k" ||
	    fail "timer: no $k"
done
"$P/bin/enforcer" validate "$P/etc/enforcer/enforcer.conf.example" \
    >"$TMP/ex.out" 2>&1
expect_match "the /etc example loads (only its CA file is missing)" \
    "enforcer.conf.example:[0-9]*:[0-9]*: ca_file '$P/etc/enforcer/contoso-root.pem': No such file" \
    "$(cat "$TMP/ex.out")"

cat >"$TMP/fleet.yaml" <<FLEET
$FLEET_DEFAULTS
hosts:
  $N1: { address: $NET.1, winrm: { service: { auth: { CredSSP: true } } } }
  $N2: { address: $NET.2 }
FLEET
fleet_start "$TMP/fleet.yaml"

ETC="$P/etc/enforcer"
cp "$SIM_CA" "$ETC/ca.pem"
cat >"$ETC/enforcer.conf" <<CONF
hosts:
  $N1: { groups: [hci-nodes], address: $NET.1 }
  $N2: { groups: [hci-nodes], address: $NET.2 }
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_credential: password
  ca_file: ca.pem
  timeout: 10s
policies:
  hci-nodes:
    credssp: { server: disabled }
CONF
mkdir -p "$TMP/creds" "$TMP/state"
printf '%s\n' "$E2E_PASSWORD" >"$TMP/creds/password"
chmod 600 "$TMP/creds/password"
unset ENFORCER_PASSWORD

# As systemd starts it: in /, no PATH, the unit's environment.
svc() {
	(cd / && ENFORCER_CONFDIR="$ETC" CREDENTIALS_DIRECTORY="$TMP/creds" \
	    STATE_DIRECTORY="$TMP/state" "$P/bin/enforcer" "$@") \
	    >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

svc validate
expect_rc "validate with no PATH reads $ETC/enforcer.conf" 0
expect_line "validate names the file" \
    "$ETC/enforcer.conf: ok (2 hosts, 1 policy, 0 windows)"

svc apply --quiet --metrics-file "$TMP/enforcer.prom"
expect_rc "apply from the configuration directory" 0
expect "--quiet: nothing on stdout when all is well" "" "$OUT"
expect "--quiet: nothing on stderr either" "" "$ERR"
expect "$N1: CredSSP server turned off (ground truth)" false \
    "$(truth $N1 winrm.service.auth.CredSSP)"
[ -e "$TMP/state/enforcer.lock" ] &&
    pass "the lock is in \$STATE_DIRECTORY" ||
    fail "no lock in \$STATE_DIRECTORY"
[ ! -e "$ETC/.enforcer.lock" ] &&
    pass "nothing written next to the desired state" ||
    fail "a lock next to the desired state"
if promtool check metrics <"$TMP/enforcer.prom" >"$TMP/promtool.out" 2>&1
then
	pass "promtool check metrics"
else
	cat "$TMP/promtool.out"
	fail "promtool check metrics"
fi
expect_contains "metrics: the run's figures" "$(cat "$TMP/enforcer.prom")" \
    'enforcer_last_run_exit_code{verb="apply"} 0' \
    'enforcer_last_run_success{verb="apply"} 1' \
    'enforcer_hosts{state="drifted"} 1' \
    'enforcer_hosts{state="in_sync"} 1' \
    'enforcer_hosts{state="failed"} 0' \
    'enforcer_changes{class="corrective"} 1' \
    'enforcer_windows_active 0' 'enforcer_hosts_past_window_end 0'
ls "$TMP" | grep -q '\.tmp$' && fail "a temporary metrics file is left" ||
    pass "no temporary metrics file left"

# The installed bash completion offers the recorded runs to revert.
id=$("$P/bin/enforcer" history | awk 'NR == 1 { print $2 }')
got=$(PATH="$P/bin:$PATH" bash -c '
	. /usr/share/bash-completion/bash_completion
	. "$0"
	COMP_WORDS=(enforcer revert "")
	COMP_CWORD=2
	_enforcer
	printf "%s\n" "${COMPREPLY[@]}"' \
    "$P/share/bash-completion/completions/enforcer")
expect "completion: revert offers the run ids of the history" "$id" "$got"
expect_match "the run id is one" '^[0-9]\{8\}T[0-9]\{6\}Z-' "$id"

svc plan --quiet
expect_rc "plan, in sync" 0
expect "--quiet plan in sync: silent" "" "$OUT"

# Without the credential the hosts fail; --quiet still says why.
(cd / && ENFORCER_CONFDIR="$ETC" STATE_DIRECTORY="$TMP/state" \
    "$P/bin/enforcer" plan --quiet) >"$TMP/out" 2>&1
expect "no credential: hosts fail" 3 "$?"
expect_match "no credential: the report names the variable" \
    "CREDENTIALS_DIRECTORY is not set" "$(cat "$TMP/out")"

# --- validate checks the files the desired state names --------------------
mkdir -p "$TMP/v/sub"
cat >"$TMP/v/sub/hosts.yaml" <<V
hosts:
  $N1: { groups: [hci-nodes], password_file: pw-missing, username: u }
  $N2: { groups: [hci-nodes], password_file: pw-open, username: u }
connection:
  auth: basic
  password_env: X
  ca_file: ../ca.pem
policies:
  $N1: { credssp: { server: disabled } }
V
printf 'secret\n' >"$TMP/v/sub/pw-open"
chmod 644 "$TMP/v/sub/pw-open"
cp "$SIM_CA" "$TMP/v/ca.pem"
(cd / && "$P/bin/enforcer" validate "$TMP/v") >"$TMP/out" 2>"$TMP/err"
expect "validate: bad files fail it" 1 "$?"
expect_contains "validate: each file by file:line:col, next to its YAML" \
    "$(cat "$TMP/err")" \
    "$TMP/v/sub/hosts.yaml:2:61: password_file '$TMP/v/sub/pw-missing': No such file or directory" \
    "$TMP/v/sub/hosts.yaml:3:61: password_file '$TMP/v/sub/pw-open': accessible by group or others (mode 0644); run chmod 600 on it"
grep -q "ca.pem" "$TMP/err" && fail "the CA file next to it is reported" ||
    pass "ca_file ../ca.pem resolved against the file's directory"
chmod 600 "$TMP/v/sub/pw-open"
printf 'x\n' >"$TMP/v/sub/pw-missing"
chmod 600 "$TMP/v/sub/pw-missing"
(cd / && "$P/bin/enforcer" validate "$TMP/v") >"$TMP/out" 2>"$TMP/err"
expect "validate: fixed files pass" 0 "$?"
expect "validate: the host no policy targets" \
    "$TMP/v: host '$N2': no policy targets it" "$(sed -n 2p "$TMP/out")"
(cd / && "$P/bin/enforcer" validate --json "$TMP/v") >"$TMP/out" 2>"$TMP/err"
expect "validate --json" "True 2 ['$N2'] []" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["valid"], len(d["hosts"]), d["untargeted"], d["errors"])' "$TMP/out")"

finish
