#!/bin/sh
# states_local_group.sh: the local_group module against the simulator
# (on $NET).
#  - a missing member added; with exclusive, an extra member removed;
#    without, others' members kept
#  - an unknown account: apply fails the host (exit 3) with a clear error
#    naming host and account, and the group is unchanged
#  - a missing group: the host fails at read (exit 3), naming host and group
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

GW=gw.contoso.test
UNK=unk.contoso.test
NOGRP=nogrp.contoso.test
GA='Gateway Administrators'
RMU='Remote Management Users'

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $GW:
    address: $NET.1
    accounts: ['CONTOSO\\alice', 'CONTOSO\\hci-admins']
    groups:
      $GA: { members: ['CONTOSO\\bob'] }
      $RMU: { members: ['CONTOSO\\carol'] }
  $UNK:
    address: $NET.2
    groups:
      $GA: { members: ['CONTOSO\\bob'] }
  $NOGRP:
    address: $NET.3
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $GW: { address: $NET.1 }
  $UNK: { address: $NET.2 }
  $NOGRP: { address: $NET.3 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  $GW:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins', 'CONTOSO\\alice'], exclusive: true }
      $RMU: { members: ['CONTOSO\\svc-enforcer'] }
  $UNK:
    local_group:
      $GA: { members: ['CONTOSO\\nobody'] }
  $NOGRP:
    local_group:
      $GA: { members: ['CONTOSO\\hci-admins'] }
EOF

# --- members added, extra removed with exclusive ------------------------------
run_enforcer plan --hosts $GW "$TMP/ds"
expect_rc "plan shows the drift" 2
expect_line "missing member" \
    "  + local_group.$GA.members: CONTOSO\\hci-admins   (policy $GW)"
expect_line "second missing member" \
    "  + local_group.$GA.members: CONTOSO\\alice   (policy $GW)"
expect_line "extra member (exclusive)" \
    "  - local_group.$GA.members: CONTOSO\\bob   (policy $GW)"
expect_line "missing member, not exclusive" \
    "  + local_group.$RMU.members: CONTOSO\\svc-enforcer   (policy $GW)"
expect_match "not exclusive: nobody removed" "4 changes" "$OUT"

run_enforcer apply --hosts $GW "$TMP/ds"
expect_rc "apply fixes it" 0
expect "exclusive group: exactly the listed members" \
    'CONTOSO\hci-admins,CONTOSO\alice' "$(truth $GW "group.$GA.members")"
expect "other group: member added, others kept" \
    'CONTOSO\carol,CONTOSO\svc-enforcer' "$(truth $GW "group.$RMU.members")"
NOOP_ARGS="--hosts $GW" expect_noop "$TMP/ds" $GW

# Drift out of band: someone adds a member back; the next apply removes it.
sim_ok POST "/hosts/$GW/cmd" "net localgroup \"$GA\" \"CONTOSO\\bob\" /add" >/dev/null
expect "drift planted" 'CONTOSO\hci-admins,CONTOSO\alice,CONTOSO\bob' \
    "$(truth $GW "group.$GA.members")"
run_enforcer plan --hosts $GW "$TMP/ds"
expect_rc "plan sees the drift" 2
expect_line "drift line" "  - local_group.$GA.members: CONTOSO\\bob   (drift: changed outside enforcer; policy $GW)"
run_enforcer apply --hosts $GW "$TMP/ds"
expect_rc "apply removes it" 0
expect "drift repaired" 'CONTOSO\hci-admins,CONTOSO\alice' \
    "$(truth $GW "group.$GA.members")"

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
