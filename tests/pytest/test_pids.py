"""Cluster-wide PIDs: node-encoded, allocated locally, reaped, usable."""
import concurrent.futures
import re

import pytest

SPRAY = 2000
PROGS = "/usr/lib/krg/progs"


def node_of(pid):
    return pid >> 22


def test_krgrun_gives_node_encoded_pids(cluster3):
    for n in (1, 2, 3):
        pid, ppid = map(int, cluster3.check(n, ["krgrun", "--", "sh", "-c", "echo $$ $PPID"]).split())
        assert node_of(pid) == n and 0 < pid & 0x3FFFFF
        # krgrun itself stays outside: the child's parent is not visible.
        assert ppid == 0
    # Outside krgrun, PIDs stay ordinary.
    assert int(cluster3.check(1, ["sh", "-c", "echo $$"])) < 1 << 22


def test_process_group_and_session_are_cluster_pids(cluster3):
    out = cluster3.check(1, ["krgrun", "--", "sh", "-c",
                             "echo $$; awk '{print $5, $6}' /proc/$$/stat"]).split()
    pid, pgrp, sid = map(int, out)
    assert node_of(pid) == 1
    assert pgrp == pid and sid == pid


def test_concurrent_spray_never_repeats_a_pid(cluster3):
    def spray(n):
        path = f"/tmp/pids.{n}"
        cluster3.check(n, ["krgrun", "--", f"{PROGS}/pid_spray", str(SPRAY), path], timeout=600)
        return n, [int(x) for x in cluster3.check(n, ["cat", path]).split()]

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        results = dict(pool.map(spray, (1, 2, 3)))
    owner = {}
    for n, pids in results.items():
        assert len(pids) == SPRAY + 1
        assert {node_of(p) for p in pids} == {n}, f"node {n} allocated another node's PID"
        for p in set(pids):
            assert p not in owner, f"PID {p} seen on nodes {owner[p]} and {n}"
            owner[p] = n


def test_proc_and_kill_work_for_cluster_pids(cluster3):
    script = ("sleep 100 & p=$!; test -d /proc/$p || exit 10; "
              "grep -q sleep /proc/$p/cmdline || exit 11; "
              "kill $p; wait $p; echo $p $?")
    pid, status = map(int, cluster3.check(2, ["krgrun", "--", "sh", "-c", script]).split())
    assert node_of(pid) == 2
    assert status == 128 + 15


def test_orphans_are_reaped(cluster3):
    # 50 orphans (their parent shell exits first) must not stay zombies.
    cluster3.check(3, ["krgrun", "--", "sh", "-c",
                       "for i in $(seq 50); do (sleep 0.2 &); done"])
    cluster3.wait_for("orphans to be reaped", lambda: cluster3.exec(
        3, "grep -l '^State:.*Z' /proc/[0-9]*/status").stdout.strip() == "", timeout=30)


def test_reaper_is_pid_1_of_the_namespace(cluster3):
    reaper = int(cluster3.check(1, ["cat", "/sys/kernel/krg/reaper_pid"]))
    assert reaper > 0
    name = cluster3.check(1, ["cat", f"/proc/{reaper}/comm"]).strip()
    assert name == "krg_reaper"
    # An orphan inside the namespace is adopted by PID 1 there.
    out = cluster3.check(1, ["krgrun", "--", "sh", "-c",
                             "(sleep 2 & echo $!) > /tmp/o; sleep 0.5; "
                             "awk '/^PPid/ {print $2}' /proc/$(cat /tmp/o)/status"])
    assert out.strip() == "1"


def test_chosen_pids_as_restart_needs(cluster3):
    # ns_last_pid steers the next PID within the node's range...
    want = (2 << 22) | 5000
    out = cluster3.check(2, ["krgrun", "--", "sh", "-c",
                             f"echo {want} > /proc/sys/kernel/ns_last_pid; sh -c 'echo $$'; true"])
    assert int(out) == want + 1
    # ...and clone3() set_tid recreates any cluster PID, here one born on node 3.
    other = (3 << 22) | 777
    assert int(cluster3.check(1, ["krgrun", "--", f"{PROGS}/set_tid", str(other)])) == other
    r = cluster3.exec(1, ["krgrun", "--", "sh", "-c", f"{PROGS}/set_tid $$"])  # its own PID
    assert r.status == 1 and "File exists" in r.stderr
    r = cluster3.exec(1, ["krgrun", "--", f"{PROGS}/set_tid", str(1 << 30)])
    assert r.status == 1 and "Invalid argument" in r.stderr


@pytest.mark.parametrize("args, status, message", [
    ([], 2, "missing command"),
    (["--"], 2, "missing command"),
    (["/nonexistent"], 127, "/nonexistent: No such file or directory"),
])
def test_krgrun_errors(cluster3, args, status, message):
    r = cluster3.exec(1, ["krgrun", *args])
    assert r.status == status
    assert message in r.stderr


def test_krgrun_needs_privilege(cluster3):
    r = cluster3.exec(1, ["/usr/lib/krg/progs/runas", "1000", "krgrun", "--", "true"])
    assert r.status == 125 and r.stderr.startswith("krgrun: cannot ")


def test_krgrun_help(cluster3):
    r = cluster3.exec(1, ["krgrun", "--help"])
    assert r.status == 0 and "usage: krgrun" in r.stdout
