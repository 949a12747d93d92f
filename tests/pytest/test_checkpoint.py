"""Checkpoint and restart: self-checking programs saved on one node and
restarted on another with the same PID; refusals with precise errors."""
import os
import re
import shutil
import struct
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import krgimage
from crlib import (PROGS, SH, checkpoint, edit_first, edit_sections, first, host,
                   migrate_by_image, output, restart, running, signal, spoil, start,
                   wait_line)


@pytest.mark.debug
@pytest.mark.parametrize("prog", ["cr_memory", "cr_files", "cr_signals", "cr_misc", "cr_threads",
                                  "cr_events"])
def test_program_restarts_on_another_node_with_its_pid(cluster3, prog):
    name = f"move-{prog}"
    # What the tools say they saved: cr_misc has a child, cr_threads threads
    size = {"cr_threads": "1 process, 4 threads", "cr_misc": "2 processes"}.get(prog, "1 process")
    pid = migrate_by_image(cluster3, name, prog, f"{SH}/{name}.d", size=size)
    out = output(cluster3, name)
    assert "PASS" in out, out
    # The restarted process resumed inside sigsuspend() with the same PID.
    assert f"RESUMED {pid}" in out
    if prog == "cr_threads":  # and the threads with their TIDs
        tids = re.search(r"THREADS (\d+) (\d+) (\d+)", out).groups()
        assert all(int(t) >> 22 == 1 for t in tids)


def lazy(c, node, what="lazy_pages"):
    return int(c.check(node, ["cat", f"/sys/kernel/krg/{what}"]))


def kill_and_wait(c, node, pid, why="the checkpointed process to die"):
    c.wait_for(why, lambda: not running(c, node, pid), 30)


def saved(c, name, prog):
    """prog started on node 1, then checkpointed --kill: its PID and image."""
    img = f"{SH}/{name}.img"
    pid = start(c, 1, name, prog)
    assert checkpoint(c, 1, pid, img, "--kill").status == 0
    kill_and_wait(c, 1, pid)
    return pid, img


def test_memory_stays_in_the_image_until_touched(cluster3):
    c, name = cluster3, "lazy"
    pid, img = saved(c, name, "cr_lazy")
    r = restart(c, 2, img)
    assert r.status == 0, r.stderr
    # Its 16 MiB (4096 pages) are still in the image: none was copied.
    assert lazy(c, 2) >= 4096 and lazy(c, 2, "lazy_images") == 1
    # Saved again, untouched, into the same image: the pages come from the
    # image being replaced, which the process keeps reading meanwhile.
    r = checkpoint(c, 2, pid, img, "--kill")
    assert r.status == 0, r.stderr
    kill_and_wait(c, 2, pid)
    c.wait_for("node 2 to close the image", lambda: lazy(c, 2, "lazy_images") == 0, 30)
    assert lazy(c, 2) == 0
    assert sorted(os.listdir(host(c, img))) == ["task-%d.krg" % pid, "tree.krg"]
    r = restart(c, 3, img)
    assert r.status == 0, r.stderr
    # Removed meanwhile, the image stays readable to it (its file is open).
    shutil.rmtree(host(c, img))
    # Fork, madvise, mremap, munmap, mprotect and the kernel's own accesses
    # on pages still in the image (cr_lazy.c), then every page checked.
    signal(c, 3, pid)
    wait_line(c, name, r"PASS|FAIL")
    assert "PASS" in output(c, name), output(c, name)
    kill_and_wait(c, 3, pid, "cr_lazy to exit")
    c.wait_for("node 3 to close the image", lambda: lazy(c, 3, "lazy_images") == 0, 30)
    assert lazy(c, 3) == 0


def test_a_damaged_page_is_found_when_loaded(cluster3):
    c, name = cluster3, "damaged"
    pid, img = saved(c, name, "cr_lazy")
    # One byte of cr_lazy's page 3940, in the largest run (its 16 MiB).
    path = host(c, img) / f"task-{pid}.krg"
    data = bytearray(path.read_bytes())
    first, npages, _ = max(krgimage.page_runs(data), key=lambda run: run[1])
    assert npages == 4096
    data[first + 3940 * 4096 + 77] ^= 0x40
    path.write_bytes(bytes(data))
    # Checked before it runs, the image is refused;
    r = restart(c, 2, img, "--eager")
    assert r.status == 1 and "Bad message" in r.stderr, r.stderr
    # left in the image, the page kills the process when it is touched.
    r = restart(c, 2, img)
    assert r.status == 0, r.stderr
    signal(c, 2, pid)
    kill_and_wait(c, 2, pid, "the process to die of its damaged page")
    assert "PASS" not in output(c, name)
    assert f"pid {pid}: page" in c.log(2) and "is damaged in its image" in c.log(2)
    c.wait_for("node 2 to close the image", lambda: lazy(c, 2, "lazy_images") == 0, 30)


