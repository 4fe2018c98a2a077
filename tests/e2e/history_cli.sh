#!/bin/sh
# history_cli.sh: `enforcer history` and `enforcer show` on a recorded
# story (test_history fixture: a window opens CredSSP on node2 while node3
# is down, WinRM stopped outside enforcer on node1 is repaired, the window
# ends, a run finds nothing to do); output compared byte for byte; the
# history read with plain git; the team's repository left untouched when
# the history lives in it.
. "$(dirname "$0")/lib/e2e.sh"
# The runs are read from --history or from the repository named, never
# from $ENFORCER_HISTORY.
unset ENFORCER_HISTORY
DRIVER="$TOP/$ENFORCER_BUILD/tests/test_history"
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
H="$TMP/hist"

# output_is NAME GOLDEN -- COMMAND...: exit 0, stdout GOLDEN byte for byte.
output_is() {
	name=$1 want=$2
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	expect "$name: exit status" 0 "$rc"
	[ "$rc" = 0 ] || cat "$TMP/err" >&2
	expect_file "$name" "$want" "$TMP/out"
}

# refuse NAME STDERR -- COMMAND...: exit 1 and exactly that stderr line.
refuse() {
	name=$1 want=$2
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	expect "$name: exit status" 1 "$?"
	expect "$name: stderr" "$want" "$(head -n 1 "$TMP/err")"
}

"$DRIVER" fixture "$H" || { fail "fixture failed"; finish; }

cat >"$TMP/runs" <<'OUT'
2026-11-25T12:00:01Z  20261125T120000Z-0d1e2f  apply: no change, 2 hosts in sync
2026-11-25T11:00:03Z  20261125T110000Z-7a8b9c  apply: 1 change on 1 host
2026-11-25T10:00:02Z  20261125T100000Z-4d5e6f  apply: 1 change on 1 host; drift: node1.contoso.test
2026-11-25T09:30:04Z  20261125T093000Z-1a2b3c  apply: 1 change on 1 host, 1 host failed
OUT
output_is runs "$TMP/runs" -- "$ENFORCER" history --history "$H"

cat >"$TMP/changes" <<'OUT'
2026-11-25T11:00:03Z  20261125T110000Z-7a8b9c  expiry      node2.contoso.test  credssp.server.enabled: true -> false  (window create-cluster ended)
2026-11-25T10:00:02Z  20261125T100000Z-4d5e6f  corrective  node1.contoso.test  service.WinRM.state: stopped -> running  (policy hci-nodes)
2026-11-25T09:30:04Z  20261125T093000Z-1a2b3c  window      node2.contoso.test  credssp.server.enabled: false -> true  (window create-cluster)
OUT
output_is changes "$TMP/changes" -- "$ENFORCER" history --history "$H" --changes

sed -n 3p "$TMP/runs" >"$TMP/want"
output_is host "$TMP/want" -- "$ENFORCER" history --history "$H" \
    --host node1.contoso.test
sed -n 1p "$TMP/changes" >"$TMP/want"
output_is class "$TMP/want" -- "$ENFORCER" history --history "$H" --changes \
    --class expiry
sed -n 1,2p "$TMP/runs" >"$TMP/want"
output_is since "$TMP/want" -- "$ENFORCER" history --history "$H" \
    --since 2026-11-25T10:30:00Z
output_is limit "$TMP/want" -- "$ENFORCER" history --history "$H" --limit 2
: >"$TMP/want"
output_is since-date "$TMP/want" -- "$ENFORCER" history --history "$H" \
    --since 2026-11-26
"$ENFORCER" history --history "$H" --since 30d >/dev/null ||
    fail "--since 30d refused"

cat >"$TMP/show" <<'OUT'
run 20261125T100000Z-4d5e6f
apply: 1 change on 1 host
started:  2026-11-25T10:00:00Z
finished: 2026-11-25T10:00:02Z
desired:  examples/hci-cluster
window:   create-cluster

