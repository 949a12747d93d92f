"""The HA framework (krgadm ha) and its baseline policy, restart_scratch:
a policy module loads on every node; an application attached from any
node is tagged on every node it runs on, follows its tasks when they
migrate, and, when a node it ran on is crashed, is killed everywhere and
started again from its command line on a survivor, exactly once, to the
same result. A node it did not run on crashes without touching it."""
import json
import pathlib
import re
import subprocess
import time

from crlib import PROGS, SH, host, output, start, wait_line
from test_krgps import RUNAS, entries, listing, only
from test_migrate import migrate, may_migrate
from test_migrate_crash import online, three_up

POLICY = "restart_scratch"
BUILD = pathlib.Path(__file__).resolve().parents[2] / "build"


def krgadm(c, node, *args, uid=0):
    user = [RUNAS, str(uid)] if uid else []
    return c.exec(node, [*user, "krgadm", "ha", *args], timeout=120)


def status(c, node):
    r = krgadm(c, node, "status", "--json")
    assert r.status == 0, r.stderr
    return json.loads(r.stdout)


def app(c, node, app_id):
    found = [a for a in status(c, node)["applications"] if a["id"] == app_id]
    assert len(found) <= 1, found
    return found[0] if found else None


def loaded(c):
    r = krgadm(c, 1, "load", POLICY)
    assert r.status == 0, (r.stdout, r.stderr)
    assert f"policy {POLICY} loaded on every online node" in r.stdout


def test_ha_commands_refuse_what_linux_would(cluster3):
    c = cluster3
    # Loading a module needs CAP_SYS_MODULE; a module that is not there
    # is named.
    r = krgadm(c, 2, "load", POLICY, uid=1000)
    assert r.status == 1 and "Operation not permitted" in r.stderr, r.stderr
    r = krgadm(c, 2, "load", "nosuch")
    assert r.status == 1 and "no policy module krg_ha_nosuch on this node" in r.stderr, r.stderr
    loaded(c)
    for n in (1, 2, 3):
        assert POLICY in status(c, n)["policies"], n
    pid = start(c, 2, "ha-refuse", "cr_cpu")
    # Root's process: a user may neither attach nor detach it.
    r = krgadm(c, 1, "attach", str(pid), POLICY, uid=1000)
    assert r.status == 1 and "not allowed to checkpoint pid" in r.stderr, r.stderr
    r = krgadm(c, 1, "attach", str(pid), POLICY, "bogus=1")
    assert r.status == 1 and f"policy {POLICY} has no parameter 'bogus'" in r.stderr, r.stderr
    r = krgadm(c, 1, "attach", str(pid), POLICY, "max_restarts=5000")
    assert r.status == 1 and "'max_restarts' of policy" in r.stderr, r.stderr
    assert "wants an integer from 0 to 1000" in r.stderr, r.stderr
    r = krgadm(c, 1, "attach", str(pid), "periodic_nothing")
    assert r.status == 1 and "policy 'periodic_nothing' is not loaded" in r.stderr, r.stderr
    r = krgadm(c, 1, "attach", str((3 << 22) | 4000), POLICY)
    assert r.status == 1 and "no process" in r.stderr, r.stderr
    assert status(c, 3)["applications"] == []
    r = krgadm(c, 3, "attach", str(pid), POLICY, "max_restarts=2")
    assert r.status == 0, r.stderr
    r = krgadm(c, 1, "attach", str(pid), POLICY)
    assert r.status == 1 and "attached already" in r.stderr, r.stderr
    for n in (1, 2, 3):
        a = app(c, n, pid)
        assert a and a["policy"] == POLICY and a["params"] == "max_restarts=2", (n, a)
        assert a["state"] == "running" and a["nodes"] == [2] and a["owner"] == 0, (n, a)
    r = krgadm(c, 1, "detach", str(pid), uid=1000)
    assert r.status == 1 and "only it or CAP_SYS_ADMIN may detach it" in r.stderr, r.stderr
    r = krgadm(c, 1, "detach", str(pid))
    assert r.status == 0, r.stderr
    for n in (1, 2, 3):
        assert app(c, n, pid) is None, n
    r = krgadm(c, 1, "detach", str(pid))
    assert r.status == 1 and f"no application {pid} is attached" in r.stderr, r.stderr
    c.check(2, ["krgrun", "kill", "-KILL", str(pid)])