def test_a_failed_checkpoint_leaves_the_image_before_it(cluster3):
    c = cluster3
    img = f"{SH}/keep.img"
    pid = start(c, 1, "keep", "cr_signals", out_pipe=True)
    r = checkpoint(c, 1, pid, img, "--ignore-unsupported")
    assert r.status == 0, r.stderr
    before = {f: (host(c, img) / f).read_bytes() for f in os.listdir(host(c, img))}
    r = checkpoint(c, 1, pid, img)  # its stdout is a pipe: refused
    assert r.status == 1 and "Device or resource busy" in r.stderr
    after = {f: (host(c, img) / f).read_bytes() for f in os.listdir(host(c, img))}
    assert after == before
    signal(c, 1, pid, "KILL")


def test_interrupted_sleeps_go_on_with_the_time_they_had_left(cluster3):
    # cr_sleep's threads sleep 30 s; the checkpoint comes 10 s in.
    name = "sleep"
    pid = start(cluster3, 1, name, "cr_sleep", "30 10")
    time.sleep(10)
    r = checkpoint(cluster3, 1, pid, f"{SH}/{name}.img", "--kill")
    assert r.status == 0, r.stderr
    cluster3.wait_for("the checkpointed process to die", lambda: not running(cluster3, 1, pid), 30)
    r = restart(cluster3, 2, f"{SH}/{name}.img")
    assert r.status == 0, r.stderr
    signal(cluster3, 2, pid)  # marks the restart for the program's check
    # The five sleepers with a restart block (nanosleep, clock_nanosleep,
    # poll, two futex waits) are back in restart_syscall() (219), as after
    # SIGSTOP and SIGCONT; the others make their call again (select,
    # pselect, ppoll, clock_nanosleep to a deadline) or ended with EINTR.
    calls = f"cut -d' ' -f1 /proc/{pid}/task/*/syscall"
    seen = []

    def in_restart_syscall():
        seen[:] = cluster3.exec(2, ["krgrun", "sh", "-c", calls]).stdout.split()
        return seen.count("219") == 5

    try:
        cluster3.wait_for("the sleepers in restart_syscall()", in_restart_syscall, 30)
    finally:
        print(f"system calls: {seen}\n{output(cluster3, name)}")
    wait_line(cluster3, name, r"PASS|FAIL", 120)
    out = output(cluster3, name)
    assert "PASS" in out, out


def test_cpu_bound_result_is_unchanged(cluster3):
    # It computes until told to stop: the checkpoint is mid-computation.
    pid = start(cluster3, 1, "cpu", "cr_cpu")
    time.sleep(2)
    r = checkpoint(cluster3, 1, pid, f"{SH}/cpu.img", "--kill")
    assert r.status == 0, r.stderr + output(cluster3, "cpu")
    assert restart(cluster3, 3, f"{SH}/cpu.img").status == 0
    time.sleep(1)
    signal(cluster3, 3, pid)
    got = wait_line(cluster3, "cpu", r"RESULT (\d+) .*", 600)
    steps = int(got.group(1))
    assert steps > 0
    # The same number of steps without a checkpoint gives the same result.
    ref = cluster3.check(1, [f"{PROGS}/cr_cpu", str(steps)], timeout=600)
    assert re.search(r"RESULT .*", ref).group(0) == got.group(0)


def test_checkpoint_resumes_by_default_and_stop_leaves_it_stopped(cluster3):
    pid = start(cluster3, 1, "resume", "cr_signals")
    r = checkpoint(cluster3, 1, pid, f"{SH}/resume.img")
    assert r.status == 0 and "saved" in r.stdout, r.stderr
    r = checkpoint(cluster3, 1, pid, f"{SH}/resume.img", "--stop")
    assert r.status == 0, r.stderr
    state = cluster3.check(1, ["krgrun", "sh", "-c", f"cut -d' ' -f3 /proc/{pid}/stat"]).strip()
    assert state == "T"
    signal(cluster3, 1, pid, "CONT")
    signal(cluster3, 1, pid)
    wait_line(cluster3, "resume", r"PASS|FAIL")
    assert "PASS" in output(cluster3, "resume")


def test_restart_refuses_a_pid_in_use(cluster3):
    pid = start(cluster3, 1, "inuse", "cr_signals")
    assert checkpoint(cluster3, 1, pid, f"{SH}/inuse.img").status == 0
    r = restart(cluster3, 1, f"{SH}/inuse.img")
    assert r.status == 1
    assert f"pid {pid} is in use" in r.stderr and "Device or resource busy" in r.stderr
    signal(cluster3, 1, pid, "KILL")


