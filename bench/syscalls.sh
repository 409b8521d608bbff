#!/bin/sh
# What a lone destination's connectx/sctp_connectx costs beyond connect(2)
# (HACKING.md, "One system call"; README.md, Performance):
#   1. system calls per connect, counted with strace -f -c (mmap, brk and
#      the like aside: the allocator's pace is its own): a long and a
#      short run of each way subtracted (setup cancels), plain connect(2)'s
#      own count subtracted from the library's;
#   2. wall time, alternating runs of N connects per way (bench/syscalls
#      wall): medians over rounds, the ratio to plain taken in each round.
# Usage: bench/syscalls.sh [BUILDDIR [ROUNDS [N]]]
set -eu
b="${1:-$(dirname "$0")/..}"
drv="$b/bench/syscalls"
[ -x "$drv" ] || { echo "build first: make" >&2; exit 1; }
command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }
short=200 long=1200
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The program itself, not libtool's wrapper script around it.
run=""
[ -x "$b/libtool" ] && run="$b/libtool --mode=execute"
count() {	# way n -> system calls of the run, every thread, memory aside
	$run strace -f -c -e 'trace=!%memory' -o "$tmp/c" "$drv" calls "$1" "$2" >/dev/null
	awk '$NF == "total" { print $(NF - 2) }' "$tmp/c"
}
echo "== system calls per connect (strace -f -c, memory calls aside; runs of" \
    "$long and $short connects subtracted; each connect accepted, both ends closed)"
for way in plain connectx sctp_connectx; do
	l=$(count "$way" $long)
	s=$(count "$way" $short)
	eval "per_$way=\$(( (l - s) * 1000 / (long - short) ))"
done
for way in plain connectx sctp_connectx; do
	eval "p=\$per_$way"
	awk -v w="$way" -v p="$p" -v b="$per_plain" 'BEGIN {
		printf "  %-14s %6.3f per connect   extra beyond plain connect(2): %+6.3f\n",
		    w, p / 1000, (p - b) / 1000 }'
done
echo
"$drv" wall ${2:-15} ${3:-3000}
