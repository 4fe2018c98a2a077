#!/bin/sh
# Run the libFuzzer targets (build/fuzz/fuzz_*) on their seed corpora.
#
#   run.sh fuzz BIN...    fuzz each for FUZZ_TIME seconds (default 60); new
#                         inputs go to build/fuzz/corpus/NAME, a crash to
#                         build/fuzz/crashes/NAME/ (copy it into
#                         tests/fuzz/corpus/NAME once fixed)
#   run.sh check BIN...   run every seed once, no fuzzing: the regression
#                         run of `make check` (tests/e2e/fuzz_corpus.sh)
#
# A target's seeds: the tests/data files it reads (below) plus
# tests/fuzz/corpus/NAME, which keeps crashes found and fixed.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
mode=$1
shift

seeds() {
	case $1 in
	loader)		echo "$TOP/tests/data/good $TOP/tests/data/bad $TOP/examples" ;;
	wsman_reply)	echo "$TOP/tests/data/wsman" ;;
	*)		echo "" ;;
	esac
	[ -d "$TOP/tests/fuzz/corpus/$1" ] && echo "$TOP/tests/fuzz/corpus/$1"
}

# Every regular file under the seed directories, one per line.
seed_files() {
	# shellcheck disable=SC2046
	find $(seeds "$1") -type f ! -name '*.md' ! -name '*.expected' | sort
}

status=0
for bin in "$@"; do
	name=$(basename "$bin" | sed 's/^fuzz_//')
	case $mode in
	fuzz)
		out="$TOP/build/fuzz/corpus/$name"
		crashes="$TOP/build/fuzz/crashes/$name"
		mkdir -p "$out" "$crashes"
		echo "fuzz $name: ${FUZZ_TIME:-60} s"
		# shellcheck disable=SC2046
		"$bin" -max_total_time="${FUZZ_TIME:-60}" -timeout=10 \
		    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		    -artifact_prefix="$crashes/" "$out" $(seeds "$name") \
		    2>"$TOP/build/fuzz/$name.log" || status=1
		grep -E '^(stat::number_of_executed_units|Done|==.*ERROR)' \
		    "$TOP/build/fuzz/$name.log" | sed "s/^/  $name: /"
		;;
	check)
		n=$(seed_files "$name" | wc -l)
		if [ "$n" -eq 0 ]; then
			echo "$name: no seeds"
			status=1
			continue
		fi
		# shellcheck disable=SC2046
		if seed_files "$name" | xargs "$bin" -runs=1 \
		    >"$TOP/build/fuzz/$name.check.log" 2>&1; then
			echo "$name: $n inputs ok"
		else
			echo "$name: FAILED on its corpus"
			tail -40 "$TOP/build/fuzz/$name.check.log"
			status=1
		fi
		;;
	esac
done
exit $status
