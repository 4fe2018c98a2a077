#!/bin/sh
# loader_scale.sh: validate and plan --offline over desired states of
# 10,000, 20,000 and 50,000 hosts (50 group policies).  Prints CPU seconds
# and peak RSS for each, and the 50k/10k ratios: a linear loader shows
# about 5, a quadratic one about 25.  Figures only; nothing is asserted.
set -u
TMP=$(mktemp -d "${TMPDIR:-/tmp}/enforcer-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fleet() {
	d="$TMP/$1"
	mkdir -p "$d"
	awk -v n="$1" 'BEGIN {
		print "hosts:"
		for (i = 0; i < n; i++)
			printf "  h%d.contoso.test: { groups: [g%d], address: 127.0.0.1 }\n", i, i % 50
	}' >"$d/hosts.yaml"
	awk 'BEGIN {
		print "policies:"
		for (g = 0; g < 50; g++)
			printf "  g%d:\n    service: { WinRM: { state: running } }\n", g
	}' >"$d/policies.yaml"
}

# user+sys CPU seconds and peak RSS (KiB) of one command.
measure() {
	/usr/bin/time -f '%U %S %M' -o "$TMP/time" "$@" >/dev/null 2>&1
	awk '{ printf "%.2f %d", $1 + $2, $3 }' "$TMP/time"
}

for n in 10000 20000 50000; do
	fleet $n
	set -- $(measure "$ENFORCER" validate "$TMP/$n")
	eval "v$n=$1"
	set -- $(measure "$ENFORCER" plan --offline "$TMP/$n")
	eval "p$n=$1"
	printf 'hosts %6d: validate %s s CPU, plan --offline %s s CPU, %s MiB peak\n' \
	    $n "$(eval echo \$v$n)" "$1" $(($2 / 1024))
done
awk -v a="$v10000" -v b="$v50000" -v c="$p10000" -v d="$p50000" 'BEGIN {
	printf "50k/10k CPU ratio: validate %.1f, plan --offline %.1f (linear: 5)\n",
	    (a > 0 ? b / a : 0), (c > 0 ? d / c : 0)
}'
