#!/bin/sh
# The numeric arguments of the examples and the benchmarks: a port is 1 to
# 65535 in decimal digits alone, a count digits alone; anything else is a
# usage error (exit 2) before anything connects: atoi(3) and strtol(3)
# would take "+80", " 80" and "80x", and htons would wrap 70000 onto 4464.
b="${top_builddir:-.}"
[ -x "$b/examples/poll_loop" ] || { echo "no $b/examples/poll_loop"; exit 99; }
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

expect_usage() {	# what, command...
	what=$1
	shift
	"$@" > /dev/null 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || fail "$what: exit $rc, want 2"
}

for p in 70000 65536 0 -1 "" "+80" " 80" "80x" 99999999999999999999; do
	expect_usage "poll_loop 127.0.0.1:'$p'" "$b/examples/poll_loop" "127.0.0.1:$p"
	if [ -x "$b/examples/macos_client" ]; then
		expect_usage "macos_client port '$p'" \
		    "$b/examples/macos_client" 127.0.0.1 "$p" hello
	fi
done
for n in 0 -5 "" "+5" " 5" "5x" 99999999999; do
	expect_usage "cxbench refused '$n'" "$b/bench/cxbench" refused "$n"
	expect_usage "cxbench calls plain '$n'" "$b/bench/cxbench" calls plain "$n"
done
expect_usage "cxbench calls, no such way" "$b/bench/cxbench" calls nosuchway 5
if [ -x "$b/bench/usrsctp_bench" ]; then
	for n in 0 51 "" "+5" " 5" "5x"; do
		expect_usage "usrsctp_bench runs '$n'" "$b/bench/usrsctp_bench" "$n"
	done
	expect_usage "usrsctp_bench delay '50x'" "$b/bench/usrsctp_bench" 1 50x
fi

if [ "$failures" -ne 0 ]; then
	echo "arguments: $failures failures"
	exit 1
fi
echo "examples and benchmarks: bad ports and counts refused with exit 2"
