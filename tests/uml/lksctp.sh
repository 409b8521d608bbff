#!/bin/sh
# lksctp-tools' own sctp_connectx functional tests, linked so that
# sctp_connectx comes from libconnectx (the rest of their calls, sctp_bindx,
# sctp_peeloff, sctp_getpaddrs, from libsctp).  Their sources are fetched
# from Debian's source package at test time and never committed.
#
#   tests/uml/lksctp.sh fetch DIR BUILD   (host) fetch, unpack, build into DIR
#   tests/uml/lksctp.sh run DIR           (inside the user-mode kernel) run them
#
# fetch: a temporary apt configuration in DIR/apt holding a copy of the
# system's Debian sources with "Types: deb-src", then apt-get update and
# apt-get source --download-only lksctp-tools with that configuration only
# (the system's own lists and cache are not touched).  LKSCTP_SRC=TREE uses
# an unpacked lksctp-tools tree instead.  The LTP headers the tests include
# (test.h, usctest.h) are this project's stand-ins, tests/uml/ltp/.
#
# run: each test's output in DIR/NAME.out, its exit status in DIR/NAME.status,
# and where sctp_connectx was bound at run time (LD_DEBUG=bindings) in
# DIR/NAME.binding; the program fails if that is not libconnectx.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tests="test_connectx test_1_to_1_connectx"
mode=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 fetch DIR BUILD | run DIR" >&2; exit 2; }

fetch() {
	build=$1
	rm -rf "$dir"
	mkdir -p "$dir/apt/parts" "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/src"
	if [ -n "${LKSCTP_SRC:-}" ]; then
		tree=$LKSCTP_SRC
	else
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
			    >"$dir/apt/parts/debian-src.sources"
		elif [ -f /etc/apt/sources.list ]; then
			sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list \
			    >"$dir/apt/parts/debian-src.list"
		else
			echo "lksctp: no Debian sources file to copy (/etc/apt/sources.list.d/debian.sources)" >&2
			return 1
		fi
		set -- -q -o Dir::Etc::SourceList=/dev/null \
		    -o Dir::Etc::SourceParts="$dir/apt/parts" \
		    -o Dir::State::Lists="$dir/apt/lists" \
		    -o Dir::Cache="$dir/apt/cache"
		# As root, apt would hand the download to the _apt user, who
		# cannot write into this directory.
		[ "$(id -u)" -ne 0 ] || set -- "$@" -o APT::Sandbox::User=root
		if ! apt-get "$@" update >"$dir/apt/update.log" 2>&1; then
			cat "$dir/apt/update.log" >&2
			echo "lksctp: apt-get update (deb-src) failed" >&2
			return 1
		fi
		if ! (cd "$dir/src" && apt-get "$@" source --download-only lksctp-tools) \
		    >"$dir/apt/source.log" 2>&1; then
			cat "$dir/apt/source.log" >&2
			echo "lksctp: apt-get source --download-only lksctp-tools failed" >&2
			return 1
		fi
		orig=$(ls "$dir"/src/lksctp-tools_*.orig.tar.* 2>/dev/null | head -n 1)
		[ -n "$orig" ] || { echo "lksctp: no orig tarball in $dir/src" >&2; return 1; }
		tar -C "$dir/src" -xf "$orig" || return 1
		tree=$(ls -d "$dir"/src/lksctp-tools-*/ | head -n 1)
		echo "lksctp: $(basename "$orig")"
	fi
	tree=${tree%/}
	for f in src/testlib/sctputil.c src/testlib/sctputil.h \
	    src/func_tests/test_connectx.c src/func_tests/test_1_to_1_connectx.c; do
		[ -f "$tree/$f" ] || { echo "lksctp: $tree/$f missing" >&2; return 1; }
	done
	libdir=$build/.libs
	[ -f "$libdir/libconnectx.so" ] || { echo "lksctp: $libdir/libconnectx.so not built" >&2; return 1; }
	cflags="-g -O2 -fno-strict-aliasing -DLTP -I$here/ltp -I$tree/src/testlib"
	# libconnectx ahead of libsctp: the dynamic linker binds sctp_connectx
	# to the first library in the search order that defines it.
	libs="-L$libdir -Wl,-rpath,$libdir -Wl,--no-as-needed -lconnectx -lsctp -lpthread"
	for t in $tests; do
		# Their code predates today's warnings; they are theirs to fix.
		# Compiled from a copy in DIR: their TCID is __FILE__.
		cp "$tree/src/func_tests/$t.c" "$dir/" || return 1
		(cd "$dir" && gcc $cflags -w -o "$t" "$t.c" \
		    "$tree/src/testlib/sctputil.c" $libs) || return 1
		# Statically: the program imports sctp_connectx, with
		# libconnectx's symbol version (libsctp's are VERS_n), and
		# libconnectx comes first among its libraries.
		import=$(nm -u "$dir/$t" | sed -n 's/.* U \(sctp_connectx\(@.*\)\{0,1\}\)$/\1/p')
		case $import in
		sctp_connectx@VERS_*|"")
			echo "lksctp: $t imports [$import], not libconnectx's sctp_connectx" >&2; return 1 ;;
		esac
		needed=$(readelf -d "$dir/$t" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
		case $needed in
		*libconnectx*libsctp*) ;;
		*) echo "lksctp: $t needs [$needed]: libconnectx must come before libsctp" >&2; return 1 ;;
		esac
		echo "lksctp: built $t: imports $import; needs $needed"
	done
	nm -D --defined-only "$libdir/libconnectx.so" | grep -q ' T sctp_connectx\(@@.*\)\{0,1\}$' || {
		echo "lksctp: libconnectx.so does not define sctp_connectx" >&2; return 1; }
}

run() {
	passed=0 failed=0
	for t in $tests; do
		rm -f "$dir/$t.bind".*
		(cd "$dir" && LD_DEBUG=bindings LD_DEBUG_OUTPUT="$dir/$t.bind" \
		    timeout -k 5 120 "./$t") >"$dir/$t.out" 2>&1
		status=$?
		echo "$status" >"$dir/$t.status"
		# "binding file ./test_connectx [0] to /.../libconnectx.so.0 [0]:
		#  normal symbol `sctp_connectx'"
		cat "$dir/$t.bind".* 2>/dev/null | grep "symbol \`sctp_connectx'" |
		    sed 's/.* to \([^ ]*\) .*/\1/' | sort -u >"$dir/$t.binding"
		p=$(grep -c ' PASS : ' "$dir/$t.out")
		f=$(grep -c ' \(FAIL\|BROK\) : ' "$dir/$t.out")
		if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# ended without saying why (signal, timeout)
		fi
		if ! grep -q 'libconnectx' "$dir/$t.binding" || grep -q 'libsctp' "$dir/$t.binding"; then
			echo "$t: sctp_connectx bound to [$(tr '\n' ' ' <"$dir/$t.binding")], not libconnectx"
			f=$((f + 1))
		fi
		echo "$t: exit $status, $p passed, $f failed; sctp_connectx from $(tr '\n' ' ' <"$dir/$t.binding")"
		sed 's/^/    /' "$dir/$t.out"
		passed=$((passed + p)) failed=$((failed + f))
	done
	echo "lksctp func tests: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

case $mode in
fetch) fetch "${3:?BUILD}" ;;
run) run ;;
*) echo "usage: $0 fetch DIR BUILD | run DIR" >&2; exit 2 ;;
esac