# About 30 s under TCG: enough to outlast the migration and two crashes.
STEPS = "600000000"


def golden():
    """The same binary's result without a fault, on the host."""
    out = subprocess.run([str(BUILD / "progs" / "cr_cpu"), STEPS], check=True,
                         capture_output=True, text=True).stdout
    return re.search(r"^RESULT .*$", out, re.M).group(0)


def relaunches(c, name):
    return re.findall(r"^READY (\d+)$", output(c, name), re.M)


def test_restart_scratch_relaunches_once_after_its_node_crashes(make_cluster):
    c = three_up(make_cluster)
    loaded(c)
    name = "ha-cpu"
    pid = start(c, 2, name, "cr_cpu", STEPS)
    may_migrate(c, 2, pid)
    r = krgadm(c, 3, "attach", str(pid), POLICY)
    assert r.status == 0, r.stderr
    # Its tag moves with it: node 3 counts itself in, node 2 leaves
    # once it has run none of it for a few ticks.
    r = migrate(c, 1, pid, 3)
    assert r.status == 0, r.stderr
    c.wait_for("node 2 out of its footprint", lambda: app(c, 1, pid)["nodes"] == [3], 30)
    # A node it no longer runs on crashes: nothing to recover (asked once
    # node 1's HA work queue has seen the node go, a tick later).
    c.crash(2)
    c.wait_for("node 2 seen gone", lambda: online(c, 1) == {1, 3}, 30)
    c.wait_for("node 1 to log it",
               lambda: "krg: node 2 unreachable" in c.check(1, ["dmesg"]), 30)
    time.sleep(2)
    a = app(c, 1, pid)
    assert a["state"] == "running" and a["recoveries"] == 0 and a["nodes"] == [3], a
    assert relaunches(c, name) == [str(pid)]
    # Its node crashes: killed everywhere, started again on node 1.
    assert "RESULT" not in output(c, name)  # still at work
    c.crash(3)
    c.wait_for("a recovery", lambda: app(c, 1, pid)["recoveries"] == 1, 60)
    a = app(c, 1, pid)
    assert a["state"] == "running" and a["nodes"] == [1] and a["root"] != pid, a
    c.wait_for("its second start", lambda: len(relaunches(c, name)) >= 2, 60)
    assert relaunches(c, name) == [str(pid), str(a["root"])], output(c, name)
    procs = [p for p in listing(c, 1) if p["comm"] == "cr_cpu"]
    assert [(p["pid"], p["node"]) for p in procs] == [(a["root"], 1)], procs
    line = wait_line(c, name, r"RESULT .*", timeout=600).group(0)
    assert line == golden(), line
    assert output(c, name).count("RESULT") == 1, output(c, name)
    # Finished: its last node leaves its footprint; it stays listed.
    c.wait_for("its footprint to empty", lambda: app(c, 1, pid)["nodes"] == [], 30)
    assert host(c, f"{SH}/{name}.out").exists()


def test_restart_scratch_kills_the_survivors_before_it_starts_again(make_cluster):
    """A shell on node 2 waits for its child, moved to node 3 before the
    attach (tagged there by node 3). Node 3 crashes: the shell, alive on
    node 2, is killed, and the whole job starts again on node 1."""
    c = three_up(make_cluster)
    loaded(c)
    name = "ha-sh"
    out = f"{SH}/{name}.out"
    job = f"{PROGS}/cr_cpu {STEPS} && echo DONE"
    c.check(2, ["sh", "-c", f"(krgrun krgcr-run sh -c '{job}' > {out} 2>&1 < /dev/null)"
                " < /dev/null > /dev/null 2>&1 &"])
    child = int(wait_line(c, name, r"READY (\d+)").group(1))
    root = only(listing(c, 1), child)["ppid"]
    assert only(listing(c, 1), root)["comm"] == "sh"
    may_migrate(c, 2, child)
    r = migrate(c, 1, child, 3)
    assert r.status == 0, r.stderr
    r = krgadm(c, 1, "attach", str(root), POLICY)
    assert r.status == 0, r.stderr
    assert app(c, 1, root)["nodes"] == [2, 3]
    assert "RESULT" not in output(c, name)  # still at work
    c.crash(3)
    c.wait_for("a recovery", lambda: app(c, 1, root)["recoveries"] == 1, 60)
    a = app(c, 1, root)
    assert a["state"] == "running" and a["nodes"] == [1] and a["root"] != root, a
    # Never twice: the old shell is gone from node 2.
    procs = listing(c, 1)
    assert entries(procs, root) == [], procs
    assert [(p["node"], p["comm"]) for p in entries(procs, a["root"])] == [(1, "sh")], procs
    wait_line(c, name, r"DONE", timeout=600)
    assert len(relaunches(c, name)) == 2, output(c, name)
    assert re.search(r"RESULT .*", output(c, name)).group(0) == golden()
    assert output(c, name).count("RESULT") == 1, output(c, name)
    assert output(c, name).count("DONE") == 1, output(c, name)


