"""krg against CRIU (Debian's criu 3.17.1, in the node image when the host
has it), side by side on one node in one run, rounds alternating:
`checkpoint --kill` against `criu dump`, `restart` against `criu restore
-d`, and the first touch of every page after each, for a process with 16,
64 and 256 MiB of dirty memory, trees of 1, 8 and 32 processes sharing a
pipe, and a process of 4 threads. Prints the tables, records them in
Documentation/performance.md and draws their plots there.
"""
import re
import sys
from datetime import date

import benchlib
import plots

PROGS = "/usr/lib/krg/progs"
SH = "/krg/shared"
ROUNDS = 5
MEMORY = (16, 64, 256)
TREES = (1, 8, 32)
WORKLOADS = ([(f"{m} MiB dirty", f"cr_dirty {m}") for m in MEMORY] +
             [(f"{n} process{'es' if n > 1 else ''}, one pipe", f"cr_pipetree {n}")
              for n in TREES] + [("1 process, 4 threads", "cr_threads")])
# What `criu check --feature` can ask about (CRIU 3.17).
FEATURES = ("mnt_id aio_remap timerfd tun userns fdinfo_lock seccomp_suspend seccomp_filters "
            "loginuid cgroupns autofs tcp_half_closed compat_cr uffd uffd-noncoop can_map_vdso "
            "sk_ns sk_unix_file net_diag_raw nsid link_nsid kcmp_epoll timens external_net_ns "
            "clone3_set_tid newifindex pidfd_store ns_pid apparmor_stacking "
            "network_lock_nftables sockopt_buf_lock memfd_hugetlb move_mount_set_group openat2 "
            "get_rseq_conf")
# How each tool starts a tree, signals it, saves it (killing it) and
# brings it back; {img} is on /krg/shared.
TOOLS = {
    "krg": dict(start="krgrun krgcr-run", kill="krgrun kill",
                dump="checkpoint --kill -o {img} {pid}", restore="restart {img}",
                eager="restart --eager {img}"),
    "criu": dict(start="setsid", kill="kill",  # its own session, no tty
                 dump="criu dump --display-stats -t {pid} -D {img}",
                 restore="criu restore --display-stats -d -D {img}"),
}


def ns(out, key="elapsed_ns"):
    return int(re.search(rf"{key}:? (\d+)", out).group(1))


def gone(c, tool, pid):
    c.wait_for("the process to go",
               lambda: c.exec(1, f"{TOOLS[tool]['kill']} -0 {pid}").status != 0, 60)


def measure(c, tool, prog):
    """One round: start, checkpoint, restart, resume; the times in ns."""
    t, out, img = TOOLS[tool], f"/tmp/vs-{tool}.out", f"{SH}/vs-{tool}"
    c.check(1, f"rm -rf {img} {out}; {'mkdir ' + img if tool == 'criu' else ':'}; "
               f"({t['start']} {PROGS}/{prog} > {out} 2>&1 < /dev/null) "
               "< /dev/null > /dev/null 2>&1 &")
    pid = c.wait_for("READY", lambda: re.findall(r"READY (\d+)",
                                                 c.exec(1, ["cat", out]).stdout), 300)[0]
    r = {}
    # Then every file of the image is fsync()ed (busybox sync FILE...).
    res = c.check(1, f"{PROGS}/timeit {t['dump'].format(img=img, pid=pid)} && "
                     f"{PROGS}/timeit sync {img}/*", timeout=900)
    r["dump"], r["sync"] = map(int, re.findall(r"elapsed_ns (\d+)", res))
    if tool == "criu":
        r.update(frozen=ns(res, "Frozen time") * 1000, memdump=ns(res, "Memory dump time") * 1000,
                 memwrite=ns(res, "Memory write time") * 1000)
    gone(c, tool, pid)
    passes = ["restore"]
    if tool == "krg" and prog.startswith("cr_dirty"):
        passes.append("eager")  # all memory loaded before it runs, as CRIU does
    for key in passes:
        if key == "eager":  # (krg writes at the offset it had: after a hole, once emptied)
            c.check(1, f": > {out}")
        c.check(1, "sync; echo 3 > /proc/sys/vm/drop_caches")
        r[key] = ns(c.check(1, f"{PROGS}/timeit {t[key].format(img=img)}", timeout=900))
        c.check(1, f"{t['kill']} -USR1 {pid}")
        cat = ["sh", "-c", f"tr -d '\\000' < {out}"]
        c.wait_for("PASS", lambda: re.search(r"PASS|FAIL", c.check(1, cat)), 900)
        text = c.check(1, cat)
        assert "PASS" in text, text
        if "touch_ns" in text:
            r[{"restore": "touch", "eager": "eager touch"}[key]] = ns(text, "touch_ns")
        gone(c, tool, pid)
    c.check(1, f"rm -rf {img}")
    return r


