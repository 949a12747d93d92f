"""Checkpoint and restart give nothing that ptrace, open and exec would not.

Each test shows a refusal with its errno and reason, and that nothing of
the refused tree runs. Crafted images have correct checksums, so only the
kernel's checks stand in the way.
"""
import struct

import pytest

import krgimage
from crlib import (PROGS, SH, checkpoint, edit_first, edit_sections, host, restart, running,
                   signal, spoil, start, wait_line)

pytestmark = pytest.mark.debug  # also on the debug kernel

RUNAS = f"{PROGS}/runas"


def start_as(c, node, name, uid, argv):
    """Start argv in the cluster namespace as uid, CHECKPOINTABLE; its PID."""
    out = f"{SH}/{name}.out"
    # Its output file is its own: a restart reopens it as that user.
    c.check(node, ["sh", "-c", f"rm -f {out}; touch {out}; chown {uid} {out}"])
    cmd = f"krgrun {RUNAS} {uid} krgcr-run {' '.join(argv)} < /dev/null > {out} 2>&1"
    c.check(node, ["sh", "-c", f"({cmd}) < /dev/null > /dev/null 2>&1 &"])
    return int(wait_line(c, name, r"READY (\d+)").group(1))


def kill(c, node, pid):
    c.exec(node, ["krgrun", "kill", "-KILL", str(pid)])


def test_checkpoint_needs_what_ptrace_attach_needs(cluster3):
    c = cluster3
    c.check(1, ["chmod", "777", SH])
    # A process of the user's that made itself undumpable.
    pid = start_as(c, 1, "undump", 1000, [f"{PROGS}/undumpable"])
    r = c.exec(1, [RUNAS, "1000", "checkpoint", "-o", "/tmp/u.img", str(pid)])
    assert r.status == 1
    assert f"pid {pid}: the caller may not read it (as ptrace)" in r.stderr, r.stderr
    assert "Operation not permitted" in r.stderr
    # A setgid program the user runs: undumpable, another gid.
    c.check(1, ["sh", "-c", f"cp {PROGS}/undumpable /tmp/sgid && chown 0:0 /tmp/sgid && "
                            "chmod 2755 /tmp/sgid"])
    spid = start_as(c, 1, "sgid", 1000, ["/tmp/sgid", "keep"])
    assert "dumpable=0" in host(c, f"{SH}/sgid.out").read_text()
    r = c.exec(1, [RUNAS, "1000", "checkpoint", "-o", "/tmp/s.img", str(spid)])
    assert r.status == 1 and "may not read it" in r.stderr, r.stderr
    # Root may (CAP_SYS_PTRACE), and the processes ran on meanwhile.
    r = checkpoint(c, 1, spid, f"{SH}/sgid.img")
    assert r.status == 0, r.stderr
    assert running(c, 1, pid) and running(c, 1, spid)
    kill(c, 1, pid)
    kill(c, 1, spid)


def test_image_another_user_can_write_is_not_trusted(cluster3):
    c = cluster3
    pid = start(c, 1, "trust", "cr_signals")
    img = f"{SH}/trust.img"
    assert checkpoint(c, 1, pid, img, "--kill").status == 0
    c.wait_for("the checkpointed process to die", lambda: not running(c, 1, pid), 30)
    c.check(2, ["chmod", "0777", img])
    r = restart(c, 2, img)
    assert r.status == 1 and "the image directory can be written by another user" in r.stderr
    assert "--trust" in r.stderr and "Operation not permitted" in r.stderr
    c.check(2, ["chmod", "0700", img])
    c.check(2, ["chmod", "0666", f"{img}/task-{pid}.krg"])
    r = restart(c, 2, img)
    assert r.status == 1 and f"task-{pid}.krg can be written by another user" in r.stderr
    c.check(2, ["chown", "1000", f"{img}/tree.krg"])
    c.check(2, ["chmod", "0600", f"{img}/task-{pid}.krg"])
    r = restart(c, 2, img)
    assert r.status == 1 and "tree.krg can be written by another user" in r.stderr
    assert not running(c, 2, pid)
    # Asked for, it restarts.
    r = restart(c, 2, img, "--trust")
    assert r.status == 0, r.stderr
    signal(c, 2, pid)
    wait_line(c, "trust", r"PASS|FAIL")
    assert "PASS" in host(c, f"{SH}/trust.out").read_text()


