"""Allocation failures inside krg's code (debug kernel: failslab and
fail_page_alloc, with a stack-trace filter on krg's text) make checkpoints,
restarts and RPCs fail cleanly: an error, never an oops, a leak (kmemleak
is scanned when the module's cluster goes down) or a process running
twice; and once the faults stop, all of it works again."""
import re

import pytest

from crlib import SH, checkpoint, restart, running, start

pytestmark = pytest.mark.debug  # also on the debug kernel

DBG = "/sys/kernel/debug"
KINDS = ("failslab", "fail_page_alloc")
# Frames searched for krg's code above the failing allocation: enough for
# krg's own calls (through kvmalloc, say), not for the file system's or
# TIPC's work on its behalf, whose failures are theirs to handle.
DEPTH = 10
# Where the checkpoints made under faults go: the node's own tmpfs. The 9p
# client under /krg/shared was seen to fail creates and renames with EINVAL
# for good after one of its allocations, made on krg's behalf, failed: its
# own state broke, so the shared directory stays out of the fault window.
LOCAL = "/tmp/faults"
# What an allocation failure may turn into.
CLEAN = re.compile(r"Cannot allocate memory|No buffer space available|Bad message|"
                   r"No data available|Input/output error|Host is down|"
                   r"Connection timed out|Resource temporarily unavailable|"
                   r"Device or resource busy|No such process|Invalid argument")


def krg_text(c, node):
    """[start, end) of kernel/krg's code: the densest run of its functions'
    addresses. (krg's hooks elsewhere, in kernel/seccomp.c say, would
    stretch a plain [min, max] over the workqueue, TIPC and the rest.)"""
    out = c.check(node, ["sh", "-c", "grep -E ' [tT] (krg_|ghost_|rpc_)' /proc/kallsyms"])
    addrs = sorted(int(line.split()[0], 16) for line in out.splitlines())
    runs = [[addrs[0]]]
    for a in addrs[1:]:
        if a - runs[-1][-1] > 64 << 10:
            runs.append([])
        runs[-1].append(a)
    run = max(runs, key=len)
    assert len(run) > 100 and run[-1] - run[0] < 4 << 20, [(hex(r[0]), len(r)) for r in runs]
    return run[0], run[-1] + 4096


def faults(c, node, probability, text):
    lo, hi = text
    for kind in KINDS:
        d = f"{DBG}/{kind}"
        settings = {"probability": probability, "interval": 1, "times": -1, "verbose": 0,
                    "space": 0, "task-filter": "N", "stacktrace-depth": DEPTH,
                    "require-start": lo, "require-end": hi}
        if kind == "failslab":
            settings["ignore-gfp-wait"] = "N"
        else:
            settings.update({"ignore-gfp-wait": "N", "ignore-gfp-highmem": "N", "min-order": 0})
        c.check(node, ["sh", "-c", "; ".join(f"echo {v} > {d}/{k}"
                                             for k, v in settings.items())])


def test_allocation_failures_in_krg_fail_cleanly(cluster3):
    c = cluster3
    if c.exec(1, ["test", "-d", f"{DBG}/failslab"]).status:
        pytest.skip("fault injection is in the debug kernel only (make test-debug)")
    pid = start(c, 1, "faults", "cr_signals")
    img = f"{SH}/faults.img"
    assert checkpoint(c, 1, pid, img).status == 0
    text = {n: krg_text(c, n) for n in (1, 2)}
    try:
        outcomes = []
        for i in range(30):
            # One allocation in 10, 30 and 100: some of each kind of call
            # fail, and some get through.
            for n in (1, 2):
                faults(c, n, (10, 3, 1)[i % 3], text[n])
            r = checkpoint(c, 1, pid, f"{LOCAL}-{i}.img")
            outcomes.append(("checkpoint", r))
            c.exec(1, ["rm", "-rf", f"{LOCAL}-{i}.img"])
            r = c.exec(1, ["krgadm", "rpc", "ping", "2", "--count", "20"])
            outcomes.append(("ping", r))
        for what, r in outcomes:
            if r.status:
                assert CLEAN.search(r.stderr), f"{what}: {r.stderr}"
        for what in ("checkpoint", "ping"):
            statuses = [r.status for w, r in outcomes if w == what]
            assert any(statuses), f"no {what} met a fault"
            assert not all(statuses), f"no {what} got through"
        assert running(c, 1, pid)
    finally:
        for n in (1, 2):
            faults(c, n, 0, text[n])
    # Without faults, everything works again.
    assert checkpoint(c, 1, pid, img, "--kill").status == 0
    c.wait_for("the process to end", lambda: not running(c, 1, pid), 30)
    r = restart(c, 2, img)
    assert r.status == 0, r.stderr
    assert running(c, 2, pid)
    c.check(2, ["krgrun", "kill", "-KILL", str(pid)])
    assert c.online(1) == "1-3" and c.online(2) == "1-3"
    for n in (1, 2):
        c.wait_for(f"node {n}'s ghosts to go", lambda n=n: c.check(
            n, ["cat", "/sys/kernel/krg/ghosts"]).strip() == "0", 30)
