#!/bin/sh
# engine_hosts.sh: --hosts limits a run (on $NET).  A glob over host
# names or group names selects hosts; the others are not contacted at all
# (the simulator counts no request) and their ground truth is unchanged.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

N1=node1.contoso.test
N2=node2.contoso.test
GW=wac01.contoso.test
OTHER=other.contoso.test
ALL="$N1 $N2 $GW $OTHER"

{
	echo "$FLEET_DEFAULTS"
	echo "hosts:"
	i=1
	for h in $ALL; do
		echo "  $h: { address: $NET.$i," \
		    "winrm: { service: { auth: { CredSSP: true } } } }"
		i=$((i + 1))
	done
} >"$TMP/fleet.yaml"
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $N1: { groups: [hci-nodes], address: $NET.1 }
  $N2: { groups: [hci-nodes], address: $NET.2 }
  $GW: { groups: [gateways], address: $NET.3 }
  $OTHER: { address: $NET.4 }
policies:
  all: { credssp: { server: disabled } }
EOF

credssp_of() {
	truth "$1" winrm.service.auth.CredSSP
}

requests() {
	sim GET "/hosts/$1/counters" | sed -n 's/^requests = //p'
}

# Assert which hosts the last run touched: $1 the changed ones.
only() {
	for h in $ALL; do
		case " $1 " in
		*" $h "*)
			expect "$h: in the run, changed" false "$(credssp_of $h)"
			;;
		*)
			expect "$h: not contacted" 0 "$(requests $h)"
			;;
		esac
	done
}

# --- a glob over names --------------------------------------------------------
reset_counters $ALL
run_enforcer plan --hosts "$OTHER" "$TMP/ds"
expect_rc "plan --hosts NAME" 2
expect_line "that host in the report" "$OTHER: 1 change"
expect "no other host in it" 1 \
    "$(printf '%s\n' "$OUT" | grep -c '^[a-z0-9.]*\.contoso\.test: ')"
expect_match "one host counted" "plan: 1 host: " "$OUT"
for h in $N1 $N2 $GW; do
	expect "$h: not contacted by plan" 0 "$(requests $h)"
done

reset_counters $ALL
run_enforcer apply --hosts 'node*' "$TMP/ds"
expect_rc "apply --hosts 'node*'" 0
expect_match "two hosts counted" "apply: 2 hosts: " "$OUT"
only "$N1 $N2"
expect "$GW untouched" true "$(credssp_of $GW)"
expect "$OTHER untouched" true "$(credssp_of $OTHER)"

# --- a glob over groups -----------------------------------------------------------
reset_counters $ALL
run_enforcer apply --hosts 'gate*' "$TMP/ds"
expect_rc "apply --hosts 'gate*' (a group)" 0
only "$GW"
expect "$OTHER still untouched" true "$(credssp_of $OTHER)"

# --- no match: nothing attempted ----------------------------------------------------
reset_counters $ALL
run_enforcer apply --hosts 'db*' "$TMP/ds"
expect_rc "no host matches" 1
expect "said so" "enforcer: apply: no host matches 'db*'" "$ERR"
only ""
expect "$OTHER still untouched" true "$(credssp_of $OTHER)"

finish