def test_image_files_are_never_followed(cluster3):
    c = cluster3
    victim = f"{SH}/precious"
    c.check(1, ["sh", "-c", f"echo precious > {victim}"])
    pid = start(c, 1, "nofollow", "cr_signals")
    img = f"{SH}/nofollow.img"
    c.check(1, ["mkdir", "-p", img])
    c.check(1, ["chmod", "0700", img])
    c.check(1, ["ln", "-s", victim, f"{img}/tree.krg.part"])
    c.check(1, ["ln", "-s", victim, f"{img}/task-{pid}.krg.part"])
    r = checkpoint(c, 1, pid, img, "--kill")
    assert r.status == 0, r.stderr
    assert host(c, victim).read_text() == "precious\n"
    c.wait_for("the checkpointed process to die", lambda: not running(c, 1, pid), 30)
    # A task file that is a link is not opened.
    task = f"{img}/task-{pid}.krg"
    c.check(1, ["sh", "-c", f"mv {task} {img}/real && ln -s {img}/real {task}"])
    r = restart(c, 2, img)
    assert r.status == 1 and "Too many levels of symbolic links" in r.stderr, r.stderr
    assert not running(c, 2, pid)


def spoiled(c, image, name, edit, *expected):
    err = spoil(c, image, name, edit)
    for e in expected:
        assert e in err, f"{name}: {err}"
    return err


def files_of(path):
    """(fd, kind, flags, obj, shared) of each FILE section of a task file."""
    out = []
    for t, p in krgimage.read(path):
        if t == krgimage.FILE:
            f = dict(zip(krgimage.field_names("file"), krgimage.FILE_HDR.unpack_from(p)))
            out.append((f["fd"], f["kind"], f["flags"], f["obj"], f["shared"]))
    return out


def set_file(path, fd, **fields):
    """Change fields (kind, flags, obj, shared) of fd's FILE section."""
    names = krgimage.field_names("file")
    secs = krgimage.read(path)
    for s in secs:
        if s[0] == krgimage.FILE:
            f = list(krgimage.FILE_HDR.unpack_from(s[1]))
            if f[0] == fd:
                for k, v in fields.items():
                    f[names.index(k)] = v
                s[1] = krgimage.FILE_HDR.pack(*f) + s[1][krgimage.FILE_HDR.size:]
    krgimage.write(path, secs)


def dup_first(d, typ):
    """Give the first section of typ in the image twice."""
    for t in sorted(d.glob("task-*.krg")):
        secs = krgimage.read(t)
        for i, s in enumerate(secs):
            if s[0] == typ:
                secs.insert(i, list(s))
                krgimage.write(t, secs)
                return
    raise AssertionError(f"no section {typ} in {d}")


def image_of(c, name, prog, args=""):
    pid = start(c, 1, name, prog, args)
    assert checkpoint(c, 1, pid, f"{SH}/{name}.img", "--kill").status == 0
    c.wait_for("the checkpointed process to die", lambda: not running(c, 1, pid), 30)
    return pid, host(c, f"{SH}/{name}.img")


