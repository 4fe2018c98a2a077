#!/bin/sh
# states_local_group.sh: the local_group module against the simulator
# (on $NET), members compared by SID (docs/windows-behaviour.md#local-
# groups-through-wmi).
#  - in en-US, de-DE, fr-FR and ja-JP (built-in group names and net.exe's
#    texts localised): a missing member added; with exclusive, an extra
#    member removed; without, others' members kept; plans show the name
#    as the host spells it with its SID; drift repaired
#  - on a German host: Administrators named by its SID, exclusive, one
#    account written in several forms (.\name, HOST\name, name;
#    DOMAIN\name, name@dns.domain), a non-ASCII member and an orphaned
#    SID: ends with exactly its members, no removal of a listed account,
#    and a second apply sends no write
#  - an unknown account: apply fails the host (exit 3) with a clear error
#    naming host and account, and the group is unchanged
#  - a missing group: the host fails at read (exit 3), naming host and group
#  - the desired accounts are looked up with the groups when every one is
#    a SID or DOMAIN\name, after them when one needs the host's NetBIOS
#    name or domains (.\name, name, a UPN): the order the simulator's
#    trace shows; a second round of two reads waits for the one
#    logged-on connection rather than open another
#  - the members asked with the groups, by the WMI key the last run
#    recorded (each query on a connection of its own, opened at once:
#    none waited for a reply); a group renamed since, with another group
#    now under its old name: the guess is dropped, the members read
#    again by the group's new key, and the plan shows the renamed
#    group's true members
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

UNK=unk.contoso.test
NOGRP=nogrp.contoso.test
DE=admins-de.contoso.test
BARE=bare.contoso.test
GA='Gateway Administrators'
ORPHAN=S-1-5-21-1111111111-2222222222-3333333333-1500
JU=$(printf 'CONTOSO\\j\303\274rgen')	# CONTOSO\jürgen, UTF-8
LANGS='en-US de-DE fr-FR ja-JP'

# Remote Management Users as each language names it (lang.c).
rmu() {
	case $1 in
	de-DE) echo Remoteverwaltungsbenutzer ;;
	fr-FR) printf 'Utilisateurs de gestion \303\240 distance\n' ;;
	*) echo 'Remote Management Users' ;;
	esac
}

# A member as plans show it: the host's spelling and its SID (of the
# simulator's account ACCOUNT, when the host spells it otherwise).
as_host() {
	printf '%s (%s)\n' "$2" "$(truth "$1" "account.${3:-$2}.sid")"
}

fleet_hosts() {
	i=1
	for l in $LANGS; do
		cat <<EOF
  gw-$l.contoso.test:
    address: $NET.$i
    language: $l
    accounts: ['CONTOSO\\alice', 'CONTOSO\\hci-admins']
    groups:
      $GA: { members: ['CONTOSO\\bob'] }
      $(rmu $l): { members: ['CONTOSO\\carol'] }
EOF
		i=$((i + 1))
	done
}

desired_hosts() {
	i=1
	for l in $LANGS; do
		echo "  gw-$l.contoso.test: { address: $NET.$i }"
		i=$((i + 1))
	done
}

desired_policies() {
	for l in $LANGS; do
		cat <<EOF
  gw-$l.contoso.test:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins', 'CONTOSO\\alice'], exclusive: true }
      $(rmu $l): { members: ['CONTOSO\\svc-enforcer'] }
EOF
	done
}

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
$(fleet_hosts)
  $UNK:
    address: $NET.20
    groups:
      $GA: { members: ['CONTOSO\\bob'] }
  $NOGRP:
    address: $NET.21
  $BARE:
    address: $NET.23
    users: { admin: { password: 'x-Pa55w.rd', admin: true } }
    groups:
      $GA: { members: ['admin'] }
  $DE:
    address: $NET.22
    language: de-DE
    users: { admin: { password: 'x-Pa55w.rd', admin: true } }
    accounts: ['CONTOSO\\alice', '$JU']
    groups:
      Administratoren: { members: ['Administrator', 'CONTOSO\\svc-enforcer',
        'admin', 'CONTOSO\\bob', '$ORPHAN'] }
