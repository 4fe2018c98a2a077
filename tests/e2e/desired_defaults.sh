#!/bin/sh
# desired_defaults.sh: the desired state as every verb finds it.
#  - no PATH: window open/list/close, history and show read the
#    configuration directory ($ENFORCER_CONFDIR/desired), as apply does;
#    the window's file and commit land there, the history is the branch of
#    its repository (git says so)
#  - an Ansible inventory named by the desired state is read from the
#    commit under --repo/--ref (../inventory/hosts.ini from desired/):
#    plan --repo finds its hosts, apply --repo repairs them (ground truth)
#  - a policy for an inventory group with no host warns in validate,
#    plan, apply and window, and stops none of them; a window on that
#    group alone is written and applies to no host (write counters)
#  - validate lists the host no policy targets
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

H1=h1.contoso.test H2=h2.contoso.test H3=h3.contoso.test
{
	echo "$FLEET_DEFAULTS"
	echo "hosts:"
	for i in 1 2 3; do echo "  h$i.contoso.test: { address: $NET.$i }"; done
} >"$TMP/fleet.yaml"
fleet_start "$TMP/fleet.yaml"

# The configuration directory, a git work tree: desired/ and, beside it,
# the team's Ansible inventory.
ETC="$TMP/etc"
mkdir -p "$ETC/inventory"
ds_new "$ETC/desired"
cat >"$ETC/inventory/hosts.ini" <<EOT
$H3 ansible_host=$NET.3

[web]
$H1 ansible_host=$NET.1
$H2 ansible_host=$NET.2

[empty]
EOT
cat >"$ETC/desired/policies.yaml" <<'EOT'
inventory: ../inventory/hosts.ini
policies:
  web: { credssp: { server: disabled } }
  empty: { credssp: { client: disabled } }
EOT
git_home
git -C "$ETC" init -q -b main && git -C "$ETC" add -A &&
    git -C "$ETC" commit -qm desired
WARN="policies.yaml:4:3: warning: policy target 'empty' is an inventory group with no host: it applies to nothing"
for h in $H1 $H2; do
	sim_ok POST "/hosts/$h/set" "winrm.service.auth.CredSSP = true" >/dev/null
done

# --- validate: the empty group warns, the untargeted host is listed ------------
run_enforcer validate "$ETC/desired"
expect_rc "validate: ok" 0
expect_match "validate: the empty group is a warning" "$WARN" "$ERR"
expect_line "validate: the host no policy targets" \
    "$ETC/desired: host '$H3': no policy targets it"

# --- plan and apply --repo: the inventory from the commit -----------------------
# The work tree's inventory is gone: only the commit holds it.
mv "$ETC/inventory" "$TMP/inventory.away"
run_enforcer plan --json --repo "$ETC" --ref main:desired
expect_rc "plan --repo: changes pending (the inventory's hosts found)" 2
expect "plan --repo: the inventory's hosts, drift where the hosts have it" \
    "$H1=changes $H2=changes $H3=in_sync" \
    "$(printf '%s' "$OUT" | python3 -c 'import json,sys
print(" ".join(sorted("%s=%s" % (h["name"], h["status"]) for h in json.load(sys.stdin)["hosts"])))')"
expect "plan --repo: the hosts as the simulator has them" "true true" \
    "$(truth $H1 winrm.service.auth.CredSSP) $(truth $H2 winrm.service.auth.CredSSP)"
expect_match "plan --repo: the empty group warns, named in the commit" \
    "^main:desired/$WARN" "$ERR"
run_enforcer apply --repo "$ETC" --ref main:desired
expect_rc "apply --repo: repaired" 0
expect_match "apply --repo: the empty group warns" "$WARN" "$ERR"
expect "apply --repo: CredSSP off on the inventory's hosts (ground truth)" \
    "false false" \
    "$(truth $H1 winrm.service.auth.CredSSP) $(truth $H2 winrm.service.auth.CredSSP)"
printf 'inventory: ../inventory/nope.ini\n' >"$TMP/nope.yaml"
git -C "$ETC" checkout -q -b broken
cp "$TMP/nope.yaml" "$ETC/desired/nope.yaml"
git -C "$ETC" add desired/nope.yaml && git -C "$ETC" commit -qm broken
run_enforcer plan --repo "$ETC" --ref broken:desired
expect_rc "an inventory the commit lacks: exit 1" 1
expect_contains "an inventory the commit lacks: named" "$ERR" \
    "broken:desired/nope.yaml:1:12: '../inventory/nope.ini': no such file" \
    "in the commit read: broken:inventory/nope.ini"
git -C "$ETC" checkout -q main
mv "$TMP/inventory.away" "$ETC/inventory"

# --- no PATH: the configuration directory ----------------------------------------
export ENFORCER_CONFDIR="$ETC"
cd / || exit 1
sim_ok POST "/hosts/$H2/set" "winrm.service.auth.CredSSP = true" >/dev/null
run_enforcer apply --json
expect_rc "apply, no PATH: repaired" 0
expect "apply, no PATH: $H2 repaired (ground truth)" false \
    "$(truth $H2 winrm.service.auth.CredSSP)"
expect_match "apply: the empty group warns" "$WARN" "$ERR"
RUN=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')
run_enforcer history --json
expect_rc "history, no PATH" 0
expect "history, no PATH: the run apply recorded in the configuration directory's repository" \
    "$RUN" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["run_id"])')"
expect_match "history: the branch is in $ETC (git)" '^[0-9a-f]\{40\}$' \
    "$(git -C "$ETC" rev-parse enforcer/history)"
run_enforcer show "$RUN"
expect_rc "show RUN, no PATH" 0
expect_line "show RUN, no PATH: the run" "run $RUN"

for h in $H1 $H2 $H3; do reset_counters $h; done
run_enforcer window open e1 --for 1h --hosts empty \
    --set credssp.client.enabled=false --reason "a group with no host"
expect_rc "window open on an empty group, no PATH: done" 0
expect "window open: the file in the configuration directory" yes \
    "$([ -f "$ETC/desired/windows/e1.yaml" ] && echo yes || echo no)"
expect_match "window open: committed there (git)" "window open e1: a group with no host" \
    "$(git -C "$ETC" log -1 --format=%s)"
expect_match "window open: the empty group warns" \
    "warning: window target 'empty' is an inventory group with no host" "$ERR"
expect_line "window open: no host to apply to" \
    "no host to apply to: the window's targets have none"
expect "window open: no host written (counters)" "0 0 0" \
    "$(writes $H1) $(writes $H2) $(writes $H3)"
run_enforcer window list --offline
expect_rc "window list, no PATH" 0
expect_match "window list, no PATH: e1" "^e1: open" "$OUT"
run_enforcer plan
expect_rc "plan, no PATH, a window on the empty group: in sync" 0
run_enforcer window close e1 --reason done
expect_rc "window close, no PATH" 0
expect_match "window close: committed there (git)" "window close e1" \
    "$(git -C "$ETC" log -1 --format=%s)"
expect "window close: no host written (counters)" "0 0 0" \
    "$(writes $H1) $(writes $H2) $(writes $H3)"
finish