def spread(rounds, key):
    return benchlib.spread([r[key] / 1e6 for r in rounds]) if key in rounds[0] else None


def cell(s):
    return "-" if s is None else " / ".join(f"{v:.0f}" if v >= 10 else f"{v:.1f}" for v in s)


def ratio(a, b):
    return "-" if a is None else f"{a[1] / b[1]:.2f}"


def main():
    samples = {(w, tool): [] for w, _ in WORKLOADS for tool in TOOLS}
    with benchlib.cluster(1, session=83, memory=1024) as c:
        version = c.check(1, "criu --version").split()[1]
        check = c.exec(1, "criu check 2>&1").stdout.strip().splitlines()
        missing = c.check(1, f"for f in {FEATURES}; do criu check --feature $f 2>&1 | "
                             "grep -q 'is supported' || echo $f; done").split()
        start = benchlib.spread([ns(c.check(1, f"{PROGS}/timeit criu --version")) / 1e6
                                 for _ in range(ROUNDS)])
        for tool in TOOLS:  # warm up both tools and the page cache
            measure(c, tool, "cr_dirty 4")
        for i in range(ROUNDS):
            for j, (w, prog) in enumerate(WORKLOADS):
                order = list(TOOLS) if (i + j) % 2 == 0 else list(TOOLS)[::-1]
                for tool in order:
                    samples[w, tool].append(measure(c, tool, prog))
                    print(w, tool, samples[w, tool][-1], flush=True)
    for r in (r for (w, tool), rs in samples.items() if tool == "criu" for r in rs):
        r["dump+sync"] = r["dump"] + r["sync"]
    for r in (r for rs in samples.values() for r in rs if "touch" in r):
        r["restore+touch"] = r["restore"] + r["touch"]
        if "eager" in r:
            r["eager+touch"] = r["eager"] + r["eager touch"]
    s = {(w, tool, key): spread(samples[w, tool], key) for (w, tool) in samples
         for key in ("dump", "sync", "dump+sync", "restore", "touch", "restore+touch",
                     "eager", "eager+touch", "frozen", "memdump", "memwrite")}
    ckpt = ["| workload | krg `checkpoint --kill` (ms) | `criu dump` (ms) "
            "| then `sync DIR/*` (ms) | krg / criu dump | krg / (criu dump + sync) |",
            "| --- | --- | --- | --- | --- | --- |"]
    rst = ["| workload | krg `restart` (ms) | `criu restore -d` (ms) | krg / CRIU "
           "| then first touch of every page, krg (ms) | CRIU (ms) "
           "| restart and first touch, krg / CRIU | krg `restart --eager` (ms) "
           "| krg --eager / CRIU |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for w, _ in WORKLOADS:
        k, cr = (lambda key: s[w, "krg", key]), (lambda key: s[w, "criu", key])
        ckpt.append(f"| {w} | {cell(k('dump'))} | {cell(cr('dump'))} | {cell(cr('sync'))} "
                    f"| {ratio(k('dump'), cr('dump'))} | {ratio(k('dump'), cr('dump+sync'))} |")
        rst.append(f"| {w} | {cell(k('restore'))} | {cell(cr('restore'))} "
                   f"| {ratio(k('restore'), cr('restore'))} | {cell(k('touch'))} "
                   f"| {cell(cr('touch'))} | {ratio(k('restore+touch'), cr('restore+touch'))} "
                   f"| {cell(k('eager'))} | {ratio(k('eager'), cr('restore'))} |")
    mem = [f"{m} MiB dirty" for m in MEMORY]
    trees = [f"{n} process{'es' if n > 1 else ''}, one pipe" for n in TREES]

    def lines(ws, **keys):
        return {label: [s[w, tool, key] for w in ws] for label, (tool, key) in keys.items()}

    pics = [plots.plot("perf-criu-memory.png", [
        ("checkpoint", "ms (median, min-max)",
         lines(mem, **{"krg checkpoint --kill": ("krg", "dump"), "criu dump": ("criu", "dump"),
                       "criu dump + sync DIR/*": ("criu", "dump+sync")})),
        ("restart, until the process runs", "ms",
         lines(mem, **{"krg restart": ("krg", "restore"), "criu restore -d": ("criu", "restore")})),
        ("restart, then first touch of every page", "ms",
         lines(mem, **{"krg restart, then touch": ("krg", "restore+touch"),
                       "krg restart --eager, then touch": ("krg", "eager+touch"),
                       "criu restore -d, then touch": ("criu", "restore+touch")}))],
        MEMORY, "dirty anonymous memory (MiB)"),
        plots.plot("perf-criu-procs.png", [
            ("checkpoint", "ms (median, min-max)",
             lines(trees, **{"krg checkpoint --kill": ("krg", "dump"),
                             "criu dump": ("criu", "dump")})),
            ("restart, until the tree runs", "ms",
             lines(trees, **{"krg restart": ("krg", "restore"),
                             "criu restore -d": ("criu", "restore")}))],
            TREES, "processes sharing a pipe")]
    big, one, many = mem[-1], trees[0], trees[-1]
    med = {key: v[1] for key, v in s.items() if v}
    per_proc = {(tool, key): (med[many, tool, key] - med[one, tool, key]) / (TREES[-1] - 1)
                for tool in TOOLS for key in ("dump", "restore")}
    close = med[big, "krg", "restore+touch"] / med[big, "criu", "restore+touch"]
    criu_mib = ((med[big, "criu", "restore"] - med[mem[0], "criu", "restore"]) /
                (MEMORY[-1] - MEMORY[0]))
    print("criu check:", *check, "missing features: " + " ".join(missing), sep="\n  ")
    return benchlib.report("krg against CRIU", (
        f"`make bench` (`tests/bench/vs_criu_bench.py`), {date.today()}, one node with 1 GiB, "
        f"{benchlib.accel()}, CRIU {version}, {ROUNDS} rounds alternating krg and CRIU on "
        f"each workload; min / median / max, and ratios of the medians. Workloads: "
        f"`tests/progs/cr_dirty N` (N MiB of anonymous memory, every page written), "
        f"`cr_pipetree N` (N processes, one pipe holding a message from each) and "
        f"`cr_threads` (a main thread and 3 more in futex waits), each checkpointed while it "
        f"waits in `sigsuspend()`. krg's run under `krgrun krgcr-run` (cluster PIDs), CRIU's "
        f"under `setsid` (a session of their own, no terminal, the node's PID namespace). "
        f"Both write their images to `/krg/shared` (9p, `cache=mmap`); each time is taken in "
        f"the node around the tool (`tests/progs/timeit`).\n\n"
        f"A checkpoint is `checkpoint --kill -o DIR PID` against `criu dump -t PID -D DIR` "
        f"(which kills the tree too). krg's ends with every file `fsync()`ed, which over 9p "
        f"has the host sync it to its disk; CRIU syncs nothing (a plain `sync` in the node "
        f"would not reach the host's disk either), so `sync DIR/*` (busybox: an `fsync()` "
        f"of each file) runs right after the dump and is counted in the last ratio (after "
        f"krg's checkpoint, whose files are synced already, the same takes "
        f"{med[big, 'krg', 'sync']:.0f} ms at {MEMORY[-1]} MiB). Then the page cache is dropped "
        f"(`sync; echo 3 > /proc/sys/vm/drop_caches`), and a restart is `restart DIR` "
        f"against `criu restore -d -D DIR`, timed until the tool exits: each exits once the "
        f"restored tree runs (not stopped), and that is what \"until the process runs\" "
        f"means here, for both. SIGUSR1 "
        f"then resumes the program, and `cr_dirty` times a first touch (a read) of every "
        f"page: krg left the pages in the image and loads each at its first touch (lazy "
        f"restore), CRIU loaded them all before the process ran; `restart --eager` (krg "
        f"loading every page before the tree runs, as CRIU does) is timed from the same "
        f"image, the cache dropped again.\n\n"
        f"CRIU needed only its program and the shared libraries `ldd` lists (and the "
        f"dynamic loader) in the node image, which `scripts/mkinitramfs.sh` copies when the "
        f"host has Debian's `criu`; dump and restore need no option besides `-t`, `-D` and "
        f"`-d`. `criu check` on the node, run first, says: \"{'; '.join(check)}\". Commands "
        f"that fail there (the first time only: CRIU keeps what it learnt of the kernel in "
        f"`/run/criu.kdat`) are its `iptables -L -n` and `ip6tables -L -n` probes: the node "
        f"has no iptables, which CRIU uses to lock TCP connections, and no workload here has "
        f"a TCP connection. "
        f"Of the features `criu check --feature` knows, the node lacks "
        f"{', '.join(f'`{f}`' for f in missing) or 'none'}; none of them is used here.\n\n"
        f"Where the time goes. krg is closest to CRIU on memory: restarted and then "
        f"touching all of {MEMORY[-1]} MiB, it takes {close:.2f}x CRIU's time, "
        f"{med[big, 'krg', 'touch']:.0f} ms of its {med[big, 'krg', 'restore+touch']:.0f} ms "
        f"in the first touch: each page is copied from the image's page cache (read ahead "
        f"over 9p) at its first fault, 64 pages a fault, and its XXH64 checksum checked, in emulated "
        f"instructions under TCG, {med[big, 'krg', 'touch'] / MEMORY[-1]:.1f} ms a MiB; "
        f"CRIU reads the pages into the process with large `preadv()` calls before it runs "
        f"and checks nothing, {criu_mib:.1f} ms a MiB (its restore of {MEMORY[-1]} MiB "
        f"less that of {MEMORY[0]} MiB). At checkpoint, CRIU spends "
        f"{med[big, 'criu', 'memdump']:.0f} ms of its {med[big, 'criu', 'dump']:.0f} ms on "
        f"{MEMORY[-1]} MiB dumping memory (its `--display-stats`: pages drained into pipes "
        f"and spliced to the image, {med[big, 'criu', 'memwrite']:.0f} ms of it writing), against "
        f"{med[big, 'krg', 'dump']:.0f} ms for krg's whole checkpoint, checksums and "
        f"`fsync()` included. CRIU's fixed and per-process costs are those of a program "
        f"working through ptrace: `criu --version` alone takes {start[1]:.0f} ms (a 1.5 MB "
        f"program and 20 shared libraries loaded and relocated under TCG); each process "
        f"of a tree adds {per_proc['criu', 'dump']:.0f} ms to a dump (seized, a parasite "
        f"injected into it to collect its state, removed; it stays frozen meanwhile: "
        f"{med[many, 'criu', 'frozen']:.0f} ms for {TREES[-1]} processes) and "
        f"{per_proc['criu', 'restore']:.0f} ms to a restore, against "
        f"{per_proc['krg', 'dump']:.0f} ms and {per_proc['krg', 'restore']:.0f} ms in krg's "
        f"kernel. Under TCG on 2 host cores both tools' times move between rounds, and the "
        f"host ran other work meanwhile.\n\n" + "\n\n".join(pics)), (
        ["### Checkpoint", ""] + ckpt + ["", "### Restart", ""] + rst), c.failures)


if __name__ == "__main__":
    sys.exit(main())
