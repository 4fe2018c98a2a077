#!/bin/sh
# history_apply.sh: apply records every run in the branch enforcer/history
# of the desired state's git repository, read back with plain git:
#  - plan records nothing; the team's work tree, index and HEAD are never
#    touched;
#  - an applied change is recorded with the state verified afterwards, and
#    that state is the simulator's ground truth;
#  - drift planted out of band between two runs is a drift commit, and its
#    repair is "corrective"; a changed desired state is "intentional";
#  - a run that changes nothing adds one commit with the same tree;
#  - a host that fails is named in a Hosts-Failed trailer;
#  - when the history cannot be written, apply writes nothing to a host
#    (the intent commit comes before the first write) and exits 1;
#  - a run that changes nothing adds no commit;
#  - without a git repository or --history, apply refuses before touching
#    any host; --history DIR and $ENFORCER_HISTORY work;
#  - the password (planted in the environment) is in no object and no file
#    of the repository, commit messages included.
. "$(dirname "$0")/lib/e2e.sh"

git_home
PW="Hist-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ENFORCER_PASSWORD="$PW"

cat >"$TMP/fleet.yaml" <<EOF
defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: '$PW', admin: true } }
  groups: { 'Remote Management Users': { members: [] } }
  accounts: ['CONTOSO\\hci-admins']
hosts:
  node1.contoso.test:
    address: $NET.1
    winrm: { service: { auth: { CredSSP: true } } }
    services: { Spooler: { state: Running, start_mode: Auto } }
  node2.contoso.test:
    address: $NET.2
    services: { Spooler: { state: Stopped, start_mode: Auto } }
  node3.contoso.test: { address: $NET.3, faults: { down: true } }
EOF
fleet_start "$TMP/fleet.yaml"

D="$TMP/desired"
mkdir -p "$D"
cat >"$D/hosts.yaml" <<EOF
hosts:
  node1.contoso.test: { groups: [nodes], address: $NET.1 }
  node2.contoso.test: { groups: [nodes], address: $NET.2 }
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
  timeout: 5s
policies:
  nodes:
    credssp: { server: disabled }
    service: { Spooler: running }
    local_group: { Remote Management Users: { members: [] } }
EOF
git -C "$D" init -q -b main
git -C "$D" add -A
git -C "$D" commit -q -m "desired state v1"
head0=$(git -C "$D" rev-parse HEAD)

g() {
	git -C "$D" "$@"
}
# The value of KEY in the recorded file of HOST at REV.
recorded() {	# REV HOST KEY
	g show "$1:hosts/$2.yaml" | python3 -c '
import sys, yaml
v = yaml.safe_load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(str(v).lower())' "$3"
}

# --- plan records nothing ---------------------------------------------------
run_enforcer plan "$D"
expect "plan exits 2 (changes pending)" 2 "$RC"
expect "plan creates no history branch" "" \
    "$(g for-each-ref refs/heads/enforcer)"

# --- the first apply: changes recorded with the verified state --------------
run_enforcer apply "$D"
expect "apply exits 0" 0 "$RC"
expect_match "apply names the run it recorded" \
    "^recorded run [0-9TZ]*-[0-9a-f]* in branch enforcer/history" "$OUT"
expect "node1: CredSSP off (ground truth)" false \
    "$(truth node1.contoso.test winrm.service.auth.CredSSP)"
expect "node2: Spooler running (ground truth)" Running \
    "$(truth node2.contoso.test service.Spooler.state)"
expect "recorded node1 state is the verified one" false \
    "$(recorded enforcer/history node1.contoso.test credssp.server.enabled)"
expect "recorded node2 state is the verified one" running \
    "$(recorded enforcer/history node2.contoso.test service.Spooler.state)"
msg=$(g log -1 --format=%B enforcer/history)
expect_match "run commit: a change line, verified" \
    'change host=node1.contoso.test path=credssp.server.enabled before=true after=false class=corrective verified=yes' \
    "$msg"
expect_match "run commit: Verb trailer" "^Verb: apply$" "$msg"
expect_match "run commit: Hosts-Changed" \
    "^Hosts-Changed: node1.contoso.test, node2.contoso.test$" "$msg"