node1.contoso.test: 1 change; changed outside enforcer before this run
  corrective  service.WinRM.state: stopped -> running  (policy hci-nodes)
  observed:
    service:
      WinRM:
        start_mode: auto
        state: stopped
  verified:
    service:
      WinRM:
        start_mode: auto
        state: running

node2.contoso.test: in sync
OUT
"$ENFORCER" show --history "$H" 20261125T100000Z-4d5e6f >"$TMP/out" ||
    fail "show: exit $?"
grep -q '^commit:   [0-9a-f]\{40\} (observed: [0-9a-f]\{40\})$' "$TMP/out" ||
    fail "show: no commit line"
grep -v '^commit:' "$TMP/out" >"$TMP/show.got"
expect_file "show" "$TMP/show" "$TMP/show.got"

# JSON: the documented shape (docs/history.md).
"$ENFORCER" history --history "$H" --json >"$TMP/runs.json" || fail "json: exit"
"$ENFORCER" history --history "$H" --json --changes >"$TMP/changes.json" ||
    fail "json changes: exit"
"$ENFORCER" show --history "$H" --json 20261125T093000Z-1a2b3c \
    >"$TMP/show.json" || fail "json show: exit"
/usr/bin/python3 - "$TMP" <<'PY' || fail "json: shape"
import json, sys
t = sys.argv[1]
runs = json.load(open(t + "/runs.json"))
assert runs["version"] == 1
ids = [r["run_id"] for r in runs["runs"]]
assert ids == ["20261125T120000Z-0d1e2f", "20261125T110000Z-7a8b9c",
               "20261125T100000Z-4d5e6f", "20261125T093000Z-1a2b3c"], ids
keys = ["run_id", "verb", "summary", "started", "finished", "commit",
        "observed_commit", "desired", "desired_commit", "windows", "drifted",
        "operator", "desired_dirty", "cut", "hosts", "changes"]
for r in runs["runs"]:
    assert list(r) == keys, list(r)
r2 = runs["runs"][2]
assert r2["drifted"] == ["node1.contoso.test"]
assert len(r2["observed_commit"]) == 40
assert r2["windows"] == ["create-cluster"]
assert runs["runs"][3]["desired_commit"] == "9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c"
failed = [h for h in runs["runs"][3]["hosts"] if h["error"]]
assert failed == [{"name": "node3.contoso.test",
                   "error": "connect: connection refused",
                   "noncompliant": None}], failed
ch = json.load(open(t + "/changes.json"))["changes"]
assert [c["class"] for c in ch] == ["expiry", "corrective", "window"]
assert ch[1] == {"run_id": "20261125T100000Z-4d5e6f",
                 "finished": "2026-11-25T10:00:02Z",
                 "host": "node1.contoso.test", "path": "service.WinRM.state",
                 "before": "stopped", "after": "running",
                 "class": "corrective", "reason": "policy hci-nodes",
                 "window": None, "verified": True}, ch[1]
show = json.load(open(t + "/show.json"))["run"]
hosts = {h["name"]: h for h in show["hosts"]}
n2 = hosts["node2.contoso.test"]
assert n2["observed"]["credssp"]["server"]["enabled"] is False
assert n2["verified"]["credssp"]["server"]["enabled"] is True
assert hosts["node3.contoso.test"]["observed"] is None
assert hosts["node1.contoso.test"]["verified"] is None
PY

refuse show-unknown "enforcer: no run 'nope' in branch enforcer/history of $H/" \
    -- "$ENFORCER" show --history "$H" nope
refuse bad-class "enforcer: history: unknown class 'nope'" \
    -- "$ENFORCER" history --history "$H" --class nope
refuse bad-since "enforcer: history: bad time 'yesterday'" \
    -- "$ENFORCER" history --history "$H" --since yesterday
mkdir "$TMP/plain"
refuse not-a-repo "enforcer: '$TMP/plain' is not in a git repository: give --history DIR to keep the history elsewhere" \
    -- "$ENFORCER" history "$TMP/plain"