def test_objects_are_used_only_as_what_they_are(cluster3):
    c = cluster3
    pipes = image_of(c, "kinds-pipe", "cr_tree")
    pairs = image_of(c, "kinds-pair", "cr_sockets")
    # One process: each of its fds is made by its own FILE section.
    alone = image_of(c, "kinds-one", "cr_signals")

    def root_task(d):  # the first task made, which has the smallest PID
        return sorted(d.glob("task-*.krg"))[0]

    def file_obj(d):  # the object of fd 0, a plain file (/dev/null)
        return next(f[3] for f in files_of(root_task(d)) if f[0] == 0)

    def pipe_data_names_a_file(d, t):
        edit_first(d, krgimage.PIPE_DATA, lambda p: struct.pack("<I", file_obj(d)) + p[4:])

    def pipe_data_twice(d, t):
        dup_first(d, krgimage.PIPE_DATA)

    def pair_names_a_file(d, t):
        edit_first(d, krgimage.UNIX_PAIR, lambda p: struct.pack("<I", file_obj(d)) + p[4:])

    def pair_twice(d, t):
        dup_first(d, krgimage.UNIX_PAIR)

    def unix_fd_names_a_file(d, t):  # in every task: whichever makes it first
        for task in d.glob("task-*.krg"):
            for fd in [f[0] for f in files_of(task) if f[1] == 9]:   # KRG_FILE_UNIX
                set_file(task, fd, shared=file_obj(d))

    def deleted_names_a_file(d, t):   # the O_PATH-to-O_RDWR trick
        set_file(root_task(d), 1, kind=8, shared=file_obj(d))   # KRG_FILE_DELETED

    def made_of_itself(d, t):
        set_file(root_task(d), 1, kind=8, shared=next(
            f[3] for f in files_of(root_task(d)) if f[0] == 1))

    cases = [
        (pipes, pipe_data_names_a_file, "data of no pipe, or twice", "Invalid argument"),
        (pipes, pipe_data_twice, "data of no pipe, or twice", "File exists"),
        (pairs, pair_names_a_file, "no unix socket pair", "Invalid argument"),
        (pairs, pair_twice, "no unix socket pair", "File exists"),
        (pairs, unix_fd_names_a_file, "cannot reopen fd", "Invalid argument"),
        (alone, deleted_names_a_file, "cannot reopen fd 1", "Invalid argument"),
        (alone, made_of_itself, "cannot reopen fd 1", "Invalid argument"),
    ]
    for image, edit, *expected in cases:
        spoiled(c, image, f"kind-{edit.__name__}", edit, *expected)
    for n in (1, 2):
        for counter in ("ghosts", "ghost_tables"):
            c.wait_for(f"node {n}'s {counter} back to 0", lambda n=n, k=counter: c.check(
                n, ["cat", f"/sys/kernel/krg/{k}"]).strip() == "0", 30)


def test_crafted_fields_are_refused(cluster3):
    c = cluster3
    sigs = image_of(c, "fields", "cr_signals")

    def exe_not_executable(d, t):
        def fn(p):
            mm = p[:612] + struct.pack("<I", len(b"/etc/passwd"))
            return mm + b"/etc/passwd"
        edit_first(d, krgimage.MM, fn)

    def page_run_wraps(d, t):
        def fn(p):
            _, n, pad = krgimage.PAGES_HDR.unpack_from(p)
            return krgimage.PAGES_HDR.pack((1 << 64) - 4096, n, pad) + p[krgimage.PAGES_HDR.size:]
        edit_first(d, krgimage.PAGES, fn)

    def ambient_not_inheritable(d, t):
        def fn(p):
            inh, perm, eff, bset, amb = struct.unpack_from("<QQQQQ", p, 32)
            return p[:32] + struct.pack("<QQQQQ", 0, perm, eff, bset, 1 << 10) + p[72:]
        edit_first(d, krgimage.CREDS, fn)

    cases = [
        (exe_not_executable, "cannot execute its executable /etc/passwd", "Permission denied"),
        (page_run_wraps, "outside its mapping", "Invalid argument"),
        (ambient_not_inheritable, "bad credentials", "Invalid argument"),
    ]
    for edit, *expected in cases:
        spoiled(c, sigs, f"field-{edit.__name__}", edit, *expected)
    # The refused executable is not held: it can still be written.
    c.check(2, ["sh", "-c", "echo >> /etc/passwd"])


def test_memfd_fields_are_checked_and_seals_added_as_f_add_seals_adds_them(cluster3):
    """cr_memfd's fds: 3 is "memfd:cr_memfd", 6 "memfd:cr_memfd.future",
    which has a writable shared mapping, so F_SEAL_WRITE cannot be added."""
    c = cluster3
    image = image_of(c, "memfd-fields", "cr_memfd")
    assert [f[1] for f in files_of(image[1] / f"task-{image[0]}.krg") if f[0] in (3, 6)] == \
        [8, 8]  # KRG_FILE_DELETED

    def seal_over_a_writable_mapping(d, t):
        set_file(t, 6, seals=0x18)  # F_SEAL_WRITE | F_SEAL_FUTURE_WRITE

    def unknown_seal(d, t):
        set_file(t, 3, seals=0x40)

    def seals_of_a_path(d, t):
        set_file(t, 0, seals=0x1)

    def not_a_memfd_name(d, t):
        def fn(secs):
            for s in secs:
                if s[0] == krgimage.FILE and s[1].endswith(b"memfd:cr_memfd"):
                    s[1] = s[1][:-len(b"memfd:cr_memfd")] + b"xemfd:cr_memfd"
        edit_sections(t, fn)

    def path_past_its_section(d, t):
        def fn(p):
            v = dict(zip(krgimage.field_names("vma"), krgimage.layout("vma").unpack_from(p)))
            v["path_len"] = 4000
            return krgimage.layout("vma").pack(*v.values()) + p[krgimage.layout("vma").size:]
        edit_first(d, krgimage.VMA, fn)

    cases = [
        (seal_over_a_writable_mapping, "cannot seal memfd:cr_memfd.future as it was",
         "Device or resource busy"),
        (unknown_seal, "bad fd 3", "Invalid argument"),
        (seals_of_a_path, "bad fd 0", "Invalid argument"),
        (not_a_memfd_name, "bad fd 3", "Invalid argument"),
        (path_past_its_section, "bad path of mapping 0", "Invalid argument"),
    ]
    for edit, *expected in cases:
        spoiled(c, image, f"memfd-{edit.__name__}", edit, *expected)


