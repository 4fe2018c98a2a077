#!/bin/sh
# examples/demo.sh: what `make demo` runs.  Starts a simulated Windows fleet
# (examples/demo/fleet.yaml: two Azure Stack HCI nodes and a Windows Admin
# Center gateway, with drift planted), then runs enforcer's main job
# against it, one step at a time, saying before each step what it does and
# why.  The fleet is stopped however the demo ends.
#
# The demo is a list of steps (STEPS below); each step is a function that
# calls `explain` once and `run` for the commands it shows.  To extend the
# demo, write a step function and add its name to STEPS.
#
# Exits 0 when every step did what it should (each command's exit status
# is checked), 1 otherwise.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
DEMO=$TOP/examples/demo
RUN=$DEMO/run
ENFORCER=$TOP/bin/enforcer
SIM=$TOP/bin/winrm-sim
HOSTS="node1.contoso.test node2.contoso.test wac01.contoso.test"
# The local group Windows Admin Center's installer creates on a gateway,
# whose members may use CredSSP through it.
WAC_CREDSSP='Windows Admin Center CredSSP Administrators'
# The fleet files say 127.0.10.x; the demo serves the hosts on a /24 of its
# own, derived from its process id (as tests/e2e/lib/e2e.sh does), so that
# it never meets a test suite or another demo running on the same machine.
NET=127.$((100 + $$ % 150)).$(($$ / 150 % 250))

STEPS="
step_realm
step_fleet
step_look
step_validate
step_plan
step_apply
step_look_again
step_plan_again
step_history
step_window_open
step_window_end
step_window_history
step_doctor
step_create_cluster
step_doctor_again
step_create_cluster_close
step_restart_winrm
"

REALM=CONTOSO.TEST
KDC_PORT=$((20000 + $$ % 20000))

SIM_PID=
SIM_CTL=
KDC_PID=
NSTEP=0

stop_fleet() {
	for p in $SIM_PID $KDC_PID; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	SIM_PID= KDC_PID=
	rm -rf "$RUN"
}
trap stop_fleet EXIT
trap 'exit 130' HUP INT PIPE TERM

die() {
	echo "demo: $*" >&2
	exit 1
}

# explain TITLE WHY: a step's heading, and one line on what it does and why.
explain() {
	NSTEP=$((NSTEP + 1))
	printf '\n=== %d. %s\n%s\n\n' "$NSTEP" "$1" "$2"
}

# run WANT CMD...: show the command as a person would type it, run it,
# and stop the demo unless it exits WANT.
run() {
	want=$1
	shift
	printf '$ %s\n' "$*"
	case $1 in
	enforcer) shift; "$ENFORCER" "$@" ;;
	*) "$@" ;;
	esac
	rc=$?
	[ "$rc" = "$want" ] || die "step $NSTEP: '$*' exited $rc, expected $want"
}

ctl() {
	"$SIM" ctl "$SIM_CTL" "$@"
}

truth() {	# HOST KEY
	ctl GET "/hosts/$1/get?key=$(printf '%s' "$2" | sed 's/ /%20/g')"
}

# wait_for FILE RE PID ERRFILE: until FILE has a line matching RE (30 s).
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$3" 2>/dev/null; then
			cat "$4" >&2
			return 1
		fi
		sleep 0.1
	done
}

kadmin() {
	kadmin.local -r $REALM -q "$1" >>"$RUN/kdc/kadmin.log" 2>&1 ||
	    die "kadmin.local -q '$1' failed: $(cat "$RUN/kdc/kadmin.log")"
}

# --- steps --------------------------------------------------------------------

step_realm() {
	explain "Start a Kerberos realm" \
"The hosts are domain members: a throwaway MIT KDC for $REALM on $NET.88, each host's HTTP/<name> key (as setspn registers it) and a client keytab for enforcer, as a scheduled run uses."
	PATH=$PATH:/usr/sbin
	for p in krb5kdc kdb5_util kadmin.local; do
		command -v $p >/dev/null || die "$p is missing: make deps"
	done
	K=$RUN/kdc
	mkdir -p "$K" && chmod 700 "$RUN" || die "cannot create $K"
	KRB5_CONFIG=$K/krb5.conf KRB5_KDC_PROFILE=$K/kdc.conf
	# The keytab, not a password: what a timer-started run logs on with.
	KRB5_CLIENT_KTNAME=$K/client.keytab KRB5CCNAME=MEMORY:demo
	export KRB5_CONFIG KRB5_KDC_PROFILE KRB5_CLIENT_KTNAME KRB5CCNAME
	cat >"$KRB5_CONFIG" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
[realms]
	$REALM = {
		kdc = $NET.88:$KDC_PORT
	}
[domain_realm]
	.contoso.test = $REALM
EOF
	cat >"$KRB5_KDC_PROFILE" <<EOF
[kdcdefaults]
	kdc_listen = $NET.88:$KDC_PORT
	kdc_tcp_listen = $NET.88:$KDC_PORT
[realms]
	$REALM = {
		database_name = $K/principal
		key_stash_file = $K/stash
		acl_file = $K/kadm5.acl
	}
[logging]
	kdc = FILE:$K/kdc.log
EOF
	: >"$K/kadm5.acl"
	kdb5_util create -s -r $REALM -P "$(od -An -N12 -tx1 /dev/urandom |
	    tr -d ' \n')" >"$K/create.log" 2>&1 ||
	    die "kdb5_util: $(cat "$K/create.log")"
	printf '$ krb5kdc -r %s   # on %s:%s\n' $REALM $NET.88 $KDC_PORT
	krb5kdc -n -r $REALM >"$K/krb5kdc.out" 2>&1 &
	KDC_PID=$!
	wait_for "$K/kdc.log" "commencing operation" $KDC_PID \
	    "$K/krb5kdc.out" || die "the KDC did not start"
	printf '$ kadmin.local -q "ktadd -k run/kdc/client.keytab svc-enforcer"\n'
	kadmin "addprinc -randkey svc-enforcer"
	kadmin "ktadd -k $K/client.keytab svc-enforcer"
	for h in $HOSTS; do
		printf '$ kadmin.local -q "ktadd -k run/kdc/http.keytab HTTP/%s"\n' $h
		kadmin "addprinc -randkey HTTP/$h"
		kadmin "ktadd -k $K/http.keytab HTTP/$h"
	done
}

