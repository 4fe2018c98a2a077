#!/bin/sh
# auth_kerberos_keytab.sh: many clients at once from a client keytab into
# an empty per-run cache (KRB5_CLIENT_KTNAME, KRB5CCNAME=MEMORY:), as a
# scheduled run logs on.  MIT gets the TGT inside the first call that
# needs it and re-initialises the cache to store it; calls racing it used
# to fail with "Matching credential not found" or "Principal in credential
# cache does not match desired name" (the demo did in 2 runs of 30).
# Ground truth: every run, every host saw Kerberos logons and the plan
# read each one; the KDC issued one TGT per run, not one per client.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
. "$(dirname "$0")/lib/kdc.sh"

NET=127.$((20 + $$ % 200)).$(( ($$ / 200) % 250 ))
REALM=CONTOSO.TEST
KDC_PORT=$((20000 + ($$ + 7) % 20000))
NHOSTS=12
RUNS=${KEYTAB_RUNS:-8}

kdc_start $REALM $NET.88 $KDC_PORT
kadmin "addprinc -randkey svc-enforcer"
kadmin "ktadd -k $KDC_DIR/client.keytab svc-enforcer"
{
	echo 'defaults:'
	echo '  winrm: { service: { auth: { Basic: false, CbtHardeningLevel: Strict } } }'
	echo "  users: { 'CONTOSO\\\\svc-enforcer': { password: 'not-used-$$', admin: true } }"
	echo "  accounts: [ 'CONTOSO\\\\hci-admins' ]"
	echo "  groups: { 'Gateway Administrators': { members: [] } }"
	echo 'hosts:'
} >"$TMP/fleet.yaml"
{
	echo 'connection:'
	echo '  auth: kerberos'
	echo '  timeout: 20s'
	echo 'hosts:'
} >"$TMP/hosts.yaml"
i=1
while [ $i -le $NHOSTS ]; do
	h=k$i.contoso.test
	kadmin "addprinc -randkey HTTP/$h"
	kadmin "ktadd -k $KDC_DIR/http.keytab HTTP/$h"
	echo "  $h: { address: $NET.$i }" >>"$TMP/fleet.yaml"
	echo "  $h: { address: $NET.$i }" >>"$TMP/hosts.yaml"
	i=$((i + 1))
done
KRB5_KTNAME="FILE:$KDC_DIR/http.keytab" \
    fleet_start "$TMP/fleet.yaml" --ca-out "$TMP/ca.pem"

mkdir -p "$TMP/ds"
sed "s|^connection:|connection:\n  ca_file: $SIM_CA|" "$TMP/hosts.yaml" \
    >"$TMP/ds/hosts.yaml"
# Three kinds, so that each host has several clients logging on at once.
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  all:
    credssp: { server: { enabled: false } }
    local_group:
      Gateway Administrators: { members: ['CONTOSO\\hci-admins'] }
    service: { WinRM: { state: running } }
EOF

kdestroy >/dev/null 2>&1
bad=0
n=1
while [ $n -le $RUNS ]; do
	KRB5_CLIENT_KTNAME="$KDC_DIR/client.keytab" \
	    KRB5CCNAME="MEMORY:enforcer" run_enforcer plan "$TMP/ds"
	case $RC in
	0|2) ;;
	*) bad=$((bad + 1)); echo "run $n: exit $RC"; echo "$OUT$ERR" |
	    grep -v ': in sync$' | head -3 ;;
	esac
	n=$((n + 1))
done
expect "plans from the client keytab that failed a host, of $RUNS" 0 "$bad"
# The simulator's ground truth: each host was read and refused no logon.
i=1
refused=0
unread=0
while [ $i -le $NHOSTS ]; do
	c=$(sim GET /hosts/k$i.contoso.test/counters)
	refused=$((refused + $(echo "$c" | sed -n 's/^auth_failures = //p')))
	[ "$(echo "$c" | sed -n 's/^requests = //p')" -gt 0 ] ||
		unread=$((unread + 1))
	i=$((i + 1))
done
expect "logons the hosts refused" 0 "$refused"
expect "hosts never read" 0 "$unread"
# The KDC's log: one TGT per run, got once and read by the other clients.
expect "TGTs the KDC issued, one per run" $RUNS \
    "$(grep -c 'AS_REQ.*ISSUE' "$KDC_DIR/kdc.log")"
finish