def test_lock_on_a_read_only_fd_is_refused(cluster3):
    c = cluster3
    name = "locks"
    pid = start(c, 1, name, "cr_files", f"{SH}/{name}.d")
    assert checkpoint(c, 1, pid, f"{SH}/{name}.img", "--kill").status == 0
    c.wait_for("the checkpointed process to die", lambda: not running(c, 1, pid), 30)
    c.check(2, ["sh", "-c", "[ -p /tmp/cr_files.fifo ] || mkfifo /tmp/cr_files.fifo"])
    src = host(c, f"{SH}/{name}.img")

    def write_lock_on_read_only_fd(d, t):
        ro = next(f[0] for f in files_of(t) if f[1] == 1 and f[2] & 3 == 0 and f[0] > 2)

        def fn(p):
            _, kind, _, pad, start_, end = krgimage.LOCK.unpack_from(p)
            return krgimage.LOCK.pack(ro, 2, 1, pad, 0, 10) + p[krgimage.LOCK.size:]
        edit_first(d, krgimage.LOCKS, fn)

    spoiled(c, (pid, src), "lock-ro", write_lock_on_read_only_fd,
            "cannot take back its lock on fd", "Bad file descriptor")


def test_restart_elsewhere_keeps_the_callers_confinement(cluster3):
    c = cluster3
    c.check(1, ["chmod", "777", SH])
    for n in (1, 2, 3):
        c.check(n, ["sh", "-c", "echo 1 > /sys/kernel/krg/unprivileged_restart"])
    try:
        upid = start_as(c, 1, "confined", 1000, [f"{PROGS}/cr_signals"])
        img = f"{SH}/confined.img"
        r = c.exec(1, ["krgrun", RUNAS, "1000", "checkpoint", "--kill", "-o", img, str(upid)])
        assert r.status == 0, r.stderr
        c.wait_for("the checkpointed process to die", lambda: not running(c, 1, upid), 30)
        # Its hard limits are those of the caller, not of node 2's init.
        r = c.exec(3, [RUNAS, "1000", "sh", "-c",
                       f"ulimit -n 64 && exec restart --node 2 {img}"])
        assert r.status == 1 and "node 2: " in r.stderr
        assert "limit 7 above the caller's" in r.stderr, r.stderr
        assert not running(c, 2, upid)
        # A chrooted caller cannot leave its root through another node.
        c.check(3, ["sh", "-c", "mkdir -p /tmp/jail/krg && cp /usr/bin/restart /tmp/jail/"])
        r = c.exec(3, ["chroot", "/tmp/jail", "/restart", "--node", "2", img])
        assert r.status == 1 and "the caller is in a chroot" in r.stderr, r.stderr
        assert not running(c, 2, upid)
        # Unconfined, the same restart works.
        r = c.exec(3, [RUNAS, "1000", "restart", "--node", "2", img])
        assert r.status == 0, r.stderr
        kill(c, 2, upid)
    finally:
        for n in (1, 2, 3):
            c.check(n, ["sh", "-c", "echo 0 > /sys/kernel/krg/unprivileged_restart"])


