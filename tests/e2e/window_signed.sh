#!/bin/sh
# window_signed.sh: the window verbs under the rules of the desired state
# (issue 14, item 6).  A deployment reads a bare repository's main with
# --require-signed; window open --repo/--ref with that keyring:
#  - unsigned (no --sign) is refused before anything is written: the
#    branch does not move and CredSSP stays off;
#  - signed with a key the keyring does not hold is refused the same way;
#  - signed with the operator's key (--sign) is committed on the branch,
#    which a signed-only plan reads, and applied (ground truth);
#  - close commits signed too, pulls the fail-safe forward and reverts;
#  - the same with PATH, a work tree: signed in place, or refused.
. "$TOP/tests/e2e/lib/e2e.sh"
. "$TOP/tests/e2e/lib/window.sh"

export GNUPGHOME="$TMP/gnupg"
mkdir -p "$GNUPGHOME"
chmod 700 "$GNUPGHOME"
trap 'gpgconf --kill gpg-agent 2>/dev/null; cleanup' EXIT INT TERM

window_fleet $NET
window_desired "$TMP/ds" $NET
key() {	# NAME: a new signing key's fingerprint
	gpg --batch --passphrase '' --quick-gen-key "$1 <$1@contoso.test>" \
	    ed25519 sign 1d >/dev/null 2>&1 || { fail "gpg cannot make a key"; finish; }
	gpg --list-keys --with-colons "$1@contoso.test" 2>/dev/null |
	    sed -n 's/^fpr:*\([0-9A-F]*\):$/\1/p' | head -1
}
ops=$(key ops)
other=$(key mallory)
gpg --export "$ops" >"$TMP/keyring.gpg"
git -C "$TMP/ds" add -A
git -C "$TMP/ds" -c user.signingkey="$ops" commit -q -S -m "policies" 2>/dev/null
B="$TMP/desired.git"
git clone -q --bare "$TMP/ds" "$B"
tip() { git -C "$B" rev-parse main; }
base=$(tip)
run_enforcer plan --repo "$B" --ref main --require-signed "$TMP/keyring.gpg"
expect "the deployment reads the signed main" 0 "$RC"

open() {	# open w with the deployment's source and options $@
	run_enforcer window open w --for 1h --hosts hci-nodes \
	    --set credssp.server=enabled --reason "wizard" \
	    --repo "$B" --ref main --require-signed "$TMP/keyring.gpg" "$@"
}
open
expect "unsigned where signed is required: exit" 1 "$RC"
expect_match "... saying so" \
    "enforcer: window open: --require-signed .*keyring.gpg: the window would be committed unsigned, which that keyring refuses: give --sign KEYID" "$ERR"
expect "... the branch did not move" "$base" "$(tip)"
expect "... CredSSP untouched" no "$(credssp_on node1.contoso.test)"

open --sign "$other"
expect "signed by a key outside the keyring: exit" 1 "$RC"
expect_match "... saying so" "the window's commit would be refused by --require-signed.*not in keyring" "$ERR"
expect "... the branch did not move" "$base" "$(tip)"
expect "... CredSSP untouched" no "$(credssp_on node1.contoso.test)"

open --sign "$ops"
expect "signed by the operator's key: exit" 0 "$RC"
expect_match "... committed" "^committed [0-9a-f]\{7\}: window open w: wizard$" "$OUT"
expect "... on main, on top of what was read" "$base" "$(git -C "$B" rev-parse main^)"
expect "... the window alone" "windows/w.yaml" \
    "$(git -C "$B" show --name-only --format= main)"
expect "... applied: node1 CredSSP on" yes "$(credssp_on node1.contoso.test)"
expect_match "... armed first" "failsafe-w.trigger" \
    "$(sim GET /hosts/node1.contoso.test/state)"
run_enforcer plan --repo "$B" --ref main --require-signed "$TMP/keyring.gpg"
expect "a signed-only plan reads the window, in sync" 0 "$RC"

run_enforcer window close w --reason done --repo "$B" --ref main \
    --require-signed "$TMP/keyring.gpg" --sign "$ops"
expect "close, signed: exit" 0 "$RC"
expect_match "... committed" "window close w: ended early at" "$OUT"
expect_match "... the fail-safe pulled forward first" \
    "failsafe.tasks.w: .* -> .*fail-safe pulled forward to" "$OUT"
expect "... CredSSP off" no "$(credssp_on node1.contoso.test)"
run_enforcer plan --repo "$B" --ref main --require-signed "$TMP/keyring.gpg"
expect "the signed-only plan reads the close, in sync" 0 "$RC"

# A work tree (PATH): the same rules, the commit signed in place.
W="$TMP/ds"
wopen() {
	run_enforcer window open v --for 1h --hosts hci-nodes \
	    --set credssp.server=enabled --reason r \
	    --require-signed "$TMP/keyring.gpg" "$@" "$W"
}
wbase=$(git -C "$W" rev-parse HEAD)
wopen
expect "PATH, unsigned where signed is required: exit" 1 "$RC"
expect_match "... saying so" "the window would be committed unsigned" "$ERR"
expect "... HEAD did not move" "$wbase" "$(git -C "$W" rev-parse HEAD)"
expect "... no file left" no "$([ -e "$W/windows/v.yaml" ] && echo yes || echo no)"
wopen --sign "$other"
expect "PATH, a key outside the keyring: exit" 1 "$RC"
expect "... HEAD did not move" "$wbase" "$(git -C "$W" rev-parse HEAD)"
wopen --sign "$ops"
expect "PATH, signed by the operator's key: exit" 0 "$RC"
expect "... on top of HEAD" "$wbase" "$(git -C "$W" rev-parse HEAD^)"
expect "... the work tree clean" "" "$(git -C "$W" status --porcelain)"
expect "... applied" yes "$(credssp_on node1.contoso.test)"
run_enforcer plan --repo "$W" --ref main --require-signed "$TMP/keyring.gpg"
expect "... a signed-only plan of its branch reads it, in sync" 0 "$RC"
run_enforcer window close v --require-signed "$TMP/keyring.gpg" --sign "$ops" "$W"
expect "PATH, close signed: exit" 0 "$RC"
expect "... CredSSP off" no "$(credssp_on node1.contoso.test)"

# Files are named as plan --repo names them, not by the private copy.
open --sign "$ops"
expect_match "an existing window named in the branch" \
    "window 'w' already exists (at main:windows/w.yaml:3)" "$ERR"

# The same rules as plan and apply for the source itself.
git -C "$B" tag v1 main
run_enforcer window open u --for 1h --hosts hci-nodes --set credssp.server=enabled \
    --reason r --repo "$B" --ref v1
expect_match "a tag is not a branch" "--ref 'v1' is not a branch" "$ERR"
run_enforcer window open u --for 1h --hosts hci-nodes --set credssp.server=enabled \
    --reason r --repo "$W" --ref main
expect_match "a checked-out branch: its work tree instead" \
    "branch 'main' is checked out: give its work tree as PATH" "$ERR"
run_enforcer window open u --for 1h --hosts hci-nodes --set credssp.server=enabled \
    --reason r --ref main "$W"
expect_match "--ref without --repo" "--ref goes with --repo" "$ERR"
finish
