#!/bin/sh
# Each shared object exports its public names and nothing else
# (libconnectx(3)); libconnectx itself neither carries nor needs usrsctp,
# which only libconnectx-usrsctp links (cx_usrsctp_connectx(3), LIBRARY).
# So does each static archive where they are built (configure
# --enable-static: lib/localize-archive.sh), and a program with functions
# of the libraries' internal names (engine_connect, registry_lock,
# addr_family) links with them (HACKING.md, Rules of the shape).
b="${top_builddir:-.}"
src="${top_srcdir:-${srcdir:-.}}"

# The names a version script exports: "name;" lines in its global: part
# (lib/*.sym are the one list of public names; nothing here repeats them).
sym_names() {
	sed -e 's,/\*.*\*/,,g' -e 's/#.*//' "$1" | awk '
		/global:/ { g = 1; sub(/.*global:/, "") }
		/local:/ { g = 0 }
		g { gsub(/[ \t]/, ""); n = split($0, w, ";");
		    for (i = 1; i <= n; i++) if (w[i] ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print w[i] }'
}
public=$(sym_names "$src/lib/libconnectx.sym")
upublic=$(sym_names "$src/lib/libconnectx-usrsctp.sym")
[ -n "$public" ] && [ -n "$upublic" ] || { echo "no names in $src/lib/*.sym"; exit 99; }

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

exports "$lib" LIBCONNECTX_0 $public

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
	exports "$ulib" LIBCONNECTX_USRSCTP_0 $upublic
	readelf -d "$ulib" | grep NEEDED | grep -q 'libconnectx\.so' ||
		{ echo "$ulib does not link libconnectx"; exit 1; }
fi

# The static archives, where built: their global symbols are the same names.
archive="$b/.libs/libconnectx.a"
if [ ! -f "$archive" ]; then
	echo "exports: no static archive built"
	exit 0
fi
# archive_exports ARCHIVE NAMES...: ARCHIVE's global symbols are NAMES.
archive_exports() {
	file=$1
	shift
	got=$(nm -g --defined-only "$file" | awk 'NF == 3 {print $3}' | sort)
	want=$(echo "$@" | tr ' ' '\n' | sort)
	if [ "$got" != "$want" ]; then
		echo "$file: global symbols differ from the public names:"
		echo "$got" > exports.got; echo "$want" > exports.want
		diff exports.want exports.got; rm -f exports.got exports.want
		exit 1
	fi
	echo "exports: $(basename "$file"): $(echo "$got" | wc -l) public names, nothing else"
}
archive_exports "$archive" $public
archives="$archive"
if grep -q '^#define HAVE_USRSCTP 1' "$b/config.h" 2>/dev/null; then
	uarchive="$b/.libs/libconnectx-usrsctp.a"
	archive_exports "$uarchive" $upublic
	archives="$uarchive $archive"
fi

# A program of its own with the libraries' internal names, linked statically.
mk() { sed -n "s/^$1 = //p" "$b/Makefile"; }
cc=$(mk CC) san=$(mk SAN_CFLAGS) usrsctp_libs=$(mk USRSCTP_LIBS)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxstatic.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/own.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <connectx.h>
/* A program's own functions that share the libraries' internal names. */
int engine_connect(void);
int registry_lock(void);
int addr_family(void);
int engine_connect(void) { return 1; }
int registry_lock(void) { return 2; }
int addr_family(void) { return 3; }
int
main(void)
{
	errno = 0;
	if (connectx(-1, NULL, SAE_ASSOCID_ANY, 0, NULL, 0, NULL, NULL) != -1 ||
	    errno != EBADF)
		return printf("connectx(-1): not EBADF\n"), 1;
	return engine_connect() + registry_lock() + addr_family() == 6 ? 0 : 1;
}
EOF
# (libconnectx-usrsctp.a first: the linker takes members in order)
if ! $cc $san -I"${top_srcdir:-.}/include" -I"${top_srcdir:-.}/compat" -o "$tmp/own" \
    "$tmp/own.c" -Wl,--whole-archive $archives -Wl,--no-whole-archive \
    $usrsctp_libs -pthread > "$tmp/cc.log" 2>&1; then
	echo "a program with its own engine_connect, registry_lock and addr_family does not link with $archives:"
	cat "$tmp/cc.log"
	exit 1
fi
"$tmp/own" || { echo "the statically linked program failed"; exit 1; }
echo "exports: a program with the libraries' internal names links with $(echo $archives | sed 's,[^ ]*/,,g')"
