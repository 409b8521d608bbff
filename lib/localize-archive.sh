#!/bin/sh
# localize-archive.sh ARCHIVE SYMFILE...
#
# Rewrites a static library so that its global symbols are exactly the names
# its version scripts export (the shared object's list): the archive's
# objects are linked into one relocatable object (ld -r), so that the
# library's own calls between files are resolved inside it, and every other
# global symbol is made local (objcopy --keep-global-symbols).  Without this,
# internal names (engine_connect, registry_lock, ...) are global in
# libconnectx.a and collide with a program's own names of the same spelling.
#
# Environment: AR, RANLIB, LD, OBJCOPY (configure's choices; plain names
# by default).  Makefile.am calls it after libtool has built the archive.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 ARCHIVE SYMFILE..." >&2; exit 2; }
archive=$1
shift
: "${AR:=ar}" "${RANLIB:=ranlib}" "${LD:=ld}" "${OBJCOPY:=objcopy}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxar.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The exported names: "name;" in a version script's global: part.
sed -e 's,/\*.*\*/,,g' -e 's/#.*//' "$@" | awk '
	/global:/ { g = 1; sub(/.*global:/, "") }
	/local:/ { g = 0 }
	g { gsub(/[ \t]/, ""); n = split($0, w, ";");
	    for (i = 1; i <= n; i++) if (w[i] ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print w[i] }' \
	> "$tmp/keep"
[ -s "$tmp/keep" ] || { echo "$0: no exported names in $*" >&2; exit 1; }

case $archive in
/*) ;;
*) archive=$(pwd)/$archive ;;
esac
# The members (libtool gives every object of the archive a name of its own).
mkdir "$tmp/o"
(cd "$tmp/o" && "$AR" x "$archive")

# (LD may carry options: "ld -m elf_x86_64")
$LD -r -o "$tmp/lib.o" "$tmp"/o/*
"$OBJCOPY" --keep-global-symbols="$tmp/keep" "$tmp/lib.o"
base=$(basename "$archive" .a)
mv "$tmp/lib.o" "$tmp/$base.o"
rm -f "$tmp/new.a"
"$AR" cr "$tmp/new.a" "$tmp/$base.o"
"$RANLIB" "$tmp/new.a"
mv "$tmp/new.a" "$archive"
