#!/bin/sh
# Runs every benchmark and prints its figures (README "Performance").
# Usage: bench/run.sh [BUILDDIR]   (default: the source tree's own build)
set -eu
b="${1:-$(dirname "$0")/..}"
bench="$b/bench/cxbench"
[ -x "$bench" ] || { echo "build first: make" >&2; exit 1; }

echo "== system calls per connect (strace -c, main thread, 1000 connects each)"
for way in plain connectx sctp_connectx; do
	strace -c -o /tmp/cxbench.strace.$$ "$bench" calls "$way" 1000
	total=$(awk '$NF == "total" { print $(NF-2) }' /tmp/cxbench.strace.$$)
	eval "calls_$way=$total"
	rm -f /tmp/cxbench.strace.$$
done
for way in plain connectx sctp_connectx; do
	eval "t=\$calls_$way"
	awk -v w="$way" -v t="$t" -v p="$calls_plain" 'BEGIN {
		printf "  %-14s %7d calls  %5.2f per connect  %+5.2f vs plain\n", w, t, t / 1000, (t - p) / 1000 }'
done
echo
"$bench" all
# History side by side with curl and asyncio (root: namespaces; else 77).
echo
"$(dirname "$0")/history_peers.sh" "$b" || [ $? -eq 77 ]
# usrsctp (built with --with-usrsctp): black-holed first address, bound vs defaults.
if [ -x "$b/bench/usrsctp_bench" ]; then
	echo
	"$b/bench/usrsctp_bench"
fi
# A lone destination beyond connect(2): system calls (strace) and wall time.
echo
sh "$(dirname "$0")/syscalls.sh" "$b"