expect_match "run commit: Desired is the absolute path" "^Desired: $D$" "$msg"
# First records of hosts this run changed keep their state before it.
expect_match "observed commit keeps the state before" "^observe: " \
    "$(g log -1 --format=%s enforcer/history~1)"
expect "state before: node1 CredSSP was on" true \
    "$(recorded enforcer/history~1 node1.contoso.test credssp.server.enabled)"
expect "git log -p per host works" 1 "$(g log --format=%H -p \
    enforcer/history -- hosts/node1.contoso.test.yaml | \
    grep -c '^-    enabled: true')"
expect "HEAD untouched" "$head0" "$(g rev-parse HEAD)"
expect "work tree and index untouched" "" "$(g status --porcelain)"
expect "trailers parse with git" "apply" "$(g log -1 \
    --format='%(trailers:key=Verb,valueonly)' enforcer/history | head -1)"

# --- no change: no commit (history_facts.sh: the heartbeat) -----------------
tip=$(g rev-parse enforcer/history)
run_enforcer apply "$D"
expect "in-sync apply exits 0" 0 "$RC"
expect "in-sync run: no commit" "$tip" "$(g rev-parse enforcer/history)"
expect_match "in-sync run: says so" "^nothing new to record in " "$OUT"

# --- drift between two runs --------------------------------------------------
sim POST /hosts/node1.contoso.test/set 'winrm.service.auth.CredSSP = true' \
    >/dev/null
run_enforcer apply "$D"
expect "apply after drift exits 0" 0 "$RC"
expect "drift commit" "drift: node1.contoso.test changed outside enforcer" \
    "$(g log -1 --format=%s enforcer/history~1)"
expect "drift commit holds what was found" true \
    "$(recorded enforcer/history~1 node1.contoso.test credssp.server.enabled)"
expect_match "drift repair is corrective" \
    'path=credssp.server.enabled before=true after=false class=corrective verified=yes' \
    "$(g log -1 --format=%B enforcer/history)"
expect "ground truth repaired" false \
    "$(truth node1.contoso.test winrm.service.auth.CredSSP)"

# --- the desired state changes: intentional ----------------------------------
sed -i "s/Spooler: running/Spooler: stopped/; s/members: \[\]/members: ['CONTOSO\\\\hci-admins']/" \
    "$D/hosts.yaml"
g commit -q -a -m "desired state v2: no print spooler, a member"
run_enforcer apply "$D"
expect "apply of v2 exits 0" 0 "$RC"
expect_match "a changed desired state is intentional" \
    'path=service.Spooler.state before=running after=stopped class=intentional verified=yes' \
    "$(g log -1 --format=%B enforcer/history)"
expect_match "a member the desired state adds is intentional" \
    'path="local_group.Remote Management Users.members" after=.*hci-admins (S-1-5-21-[0-9-]*)" class=intentional verified=yes' \
    "$(g log -1 --format=%B enforcer/history)"
run_enforcer history --class intentional --changes "$D"
expect_match "enforcer history --class intentional lists it" \
    "intentional *node2.contoso.test  service.Spooler.state: running -> stopped" \
    "$OUT"

# --- a failing host is recorded ---------------------------------------------
sed -i "/^  node2.contoso.test:/a\\  node3.contoso.test: { groups: [nodes], address: $NET.3 }" \
    "$D/hosts.yaml"
g commit -q -a -m "desired state v3: node3"
run_enforcer apply "$D"
expect "apply with a host down exits 3" 3 "$RC"
expect_match "Hosts-Failed names it" "^Hosts-Failed: node3.contoso.test: " \
    "$(g log -1 --format=%B enforcer/history)"

# --- the history cannot be written ------------------------------------------
# The desired state moves node2 while the history cannot be written: the
# intent commit, due before the first write, fails, so nothing is written.
sed -i 's/Spooler: stopped/Spooler: running/' "$D/hosts.yaml"
g commit -q -a -m "desired state v4: print spooler back"
tip=$(g rev-parse enforcer/history)
# A directory where history's lock file goes: every history write fails.
rm -f "$D/.git/enforcer-history.lock"
mkdir "$D/.git/enforcer-history.lock"
run_enforcer apply --hosts 'node[12]*' "$D"
expect "apply that cannot record exits 1" 1 "$RC"
expect_match "it says the change is not applied for want of history" \
    "not applied: history: " "$OUT$ERR"
