"""Only krg's kernels speak krg RPC, and only nodes with the cluster key join.

Each attempt runs on a real node, as root and as an unprivileged user, and
must be refused with EPERM by the node's own kernel; the target nodes'
rpc_handled counters show that no handler ran.
"""
import secrets

import pytest

FORGE = "/usr/lib/krg/progs/rpc_forge"


def counter(c, node, name):
    return int(c.check(node, ["cat", f"/sys/kernel/krg/{name}"]))


@pytest.mark.debug
@pytest.mark.parametrize("uid", [0, 1000])
@pytest.mark.parametrize("target", [1, 2])
def test_user_space_cannot_forge_or_take_krg_rpc(cluster3, uid, target):
    before = {n: counter(cluster3, n, "rpc_handled") for n in (1, 2, 3)}
    cmd = [FORGE, str(target)]
    if uid:
        cmd = ["/usr/lib/krg/progs/runas", str(uid)] + cmd
    r = cluster3.exec(1, cmd)
    assert r.status == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    for what in ("ping sent to the service", "restart sent to the service",
                 "alive check sent to the service", "ping sent to the service's port",
                 "restart sent to the service's port", "alive check sent to the service's port",
                 "restart sent to every node (multicast)", "connect to the service",
                 "bind the service type", "join a group of the service type"):
        assert f"refused: {what}" in lines, r.stdout
    assert "rpc_forge: all refused" in lines
    assert {n: counter(cluster3, n, "rpc_handled") for n in (1, 2, 3)} == before
    # The service is still krg's, and still answers krg's kernels.
    assert cluster3.online(1) == "1-3"
    cluster3.check(1, ["krgadm", "rpc", "ping", str(target)])


@pytest.mark.debug
def test_forge_check_fails_when_a_frame_gets_through(cluster3):
    # The same program against a user-space service of a type anyone may
    # use: its frames are delivered and it says so (exit 1). So a pass
    # above means that the kernel refused them.
    cluster3.check(2, "/usr/lib/krg/progs/tipc_ping serve 5 >/dev/null 2>&1 &")
    cluster3.wait_for("the user service", lambda: cluster3.exec(
        1, ["/usr/lib/krg/progs/tipc_ping", "ping", "5", "8", "1"]).ok)
    r = cluster3.exec(1, ["/usr/lib/krg/progs/runas", "1000", FORGE, "5", str(0x4b525000)])
    assert r.status == 1
    assert "FAILED: ping sent to the service: not refused" in r.stdout
    assert "FAILED: bind the service type: not refused" in r.stdout
    assert "rpc_forge: SOME GOT THROUGH" in r.stdout


@pytest.mark.debug
def test_rpc_counters_and_switch_are_root_only(cluster3):
    for name in ("rpc_handled", "rpc_refused", "encrypted"):
        r = cluster3.exec(1, ["/usr/lib/krg/progs/runas", "1000", "sh", "-c",
                              f"echo 1 > /sys/kernel/krg/{name}"])
        assert r.status != 0
    r = cluster3.exec(1, ["/usr/lib/krg/progs/runas", "1000", "sh", "-c",
                          "echo 1 > /sys/kernel/krg/unprivileged_restart"])
    assert r.status != 0
    assert cluster3.check(1, ["cat", "/sys/kernel/krg/unprivileged_restart"]).strip() == "0"
    assert cluster3.check(1, ["cat", "/sys/kernel/krg/encrypted"]).strip() == "1"


@pytest.mark.debug
def test_cluster_key_is_set_once_by_root_only(cluster3):
    key = secrets.token_hex(36)
    cluster3.check(1, ["sh", "-c", f"umask 077; echo {key} > /tmp/k; chmod 0400 /tmp/k"])
    r = cluster3.exec(1, ["krgadm", "cluster", "key", "set", "/tmp/k"])
    assert r.status == 1 and "set already" in r.stderr
    r = cluster3.exec(1, ["/usr/lib/krg/progs/runas", "1000", "krgadm", "cluster", "key", "set",
                          "/tmp/k"])
    assert r.status == 1
    cluster3.check(1, ["sh", "-c", "cp /tmp/k /tmp/k2; chmod 0644 /tmp/k2"])
    r = cluster3.exec(1, ["krgadm", "cluster", "key", "set", "/tmp/k2"])
    assert r.status == 1 and "other users" in r.stderr
    # The key is nowhere a user can read it.
    for where in ("/proc/cmdline", "/sys/kernel/krg/encrypted"):
        assert cluster3.check(1, ["cat", where]).find(key[:16]) < 0
    assert "cluster.key" not in cluster3.check(1, ["cat", "/proc/cmdline"])


def test_node_with_another_key_never_joins(make_cluster):
    c = make_cluster()
    c.start_node(1)
    c.start_node(2)
    c.start_node(3, key_text=secrets.token_hex(36) + "\n")   # same wire and session
    for n in (1, 2, 3):
        c.wait_ready(n)
    c.wait_for("nodes 1 and 2 to join", lambda: c.online(1) == "1-2" and c.online(2) == "1-2")
    c.wait_for("node 3 to be up alone", lambda: c.online(3) == "3")
    # Discovery probes every few hundred ms at first: 5 s is many rounds.
    import time
    time.sleep(5)
    assert c.online(1) == "1-2" and c.online(2) == "1-2" and c.online(3) == "3"
    assert c.check(1, ["cat", "/sys/kernel/krg/nodes/present"]).strip() == "1-2"
    r = c.exec(1, ["krgadm", "rpc", "ping", "3"])
    assert r.status == 1 and "Host is down" in r.stderr
    c.check(1, ["krgadm", "rpc", "ping", "2", "--count", "50"])


def test_node_without_key_waits_and_clear_node_stays_out(make_cluster):
    c = make_cluster()
    c.start_node(1)
    c.start_node(2, key_text="")            # no key file at all
    c.start_node(3, encrypt=False)          # links in clear
    for n in (1, 2, 3):
        c.wait_ready(n)
    c.wait_for("node 2 to wait for its key",
               lambda: c.check(2, ["cat", "/sys/kernel/krg/state"]).strip() == "nokey")
    assert "waiting for the cluster key" in c.log(2)
    c.wait_for("node 3 to be up alone", lambda: c.online(3) == "3")
    assert c.check(3, ["cat", "/sys/kernel/krg/encrypted"]).strip() == "0"
    r = c.exec(3, ["krgadm", "cluster", "key", "set", "/dev/null"])
    assert r.status == 1
    import time
    time.sleep(5)
    assert c.online(1) == "1" and c.online(3) == "3"
    # Given the cluster's key now, node 2 joins node 1.
    key = c.key_file.read_text().strip()
    c.check(2, ["sh", "-c", f"umask 077; echo {key} > /tmp/k; chmod 0400 /tmp/k"])
    c.check(2, ["krgadm", "cluster", "key", "set", "/tmp/k"])
    c.wait_for("node 2 to join node 1", lambda: c.online(1) == "1-2" and c.online(2) == "1-2")
    assert c.online(3) == "3"
