#!/bin/sh
# history_commits.sh: the commits one apply writes to the history when it
# repairs drift on 100 hosts (CredSSP turned on out of band on each): its
# intent commits (before the first write to a host) and the rest.  Then a
# second apply that finds nothing writes none.  Figures only.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/converge.sh"
. "$TOP/tests/e2e/lib/crash.sh"

N=100
crash_fleet $N
count() {	# [--grep=...]
	git -C "$D" rev-list --count "$@" enforcer/history 2>/dev/null || echo 0
}
run_enforcer apply "$D"
before=$(count)
i=1
while [ $i -le $N ]; do
	sim POST "/hosts/node$i.contoso.test/set" \
	    "winrm.service.auth.CredSSP = true" >/dev/null
	i=$((i + 1))
done
run_enforcer apply "$D"
rc=$RC
all=$(( $(count) - before ))
intent=$(git -C "$D" rev-list --count --grep='^Record: intent' \
    "$(git -C "$D" rev-parse enforcer/history)" "^$(git -C "$D" rev-parse \
    "enforcer/history~$all")")
run_enforcer apply "$D"
again=$(( $(count) - before - all ))
echo "apply repairing drift on $N hosts (exit $rc): $all commits, $intent of them intent commits; a second apply: $again"
fleet_stop