def test_periodic_coordinated_restarts_its_last_set_after_its_node_crashes(make_cluster):
    c = three_up(make_cluster)
    r = krgadm(c, 1, "load", "periodic_coordinated")
    assert r.status == 0, r.stderr
    name = "ha-pc"
    pid = start(c, 2, name, "cr_cpu", STEPS)
    r = krgadm(c, 3, "attach", str(pid), "periodic_coordinated", "interval=2")
    assert r.status == 0, r.stderr
    a = app(c, 1, pid)
    assert a["committed"] == 0 and a["params"] == "interval=2 mtbf=0", a
    c.wait_for("two committed sets", lambda: app(c, 1, pid)["committed"] >= 2, 60)
    assert "RESULT" not in output(c, name)  # still at work
    c.crash(2)
    c.wait_for("a recovery", lambda: app(c, 1, pid)["recoveries"] == 1, 60)
    a = app(c, 1, pid)
    # Rolled back, not started again: the same PID, on node 1.
    assert a["state"] == "running" and a["root"] == pid and a["nodes"] == [1], a
    assert [p["node"] for p in listing(c, 1) if p["pid"] == pid] == [1], listing(c, 1)
    # Sets go on from node 1, though the PID's home (node 2) is gone.
    rolled = a["committed"]
    c.wait_for("a set after the rollback", lambda: app(c, 1, pid)["committed"] > rolled, 60)
    line = wait_line(c, name, r"RESULT .*", timeout=600).group(0)
    assert line == golden(), line
    assert relaunches(c, name) == [str(pid)], output(c, name)
    assert output(c, name).count("RESULT") == 1, output(c, name)


def dmesg(c, node):
    return c.check(node, ["dmesg"])


def task_state(c, node, pid):
    r = c.exec(node, ["krgrun", "cat", f"/proc/{pid}/stat"])
    return r.stdout.rsplit(")", 1)[1].split()[0] if r.status == 0 else None


