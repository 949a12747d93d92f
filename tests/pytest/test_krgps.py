"""krgps: every process of the cluster, from any node, as any user."""
import json
import time

import pytest

from crlib import PROGS, SH, start, wait_items

pytestmark = pytest.mark.debug  # a new netlink command and RPC type

RUNAS = f"{PROGS}/runas"


def detach(c, node, script, uid=0):
    """Run script (sh) in the cluster namespace as uid, in the background."""
    user = [RUNAS, str(uid)] if uid else []
    argv = " ".join(["krgrun", *user, "sh", "-c", f"'{script}'"])
    c.check(node, ["sh", "-c", f"({argv}) < /dev/null > /dev/null 2>&1 &"])


def numbers(c, path, count):
    """Wait until the file holds count integers; return them."""
    return [int(n) for n in wait_items(c, path, count)]


def krgps(c, node, *args, uid=1000):
    r = c.exec(node, [RUNAS, str(uid), "krgps", *args])
    assert r.status == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def listing(c, node):
    j = json.loads(krgps(c, node, "--json"))
    assert j["unreachable"] == []
    return j["processes"]


def entries(procs, pid):
    return [p for p in procs if p["pid"] == pid]


def only(procs, pid):
    """The one entry of pid: listed twice is a failure, as is never."""
    found = entries(procs, pid)
    assert len(found) == 1, (pid, found)
    return found[0]


def kill(c, node, pids):
    c.exec(node, ["krgrun", "kill", "-KILL", *map(str, pids)])


def sleeper(c, node, name, uid=0):
    """sleep 1000 in the cluster namespace as uid: its PID."""
    pidfile = f"{SH}/{name}.pid"
    # The file is the user's: the shared directory is root's.
    c.check(node, ["sh", "-c", f"rm -f {pidfile}; touch {pidfile}; chown {uid} {pidfile}"])
    detach(c, node, f"echo $$ > {pidfile}; exec sleep 1000", uid)
    return numbers(c, pidfile, 1)[0]


def test_krgps_lists_every_node_to_any_user(cluster3):
    c = cluster3
    root_pid = sleeper(c, 1, "ps_root")
    user_pid = sleeper(c, 2, "ps_user", uid=1000)
    try:
        c.wait_for("the sleepers", lambda: all(
            [p["cmdline"] for p in entries(listing(c, 3), pid)] == [["sleep", "1000"]]
            for pid in (root_pid, user_pid)), 60)
        procs = listing(c, 3)
        # One entry per PID in the whole cluster, each a cluster PID.
        pids = [p["pid"] for p in procs]
        assert len(pids) == len(set(pids))
        assert all(1 <= p >> 22 <= 3 and p & 0x3FFFFF for p in pids), pids
        for pid, node, uid in ((root_pid, 1, 0), (user_pid, 2, 1000)):
            p = only(procs, pid)
            assert p["node"] == node and p["uid"] == uid
            assert p["user"] == ("root" if uid == 0 else "1000")
            assert p["comm"] == "sleep" and p["state"] == "S" and p["threads"] == 1
            # krgrun's child: its parent is outside the namespace.
            assert p["ppid"] == 0 and p["pgid"] == pid and p["sid"] == pid
        # The table, from another node, and one node's part of it.
        table = krgps(c, 2).splitlines()
        assert table[0].split() == ["PID", "PPID", "NODE", "USER", "S", "THR", "COMMAND"]
        rows = [line.split() for line in table[1:]]
        assert [r for r in rows if r[0] == str(user_pid)] == \
            [[str(user_pid), "0", "2", "1000", "S", "1", "sleep", "1000"]]
        assert [r for r in rows if r[0] == str(root_pid)] == \
            [[str(root_pid), "0", "1", "root", "S", "1", "sleep", "1000"]]
        on2 = json.loads(krgps(c, 1, "--json", "-n", "2"))["processes"]
        assert {p["node"] for p in on2} == {2}
        assert user_pid in [p["pid"] for p in on2] and root_pid not in [p["pid"] for p in on2]
    finally:
        kill(c, 1, [root_pid])
        kill(c, 2, [user_pid])
    c.wait_for("the killed processes to leave the listing",
               lambda: not {root_pid, user_pid} & {p["pid"] for p in listing(c, 3)}, 60)


def test_krgps_hides_others_processes_as_hidepid_when_asked(cluster3):
    c = cluster3
    switch = "/sys/kernel/krg/ps_hide_others"
    root_pid = sleeper(c, 1, "ps_hroot")
    user_pid = sleeper(c, 2, "ps_huser", uid=1000)
    try:
        c.wait_for("the sleepers", lambda: all(
            entries(listing(c, 3), pid) for pid in (root_pid, user_pid)), 60)
        # Root's alone (0644, and CAP_SYS_ADMIN to write).
        r = c.exec(3, [RUNAS, "1000", "sh", "-c", f"echo 1 > {switch}"])
        assert r.status != 0 and "Permission denied" in r.stderr, r.stderr
        assert c.check(3, ["cat", switch]).strip() == "0"
        c.check(3, ["sh", "-c", f"echo 1 > {switch}"])
        seen = listing(c, 3)
        assert user_pid in [p["pid"] for p in seen]
        assert {p["uid"] for p in seen} == {1000}
        # Root may ptrace them all; the switch is the asked node's.
        assert root_pid in [p["pid"] for p in json.loads(
            krgps(c, 3, "--json", uid=0))["processes"]]
        assert root_pid in [p["pid"] for p in listing(c, 1)]
        c.check(3, ["sh", "-c", f"echo 0 > {switch}"])
        assert root_pid in [p["pid"] for p in listing(c, 3)]
    finally:
        c.check(3, ["sh", "-c", f"echo 0 > {switch}"])
        kill(c, 1, [root_pid])
        kill(c, 2, [user_pid])


