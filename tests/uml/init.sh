#!/bin/sh
# PID 1 inside the user-mode kernel booted by tests/uml/lane.sh (the kernel
# lane, tests/lanes.sh kernel).  The root file system is the host's own
# (hostfs), so the lane's build directory is reachable at the same path and
# every result is written there: the console is not relied upon.
#
# The lane passes its directory on the kernel command line (cx_lane=DIR);
# the kernel hands such NAME=VALUE words to init as environment variables.
# DIR/env (written by the lane) names the rest.  Each step writes
# DIR/out/STEP.log and DIR/out/STEP.status; DIR/out/done marks a complete run.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022
lane=${cx_lane:-}
if [ -z "$lane" ] || [ ! -f "$lane/env" ]; then
	echo "uml init: no cx_lane=DIR with DIR/env on the kernel command line" >&2
	halt -f
fi
. "$lane/env"		# build, srcdir, modroot, steps, make_jobs, check_tests, suite_log
out=$lane/out
mkdir -p "$out"
exec >"$out/init.log" 2>&1
set -x

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The host's /dev is a mount of its own: through hostfs this kernel sees
# only the directory under it.  Its own devtmpfs instead, and a tmpfs for
# the tests' temporary files (hostfs is slow to create and remove files).
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t devpts devpts /dev/pts
TMPDIR=/dev/shm
export TMPDIR
hostname uml-kernel-lane

# Modules: the package's tree, through modprobe -d (the lane made
# $modroot/lib/modules/RELEASE point at /usr/lib/uml/modules/RELEASE).
# The kernel's own module requests (nft, veth, netem by tc ...) go through
# the same tree.
modprobe_d() { modprobe -d "$modroot" "$@"; }
printf '#!/bin/sh\nexec modprobe -d "%s" "$@"\n' "$modroot" >"$lane/modprobe"
chmod 755 "$lane/modprobe"
echo "$lane/modprobe" >/proc/sys/kernel/modprobe
{
	echo "release $(uname -r)"
	# hmac first: SCTP's cookies default to hmac(md5), and md5 is built in
	# but hmac is a module; without it listen() fails with ENOSYS
	# ("sctp: failed to load transform for md5: -2").
	for m in hmac crc-ccitt ipv6 udp_tunnel ip6_udp_tunnel sctp sch_netem; do
		if modprobe_d "$m"; then echo "module $m loaded"; else echo "module $m FAILED"; fi
	done
	if ! grep -q '^hmac ' /proc/modules; then
		sysctl -w net.sctp.cookie_hmac_alg=none
		echo "cookie_hmac_alg none (hmac module missing)"
	fi
	echo "cookie_hmac_alg $(cat /proc/sys/net/sctp/cookie_hmac_alg 2>/dev/null)"
} >"$out/modules.log" 2>&1
ip link set lo up
ip addr show dev lo >>"$out/modules.log" 2>&1

# One step: runs "$@" with its output in $out/NAME.log, exit status in
# $out/NAME.status; bounded by $2 seconds.
step() {
	name=$1 limit=$2
	shift 2
	date +%s >"$out/$name.start"
	timeout -k 10 "$limit" "$@" >"$out/$name.log" 2>&1
	echo $? >"$out/$name.status"
	date +%s >"$out/$name.end"
}

for s in $steps; do
	case $s in
	sctp)
		# The project's kernel SCTP tests, alone first: they must pass
		# here (this kernel has SCTP), so each is run and kept apart.
		for c in "$srcdir"/tests/check_sctp_kernel*.c; do
			[ -f "$c" ] || continue
			t=$(basename "$c" .c)
			step "sctp-$t" 300 "$build/tests/$t"
		done
		;;
	lksctp)
		step lksctp 300 sh "$srcdir/tests/uml/lksctp.sh" run "$lane/lksctp"
		;;
	rtt)
		step rtt 300 sh "$srcdir/tests/uml/rtt.sh" "$build"
		;;
	cmd)
		# UML_STEPS=cmd UML_CMD='...' (the lane wrote it to DIR/cmd):
		# one command, run in the build directory.
		step cmd 900 sh -c "cd '$build' && sh '$lane/cmd'"
		;;
	check)
		# The whole suite, as the host runs it (make check in the lane's
		# build directory); the host reads the .trs files afterwards.
		# One program at a time (this kernel has one CPU: two timing
		# tests side by side would only measure each other), each in one
		# process (CK_FORK=no: a fork costs much more here), the stress
		# counts scaled down as for valgrind, and the usrsctp tests'
		# upper time bounds widened.
		# The lane gives each kernel its share of TESTS and a suite
		# log of its own (several kernels run side by side).
		step check 1500 env CK_FORK=no CK_DEFAULT_TIMEOUT=600 \
		    CX_THREAD_LOOPS=300 CX_FDS_CONNECTS=400 CX_SIGNAL_CALLS=200 \
		    CX_TEST_MARGIN_MS=2000 \
		    make -C "$build" -j"$make_jobs" check TESTS="$check_tests" \
		    TEST_SUITE_LOG="$suite_log"
		;;
	esac
done

date +%s >"$out/done"
sync
halt -f
