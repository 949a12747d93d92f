#!/bin/busybox sh
# /init of a krg test node: mount the basics and the shared directory, then
# hand PID 1 to krg-agent, which runs the harness's commands.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin:/sbin
mkdir -p /proc /sys /dev /tmp /run /krg/shared
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Pseudo-terminals, as programs (and CRIU's checks) expect them.
mkdir -p /dev/pts
mount -t devpts -o ptmxmode=0666 devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap krgshared /krg/shared ||
	echo "init: /krg/shared not mounted"
# cache=mmap caches writes: flush them within about a second (not 30 s),
# so that the host sees the output of the node's programs when they print.
echo 100 > /proc/sys/vm/dirty_expire_centisecs
echo 50 > /proc/sys/vm/dirty_writeback_centisecs
# The cluster key, from a root-only file of the node image: the kernel
# waits for it before the node joins (Documentation/security.md).
if [ -f /etc/krg/cluster.key ]; then
	krgadm cluster key set /etc/krg/cluster.key || echo "init: cluster key not set"
fi
hostname "node$(cat /sys/kernel/krg/node_id 2>/dev/null)"
ip link set lo up 2>/dev/null
echo "init: krg node $(cat /sys/kernel/krg/node_id) ($(cat /sys/kernel/krg/state))"
exec /sbin/krg-agent