def test_inotify_watch_needs_what_inotify_add_watch_needs(cluster3):
    # A user's image whose inotify watch names a directory that user may
    # not read is refused at restart, as inotify_add_watch() would refuse
    # the watch; the same image, as it was saved, restarts.
    c = cluster3
    dirs = f"{SH}/inotify-user {SH}/inotify-secret"
    c.check(1, ["sh", "-c", f"chmod 777 {SH} && mkdir -p {dirs} && chown 1000 {SH}/inotify-user"
                            f" && chmod 700 {SH}/inotify-secret"])
    for n in (1, 2, 3):
        c.check(n, ["sh", "-c", "echo 1 > /sys/kernel/krg/unprivileged_restart"])
    try:
        upid = start_as(c, 1, "inotify-user", 1000,
                        [f"{PROGS}/cr_inotify", f"{SH}/inotify-user"])
        img = f"{SH}/inotify-user.img"
        r = c.exec(1, ["krgrun", RUNAS, "1000", "checkpoint", "--kill", "-o", img, str(upid)])
        assert r.status == 0, r.stderr
        c.wait_for("the checkpointed process to die", lambda: not running(c, 1, upid), 30)
        task = host(c, img) / f"task-{upid}.krg"
        saved = task.read_bytes()

        def watch_the_secret(secs):
            kinds = [krgimage.FILE_HDR.unpack_from(s[1])[1] if s[0] == krgimage.FILE else None
                     for s in secs]
            at = kinds.index(krgimage.FILE_INOTIFY) + 1
            assert secs[at][0] == krgimage.FILE_STATE
            state = secs[at][1]
            _, n = krgimage.INOTIFY_HDR.unpack_from(state)
            pos = krgimage.INOTIFY_HDR.size
            out = state[:pos]
            for _ in range(n):
                wd, mask, plen = krgimage.INOTIFY_WATCH.unpack_from(state, pos)
                pos += krgimage.INOTIFY_WATCH.size
                path = state[pos:pos + plen]
                if wd == 1:  # DIR/watched
                    path = f"{SH}/inotify-secret".encode()
                out += krgimage.INOTIFY_WATCH.pack(wd, mask, len(path)) + path
                pos += plen
            secs[at][1] = out

        edit_sections(task, watch_the_secret)
        as_user = ["krgrun", RUNAS, "1000", "restart", img]
        r = c.exec(2, as_user)
        assert r.status == 1 and "cannot reopen fd" in r.stderr, r.stderr
        assert "(Permission denied)" in r.stderr, r.stderr
        assert not running(c, 2, upid)
        task.write_bytes(saved)
        r = c.exec(2, as_user)
        assert r.status == 0, r.stderr
        kill(c, 2, upid)
    finally:
        for n in (1, 2, 3):
            c.check(n, ["sh", "-c", "echo 0 > /sys/kernel/krg/unprivileged_restart"])


def test_users_memfd_image_gets_no_owner_or_set_id_bits_it_could_not_set(cluster3):
    # A user's cr_memfd image, its memfd (fds 3 to 5, in both processes)
    # edited to be root's and set-user-ID 0755: restarted by that user, the
    # memfd stays the user's (chown() needs CAP_CHOWN) and loses the set-id
    # bit (restart keeps them for CAP_FSETID only).
    c = cluster3
    c.check(1, ["sh", "-c", f"chmod 777 {SH}"])
    for n in (1, 2, 3):
        c.check(n, ["sh", "-c", "echo 1 > /sys/kernel/krg/unprivileged_restart"])
    try:
        upid = start_as(c, 1, "memfd-user", 1000, [f"{PROGS}/cr_memfd"])
        img = f"{SH}/memfd-user.img"
        r = c.exec(1, ["krgrun", RUNAS, "1000", "checkpoint", "--kill", "-o", img, str(upid)])
        assert r.status == 0, r.stderr
        c.wait_for("the checkpointed process to die", lambda: not running(c, 1, upid), 30)
        for task in host(c, img).glob("task-*.krg"):  # its child's fds too
            for fd in (3, 4, 5):  # every open of that memfd
                set_file(task, fd, uid=0, gid=0, mode=0o4755)
        r = c.exec(2, ["krgrun", RUNAS, "1000", "restart", img])
        assert r.status == 0, r.stderr
        signal(c, 2, upid)
        wait_line(c, "memfd-user", r"PASS|FAIL")
        out = host(c, f"{SH}/memfd-user.out").read_text()
        assert "cr_memfd: mode 100755 size 12388 links 0 uid 1000, were 100640" in out, out
    finally:
        for n in (1, 2, 3):
            c.check(n, ["sh", "-c", "echo 0 > /sys/kernel/krg/unprivileged_restart"])
