"""kill(PID, 0) of a process on another node against an RPC round trip
between the same nodes, side by side in one run: what finding a process
elsewhere costs. Prints the ratios and records them in
Documentation/performance.md.
"""
import json
import re
import sys
from datetime import date

import benchlib

CALLS = 300
ROUNDS = 5
PROBE = "/usr/lib/krg/progs/sigprobe"


def us_per_call(c, node, pid):
    out = c.check(node, ["krgrun", PROBE, "loop", str(pid), str(CALLS)], timeout=600)
    return int(re.search(r"ns_per_call (\d+)", out).group(1)) / 1000


def rpc_us(c, src, dst):
    out = c.check(src, ["krgadm", "rpc", "ping", str(dst), "--size", "64", "--count",
                        str(CALLS), "--json"], timeout=600)
    return json.loads(out)["total_ns"] / CALLS / 1000


def sleeper(c, node):
    out = c.check(node, ["krgrun", "--", "sh", "-c",
                         "(exec krgcr-run sleep 100000 < /dev/null > /dev/null 2>&1 &) ; "
                         "sleep 1; for d in /proc/[0-9]*; do "
                         "[ \"$(cat $d/comm)\" = sleep ] && echo ${d#/proc/}; done"])
    return int(out.split()[-1])


def main():
    with benchlib.cluster(3, session=79) as c:
        for n in (1, 2, 3):
            c.wait_for(f"node {n} to see 1-3", lambda n=n: c.online(n) == "1-3", 60)
        here = sleeper(c, 3)
        at_home = sleeper(c, 2)
        away = sleeper(c, 1)
        c.check(1, ["checkpoint", "--kill", "-o", "/krg/shared/bench-away.img", str(away)])
        c.check(2, ["restart", "/krg/shared/bench-away.img"])
        cases = [("on this node (3)", 3, here),
                 ("at home on node 2", 3, at_home),
                 ("born on 1, runs on 2", 3, away),
                 ("born on 1, runs on 2, asked from 1 (its home)", 1, away)]
        for _, node, pid in cases:
            us_per_call(c, node, pid)  # warm up
        rows = []
        for name, node, pid in cases:
            rts, calls = [], []
            for _ in range(ROUNDS):  # alternated, so that both see the same load
                rts.append(rpc_us(c, node, 2))
                calls.append(us_per_call(c, node, pid))
            rows.append((name, benchlib.spread(rts), benchlib.spread(calls)))
    table = ["| process | RPC round trip (us): median | kill -0 (us): min / median / max "
             "| median / round trip | target |",
             "| --- | --- | --- | --- | --- |"]
    targets = ["< 0.1", "<= 1.2", "<= 1.2", "<= 1.2"]
    for (name, (_, rt, _), (lo, med, hi)), target in zip(rows, targets):
        table.append(f"| {name} | {rt:.0f} | {lo:.0f} / {med:.0f} / {hi:.0f} "
                     f"| {med / rt:.2f} | {target} |")
    return benchlib.report("Signals across nodes", (
        f"`make bench` (`tests/bench/signal_bench.py`), {date.today()}, 3 nodes, "
        f"{benchlib.accel()}, {ROUNDS} alternated runs of {CALLS} calls each. `tests/progs/sigprobe "
        f"loop` calls `kill(PID, 0)` in a loop on the node, against `krgadm rpc ping` of "
        f"64 bytes from the same node to node 2. A PID not found here is asked of the node "
        f"that ran it at the last call (`proc/runner.c`), else of its home: one round trip "
        f"for a process at home, or one that has not moved since the last call. A process "
        f"that moved since costs three at its next call (the node that ran it, its home, "
        f"which knows where it runs now, and that node), then one again. Target: one "
        f"round trip and its handling within 1.2 round trips."),
        table, c.failures)


if __name__ == "__main__":
    sys.exit(main())