def test_restart_refuses_a_pid_alive_on_another_node(cluster3):
    # Checkpointed and left running on node 1: node 2 must not make it twice.
    pid = start(cluster3, 1, "twice", "cr_signals")
    assert checkpoint(cluster3, 1, pid, f"{SH}/twice.img").status == 0
    r = restart(cluster3, 2, f"{SH}/twice.img")
    assert r.status == 1, r.stdout
    assert f"pid {pid} is alive on node 1" in r.stderr and "Device or resource busy" in r.stderr
    r = restart(cluster3, 3, f"{SH}/twice.img", "--node", "2")
    assert r.status == 1 and f"pid {pid} is alive on node 1" in r.stderr, r.stderr
    # Once the original is gone, the image restarts there.
    signal(cluster3, 1, pid, "KILL")
    cluster3.wait_for("the original to go", lambda: not running(cluster3, 1, pid), 30)
    r = restart(cluster3, 2, f"{SH}/twice.img")
    assert r.status == 0, r.stderr
    signal(cluster3, 2, pid)
    wait_line(cluster3, "twice", r"PASS|FAIL")
    assert "PASS" in output(cluster3, "twice")


def test_two_restarts_of_one_image_at_once_run_it_once(cluster3):
    pid = start(cluster3, 1, "race", "cr_signals")
    img = f"{SH}/race.img"
    assert checkpoint(cluster3, 1, pid, img, "--kill").status == 0
    cluster3.wait_for("the original to go", lambda: not running(cluster3, 1, pid), 30)
    for round_ in range(5):
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda n: restart(cluster3, n, img), (2, 3)))
        won = [n for n, r in zip((2, 3), results) if r.status == 0]
        # Exactly one: never two, and never none (of two restarts that see
        # each other, the one on the lower node goes first).
        assert len(won) == 1, (round_, [r.stderr for r in results])
        for r in results:
            assert r.status == 0 or re.search(
                rf"pid {pid} is (alive|being restarted) on node \d", r.stderr), r.stderr
        if round_ < 4:
            cluster3.check(won[0], ["krgrun", "kill", "-KILL", str(pid)])
            cluster3.wait_for("the winner to go", lambda: not running(cluster3, won[0], pid))
    signal(cluster3, won[0], pid)
    wait_line(cluster3, "race", r"PASS|FAIL")
    assert "PASS" in output(cluster3, "race")


def test_restart_stopped_and_wait(cluster3):
    pid = start(cluster3, 1, "stopped", "cr_signals")
    assert checkpoint(cluster3, 1, pid, f"{SH}/stopped.img", "--kill").status == 0
    r = restart(cluster3, 2, f"{SH}/stopped.img", "--stopped")
    assert r.status == 0, r.stderr
    state = cluster3.check(2, ["krgrun", "sh", "-c", f"cut -d' ' -f3 /proc/{pid}/stat"]).strip()
    assert state == "T"
    signal(cluster3, 2, pid, "KILL")
    kill_and_wait(cluster3, 2, pid, "the restarted process to die")
    # The stop is there when restart returns: a SIGCONT at once resumes it.
    cluster3.check(2, ["krgrun", "sh", "-c", f"restart --stopped {SH}/stopped.img && "
                                             f"kill -CONT {pid} && kill -USR1 {pid}"])
    wait_line(cluster3, "stopped", r"PASS|FAIL", 60)
    assert "PASS" in output(cluster3, "stopped")
    kill_and_wait(cluster3, 2, pid, "cr_signals to exit")
    # A signal at once comes before it is back in sigsuspend(): the call
    # returns EINTR to the handler, as it would have, not sleep again.
    host(cluster3, f"{SH}/stopped.out").write_text("")
    cluster3.check(2, ["krgrun", "sh", "-c", f"restart {SH}/stopped.img && kill -USR1 {pid}"])
    wait_line(cluster3, "stopped", r"PASS|FAIL", 60)
    assert "PASS" in output(cluster3, "stopped")


@pytest.mark.parametrize("how, status", [("USR1", 0), ("KILL", 128 + 9)])
def test_restart_wait_exits_with_the_roots_status(cluster3, how, status):
    # cr_signals exits 0 once told (SIGUSR1) and PASSes; SIGKILL kills it.
    name = f"wait-{how}"
    pid = start(cluster3, 1, name, "cr_signals")
    assert checkpoint(cluster3, 1, pid, f"{SH}/{name}.img", "--kill").status == 0
    cluster3.wait_for("the checkpointed process to die", lambda: not running(cluster3, 1, pid), 30)
    script = (f"restart --wait {SH}/{name}.img > /tmp/{name}.w & w=$!; "
              f"until grep -q restarted /tmp/{name}.w; do sleep 0.2; done; "
              f"kill -{how} {pid}; wait $w; echo status=$?")
    out = cluster3.check(2, ["krgrun", "sh", "-c", script])
    assert f"status={status}" in out, out
    assert not running(cluster3, 2, pid)
    if how == "USR1":
        assert "PASS" in output(cluster3, name)