step_fleet() {
	explain "Start a simulated fleet" \
"No Windows here: bin/winrm-sim serves 3 hosts over real WinRM (HTTPS, SOAP, WMI, shell) on $NET.1-3."
	# The account's domain password: made up, and never used (Kerberos).
	pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	(umask 077 && sed "s/@PASSWORD@/$pw/; s/127\.0\.10\./$NET./" \
	    "$DEMO/fleet.yaml" >"$RUN/fleet.yaml") || die "cannot write the fleet"
	# The hosts accept Kerberos with their keys from the realm.
	printf '$ KRB5_KTNAME=run/kdc/http.keytab winrm-sim --fleet run/fleet.yaml --ca-out run/ca.pem &\n'
	KRB5_KTNAME="FILE:$RUN/kdc/http.keytab" "$SIM" --fleet \
	    "$RUN/fleet.yaml" --ca-out "$RUN/ca.pem" --control 127.0.0.1:0 \
	    >"$RUN/sim.out" 2>"$RUN/sim.err" &
	SIM_PID=$!
	wait_for "$RUN/sim.out" '^fleet ready' $SIM_PID "$RUN/sim.err" ||
	    die "the simulator did not start"
	SIM_CTL=$(sed -n 's/^control //p' "$RUN/sim.out")
	sed -n 's/^ready /  ready: /p' "$RUN/sim.out"
	# The infra team's repository: the demo's desired state committed to
	# a fresh git repository, which also holds the run history (branch
	# enforcer/history) and the windows opened below.
	cp -RL desired "$RUN/desired" &&
	    sed -i "s/127\.0\.10\./$NET./" "$RUN/desired/hosts.yaml" &&
	    git -C "$RUN/desired" init -q &&
	    git -C "$RUN/desired" add -A && git -C "$RUN/desired" \
	    -c user.name=infra -c user.email=infra@contoso.test \
	    commit -qm "desired state of the HCI cluster" ||
	    die "cannot make the desired-state repository"
	printf '$ git init run/desired && git commit   # the desired state, as the team commits it\n'
}

# What the hosts themselves say, read from the simulator's ground truth
# (its control interface), not from enforcer.
show_hosts() {
	f='  %-20s %-15s %-30s %-15s %-26s %s\n'
	printf "$f" host "CredSSP server" "listener certificate" \
	    "hci-admins is" "WAC CredSSP Administrators" "fail-safe task"
	for h in $HOSTS; do
		t=$(truth $h 'listener.HTTPS.*.CertificateThumbprint')
		e=$(truth $h "cert.$t.not_after" | cut -c1-10)
		# Gateway administrators of WAC: the local Administrators.
		case ",$(truth $h 'group.Administrators.members')," in
		*',CONTOSO\hci-admins,'*) a="an admin" ;;
		*) a="not an admin" ;;
		esac
		if g=$(truth $h "group.$WAC_CREDSSP.members" 2>/dev/null); then
			g=${g:-(empty)}
		else
			g="(no such group)"
		fi
		fs=$(ctl GET "/hosts/$h/state" | sed -n \
		    's/^task\.\\enforcer\\\(failsafe-[^.]*\)\.trigger = /\1 at /p')
		printf "$f" $h "$(truth $h winrm.service.auth.CredSSP)" \
		    "$(echo "$t" | cut -c1-8)... until $e" "$a" "$g" "${fs:--}"
	done
}

step_look() {
	explain "Look at the hosts" \
"As left after building the cluster: CredSSP on, node2's certificate expiring, on wac01 hci-admins neither an admin (WAC gateway administrator) nor in WAC's CredSSP group, where alice was left."
	show_hosts
}

step_validate() {
	explain "Validate the desired state" \
"run/desired is examples/hci-cluster's policies and the demo's addresses: check it before touching any host."
	run 0 enforcer validate run/desired
}

