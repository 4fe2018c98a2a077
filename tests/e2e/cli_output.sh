#!/bin/sh
# cli_output.sh: what the command line prints around the work, with no
# host contacted.  Under systemd (stdout and stderr the stream named by
# JOURNAL_STREAM) every line carries its syslog priority, <3> errors, <4>
# warnings, <6> the rest, and nothing changes when JOURNAL_STREAM names
# another stream; colours on a terminal (a pty) only, none with NO_COLOR;
# "did you mean" for a mistyped option and a --hosts name; bash
# completion (dist/enforcer.bash, through compgen) of verbs, options, hosts
# and groups of the desired state (default: the configuration directory)
# and window names.  Run ids: install.sh, which has a history.
. "$(dirname "$0")/lib/e2e.sh"

mkdir -p "$TMP/etc/desired" "$TMP/bad"
cat >"$TMP/etc/desired/hosts.yaml" <<EOF
hosts:
  node1.contoso.test: { groups: [hci-nodes] }
  node2.contoso.test: { groups: [hci-nodes] }
  wac01.contoso.test: { groups: [gateways] }
connection: { auth: basic, username: 'CONTOSO\\svc', password_env: P }
policies:
  hci-nodes: { credssp: { server: disabled } }
  gateways: { credssp: { client: disabled } }
windows:
  create-cluster:
    start: 2026-11-25T09:00:00Z
    duration: 2h
    reason: wizard
    apply: { hci-nodes: { credssp: { server: enabled } } }
EOF
printf 'hosts:\n  a.contoso.test: { groups: [g] }\npolicies:\n  gg: { credssp: { server: disabled } }\n' \
    >"$TMP/bad/bad.yaml"

# --- journald -------------------------------------------------------------
: >"$TMP/journal"
J=$(stat -c '%d:%i' "$TMP/journal")
JOURNAL_STREAM=$J "$ENFORCER" validate "$TMP/etc/desired" >>"$TMP/journal" 2>&1
JOURNAL_STREAM=$J "$ENFORCER" validate "$TMP/bad" >>"$TMP/journal" 2>&1
j=$(cat "$TMP/journal")
expect_contains "journal: a warning is <4>, the summary <6>, an error <3>" "$j" \
    "<4>$TMP/etc/desired/hosts.yaml:5:1: warning: 'connection': auth 'basic' with domain account 'CONTOSO\\svc'" \
    "<6>$TMP/etc/desired: ok (3 hosts, 2 policies, 1 window)" \
    "<3>$TMP/bad/bad.yaml:4:3: policy target 'gg' is not a host, a group or 'all' (did you mean 'g'?)"
expect "journal: every line has a priority" 0 \
    "$(grep -vc '^<[346]>' "$TMP/journal")"
: >"$TMP/other"
JOURNAL_STREAM=$(stat -c '%d:%i' "$TMP/other") "$ENFORCER" validate \
    "$TMP/etc/desired" >"$TMP/plain" 2>&1
expect "JOURNAL_STREAM naming another stream: lines unchanged" \
    "$TMP/etc/desired: ok (3 hosts, 2 policies, 1 window)" \
    "$(grep -v warning "$TMP/plain")"

# --- colour: on a terminal only, never with NO_COLOR ----------------------
# A pty from Python's pty module: stderr is a terminal there.
ontty() {
	python3 - "$@" <<'EOF'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
os.waitpid(pid, 0)
sys.stdout.write(out.decode().replace("\x1b", "ESC"))
EOF
}
t=$(unset NO_COLOR; export TERM=xterm; ontty "$ENFORCER" validate "$TMP/bad")
expect_match "terminal: the error in red" "^ESC\[31m$TMP/bad/bad.yaml:4:3: policy target 'gg'.*ESC\[0m" "$t"
t=$(export NO_COLOR=1 TERM=xterm; ontty "$ENFORCER" validate "$TMP/bad")
expect_match "NO_COLOR: the error as it is" "^$TMP/bad/bad.yaml:4:3: policy target 'gg'" "$t"
expect "NO_COLOR: no escape at all" 0 "$(printf '%s' "$t" | grep -c ESC)"
env -u NO_COLOR TERM=xterm "$ENFORCER" validate "$TMP/bad" >"$TMP/out" 2>&1
expect "not a terminal: no escape" 0 "$(grep -c "$(printf '\033')" "$TMP/out")"

# --- did you mean ---------------------------------------------------------
run_enforcer validate --jsn "$TMP/etc/desired"
expect "a mistyped option: exit 1" 1 "$RC"
expect "a mistyped option: the closest one, then where to look" \
    "enforcer: validate: unknown option '--jsn' (did you mean '--json'?)
run 'enforcer validate --help' for its options" "$ERR"
run_enforcer plan --hots hci-nodes "$TMP/etc/desired"
expect_match "plan --hots: did you mean --hosts" \
    "unknown option '--hots' (did you mean '--hosts'?)" "$ERR"
run_enforcer plan --offline --hosts node1.contoso.tst "$TMP/etc/desired"
# The desired state's warning first: every verb that loads it says it.
expect_match "plan --offline: the desired state's warning" \
    "^$TMP/etc/desired/hosts.yaml:5:1: warning: 'connection': auth 'basic'" "$ERR"
expect "a --hosts name that matches nothing: the closest host" \
    "enforcer: plan: no host matches 'node1.contoso.tst' (did you mean 'node1.contoso.test'?)" \
    "$(printf '%s\n' "$ERR" | sed -n '$p')"
run_enforcer plan --offline --hosts hci-node,wac01.contoso.test "$TMP/etc/desired"
expect "a list: one of its names matches, no complaint" 0 "$RC"
run_enforcer plan --offline --hosts hci-nodez "$TMP/etc/desired"
expect "a group name: the closest group" \
    "enforcer: plan: no host matches 'hci-nodez' (did you mean 'hci-nodes'?)" \
    "$(printf '%s\n' "$ERR" | sed -n '$p')"

# --- bash completion ------------------------------------------------------
mkdir -p "$TMP/bin"
ln -s "$ENFORCER" "$TMP/bin/enforcer"
# complete WORD...: what <TAB> offers after the words (the last one is the
# word being completed), one line, sorted.
complete_words() {
	PATH="$TMP/bin:$PATH" ENFORCER_CONFDIR="$TMP/etc" bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_enforcer
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
	    "$TOP/dist/enforcer.bash" enforcer "$@"
}
expect "completion: verbs" "plan " "$(complete_words pl)"
expect "completion: window's subcommands" "close " "$(complete_words window cl)"
expect "completion: options from --help" "--hosts " \
    "$(complete_words plan --hos)"
expect "completion: --quiet for apply" "--quiet " \
    "$(complete_words apply --q)"
expect "completion: --metrics-file for plan" "--metrics-file " \
    "$(complete_words plan --met)"
expect "completion: hosts and groups for --hosts (configuration directory)" \
    "hci-nodes " "$(complete_words plan --hosts hci)"
expect "completion: the last name of a list" \
    "hci-nodes,node1.contoso.test hci-nodes,node2.contoso.test " \
    "$(complete_words plan --hosts hci-nodes,node)"
expect "completion: names from a PATH on the line" "gateways " \
    "$(complete_words plan "$TMP/etc/desired" --hosts ga)"
expect "completion: window names for close" "create-cluster " \
    "$(complete_words window close cr)"
expect "completion: history --class" "corrective " \
    "$(complete_words history --class co)"

finish
