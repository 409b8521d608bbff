#!/bin/sh
# Extra test lanes, each in a build directory of its own (never the source
# tree; a source tree configured in place is copied and cleaned first):
#
#   tests/lanes.sh sanitizers        ./configure --enable-sanitizers (ASan+UBSan), make check
#   tests/lanes.sh sanitizers-clang  the same with CC=clang
#   tests/lanes.sh valgrind          plain build, make check-valgrind
#   tests/lanes.sh tsan              -fsanitize=thread build (clang), the
#                                    concurrency test at stress size, TSan clean
#   tests/lanes.sh kernel            plain build; Debian's user-mode Linux 6.1
#                                    booted on it, inside: kernel SCTP tests,
#                                    lksctp-tools' sctp_connectx tests through
#                                    libconnectx, netem round trips, make check
#                                    (tests/uml/lane.sh)
#
# LANE_DIR (default ${TMPDIR:-/tmp}/libconnectx-LANE) is the build directory;
# CX_CONFIGURE_FLAGS is added to ./configure's arguments (.ci/run sets
# --enable-werror there).
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
lane=${1:-}
jobs=$(nproc 2>/dev/null || echo 2)
dir=${LANE_DIR:-${TMPDIR:-/tmp}/libconnectx-$lane}

# A source directory that can take a build directory of its own.
source_for_vpath() {
	if [ -f "$srcdir/config.status" ]; then
		rm -rf "$dir.src"
		cp -a "$srcdir" "$dir.src"
		make -C "$dir.src" -s distclean >/dev/null 2>&1 || true
		rm -f "$dir.src/config.status"
		echo "$dir.src"
	else
		echo "$srcdir"
	fi
}

configure_in() {
	src=$(source_for_vpath)
	[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi >/dev/null 2>&1)
	rm -rf "$dir"
	mkdir -p "$dir"
	cd "$dir"
	"$src/configure" -q ${CX_CONFIGURE_FLAGS:-} "$@"
	make -j"$jobs" -s >/dev/null
}

start=$(date +%s)
case $lane in
sanitizers|sanitizers-clang)
	cc=${CC:-gcc}
	[ "$lane" = sanitizers-clang ] && cc=clang
	configure_in CC="$cc" --enable-sanitizers
	status=0
	# verify_asan_link_order=0: check_install.sh links a plain consumer
	# against the installed (instrumented) library.
	ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    make -j"$jobs" check >/dev/null 2>&1 || status=$?
	if [ "$lane" = sanitizers-clang ] && [ "$status" -ne 0 ]; then
		# clang links its ASan runtime into executables only, so that
		# consumer cannot link the instrumented library at all: that one
		# test is not counted here (the gcc lane runs it).
		status=0
		for trs in tests/*.trs tests/fuzz/*.trs; do
			case $trs in */check_install.sh.trs) continue ;; esac
			grep -q ':test-result: \(FAIL\|ERROR\)' "$trs" && status=1
		done
		echo "  (check_install.sh not counted with clang's ASan)"
	fi
	[ "$status" -eq 0 ] || cat test-suite.log
	sh "$srcdir/tests/summary.sh" .
	echo "lane $lane (CC=$cc, ASan+UBSan): $([ $status -eq 0 ] && echo PASS || echo FAIL) in $(( $(date +%s) - start )) s"
	exit "$status"
	;;
valgrind)
	command -v valgrind >/dev/null || { echo "lane valgrind: valgrind not installed" >&2; exit 1; }
	configure_in
	status=0
	make -s check-valgrind || status=$?
	echo "lane valgrind: $([ $status -eq 0 ] && echo PASS || echo FAIL) in $(( $(date +%s) - start )) s"
	exit "$status"
	;;
tsan)
	cc=clang
	command -v clang >/dev/null || cc=gcc
	configure_in CC="$cc" CFLAGS="-g -O1 -fsanitize=thread" LDFLAGS="-fsanitize=thread"
	make -j"$jobs" -s tests/check_threads tests/check_engine >/dev/null
	status=0
	for t in check_threads check_engine; do
		TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
		    CX_THREAD_LOOPS=${CX_THREAD_LOOPS:-10000} \
		    ./libtool --mode=execute "./tests/$t" >"tests/$t.tsan.log" 2>&1 || status=$?
		echo "  $t: $(grep -E '^[0-9]+%: Checks: ' "tests/$t.tsan.log" | tail -n 1)"
		grep -E '^threads:' "tests/$t.tsan.log" || true
		if grep -q 'WARNING: ThreadSanitizer' "tests/$t.tsan.log"; then
			grep -A30 'WARNING: ThreadSanitizer' "tests/$t.tsan.log" | head -n 60
			status=1
		fi
	done
	echo "lane tsan (CC=$cc -fsanitize=thread): $([ $status -eq 0 ] && echo PASS || echo FAIL), $(grep -c 'WARNING: ThreadSanitizer' tests/*.tsan.log | awk -F: '{s += $2} END {print s + 0}') reports, in $(( $(date +%s) - start )) s"
	exit "$status"
	;;
kernel)
	configure_in
	exec sh "$srcdir/tests/uml/lane.sh" "$srcdir" "$dir"
	;;
*)
	echo "usage: $0 sanitizers | sanitizers-clang | valgrind | tsan | kernel" >&2
	exit 2
	;;
esac
