#!/bin/sh
# history_scale.sh: growth of the history repository per run at 10,000
# and 50,000 hosts (BENCH_HISTORY_HOSTS), no-op and 1 % changed, flat
# (unsharded) against fanned out (sharded): tests/bench/history_scale.c,
# built here against the library.  Figures only; nothing is asserted.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
O=${ENFORCER_BUILD:-build/default}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/enforcer-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TOP" || exit 1
PKGS="yaml-0.1 libcurl openssl libgit2 libxml-2.0 krb5-gssapi krb5"
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_GNU_SOURCE -Ienforcer -Istates \
    $(pkg-config --cflags $PKGS) -o "$TMP/history_scale" \
    tests/bench/history_scale.c "$O/libenforcer.a" \
    $(pkg-config --libs $PKGS) -lpthread || exit 1
"$TMP/history_scale" "$TMP" "${BENCH_HISTORY_RUNS:-3}" \
    ${BENCH_HISTORY_HOSTS:-10000 50000}
