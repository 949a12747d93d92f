"""What encrypting the links costs: krg RPC round trips between two nodes
whose links are encrypted under a cluster key, against the same between
two nodes in clear (krg.encrypt=0), both clusters up at once and measured
in alternated rounds. Records min, median and max, and the ratio of the
medians, in Documentation/performance.md.
"""
import json
import sys
from datetime import date

import benchlib

CASES = [("small (64 B)", 64, 1000), ("64 KiB", 65536, 200)]
ROUNDS = 5


def rpc_us(c, size, count):
    out = c.check(1, ["krgadm", "rpc", "ping", "2", "--size", str(size), "--count",
                      str(count), "--json"], timeout=600)
    return json.loads(out)["total_ns"] / count / 1000


def main():
    with benchlib.cluster(2, session=81) as enc, \
            benchlib.cluster(2, session=82, encrypt=False) as clear:
        for c in (enc, clear):
            c.wait_for("nodes to join", lambda c=c: c.online(1) == "1-2", 60)
        assert enc.check(1, ["cat", "/sys/kernel/krg/encrypted"]).strip() == "1"
        assert clear.check(1, ["cat", "/sys/kernel/krg/encrypted"]).strip() == "0"
        rows = []
        for name, size, count in CASES:
            rpc_us(enc, size, 50)  # warm up both
            rpc_us(clear, size, 50)
            e, k = [], []
            for _ in range(ROUNDS):
                e.append(rpc_us(enc, size, count))
                k.append(rpc_us(clear, size, count))
            rows.append((name, count, benchlib.spread(k), benchlib.spread(e)))
    table = ["| payload | round trips | clear (us): min / median / max | encrypted (us): "
             "min / median / max | ratio of medians |", "| --- | --- | --- | --- | --- |"]
    for name, count, k, e in rows:
        table.append(f"| {name} | {count} | {k[0]:.0f} / {k[1]:.0f} / {k[2]:.0f} | "
                     f"{e[0]:.0f} / {e[1]:.0f} / {e[2]:.0f} | {e[1] / k[1]:.2f} |")
    return benchlib.report("Link encryption", (
        f"`make bench` (`tests/bench/crypto_bench.py`), {date.today()}, two 2-node clusters "
        f"up at once, {benchlib.accel()}, {ROUNDS} alternated rounds of `krgadm rpc ping` "
        f"(node 1 to node 2) on each. One cluster's links are encrypted and authenticated "
        f"(TIPC AEAD, AES-256-GCM, under its cluster key), the other's are in clear "
        f"(`krg.encrypt=0`). Under TCG the AES and GHASH instructions are emulated, so the "
        f"cost measured here is far above what hardware with AES-NI pays."),
        table, enc.failures + clear.failures)


if __name__ == "__main__":
    sys.exit(main())
