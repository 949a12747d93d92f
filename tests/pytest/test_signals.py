"""Signals between nodes: kill, kill -0, sigqueue, tgkill, tkill and kill of
a process group reach a cluster PID on whatever node it runs, with the
permission rules, siginfo and errors of one machine."""
import signal

import pytest

from crlib import PROGS, SH, host, running, wait_items
from test_krgps import RUNAS, detach, numbers, sleeper

pytestmark = [pytest.mark.debug, pytest.mark.normal]  # new RPC and kernel hook

PROBE = f"{PROGS}/sigprobe"
SI_USER, SI_QUEUE, SI_TKILL = 0, -1, -6
UNUSED = (3 << 22) | 4000000  # a cluster PID of node 3 no test reaches


def as_user(c, node, argv, uid=1000):
    """Run argv in the cluster namespace as uid."""
    user = [RUNAS, str(uid)] if uid else []
    return c.exec(node, ["krgrun", *user, *argv])


def kill(c, node, *args, uid=1000):
    return as_user(c, node, ["kill", *args], uid)


def catcher(c, node, name, count, uid=1000):
    """sigprobe catch on node as uid: its PID, the TID that takes signals."""
    out = f"{SH}/{name}"
    # The files are the user's: the shared directory is root's.
    c.check(node, ["sh", "-c", f"rm -f {out} {out}.ids; touch {out} {out}.ids; "
                   f"chown {uid} {out} {out}.ids"])
    detach(c, node, f"exec {PROBE} catch {out} {count}", uid)
    return numbers(c, f"{out}.ids", 2)


def caught(c, name, count):
    """The lines "SIGNO CODE PID UID VALUE" the catcher wrote, once count."""
    lines = wait_items(c, f"{SH}/{name}", count, str.splitlines)
    assert len(lines) == count, lines
    return [tuple(int(x) for x in line.split()) for line in lines]


def sender(c, node, *args, uid=1000):
    """sigprobe as a sender: its PID (the si_pid to see)."""
    r = as_user(c, node, [PROBE, *args], uid)
    assert r.status == 0, (r.stdout, r.stderr)
    return int(r.stdout.split()[0])


def gone(c, pid, node):
    c.wait_for(f"{pid} to exit", lambda: not running(c, node, pid), 60)


def test_signals_reach_a_process_on_another_node_with_their_siginfo(cluster3):
    c = cluster3
    pid, tid = catcher(c, 2, "sig_user", 4)
    assert pid >> 22 == 2 and tid != pid
    # kill -0 probes it, from every other node; nothing is delivered.
    for node in (1, 3):
        r = kill(c, node, "-0", str(pid))
        assert r.status == 0, r.stderr
    # One at a time: sigwaitinfo() takes the lowest pending signal first.
    r = kill(c, 1, "-USR1", str(pid))
    assert r.status == 0, r.stderr
    caught(c, "sig_user", 1)
    queued_by = sender(c, 3, "queue", str(pid), str(signal.SIGRTMIN + 1), "0x1234")
    caught(c, "sig_user", 2)
    tgkilled_by = sender(c, 1, "tgkill", str(pid), str(tid), str(signal.SIGUSR2))
    caught(c, "sig_user", 3)
    tkilled_by = sender(c, 3, "tkill", str(tid), str(signal.SIGHUP))
    got = caught(c, "sig_user", 4)
    usr1 = got[0]
    assert usr1[:2] == (signal.SIGUSR1, SI_USER) and usr1[2] >> 22 == 1 and usr1[3] == 1000
    assert got[1:] == [
        (signal.SIGRTMIN + 1, SI_QUEUE, queued_by, 1000, 0x1234),
        (signal.SIGUSR2, SI_TKILL, tgkilled_by, 1000, 0),
        (signal.SIGHUP, SI_TKILL, tkilled_by, 1000, 0),
    ]
    assert queued_by >> 22 == 3 and tgkilled_by >> 22 == 1
    gone(c, pid, 2)
    # Exited: kill -0 from another node says so.
    r = kill(c, 1, "-0", str(pid))
    assert r.status != 0 and "No such process" in r.stderr, r.stderr


def test_tgkill_checks_the_thread_is_of_that_process(cluster3):
    c = cluster3
    pid, tid = catcher(c, 2, "sig_tg", 1)
    other = sleeper(c, 2, "sig_tg_other", uid=1000)
    try:
        r = as_user(c, 1, [PROBE, "tgkill", str(other), str(tid), str(signal.SIGUSR1)])
        assert r.status == 1 and "No such process" in r.stdout, r.stdout
        r = as_user(c, 1, [PROBE, "tgkill", str(UNUSED), str(UNUSED), "0"])
        assert r.status == 1 and "No such process" in r.stdout, r.stdout
        assert host(c, f"{SH}/sig_tg").read_text() == ""
    finally:
        kill(c, 1, "-KILL", str(pid), str(other), uid=0)
    gone(c, pid, 2)
    gone(c, other, 2)


def test_a_user_cannot_signal_another_users_process_on_any_node(cluster3):
    c = cluster3
    pid = sleeper(c, 2, "sig_root")
    try:
        for node in (1, 2, 3):
            for sig in ("-0", "-TERM", "-CONT"):
                r = kill(c, node, sig, str(pid))
                assert r.status != 0 and "Operation not permitted" in r.stderr, (node, sig, r)
        r = as_user(c, 3, [PROBE, "queue", str(pid), str(signal.SIGRTMIN), "1"])
        assert r.status == 1 and "Operation not permitted" in r.stdout, r.stdout
        assert running(c, 2, pid)
        # Root may, from any node.
        r = kill(c, 3, "-TERM", str(pid), uid=0)
        assert r.status == 0, r.stderr
        gone(c, pid, 2)
    finally:
        kill(c, 2, "-KILL", str(pid), uid=0)


def test_kill_of_a_group_reaches_its_members_on_another_node(cluster3):
    c = cluster3
    pidfile = f"{SH}/sig_group.pids"
    c.check(2, ["sh", "-c", f"rm -f {pidfile}; touch {pidfile}; chown 1000 {pidfile}"])
    # krgrun makes sh lead its own group: it and its two sleepers.
    detach(c, 2, f"sleep 1000 & echo $! >> {pidfile}; sleep 1000 & echo $! >> {pidfile}; "
           f"echo $$ >> {pidfile}; wait", uid=1000)
    members = numbers(c, pidfile, 3)
    group = members[2]
    other = sleeper(c, 3, "sig_group_other", uid=1000)
    try:
        # Not a group, or nobody in it: ESRCH.
        r = kill(c, 1, "-TERM", str(-UNUSED))
        assert r.status != 0 and "No such process" in r.stderr, r.stderr
        # Another user's group: EPERM, and nobody got it.
        r = kill(c, 1, "-TERM", str(-group), uid=1001)
        assert r.status != 0 and "Operation not permitted" in r.stderr, r.stderr
        assert all(running(c, 2, p) for p in members)
        r = kill(c, 1, "-TERM", str(-group))
        assert r.status == 0, r.stderr
        for p in members:
            gone(c, p, 2)
        # Only the group: the user's other process runs on.
        assert running(c, 3, other)
    finally:
        kill(c, 1, "-KILL", *map(str, members + [other]), uid=0)
    gone(c, other, 3)


def test_unknown_and_bad_pids_give_esrch(cluster3):
    c = cluster3
    for pid in (UNUSED, (200 << 22) | 5, (1 << 30) - 1):
        r = kill(c, 1, "-0", str(pid))
        assert r.status != 0 and "No such process" in r.stderr, (pid, r.stderr)
