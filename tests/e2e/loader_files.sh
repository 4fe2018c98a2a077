#!/bin/sh
# loader_files.sh: what a desired-state directory may hold.  *.yaml and
# *.yml are read; an entry so named that is not a regular file once links
# are followed (dangling link, link loop, FIFO) is an error naming it, never
# a silent skip; a FIFO or device given as PATH is refused without reading
# it (it would hang, or fill memory); a file over the size cap is refused.
. "$(dirname "$0")/lib/e2e.sh"
unset ENFORCER_HISTORY
DEMO="$TOP/examples/demo/desired"

mkdir -p "$TMP/yml"
cp "$DEMO/hosts.yaml" "$TMP/yml/hosts.yml"
cp "$DEMO/policies.yaml" "$TMP/yml/policies.yml"
run_enforcer validate --no-file-check "$TMP/yml"
expect "*.yml read: exit" 0 "$RC"
expect "*.yml read: summary" "$TMP/yml: ok (3 hosts, 2 policies, 0 windows)" "$OUT"

mkdir -p "$TMP/odd"
cp "$DEMO"/*.yaml "$TMP/odd/"
ln -s "$TMP/nowhere.yaml" "$TMP/odd/dangling.yaml"
ln -s loop.yaml "$TMP/odd/loop.yaml"
mkfifo "$TMP/odd/fifo.yaml"
ln -s "$TMP/nowhere" "$TMP/odd/notes.txt"	# not a desired-state name
run_enforcer validate "$TMP/odd"
expect "odd entries: exit" 1 "$RC"
expect "odd entries: every one named" "$TMP/odd/dangling.yaml: No such file or directory
$TMP/odd/fifo.yaml: not a regular file
$TMP/odd/loop.yaml: Too many levels of symbolic links" "$(echo "$ERR" | sort)"

run_enforcer validate "$TMP/odd/fifo.yaml"
expect "FIFO as PATH: exit" 1 "$RC"
expect "FIFO as PATH: refused unread" "$TMP/odd/fifo.yaml: not a regular file" "$ERR"
run_enforcer validate /dev/zero
expect "device as PATH: refused unread" "/dev/zero: not a regular file" "$ERR"

# 64 MiB and one byte of comment.
head -c $((64 * 1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$TMP/big.yaml"
run_enforcer validate "$TMP/big.yaml"
expect "over the cap: exit" 1 "$RC"
expect "over the cap: named" "$TMP/big.yaml: larger than 64 MiB" "$ERR"
finish
