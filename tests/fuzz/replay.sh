#!/bin/sh
# make check: run every seed of every fuzz target once (tests/fuzz/run.sh
# --replay), built with clang's libFuzzer; exit 77 (skip) without it.
FUZZ_OUT=${FUZZ_OUT:-${top_builddir:-.}/tests/fuzz-out}
export FUZZ_OUT
exec "$(dirname "$0")/run.sh" --replay
