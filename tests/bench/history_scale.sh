#!/bin/sh
# history_scale.sh: the history repository at fleet scale
# (tests/bench/history_scale.c, built here against the library).  Figures
# only; nothing is asserted.
#  - growth per run at 10,000 and 50,000 hosts (BENCH_HISTORY_HOSTS),
#    no-op and 1 % changed, flat (unsharded) against fanned out (sharded),
#    BENCH_HISTORY_RUNS runs of each;
#  - the repository after 1,000 runs (BENCH_YEAR_RUNS) of 200 hosts
#    (BENCH_YEAR_HOSTS), 1 % changed each, without and with packing;
#  - `enforcer history --host` at 100,000 commits (BENCH_COMMITS): the
#    first reading (which builds the index by host), the next ones (the
#    index), and, for comparison, a reading that walks every commit
#    (`--class expiry`, which no run has).
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
O=${ENFORCER_BUILD:-build/default}
ENFORCER=${ENFORCER:-$TOP/bin/enforcer}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/enforcer-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TOP" || exit 1
PKGS="yaml-0.1 libcurl openssl libgit2 libxml-2.0 krb5-gssapi krb5"
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_GNU_SOURCE -Ienforcer -Istates \
    $(pkg-config --cflags $PKGS) -o "$TMP/history_scale" \
    tests/bench/history_scale.c "$O/libenforcer.a" \
    $(pkg-config --libs $PKGS) -lpthread || exit 1
# shellcheck disable=SC2086
"$TMP/history_scale" growth "$TMP" "${BENCH_HISTORY_RUNS:-2}" \
    ${BENCH_HISTORY_HOSTS:-10000 50000} || exit 1
"$TMP/history_scale" year "$TMP" "${BENCH_YEAR_RUNS:-1000}" \
    "${BENCH_YEAR_HOSTS:-200}" || exit 1

N=${BENCH_COMMITS:-100000}
H=h00042.contoso.test
"$TMP/history_scale" commits "$TMP/h$N" "$N" 2000 "$H" || exit 1
ms() {
	echo $(( ($(date +%s%N) - $1) / 1000000 ))
}
host_runs() {	# LABEL
	t0=$(date +%s%N)
	"$ENFORCER" history --history "$TMP/h$N" --host "$H" --json \
	    >"$TMP/out" || exit 1
	t=$(ms "$t0")
	n=$(/usr/bin/python3 -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["runs"]))' "$TMP/out")
	echo "history --host at $N commits, $1: $t ms ($n runs listed)"
}
host_runs "first reading (builds the index)"
host_runs "indexed"
host_runs "indexed, again"
t0=$(date +%s%N)
"$ENFORCER" history --history "$TMP/h$N" --class expiry >/dev/null || exit 1
echo "history --class expiry at $N commits (every commit read): $(ms "$t0") ms"
echo "index beside the repository: $(du -sk "$TMP/h$N/enforcer-index" | cut -f1) KiB;" \
    "repository: $(du -sk --exclude=enforcer-index "$TMP/h$N" | cut -f1) KiB"
