#!/bin/sh
# Every exported name has an installed man page a user can open, and every
# cross-reference in man/ leads to a page that exists:
#
#  1. make install-data DESTDIR=...: for each name in lib/*.sym (the version
#     scripts: whatever is exported, including names added later), a page
#     NAME.N is installed (a page or a link, Makefile.am's MLINKS), it is
#     the page that documents the name (its NAME section has ".Nm NAME"),
#     and man(1) finds it there;
#  2. each ".Xr name N" in man/ is one of our pages (installed, or in man/
#     for a build without its feature) or a page of the system's manual;
#  3. mandoc -Tlint -W warning man/* says nothing.
#
# The cx_usrsctp_ names are checked only in a build with usrsctp (their
# header and page are installed only then).  Where the system has no
# manual at all (man -w 2 connect finds nothing), references to system
# pages are counted but not checked, unless CX_REQUIRE_SYSTEM_MAN=1.
builddir="${top_builddir:-.}"
srcdir="${top_srcdir:-.}"
command -v make >/dev/null 2>&1 || { echo "make is needed; skipped"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxman.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# A make of our own: not the jobserver or variables of the make running us.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$builddir" install-data \
    DESTDIR="$dest" > "$tmp/install.log" 2>&1; then
	echo "make install-data failed:"
	tail -n 20 "$tmp/install.log"
	exit 1
fi
mandir=$(find "$dest" -type d -name man1 | head -n 1)
[ -n "$mandir" ] || { echo "no man1 directory installed"; exit 1; }
mandir=$(dirname "$mandir")

with_usrsctp=no
grep -q '^#define HAVE_USRSCTP 1' "$builddir/config.h" 2>/dev/null && with_usrsctp=yes

# The names a version script exports: "name;" lines in its global: part.
sym_names() {
	sed -e 's,/\*.*\*/,,g' -e 's/#.*//' "$@" | awk '
		/global:/ { g = 1; sub(/.*global:/, "") }
		/local:/ { g = 0 }
		g { gsub(/[ \t]/, ""); n = split($0, w, ";");
		    for (i = 1; i <= n; i++) if (w[i] ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print w[i] }'
}

# The names a page documents: its .Nm lines before the SYNOPSIS.
page_names() {
	sed -n '/^\.Sh NAME/,/^\.Sh /{s/^\.Nm  *\([^ ,]*\).*/\1/p;}' "$1"
}

syms=$(ls "$srcdir"/lib/*.sym 2>/dev/null)
[ -n "$syms" ] || { echo "no lib/*.sym"; exit 99; }
names=0
for name in $(sym_names $syms | sort -u); do
	case $name in
	cx_usrsctp_*) [ "$with_usrsctp" = yes ] || continue ;;
	esac
	names=$((names + 1))
	page=$(ls "$mandir"/man*/"$name".[0-9]* 2>/dev/null | head -n 1)
	if [ -z "$page" ]; then
		fail "$name is exported ($(grep -l "[[:space:]]$name;" $syms | sed 's,.*/,,' | tr '\n' ' '| sed 's/ $//')) but has no installed man page: add it to a page's NAME section and to MLINKS in Makefile.am"
		continue
	fi
	if [ ! -e "$page" ]; then
		fail "$page is a link to a page that is not installed"
		continue
	fi
	page_names "$page" | grep -qx "$name" ||
		fail "$(basename "$page") opens $(basename "$(readlink -f "$page")"), whose NAME section does not name $name"
	if command -v man >/dev/null 2>&1; then
		sec=${page##*.}
		found=$(MANPATH="$mandir" man -w "$sec" "$name" 2>/dev/null)
		case $found in
		"$mandir"/*) ;;
		*) fail "man -w $sec $name does not find the installed page (got '$found')" ;;
		esac
	fi
done

# Cross-references.
system_man=no
command -v man >/dev/null 2>&1 && man -w 2 connect >/dev/null 2>&1 && system_man=yes
[ "${CX_REQUIRE_SYSTEM_MAN:-0}" = 1 ] && [ "$system_man" = no ] &&
	fail "CX_REQUIRE_SYSTEM_MAN=1, but man -w 2 connect finds no system manual"
refs=0 own=0 system=0 unchecked=0
for ref in $(awk '$1 == ".Xr" { print FILENAME ":" $2 "(" $3 ")" }' "$srcdir"/man/*.[0-9] | sort -u); do
	file=${ref%%:*}; xr=${ref#*:}
	name=${xr%%(*}; sec=${xr#*(}; sec=${sec%)}
	refs=$((refs + 1))
	if [ -e "$mandir/man$sec/$name.$sec" ] || [ -f "$srcdir/man/$name.$sec" ]; then
		own=$((own + 1))
	elif [ "$system_man" = no ]; then
		unchecked=$((unchecked + 1))
	elif man -w "$sec" "$name" >/dev/null 2>&1; then
		system=$((system + 1))
	else
		fail "$(basename "$file"): .Xr $name $sec: no such page (ours or the system's)"
	fi
done

if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W warning "$srcdir"/man/*.[0-9] > "$tmp/lint" 2>&1
	[ -s "$tmp/lint" ] && { cat "$tmp/lint"; fail "mandoc -Tlint -W warning is not clean"; }
fi

[ "$failures" -eq 0 ] || exit 1
note=""
[ "$unchecked" -gt 0 ] && note=", $unchecked not checked (no system manual here)"
echo "man: $names exported names each open their page; $refs cross-references: $own to ours, $system to the system's$note"
