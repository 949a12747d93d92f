"""Kerrighed capabilities on a real node: defaults, inheritance at fork,
who may change what, krgcapset's syntax and errors, krgcr-run."""
import re

import pytest

CHANGE, MIGRATE, DFORK, CR, REMOTE_MEM, LOCAL_STAT = (1 << b for b in range(6))
ALL = 0x3F
RUNAS = "/usr/lib/krg/progs/runas"


def sets(c, node, script):
    """Run script in sh on node; parse the krgcapset -s output it prints.
    Scripts name processes with -k $$: busybox sh runs its last command in
    its own place, so "the parent shell" is not always what it seems."""
    out = c.check(node, ["sh", "-c", script])
    found = dict(re.findall(r"^(\w[\w ]*) Capabilities: (0x[0-9a-f]+)$", out, re.M))
    return {k: int(v, 16) for k, v in found.items()}


def test_defaults(node1):
    s = sets(node1, 1, "krgcapset -k $$")
    assert s == {"Permitted": ALL, "Effective": CHANGE,
                 "Inheritable Permitted": ALL, "Inheritable Effective": CHANGE}


def test_inheritance_at_fork(node1):
    # The shell sets its inheritable sets; its child gets
    # permitted = inheritable permitted, effective = both inheritable sets.
    s = sets(node1, 1, "krgcapset -k $$ -d CHECKPOINTABLE,CAN_MIGRATE,CHANGE_KERRIGHED_CAP "
                       "-i CHECKPOINTABLE,DISTANT_FORK && sh -c 'krgcapset -k $$'; true")
    assert s["Permitted"] == CR | MIGRATE | CHANGE
    assert s["Effective"] == CR
    assert s["Inheritable Permitted"] == CR | MIGRATE | CHANGE
    assert s["Inheritable Effective"] == CR | DFORK


def test_show_other_process_and_relative_changes(node1):
    script = ("sleep 30 & p=$!; krgcapset -k $p -e +CAN_MIGRATE,+CHECKPOINTABLE && "
              "krgcapset -k $p -e -CHECKPOINTABLE -p -DISTANT_FORK -s; kill $p")
    s = sets(node1, 1, script)
    assert s["Effective"] == CHANGE | MIGRATE
    assert s["Permitted"] == ALL & ~DFORK


def test_unprivileged_user_only_shrinks_permitted(node1):
    base = f"{RUNAS} 1000 sh -c "
    ok = node1.exec(1, base + "'krgcapset -k $$ -p -CAN_MIGRATE -s'")
    assert ok.status == 0 and "Permitted Capabilities: 0x3d" in ok.stdout
    r = node1.exec(1, base + "'krgcapset -k $$ -p -CAN_MIGRATE && krgcapset -k $$ -p +CAN_MIGRATE'")
    assert r.status == 1
    assert "cannot change the capabilities of process" in r.stderr
    assert "Operation not permitted" in r.stderr
    # Without CHANGE_KERRIGHED_CAP in effective, effective sets cannot grow.
    r = node1.exec(1, base + "'krgcapset -k $$ -e 0 && krgcapset -k $$ -e +CAN_MIGRATE'")
    assert r.status == 1 and "Operation not permitted" in r.stderr
    # Nor may a user touch another user's process.
    r = node1.exec(1, f"{RUNAS} 1000 krgcapset -k 1 -e 0")
    assert r.status == 1 and "Operation not permitted" in r.stderr


def test_root_may_raise_permitted(node1):
    s = sets(node1, 1, "krgcapset -k $$ -p 0 -f && krgcapset -k $$ -p +DISTANT_FORK -s")
    assert s["Permitted"] == DFORK and s["Effective"] == 0


def test_effective_stays_within_permitted(node1):
    r = node1.exec(1, "krgcapset -k $$ -p CHANGE_KERRIGHED_CAP -e CAN_MIGRATE")
    assert r.status == 1 and "Invalid argument" in r.stderr
    assert "--force clips it" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["-e", "+FLY"], "unknown capability 'FLY'"),
    (["-e", "CAN_MIGRATE,,CHECKPOINTABLE"], "empty capability name in the list"),
    (["-i", "0x80"], "capability mask '0x80' has unknown bits"),
    (["-k", "abc"], "bad PID 'abc'"),
    (["--bogus"], "unknown option '--bogus'"),
])
def test_krgcapset_rejects_bad_input(node1, args, message):
    r = node1.exec(1, ["krgcapset", *args])
    assert r.status == 2 and message in r.stderr and "usage:" in r.stderr


def test_krgcapset_unknown_pid(node1):
    r = node1.exec(1, ["krgcapset", "-k", "999999"])
    assert r.status == 1 and "No such process" in r.stderr


def test_krgcr_run_makes_command_and_children_checkpointable(node1):
    # CMD itself, then a child of CMD.
    s = sets(node1, 1, "krgcr-run sh -c 'krgcapset -k $$'; true")
    assert s["Effective"] & CR and s["Inheritable Effective"] & CR
    s = sets(node1, 1, "krgcr-run sh -c 'sh -c \"krgcapset -k \\$\\$\"; true'")
    assert s["Effective"] & CR and s["Permitted"] & CR
    r = node1.exec(1, "krgcapset -k $$ -d -CHECKPOINTABLE && krgcr-run true; true")
    assert "CHECKPOINTABLE is not in" in r.stderr
    assert node1.exec(1, ["krgcr-run", "--help"]).status == 0
