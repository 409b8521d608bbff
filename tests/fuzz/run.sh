#!/bin/sh
# Fuzzing with clang's libFuzzer (ASan + UBSan), targets in tests/fuzz/:
#   addrlist  the packed destination list decoder and the address predicates
#             (lib/addrlist.c compiled in directly)
#   args      argument checking of connectx/sctp_connectx/disconnectx and the
#             cx_ calls, on sockets of every kind (the library's sources,
#             as Makefile.am lists them, compiled in)
#
#   tests/fuzz/run.sh TARGET SECONDS     build TARGET, fuzz it for SECONDS
#   tests/fuzz/run.sh --replay [TARGET]  build, run every seed once (exit 77
#                                        when clang cannot build a fuzzer)
#
# The seeds are tests/fuzz/corpus/TARGET/ (read only); new inputs go to
# $FUZZ_OUT/corpus-TARGET.  FUZZ_OUT defaults to ${TMPDIR:-/tmp}/libconnectx-fuzz.
# Every run is made inside a new network namespace (unshare -n, lo only)
# when that is allowed, on top of the harness's own rewriting of every
# destination to loopback.  Prints "fuzz TARGET: N executions in S s".
set -eu
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-${TMPDIR:-/tmp}/libconnectx-fuzz}
CLANG=${CLANG:-clang}
targets="addrlist args"

usage() {
	echo "usage: $0 TARGET SECONDS | --replay [TARGET]   (TARGET: $targets)" >&2
	exit 2
}

fuzzer_works() {
	mkdir -p "$out"
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$out/probe.c"
	"$CLANG" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >/dev/null 2>&1
}

build() {
	t=$1
	mkdir -p "$out"
	# The configure-free config.h: only what the sources need of it.
	{
		echo '#define _GNU_SOURCE 1'
		[ -f /usr/include/netinet/sctp.h ] && echo '#define HAVE_NETINET_SCTP_H 1'
		true
	} >"$out/config.h"
	flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	    -fno-sanitize-recover=all -Wall -I$out -I$srcdir/include
	    -I$srcdir/compat -I$srcdir/lib -pthread"
	case $t in
	addrlist) srcs="$srcdir/lib/addrlist.c" libs="" ;;
	args)
		# The library's sources as Makefile.am lists them (every
		# assignment outside an if ... endif block).
		srcs=$(awk '/^if / { d++ } /^endif/ { d-- }
		    d == 0 && /^libconnectx_la_SOURCES *\+?=/ { f = 1 }
		    f { print; if ($0 !~ /\\$/) f = 0 }' "$srcdir/Makefile.am" |
		    tr ' \t\\' '\n\n\n' | sed -n "s|^\(lib/.*\.c\)$|$srcdir/\1|p")
		libs=""	# libconnectx needs no usrsctp (libconnectx-usrsctp does)
		;;
	*) usage ;;
	esac
	# shellcheck disable=SC2086
	"$CLANG" $flags "$srcdir/tests/fuzz/fuzz_$t.c" $srcs -o "$out/fuzz_$t" $libs
}

# Run a command in a new network namespace with lo up, if allowed.
isolated() {
	if unshare -n true 2>/dev/null && command -v ip >/dev/null 2>&1; then
		unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

case ${1:-} in
--replay)
	shift
	if ! fuzzer_works; then
		echo "SKIP: $CLANG cannot build a libFuzzer target (-fsanitize=fuzzer)"
		exit 77
	fi
	# ASan needs its shadow memory at fixed addresses: a kernel whose
	# user address space is smaller has no room for it (user-mode Linux,
	# the kernel lane: user space ends at 0x7fc0000000).  Any other
	# failure of the probe is one.
	if ! "$out/probe" -runs=0 >"$out/probe.log" 2>&1; then
		if grep -q 'Shadow memory range interleaves' "$out/probe.log"; then
			range=$(sed -n 's/.*ASan shadow was supposed to be located in the \[\(.*\)\] range.*/\1/p' "$out/probe.log")
			stack=$(sed -n 's/^[[:space:]]*\(0x[0-9a-f]*-0x[0-9a-f]*\)[[:space:]]*\[stack\].*/\1/p' "$out/probe.log")
			echo "SKIP: this kernel's user address space has no room for ASan's shadow memory (it needs ${range:-?}; the stack is at ${stack:-?})"
			exit 77
		fi
		cat "$out/probe.log"
		echo "fuzz replay: the probe did not run"
		exit 1
	fi
	status=0
	for t in ${1:-$targets}; do
		build "$t"
		n=$(ls "$srcdir/tests/fuzz/corpus/$t" | wc -l)
		# Each seed once, in one process; any crash or report fails.
		if isolated "$out/fuzz_$t" -runs=0 "$srcdir/tests/fuzz/corpus/$t" \
		    >"$out/replay-$t.log" 2>&1; then
			echo "fuzz replay $t: $n seeds, no crash"
		else
			tail -n 40 "$out/replay-$t.log"
			echo "fuzz replay $t: FAILED"
			status=1
		fi
	done
	exit $status
	;;
addrlist|args)
	t=$1
	secs=${2:-}
	[ -n "$secs" ] || usage
	fuzzer_works || { echo "$CLANG cannot build a libFuzzer target" >&2; exit 1; }
	build "$t"
	mkdir -p "$out/corpus-$t"
	status=0
	isolated "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -max_len=4096 \
	    -print_final_stats=1 -artifact_prefix="$out/crash-$t-" \
	    "$out/corpus-$t" "$srcdir/tests/fuzz/corpus/$t" >"$out/$t.log" 2>&1 || status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
	if [ "$status" -ne 0 ]; then
		tail -n 60 "$out/$t.log"
		echo "fuzz $t: FAILED after ${execs:-?} executions (log: $out/$t.log)"
		exit 1
	fi
	echo "fuzz $t: ${execs} executions in $secs s, no crash, timeout or sanitizer report (log: $out/$t.log)"
	;;
*)
	usage
	;;
esac