def test_a_partition_never_runs_the_job_twice(make_cluster):
    """Node 3's link is cut while it runs the job. Nodes 1 and 2, a
    majority, declare it dead and wait for its fence; node 3, alone, has
    no quorum and freezes the job. Healed before the fence, node 3 hears
    it was declared dead: it kills its copy and leaves. Then the fence
    confirms and the job starts again on node 1: never two copies."""
    c = three_up(make_cluster)
    loaded(c)
    name = "ha-cut"
    pid = start(c, 3, name, "cr_cpu", STEPS)
    r = krgadm(c, 1, "attach", str(pid), POLICY)
    assert r.status == 0, r.stderr
    assert c.exec(3, ["pidof", "cr_cpu"]).status == 0  # found while it runs
    # Only a node's root may ask the fence device; a user can read the
    # membership files and not write them.
    r = c.exec(1, [RUNAS, "1000", "/sbin/krg-fence", "2", "0"])
    assert r.status != 0 and "Permission denied" in r.stderr, (r.status, r.stderr)
    r = c.exec(1, [RUNAS, "1000", "sh", "-c", "cat /sys/kernel/krg/quorum; "
                   "echo 0 > /sys/kernel/krg/quorum"])
    assert r.stdout == "1\n" and r.status != 0, (r.stdout, r.stderr)
    assert c.alive(2)
    c.hold_fence()
    c.link(3, False)
    for n in (1, 2):
        c.wait_for(f"node {n} to declare node 3 dead",
                   lambda n=n: "krg: node 3 declared dead: suspected by nodes 1-2" in
                   dmesg(c, n), 30)
        assert "krg: fencing node 3 with /sbin/krg-fence" in dmesg(c, n)
    c.wait_for("node 3 to lose quorum", lambda: "krg: quorum lost" in dmesg(c, 3), 30)
    assert c.check(3, ["cat", "/sys/kernel/krg/quorum"]).strip() == "0"
    assert c.check(3, ["cat", "/sys/kernel/krg/nodes/suspected"]).strip() == "1-2"
    assert c.check(1, ["cat", "/sys/kernel/krg/quorum"]).strip() == "1"
    assert c.check(1, ["cat", "/sys/kernel/krg/nodes/dead"]).strip() == "3"
    c.wait_for("node 3 to stop the job", lambda: task_state(c, 3, pid) == "T", 30)
    assert "krg: ha: froze 1 protected processes here" in dmesg(c, 3)
    # Nothing is recovered before the fence confirms, nothing declared by
    # the minority.
    time.sleep(3)
    assert task_state(c, 3, pid) == "T"
    # Continued by hand, it is stopped again at the next tick.
    c.check(3, ["krgrun", "kill", "-CONT", str(pid)])
    c.wait_for("node 3 to stop the job again", lambda: task_state(c, 3, pid) == "T", 10)
    assert online(c, 1) == {1, 2, 3} and online(c, 3) == {1, 2, 3}
    assert app(c, 1, pid)["recoveries"] == 0
    assert "declared dead" not in dmesg(c, 3)
    assert relaunches(c, name) == [str(pid)]
    # Healed: the node the majority declared dead does not come back.
    c.link(3, True)
    c.wait_for("node 3 to learn it was declared dead", lambda:
               "krg: node 3 was declared dead by the other nodes" in dmesg(c, 3), 30)
    c.wait_for("node 3 to kill its copy",
               lambda: c.exec(3, ["pidof", "cr_cpu"]).status != 0, 30)
    # Stopped until killed: never continued once declared dead.
    assert "ha: thawed" not in dmesg(c, 3)
    assert online(c, 1) == {1, 2, 3}, "node 1 let node 3 back in"
    assert app(c, 1, pid)["recoveries"] == 0
    c.hold_fence(False)
    c.wait_for("the fence to power node 3 off", lambda: not c.alive(3), 30)
    assert re.search(r"node [12] fences node 3 \([0-9a-f]{16}\): ack", c.fence_log())
    c.wait_for("a recovery", lambda: app(c, 1, pid)["recoveries"] == 1, 60)
    a = app(c, 1, pid)
    assert a["state"] == "running" and a["nodes"] == [1], a
    line = wait_line(c, name, r"RESULT .*", timeout=600).group(0)
    assert line == golden(), line
    assert relaunches(c, name) == [str(pid), str(a["root"])], output(c, name)
    assert output(c, name).count("RESULT") == 1, output(c, name)


def test_a_missing_fence_agent_holds_recovery_back(make_cluster):
    """Nodes 1 and 2 have no fence agent: node 3 crashes and is declared
    dead, but it is not taken down (nothing it ran recovered) until a
    fence confirms; the log says what to do."""
    c = make_cluster()
    for n in (1, 2):
        c.start_node(n, append="krg.fence_agent=/sbin/no-such-agent")
    c.start_node(3)
    for n in (1, 2, 3):
        c.wait_ready(n)
        c.wait_for(f"node {n} to see all online", lambda n=n: online(c, n) == {1, 2, 3}, 60)
    c.crash(3)
    for n in (1, 2):
        c.wait_for(f"node {n} to declare node 3 dead",
                   lambda n=n: "krg: node 3 declared dead" in dmesg(c, n), 30)
        c.wait_for(f"node {n} to say it cannot fence", lambda n=n: (
            "krg: cannot fence node 3: no fence agent /sbin/no-such-agent (install one, "
            "or boot with krg.fence_agent=none)") in dmesg(c, n), 30)
    time.sleep(3)
    for n in (1, 2):
        assert online(c, n) == {1, 2, 3}, f"node {n} took node 3 down unfenced"
        assert c.check(n, ["cat", "/sys/kernel/krg/nodes/dead"]).strip() == "3"
        assert "krg: node 3 fenced" not in dmesg(c, n)
