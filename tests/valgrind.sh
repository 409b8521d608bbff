#!/bin/sh
# The valgrind lane: every Check program of the suite under valgrind
# memcheck, in one process each (CK_FORK=no), failing on any error and on
# any leak definitely lost.  Run from a build directory after the programs
# are built (make check-valgrind does both):
#   tests/valgrind.sh tests/check_a tests/check_b ...
# Counts are scaled down for the slow programs (valgrind runs ~20x slower).
set -u
status=0
export CK_FORK=no
export CK_DEFAULT_TIMEOUT=600
export CX_THREAD_LOOPS=${CX_THREAD_LOOPS:-300}
export CX_FDS_CONNECTS=${CX_FDS_CONNECTS:-400}
export CX_SIGNAL_CALLS=${CX_SIGNAL_CALLS:-200}
export CX_TEST_MARGIN_MS=${CX_TEST_MARGIN_MS:-5000}	# check_usrsctp's upper time bounds
lt=${LIBTOOL:-./libtool}
mkdir -p tests/valgrind-logs
for t in "$@"; do
	name=$(basename "$t")
	log=tests/valgrind-logs/$name.log
	start=$(date +%s)
	$lt --mode=execute valgrind --quiet --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --show-leak-kinds=definite --track-fds=no --child-silent-after-fork=yes \
	    "$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	summary=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "valgrind PASS: $name: ${summary:-ok} (${secs}s)"
	elif [ "$rc" -eq 77 ]; then
		echo "valgrind SKIP: $name: $(tail -n 1 "$log") (${secs}s)"
	elif [ "$rc" -eq 99 ]; then
		echo "valgrind FAIL (memcheck errors or leaks): $name: ${summary:-} (${secs}s)"
		grep -E '==[0-9]+==' "$log" | head -n 60
		status=1
	else
		echo "valgrind FAIL (test, exit $rc; no memcheck error): $name: ${summary:-no summary} (${secs}s)"
		grep -E '==[0-9]+==|Assertion|:F:|:E:' "$log" | head -n 40
		status=1
	fi
done
exit $status
