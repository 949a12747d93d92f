"""Checkpoint and restart of a process with 16, 64 and 256 MiB of dirty
anonymous memory, against copying the same bytes to (reading them from)
the same storage, /krg/shared, in the same run, rounds alternating.
Restart is timed to the first instruction the process runs and to its
first touch of every page, after dropping the page cache, on the node of
the checkpoint and on another. Prints min / median / max of each ratio
and records them in Documentation/performance.md, with a plot.
"""
import re
import sys
from datetime import date

import benchlib
import plots

PROGS = "/usr/lib/krg/progs"
SH = "/krg/shared"
SIZES = (16, 64, 256)
ROUNDS = 5
OUT = f"{SH}/dirty.out"


def ns(out, key):
    return int(re.search(rf"{key} (\d+)", out).group(1))


def drop_caches(c, node):
    c.check(node, ["sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches"])


def raw(c, mib, how):
    """Write (copy) or read the same bytes as a file: ns."""
    drop_caches(c, 1)
    out = c.check(1, [f"{PROGS}/cr_dirty", str(mib), how, f"{SH}/raw"], timeout=900)
    return ns(out, f"{how}_ns")


def gone(c, node, pid):
    c.wait_for("the process to go",
               lambda: c.exec(node, ["krgrun", "kill", "-0", pid]).status != 0, 120)


def output(c):
    # written at the offset it had: after a hole, once emptied
    return c.check(1, ["sh", "-c", f"tr -d '\\000' < {OUT} 2>/dev/null || true"])


def checkpoint(c, mib, img):
    """Start cr_dirty on node 1 and checkpoint --kill it: (pid, ns)."""
    c.check(1, ["sh", "-c", f"(krgrun krgcr-run {PROGS}/cr_dirty {mib} wake > {OUT} "
                            "2>&1 < /dev/null) < /dev/null > /dev/null 2>&1 &"])
    c.wait_for("READY", lambda: "READY" in output(c), 300)
    pid = output(c).split()[1]
    c.check(1, ["rm", "-rf", img])
    took = ns(c.check(1, [f"{PROGS}/timeit", "checkpoint", "--kill", "-o", img, pid],
                      timeout=900), "elapsed_ns")
    gone(c, 1, pid)
    return pid, took


def restart(c, node, pid, img, *opts):
    """Restart on node, caches dropped: ns to its first instruction and
    to the end of its first touch of every page."""
    drop_caches(c, node)
    c.check(1, ["sh", "-c", f": > {OUT}"])
    start = ns(c.check(node, [f"{PROGS}/timeit", "restart", *opts, img], timeout=900),
               "start_ns")
    c.wait_for("the first touch", lambda: "touched_ns" in output(c), 900)
    out = output(c)
    assert "PASS" in out, out
    gone(c, node, pid)
    return ns(out, "resumed_ns") - start, ns(out, "touched_ns") - start, ns(out, "faults")


def measure(c, mib):
    """One round, raw and krg alternating: a dict of ns."""
    r = {"write": raw(c, mib, "copy")}
    img = f"{SH}/img{mib}"
    pid, r["checkpoint"] = checkpoint(c, mib, img)
    r["read"] = raw(c, mib, "read")
    c.check(1, ["rm", "-f", f"{SH}/raw"])
    r["run"], r["touch"], r["faults"] = restart(c, 1, pid, img)
    r["eager run"], r["eager touch"], _ = restart(c, 1, pid, img, "--eager")
    r["other run"], r["other touch"], _ = restart(c, 2, pid, img)
    c.check(1, ["rm", "-rf", img])
    return r


def cell(values, scale=1e6, fmt=".0f"):
    lo, med, hi = benchlib.spread(values)
    return f"{med / scale:{fmt}} ({lo / scale:{fmt}}-{hi / scale:{fmt}})"


def main():
    results = {}
    with benchlib.cluster(2, session=79, memory=1024) as c:
        c.wait_for("nodes to join", lambda: c.online(1) == "1-2", 60)
        measure(c, 4)  # warm up the tools and the image's code paths
        for mib in SIZES:
            results[mib] = [measure(c, mib) for _ in range(ROUNDS)]
    table = ["| dirty memory | raw write (ms) | checkpoint (ms) | checkpoint / write "
             "| raw read (ms) | restart to first instruction (ms) | restart + touch (ms) "
             "| restart + touch / read | --eager + touch / read "
             "| on another node: + touch / read |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for mib, rounds in results.items():
        col = {k: [r[k] for r in rounds] for k in rounds[0]}
        ratio = {k: [r[k] / r[base] for r in rounds] for k, base in (
            ("checkpoint", "write"), ("touch", "read"), ("eager touch", "read"),
            ("other touch", "read"))}
        table.append(
            f"| {mib} MiB | {cell(col['write'])} | {cell(col['checkpoint'])} "
            f"| {cell(ratio['checkpoint'], 1, '.2f')} | {cell(col['read'])} "
            f"| {cell(col['run'])} | {cell(col['touch'])} | {cell(ratio['touch'], 1, '.2f')} "
            f"| {cell(ratio['eager touch'], 1, '.2f')} | {cell(ratio['other touch'], 1, '.2f')} |")
    sizes = list(results)

    def series(key):
        return [benchlib.spread([r[key] / 1e6 for r in results[m]]) for m in sizes]

    table += ["", plots.plot("perf-cr-size.png", [
        ("krg checkpoint and restart against memory size", "ms (median, min-max)",
         {"krg checkpoint": series("checkpoint"), "krg restart + first touch": series("touch"),
          "krg restart, to its first instruction": series("run"),
          "raw write": series("write"), "raw read": series("read")})],
        sizes, "dirty memory (MiB)", [str(m) for m in sizes])]
    return benchlib.report("Checkpoint and restart", (
        f"`make bench` (`tests/bench/cr_bench.py`), {date.today()}, two nodes with 1 GiB, "
        f"{benchlib.accel()}, {ROUNDS} rounds per size, raw and krg alternating within each "
        f"round; each cell is the median (min-max) over the rounds, and each ratio is taken "
        f"within a round. `tests/progs/cr_dirty` dirties every page of N MiB; the raw "
        f"baseline is the same program writing (reading) its memory to (from) a file on "
        f"`/krg/shared` in 1 MiB calls, a write ending with `fsync()` as a checkpoint ends "
        f"(its image files and directory synced). The node's page cache is dropped before "
        f"every raw copy and every restart. Restart is timed from the start of the "
        f"`restart` tool (`tests/progs/timeit`, CLOCK_MONOTONIC of the node it runs on) to "
        f"the first instruction the process runs (`cr_dirty ... wake`: a 1 ms sleep that "
        f"sees the jump), and to the end of its first touch (a read of a word) of every "
        f"page: restart + touch against a raw read of the same bytes is the like-for-like "
        f"ratio. A lazy restart leaves the pages in the image and loads each at its first "
        f"touch (64 pages a fault, the image read ahead as a file read in order); "
        f"`--eager` loads and "
        f"checks them all before the process runs. \"On another node\" restarts on node 2 "
        f"what node 1 checkpointed. Targets: checkpoint <= 1.5x the raw write; restart + "
        f"touch <= 1.5x the raw read. On top of the copy, a checkpoint freezes the tree, "
        f"writes one file per task and computes a checksum of every page; a restart checks "
        f"each page it loads. Under TCG (no usable KVM) these run as emulated instructions, "
        f"several times slower than on hardware, where the copy dominates."),
        table, c.failures)


if __name__ == "__main__":
    sys.exit(main())
