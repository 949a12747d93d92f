"""Migration of a process with MIB MiB of dirty memory between two nodes,
against a one-way RPC stream of as many bytes between the same nodes, side
by side in one run: how long the process stands frozen, for what the link
can carry. Prints the ratios and records them in
Documentation/performance.md.
"""
import json
import re
import sys
from datetime import date

import benchlib

SIZES = (16, 64, 256)  # MiB of dirty anonymous memory
HOPS = 5  # migrations of each process: 1 to 2, then between 2 and 3
CHUNK = 4 << 20  # bytes per RPC message, as migration sends them


def dirty(c, node, mib):
    """cr_dirty MIB in the cluster namespace, CAN_MIGRATE: its PID."""
    out = f"/krg/shared/bench-mig-{mib}"
    c.check(node, ["sh", "-c", f"rm -f {out}; (krgrun /usr/lib/krg/progs/cr_dirty {mib} "
                   f"> {out} 2>&1 < /dev/null &) ; sleep 1"])
    c.wait_for(f"cr_dirty {mib}", lambda: "READY" in c.check(node, ["cat", out]), 120)
    pid = int(re.search(r"READY (\d+)", c.check(node, ["cat", out])).group(1))
    c.check(node, ["krgrun", "krgcapset", "-k", str(pid), "-e", "+CAN_MIGRATE"])
    return pid


def migrate(c, node, pid, dst):
    """One migration: ms frozen, bytes sent."""
    out = c.check(node, ["migrate", "--stats", str(pid), str(dst)], timeout=600)
    frozen = float(re.search(r"frozen_ms ([\d.]+)", out).group(1))
    sent = int(re.search(r"round 1: (\d+) bytes", out).group(1))
    return frozen, sent


def stream_ms(c, src, dst, size):
    """One-way RPC stream of size bytes in CHUNK messages, in ms."""
    count = max(1, size // CHUNK)
    out = c.check(src, ["krgadm", "rpc", "ping", str(dst), "--size", str(CHUNK), "--count",
                        str(count), "--oneway", "--timeout", "600000", "--json"], timeout=700)
    return json.loads(out)["total_ns"] / 1e6 * size / (count * CHUNK)


def main():
    rows = []
    # Room for 256 MiB three times: the process, its staging, its restart.
    with benchlib.cluster(3, session=83, memory=1024) as c:
        for n in (1, 2, 3):
            c.wait_for(f"node {n} to see 1-3", lambda n=n: c.online(n) == "1-3", 60)
        for mib in SIZES:
            pid = dirty(c, 1, mib)
            frozen, streams, sent = [], [], 0
            where = 1
            for hop in range(HOPS):
                dst = 2 if where != 2 else 3
                ms, sent = migrate(c, where, pid, dst)
                frozen.append(ms)
                streams.append(stream_ms(c, where, dst, sent))
                where = dst
            c.check(where, ["krgrun", "kill", "-KILL", str(pid)])
            rows.append((mib, sent, benchlib.spread(frozen), benchlib.spread(streams)))
    table = ["| memory | image sent | frozen (ms): min / median / max "
             "| RPC stream of as many bytes (ms): median | frozen / stream |",
             "| --- | --- | --- | --- | --- |"]
    for mib, sent, (lo, med, hi), (_, smed, _) in rows:
        table.append(f"| {mib} MiB dirty | {sent / 2**20:.1f} MiB | {lo:.0f} / {med:.0f} / "
                     f"{hi:.0f} | {smed:.0f} | {med / smed:.2f} |")
    return benchlib.report("Migration", (
        f"`make bench` (`tests/bench/migrate_bench.py`), {date.today()}, 3 nodes of 1 GiB, "
        f"{benchlib.accel()}, {HOPS} migrations of each process (node 1 to 2, then between "
        f"2 and 3), `migrate --stats`. A migration is one stop-and-copy round: the process "
        f"stands frozen while it is exported, its image streamed and restarted, so frozen "
        f"time grows with its memory. The stream is `krgadm rpc ping --oneway` of the same "
        f"bytes in 4 MiB messages between the same nodes, as migration sends them: the "
        f"ratio is what export and restart add to the transfer (target: 1.5 at most); near "
        f"1, the link dominates. Pre-copy rounds, which send most pages while it runs, "
        f"are still to come."), table, c.failures)


if __name__ == "__main__":
    sys.exit(main())
