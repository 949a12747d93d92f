"""Restart of 2,000 mutated images: every one is refused cleanly or
restarts, the kernel never oopses or warns (the fixture checks the log),
and nothing leaks: krg's ghost and lazy-image counters go back to zero and
unreclaimable slab memory does not grow. Half the restarts are --eager;
the others leave memory in the image, which cr_fuzz then reads."""
import re

PROGS = "/usr/lib/krg/progs"
RUNS = 2000


def meminfo(c, key):
    return int(re.search(rf"{key}:\s+(\d+) kB", c.check(1, ["cat", "/proc/meminfo"])).group(1))


def counters(c):
    return [int(c.check(1, ["cat", f"/sys/kernel/krg/{f}"]))
            for f in ("ghosts", "ghost_tables", "lazy_images", "lazy_pages")]


def test_mutated_images_never_hurt_the_kernel(node1):
    c = node1
    c.check(1, ["sh", "-c", f"(krgrun krgcr-run {PROGS}/cr_signals > /tmp/victim.out 2>&1 "
                            "< /dev/null) < /dev/null > /dev/null 2>&1 &"])
    c.wait_for("the victim", lambda: "READY" in c.check(1, ["cat", "/tmp/victim.out"]), 60)
    pid = int(c.check(1, ["cat", "/tmp/victim.out"]).split()[1])
    c.check(1, ["checkpoint", "--kill", "-o", "/tmp/victim.img", str(pid)])
    # A first round warms the caches the later one is compared with.
    out = c.check(1, ["krgrun", f"{PROGS}/cr_fuzz", "/tmp/victim.img", "100", "7"], timeout=300)
    assert "0 errors" in out
    slab = meminfo(c, "SUnreclaim")
    out = c.check(1, ["krgrun", f"{PROGS}/cr_fuzz", "/tmp/victim.img", str(RUNS), "42"],
                  timeout=1200)
    m = re.search(r"fuzz: (\d+) runs, (\d+) refused, (\d+) restarted, (\d+) errors", out)
    assert m, out
    runs, refused, restarted, errors = map(int, m.groups())
    assert runs == RUNS and errors == 0, out
    assert refused > RUNS // 2, "most mutations must be caught"
    # Images of killed processes close a moment after their exit.
    c.wait_for("krg's counters back to 0", lambda: counters(c) == [0, 0, 0, 0], 30)
    grown = meminfo(c, "SUnreclaim") - slab
    assert grown < 256, f"unreclaimable slab grew by {grown} kB over {RUNS} restarts"