def test_not_checkpointable_is_refused(cluster3):
    pid = start(cluster3, 1, "nocap", "cr_signals", wrap="")
    r = checkpoint(cluster3, 1, pid, f"{SH}/nocap.img")
    assert r.status == 1
    assert "not CHECKPOINTABLE" in r.stderr and "Operation not permitted" in r.stderr
    signal(cluster3, 1, pid, "KILL")


def stat_state(c, node, pid):
    return c.check(node, ["krgrun", "sh", "-c", f"cut -d' ' -f3 /proc/{pid}/stat"]).strip()


def test_a_stopped_process_is_checkpointed_and_stays_stopped(cluster3):
    pid = start(cluster3, 1, "frozen", "cr_signals")
    signal(cluster3, 1, pid, "STOP")
    cluster3.wait_for("it to stop", lambda: stat_state(cluster3, 1, pid) == "T", 30)
    r = checkpoint(cluster3, 1, pid, f"{SH}/frozen.img")
    assert r.status == 0, r.stderr
    # Woken to save itself, it goes back to its stop, and stays there.
    cluster3.wait_for("it to stop again", lambda: stat_state(cluster3, 1, pid) == "T", 30)
    time.sleep(2)
    assert stat_state(cluster3, 1, pid) == "T"
    # Still stopped after the checkpoint; the image records the stop, and
    # it restarts elsewhere stopped (no --stopped) until SIGCONT.
    r = checkpoint(cluster3, 1, pid, f"{SH}/frozen.img", "--kill")
    assert r.status == 0, r.stderr
    assert restart(cluster3, 2, f"{SH}/frozen.img").status == 0
    cluster3.wait_for("it to restart stopped", lambda: stat_state(cluster3, 2, pid) == "T", 30)
    signal(cluster3, 2, pid)
    time.sleep(2)
    assert stat_state(cluster3, 2, pid) == "T"
    assert "PASS" not in output(cluster3, "frozen")
    signal(cluster3, 2, pid, "CONT")
    wait_line(cluster3, "frozen", r"PASS|FAIL")
    assert "PASS" in output(cluster3, "frozen")


def test_traced_tree_thread_and_caller_are_refused(cluster3):
    # A task held in a ptrace stop never reaches its user boundary: the
    # checkpoint gives up, and the tree is left as it was.
    pid = start(cluster3, 1, "traced", "cr_limits", "traced")
    kid = int(wait_line(cluster3, "traced", r"TRACED (\d+)").group(1))
    r = checkpoint(cluster3, 1, kid, f"{SH}/traced.img", "--kill")
    assert r.status == 1
    assert "did not stop in time" in r.stderr and "Connection timed out" in r.stderr
    assert stat_state(cluster3, 1, kid) == "t"
    signal(cluster3, 1, pid)
    wait_line(cluster3, "traced", r"PASS|FAIL")
    assert "PASS" in output(cluster3, "traced")
    # A thread's TID is not a process to checkpoint.
    start(cluster3, 1, "tid", "cr_threads")
    tid = int(wait_line(cluster3, "tid", r"THREADS (\d+)").group(1))
    r = checkpoint(cluster3, 1, tid, f"{SH}/tid.img")
    assert r.status == 1
    assert f"{tid} is a thread: name its process" in r.stderr
    # A tree that holds the checkpoint tool itself.
    r = cluster3.exec(1, ["krgrun", "krgcr-run", "sh", "-c",
                          f"checkpoint -o {SH}/self.img $$"])
    assert r.status == 1
    assert "the tree holds the caller" in r.stderr and "Invalid argument" in r.stderr


def test_unsupported_fd_is_refused_or_substituted(cluster3):
    pid = start(cluster3, 1, "pipe", "cr_signals", out_pipe=True)
    r = checkpoint(cluster3, 1, pid, f"{SH}/pipe.img")
    assert r.status == 1
    assert "fd 1 (pipe:" in r.stderr and "Device or resource busy" in r.stderr
    assert "fd 1 (pipe:" in cluster3.log(1)
    r = checkpoint(cluster3, 1, pid, f"{SH}/pipe.img", "--ignore-unsupported", "--kill")
    assert r.status == 0, r.stderr
    assert "2 unsupported fd(s) will restart as /dev/null" in r.stdout
    r = restart(cluster3, 2, f"{SH}/pipe.img")
    assert r.status == 0, r.stderr
    fd1 = cluster3.check(2, ["krgrun", "sh", "-c", f"readlink /proc/{pid}/fd/1"]).strip()
    assert fd1 == "/dev/null"
    signal(cluster3, 2, pid, "KILL")


