#!/bin/sh
# make install DESTDIR=...: the shared library with its SONAME, the .pc
# file, the headers, the man pages and the tool; then a consumer built with
# pkg-config against the installed copy connects on loopback.  Everything
# is written under one temporary directory, removed at the end.
builddir="${top_builddir:-.}"
for tool in make pkg-config readelf "${CC:-cc}"; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "$tool is needed for the install test; skipped"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxinstall.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# A make of our own: not the jobserver or variables of the make running us.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$builddir" install \
    DESTDIR="$dest" > "$tmp/install.log" 2>&1; then
	echo "make install failed:"
	tail -n 20 "$tmp/install.log"
	exit 1
fi

found() {	# the one installed file named $1
	find "$dest" -name "$1" \( -type f -o -type l \) | head -n 1
}

pc=$(found libconnectx.pc)
so=$(found libconnectx.so.0)
[ -n "$pc" ] || fail "no libconnectx.pc installed"
[ -n "$so" ] || fail "no libconnectx.so.0 installed"
for f in connectx.h darwin.h sctp.h cxconnect cxconnect.1 connectx.2 \
    disconnectx.2 sctp_connectx.3 libconnectx.3 cx_dial.3; do
	[ -n "$(found "$f")" ] || fail "$f not installed"
done
[ -n "$(find "$dest" -path '*/include/connectx/darwin.h')" ] ||
	fail "connectx/darwin.h not under include/connectx"
[ "$failures" -eq 0 ] || exit 1

soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libconnectx.so.0" ] || fail "SONAME is '$soname', want libconnectx.so.0"

# The consumer: cx_dial and connectx against its own loopback listener.
cat > "$tmp/consumer.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <connectx.h>

int
main(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	sa_endpoints_t ep;
	cx_sctp_assoc_t id = 0;
	char port[8];
	int l, fd, gai;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(l, 4) != 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) != 0)
		return perror("listener"), 2;
	snprintf(port, sizeof(port), "%u", ntohs(sin.sin_port));
	if ((fd = cx_dial("127.0.0.1", port, SOCK_STREAM, NULL, &id, &gai)) == -1)
		return perror("cx_dial"), 1;
	close(fd);
	memset(&ep, 0, sizeof(ep));
	ep.sae_dstaddr = (struct sockaddr *)&sin;
	ep.sae_dstaddrlen = sizeof(sin);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connectx(fd, &ep, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) != 0)
		return perror("connectx"), 1;
	printf("consumer: cx_dial (association %ld) and connectx connected\n", (long)id);
	return 0;
}
EOF

# pkg-config's sysroot puts the DESTDIR in front of -I and -L.
# The system's own .pc files stay visible: libconnectx-usrsctp requires usrsctp.
syspc=$(pkg-config --variable pc_path pkg-config)
flags=$(PKG_CONFIG_LIBDIR="$(dirname "$pc"):$syspc" \
    PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config --cflags --libs libconnectx) ||
	{ echo "pkg-config does not know libconnectx"; exit 1; }
case "$flags" in
*"$dest"*) ;;
*) fail "pkg-config flags do not point into the installed copy: $flags" ;;
esac
if ! ${CC:-cc} -o "$tmp/consumer" "$tmp/consumer.c" $flags > "$tmp/cc.log" 2>&1; then
	echo "the consumer does not build: ${CC:-cc} ... $flags"
	cat "$tmp/cc.log"
	exit 1
fi
case "$flags" in
*usrsctp*) fail "pkg-config libconnectx brings usrsctp: $flags" ;;
esac
LD_LIBRARY_PATH="$(dirname "$so")" "$tmp/consumer" || fail "the consumer did not connect"
# A TCP-only program loads no usrsctp (libconnectx-usrsctp has it).
LD_LIBRARY_PATH="$(dirname "$so")" LD_TRACE_LOADED_OBJECTS=1 "$tmp/consumer" |
	grep -qi usrsctp && fail "the consumer of libconnectx loads usrsctp"
