"""Checkpoints that race with fork, clone, exit and exec, and with each
other: each one either saves a tree that restarts and runs on, or fails
with one clear reason and leaves the tree running."""
import re

import pytest

import krgcluster
from crlib import PROGS, SH, output, restart, running, wait_line

# On both kernels: each times the races its own way.
pytestmark = [pytest.mark.debug, pytest.mark.normal]

# 200 rounds; fewer on the debug kernel, several times slower. Every
# KEEP-th good image is kept, to be restarted.
ROUNDS = 60 if krgcluster.DEBUG else 200
KEEP = 6 if krgcluster.DEBUG else 20
# Why a checkpoint of a tree in motion may fail, cleanly.
CLEAN = re.compile(r"the tree changed during its checkpoint|exited during its checkpoint|"
                   r"a task exited|is exiting|in another checkpoint|"
                   r"killed during its checkpoint")


def ticks(c, name):
    return [int(t) for t in re.findall(r"TICK (\d+)", output(c, name))]


def test_checkpoints_of_a_churning_tree_are_whole_or_refused(cluster3):
    c = cluster3
    # Its output is appended to: a restarted tree writes after what the
    # tree before it wrote, not over it.
    c.check(1, ["sh", "-c", f"(krgrun krgcr-run {PROGS}/cr_churn < /dev/null >> "
                            f"{SH}/churn.out 2>&1) < /dev/null > /dev/null 2>&1 &"])
    m = wait_line(c, "churn", r"READY (\d+) child (\d+)")
    pid, child = int(m.group(1)), int(m.group(2))

    def kill_tree(node):
        for p in (pid, child):
            c.exec(node, ["krgrun", "kill", "-KILL", str(p)])
        c.wait_for("the tree to end", lambda: not running(c, node, pid) and
                   not running(c, node, child), 30)
    # Rounds on the node itself: one checkpoint, or two at once every
    # fourth round; every KEEP-th good image is kept.
    script = f"""
        mkdir -p /tmp/churn; ok=0; bad=0
        for i in $(seq {ROUNDS}); do
            if [ $((i % 4)) = 0 ]; then
                checkpoint -o /tmp/churn/a {pid} > /tmp/churn/out.a 2>&1 &
                checkpoint -o /tmp/churn/b {pid} > /tmp/churn/out.b 2>&1 &
                wait
                cat /tmp/churn/out.a /tmp/churn/out.b
            elif checkpoint -o /tmp/churn/img {pid} > /tmp/churn/out 2>&1; then
                ok=$((ok + 1))
                [ $((ok % {KEEP})) = 0 ] && cp -r /tmp/churn/img /tmp/churn/keep$ok
                cat /tmp/churn/out
            else
                cat /tmp/churn/out
            fi
        done
    """
    out = c.check(1, ["sh", "-c", script], timeout=3600)
    saved = [l for l in out.splitlines() if "saved in" in l]
    refused = [l for l in out.splitlines() if l.startswith("checkpoint: checkpoint of")]
    assert len(saved) + len(refused) == ROUNDS + ROUNDS // 4, out[-2000:]
    assert len(saved) >= ROUNDS // 4, f"only {len(saved)} of {ROUNDS} saved:\n" + "\n".join(refused[:20])
    for line in refused:
        assert CLEAN.search(line), line
    # The tree ran on through all of it.
    assert running(c, 1, pid)
    before = ticks(c, "churn")[-1]
    wait_line(c, "churn", rf"TICK {before + 400}\b")

    # Every kept image restarts and runs on from its own round.
    kept = c.check(1, ["sh", "-c", "ls -d /tmp/churn/keep* 2>/dev/null || true"]).split()
    assert len(kept) >= 2, out[-2000:]
    kill_tree(1)
    for img in kept:
        c.check(1, ["sh", "-c", f"rm -rf {SH}/churn.img && cp -r {img} {SH}/churn.img"])
        seen = len(ticks(c, "churn"))
        r = restart(c, 2, f"{SH}/churn.img")
        assert r.status == 0, r.stderr
        c.wait_for("ticks after the restart", lambda: len(ticks(c, "churn")) >= seen + 2, 120)
        assert running(c, 2, pid) and running(c, 2, child)
        kill_tree(2)
    for counter in ("ghosts", "ghost_tables"):
        assert c.check(1, ["cat", f"/sys/kernel/krg/{counter}"]).strip() == "0"
