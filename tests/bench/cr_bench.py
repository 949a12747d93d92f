"""Checkpoint and restart of a process with 16, 64 and 256 MiB of dirty
anonymous memory, each against copying the same bytes to (or reading
them from) the same storage, /krg/shared, in the same run. Prints the
ratios and records them in Documentation/performance.md.
"""
import re
import sys
from datetime import date

import benchlib

PROGS = "/usr/lib/krg/progs"
SH = "/krg/shared"
SIZES = (16, 64, 256)
ROUNDS = 3  # each measure is the best of this many, raw and krg alternating


def ns(out, key="elapsed_ns"):
    return int(re.search(rf"{key} (\d+)", out).group(1))


def measure(c, mib):
    out = c.check(1, [f"{PROGS}/cr_dirty", str(mib), "copy", f"{SH}/raw"], timeout=900)
    copy = ns(out, "copy_ns")
    out = c.check(1, [f"{PROGS}/cr_dirty", str(mib), "read", f"{SH}/raw"], timeout=900)
    read = ns(out, "read_ns")
    c.check(1, ["rm", "-f", f"{SH}/raw"])
    c.check(1, ["sh", "-c", f"(krgrun krgcr-run {PROGS}/cr_dirty {mib} > /tmp/dirty.out "
                            "2>&1 < /dev/null) < /dev/null > /dev/null 2>&1 &"])
    c.wait_for("READY", lambda: "READY" in c.check(1, ["cat", "/tmp/dirty.out"]), 300)
    pid = c.check(1, ["cat", "/tmp/dirty.out"]).split()[1]
    img = f"{SH}/img{mib}"
    ckpt = ns(c.check(1, [f"{PROGS}/timeit", "checkpoint", "--kill", "-o", img, pid],
                      timeout=900))
    c.wait_for("the process to go",
               lambda: c.exec(1, ["krgrun", "kill", "-0", pid]).status != 0, 60)
    times = []
    for how in ([], ["--eager"]):
        c.check(1, ["sh", "-c", ": > /tmp/dirty.out"])
        times.append(ns(c.check(1, [f"{PROGS}/timeit", "restart", "--stopped", *how, img],
                                timeout=900)))
        # Resumed, it reads a word of every page: all pages left load now.
        c.check(1, ["krgrun", "kill", "-CONT", pid])
        c.check(1, ["krgrun", "kill", "-USR1", pid])
        # (written at the offset it had: after a hole, once emptied)
        text = ["sh", "-c", "tr -d '\\000' < /tmp/dirty.out"]
        c.wait_for("the first touch", lambda: "touch_ns" in c.check(1, text), 600)
        out = c.check(1, text)
        assert "PASS" in out, out
        times.append(ns(out, "touch_ns"))
        c.wait_for("the process to go",
                   lambda: c.exec(1, ["krgrun", "kill", "-0", pid]).status != 0, 60)
    c.check(1, ["rm", "-rf", img])
    return copy, ckpt, read, *times


def main():
    rows = []
    with benchlib.cluster(1, session=79, memory=1024) as c:
        measure(c, 4)  # warm up the tools and the page cache
        for mib in SIZES:
            copy, ckpt, read, rst, touch, eager, eager_touch = map(
                min, zip(*(measure(c, mib) for _ in range(ROUNDS))))
            rows.append(f"| {mib} MiB | {copy / 1e6:.0f} | {ckpt / 1e6:.0f} | {ckpt / copy:.2f} "
                        f"| {read / 1e6:.0f} | {rst / 1e6:.0f} | {rst / read:.2f} "
                        f"| {touch / 1e6:.0f} | {eager / 1e6:.0f} | {eager / read:.2f} "
                        f"| {eager_touch / 1e6:.0f} |")
    table = ["| dirty memory | raw write (ms) | checkpoint (ms) | ratio | raw read (ms) "
             "| restart (ms) | ratio | then first touch of every page (ms) "
             "| restart --eager (ms) | ratio | then first touch (ms) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"] + rows
    return benchlib.report("Checkpoint and restart", (
        f"`make bench` (`tests/bench/cr_bench.py`), {date.today()}, one node with 1 GiB, "
        f"{benchlib.accel()}, best of {ROUNDS} alternating runs. `tests/progs/cr_dirty` dirties every page of N MiB; the raw "
        f"baseline is the same program writing (reading) its memory to (from) a file on "
        f"`/krg/shared` in 1 MiB calls, a write ending with `fsync()` as a checkpoint ends; "
        f"checkpoint and restart use the same storage and are timed inside the node around "
        f"the tools (`checkpoint --kill`, `restart --stopped`). Targets: checkpoint <= 1.5x "
        f"the raw write; restart time not linear in the memory size. `/krg/shared` is 9p "
        f"with `cache=mmap`: writes go to the node's page cache and `fsync()` sends them to "
        f"the host, for both. On top of the copy, a checkpoint freezes the tree, writes one "
        f"file per task and reads every byte once more for the per-page XXH64 checksums, "
        f"in emulated instructions under TCG (several GB/s on hardware, not measured here: "
        f"no usable KVM); the fixed part weighs most on small trees. Restart leaves the "
        f"pages in the image (lazy restore: each is read and checked at its first touch): "
        f"it reads each run's header and page checksums (4 bytes a page, one read per run "
        f"of up to 16 MiB) and writes a page table entry per page, so its time hardly "
        f"moves with the memory; `restart --eager` reads and checks every page before the "
        f"tree runs, which grows linearly. The process then reads a word of every page: "
        f"after a lazy restart that loads each page from the image (read ahead 32 pages or "
        f"more at a time, as a `read()` would), after an eager one the pages are there. "
        f"Under TCG on 2 host cores a run's ratios move by up to 2x between runs."),
        table, c.failures)


if __name__ == "__main__":
    sys.exit(main())