def proc_stats(c, node):
    """{pid: (ppid, pgid, sid, state, threads)} from the node's /proc."""
    out = c.check(node, ["krgrun", "sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null; true"])
    stats = {}
    for line in out.splitlines():
        pid, _, rest = line.partition(" (")
        f = rest.rpartition(") ")[2].split()
        stats[int(pid)] = (int(f[1]), int(f[2]), int(f[3]), f[0], int(f[17]))
    return stats


def tree(stats, root):
    pids, grew = {root}, True
    while grew:
        more = {p for p, s in stats.items() if s[0] in pids} - pids
        grew = bool(more)
        pids |= more
    return pids


def test_krgps_agrees_with_proc_on_each_node(cluster3):
    """Groups, sessions, threads and zombies as each node's /proc has them."""
    c = cluster3
    roots = {1: start(c, 1, "ps_threads", "cr_threads"),
             2: start(c, 2, "ps_sessions", "cr_sessions"),
             3: start(c, 3, "ps_procs", "cr_procs")}
    trees = {}
    try:
        diff = None
        for _ in range(60):
            procs = listing(c, 3)
            diff = {}
            for node, root in roots.items():
                stats = proc_stats(c, node)
                trees[node] = tree(stats, root)
                for pid in trees[node]:
                    got = [(p["ppid"], p["pgid"], p["sid"], p["state"], p["threads"], p["node"])
                           for p in entries(procs, pid)]
                    if got != [stats[pid] + (node,)]:
                        diff[pid] = (got, stats[pid])
            if not diff:
                break
            time.sleep(1)
        assert not diff, diff
        # What makes the comparison worth it: threads, groups apart from
        # sessions.
        assert 4 in [only(procs, pid)["threads"] for pid in trees[1]]
        sessions = [only(procs, pid) for pid in trees[2]]
        assert len(sessions) >= 6
        assert any(p["pgid"] != p["sid"] for p in sessions)
        assert any(p["pgid"] != p["pid"] for p in sessions)
        zombies = [only(procs, pid) for pid in trees[3] if only(procs, pid)["state"] == "Z"]
        assert len(zombies) == 2 and all(z["cmdline"] == [] for z in zombies)
        table = krgps(c, 1).splitlines()
        zpids = {str(z["pid"]) for z in zombies}
        assert [r.split()[-1] for r in table if r.split()[0] in zpids] == ["[cr_procs]"] * 2
    finally:
        for node, pids in trees.items():
            kill(c, node, sorted(pids))


def test_krgps_lists_hundreds_of_long_command_lines(cluster3):
    """More than one netlink message buffer: none lost, none twice."""
    c = cluster3
    pidfile = f"{SH}/ps_many.pid"
    pad, long = "p" * 900, "x" * 2000
    c.check(3, ["rm", "-f", pidfile])
    detach(c, 3, f"echo $$ > {pidfile}; for i in $(seq 100); do "
                 f"sh -c \"sleep 1000; :\" {pad} & echo $! >> {pidfile}; done; "
                 f"sh -c \"sleep 1000; :\" {long} & echo $! >> {pidfile}; wait")
    loop, *shells = numbers(c, pidfile, 102)
    try:
        def all_there():
            procs = listing(c, 1)
            kids = [p for p in procs if p["ppid"] in shells]
            return len(kids) == len(shells)
        c.wait_for("every shell's sleep", all_there, 120)
        procs = listing(c, 1)
        for pid in shells[:-1]:
            p = only(procs, pid)
            assert p["node"] == 3 and p["ppid"] == loop
            assert p["cmdline"] == ["sh", "-c", "sleep 1000; :", pad]
        # A command line is cut at 1024 bytes.
        assert only(procs, shells[-1])["cmdline"] == ["sh", "-c", "sleep 1000; :", "x" * 1004]
        kids = [p for p in procs if p["ppid"] in shells]
        assert sorted(p["ppid"] for p in kids) == sorted(shells)
        assert all(p["cmdline"] == ["sleep", "1000"] for p in kids)
        pids = [p["pid"] for p in procs]
        assert len(pids) == len(set(pids))
    finally:
        kids = [p["pid"] for p in listing(c, 1) if p["ppid"] in shells]
        kill(c, 3, [loop, *shells, *kids])


def test_krgps_refused_outside_the_cluster_namespace(cluster3):
    r = cluster3.exec(1, ["unshare", "-p", "-f", "krgps"])
    assert r.status == 1, (r.stdout, r.stderr)
    assert "the caller's PID namespace does not hold the cluster's" in r.stderr, r.stderr


def test_krgps_bad_usage(cluster3):
    for args, msg in ((["-n", "0"], "-n needs a node id (1..255)"),
                      (["--yaml"], "unknown option '--yaml'"),
                      (["12"], "unexpected argument '12'")):
        r = cluster3.exec(1, ["krgps", *args])
        assert r.status == 2 and f"krgps: {msg}" in r.stderr, r.stderr
        assert r.stdout == ""
    r = cluster3.exec(1, ["krgps", "--help"])
    assert r.status == 0 and r.stdout.startswith("usage: krgps")
