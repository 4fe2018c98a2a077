#!/bin/sh
# fuzz_corpus.sh: every libFuzzer target (tests/fuzz/fuzz_*.c, built by
# `make check` into build/fuzz with clang) runs once over its seeds and
# the crashes found and fixed (tests/fuzz/corpus/NAME): the regression run
# that keeps a fixed crash fixed.  A target that is not built (no clang)
# fails.  `make fuzz` does the fuzzing itself.
. "$(dirname "$0")/lib/e2e.sh"

for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin="$TOP/build/fuzz/$name"
	if [ ! -x "$bin" ]; then
		fail "$name: not built ($bin; is clang installed?)"
		continue
	fi
	out=$(sh "$TOP/tests/fuzz/run.sh" check "$bin" 2>&1)
	expect_match "$name: its corpus runs clean" ": [0-9]* inputs ok$" "$out"
done
finish
