"""A 3-node cluster: membership, krgadm, RPC, then node crash (in order)."""
import json
import time

import pytest


def krgadm_json(c, node, *args):
    return json.loads(c.check(node, ["krgadm", *args, "--json"]))


def test_three_nodes_agree_on_membership(cluster3):
    for n in (1, 2, 3):
        assert cluster3.online(n) == "1-3"
        assert cluster3.check(n, ["cat", "/sys/kernel/krg/nodes/present"]).strip() == "1-3"
        assert cluster3.check(n, ["cat", "/sys/kernel/krg/node_id"]).strip() == str(n)
        assert cluster3.check(n, ["cat", "/sys/kernel/krg/session_id"]).strip() == str(
            cluster3.session)
        assert cluster3.check(n, ["cat", "/sys/kernel/krg/state"]).strip() == "joined"


def test_krgadm_nodes_status(cluster3):
    for n in (1, 2, 3):
        st = krgadm_json(cluster3, n, "nodes", "status")
        assert st["self"] == n
        assert [(x["id"], x["state"], x["self"]) for x in st["nodes"]] == [
            (m, "online", m == n) for m in (1, 2, 3)]
    text = cluster3.check(2, ["krgadm", "nodes", "status"])
    assert "2      online (self)" in text
    assert "3      online" in text


def test_krgadm_cluster_status(cluster3):
    st = krgadm_json(cluster3, 1, "cluster", "status")
    assert st == {"node_id": 1, "session_id": cluster3.session, "state": "joined",
                  "iface": "eth0", "online": [1, 2, 3], "present": [1, 2, 3],
                  "encrypted": True}
    text = cluster3.check(1, ["krgadm", "cluster", "status"])
    assert f"node 1, session {cluster3.session}: joined on eth0" in text
    assert "online:  1-3 (3 nodes)" in text
    assert "links:   encrypted" in text


@pytest.mark.parametrize("args, message", [
    ([], "missing command"),
    (["bogus"], "unknown command 'bogus'"),
    (["nodes"], "missing nodes subcommand"),
    (["nodes", "list"], "unknown nodes subcommand 'list'"),
    (["nodes", "status", "--yaml"], "unknown option '--yaml'"),
    (["rpc", "ping"], "rpc ping needs NODES"),
    (["rpc", "ping", "0"], "bad node '0'"),
    (["rpc", "ping", "3-1"], "bad node '3-1'"),
    (["rpc", "ping", "2", "--count", "x"], "bad value 'x' for --count"),
])
def test_krgadm_bad_arguments(cluster3, args, message):
    r = cluster3.exec(1, ["krgadm", *args])
    assert r.status == 2
    assert message in r.stderr
    assert "usage:" in r.stderr


@pytest.mark.parametrize("args", [["--help"], ["help"], ["nodes", "--help"],
                                  ["cluster", "status", "--help"], ["rpc", "ping", "--help"]])
def test_krgadm_help(cluster3, args):
    r = cluster3.exec(1, ["krgadm", *args])
    assert r.status == 0
    assert "usage:" in r.stdout


@pytest.mark.parametrize("size", [0, 1000, 65536, 300000])
def test_rpc_ping_every_pair(cluster3, size):
    for src in (1, 2, 3):
        for dst in (1, 2, 3):
            st = krgadm_json(cluster3, src, "rpc", "ping", str(dst), "--size", str(size),
                             "--count", "3")
            assert st["count"] == 3 and st["total_ns"] > 0


@pytest.mark.parametrize("size", [0, 65536, 300000])
def test_rpc_multicast_ping_gathers_every_node(cluster3, size):
    for src in (1, 2, 3):
        st = krgadm_json(cluster3, src, "rpc", "ping", "all", "--size", str(size),
                         "--count", "3")
        assert st["count"] == 3
        assert [(x["node"], x["errno"]) for x in st["nodes"]] == [(1, 0), (2, 0), (3, 0)]
    text = cluster3.check(1, ["krgadm", "rpc", "ping", "2-3"])
    assert "node 2: ok" in text and "node 3: ok" in text


@pytest.mark.parametrize("size, count", [(0, 500), (1000, 200), (100000, 30)])
def test_rpc_oneway_messages_all_arrive(cluster3, size, count):
    for src, dst in ((1, 2), (3, 1), (2, 2)):
        st = krgadm_json(cluster3, src, "rpc", "ping", str(dst), "--oneway", "--size", str(size),
                         "--count", str(count))
        assert st["count"] == count and st["total_ns"] > 0
    assert "corrupt one-way ping" not in cluster3.log(2)


def test_rpc_unknown_type_gets_error_reply(cluster3):
    r = cluster3.exec(1, ["krgadm", "rpc", "ping", "2", "--type", "200"])
    assert r.status == 1
    assert "RPC ping to node 2: Invalid request code" in r.stderr
    assert "node 1 sent unknown message type 200" in cluster3.log(2)


def test_rpc_to_absent_node_fails_at_once(cluster3):
    start = time.monotonic()
    r = cluster3.exec(1, ["krgadm", "rpc", "ping", "42"])
    assert r.status == 1
    assert "Host is down" in r.stderr
    assert time.monotonic() - start < 10


def test_crashed_node_leaves_online_and_rpc_fails(cluster3):
    # A ping loop running on node 1 when node 3 dies must end with an
    # error in bounded time, never hang.
    cluster3.check(1, "krgadm rpc ping 3 --count 100000 --timeout 20000 "
                      ">/tmp/ping.out 2>/tmp/ping.err & echo $! > /tmp/ping.pid")
    time.sleep(1)
    cluster3.crash(3)
    crashed_at = time.monotonic()
    for n in (1, 2):
        cluster3.wait_for(f"node {n} to drop node 3", lambda n=n: cluster3.online(n) == "1-2",
                          timeout=15, interval=0.2)
    detect = time.monotonic() - crashed_at
    assert detect < 15
    cluster3.wait_for("the ping loop to end", lambda: cluster3.exec(
        1, "kill -0 $(cat /tmp/ping.pid) 2>/dev/null").status != 0, timeout=30)
    err = cluster3.check(1, ["cat", "/tmp/ping.err"])
    assert "RPC ping to node 3:" in err
    assert "Host is down" in err or "Connection timed out" in err

    # A multicast call still gathers the survivors and names the lost one.
    r = cluster3.exec(1, ["krgadm", "rpc", "ping", "1-3", "--json"])
    assert r.status == 1
    st = json.loads(r.stdout)
    assert [(x["node"], x["status"]) for x in st["nodes"]] == [
        (1, "ok"), (2, "ok"), (3, "Host is down")]

    # Once it is known to be gone, calls fail at once with EHOSTDOWN.
    r = cluster3.exec(2, ["krgadm", "rpc", "ping", "3"])
    assert r.status == 1 and "Host is down" in r.stderr
    for n in (1, 2):
        st = krgadm_json(cluster3, n, "nodes", "status")
        assert {x["id"]: x["state"] for x in st["nodes"]} == {
            1: "online", 2: "online", 3: "unreachable"}
        assert cluster3.check(n, ["cat", "/sys/kernel/krg/nodes/present"]).strip() == "1-3"
    # The survivors still talk to each other.
    krgadm_json(cluster3, 1, "rpc", "ping", "2", "--size", "65536")
