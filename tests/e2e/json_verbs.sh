#!/bin/sh
# json_verbs.sh: --json on the verbs that report besides plan, apply and
# revert: restart-winrm, restart, window open, extend and close.  Each
# prints one JSON object (python3 -m json.tool parses it) whose per-host
# results are the simulator's ground truth: WinRM Running and the task gone
# for a host restarted, the boot time before and after as the host holds
# it, the host that is down failed; a window's apply run with its hosts'
# CredSSP as the hosts hold it, and the commit as git has it.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"
N1=node1.contoso.test
N2=node2.contoso.test
GW=wac01.contoso.test

# The window suites' fleet, then its desired state (a git work tree)
# trusting the fleet's CA.
window_fleet $NET
D="$TMP/ds"
window_desired "$D" $NET && git_commit "$D" "policies"

# Parses, or fails the check; the object on stdout for the next one.
parses() {	# DESC FILE
	if python3 -m json.tool "$2" >/dev/null 2>"$TMP/json.err"; then
		pass "$1: one JSON object"
	else
		fail "$1: not JSON: $(cat "$TMP/json.err"): $(head -c 300 "$2")"
	fi
}
# NAME=STATUS per host of the object in FILE, sorted; the hosts' summary.
hosts_of() {	# FILE PYTHON-EXPR-FOR-THE-HOST-LIST
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
hosts = eval(sys.argv[2])
print(" ".join(sorted("%s=%s" % (h["name"], h["status"]) for h in hosts)))' "$1" "$2"
}

# --- restart-winrm: two back, one down --------------------------------------------
sim POST "/hosts/$N2/fault" "down=1" >/dev/null || fail "node2 down"
"$ENFORCER" restart-winrm --json --yes --timeout 3s "$D" >"$TMP/rw.json" 2>"$TMP/rw.err"
expect "restart-winrm --json: exit 3 (a host failed)" 3 "$?"
parses "restart-winrm" "$TMP/rw.json"
expect "restart-winrm: per host, as the hosts are" \
    "$N1=restarted $N2=failed $GW=restarted" "$(hosts_of "$TMP/rw.json" 'd["hosts"]')"
for h in $N1 $GW; do
	expect "restart-winrm: $h Running (ground truth)" Running \
	    "$(truth $h service.WinRM.state)"
	expect "restart-winrm: $h task deleted (ground truth)" "" \
	    "$(truth $h 'task.\enforcer\restart-winrm.run_as' 2>/dev/null)"
done
expect "restart-winrm: the summary and the run id" "3 2 1 True" \
    "$(python3 -c 'import json,sys,re; d=json.load(open(sys.argv[1])); s=d["summary"]
print(s["hosts"], s["restarted"], s["failed"], bool(re.match(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$", d["run_id"])))' "$TMP/rw.json")"
expect_match "restart-winrm: the failure names the host's address" "$NET_RE\\.2" \
    "$(python3 -c 'import json,sys; print([h["error"] for h in json.load(open(sys.argv[1]))["hosts"] if h["status"] == "failed"][0])' "$TMP/rw.json")"
expect "restart-winrm --json: nothing else on stdout" 1 "$(wc -l <"$TMP/rw.json")"
sim POST "/hosts/$N2/fault" "down=0" >/dev/null || fail "node2 up"

# --- restart: a dry run, then one host --------------------------------------------
BOOT=$(truth $N1 boot.time)
"$ENFORCER" restart --json --dry-run --hosts $N1 "$D" >"$TMP/rd.json"
expect "restart --dry-run --json: exit 0" 0 "$?"
parses "restart --dry-run" "$TMP/rd.json"
expect "restart --dry-run: the boot time the host holds" "$N1=would_restart $BOOT" \
    "$(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hosts"][0]; print("%s=%s %s" % (h["name"], h["status"], h["boot_before"]))' "$TMP/rd.json")"
"$ENFORCER" restart --json --hosts $N1 --timeout 60s "$D" >"$TMP/r.json"
expect "restart --json: exit 0" 0 "$?"
parses "restart" "$TMP/r.json"
expect "restart: boot times before and after, as the host holds them" \
    "$N1=restarted $BOOT $(truth $N1 boot.time)" \
    "$(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hosts"][0]; print("%s=%s %s %s" % (h["name"], h["status"], h["boot_before"], h["boot_after"]))' "$TMP/r.json")"
[ "$(truth $N1 boot.time)" != "$BOOT" ] && pass "restart: the host rebooted (ground truth)" ||
    fail "restart: boot time unchanged"

# --- window open, extend, close ----------------------------------------------------
# CredSSP server role per host of the apply run, as NAME=true|false.
credssp_of_run() {	# FILE
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][-1]
assert run["verb"] == "apply", run["verb"]
out = []
for h in run["hosts"]:
    on = None
    for c in h["changes"]:
        if c["path"] == "credssp.server.enabled" and c["result"] == "verified":
            on = c["after"]
    out.append("%s=%s" % (h["name"], on))
print(" ".join(sorted(out)))' "$1"
}
truth_credssp() {
	echo "$N1=$(truth $N1 winrm.service.auth.CredSSP) $N2=$(truth $N2 winrm.service.auth.CredSSP)"
}

"$ENFORCER" window open wiz --for 2h --hosts hci-nodes --set credssp.server=enabled \
    --reason "json test" --json "$D" >"$TMP/wo.json" 2>"$TMP/wo.err"
expect "window open --json: exit 0" 0 "$?"
parses "window open" "$TMP/wo.json"
expect "window open: the apply's verified changes are the hosts' truth" \
    "$(truth_credssp)" "$(credssp_of_run "$TMP/wo.json")"
expect "window open: CredSSP on (ground truth)" "$N1=true $N2=true" "$(truth_credssp)"
expect "window open: the commit is HEAD" "$(git -C "$D" rev-parse HEAD)" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["commit"])' "$TMP/wo.json")"
expect_match "window open --json: the commit line on stderr" "^committed [0-9a-f]\{7\}: window open wiz" "$(cat "$TMP/wo.err")"

"$ENFORCER" window extend wiz --for 1h --json "$D" >"$TMP/we.json" 2>"$TMP/we.err"
expect "window extend --json: exit 0" 0 "$?"
parses "window extend" "$TMP/we.json"
expect "window extend: the apply's hosts, in sync" "$N1=in_sync $N2=in_sync" \
    "$(hosts_of "$TMP/we.json" 'd["runs"][-1]["hosts"]')"

"$ENFORCER" window close wiz --reason done --json "$D" >"$TMP/wc.json" 2>"$TMP/wc.err"
expect "window close --json: exit 0" 0 "$?"
parses "window close" "$TMP/wc.json"
expect "window close: the fail-safes pulled forward, then the apply" "close apply" \
    "$(python3 -c 'import json,sys; print(" ".join(r["verb"] for r in json.load(open(sys.argv[1]))["runs"]))' "$TMP/wc.json")"
expect "window close: CredSSP off (ground truth)" "$N1=false $N2=false" "$(truth_credssp)"
expect "window close: the apply's verified changes are the hosts' truth" \
    "$(truth_credssp)" "$(credssp_of_run "$TMP/wc.json")"
expect "window close: action and window" "close wiz" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["action"], d["window"])' "$TMP/wc.json")"
finish
