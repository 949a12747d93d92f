"""getpgid, getsid, getpriority and setpriority of a process on another
node answer what that node's own calls answer, with one machine's rules."""
import pytest

from crlib import PROGS, SH
from test_krgps import RUNAS, detach, numbers
from test_signals import UNUSED, as_user, gone, kill


PROBE = f"{PROGS}/procprobe"


def ids(c, node, pid, uid=1000):
    r = as_user(c, node, [PROBE, "ids", str(pid)], uid)
    assert r.status == 0, r.stdout
    return tuple(int(x) for x in r.stdout.split())


def renice(c, node, pid, nice, uid=1000):
    return as_user(c, node, [PROBE, "nice", str(pid), str(nice)], uid)


@pytest.fixture
def user_tree(cluster3):
    """sh leading its session and group, and its sleep in a group of its
    own, as uid 1000 on node 2."""
    c = cluster3
    pidfile = f"{SH}/task_ops.pids"
    c.check(2, ["sh", "-c", f"rm -f {pidfile}; touch {pidfile}; chown 1000 {pidfile}"])
    detach(c, 2, f"{PROBE} group sleep 1000 & echo $! >> {pidfile}; echo $$ >> {pidfile}; wait",
           uid=1000)
    sleeper, sh = numbers(c, pidfile, 2)
    yield sleeper, sh
    kill(c, 1, "-KILL", str(sleeper), str(sh), uid=0)
    gone(c, sleeper, 2)


def test_group_session_and_priority_read_from_any_node(cluster3, user_tree):
    c = cluster3
    sleeper, sh = user_tree
    here = ids(c, 2, sleeper)
    assert here == (sleeper, sh, 0)
    # Any user, any node: what node 2's own calls say.
    for node, uid in ((1, 1000), (3, 1001), (3, 0)):
        assert ids(c, node, sleeper, uid) == here, (node, uid)
    assert ids(c, 1, sh) == ids(c, 2, sh)


def test_setpriority_from_another_node_with_one_machines_rules(cluster3, user_tree):
    c = cluster3
    sleeper, _ = user_tree
    r = renice(c, 3, sleeper, 5)
    assert r.status == 0, r.stdout
    assert ids(c, 2, sleeper)[2] == 5
    assert ids(c, 1, sleeper)[2] == 5
    # Lower again: needs CAP_SYS_NICE beyond RLIMIT_NICE (0 here).
    r = renice(c, 1, sleeper, 2)
    assert r.status == 1 and "setpriority: Permission denied" in r.stdout, r.stdout
    # Another user's process: EPERM.
    r = renice(c, 1, sleeper, 10, uid=1001)
    assert r.status == 1 and "setpriority: Operation not permitted" in r.stdout, r.stdout
    assert ids(c, 2, sleeper)[2] == 5
    r = renice(c, 3, sleeper, -3, uid=0)
    assert r.status == 0, r.stdout
    assert ids(c, 2, sleeper)[2] == -3


def test_unknown_pids_give_esrch(cluster3):
    c = cluster3
    for pid in (UNUSED, (200 << 22) | 5):
        r = as_user(c, 1, [PROBE, "ids", str(pid)])
        assert r.status == 1 and r.stdout == "getpgid: No such process\n", r.stdout
        r = renice(c, 1, pid, 1)
        assert r.status == 1 and r.stdout == "setpriority: No such process\n", r.stdout
