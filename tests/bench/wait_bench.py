"""A parent on node 1 kills its child and waits for it: the child on node
1, or migrated to node 2 (its shadow on node 1 forwards the signal and
exits with the child's status), alternated in one run, against an RPC
round trip between the same nodes. Prints the ratios and records them in
Documentation/performance.md.
"""
import json
import re
import sys
from datetime import date

import benchlib

ROUNDS = 7  # of each
PROBE = "/usr/lib/krg/progs/waitprobe"
OUT = "/krg/shared/bench-wait.out"


def lines(c, pattern, count):
    """Wait until OUT has count matches of pattern; return them."""
    found = []

    def enough():
        found[:] = re.findall(pattern, c.check(1, ["cat", OUT]))
        return len(found) >= count
    c.wait_for(f"{count} x {pattern}", enough, 300, interval=0.1)
    return found


def rpc_us(c):
    out = c.check(1, ["krgadm", "rpc", "ping", "2", "--size", "64", "--count", "100",
                      "--json"])
    return json.loads(out)["total_ns"] / 100 / 1000


def main():
    local, remote, rts = [], [], []
    with benchlib.cluster(2, session=85) as c:
        c.wait_for("nodes 1 and 2 to join", lambda: c.online(1) == "1-2", 60)
        c.check(1, ["sh", "-c", f"rm -f {OUT}; (krgrun {PROBE} {2 * ROUNDS} > {OUT} 2>&1 "
                    "< /dev/null &)"])
        parent = int(lines(c, r"READY (\d+)", 1)[0])
        for i in range(2 * ROUNDS):
            child = int(lines(c, r"CHILD (\d+)", i + 1)[i])
            away = i % 2 == 1
            if away:
                c.check(1, ["krgrun", "krgcapset", "-k", str(child), "-e", "+CAN_MIGRATE"])
                c.check(1, ["migrate", str(child), "2"])
            c.check(1, ["krgrun", "kill", "-USR1", str(parent)])
            us = int(lines(c, r"wait_ns (\d+)", i + 1)[i]) / 1000
            (remote if away else local).append(us)
            rts.append(rpc_us(c))
        lines(c, r"PASS|FAIL", 1)
        if "PASS" not in c.check(1, ["cat", OUT]):
            c.failures.append(c.check(1, ["cat", OUT]))
    (llo, lmed, lhi), (rlo, rmed, rhi) = benchlib.spread(local), benchlib.spread(remote)
    rt = benchlib.spread(rts)[1]
    table = ["| child | kill + waitpid (us): min / median / max | median / RPC round trip "
             "| median / local |", "| --- | --- | --- | --- |",
             f"| on node 1, with its parent | {llo:.0f} / {lmed:.0f} / {lhi:.0f} "
             f"| {lmed / rt:.2f} | 1 |",
             f"| migrated to node 2 | {rlo:.0f} / {rmed:.0f} / {rhi:.0f} | {rmed / rt:.2f} "
             f"| {rmed / lmed:.1f} |"]
    return benchlib.report("Waiting for a child on another node", (
        f"`make bench` (`tests/bench/wait_bench.py`), {date.today()}, 2 nodes, "
        f"{benchlib.accel()}, {ROUNDS} rounds of each, alternated. `tests/progs/waitprobe` "
        f"on node 1 forks a child, kills it with `SIGTERM` and times `waitpid()` until it "
        f"returns the child's status, checked. Away, the signal goes to the child's shadow, "
        f"which forwards it to node 2 (one round trip); node 2 reaps the child and sends "
        f"its status back (a second round trip, from a work queue), and the shadow exits "
        f"with it: two round trips, and two exits of a process, one of them the shadow's. The RPC "
        f"round trip (median {rt:.0f} us) is `krgadm rpc ping` of 64 bytes between the same "
        f"nodes, measured between the rounds."), table, c.failures)


if __name__ == "__main__":
    sys.exit(main())
