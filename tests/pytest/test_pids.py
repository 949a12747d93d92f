"""Cluster-wide PIDs: node-encoded, allocated locally, reaped, usable."""
import concurrent.futures

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


def repeats(results):
    """PIDs given twice in {node: [pid, ...]}, on one node or two."""
    owner, twice = {}, []
    for n, pids in results.items():
        for p in pids:
            if p in owner:
                twice.append((p, owner[p], n))
            owner[p] = n
    return twice


def test_concurrent_spray_never_repeats_a_pid(cluster3):
    # 3 nodes x 2,000 processes alive at the same time (pid_spray keeps
    # them until the last is forked); every PID of the union is checked.
    def spray(n):
        path = f"/tmp/pids.{n}"
        cluster3.check(n, ["sh", "-c", "echo 20000 > /proc/sys/kernel/threads-max"])
        cluster3.check(n, ["krgrun", "--", f"{PROGS}/pid_spray", str(SPRAY), path], timeout=600)
        return n, [int(x) for x in cluster3.check(n, ["cat", path]).split()]

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        results = dict(pool.map(spray, (1, 2, 3)))
    for n, pids in results.items():
        assert len(pids) == SPRAY + 1
        assert {node_of(p) for p in pids} == {n}, f"node {n} allocated another node's PID"
    assert repeats(results) == []
    # The check sees a repeat, on one node or across two.
    assert repeats({1: [5, 6, 5]}) == [(5, 1, 1)]
    assert repeats({1: [5, 6], 2: [7, 6]}) == [(6, 1, 2)]


def test_proc_and_kill_work_for_cluster_pids(cluster3):
    script = ("sleep 100 & p=$!; test -d /proc/$p || exit 10; "
              "grep -q sleep /proc/$p/cmdline || exit 11; "
              "kill $p; wait $p; echo $p $?")
    pid, status = map(int, cluster3.check(2, ["krgrun", "--", "sh", "-c", script]).split())
    assert node_of(pid) == 2
    assert status == 128 + 15


def test_orphans_are_reaped(cluster3):
    # 50 orphans (their parent shell exits first, before they do) must end
    # up gone once they exit: reaped, no zombie left.
    out = cluster3.check(3, ["krgrun", "--", "sh", "-c",
                             "for i in $(seq 50); do (sleep 600 > /dev/null 2>&1 & echo $!); done"])
    orphans = [int(p) for p in out.split()]
    assert len(orphans) == 50

    def alive():  # kill -0 finds a zombie too: only a reaped one is gone
        r = cluster3.exec(3, ["krgrun", "sh", "-c", " ".join(
            f"kill -0 {p} 2>/dev/null && echo {p};" for p in orphans)])
        return [int(p) for p in r.stdout.split()]

    # Adopted by the namespace's PID 1, all there until they exit...
    assert alive() == orphans
    cluster3.check(3, ["krgrun", "kill"] + [str(p) for p in orphans])
    # ... and then reaped.
    cluster3.wait_for("the orphans to exit and be reaped", lambda: alive() == [], timeout=60)


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
