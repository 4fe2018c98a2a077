#!/bin/sh
# engine_connections.sh: connections per host (--connections, engine.c's
# engine_connections()).  With more hosts than --parallel, each host is
# read, changed and verified over one connection (the simulator's
# connections_max); with room in the pool, or --connections 4, the kinds
# go at once over several.  Either way apply converges the ground truth,
# and the second apply is a no-op.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/converge.sh"

HOSTS="a.contoso.test b.contoso.test c.contoso.test"
cat >"$TMP/fleet.yaml" <<EOT
$FLEET_DEFAULTS
  accounts: [ 'CONTOSO\\hci-admins' ]
  services: { W32Time: { state: Running, start_mode: Auto } }
hosts:
  a.contoso.test: { address: $NET.1 }
  b.contoso.test: { address: $NET.2 }
  c.contoso.test: { address: $NET.3 }
EOT
fleet_start "$TMP/fleet.yaml" --ca-out "$TMP/ca.pem"
SIM_CA=$TMP/ca.pem

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOT
hosts:
  a.contoso.test: { groups: [nodes], address: $NET.1 }
  b.contoso.test: { groups: [nodes], address: $NET.2 }
  c.contoso.test: { groups: [nodes], address: $NET.3 }
policies:
  nodes:
    credssp: { server: disabled, client: disabled }
    service: { W32Time: { state: running, start_mode: auto } }
    trusted_hosts: { hosts: ['*.contoso.test'], exclusive: true }
    local_group:
      Administrators: { members: ['CONTOSO\\hci-admins'] }
EOT

# most HOST: the most connections HOST had open at once since the reset.
most() {
	sim GET "/hosts/$1/counters" | sed -n 's/^connections_max = //p'
}

# More hosts (3) than --parallel (1): one connection per host.
reset_counters $HOSTS
run_enforcer plan --parallel 1 "$TMP/ds"
expect "plan, 3 hosts, --parallel 1: exit (drift)" 2 "$RC"
for h in $HOSTS; do
	expect "$h: one connection at a time" 1 "$(most $h)"
done

# Room in the pool: the kinds at once, over several connections.
reset_counters $HOSTS
run_enforcer plan --parallel 3 "$TMP/ds"
expect "plan, --parallel 3: exit" 2 "$RC"
expect_match "a.contoso.test: several connections at once" '^[2-9]$\|^[1-9][0-9]' "$(most a.contoso.test)"

# --connections overrides the default, both ways.
reset_counters $HOSTS
run_enforcer plan --parallel 1 --connections 4 "$TMP/ds"
expect "plan --connections 4: exit" 2 "$RC"
expect_match "b.contoso.test: several connections with --connections 4" '^[2-9]$\|^[1-9][0-9]' "$(most b.contoso.test)"
reset_counters $HOSTS
run_enforcer plan --parallel 3 --connections 1 "$TMP/ds"
expect "plan --connections 1: exit" 2 "$RC"
expect "c.contoso.test: one connection with --connections 1" 1 "$(most c.contoso.test)"

# Apply over one connection per host converges, verified from the truth.
reset_counters $HOSTS
run_enforcer apply --parallel 1 --history "$TMP/history" "$TMP/ds"
expect "apply, one connection per host: exit" 0 "$RC"
for h in $HOSTS; do
	expect "$h: one connection for read, write and verify" 1 "$(most $h)"
	expect_match "$h: CONTOSO\\hci-admins in Administrators (truth)" \
	    'hci-admins' "$(truth $h group.Administrators.members)"
	expect "$h: TrustedHosts (truth)" '*.contoso.test' \
	    "$(truth $h winrm.client.TrustedHosts)"
done
reset_counters $HOSTS
run_enforcer apply --parallel 1 --history "$TMP/history" "$TMP/ds"
expect "second apply: exit" 0 "$RC"
for h in $HOSTS; do
	expect "$h: second apply writes nothing" 0 "$(writes $h)"
done
finish
