"""Node identity: bad or missing ids and foreign sessions stay out."""
import json

import pytest


def state(c, node):
    return c.check(node, ["cat", "/sys/kernel/krg/state"]).strip()


def test_other_session_stays_out(make_cluster):
    c = make_cluster()
    c.start_node(1)
    c.start_node(2)
    c.start_node(3, session=c.session + 1)  # same wire, another cluster
    for n in (1, 2, 3):
        c.wait_ready(n)
    c.wait_for("nodes 1 and 2 to join", lambda: c.online(1) == "1-2" and c.online(2) == "1-2")
    c.wait_for("node 3 to be up alone", lambda: c.online(3) == "3")
    # Give discovery time to (wrongly) merge them: TIPC probes every few
    # hundred ms at start, so 5 s is many rounds.
    import time
    time.sleep(5)
    assert c.online(1) == "1-2"
    assert c.online(2) == "1-2"
    assert c.online(3) == "3"
    assert c.check(3, ["cat", "/sys/kernel/krg/session_id"]).strip() == str(c.session + 1)
    r = c.exec(1, ["krgadm", "rpc", "ping", "3"])
    assert r.status == 1 and "Host is down" in r.stderr


BAD_IDENTITIES = [
    ("krg.node_id=abc krg.session_id=5", "bad krg.node_id='abc' (want 1..255)"),
    ("krg.node_id=0 krg.session_id=5", "bad krg.node_id='0' (want 1..255)"),
    ("krg.node_id=300 krg.session_id=5", "bad krg.node_id='300' (want 1..255)"),
    ("krg.session_id=5", "no krg.node_id= on the command line"),
    ("krg.node_id=4 krg.session_id=10000", "bad krg.session_id='10000' (want 1..9999)"),
]


def test_bad_identity_keeps_node_out(make_cluster):
    c = make_cluster()
    c.start_node(1)
    for i, (identity, _) in enumerate(BAD_IDENTITIES):
        c.start_node(10 + i, identity=identity)
    for n in [1] + [10 + i for i in range(len(BAD_IDENTITIES))]:
        c.wait_ready(n)
    for i, (identity, message) in enumerate(BAD_IDENTITIES):
        node = 10 + i
        log = c.log(node)
        assert f"krg: {message}, node stays out of the cluster" in log, identity
        assert log.count("node stays out of the cluster") == 1
        assert "Kernel panic" not in log
        assert state(c, node) == "out"
        assert c.check(node, ["cat", "/sys/kernel/krg/node_id"]).strip() == "0"
        assert c.check(node, ["cat", "/sys/kernel/krg/nodes/online"]).strip() == ""
        st = json.loads(c.check(node, ["krgadm", "cluster", "status", "--json"]))
        assert st["state"] == "out" and st["online"] == []
        r = c.exec(node, ["krgadm", "rpc", "ping", "1"])
        assert r.status == 1 and "Transport endpoint is not connected" in r.stderr
        r = c.exec(node, ["krgrun", "--", "true"])
        assert r.status == 125 and "no cluster PID namespace" in r.stderr
        r = c.exec(node, ["krgadm", "rpc", "ping", "all"])
        assert r.status == 1 and "no node is online" in r.stderr
    assert c.online(1) == "1"
