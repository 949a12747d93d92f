"""fork + exit + wait inside the cluster PID namespace vs outside it, in the
same VM, side by side. Prints the ratio and records it in
Documentation/performance.md.
"""
import re
import sys
from datetime import date

import benchlib

FORKS = 2000
ROUNDS = 5


def ns_per_fork(c, inside):
    argv = ["/usr/lib/krg/progs/forkbench", str(FORKS)]
    out = c.check(1, (["krgrun", "--"] if inside else []) + argv, timeout=600)
    return float(re.search(r"ns_per_fork (\d+)", out).group(1))


def main():
    with benchlib.cluster(1, session=78) as c:
        ns_per_fork(c, False)
        ns_per_fork(c, True)
        outside = min(ns_per_fork(c, False) for _ in range(ROUNDS))
        inside = min(ns_per_fork(c, True) for _ in range(ROUNDS))
    table = ["| loop | outside (us/fork) | cluster namespace (us/fork) | ratio | target |",
             "| --- | --- | --- | --- | --- |",
             f"| fork + _exit + waitpid, {FORKS}x | {outside / 1000:.1f} | {inside / 1000:.1f} "
             f"| {inside / outside:.3f} | <= 1.05 |"]
    return benchlib.report("PID allocation", (
        f"`make bench` (`tests/bench/fork_bench.py`), {date.today()}, one node, "
        f"{benchlib.accel()}, best of {ROUNDS} runs each. `tests/progs/forkbench` run "
        f"directly and under `krgrun` (cluster PIDs come from the node's own range, no "
        f"network)."), table, c.failures)


if __name__ == "__main__":
    sys.exit(main())
