#!/bin/sh
# The kernel lane (tests/lanes.sh kernel): Debian's user-mode Linux kernel
# (package user-mode-linux: Debian 12's own 6.1 series built as a program,
# SCTP and netem as modules) booted with the host's file system as root, so
# what was built here runs inside as it is.  Inside (tests/uml/init.sh):
#   - lksctp-tools' sctp_connectx functional tests through libconnectx
#     (tests/uml/lksctp.sh);
#   - round trips measured over netem on lo (tests/uml/rtt.sh);
#   - the whole make check, kernel SCTP tests included: they must pass
#     there, never skip; any other test passes or skips with its reason.
#
# Usage: tests/uml/lane.sh SRCDIR BUILDDIR   (BUILDDIR configured and built)
# UML_MEM (default 512M), UML_TIMEOUT (seconds for the whole run inside,
# default 1800: a safety net against a hung kernel), UML_BOOT_TIMEOUT
# (seconds to reach init, default 120),
# UML_STEPS (default "sctp lksctp rtt check"; "cmd" runs UML_CMD in BUILDDIR).
set -u
srcdir=$1
build=$2
lane=$build/uml
mem=${UML_MEM:-512M}
limit=${UML_TIMEOUT:-1800}
boot_limit=${UML_BOOT_TIMEOUT:-120}
steps=${UML_STEPS:-sctp lksctp rtt check}
start=$(date +%s)

say() { echo "lane kernel: $*"; }
finish() {
	say "$1 in $(( $(date +%s) - start )) s"
	[ "$1" = PASS ]
	exit
}

# What the lane needs on a fresh Debian 12 machine.
need=""
command -v linux.uml >/dev/null 2>&1 || need="$need user-mode-linux"
command -v modprobe >/dev/null 2>&1 || need="$need kmod"
command -v tc >/dev/null 2>&1 || need="$need iproute2"
if [ -n "$need" ]; then
	echo "lane kernel: installing$need"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	{ $sudo apt-get update -qq &&
	    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need; } >/dev/null ||
	    { say "cannot install$need"; finish FAIL; }
fi
case $build in
*[!A-Za-z0-9/._-]*) say "build directory $build: the kernel command line takes no such path"; finish FAIL ;;
esac

