#!/bin/sh
# Each shared object exports its public names and nothing else
# (libconnectx(3)); libconnectx itself neither carries nor needs usrsctp,
# which only libconnectx-usrsctp links (cx_usrsctp_connectx(3), LIBRARY).
b="${top_builddir:-.}"
lib="$b/.libs/libconnectx.so"
[ -f "$lib" ] || { echo "no $lib"; exit 99; }

# exports FILE VERSION NAMES...: FILE's defined dynamic symbols are NAMES.
exports() {
	file=$1 version=$2
	shift 2
	got=$(nm -D --defined-only "$file" | awk -v v="$version" '$2 ~ /^[TDBRVW]$/ && $3 != v {print $3}' | sed 's/@.*//' | sort)
	want=$(echo "$@" | tr ' ' '\n' | sort)
	if [ "$got" != "$want" ]; then
		echo "$file: exported symbols differ from the public names:"
		echo "$got" > exports.got; echo "$want" > exports.want
		diff exports.want exports.got; rm -f exports.got exports.want
		exit 1
	fi
	echo "exports: $(basename "$file"): $(echo "$got" | wc -l) public names, nothing else"
}

exports "$lib" LIBCONNECTX_0 connectx disconnectx sctp_connectx cx_freeattempts \
    cx_freepaddrs cx_getassocid cx_getattempts cx_getdefault cx_getopt \
    cx_getpaddrs cx_getpeerindex cx_setdefault cx_setobserver cx_setopt \
    cx_step cx_dial

# No usrsctp in libconnectx: not linked, no usrsctp symbol wanted.
if nm -D "$lib" | grep -qi usrsctp || readelf -d "$lib" | grep NEEDED | grep -qi usrsctp ||
    ldd "$lib" | grep -qi usrsctp; then
	echo "$lib carries usrsctp:"
	nm -D "$lib" | grep -i usrsctp; readelf -d "$lib" | grep NEEDED; ldd "$lib"
	exit 1
fi
if grep -qi usrsctp "$b/libconnectx.la"; then
	echo "$b/libconnectx.la carries usrsctp:"; grep -i usrsctp "$b/libconnectx.la"; exit 1
fi
echo "exports: libconnectx.so and libconnectx.la carry no usrsctp"

# The usrsctp library exists only in a build with usrsctp.
if grep -q '^#define HAVE_USRSCTP 1' "$b/config.h" 2>/dev/null; then
	ulib="$b/.libs/libconnectx-usrsctp.so"
	[ -f "$ulib" ] || { echo "no $ulib"; exit 1; }
	exports "$ulib" LIBCONNECTX_USRSCTP_0 cx_usrsctp_connectx \
	    cx_usrsctp_getassocid cx_usrsctp_getpaddrs
	readelf -d "$ulib" | grep NEEDED | grep -q 'libconnectx\.so' ||
		{ echo "$ulib does not link libconnectx"; exit 1; }
fi
