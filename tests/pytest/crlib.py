"""Helpers of the checkpoint/restart tests: start self-checking programs on
nodes, checkpoint and restart them, craft images."""
import os
import re
import shutil

import krgimage

PROGS = "/usr/lib/krg/progs"
SH = "/krg/shared"


def host(c, path):
    """The host side of a path under /krg/shared."""
    return c.shared / os.path.relpath(path, SH)


def start(c, node, name, prog, args="", wrap="krgcr-run", out_pipe=False):
    """Start prog detached in the cluster namespace; return its PID."""
    out = f"{SH}/{name}.out"
    c.check(node, ["mkdir", "-p", f"{SH}/{name}.d"])
    redirect = f"2>&1 | cat > {out}" if out_pipe else f"> {out} 2>&1"
    cmd = f"krgrun {wrap} {PROGS}/{prog} {args} < /dev/null {redirect}"
    # Nothing of the agent's: it waits for its pipes to close.
    c.check(node, ["sh", "-c", f"({cmd}) < /dev/null > /dev/null 2>&1 &"])
    return int(wait_line(c, name, r"READY (\d+)").group(1))


def wait_items(c, path, count, split=str.split, timeout=60):
    """Wait until the shared file holds count items (words, or lines with
    split=str.splitlines); return them all."""
    found = []

    def full():
        p = host(c, path)
        found[:] = split(p.read_text()) if p.exists() else []
        return len(found) >= count
    c.wait_for(f"{count} items in {path}", full, timeout)
    return found


def wait_line(c, name, pattern, timeout=120):
    path = host(c, f"{SH}/{name}.out")
    found = []

    def seen():
        m = re.search(pattern, path.read_text()) if path.exists() else None
        found[:] = [m] if m else []
        return bool(m)

    c.wait_for(f"{pattern} in {name}.out", seen, timeout)
    return found[0]


def output(c, name):
    return host(c, f"{SH}/{name}.out").read_text()


def checkpoint(c, node, pid, img, *opts):
    return c.exec(node, ["checkpoint", *opts, "-o", img, str(pid)], timeout=300)


def restart(c, node, img, *opts):
    return c.exec(node, ["restart", *opts, img], timeout=300)


def signal(c, node, pid, sig="USR1"):
    c.check(node, ["krgrun", "kill", f"-{sig}", str(pid)])


def running(c, node, pid):
    """Does pid run (or is it a zombie) on this node? kill -0 and /proc/PID
    find it on any node of the cluster; /proc/PID/fd only where it runs."""
    return c.exec(node, ["krgrun", "test", "-d", f"/proc/{pid}/fd"]).status == 0


def migrate_by_image(c, name, prog, args="", src=1, dst=2, size=None):
    """Start prog on src, checkpoint --kill, restart on dst, let it finish.
    size: what both tools must say they saved and restarted ("1 process")."""
    pid = start(c, src, name, prog, args)
    img = f"{SH}/{name}.img"
    r = checkpoint(c, src, pid, img, "--kill")
    assert r.status == 0, r.stderr
    assert size is None or f"({size})" in r.stdout, r.stdout
    c.wait_for("the checkpointed process to die", lambda: not running(c, src, pid), 30)
    if prog == "cr_files":  # a FIFO is a name: it must exist there too (9p has none)
        c.check(dst, ["sh", "-c", "[ -p /tmp/cr_files.fifo ] || mkfifo /tmp/cr_files.fifo"])
    if prog == "cr_fdstate":  # its locks are on a file of the node's /tmp
        c.check(dst, ["touch", "/tmp/cr_fdstate.locks"])
    r = restart(c, dst, img)
    assert r.status == 0, r.stderr
    assert f"restart: {pid} restarted" in r.stdout
    assert size is None or f"({size})" in r.stdout, r.stdout
    signal(c, dst, pid)
    wait_line(c, name, r"PASS|FAIL")
    return pid


def spoil(c, image, name, edit, *opts):
    """Copy the image, let edit(dir) spoil it, restart it on node 2."""
    pid, src = image
    dst = host(c, f"{SH}/{name}")
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    edit(dst, dst / f"task-{pid}.krg")
    r = restart(c, 2, f"{SH}/{name}", *opts)
    assert r.status == 1, f"a spoiled image ({name}) restarted"
    assert not running(c, 2, pid)
    return r.stderr


def edit_sections(path, fn):
    secs = krgimage.read(path)
    fn(secs)
    krgimage.write(path, secs)


def first(secs, typ):
    return next(s for s in secs if s[0] == typ)


def edit_first(d, typ, fn):
    """fn(payload) -> payload, on the first section of typ in the image."""
    for t in sorted(d.glob("task-*.krg")):
        secs = krgimage.read(t)
        for s in secs:
            if s[0] == typ and s[1]:
                s[1] = fn(s[1])
                krgimage.write(t, secs)
                return
    raise AssertionError(f"no section {typ} in {d}")
