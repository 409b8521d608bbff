#!/bin/sh
# The kernel lane (tests/lanes.sh kernel): Debian's user-mode Linux kernel
# (package user-mode-linux: Debian 12's own 6.1 series built as a program,
# SCTP and netem as modules) booted with the host's file system as root, so
# what was built here runs inside as it is.  Inside (tests/uml/init.sh):
#   - lksctp-tools' sctp_connectx functional tests through libconnectx
#     (tests/uml/lksctp.sh);
#   - round trips measured over netem on lo (tests/uml/rtt.sh);
#   - make check, kernel SCTP tests included, in kernels of their own side
#     by side (below): the kernel SCTP tests must pass there, never skip;
#     any other test passes or skips with its reason.
#
# Usage: tests/uml/lane.sh SRCDIR BUILDDIR   (BUILDDIR configured and built)
# UML_MEM (default 512M), UML_TIMEOUT (seconds for the whole run inside,
# default 1800: a safety net against a hung kernel), UML_BOOT_TIMEOUT
# (seconds to reach init, default 120),
# UML_STEPS (default "sctp lksctp rtt check"; "cmd" runs UML_CMD in BUILDDIR),
# UML_CHECK_KERNELS (default 2: kernels that share make check's TESTS).
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

# make check runs in kernels of its own, started together once the other
# steps are done (UML_CHECK_KERNELS, default 2): each kernel has one CPU,
# so two of them on two cores take about half the time.  Each runs a share
# of TESTS, the heaviest first, in a lane directory of its own
# (BUILDDIR/uml-checkN) and writes its own suite log (uml-checkN.log).
# Not run there: the tests that check files rather than a kernel's
# behaviour (the exported symbols, the manual, the installed tree); the
# main lane runs them, and here a man -w or a make install through hostfs
# takes minutes.
main_steps=$(echo " $steps " | sed 's/ check / /g; s/^ *//; s/ *$//')
check_kernels=${UML_CHECK_KERNELS:-2}
host_only="tests/check_exports.sh tests/check_man.sh tests/check_install.sh"
# Seconds each test took inside (two kernels side by side, load average
# ~10 on 2 cores); any other took 3 to 9 and counts 8.  The shares are
# dealt heaviest first, each test to the kernel whose share is lightest so
# far, so that both end near the same time.
weights="tests/check_tool.sh:137 tests/check_threads:99 tests/check_history:70
tests/fuzz/replay.sh:59 tests/check_syscalls:53 tests/check_fastopen:46
tests/check_fds:36 tests/check_usrsctp:32 tests/check_sctp_kernel_failover:27
tests/check_sctp_connectx_errors:26 tests/check_signals:24 tests/check_assoc:19
tests/check_failover:18 tests/check_args.sh:13 tests/check_engine:11
tests/check_verdicts:10"
case " $steps " in
*" check "*)
	printf 'cx-print-tests:\n\t@echo $(TESTS)\n' >"$lane/print-tests.mk"
	all_tests=$(make -s -C "$build" --no-print-directory -f Makefile -f "$lane/print-tests.mk" cx-print-tests)
	ordered=$(for t in $all_tests; do
		case " $host_only " in *" $t "*) continue ;; esac
		w=8
		for tw in $weights; do [ "${tw%:*}" = "$t" ] && w=${tw##*:}; done
		echo "$w $t"
	done | sort -k1,1nr -k2 | awk -v n="$check_kernels" '{
		k = 1
		for (i = 2; i <= n; i++) if (load[i] < load[k]) k = i
		load[k] += $1
		print k, $2
	}')
	k=1
	while [ "$k" -le "$check_kernels" ]; do
		eval "share_$k=\"$(echo "$ordered" | awk -v k="$k" '$1 == k { printf " %s", $2 }')\""
		k=$((k + 1))
	done
	check_tests_all=$(echo "$ordered" | awk '{ printf " %s", $2 }')
	;;
esac

# env_for DIR STEPS [TESTS]: what init.sh reads.
env_for() {
	cat >"$1/env" <<EOF
build='$build'
srcdir='$srcdir'
modroot='$lane/modroot'
steps='$2'
make_jobs=1
check_tests='${3:-}'
suite_log='$(basename "$1").log'
EOF
}
env_for "$lane" "$main_steps"
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
boot_twice() {
	boot
	if [ ! -f "$lane/out/modules.log" ]; then
		tail -n 5 "$lane/console.log"
		echo "  the kernel did not reach init within ${boot_limit} s (status $uml_status); booting again"
		cp "$lane/console.log" "$lane/console.first.log"
		boot
	fi
	echo "${booted:-?} $uml_status" >"$lane/boot.result"
}

