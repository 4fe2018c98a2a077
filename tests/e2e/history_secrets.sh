#!/bin/sh
# history_secrets.sh: a run whose inputs carry the password (planted in the
# environment, as a connection's password_env would be) writes it nowhere:
# not in any object of the history repository (git cat-file
# --batch-all-objects), nor in any other file under it (refs, logs, config).
set -u
DRIVER="$TOP/$ENFORCER_BUILD/tests/test_history"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
H="$T/hist"
ENFORCER_TEST_PASSWORD="Pl4nted-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export ENFORCER_TEST_PASSWORD

"$DRIVER" secret "$H" || { echo "history_secrets: driver failed"; exit 1; }
objects=$(git -C "$H" cat-file --batch-all-objects --batch-check | wc -l)
[ "$objects" -gt 0 ] || { echo "history_secrets: no objects"; exit 1; }
if git -C "$H" cat-file --batch-all-objects --batch |
    grep -a -F -q -e "$ENFORCER_TEST_PASSWORD"; then
	echo "history_secrets: the password is in an object"
	exit 1
fi
if grep -a -F -r -q -e "$ENFORCER_TEST_PASSWORD" "$H"; then
	echo "history_secrets: the password is in a file of the repository"
	exit 1
fi
# The run was recorded, with the redaction in place of the password.
git -C "$H" log -1 --format=%B enforcer/history | grep -F -q '[redacted]' || {
	echo "history_secrets: no redacted run recorded"
	exit 1
}
echo "history_secrets: $objects objects, none holds the password"