step_plan() {
	explain "Plan" \
"Read every host, list each difference and the policy asking for it; change nothing (exit 2: changes pending)."
	run 2 enforcer plan run/desired
}

step_apply() {
	explain "Apply" \
"Make the changes, the ones that may cut enforcer's own connection last, and re-read each host to verify."
	run 0 enforcer apply run/desired
}

step_look_again() {
	explain "Look at the hosts again" \
"The hosts' own state, not enforcer's report: CredSSP off, node2 on its renewed certificate, hci-admins an admin on wac01 and the only member of WAC's CredSSP group."
	show_hosts
}

step_plan_again() {
	explain "Plan again" \
"Every host matches the desired state now: nothing to do (exit 0); run from a timer, enforcer keeps it so."
	run 0 enforcer plan run/desired
}

step_history() {
	explain "History" \
"Every apply is a commit on branch enforcer/history: what was observed, changed and verified, one file per host."
	run 0 enforcer history --changes run/desired
	run 0 git -C run/desired log --format='%h %s' enforcer/history
}

step_window_open() {
	explain "Open a CredSSP window" \
"The Create Cluster wizard needs CredSSP for 2h: the window is committed, each node's fail-safe task armed, then CredSSP turned on."
	run 0 enforcer window open create-cluster --for 2h --hosts hci-nodes \
	    --set credssp.server=enabled --reason "Create cluster wizard (CHG-1234)" \
	    run/desired
	show_hosts
	run 0 enforcer window list run/desired
}

step_window_end() {
	LATER=$(date -u -d '+2 hours 5 minutes' +%Y-%m-%dT%H:%M:%SZ)
	explain "Two hours later" \
"The fleet's clocks pass the window's end; the next scheduled apply (here --at that instant) reverts CredSSP and removes the tasks."
	run 0 ctl POST /clock "set=$LATER"
	run 0 enforcer apply --at "$LATER" run/desired
	show_hosts
	run 0 enforcer window list --check --at "$LATER" run/desired
}

step_window_history() {
	explain "The window's history" \
"Opening, applying and reverting the window are all in git: who turned CredSSP on, when, why, and when it went off."
	run 0 enforcer history --changes --host node1.contoso.test run/desired
}

# The guide's story (docs: the CredSSP troubleshooting guide): after the
# fleet's clocks moved two hours on (step_window_end), these steps act at
# that instant too (--at), so that the windows' fail-safes and the hosts'
# clocks agree.

step_doctor() {
	explain "The delegation error, diagnosed" \
"WAC says 'A computer policy does not allow the delegation of the user credentials to the target computer': doctor reads wac01 and node1 and names each broken link with its fix (exit 2)."
	run 2 enforcer doctor --gateway wac01 --node node1.contoso.test \
	    run/desired
}

step_create_cluster() {
	explain "The Create Cluster window, in one command" \
"A preset: on wac01 the client role delegating to exactly the nodes, on the nodes the server role; every host's fail-safe armed before anything is on."
	run 0 enforcer window open create-cluster-wizard --gateway wac01 \
	    --nodes hci-nodes --for 2h --reason "Create cluster wizard (CHG-1234)" \
	    --at "$LATER" run/desired
	show_hosts
	printf '  wac01 client role: %s, delegates to: %s\n' \
	    "$(truth wac01.contoso.test winrm.client.auth.CredSSP)" \
	    "$(ctl GET /hosts/wac01.contoso.test/state | sed -n \
	    's/^reg\..*\\AllowFreshCredentials:[0-9]* = REG_SZ \(wsman\/.*\)/\1/p' |
	    tr '\n' ' ')"
}

step_doctor_again() {
	explain "Diagnosed again" \
"With the window open the chain from wac01 to node1 is sound (exit 0)."
	run 0 enforcer doctor --gateway wac01 --node node1.contoso.test \
	    run/desired
}

step_create_cluster_close() {
	CLOSE=$(date -u -d '+2 hours 10 minutes' +%Y-%m-%dT%H:%M:%SZ)
	explain "The cluster is built: close the window" \
"window close reverts every host together: roles off, delegation entries and fail-safes gone."
	run 0 ctl POST /clock "set=$CLOSE"
	run 0 enforcer window close create-cluster-wizard --at "$CLOSE" \
	    run/desired
	show_hosts
}

step_restart_winrm() {
	explain "Restart WinRM on the cluster servers" \
"The guide's last tip: each node restarts its own WinRM from a one-shot SYSTEM task; enforcer waits until each answers again (--yes: more than one host)."
	run 0 enforcer restart-winrm --hosts hci-nodes --yes run/desired
}

# --- main -----------------------------------------------------------------------

[ -x "$ENFORCER" ] && [ -x "$SIM" ] || die "build first: make"
# Paths in the steps (desired, run/ca.pem) are relative to examples/demo.
cd "$DEMO" || die "cannot enter $DEMO"
for s in $STEPS; do
	$s
done
printf '\ndemo: done (%d steps)\n' "$NSTEP"