"$ENFORCER" history --help >/dev/null || fail "history --help"
"$ENFORCER" show --help >/dev/null || fail "show --help"

# Plain git reads it all.
cat >"$TMP/want" <<'OUT'
apply: no change, 2 hosts in sync
apply: 1 change on 1 host
apply: 1 change on 1 host
drift: node1.contoso.test changed outside enforcer
apply: 1 change on 1 host, 1 host failed
observe: node2.contoso.test first recorded
OUT
output_is git-log "$TMP/want" -- git -C "$H" log --format=%s
printf '%s\n\n' 20261125T110000Z-7a8b9c >"$TMP/want"
output_is git-trailers "$TMP/want" -- git -C "$H" log -1 \
    --format='%(trailers:key=Run-Id,valueonly)' enforcer/history~1
printf 'enforcer <enforcer@%s>\n' "$(uname -n)" >"$TMP/want"
output_is git-author "$TMP/want" -- git -C "$H" log -1 --format='%an <%ae>'
# The host's audit trail: CredSSP server off, on in the window, off again.
cat >"$TMP/want" <<'OUT'
apply: 1 change on 1 host

diff --git a/hosts/node2.contoso.test.yaml b/hosts/node2.contoso.test.yaml
index 7a46142..3951561 100644
--- a/hosts/node2.contoso.test.yaml
+++ b/hosts/node2.contoso.test.yaml
@@ -2,4 +2,4 @@ credssp:
   client:
     enabled: false
   server:
-    enabled: true
+    enabled: false
apply: 1 change on 1 host, 1 host failed

diff --git a/hosts/node2.contoso.test.yaml b/hosts/node2.contoso.test.yaml
index 3951561..7a46142 100644
--- a/hosts/node2.contoso.test.yaml
+++ b/hosts/node2.contoso.test.yaml
@@ -2,4 +2,4 @@ credssp:
   client:
     enabled: false
   server:
-    enabled: false
+    enabled: true
observe: node2.contoso.test first recorded

diff --git a/hosts/node2.contoso.test.yaml b/hosts/node2.contoso.test.yaml
new file mode 100644
index 0000000..3951561
--- /dev/null
+++ b/hosts/node2.contoso.test.yaml
@@ -0,0 +1,5 @@
+credssp:
+  client:
+    enabled: false
+  server:
+    enabled: false
OUT
output_is git-log-p "$TMP/want" -- git -C "$H" log -p --format=%s -- \
    hosts/node2.contoso.test.yaml
out=$(git -C "$H" fsck --full --strict 2>&1) || fail "git fsck: $out"

# In the team's repository: objects and one branch, nothing else moves.
D="$TMP/desired"
git init -q -b main "$D"
printf 'hosts: {}\n' >"$D/hosts.yaml"
git -C "$D" add hosts.yaml
git -C "$D" -c user.name=t -c user.email=t@test commit -q -m desired
head=$(git -C "$D" rev-parse HEAD)
idx=$(cksum <"$D/.git/index")
"$DRIVER" fixture-in "$D/hosts.yaml" || fail "fixture-in failed"
[ "$(git -C "$D" rev-parse HEAD)" = "$head" ] || fail "HEAD moved"
[ "$(git -C "$D" symbolic-ref HEAD)" = refs/heads/main ] || fail "HEAD switched"
[ "$(cksum <"$D/.git/index")" = "$idx" ] || fail "index touched"
[ -z "$(git -C "$D" status --porcelain)" ] || fail "work tree touched"
[ "$(git -C "$D" branch --list --format='%(refname:short)' | tr '\n' ' ')" = \
    "enforcer/history main " ] || fail "branches: $(git -C "$D" branch)"
output_is in-repo "$TMP/runs" -- "$ENFORCER" history "$D"
(cd "$D" && "$ENFORCER" history .) >"$TMP/out" || fail "history in the repo"
expect_file "history in the repo" "$TMP/runs" "$TMP/out"

finish
