#!/bin/sh
# gitref.sh: plan|apply --repo PATH_OR_URL --ref REF read the desired state
# of one commit, without a work tree:
#  - plan --repo R --ref vN plans exactly what the files of vN say: the same
#    output and exit status as a plan of those files checked out, for two
#    versions, whatever R's work tree holds;
#  - apply --repo R --ref v1 applies v1 (ground truth) and records the
#    commit id in a Desired-Commit trailer;
#  - a URL (file://) is cloned into --cache and needs --history;
#  - --require-signed refuses an unsigned commit and reads a signed one.
. "$(dirname "$0")/lib/e2e.sh"

git_home
export GNUPGHOME="$TMP/gnupg"
mkdir -p "$GNUPGHOME"
chmod 700 "$GNUPGHOME"
# gpg starts an agent for the test key: stop it with the rest.
trap 'gpgconf --kill gpg-agent 2>/dev/null; cleanup' EXIT INT TERM
export ENFORCER_PASSWORD="Gitref-pw-1"

cat >"$TMP/fleet.yaml" <<EOF
defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: '$ENFORCER_PASSWORD', admin: true } }
  services: { Spooler: { state: Stopped, start_mode: Auto } }
hosts:
  node1.contoso.test: { address: $NET.1, winrm: { service: { auth: { CredSSP: true } } } }
  node2.contoso.test: { address: $NET.2 }
EOF
fleet_start "$TMP/fleet.yaml"

R="$TMP/desired"
mkdir -p "$R/policies"
cat >"$R/hosts.yaml" <<EOF
hosts:
  node1.contoso.test: { groups: [nodes], address: $NET.1 }
  node2.contoso.test: { groups: [nodes], address: $NET.2 }
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
EOF
cat >"$R/policies/nodes.yaml" <<EOF
policies:
  nodes:
    credssp: { server: disabled }
EOF
g() {
	git -C "$R" "$@"
}
g init -q -b main
g add -A
g commit -q -m "v1: CredSSP off"
g tag v1
cat >"$R/policies/nodes.yaml" <<EOF
policies:
  nodes:
    credssp: { server: disabled }
    service: { Spooler: running }
EOF
g commit -q -a -m "v2: print spooler on"
g tag v2
# The work tree says something else again: --ref must not read it.
cat >"$R/policies/nodes.yaml" <<EOF
policies:
  nodes:
    credssp: { server: enabled }
EOF

checkout() {	# REF DIR: the files of REF, as a plain directory
	mkdir -p "$2"
	g archive "$1" | tar -x -C "$2"
}

for v in v1 v2; do
	checkout "$v" "$TMP/$v"
	run_enforcer plan "$TMP/$v"
	want_rc=$RC
	printf '%s\n' "$OUT" >"$TMP/$v.want"
	run_enforcer plan --repo "$R" --ref "$v"
	printf '%s\n' "$OUT" >"$TMP/$v.got"
	expect "plan --ref $v: exit status as its files'" "$want_rc" "$RC"
	if cmp -s "$TMP/$v.want" "$TMP/$v.got"; then
		echo "ok: plan --ref $v plans exactly what $v's files say"
	else
		fail "plan --ref $v differs from a plan of $v's files"
		diff "$TMP/$v.want" "$TMP/$v.got" >&2
	fi
done
expect "v1 plans one change" 1 "$(grep -c '^  ~' "$TMP/v1.got")"
expect "v2 plans two changes" 2 "$(grep -c '^  ~ service' "$TMP/v2.got")"
expect "the work tree's version was not read" 0 \
    "$(grep -c 'false -> true' "$TMP/v2.got")"

# --- apply a ref: ground truth and Desired-Commit --------------------------
run_enforcer apply --repo "$R" --ref v1
expect "apply --ref v1 exits 0" 0 "$RC"
expect "v1 applied: CredSSP off" false \
    "$(truth node1.contoso.test winrm.service.auth.CredSSP)"
expect "v1 applied: the spooler is not v1's business" Stopped \
    "$(truth node1.contoso.test service.Spooler.state)"
msg=$(g log -1 --format=%B enforcer/history)
expect_match "Desired-Commit is v1's id" \
    "^Desired-Commit: $(g rev-parse v1^{commit})$" "$msg"
expect_match "Desired is the repository" "^Desired: $R$" "$msg"

# --- a URL --------------------------------------------------------------------
U="file://$R"
run_enforcer plan "$TMP/v2"
printf '%s\n' "$OUT" >"$TMP/v2.want"
run_enforcer plan --repo "$U" --ref v2 --cache "$TMP/cache"
printf '%s\n' "$OUT" >"$TMP/url.got"
if cmp -s "$TMP/v2.want" "$TMP/url.got"; then
	echo "ok: plan from a URL plans what v2's files say"
else
	fail "plan from a URL differs"
	diff "$TMP/v2.want" "$TMP/url.got" >&2
fi
expect "the URL was cloned into --cache" 1 \
    "$(ls -d "$TMP"/cache/*.git | wc -l)"
run_enforcer apply --repo "$U" --ref v2 --cache "$TMP/cache"
expect "apply from a URL without --history exits 1" 1 "$RC"
expect_match "... saying so" "URL keeps no history.*give --history DIR" "$ERR"
expect "... before touching any host" Stopped \
    "$(truth node2.contoso.test service.Spooler.state)"
run_enforcer apply --repo "$U" --ref v2 --cache "$TMP/cache" \
    --history "$TMP/hist"
expect "apply from a URL with --history exits 0" 0 "$RC"
expect "v2 applied" "Running Running" \
    "$(truth node1.contoso.test service.Spooler.state) $(truth \
    node2.contoso.test service.Spooler.state)"
expect_match "Desired-Commit is v2's id" \
    "^Desired-Commit: $(g rev-parse v2^{commit})$" \
    "$(git -C "$TMP/hist" log -1 --format=%B enforcer/history)"

# --- signatures ----------------------------------------------------------------
if gpg --batch --passphrase '' --quick-gen-key 'Infra <infra@contoso.test>' \
    ed25519 sign 1d >/dev/null 2>&1; then
	fpr=$(gpg --list-keys --with-colons 2>/dev/null | sed -n 's/^fpr:*\([0-9A-F]*\):$/\1/p' |
	    head -1)
	gpg --export "$fpr" >"$TMP/keyring.gpg"
	g -c user.signingkey="$fpr" commit -q -S --allow-empty -m "v3: signed" \
	    2>/dev/null
	g tag v3
	run_enforcer plan --repo "$R" --ref v2 --require-signed "$TMP/keyring.gpg"
	expect "an unsigned commit is refused (exit 1)" 1 "$RC"
	expect_match "... saying so" "v2: commit [0-9a-f]* is not signed" "$ERR"
	run_enforcer plan --repo "$R" --ref v3 --require-signed "$TMP/keyring.gpg"
	expect "a commit signed by a key of the keyring is read" 0 "$RC"
else
	fail "gpg cannot make a test key"
fi

# --- bad combinations -----------------------------------------------------------
run_enforcer plan --repo "$R" "$TMP/v1"
expect "PATH and --repo together: exit 1" 1 "$RC"
run_enforcer plan --repo "$R"
expect_match "--repo without --ref" "needs --ref" "$ERR"
run_enforcer plan --ref v1 "$TMP/v1"
expect_match "--ref without --repo" "read the desired state from --repo" "$ERR"
finish
