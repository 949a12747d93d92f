#!/bin/sh
# make demo: a 3-node krg cluster joins, RPC works between every pair,
# processes get cluster-wide PIDs, a process tree checkpointed on node 1
# restarts on node 2 with the same PIDs, a running computation migrates
# from node 1 to node 2 and on to node 3 while its parent on node 1 waits
# for it, a computation on node 3 is protected by the periodic_coordinated
# HA policy, node 3 crashes, the survivors notice and the computation goes
# on from its last checkpoint on node 1 to the right result.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
run=$(mktemp -d /tmp/krg-demo-XXXXXX)
kc() { "$top/tests/harness/krgcluster" "$@" --run-dir "$run"; }
kx() { node=$1; shift; "$top/tests/harness/krgcluster" exec --run-dir "$run" "$node" -- "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
trap 'kc down >/dev/null 2>&1 || true; rm -rf "$run"' EXIT

say "Booting 3 krg nodes (QEMU) on one loopback wire"
"$top/tests/harness/krgcluster" up --nodes 3 --session 42 --run-dir "$run"

say "Waiting for every node to see the whole cluster"
for n in 1 2 3; do
	i=0
	until [ "$(kx $n cat /sys/kernel/krg/nodes/online)" = "1-3" ]; do
		i=$((i + 1)); [ $i -lt 120 ] || { echo "node $n never saw 1-3"; exit 1; }
		sleep 0.5
	done
done
kx 1 krgadm cluster status
kx 1 krgadm nodes status

say "RPC ping between every pair of nodes (100 round trips of 4 KiB)"
for a in 1 2 3; do
	for b in 1 2 3; do
		[ $a = $b ] && continue
		printf 'node %s -> ' $a
		kx $a krgadm rpc ping $b --size 4096 --count 100
	done
done
echo "node 1 -> all nodes at once (multicast call, gathered replies):"
kx 1 krgadm rpc ping all --size 4096 --count 20

say "Cluster-wide PIDs: a process started with krgrun carries its node"
for n in 1 2 3; do
	pid=$(kx $n krgrun -- sh -c 'echo $$')
	echo "node $n: krgrun -- sh got PID $pid = $((pid >> 22)) << 22 | $((pid & 4194303))"
done

say "Checkpoint on node 1, restart on node 2 (asked from node 1): same PIDs, same shared state"
prog=/usr/lib/krg/progs/cr_tree
kx 1 sh -c "(krgrun krgcr-run $prog > /krg/shared/demo.out 2>&1 < /dev/null) \
	< /dev/null > /dev/null 2>&1 &"
i=0
until grep -q READY "$run/shared/demo.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 120 ] || { echo "cr_tree did not start"; exit 1; }
	sleep 0.5
done
pid=$(sed -n 's/^READY //p' "$run/shared/demo.out")
echo "krgps on node 3: a tree of 3 processes on node 1 (a pipe and shared memory between them):"
kx 3 krgps | grep -E "PID|cr_tree"
kx 1 checkpoint --kill -o /krg/shared/demo.img "$pid"
ls -l "$run/shared/demo.img"
echo "node 1: restart --node 2 (node 2 restarts it; its reaper adopts the root):"
kx 1 restart --node 2 /krg/shared/demo.img
echo "krgps on node 3: the same processes, PIDs and links, now on node 2:"
kx 3 krgps | grep -E "PID|cr_tree"
echo "node 3 reads /proc/$pid/status of the root, which runs on node 2:"
kx 3 krgrun grep -E "^(Name|State|Pid|PPid|Threads):" "/proc/$pid/status"
echo "node 3: kill -USR1 $pid (the signal goes to node 2, where the tree checks itself):"
kx 3 krgrun kill -USR1 "$pid"
i=0
until grep -q -E "PASS|FAIL" "$run/shared/demo.out"; do
	i=$((i + 1)); [ $i -lt 120 ] || { echo "cr_tree did not finish"; exit 1; }
	sleep 0.5
done
echo "its output (written on node 1, then on node 2):"
cat "$run/shared/demo.out"
grep -q PASS "$run/shared/demo.out"

say "Migration: a computation moves from node 1 to node 2, then on to node 3"
kx 1 sh -c "krgrun sh -c 'krgcr-run /usr/lib/krg/progs/cr_cpu > /krg/shared/cpu.out 2>&1 & \
	echo \$! > /krg/shared/cpu.pid; wait \$!; echo \$? > /krg/shared/cpu.status' \
	< /dev/null > /dev/null 2>&1 &"
i=0
until grep -q READY "$run/shared/cpu.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 120 ] || { echo "cr_cpu did not start"; exit 1; }
	sleep 0.5
done
pid=$(cat "$run/shared/cpu.pid")
kx 1 krgrun krgcapset -k "$pid" -e +CAN_MIGRATE
echo "its parent is a shell on node 1, which waits for it; krgps on node 3:"
kx 3 krgps | grep -E "PID|cr_cpu"
kx 1 migrate --stats "$pid" 2
kx 3 krgps | grep -E "PID|cr_cpu"
echo "node 1 asks again: node 2, which runs it now, moves it on to node 3:"
kx 1 migrate "$pid" 3
kx 3 krgps | grep -E "PID|cr_cpu"
echo "node 1: kill -USR1 $pid (its shadow on node 1 forwards it to node 3):"
kx 1 krgrun kill -USR1 "$pid"
i=0
until [ -s "$run/shared/cpu.status" ]; do
	i=$((i + 1)); [ $i -lt 120 ] || { echo "the parent never saw it exit"; exit 1; }
	sleep 0.5
done
cat "$run/shared/cpu.out"
echo "the parent on node 1 waited for it: exit status $(cat "$run/shared/cpu.status")"
[ "$(cat "$run/shared/cpu.status")" = 0 ]

say "HA: periodic_coordinated checkpoints a computation on node 3 every 2 s"
steps=600000000
kx 1 krgadm ha load periodic_coordinated
kx 3 sh -c "(krgrun krgcr-run /usr/lib/krg/progs/cr_cpu $steps > /krg/shared/ha.out 2>&1 \
	< /dev/null) < /dev/null > /dev/null 2>&1 &"
i=0
until grep -q READY "$run/shared/ha.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 120 ] || { echo "cr_cpu did not start"; exit 1; }
	sleep 0.5
done
hapid=$(sed -n 's/^READY //p' "$run/shared/ha.out")
kx 1 krgadm ha attach "$hapid" periodic_coordinated interval=2
ha_field() { kx 1 krgadm ha status --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
i=0
until [ "$(ha_field committed)" -ge 2 ] 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 120 ] || { echo "no checkpoint set committed"; exit 1; }
	sleep 0.5
done
kx 1 krgadm ha status

say "Crashing node 3 (its QEMU is killed)"
kc crash 3
for n in 1 2; do
	i=0
	until [ "$(kx $n cat /sys/kernel/krg/nodes/online)" = "1-2" ]; do
		i=$((i + 1)); [ $i -lt 60 ] || { echo "node $n never noticed"; exit 1; }
		sleep 0.25
	done
	echo "node $n noticed after about $((i / 4)) s:"
	kx $n krgadm nodes status
done
kx 1 sh -c 'dmesg | grep -E "krg: node 3|krg: ha"'
printf 'node 1 -> '
kx 1 krgadm rpc ping 3 || true
kx 1 krgadm rpc ping 1-3 || true

say "HA: the computation rolled back to its last set, on node 1, and finishes"
i=0
until [ "$(ha_field recoveries)" = 1 ]; do
	i=$((i + 1)); [ $i -lt 120 ] || { echo "it was not recovered"; exit 1; }
	sleep 0.5
done
kx 1 krgadm ha status
kx 1 krgps | grep -E "PID|cr_cpu"
i=0
until grep -q RESULT "$run/shared/ha.out"; do
	i=$((i + 1)); [ $i -lt 600 ] || { echo "it did not finish"; exit 1; }
	sleep 0.5
done
cat "$run/shared/ha.out"
golden=$("$top/build/progs/cr_cpu" $steps | grep RESULT)
[ "$(grep RESULT "$run/shared/ha.out")" = "$golden" ]
echo "the same result as the same steps run without a crash (on the host)"

say "Kernel logs clean?"
kc status
say "Shutting down"
