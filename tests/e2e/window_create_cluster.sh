#!/bin/sh
# window_create_cluster.sh: the Create Cluster window in one command,
# `window open create-cluster --gateway wac01 --nodes hci-nodes --member
# ...`, checked in the ground truth: the gateway gets the client role
# delegating to exactly the nodes (wsman/FQDN and wsman/SHORT, nothing
# else added) and the member, not the server role; the nodes get the
# server role, not the client role; every host holds its fail-safe.  The
# window file is the plain YAML a person could write.  With one node down
# (its fail-safe cannot be armed) nothing is turned on anywhere.  window
# close reverts all of it together.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

window_fleet $NET
D="$TMP/ds"
window_desired "$D" $NET
git_commit "$D" "policies"
GW=wac01.contoso.test
N1=node1.contoso.test
N2=node2.contoso.test
task() { truth "$1" "task.\\enforcer\\failsafe-$2.trigger" 2>/dev/null; }
set_truth() { sim POST "/hosts/$1/set" "$2" >/dev/null || fail "set $2"; }
# The gateway's AllowFreshCredentials entries, sorted, on one line.
delegated() {
	sim GET "/hosts/$GW/state" |
	    sed -n 's/^reg\..*\\AllowFreshCredentials:[0-9]* = REG_SZ //p' |
	    sort | tr '\n' ' '
}

# --- a node that cannot be armed: nothing turned on anywhere --------------
sim POST "/hosts/$N2/fault" "down=1" >/dev/null || fail "node2 down"
run_enforcer window open create-cluster-try1 --gateway wac01 \
    --nodes hci-nodes --for 2h --reason "CHG-1234" "$D"
expect_rc "a fail-safe not armed: hosts failed" 3
expect_contains "says nothing was turned on, names the host" "$ERR" \
    "nothing turned on; the window stays written (window close create-cluster-try1 withdraws it): fail-safe not armed on $N2"
for h in $GW $N1 $N2; do
	expect "not armed everywhere: $h CredSSP still off" no "$(credssp_on $h)"
done
sim POST "/hosts/$N2/fault" "down=0" >/dev/null || fail "node2 up"
run_enforcer window close create-cluster-try1 "$D"
expect_rc "withdrawn: nothing was on, the fail-safes go at once" 0
for h in $GW $N1 $N2; do
	expect "withdrawn: $h's fail-safe gone" "" "$(task $h create-cluster-try1)"
done

set_truth $GW 'account.CONTOSO\alice.admin = false'

# --- the preset ------------------------------------------------------------
run_enforcer window open create-cluster2 --gateway wac01 --nodes hci-nodes \
    --for 2h --reason "CHG-1234" "$D"
expect_rc "create-cluster2 is no preset" 1
expect_contains "no preset: said" "$ERR" \
    "--gateway, --nodes, --member and --group go with window open create-cluster"

run_enforcer window open create-cluster --gateway wac01 --nodes hci-nodes \
    --member 'CONTOSO\alice' --for 2h --reason "CHG-1234" "$D"
expect_rc "open the preset" 0
expect "gateway: client role" true "$(truth $GW winrm.client.auth.CredSSP)"
expect "gateway: no server role" false "$(truth $GW winrm.service.auth.CredSSP)"
expect "gateway: delegates to exactly the nodes" \
    "TERMSRV/wac01.contoso.test wsman/node1 wsman/node1.contoso.test wsman/node2 wsman/node2.contoso.test " \
    "$(delegated)"
expect "gateway: the member" 'CONTOSO\hci-admins,CONTOSO\alice' \
    "$(truth $GW 'group.Windows Admin Center CredSSP Administrators.members')"
for h in $N1 $N2; do
	expect "$h: server role" true "$(truth $h winrm.service.auth.CredSSP)"
	expect "$h: no client role" false "$(truth $h winrm.client.auth.CredSSP)"
done
for h in $GW $N1 $N2; do
	expect_match "$h: fail-safe armed" '^20' "$(task $h create-cluster)"
done
expect_contains "the window is plain YAML, per role" "$(cat "$D/windows/create-cluster.yaml")" \
    "$GW:" "hci-nodes:" "wsman/node1.contoso.test" "Windows Admin Center CredSSP Administrators:" \
    "server:"
run_enforcer history "$D"
expect_match "history: the arming run, then the apply" \
    'apply: [0-9]* changes on 3 hosts.*open: 3 changes on 3 hosts' "$(printf '%s' "$OUT" | tr '\n' ' ')"

# --- reverted together ---------------------------------------------------------
run_enforcer window close create-cluster "$D"
expect_rc "close" 0
for h in $GW $N1 $N2; do
	expect "closed: $h CredSSP off" no "$(credssp_on $h)"
	expect "closed: $h's fail-safe gone" "" "$(task $h create-cluster)"
done
expect "closed: only the gateway's own entry left" "TERMSRV/wac01.contoso.test " \
    "$(delegated)"
expect "closed: the member gone" 'CONTOSO\hci-admins' \
    "$(truth $GW 'group.Windows Admin Center CredSSP Administrators.members')"

finish
