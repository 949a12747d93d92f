"""krgadm node evacuate NODE [--force]: every cluster process moves off the
node, in parallel, keeping its PID, then the node leaves the cluster; one
that cannot move is named and keeps the node in, unless --force kills it.
A node that left joins again when it boots again."""
import re

from crlib import PROGS, SH, output, signal, start, wait_line
from test_krgps import entries, listing
from test_migrate import started
from test_migrate_crash import online, three_up

RUNAS = f"{PROGS}/runas"


def evacuate(c, node, victim, *opts, uid=0):
    user = [RUNAS, str(uid)] if uid else []
    return c.exec(node, [*user, "krgadm", "node", "evacuate", *opts, str(victim)], timeout=300)


def nodes_of(c, pids):
    procs = listing(c, 1)
    return {pid: [p["node"] for p in entries(procs, pid)] for pid in pids}


def test_evacuate_moves_every_process_then_the_node_leaves(make_cluster):
    c = three_up(make_cluster)
    names = [f"evac{i}" for i in range(4)]
    pids = [started(c, 3, name, "cr_dirty", "8") for name in names]
    # A user may not do it, and a node not online is refused.
    r = evacuate(c, 1, 3, uid=1000)
    assert r.status == 1 and "stays in the cluster" in r.stderr, r.stderr
    r = evacuate(c, 1, 2, uid=1000)  # nothing runs there: the leave itself
    assert r.status == 1 and "Operation not permitted" in r.stderr, r.stderr
    r = evacuate(c, 1, 7)
    assert r.status == 1 and "node 7 is not online" in r.stderr, r.stderr
    assert online(c, 1) == {1, 2, 3}
    assert nodes_of(c, pids) == {pid: [3] for pid in pids}

    r = evacuate(c, 1, 3)
    assert r.status == 0, (r.stdout, r.stderr)
    assert "moving 4 process trees to nodes 1-2" in r.stdout, r.stdout
    assert len(re.findall(r"^\[\d/4\] \d+ \(cr_dirty\) -> node [12] ", r.stdout, re.M)) == 4
    assert "node 3 left the cluster" in r.stdout, r.stdout
    # Out: the others see it gone, and it sees itself out.
    for n in (1, 2):
        c.wait_for(f"node {n} to see node 3 gone", lambda n=n: online(c, n) == {1, 2}, 30)
    assert "left" in c.check(3, ["cat", "/sys/kernel/krg/state"])
    # It left on purpose, and said so: nobody voted on it or fenced it.
    assert "fences node 3" not in c.fence_log(), c.fence_log()
    for n in (1, 2):
        log = c.check(n, ["dmesg"])
        assert "node 3 declared dead" not in log and "krg: node 3 unreachable" in log, log
    # Asked again, on itself: it is out already (ENOTCONN, by the kernel).
    r = evacuate(c, 3, 3)
    assert r.status == 1 and "that node is not in the cluster" in r.stderr, r.stderr
    c.check(3, ["mkdir", "-p", "/tmp/any.img"])
    r = c.exec(3, ["krgrun", "restart", "/tmp/any.img"])
    assert r.status == 1 and "this node left the cluster" in r.stderr, r.stderr
    # Every process runs once, on node 1 or 2, with its PID, and passes.
    where = nodes_of(c, pids)
    assert all(w in ([1], [2]) for w in where.values()), where
    assert {w[0] for w in where.values()} == {1, 2}, where  # spread over both
    for pid, name in zip(pids, names):
        signal(c, where[pid][0], pid)
        wait_line(c, name, r"PASS|FAIL")
        assert "PASS" in output(c, name), output(c, name)
    # Booted again, it joins again.
    c.crash(3)
    c.start_node(3)
    c.wait_ready(3)
    for n in (1, 2, 3):
        c.wait_for(f"node {n} to see 1-3", lambda n=n: online(c, n) == {1, 2, 3}, 60)


def test_a_process_that_cannot_move_keeps_the_node_unless_forced(make_cluster):
    c = three_up(make_cluster)
    mobile = started(c, 2, "evac-mobile", "cr_dirty", "8")
    # Not CAN_MIGRATE: krgcr-run raises CHECKPOINTABLE only.
    fixed = start(c, 2, "evac-fixed", "cr_dirty", "8")
    r = evacuate(c, 1, 2)
    assert r.status == 1, r.stdout
    assert "node 2 stays in the cluster: 1 process cannot move" in r.stderr, r.stderr
    assert re.search(rf"^  {fixed} \(cr_dirty\): .*not CAN_MIGRATE", r.stderr, re.M), r.stderr
    assert online(c, 1) == {1, 2, 3}
    # What could move did; what could not runs on as it was.
    where = nodes_of(c, [mobile, fixed])
    assert where[fixed] == [2] and where[mobile] in ([1], [3]), where
    signal(c, 2, fixed)
    wait_line(c, "evac-fixed", r"PASS|FAIL")

    # Nothing else runs there now, but the command itself, in the cluster
    # on node 2: the node refuses to leave with it.
    r = c.exec(2, ["krgrun", "krgadm", "node", "evacuate", "2"])
    assert r.status == 1, r.stdout
    assert "cluster processes still run there" in r.stderr, r.stderr
    assert "this command itself runs there" in r.stderr, r.stderr
    # Forced, it would kill itself: refused before anything is killed.
    r = c.exec(2, ["krgrun", "krgadm", "node", "evacuate", "--force", "2"])
    assert r.status == 1 and "this command itself runs there" in r.stderr, r.stderr
    assert online(c, 1) == {1, 2, 3}

    fixed = start(c, 2, "evac-fixed2", "cr_dirty", "8")
    # On the node itself (outside the cluster's namespace), forced.
    r = evacuate(c, 2, 2, "--force")
    assert r.status == 0, (r.stdout, r.stderr)
    assert f"killing {fixed} (cr_dirty), which cannot move" in r.stdout, r.stdout
    assert "node 2 left the cluster" in r.stdout
    c.wait_for("node 1 to see node 2 gone", lambda: online(c, 1) == {1, 3}, 30)
    assert online(c, 2) == {2}
    assert nodes_of(c, [fixed]) == {fixed: []}
