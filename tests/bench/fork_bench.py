"""fork + exit + wait inside the cluster PID namespace vs outside it, in the
same VM, side by side. Prints the ratio and records it in
Documentation/performance.md.
"""
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import krgcluster  # noqa: E402
from perf_record import record  # noqa: E402

FORKS = 2000
ROUNDS = 5


def ns_per_fork(c, inside):
    argv = ["/usr/lib/krg/progs/forkbench", str(FORKS)]
    out = c.check(1, (["krgrun", "--"] if inside else []) + argv, timeout=600)
    return float(re.search(r"ns_per_fork (\d+)", out).group(1))


def main():
    c = krgcluster.Cluster(tempfile.mkdtemp(prefix="krg-bench-", dir="/tmp"), session=78)
    try:
        c.up(1)
        ns_per_fork(c, False)
        ns_per_fork(c, True)
        outside = min(ns_per_fork(c, False) for _ in range(ROUNDS))
        inside = min(ns_per_fork(c, True) for _ in range(ROUNDS))
        failures = c.kernel_failures()
    finally:
        c.down()
        shutil.rmtree(c.run_dir, ignore_errors=True)
    accel = "KVM" if krgcluster.kvm_works() else "QEMU TCG"
    table = ["| loop | outside (us/fork) | cluster namespace (us/fork) | ratio | target |",
             "| --- | --- | --- | --- | --- |",
             f"| fork + _exit + waitpid, {FORKS}x | {outside / 1000:.1f} | {inside / 1000:.1f} "
             f"| {inside / outside:.3f} | <= 1.05 |"]
    print("\n".join(table))
    record("PID allocation", (
        f"`make bench` (`tests/bench/fork_bench.py`), {date.today()}, one node, {accel}, "
        f"best of {ROUNDS} runs each. `tests/progs/forkbench` run directly and under "
        f"`krgrun` (cluster PIDs come from the node's own range, no network).\n\n"
        + "\n".join(table) + "\n"))
    if failures:
        print("kernel failures:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
