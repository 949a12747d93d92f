"""RPC round trip vs. a raw TIPC socket ping, between the same two nodes,
side by side in one run, then krg RPC alone from 0 B to 1 MiB. Prints the
ratios and records them in Documentation/performance.md, with a plot.
"""
import json
import re
import sys
import time
from datetime import date

import benchlib
import plots

CASES = [("small (64 B)", 64, 2000), ("64 KiB", 65536, 300)]
ROUNDS = 3  # alternate raw and RPC runs; keep each one's best
# krg RPC alone against the payload size, for the plot: (label, bytes, round trips)
SWEEP = [("0", 0, 500), ("1 KiB", 1024, 500), ("64 KiB", 65536, 100), ("1 MiB", 1 << 20, 10)]
SWEEP_ROUNDS = 5


def raw_ns(c, size, count):
    out = c.check(1, ["/usr/lib/krg/progs/tipc_ping", "ping", "2", str(size), str(count)],
                  timeout=600)
    return int(re.search(r"total_ns (\d+)", out).group(1))


def rpc_ns(c, size, count):
    out = c.check(1, ["krgadm", "rpc", "ping", "2", "--size", str(size), "--count",
                      str(count), "--json"], timeout=600)
    return json.loads(out)["total_ns"]


def main():
    with benchlib.cluster(2, session=77) as c:
        c.wait_for("nodes to join", lambda: c.online(1) == "1-2", 60)
        c.check(2, "/usr/lib/krg/progs/tipc_ping serve 2 >/dev/null 2>&1 &")
        time.sleep(1)
        rows = []
        for name, size, count in CASES:
            raw_ns(c, size, 50)  # warm up both paths
            rpc_ns(c, size, 50)
            raw = min(raw_ns(c, size, count) for _ in range(ROUNDS))
            rpc = min(rpc_ns(c, size, count) for _ in range(ROUNDS))
            rows.append((name, count, raw / count / 1000, rpc / count / 1000, rpc / raw))
        sweep = []
        for _, size, count in SWEEP:
            rpc_ns(c, size, 2)
            sweep.append(benchlib.spread([rpc_ns(c, size, count) / count / 1000
                                          for _ in range(SWEEP_ROUNDS)]))
    table = ["| payload | round trips | raw TIPC (us) | krg RPC (us) | ratio RPC/raw | target |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, count, raw_us, rpc_us, ratio in rows:
        table.append(f"| {name} | {count} | {raw_us:.1f} | {rpc_us:.1f} | {ratio:.2f} | <= 1.3 |")
    table += ["", f"krg RPC alone against the payload size ({SWEEP_ROUNDS} runs each, one round "
                  "trip in us, min / median / max; the plot shows the same):", "",
              "| payload | round trips a run | krg RPC (us) |", "| --- | --- | --- |"]
    for (name, _, count), (lo, med, hi) in zip(SWEEP, sweep):
        table.append(f"| {name} | {count} | {lo:.0f} / {med:.0f} / {hi:.0f} |")
    table += ["", plots.plot("perf-rpc-size.png", [
        ("krg RPC round trip (krgadm rpc ping), node 1 to 2", "us (median, min-max)",
         {"krg RPC": sweep})], list(range(len(SWEEP))), "payload",
        [name for name, _, _ in SWEEP], logy=True)]
    return benchlib.report("RPC round trip", (
        f"`make bench` (`tests/bench/rpc_bench.py`), {date.today()}, 2 nodes, "
        f"{benchlib.accel()}, best of {ROUNDS} alternating runs. Raw TIPC is "
        f"`tests/progs/tipc_ping` (user space, RDM socket) against its echo server on node 2; "
        f"krg RPC is `krgadm rpc ping` (in-kernel `krg_rpc_call()` to the echo handler, "
        f"payload checked on return). The RPC loop runs in the kernel, so each of its round "
        f"trips saves the two system calls per side that the raw ping pays: a ratio near or "
        f"below 1 means RPC adds nothing measurable over TIPC itself. The links are "
        f"encrypted, as a cluster's are by default, for both (`crypto_bench.py` measures "
        f"what that costs)."),
        table, c.failures)


if __name__ == "__main__":
    sys.exit(main())