def unprivileged_restart(c, on):
    for n in (1, 2, 3):
        c.check(n, ["sh", "-c", f"echo {int(on)} > /sys/kernel/krg/unprivileged_restart"])


def test_unprivileged_user_restarts_only_own_images(cluster3):
    runas = f"{PROGS}/runas"
    cluster3.check(1, ["chmod", "777", SH])
    unprivileged_restart(cluster3, True)
    # A root process's image: a user cannot restart it.
    pid = start(cluster3, 1, "rootimg", "cr_signals")
    assert checkpoint(cluster3, 1, pid, f"{SH}/rootimg.img", "--kill").status == 0
    cluster3.check(1, ["chmod", "-R", "a+rX", f"{SH}/rootimg.img"])
    r = cluster3.exec(2, ["krgrun", runas, "1000", "restart", f"{SH}/rootimg.img"])
    assert r.status == 1
    assert "not the caller's" in r.stderr and "Operation not permitted" in r.stderr
    # Nor on another node: the caller's credentials go with the request.
    r = cluster3.exec(2, [runas, "1000", "restart", "--node", "3", f"{SH}/rootimg.img"])
    assert r.status == 1
    assert "node 3: " in r.stderr and "not the caller's" in r.stderr, r.stderr
    # The user's own process: checkpointed and restarted by the user.
    # Its output file is the user's too: restart reopens it as the user.
    cmd = f"exec krgcr-run {PROGS}/cr_misc /tmp < /dev/null > {SH}/userimg.out 2>&1"
    cluster3.check(1, ["sh", "-c", f"(krgrun {runas} 1000 sh -c '{cmd}') "
                                   "< /dev/null > /dev/null 2>&1 &"])
    upid = int(wait_line(cluster3, "userimg", r"READY (\d+)").group(1))
    r = cluster3.exec(1, ["krgrun", runas, "1000", "checkpoint", "--kill", "-o",
                          f"{SH}/userimg.img", str(upid)])
    assert r.status == 0, r.stderr
    # Choosing PIDs needs CAP_CHECKPOINT_RESTORE, unless the administrator
    # lets users restart their own images.
    unprivileged_restart(cluster3, False)
    for cmd in (["krgrun", runas, "1000", "restart", f"{SH}/userimg.img"],
                [runas, "1000", "restart", "--node", "2", f"{SH}/userimg.img"]):
        r = cluster3.exec(3, cmd)
        assert r.status == 1
        assert "CAP_CHECKPOINT_RESTORE" in r.stderr and "not permitted" in r.stderr, r.stderr
    assert not running(cluster3, 2, upid) and not running(cluster3, 3, upid)
    unprivileged_restart(cluster3, True)
    r = cluster3.exec(2, ["krgrun", runas, "1000", "restart", f"{SH}/userimg.img"])
    assert r.status == 0, r.stderr
    unprivileged_restart(cluster3, False)
    cluster3.check(2, ["krgrun", runas, "1000", "kill", "-USR1", str(upid)])
    wait_line(cluster3, "userimg", r"PASS|FAIL")
    assert "PASS" in output(cluster3, "userimg")


@pytest.fixture(scope="module")
def image(cluster3):
    """A small valid image (cr_signals, killed), on the host side."""
    pid = start(cluster3, 1, "victim", "cr_signals")
    assert checkpoint(cluster3, 1, pid, f"{SH}/victim.img", "--kill").status == 0
    return pid, host(cluster3, f"{SH}/victim.img")