# The package's modules: one kernel/ tree per release.
moddir=$(ls -d /usr/lib/uml/modules/*/ 2>/dev/null | head -n 1)
moddir=${moddir%/}
[ -n "$moddir" ] && [ -f "$moddir/kernel/net/sctp/sctp.ko" ] ||
    { say "no SCTP module under /usr/lib/uml/modules (dpkg -L user-mode-linux)"; finish FAIL; }
release=$(basename "$moddir")

rm -rf "$lane"
mkdir -p "$lane/out" "$lane/modroot/lib/modules"
ln -s "$moddir" "$lane/modroot/lib/modules/$release"

# Everything make check runs, built here (2 cores) rather than inside.
make -C "$build" -s -j"$(nproc 2>/dev/null || echo 2)" check TESTS= >"$lane/build.log" 2>&1 ||
    { cat "$lane/build.log"; say "building the tests failed"; finish FAIL; }

case " $steps " in
*" lksctp "*)
	if ! sh "$srcdir/tests/uml/lksctp.sh" fetch "$lane/lksctp" "$build" >"$lane/lksctp-fetch.log" 2>&1; then
		cat "$lane/lksctp-fetch.log"
		say "could not fetch and build lksctp-tools' tests"
		finish FAIL
	fi
	sed 's/^/  /' "$lane/lksctp-fetch.log"
	;;
esac

case " $steps " in
*" rtt "*)
	# With the project's warning flags (the Makefile's WARN_CFLAGS).
	warn=$(sed -n 's/^WARN_CFLAGS = //p' "$build/Makefile")
	gcc $warn -g -O2 -I"$build" -I"$srcdir/include" -I"$srcdir/compat" -pthread \
	    -o "$lane/rtt" "$srcdir/tests/uml/rtt.c" \
	    -L"$build/.libs" -Wl,-rpath,"$build/.libs" -lconnectx ||
	    { say "building tests/uml/rtt.c failed"; finish FAIL; }
	;;
esac

cat >"$lane/env" <<EOF
build='$build'
srcdir='$srcdir'
modroot='$lane/modroot'
steps='$steps'
make_jobs=1
EOF
printf '%s\n' "${UML_CMD:-true}" >"$lane/cmd"

# Boot.  The kernel passes cx_lane=DIR to init as an environment variable.
# A boot that does not reach init is tried once more: under heavy load
# this kernel has been seen to hang before its first message.
boot() {
	rm -rf "$lane/out"
	mkdir -p "$lane/out"
	echo "  booting $(command -v linux.uml) ($release, mem=$mem), at most ${limit} s"
	boot_start=$(date +%s)
	timeout -k 10 "$limit" linux.uml mem="$mem" rootfstype=hostfs rootflags=/ rw \
	    init="$srcdir/tests/uml/init.sh" cx_lane="$lane" con=null con0=fd:0,fd:1 \
	    </dev/null >"$lane/console.log" 2>&1 &
	uml=$!
	# The kernel's main process makes a process group of its own;
	# whatever ends this run (the kernel halting, a timeout, an
	# interrupt), nothing of that group is left behind.
	sleep 1
	kernel=$(ps -o pid= --ppid "$uml" 2>/dev/null | tr -d ' ' | head -n 1)
	trap 'reap; kill "$uml" 2>/dev/null; exit 130' INT TERM HUP
	booted=""
	while kill -0 "$uml" 2>/dev/null; do
		if [ -z "$booted" ] && [ -f "$lane/out/modules.log" ]; then
			booted=$(( $(date +%s) - boot_start ))
		fi
		if [ -z "$booted" ] && [ $(( $(date +%s) - boot_start )) -ge "$boot_limit" ]; then
			kill "$uml" 2>/dev/null
			break
		fi
		sleep 1
	done
	wait "$uml"
	uml_status=$?
	reap
	trap - INT TERM HUP
}
reap() { [ -n "${kernel:-}" ] && kill -KILL -- "-$kernel" 2>/dev/null; }
boot
if [ ! -f "$lane/out/modules.log" ]; then
	tail -n 5 "$lane/console.log"
	echo "  the kernel did not reach init within ${boot_limit} s (status $uml_status); booting again"
	cp "$lane/console.log" "$lane/console.first.log"
	boot
fi

status=PASS
if [ ! -f "$lane/out/modules.log" ]; then
	tail -n 30 "$lane/console.log"
	say "the user-mode kernel did not reach init within ${boot_limit} s (status $uml_status; console above, $lane/console.log)"
	finish FAIL
fi
echo "  kernel: Linux $release (user-mode), init reached in ${booted:-?} s"
sed -n 's/^module \(.*\)/  module \1/p; s/^cookie_hmac_alg/  net.sctp.cookie_hmac_alg =/p' "$lane/out/modules.log"
grep -q '^module sctp loaded' "$lane/out/modules.log" || { say "sctp.ko did not load"; status=FAIL; }
if [ ! -f "$lane/out/done" ]; then
	tail -n 20 "$lane/out/init.log" 2>/dev/null
	echo "  the run inside did not finish within ${limit} s (status $uml_status; $lane/out/init.log above)"
	status=FAIL
fi
took() { [ -f "$lane/out/$1.end" ] && echo "$(( $(cat "$lane/out/$1.end") - $(cat "$lane/out/$1.start") )) s" || echo "unfinished"; }

for s in $steps; do
	st=$(cat "$lane/out/$s.status" 2>/dev/null || echo none)
	case $s in
	sctp)
		echo "  -- the project's kernel SCTP tests (they must pass here)"
		n=0
		for c in "$srcdir"/tests/check_sctp_kernel*.c; do
			[ -f "$c" ] || continue
			t=$(basename "$c" .c)
			n=$((n + 1))
			st=$(cat "$lane/out/sctp-$t.status" 2>/dev/null || echo none)
			if [ "$st" = 0 ] && grep -q '^SKIP' "$lane/out/sctp-$t.log"; then
				# A part skipped: this kernel has all they need.
				echo "  $t: exit 0 with a part skipped (must run here):"
				grep '^SKIP' "$lane/out/sctp-$t.log" | sed 's/^/    /'
				status=FAIL
			elif [ "$st" = 0 ]; then
				echo "  $t: PASS ($(took "sctp-$t")): $(grep -E '^[0-9]+%: Checks: |^PASS' "$lane/out/sctp-$t.log" | tail -n 1)"
				grep -E '^(library|kernel defaults)' "$lane/out/sctp-$t.log" | sed 's/^/    /'

			else
				echo "  $t: exit $st (must pass on a kernel with SCTP):"
				sed 's/^/    /' "$lane/out/sctp-$t.log" 2>/dev/null | tail -n 30
				status=FAIL
			fi
		done
		[ "$n" -gt 0 ] || { echo "  no tests/check_sctp_kernel*.c"; status=FAIL; }
		;;
	lksctp)
		echo "  -- lksctp-tools sctp_connectx functional tests ($(took lksctp))"
		grep -v '^lksctp func tests: ' "$lane/out/lksctp.log" 2>/dev/null | sed 's/^/  /'
		grep -q '^lksctp func tests: [1-9][0-9]* passed, 0 failed' "$lane/out/lksctp.log" 2>/dev/null || status=FAIL
		grep '^lksctp func tests: ' "$lane/out/lksctp.log" 2>/dev/null ||
		    echo "lksctp func tests: 0 passed, 1 failed"
		;;
	rtt)
		echo "  -- round trips over netem ($(took rtt))"
		sed 's/^/  /' "$lane/out/rtt.log" 2>/dev/null
		[ "$st" = 0 ] || { echo "  rtt: exit $st"; status=FAIL; }
		;;
	cmd)
		echo "  -- ${UML_CMD:-true} ($(took cmd), exit $st)"
		sed 's/^/  /' "$lane/out/cmd.log"
		[ "$st" = 0 ] || status=FAIL
		;;
	check)
		echo "  -- make check inside Linux $release ($(took check), exit $st)"
		[ "$st" = 0 ] || status=FAIL
		# The kernel SCTP tests must pass here: this kernel has SCTP.
		for c in "$srcdir"/tests/check_sctp_kernel*.c; do
			[ -f "$c" ] || continue
			t=$(basename "$c" .c)
			if grep -q ':test-result: PASS' "$build/tests/$t.trs" 2>/dev/null; then
				echo "  $t: PASS: $(tail -n 1 "$build/tests/$t.log")"
			else
				echo "  $t: NOT PASSED (must pass on a kernel with SCTP):"
				sed 's/^/    /' "$build/tests/$t.log" 2>/dev/null | tail -n 20
				status=FAIL
			fi
		done
		if [ "$st" != 0 ] && [ -f "$build/test-suite.log" ]; then
			sed -n '/^FAIL\|^ERROR/,$p' "$build/test-suite.log" | head -n 200
		fi
		sh "$srcdir/tests/summary.sh" "$build"
		;;
	esac
done
finish "$status"
