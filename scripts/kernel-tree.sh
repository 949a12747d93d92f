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

version=$(make -s --no-print-directory -C "$src" kernelversion 2>/dev/null)
case "$version" in
6.12.*) ;;
*) die "unpacked tree is Linux '$version', krg patches need 6.12.x" ;;
esac
echo "$version" > "$build/kernel-version"

# Patches applied before, in order, and the current series.
old_series=""
if [ -f "$applied/series" ]; then
	old_series=$(sed -n '/^[^#]/p' "$applied/series")
fi
new_series=$(sed -n '/^[^#]/p' "$top/kernel/patches/series")

# Keep the longest unchanged prefix of the series applied; take back the
# rest of the old series, newest first, then apply the rest of the new one.
keep=0
set -- $new_series
for p in $old_series; do
	[ "$p" = "${1:-}" ] && cmp -s "$applied/$p" "$top/kernel/patches/$p" || break
	keep=$((keep + 1))
	shift
done
n=0
for p in $(echo "$old_series" | tac); do
	n=$((n + 1))
	[ $n -le $(($(echo "$old_series" | grep -c .) - keep)) ] || break
	patch -s -R -p1 -d "$src" < "$applied/$p" ||
		die "cannot revert old patch $p; remove $src and rebuild"
	echo "kernel-tree: reverted $p"
done
i=0
for p in $new_series; do
	i=$((i + 1))
	[ $i -gt $keep ] || continue
	[ -f "$top/kernel/patches/$p" ] || die "series names missing patch $p"
	if ! patch -s -p1 -N --dry-run -d "$src" < "$top/kernel/patches/$p" >/dev/null; then
		die "patch $p does not apply to Linux $version"
	fi
	patch -s -p1 -N -d "$src" < "$top/kernel/patches/$p"
	echo "kernel-tree: applied $p"
done
rm -rf "$applied"
cp -r "$top/kernel/patches" "$applied"

ln -sfn "$top/kernel/krg" "$src/kernel/krg"
echo "kernel-tree: Linux $version ready in $src"