# It ran against the installed library, not the build tree's.
LD_LIBRARY_PATH="$(dirname "$so")" LD_TRACE_LOADED_OBJECTS=1 "$tmp/consumer" |
	grep -q "$dest" || fail "the consumer did not load the installed libconnectx"

# A client written as macOS programs call connectx for fast open, its
# source unchanged: <connectx.h> comes in by -include.
srcdir="${top_srcdir:-.}"
if ! ${CC:-cc} -o "$tmp/macos_client" -include connectx.h \
    "$srcdir/examples/macos_client.c" $flags > "$tmp/cc.log" 2>&1; then
	echo "examples/macos_client.c does not build unchanged:"
	cat "$tmp/cc.log"
	exit 1
fi
if command -v python3 >/dev/null 2>&1; then
	# The port file appears whole (renamed into place), once listening.
	python3 - "$tmp/port" <<'PY' &
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1] + ".new", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".new", sys.argv[1])
s.settimeout(10)
c, _ = s.accept(); got = b""
while True:
    b = c.recv(100)
    if not b: break
    got += b
c.sendall(b"got " + got); c.close()
PY
	server=$!
	# Wait on readiness, not on time (python3 alone can take seconds on a
	# loaded machine): until the port is there or the listener is gone.
	while [ ! -s "$tmp/port" ] && kill -0 "$server" 2>/dev/null; do
		sleep 0.05
	done
	[ -s "$tmp/port" ] || fail "the python3 listener did not start"
	reply=$(LD_LIBRARY_PATH="$(dirname "$so")" "$tmp/macos_client" 127.0.0.1 \
	    "$(cat "$tmp/port")" hello)
	wait
	[ "$reply" = "got hello" ] || fail "macos_client: reply '$reply', want 'got hello'"
fi

# The usrsctp library, where it was built: its own .so, .pc and header.
usrsctp_said=""
if grep -q '^#define HAVE_USRSCTP 1' "$builddir/config.h" 2>/dev/null; then
	upc=$(found libconnectx-usrsctp.pc)
	uso=$(found libconnectx-usrsctp.so.0)
	[ -n "$upc" ] || fail "no libconnectx-usrsctp.pc installed"
	[ -n "$uso" ] || fail "no libconnectx-usrsctp.so.0 installed"
	for f in connectx_usrsctp.h cx_usrsctp_connectx.3; do
		[ -n "$(found "$f")" ] || fail "$f not installed"
	done
	[ "$failures" -eq 0 ] || exit 1
	cat > "$tmp/uconsumer.c" <<'EOF2'
#include <errno.h>
#include <stdio.h>
#include <connectx_usrsctp.h>

int
main(void)
{
	sctp_assoc_t id;

	/* No stack needed: a missing socket is refused before usrsctp is asked. */
	if (cx_usrsctp_getassocid(NULL, &id) != -1 || errno != EBADF)
		return puts("cx_usrsctp_getassocid(NULL) did not fail with EBADF"), 1;
	return 0;
}
EOF2
	uflags=$(PKG_CONFIG_LIBDIR="$(dirname "$upc"):$syspc" \
	    PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config --cflags --libs libconnectx-usrsctp) ||
		{ echo "pkg-config does not know libconnectx-usrsctp"; exit 1; }
	if ! ${CC:-cc} -o "$tmp/uconsumer" "$tmp/uconsumer.c" $uflags > "$tmp/cc.log" 2>&1; then
		echo "the usrsctp consumer does not build: ${CC:-cc} ... $uflags"
		cat "$tmp/cc.log"
		exit 1
	fi
	LD_LIBRARY_PATH="$(dirname "$uso")" "$tmp/uconsumer" || fail "the usrsctp consumer failed"
	usrsctp_said="; libconnectx-usrsctp (.so, .pc, header) built a consumer that ran"
fi

[ "$failures" -eq 0 ] || exit 1
echo "install: SONAME $soname, pc, headers, man pages and tool; consumer built with pkg-config ran; macOS-style client built unchanged and ran$usrsctp_said"
