#!/bin/sh
# history_facts.sh: what each commit says is what is true, read with git
# from the history and checked against the simulator's ground truth:
#  - a host whose CredSSP Group Policy holds on is recorded as not
#    compliant (summary, Hosts-Noncompliant), never in sync or unchanged;
#  - a run that observes and changes nothing adds no commit; once the last
#    commit is older than settings.history_heartbeat, it adds one;
#  - the operator ($SUDO_USER, else the login name) is in an Operator
#    trailer of every commit;
#  - with PATH in a git work tree, its HEAD is the Desired-Commit, a dirty
#    work tree is marked (Desired-Dirty: yes) and refused with
#    --require-clean.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

git_home
GPO=gpo.contoso.test
OK=ok.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $OK: { address: $NET.1 }
  $GPO:
    address: $NET.2
    winrm: { service: { auth: { CredSSP: true } } }
    gpo: [winrm.service.auth.CredSSP]
EOF
fleet_start "$TMP/fleet.yaml"

D="$TMP/ds"
ds_new "$D"
cat >"$D/hosts.yaml" <<EOF
hosts:
  $OK: { groups: [nodes], address: $NET.1 }
  $GPO: { groups: [nodes], address: $NET.2 }
policies:
  nodes: { credssp: { server: disabled } }
settings: { history_heartbeat: 30m }
EOF
git -C "$D" init -q -b main
git -C "$D" add -A
git -C "$D" commit -q -m "desired state"
g() {
	git -C "$D" "$@"
}

# --- held by Group Policy -----------------------------------------------------
SUDO_USER=alice run_enforcer apply "$D"
expect "apply with a GPO-held host exits 2" 2 "$RC"
expect "the GPO keeps CredSSP on (ground truth)" true \
    "$(truth $GPO winrm.service.auth.CredSSP)"
msg=$(g log -1 --format=%B enforcer/history)
expect "the summary says a host is not compliant" \
    "apply: no change, 1 host not compliant, 1 host in sync" \
    "$(printf '%s\n' "$msg" | head -1)"
expect "Hosts-Noncompliant names it and why" \
    "$GPO: credssp.server.enabled held by Group Policy" \
    "$(g log -1 --format='%(trailers:key=Hosts-Noncompliant,valueonly)' \
    enforcer/history | head -1)"
expect "it is not under Hosts-Unchanged" "$OK" \
    "$(g log -1 --format='%(trailers:key=Hosts-Unchanged,valueonly)' \
    enforcer/history | head -1)"
expect "the operator is recorded" alice \
    "$(g log -1 --format='%(trailers:key=Operator,valueonly)' \
    enforcer/history | head -1)"
run_enforcer history --json "$D"
expect_match "history --json carries it" \
    "\"name\": \"$GPO\", \"error\": null, \"noncompliant\": \"credssp.server.enabled held by Group Policy\"" \
    "$OUT"

# --- nothing new: no commit; the heartbeat --------------------------------------
tip=$(g rev-parse enforcer/history)
n=$(g rev-list --count enforcer/history)
run_enforcer apply "$D"
expect "a run with nothing new exits 2 (still not compliant)" 2 "$RC"
expect "a run with nothing new adds no commit" "$tip" \
    "$(g rev-parse enforcer/history)"
expect_line "... and says so" "nothing new to record in branch enforcer/history of $D/.git/"
# Past the heartbeat without waiting for it: the run's clock an hour on
# (faketime; ASan wants to come first, libfaketime is preloaded before it).
# A short heartbeat and a sleep made the test depend on how long a run
# takes: under load (NTLM logons included) the run before it outlasted it.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" faketime -f +1h \
    "$ENFORCER" apply "$D" >"$TMP/out" 2>"$TMP/err"
RC=$?
OUT=$(cat "$TMP/out")
expect "past history_heartbeat, a run adds one commit" $((n + 1)) \
    "$(g rev-list --count enforcer/history)"
expect "the heartbeat is a run commit with the same tree" \
    "$(g rev-parse "$tip^{tree}")" "$(g rev-parse enforcer/history^{tree})"
expect "the heartbeat keeps the host's status" \
    "apply: no change, 1 host not compliant, 1 host in sync" \
    "$(g log -1 --format=%s enforcer/history)"

# --- the desired-state commit, dirty, --require-clean -------------------------
trailer() {	# KEY: the value of trailer KEY in the tip commit
	g log -1 --format="%(trailers:key=$1,valueonly)" enforcer/history |
	    head -1
}
expect "Desired-Commit is the work tree's HEAD" "$(g rev-parse HEAD)" \
    "$(trailer Desired-Commit)"
expect "a clean work tree has no Desired-Dirty" "" "$(trailer Desired-Dirty)"
echo "# an edit not committed" >>"$D/hosts.yaml"
sim_ok POST /hosts/$OK/set 'winrm.service.auth.CredSSP = true' >/dev/null
tip=$(g rev-parse enforcer/history)
run_enforcer apply --require-clean "$D"
expect "--require-clean refuses a dirty work tree" 1 "$RC"
expect_match "... saying why" \
    "uncommitted changes in the work tree (--require-clean)" "$ERR"
expect "... before touching a host" true \
    "$(truth $OK winrm.service.auth.CredSSP)"
expect "... or the history" "$tip" "$(g rev-parse enforcer/history)"
run_enforcer apply "$D"
expect "without it, apply runs" 2 "$RC"
expect "... and marks the commit dirty" yes "$(trailer Desired-Dirty)"
expect "... the intent commit too" yes "$(g log -1 \
    --format='%(trailers:key=Desired-Dirty,valueonly)' --grep='^Record: intent' \
    enforcer/history | head -1)"
out=$(g fsck --full --strict 2>&1) || fail "git fsck: $out"
finish
