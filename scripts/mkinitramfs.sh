#!/bin/sh
# Build the node initramfs: busybox, krg-agent as PID 1, the ssi-tools and
# the test programs (stripped: a smaller image boots faster under TCG), and
# CRIU when the host has it.
# Usage: scripts/mkinitramfs.sh TOPDIR BUILDDIR OUTPUT
set -e
top=$1
build=$2
out=$3
root=$build/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/lib/krg/progs" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc" "$root/root"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$top/tests/harness/init.sh" "$root/init"
install -s -m 755 "$build/progs/krg-agent" "$root/sbin/krg-agent"
install -m 755 "$top/tests/harness/krg-fence" "$root/sbin/krg-fence"
for t in "$build"/ssi-tools/bin/*; do
	case "$(basename "$t")" in *-tests) continue ;; esac
	[ -x "$t" ] && install -s -m 755 "$t" "$root/usr/bin/"
done
for p in "$build"/progs/*; do
	case "$(basename "$p")" in krg-agent) continue ;; esac
	install -s -m 755 "$p" "$root/usr/lib/krg/progs/"
done
# CRIU, for the benchmarks that run it beside krg (tests/bench/vs_criu_bench.py):
# Debian's dynamic criu, each shared library ldd lists (at its own path) and
# the loader; none of it when the host has no criu.
if [ -x /usr/sbin/criu ]; then
	mkdir -p "$root/usr/sbin"
	for f in /usr/sbin/criu $(ldd /usr/sbin/criu | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
	ln -s ../sbin/criu "$root/usr/bin/criu"
fi
# HA policy modules (ha-policies/), where the kernel's request_module()
# finds them: busybox modprobe in /lib/modules/RELEASE, indexed by depmod.
ln -s ../bin/busybox "$root/sbin/modprobe"
release=$(cat "$build/kernel/include/config/kernel.release" 2>/dev/null || true)
if [ -n "$release" ]; then
	mkdir -p "$root/lib/modules/$release/extra"
	for m in "$top"/ha-policies/*/*.ko; do
		[ -f "$m" ] && install -m 644 "$m" "$root/lib/modules/$release/extra/"
	done
	busybox depmod -b "$root" "$release"
fi
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs: $out ($(du -h "$out" | cut -f1))"