# Whether the kernel booted in DIR ran its steps; says why not.
ran_in() {
	if [ ! -f "$1/out/modules.log" ]; then
		tail -n 30 "$1/console.log"
		echo "  the user-mode kernel did not reach init within ${boot_limit} s (status $(cut -d' ' -f2 "$1/boot.result"); console above, $1/console.log)"
		return 1
	fi
	echo "  kernel: Linux $release (user-mode), init reached in $(cut -d' ' -f1 "$1/boot.result") s"
	sed -n 's/^module \(.*\)/  module \1/p; s/^cookie_hmac_alg/  net.sctp.cookie_hmac_alg =/p' "$1/out/modules.log"
	grep -q '^module sctp loaded' "$1/out/modules.log" || { echo "  sctp.ko did not load"; return 1; }
	if [ ! -f "$1/out/done" ]; then
		tail -n 20 "$1/out/init.log" 2>/dev/null
		echo "  the run inside did not finish within ${limit} s ($1/out/init.log above)"
		return 1
	fi
}

status=PASS
if [ -n "$main_steps" ]; then
	boot_twice
	[ -f "$lane/out/modules.log" ] || { ran_in "$lane"; finish FAIL; }
	ran_in "$lane" || status=FAIL
fi
check_start=$(date +%s)
if [ -n "${share_1:-}" ]; then
	k=1
	while [ "$k" -le "$check_kernels" ]; do
		d=$build/uml-check$k
		rm -rf "$d"
		mkdir -p "$d/out"
		eval "env_for \"\$d\" check \"\$share_$k\""
		( lane=$d; boot_twice ) &
		k=$((k + 1))
	done
	wait
fi
check_took=$(( $(date +%s) - check_start ))
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
		echo "  -- make check inside Linux $release, $check_kernels kernels side by side ($check_took s)"
		echo "  not run here (they check files, not the kernel; the main lane runs them): $host_only"
		k=1
		while [ "$k" -le "$check_kernels" ]; do
			d=$build/uml-check$k
			st=$(cat "$d/out/check.status" 2>/dev/null || echo none)
			ran_in "$d" >"$d/ran.log" || { cat "$d/ran.log"; status=FAIL; }
			if [ -f "$d/out/check.end" ]; then
				echo "  kernel $k: make check exit $st in $(( $(cat "$d/out/check.end") - $(cat "$d/out/check.start") )) s:$(eval "echo \"\$share_$k\"" | sed 's,tests/,,g')"
			else
				echo "  kernel $k: make check unfinished (status $st)"
			fi
			[ "$st" = 0 ] || status=FAIL
			if [ "$st" != 0 ] && [ -f "$build/uml-check$k.log" ]; then
				sed -n '/^FAIL\|^ERROR/,$p' "$build/uml-check$k.log" | head -n 200
			fi
			k=$((k + 1))
		done
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
		# What 6.1 as booted here lacks, as the tests found it: whole
		# programs skipped (77) and parts of passing ones (their "SKIP"
		# lines), each with the reason it printed.
		echo "  skipped inside Linux $release, with the reason each test printed:"
		for trs in "$build"/tests/*.trs "$build"/tests/fuzz/*.trs; do
			[ -f "$trs" ] || continue
			log=${trs%.trs}.log
			rel=${log%.log}
			case " $check_tests_all " in *" ${rel#$build/} "*) ;; *) continue ;; esac
			t=$(basename "$log" .log)
			if grep -q ':test-result: SKIP' "$trs"; then
				echo "    $t (whole program): $(grep -m 1 '^SKIP' "$log" | sed 's/^SKIP:* *//')"
			fi
			grep '^SKIP: ' "$log" | while IFS= read -r line; do
				grep -q ':test-result: SKIP' "$trs" && break
				echo "    $t (part): ${line#SKIP: }"
			done
		done
		sh "$srcdir/tests/summary.sh" "$build"
		;;
	esac
done
finish "$status"
