# tests/bench/lib/rows.sh: bench_row ID VALUE HOSTS DETAIL appends one
# figure to the file make bench's closing table is printed from
# (BENCH_ROWS, set by tests/bench/run.sh; tests/bench/lib/issue16.py).
# A benchmark run on its own, without BENCH_ROWS, only prints.
bench_row() {
	[ -n "$BENCH_ROWS" ] || return 0
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$BENCH_ROWS"
}
