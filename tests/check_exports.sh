#!/bin/sh
# The shared object exports the public names and nothing else (SPEC §1).
lib="${top_builddir:-.}/.libs/libconnectx.so"
[ -f "$lib" ] || { echo "no $lib"; exit 99; }
expected="connectx disconnectx sctp_connectx cx_freeattempts cx_freepaddrs
cx_getassocid cx_getattempts cx_getdefault cx_getopt cx_getpaddrs cx_getpeerindex
cx_setdefault cx_setobserver cx_setopt cx_step cx_dial"
# The usrsctp calls exist only in a build with usrsctp.
if grep -q '^#define HAVE_USRSCTP 1' "${top_builddir:-.}/config.h" 2>/dev/null; then
	expected="$expected cx_usrsctp_connectx cx_usrsctp_getassocid cx_usrsctp_getpaddrs"
fi
got=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ && $3 != "LIBCONNECTX_0" {print $3}' | sed 's/@.*//' | sort)
want=$(echo $expected | tr ' ' '\n' | sort)
if [ "$got" != "$want" ]; then
	echo "exported symbols differ from the public names:"
	echo "$got" > exports.got; echo "$want" > exports.want
	diff exports.want exports.got; rm -f exports.got exports.want
	exit 1
fi
echo "exports: $(echo "$got" | wc -l) public names, nothing else"
