# tests/e2e/lib/window.sh: what the window_*.sh tests share (after e2e.sh).
#
#   window_fleet NET        start node1, node2 (hci-nodes) and wac01
#                           (gateways) at NET.1-3; wac01 already delegates
#                           to TERMSRV/wac01.contoso.test
#   window_desired DIR NET  hosts and policies (examples/hci-cluster's) in
#                           DIR, a git work tree
#   git_commit DIR MSG      commit everything in DIR
#   credssp_on HOST         "yes" when any CredSSP role or wsman/ entry is on
#   CD                      the CredentialsDelegation key (ground truth)
#   kill_fleet MAX          start cal (NET.250) and k0..k<MAX-1> (NET.10+i),
#                           one host per killed run (window_*kill.sh)
#   each_k FN               FN i for i from 0 to $M, $BATCH at once, in the
#                           background (waits for those runs only, not for
#                           the simulator)
#   one_host NAME ADDRESS CREDSSP
#                           a desired state in $TMP/NAME for NAME.contoso.test
#                           alone, group nodes, policy credssp: CREDSSP

CD='SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation'
export ENFORCER_PASSWORD='S3cret-pass!'
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "Ops Person"
git config --global user.email ops@contoso.test
git config --global init.defaultBranch main

window_fleet() {
	cat >"$TMP/fleet.yaml" <<YAML
defaults:
  users:
    CONTOSO\svc-enforcer: { password: 'S3cret-pass!', admin: true }
hosts:
  node1.contoso.test: { address: $1.1 }
  node2.contoso.test: { address: $1.2 }
  wac01.contoso.test:
    address: $1.3
    groups:
      # In sync with examples/hci-cluster's gateway policy: hci-admins is
      # a local administrator (WAC's gateway administrators) and the one
      # member of the group WAC's installer creates for CredSSP.
      Administrators:
        members: [Administrator, 'CONTOSO\svc-enforcer', 'CONTOSO\hci-admins']
      Windows Admin Center CredSSP Administrators:
        members: ['CONTOSO\hci-admins']
    registry:
      '$CD':
        AllowFreshCredentials: { type: REG_DWORD, data: 1 }
        ConcatenateDefaults_AllowFresh: { type: REG_DWORD, data: 1 }
      '$CD\AllowFreshCredentials':
        '1': { type: REG_SZ, data: TERMSRV/wac01.contoso.test }
YAML
	fleet_start "$TMP/fleet.yaml"
}

window_desired() {
	mkdir -p "$1"
	cat >"$1/hosts.yaml" <<YAML
hosts:
  node1.contoso.test: { groups: [hci-nodes], address: $2.1 }
  node2.contoso.test: { groups: [hci-nodes], address: $2.2 }
  wac01.contoso.test: { groups: [gateways], address: $2.3 }
connection:
  auth: ntlm
  username: CONTOSO\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
YAML
	cp "$TOP/examples/hci-cluster/policies.yaml" "$1/policies.yaml"
	git -C "$1" init -q
}

git_commit() {
	git -C "$1" add -A && git -C "$1" commit -qm "$2"
}

credssp_on() {
	s=$(sim GET "/hosts/$1/state")
	if printf '%s\n' "$s" | grep -q '^winrm\.\(service\|client\)\.auth\.CredSSP = true' ||
	    printf '%s\n' "$s" | grep -q '^reg\..*AllowFreshCredentials:[0-9]* = REG_SZ wsman/'; then
		echo yes
	else
		echo no
	fi
}

kill_fleet() {
	{
		echo "defaults:"
		echo "  users: { 'CONTOSO\\svc-enforcer': { password: 'S3cret-pass!', admin: true } }"
		echo "hosts:"
		echo "  cal.contoso.test: { address: $NET.250 }"
		i=0
		while [ $i -lt "$1" ]; do
			echo "  k$i.contoso.test: { address: $NET.$((i + 10)) }"
			i=$((i + 1))
		done
	} >"$TMP/fleet.yaml"
	fleet_start "$TMP/fleet.yaml"
}

one_host() {
	mkdir -p "$TMP/$1"
	cat >"$TMP/$1/hosts.yaml" <<YAML
hosts:
  $1.contoso.test: { groups: [nodes], address: $2 }
connection:
  auth: ntlm
  username: CONTOSO\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
policies:
  nodes: { credssp: $3 }
YAML
}

each_k() {
	pids=""
	i=0
	while [ $i -le "$M" ]; do
		$1 $i &
		pids="$pids $!"
		i=$((i + 1))
		if [ $((i % BATCH)) -eq 0 ] || [ $i -gt "$M" ]; then
			for p in $pids; do wait "$p"; done
			pids=""
		fi
	done
}