expect "the change is not made (ground truth)" Stopped \
    "$(truth node2.contoso.test service.Spooler.state)"
expect "nothing was recorded" "$tip" "$(g rev-parse enforcer/history)"
rmdir "$D/.git/enforcer-history.lock"
run_enforcer apply --hosts 'node[12]*' "$D"
expect "the next apply exits 0" 0 "$RC"
expect_match "the next apply makes and records the change" \
    'path=service.Spooler.state before=stopped after=running class=intentional verified=yes' \
    "$(g log -1 --format=%B enforcer/history)"
expect "... with the state it found before" stopped \
    "$(recorded enforcer/history~1 node2.contoso.test service.Spooler.state)"

# --- no git repository: refuse, or --history / $ENFORCER_HISTORY ------------
P="$TMP/plain"
mkdir -p "$P"
cp "$D/hosts.yaml" "$P/"
sed -i '/node3/d' "$P/hosts.yaml"
sim POST /hosts/node2.contoso.test/set 'service.Spooler.state = Stopped' \
    >/dev/null
run_enforcer apply "$P"
expect "apply outside git without --history exits 1" 1 "$RC"
expect_match "... saying what to do" \
    "is not in a git repository.*give --history DIR" "$ERR"
expect "... before touching any host" Stopped \
    "$(truth node2.contoso.test service.Spooler.state)"
run_enforcer plan "$P"
expect "plan outside git needs no history" 2 "$RC"
run_enforcer apply --history "$TMP/hist" "$P"
expect "apply --history DIR exits 0" 0 "$RC"
expect "--history DIR is a bare repository" true \
    "$(git -C "$TMP/hist" rev-parse --is-bare-repository)"
expect "--history DIR holds the run" 1 \
    "$(git -C "$TMP/hist" rev-list --count --grep '^Record: run' \
    enforcer/history)"
# Something to record: a run that changes nothing adds no commit.
sim POST /hosts/node2.contoso.test/set 'service.Spooler.state = Stopped' \
    >/dev/null
ENFORCER_HISTORY="$TMP/hist" run_enforcer apply "$P"
expect "apply with \$ENFORCER_HISTORY exits 0" 0 "$RC"
expect "\$ENFORCER_HISTORY holds the run" 2 \
    "$(git -C "$TMP/hist" rev-list --count --grep '^Record: run' \
    enforcer/history)"

ENFORCER_HISTORY="$TMP/hist" run_enforcer history "$P"
expect "enforcer history reads \$ENFORCER_HISTORY too" 2 \
    "$(printf '%s\n' "$OUT" | grep -c ' apply: ')"

# --- a password typed where it does not belong is redacted -------------------
sed -i "s/hci-admins'\]/hci-admins', '$PW']/" "$P/hosts.yaml"
run_enforcer apply --history "$TMP/hist" "$P"
expect "apply naming an unknown account exits 3" 3 "$RC"
msg=$(git -C "$TMP/hist" log -1 --format=%B enforcer/history)
expect_match "the attempt is recorded, the password redacted" \
    "path=\"local_group.Remote Management Users.members\" after=\[redacted\] class=intentional verified=no" \
    "$msg"
expect_match "the failure too" \
    "^Hosts-Failed: node1.contoso.test: .*unknown account '\[redacted\]'" \
    "$msg"

# --- nothing secret, anywhere ------------------------------------------------
for repo in "$D/.git" "$TMP/hist"; do
	n=$(git -C "$repo" cat-file --batch-all-objects --batch-check | wc -l)
	if git -C "$repo" cat-file --batch-all-objects --batch |
	    grep -a -F -q -e "$PW"; then
		fail "$repo: the password is in an object"
	elif grep -a -F -r -q -e "$PW" "$repo"; then
		fail "$repo: the password is in a file"
	else
		echo "ok: $repo: $n objects, none holds the password"
	fi
done
expect "commit messages were searched too" 0 "$(g log --format=%B \
    enforcer/history | grep -c -F -e "$PW")"
out=$(git -C "$D" fsck --full --strict 2>&1) || fail "git fsck: $out"
out=$(git -C "$TMP/hist" fsck --full --strict 2>&1) || fail "git fsck: $out"
finish
