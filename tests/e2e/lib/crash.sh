# tests/e2e/lib/crash.sh: what the history kill tests share (after e2e.sh
# and converge.sh):
#
#   crash_fleet N   start N hosts node1..N.contoso.test at NET.1..N (Spooler
#                   running) and write their desired state (CredSSP off,
#                   Spooler running) in D=$TMP/desired, a git work tree with
#                   one commit; export what crash.py reads
#
# crash.py, beside this file, is the Python side (ground truth, git, fsck).

# One line per host i of N: FORMAT (printf) with i given twice.
crash_lines() {	# N FORMAT
	i=1
	while [ $i -le "$1" ]; do
		printf "$2\n" $i $i
		i=$((i + 1))
	done
}

crash_fleet() {
	git_home
	{
		echo "$FLEET_DEFAULTS"
		echo "hosts:"
		crash_lines "$1" "  node%d.contoso.test: { address: $NET.%d, services: { Spooler: { state: Running, start_mode: Auto } } }"
	} >"$TMP/fleet.yaml"
	fleet_start "$TMP/fleet.yaml"
	D="$TMP/desired"
	ds_new "$D"
	{
		echo "hosts:"
		crash_lines "$1" "  node%d.contoso.test: { groups: [nodes], address: $NET.%d }"
		cat <<EOF2
policies:
  nodes:
    credssp: { server: disabled, client: disabled }
    service: { Spooler: running }
EOF2
	} >"$D/hosts.yaml"
	git -C "$D" init -q -b main
	git -C "$D" add -A
	git -C "$D" commit -q -m "desired state"
	CRASH_HOSTS=$1
	export D ENFORCER TOP CRASH_HOSTS
}