EOF
fleet_start "$TMP/fleet.yaml" --ca-out "$TMP/ca.pem" --trace "$TMP/trace"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
$(desired_hosts)
  $UNK: { address: $NET.20 }
  $NOGRP: { address: $NET.21 }
  $DE: { address: $NET.22 }
  $BARE: { address: $NET.23 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
$(desired_policies)
  $UNK:
    local_group:
      $GA: { members: ['CONTOSO\\nobody'] }
  $NOGRP:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins'] }
  $BARE:
    local_group:
      $GA: { members: [admin] }
  $DE:
    local_group:
      S-1-5-32-544:
        members: ['CONTOSO\\svc-enforcer', '.\\admin', 'ADMINS-DE\\admin',
          admin, 'CONTOSO\\alice', alice@contoso.test, '$JU']
        exclusive: true
EOF

# --- in each language: members added, extra removed with exclusive ----------
scenario() {
	GW=gw-$1.contoso.test
	RMU=$(rmu "$1")
	echo "# $1"
	run_enforcer plan --hosts $GW "$TMP/ds"
	expect_rc "$1: plan shows the drift" 2
	expect_line "$1: missing member" "  + local_group.$GA.members: $(as_host $GW 'CONTOSO\hci-admins')   (policy $GW)"
	expect_line "$1: second missing member" "  + local_group.$GA.members: $(as_host $GW 'CONTOSO\alice')   (policy $GW)"
	expect_line "$1: extra member (exclusive)" "  - local_group.$GA.members: $(as_host $GW 'CONTOSO\bob')   (policy $GW)"
	expect_line "$1: missing member, not exclusive" "  + local_group.$RMU.members: $(as_host $GW 'CONTOSO\svc-enforcer')   (policy $GW)"
	expect_match "$1: not exclusive: nobody removed" "4 changes" "$OUT"

	run_enforcer apply --hosts $GW "$TMP/ds"
	expect_rc "$1: apply fixes it" 0
	expect "$1: exclusive group: exactly the listed members" \
	    'CONTOSO\hci-admins,CONTOSO\alice' "$(truth $GW "group.$GA.members")"
	expect "$1: other group: member added, others kept" \
	    'CONTOSO\carol,CONTOSO\svc-enforcer' "$(truth $GW "group.$RMU.members")"
	NOOP_ARGS="--hosts $GW" expect_noop "$TMP/ds" $GW

	# Drift out of band: someone adds a member back; the next apply
	# removes it.
	sim_ok POST "/hosts/$GW/cmd" "net localgroup \"$GA\" \"CONTOSO\\bob\" /add" >/dev/null
	expect "$1: drift planted" 'CONTOSO\hci-admins,CONTOSO\alice,CONTOSO\bob' \
	    "$(truth $GW "group.$GA.members")"
	run_enforcer plan --hosts $GW "$TMP/ds"
	expect_rc "$1: plan sees the drift" 2
	expect_line "$1: drift line" "  - local_group.$GA.members: $(as_host $GW 'CONTOSO\bob')   (drift: changed outside enforcer; policy $GW)"
	run_enforcer apply --hosts $GW "$TMP/ds"
	expect_rc "$1: apply removes it" 0
	expect "$1: drift repaired" 'CONTOSO\hci-admins,CONTOSO\alice' \
	    "$(truth $GW "group.$GA.members")"
}

for l in $LANGS; do
	scenario $l
done

# --- Administrators by SID on a German host, every name form ------------------
P="local_group.S-1-5-32-544.members"
run_enforcer plan --hosts $DE "$TMP/ds"
expect_rc "by SID: plan shows the drift" 2
expect_line "by SID: the built-in Administrator removed" "  - $P: $(as_host $DE 'ADMINS-DE\Administrator' Administrator)   (policy $DE)"
expect_line "by SID: an unlisted domain account removed" "  - $P: $(as_host $DE 'CONTOSO\bob')   (policy $DE)"
expect_line "by SID: the orphaned SID shown, removed" "  - $P: $ORPHAN   (policy $DE)"
expect_line "by SID: a missing account added once, as the host spells it" "  + $P: $(as_host $DE 'CONTOSO\alice')   (policy $DE)"
expect_line "by SID: a non-ASCII account added" "  + $P: $(as_host $DE "$JU")   (policy $DE)"
expect_match "by SID: no removal of admin in any form, alice added once" "5 changes" "$OUT"
run_enforcer apply --hosts $DE "$TMP/ds"
expect_rc "by SID: apply fixes it" 0
expect "by SID: Administratoren holds exactly its members" \
    "CONTOSO\\svc-enforcer,admin,CONTOSO\\alice,$JU" \
    "$(truth $DE "group.Administratoren.members")"
NOOP_ARGS="--hosts $DE" expect_noop "$TMP/ds" $DE

# --- the accounts: with the groups when nothing depends on them ---------------
# queries MARK HOST: HOST's WQL queries after trace line MARK, in order:
# "accounts" (Win32_Account) or "members" (ASSOCIATORS OF a group).
queries() {
	tail -n +$(($1 + 1)) "$TMP/trace" | awk -v h="$2" \
	    '$2 == h && $3 == "Enumerate" && $4 == "*" { print $5 }' |
	while read -r b; do
		case $(echo "$b" | base64 -d) in
		*Win32_Account*) echo accounts ;;
		*"ASSOCIATORS OF"*) echo members ;;
		esac
	done | tr '\n' ' '
}
mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts gw-en-US.contoso.test --connections 1 "$TMP/ds"
expect_rc "domain-qualified members: in sync" 0
expect "domain-qualified members: the accounts with the groups, then the members" \
    "accounts members members " "$(queries "$mark" gw-en-US.contoso.test)"
mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts $DE --connections 1 "$TMP/ds"
expect_rc "host-relative spellings: in sync" 0
expect "host-relative spellings (dot, bare, UPN): the accounts after the groups" \
    "members accounts " "$(queries "$mark" $DE)"

# One group, a bare name: the second round's two queries (members,
# accounts) wait for the connection the first logged on rather than open
# another (transport.c, pick_slot()).
reset_counters $BARE
run_enforcer plan --hosts $BARE "$TMP/ds"
expect_rc "bare name: in sync" 0
expect "bare name: every read on one connection" 1 \
    "$(host_counter $BARE connections)"

# --- the members with the groups, by the key the last run recorded -------------
# The apply above recorded each group's domain and name: a plan asks for
# the members in the first round, next to the groups, the accounts and
# nothing else.  In a second round they would wait for a connection the
# first logged on (above): here every query has a connection of its own.
GW=gw-en-US.contoso.test
reset_counters $GW
mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts $GW "$TMP/ds"
expect_rc "recorded key: in sync" 0
expect "recorded key: the accounts and both groups' members, once each" \
    "accounts members members " \
    "$(queries "$mark" $GW | tr ' ' '\n' | sort | sed '/^$/d' | tr '\n' ' ')"
expect "recorded key: four requests (the groups, the accounts, two groups' members)" \
    4 "$(host_counter $GW requests)"
expect "recorded key: each on a connection opened at once, none waited for a reply" \
    4 "$(host_counter $GW connections)"

# Administratoren (S-1-5-32-544) renamed; a new group takes its old name
# with exactly the desired members.  Trusting the record would read the
# impostor's members and call the host in sync.
ADM=$(truth $DE "group.Administratoren.members")
sim_ok POST "/hosts/$DE/set" "group.Administratoren =
group.Admins-Neu.sid = S-1-5-32-544
group.Admins-Neu.members = $(echo "$ADM" | sed 's/,CONTOSO\\alice//')
group.Administratoren.sid = S-1-5-21-1111111111-2222222222-3333333333-1600
group.Administratoren.members = $ADM" >/dev/null
expect "renamed: the renamed group lacks alice" \
    "$(echo "$ADM" | sed 's/,CONTOSO\\alice//')" \
    "$(truth $DE "group.Admins-Neu.members")"
mark=$(wc -l <"$TMP/trace")
run_enforcer plan --hosts $DE "$TMP/ds"
expect_rc "renamed: plan shows the drift" 2
expect_line "renamed: the renamed group's missing member" \
    "  + $P: $(as_host $DE 'CONTOSO\alice')   (drift: changed outside enforcer; policy $DE)"
expect_match "renamed: that one change" "1 change" "$OUT"
expect "renamed: the members asked by the recorded key, then by the new one" \
    "members members " \
    "$(queries "$mark" $DE | tr ' ' '\n' | grep members | tr '\n' ' ')"

# --- unknown account ------------------------------------------------------------
run_enforcer apply --hosts $UNK "$TMP/ds"
expect_rc "unknown account fails the host" 3
expect_line "the change says why" \
    "      failed: $UNK: local_group: unknown account 'CONTOSO\\nobody'"
expect_line_re "summary names host and account" \
    "failed: $UNK: local_group\\.$GA\\.members: .*unknown account 'CONTOSO\\\\nobody'"
expect "group unchanged" 'CONTOSO\bob' "$(truth $UNK "group.$GA.members")"

# --- missing group -----------------------------------------------------------------
reset_counters $NOGRP
run_enforcer apply --hosts $NOGRP "$TMP/ds"
expect_rc "missing group fails the host" 3
expect_line "summary names host and group" \
    "failed: $NOGRP: local_group: group '$GA' does not exist"
expect "nothing written" 0 "$(writes $NOGRP)"
absent "no group created" $NOGRP "group.$GA.members"

finish
