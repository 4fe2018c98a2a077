#!/bin/sh
# history_secrets.sh: a run whose inputs carry the password (planted in the
# environment, as a connection's password_env would be) writes it nowhere:
# not in any object of the history repository (git cat-file
# --batch-all-objects), nor in any other file under it (refs, logs, config).
. "$(dirname "$0")/lib/e2e.sh"
unset ENFORCER_HISTORY
DRIVER="$TOP/$ENFORCER_BUILD/tests/test_history"
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
H="$TMP/hist"
ENFORCER_TEST_PASSWORD="Pl4nted-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ENFORCER_TEST_PASSWORD

"$DRIVER" secret "$H" || { fail "driver failed"; finish; }
objects=$(git -C "$H" cat-file --batch-all-objects --batch-check | wc -l)
[ "$objects" -gt 0 ] || fail "no objects"
if git -C "$H" cat-file --batch-all-objects --batch |
    grep -a -F -q -e "$ENFORCER_TEST_PASSWORD"; then
	fail "the password is in an object"
fi
if grep -a -F -r -q -e "$ENFORCER_TEST_PASSWORD" "$H"; then
	fail "the password is in a file of the repository"
fi
# The run was recorded, with the redaction in place of the password.
git -C "$H" log -1 --format=%B enforcer/history | grep -F -q '[redacted]' ||
    fail "no redacted run recorded"
echo "history_secrets: $objects objects checked"
finish