def test_bad_images_are_refused_with_precise_errors(cluster3, image):
    def magic(d, t):
        edit_sections(d / "tree.krg", lambda s: s[0].__setitem__(1, b"X" + s[0][1][1:]))

    def version(d, t):
        def fn(secs):
            h = list(krgimage.IMAGE_HDR.unpack(secs[0][1]))
            h[1] = 99
            secs[0][1] = krgimage.IMAGE_HDR.pack(*h)
        edit_sections(d / "tree.krg", fn)

    def truncate(d, t):
        os.truncate(t, t.stat().st_size // 2)

    def bitflip(d, t):  # in the middle of the first page saved
        data = bytearray(t.read_bytes())
        data[krgimage.page_runs(data)[0][0] + 2048] ^= 0x10
        t.write_bytes(bytes(data))

    def run_twice(d, t):  # a run of pages again, right after itself
        data = bytearray(t.read_bytes())
        first, npages, head = krgimage.page_runs(data)[0]
        end = first + npages * 4096
        addr = krgimage.PAGES_HDR.unpack_from(data, head)[0]
        pad = -(krgimage.HDR.size + krgimage.PAGES_HDR.size + 4 * npages) % 4096
        checked = krgimage.PAGES_HDR.pack(addr, npages, pad) + \
            data[head + krgimage.PAGES_HDR.size:head + krgimage.PAGES_HDR.size + 4 * npages]
        payload = checked + bytes(pad) + data[first:end]
        copy = krgimage.HDR.pack(krgimage.MAGIC, krgimage.PAGES, 0, len(payload),
                                 krgimage.crc(checked)) + payload
        t.write_bytes(bytes(data[:end] + copy + data[end:]))

    def bad_call_nr(d, t):  # in a system call no kernel has
        def fn(secs):
            s = first(secs, krgimage.REGS)
            s[1] = s[1][:-8] + struct.pack("<q", 100000)
        edit_sections(t, fn)

    def absurd_length(d, t):
        data = bytearray(t.read_bytes())
        data[8:12] = (0xFFFFFFF0).to_bytes(4, "little")
        t.write_bytes(bytes(data))

    def unknown_section(d, t):
        edit_sections(t, lambda s: s.insert(3, [99, b"hello"]))

    def overlap(d, t):
        def fn(secs):
            vmas = [s for s in secs if s[0] == krgimage.VMA]
            a = list(krgimage.VMA_HDR.unpack_from(vmas[0][1]))
            b = list(krgimage.VMA_HDR.unpack_from(vmas[1][1]))
            b[0] = a[0]
            vmas[1][1] = krgimage.VMA_HDR.pack(*b) + vmas[1][1][krgimage.VMA_HDR.size:]
        edit_sections(t, fn)

    def fd_range(d, t):
        def fn(secs):
            f = first(secs, krgimage.FILE)
            h = list(krgimage.FILE_HDR.unpack_from(f[1]))
            h[0] = 1 << 30
            f[1] = krgimage.FILE_HDR.pack(*h) + f[1][krgimage.FILE_HDR.size:]
        edit_sections(t, fn)

    def no_tree(d, t):
        (d / "tree.krg").unlink()

    def leads_session_not_group(d, t):
        def fn(secs):
            e = dict(zip(krgimage.field_names("tree_task"),
                         krgimage.TREE_TASK_HDR.unpack(secs[1][1])))
            e["sid"], e["pgid"] = e["pid"], e["pid"] + 1
            secs[1][1] = krgimage.TREE_TASK_HDR.pack(*e.values())
        edit_sections(d / "tree.krg", fn)

    def bad_call(d, t):  # a futex wait on a clock futexes do not use
        def fn(secs):
            s = first(secs, krgimage.SYSCALL)
            s[1] = krgimage.SYSCALL_HDR.pack(3, 7, 10**9, 1, 0, 0x1000, 0, 1, 0x42, 0)
        edit_sections(t, fn)

    def bad_lock(d, t):  # a lock of no known kind
        edit_sections(t, lambda s: first(s, krgimage.LOCKS).__setitem__(
            1, krgimage.LOCK.pack(0, 9, 1, 0, 0, 10)))

    def lock_fd(d, t):  # a lock through an fd the process does not have
        edit_sections(t, lambda s: first(s, krgimage.LOCKS).__setitem__(
            1, krgimage.LOCK.pack(999, 2, 1, 0, 0, 10)))

    def data_into_named(d, t):  # deleted-file content aimed at fd 1, victim.out
        def fn(secs):
            i = next(k for k, s in enumerate(secs) if s[0] == krgimage.FILE and
                     krgimage.FILE_HDR.unpack_from(s[1])[0] == 1)
            obj = krgimage.FILE_HDR.unpack_from(secs[i][1])[5]
            secs.insert(i + 1, [krgimage.FILE_DATA, struct.pack("<IIQ", obj, 0, 0) + b"evil"])
        edit_sections(t, fn)

    cases = {
        magic: "Exec format error",
        version: "Protocol not supported",
        truncate: "No data available",
        bitflip: "Bad message",
        run_twice: "cannot leave pages",
        bad_call_nr: "bad registers",
        absurd_length: "Message too long",
        unknown_section: "Protocol error",
        overlap: "overlaps",
        fd_range: "out of order or range",
        no_tree: "No such file or directory",
        leads_session_not_group: "leads session",
        bad_call: "bad interrupted call (kind 3, clock 7)",
        bad_lock: "bad lock on fd 0 (Invalid argument)",
        lock_fd: "lock on fd 999, not open (Bad file descriptor)",
        data_into_named: "data of an unknown file (Invalid argument)",
    }
    for edit, expected in cases.items():
        # The flip is in a page, which only --eager reads before the restart
        # (left in the image, it is found when loaded: see the damaged page).
        opts = ("--eager",) if edit is bitflip else ()
        err = spoil(cluster3, image, f"bad-{edit.__name__}", edit, *opts)
        assert expected in err, f"{edit.__name__}: {err}"
    assert "evil" not in output(cluster3, "victim")


def test_bad_timers_and_socket_pairs_are_refused(cluster3):
    images = {}
    for prog in ("cr_misc", "cr_sockets"):
        name = f"victim-{prog}"
        pid = start(cluster3, 1, name, prog, f"{SH}/{name}.d" if prog == "cr_misc" else "")
        assert checkpoint(cluster3, 1, pid, f"{SH}/{name}.img", "--kill").status == 0
        images[prog] = pid, host(cluster3, f"{SH}/{name}.img")

    def with_field(st, i, value):
        def fn(payload):
            f = list(st.unpack_from(payload))
            f[i] = value(f[i])
            return st.pack(*f) + payload[st.size:]
        return fn

    def timer_clock(d, t):  # no such clock
        edit_first(d, krgimage.POSIX_TIMERS, with_field(krgimage.POSIX_TIMER, 1, lambda v: 99))

    def timer_thread(d, t):  # SIGEV_THREAD_ID to a thread not of the process
        edit_first(d, krgimage.POSIX_TIMERS, lambda p: krgimage.POSIX_TIMER.pack(
            *krgimage.POSIX_TIMER.unpack_from(p)[:2], 4, 10, 12345,
            *krgimage.POSIX_TIMER.unpack_from(p)[5:]) + p[krgimage.POSIX_TIMER.size:])

    def pair_bytes(d, t):  # the lengths of its messages do not add up
        edit_first(d, krgimage.UNIX_PAIR, with_field(krgimage.UNIX_PAIR_HDR, 7, lambda v: v + 1))

    def pair_count(d, t):  # absurd message count
        edit_first(d, krgimage.UNIX_PAIR, with_field(krgimage.UNIX_PAIR_HDR, 6, lambda v: 2**32 - 1))

    cases = [
        ("cr_misc", timer_clock, "cannot create POSIX timer"),
        ("cr_misc", timer_thread, "cannot create POSIX timer"),
        ("cr_sockets", pair_bytes, "bad unix socket pair"),
        ("cr_sockets", pair_count, "bad unix socket pair"),
    ]
    for prog, edit, expected in cases:
        err = spoil(cluster3, images[prog], f"bad-{edit.__name__}", edit)
        assert expected in err and "Invalid argument" in err, f"{edit.__name__}: {err}"


def test_tree_with_pipe_and_shared_memory_restarts_on_another_node(cluster3):
    name = "tree"
    pid = start(cluster3, 1, name, "cr_tree")
    kids = [int(k) for k in wait_line(cluster3, name, r"CHILDREN (\d+) (\d+)").groups()]
    img = f"{SH}/{name}.img"
    r = checkpoint(cluster3, 1, pid, img, "--kill")
    assert r.status == 0, r.stderr
    assert "(3 processes)" in r.stdout
    r = restart(cluster3, 3, img)
    assert r.status == 0, r.stderr
    # The same PIDs, the same parent links and groups.
    for k in kids:
        stat = cluster3.check(3, ["krgrun", "cat", f"/proc/{k}/stat"]).split()
        assert int(stat[3]) == pid
    assert int(cluster3.check(3, ["krgrun", "sh", "-c", f"cut -d' ' -f5 /proc/{kids[1]}/stat"])) \
        == kids[1]
    signal(cluster3, 3, pid)
    wait_line(cluster3, name, r"PASS|FAIL")
    out = output(cluster3, name)
    assert "PASS" in out, out


def test_unix_socket_pairs_restart_with_their_queued_messages(cluster3):
    name = "sockets"
    pid = start(cluster3, 1, name, "cr_sockets")
    wait_line(cluster3, name, r"CHILD (\d+)")
    img = f"{SH}/{name}.img"
    r = checkpoint(cluster3, 1, pid, img, "--kill")
    assert r.status == 0, r.stderr
    assert "(2 processes)" in r.stdout
    assert restart(cluster3, 2, img).status == 0
    signal(cluster3, 2, pid)
    wait_line(cluster3, name, r"PASS|FAIL")
    out = output(cluster3, name)
    assert "PASS" in out, out


def test_fd_in_flight_on_a_socket_pair_is_refused(cluster3):
    name = "inflight"
    pid = start(cluster3, 1, name, "cr_sockets", "inflight")
    wait_line(cluster3, name, r"CHILD (\d+)")
    r = checkpoint(cluster3, 1, pid, f"{SH}/{name}.img")
    assert r.status != 0
    assert "a unix socket pair with fds in flight" in r.stderr, r.stderr
    assert "Device or resource busy" in r.stderr
    # Refused, and left running: it still passes.
    signal(cluster3, 1, pid)
    wait_line(cluster3, name, r"PASS|FAIL")
    assert "PASS" in output(cluster3, name)


def test_restart_on_another_node_from_this_one(cluster3):
    name = "remote"
    pid = start(cluster3, 1, name, "cr_tree")
    kids = [int(k) for k in wait_line(cluster3, name, r"CHILDREN (\d+) (\d+)").groups()]
    img = f"{SH}/{name}.img"
    assert checkpoint(cluster3, 1, pid, img, "--kill").status == 0
    # Asked on node 1, done on node 3: the tree's parent is node 3's reaper.
    r = restart(cluster3, 1, img, "--node", "3")
    assert r.status == 0, r.stderr
    assert f"restart: {pid} restarted on node 3 (3 processes)" in r.stdout
    # Its parent: the thread that restarted it, then (once that is gone)
    # node 3's reaper. It leads its own session: node 1's is not there.
    deadline = time.time() + 30
    while True:
        stat = cluster3.check(3, ["krgrun", "cat", f"/proc/{pid}/stat"]).split()
        if int(stat[3]) == 1 or time.time() > deadline:
            break
        time.sleep(0.5)
    assert int(stat[3]) == 1 and int(stat[5]) == pid, stat
    for k in kids:
        stat = cluster3.check(3, ["krgrun", "cat", f"/proc/{k}/stat"]).split()
        assert int(stat[3]) == pid
    assert not running(cluster3, 1, pid)
    signal(cluster3, 3, pid)
    wait_line(cluster3, name, r"PASS|FAIL")
    out = output(cluster3, name)
    assert "PASS" in out, out
    # The reaper reaps it: no zombie left on node 3.
    deadline = time.time() + 60
    while running(cluster3, 3, pid) and time.time() < deadline:
        time.sleep(0.5)
    assert not running(cluster3, 3, pid)


def test_restart_on_another_node_refuses_bad_requests(cluster3):
    img = f"{SH}/remote-bad.img"
    cluster3.check(1, ["mkdir", "-p", img])
    r = restart(cluster3, 1, img, "--node", "9")
    assert r.status == 1 and "node 9 is not in the cluster" in r.stderr, r.stderr
    r = restart(cluster3, 1, img, "--node", "2", "--wait")
    assert r.status == 1 and "cannot wait for node 2" in r.stderr, r.stderr
    r = restart(cluster3, 1, f"{SH}/no-such.img", "--node", "2")
    assert r.status == 1 and "node 2: cannot open the image" in r.stderr, r.stderr
    assert "No such file or directory" in r.stderr
    r = restart(cluster3, 1, img, "--node", "2")  # a directory, not an image
    assert r.status == 1 and "node 2: cannot open tree.krg" in r.stderr, r.stderr


def test_epoll_set_of_2048_fds_restarts(cluster3):
    name = "epoll2048"
    migrate_by_image(cluster3, name, "cr_limits", "epoll 2048")
    out = output(cluster3, name)
    assert "PASS" in out, out


@pytest.mark.parametrize("args,reason", [
    ("epoll 2049", "an epoll set of more than 2048 fds"),
    ("pipe", "a pipe of 2097152 bytes"),
    ("signals", "more than 1024 signals pending"),
    ("oob", "a unix socket pair with out-of-band data"),
    ("pair", "a unix socket pair holding too much"),
    ("lease", ": a lease"),
    ("locks", "more than 1024 file locks"),
    ("outside", "(pipe:["),  # its parent, outside the tree, holds the pipe too
])
def test_state_beyond_the_image_limits_is_refused(cluster3, args, reason):
    name = "limits-" + args.split()[0]
    pid = start(cluster3, 1, name, "cr_limits", args)
    r = checkpoint(cluster3, 1, pid, f"{SH}/{name}.img")
    assert r.status == 1, r.stdout
    assert reason in r.stderr and "Device or resource busy" in r.stderr, r.stderr
    # Refused, and left as it was: it still runs to PASS.
    signal(cluster3, 1, pid)
    wait_line(cluster3, name, r"PASS|FAIL")
    assert "PASS" in output(cluster3, name)


def test_tree_restarted_on_another_node_dies_of_sigkill(cluster3):
    # Restarted by a kernel thread there: SIGKILL must not stay ignored.
    c, name = cluster3, "remote-kill"
    pid, img = saved(c, name, "cr_cpu")
    r = restart(c, 1, img, "--node", "2")
    assert r.status == 0, r.stderr
    c.wait_for(f"{pid} on node 2", lambda: running(c, 2, pid), 30)
    c.check(3, ["krgrun", "kill", "-KILL", str(pid)])
    kill_and_wait(c, 2, pid, "the remote restart to die of SIGKILL")
