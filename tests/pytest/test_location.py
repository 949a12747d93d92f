"""The PID location directory: a PID's home node knows where it runs when
that is another node, so calls to it go to one node, not to all; while the
home is down, every node is asked, and the answer is the same."""
import pytest

from crlib import PROGS, SH, checkpoint, output, restart, running, signal, start, wait_line
from test_krgps import RUNAS, sleeper
from test_signals import kill

# On the normal kernel only: its fresh clusters, crashed and rebooted, cost
# 9 minutes on the debug kernel (CI time); location.c runs there under
# test_signals and test_migrate.


def counter(c, node, name):
    return int(c.check(node, ["cat", f"/sys/kernel/krg/{name}"]))


def counters(c, node):
    return counter(c, node, "locate_direct"), counter(c, node, "locate_broadcast")


def lookups(c, node):
    """Calls sent to one node, to all, and lookups in another's directory."""
    return counters(c, node) + (counter(c, node, "locate_where"),)


def moved_tree(c, name, src, dst):
    """cr_tree started on src, checkpointed and restarted on dst: its PIDs."""
    pid = start(c, src, name, "cr_tree")
    kids = [int(k) for k in wait_line(c, name, r"CHILDREN (\d+) (\d+)").groups()]
    img = f"{SH}/{name}.img"
    r = checkpoint(c, src, pid, img, "--kill")
    assert r.status == 0, r.stderr
    c.wait_for("the checkpointed tree to be reaped", lambda: not running(c, src, pid), 30)
    r = restart(c, dst, img)
    assert r.status == 0, r.stderr
    return [pid] + kids


def cluster(make_cluster):
    """A fresh 3-node cluster: the directory starts empty on every node
    (the shared debug cluster holds what earlier tests left running)."""
    c = make_cluster()
    c.up(3)
    for n in (1, 2, 3):
        c.wait_for(f"node {n} to see 1-3 online", lambda n=n: c.online(n) == "1-3", 60)
    return c


def test_home_knows_where_its_pids_run_and_calls_go_to_one_node(make_cluster):
    c = cluster(make_cluster)
    assert counter(c, 1, "pids_away") == 0
    pids = moved_tree(c, "loc_tree", 1, 2)
    # Node 1, their home, notes the three processes on node 2...
    assert counter(c, 1, "pids_away") == 3
    assert counter(c, 2, "pids_away") == 0
    # ...and holds their PIDs: it cannot give them to another process.
    for p in pids:
        r = c.exec(1, ["krgrun", "--", f"{PROGS}/set_tid", str(p)])
        assert r.status == 1 and "File exists" in r.stderr, (p, r)
    before = counters(c, 3)
    for p in pids:
        r = kill(c, 3, "-0", str(p), uid=0)
        assert r.status == 0, r.stderr
    assert c.check(3, ["krgrun", "cat", f"/proc/{pids[0]}/cmdline"]).startswith("/usr/lib/krg")
    direct, broadcast = counters(c, 3)
    # Each call asked node 1 where, then node 2 alone; none asked all.
    assert broadcast == before[1] and direct >= before[0] + 4, (before, direct, broadcast)
    # Found on node 2 once, each is asked there alone next time: one round
    # trip per call (proc/runner.c), as for a process at home.
    for p in pids:
        before = lookups(c, 3)
        r = kill(c, 3, "-0", str(p), uid=0)
        assert r.status == 0, r.stderr
        assert lookups(c, 3) == (before[0] + 1, before[1], before[2]), (p, before)
    at_home = start(c, 2, "loc_home", "cr_dirty", "1")
    before = lookups(c, 3)
    assert kill(c, 3, "-0", str(at_home), uid=0).status == 0
    assert lookups(c, 3) == (before[0] + 1, before[1], before[2]), before
    c.check(2, ["krgrun", "kill", "-KILL", str(at_home)])
    signal(c, 3, pids[0])
    wait_line(c, "loc_tree", r"PASS|FAIL")
    assert "PASS" in output(c, "loc_tree")
    for p in pids:
        c.wait_for(f"{p} to be reaped", lambda p=p: not running(c, 2, p), 60)
    # Reaped on node 2: node 1 forgets them, and says nobody runs them.
    c.wait_for("node 1 to forget them", lambda: counter(c, 1, "pids_away") == 0, 30)
    assert int(c.check(1, ["krgrun", "--", f"{PROGS}/set_tid", str(pids[1])])) == pids[1]
    before = counters(c, 3)
    r = kill(c, 3, "-0", str(pids[0]), uid=0)
    assert r.status != 0 and "No such process" in r.stderr, r.stderr
    assert counters(c, 3)[1] == before[1]


def test_while_the_home_is_down_every_node_is_asked_and_it_comes_back_rebuilt(make_cluster):
    c = cluster(make_cluster)
    pids = moved_tree(c, "loc_down", 1, 2)
    assert counter(c, 1, "pids_away") == 3
    c.crash(1)
    for n in (2, 3):
        c.wait_for(f"node {n} to drop node 1", lambda n=n: c.online(n) == "2-3", 15)
    before = counters(c, 3)
    r = kill(c, 3, "-0", str(pids[0]), uid=0)
    assert r.status == 0, r.stderr
    assert counters(c, 3)[1] == before[1] + 1
    # Node 1 comes back empty; node 2 tells it what of its runs there.
    c.start_node(1)
    c.wait_ready(1)
    for n in (1, 2, 3):
        c.wait_for(f"node {n} to see 1-3 online", lambda n=n: c.online(n) == "1-3", 60)
    c.wait_for("node 1 to learn where its PIDs run",
               lambda: counter(c, 1, "pids_away") == 3, 30)
    before = counters(c, 3)
    r = kill(c, 3, "-KILL", *map(str, pids), uid=0)
    assert r.status == 0, r.stderr
    assert counters(c, 3)[1] == before[1]
    for p in pids:
        c.wait_for(f"{p} to be reaped", lambda p=p: not running(c, 2, p), 60)
    c.wait_for("node 1 to forget them", lambda: counter(c, 1, "pids_away") == 0, 30)
    r = kill(c, 3, "-0", str(pids[0]), uid=0)
    assert r.status != 0 and "No such process" in r.stderr, r.stderr


# From test_signals (both kernels): on the normal one only, as the other
# crash tests here (CI time).
def test_a_pid_on_a_crashed_node_gives_esrch_never_a_hang(make_cluster):
    c = make_cluster()
    c.up(2)
    for n in (1, 2):
        c.wait_for(f"node {n} to see 1-2 online", lambda n=n: c.online(n) == "1-2", 60)
    pid = sleeper(c, 2, "sig_crash", uid=1000)
    assert kill(c, 1, "-0", str(pid)).status == 0
    c.crash(2)
    # At once: the call waits for the link to fail, not forever.
    r = c.exec(1, ["krgrun", RUNAS, "1000", "kill", "-0", str(pid)], timeout=60)
    assert r.status != 0 and "No such process" in r.stderr, r.stderr
    c.wait_for("node 1 to drop node 2", lambda: c.online(1) == "1", 15)
    r = kill(c, 1, "-0", str(pid))
    assert r.status != 0 and "No such process" in r.stderr, r.stderr
