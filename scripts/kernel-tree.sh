#!/bin/sh
# Prepare the krg kernel source tree in build/:
#   unpack Debian's linux-source-6.12, apply kernel/patches/series in order
#   (re-applying only when the series changed), link kernel/krg into it.
# Usage: scripts/kernel-tree.sh TOPDIR BUILDDIR
set -e
top=$1
build=$2
tarball=/usr/src/linux-source-6.12.tar.xz
src=$build/linux-source-6.12
applied=$build/patches-applied

die() { echo "kernel-tree: $*" >&2; exit 1; }

[ -f "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.12)"

if [ ! -f "$src/.krg-unpacked" ]; then
	echo "kernel-tree: unpacking $tarball"
	rm -rf "$src" "$applied"
	mkdir -p "$build"
	tar -C "$build" -xf "$tarball"
	touch "$src/.krg-unpacked"
fi

version=$(make -s -C "$src" kernelversion 2>/dev/null)
case "$version" in
6.12.*) ;;
*) die "unpacked tree is Linux '$version', krg patches need 6.12.x" ;;
esac
echo "$version" > "$build/kernel-version"

# Nothing to do if the applied series is the current one.
if [ -d "$applied" ] && diff -r -q "$applied" "$top/kernel/patches" >/dev/null 2>&1; then
	:
else
	# Take back what an older series applied, newest first.
	if [ -f "$applied/series" ]; then
		for p in $(sed -n '/^[^#]/p' "$applied/series" | tac); do
			patch -s -R -p1 -d "$src" < "$applied/$p" ||
				die "cannot revert old patch $p; remove $src and rebuild"
		done
	fi
	rm -rf "$applied"
	for p in $(sed -n '/^[^#]/p' "$top/kernel/patches/series"); do
		[ -f "$top/kernel/patches/$p" ] || die "series names missing patch $p"
		if ! patch -s -p1 -N --dry-run -d "$src" < "$top/kernel/patches/$p" >/dev/null; then
			die "patch $p does not apply to Linux $version"
		fi
		patch -s -p1 -N -d "$src" < "$top/kernel/patches/$p"
		echo "kernel-tree: applied $p"
	done
	cp -r "$top/kernel/patches" "$applied"
fi

ln -sfn "$top/kernel/krg" "$src/kernel/krg"
echo "kernel-tree: Linux $version ready in $src"
