"""State real programs set, checkpointed on node 1 and restarted on node 2
by self-checking programs: process state (zombies, a shared fd table,
the parent-death signal, OOM score, nice and policy, subreaper: cr_procs;
sessions and groups whose leaders exited: cr_sessions)
and file state (SIGIO owners, epoll watches through closed fds, deleted
files with their mode and size, on tmpfs and on 9p, memory shared through
a deleted file, mixed locks: cr_fdstate; inotify watches: cr_inotify;
memfds: cr_memfd)."""
import pytest

from crlib import (SH, checkpoint, migrate_by_image, output, restart, running, signal, start,
                   wait_line)

pytestmark = pytest.mark.debug  # also on the debug kernel


def test_process_state_survives(cluster3):
    c = cluster3
    pid = migrate_by_image(c, "procs", "cr_procs")
    out = output(c, "procs")
    assert "PASS" in out, out
    # Its parent-death signal still works: once it is gone, its child
    # got SIGUSR2 and ended (without it, the child would wait forever).
    kid = int(out.split("PDEATH ")[1].split()[0])
    c.wait_for("the process to end", lambda: not running(c, 2, pid), 30)
    c.wait_for("its child to get its parent-death signal",
               lambda: not running(c, 2, kid), 30)


def test_sessions_and_groups_survive_their_leaders(cluster3):
    # Sessions and groups whose leader has exited (cr_sessions): each
    # member is found by kill(-group) and finds its parent, group and
    # session as they were.
    migrate_by_image(cluster3, "sessions", "cr_sessions")
    out = output(cluster3, "sessions")
    assert "PASS" in out, out


def test_seccomp_filters_survive_and_still_filter(cluster3):
    # cr_seccomp: two filters on the process, one more on a thread, and a
    # child in strict mode, each checked by the calls it must fail.
    migrate_by_image(cluster3, "seccomp", "cr_seccomp", size="2 processes, 3 threads")
    out = output(cluster3, "seccomp")
    assert "PASS" in out, out


@pytest.mark.parametrize("name, prog", [
    ("fdstate", "cr_fdstate"),
    # Watches on the shared file system come back under their own
    # descriptors, and so does the next one a new watch gets.
    ("inotify", "cr_inotify"),
    # Names, modes, seals, offsets and content; mapped shared, read-only
    # and private.
    ("memfd", "cr_memfd"),
])
def test_file_state_survives(cluster3, name, prog):
    c = cluster3
    c.check(1, ["mkdir", "-p", f"{SH}/{name}.shared"])
    migrate_by_image(c, name, prog, f"{SH}/{name}.shared")
    out = output(c, name)
    assert "PASS" in out, out


def test_restart_makes_memfds_as_vm_memfd_noexec_allows(cluster3):
    """Where vm.memfd_noexec=2 refuses executable memfds, restart does not
    make one either: cr_memfd's are mode 0777."""
    c = cluster3
    name = "memfd-noexec"
    pid = start(c, 1, name, "cr_memfd")
    img = f"{SH}/{name}.img"
    assert checkpoint(c, 1, pid, img, "--kill").status == 0
    c.wait_for("cr_memfd to die", lambda: not running(c, 1, pid), 30)
    c.check(2, ["sh", "-c", "echo 2 > /proc/sys/vm/memfd_noexec"])
    try:
        r = restart(c, 2, img)
    finally:
        c.check(2, ["sh", "-c", "echo 0 > /proc/sys/vm/memfd_noexec"])
    assert r.status == 1 and "(Operation not permitted)" in r.stderr, r.stdout + r.stderr
    # Where the policy allows them, the same image restarts.
    r = restart(c, 2, img)
    assert r.status == 0, r.stderr
    signal(c, 2, pid)
    wait_line(c, name, r"PASS|FAIL")
    assert "PASS" in output(c, name), output(c, name)


@pytest.mark.parametrize("mode, what", [
    ("inet", "an inet socket cannot be checkpointed"),
    ("named", "a unix socket bound to a name"),
    ("hugetlb", "huge-page memory cannot be saved"),
    ("cwd", "its working directory or root is deleted"),
    ("thread", "does not share its process's files or fs"),
    ("sysvshm", "SysV shared memory cannot be saved"),
    ("memfd", "a huge-page memfd cannot be checkpointed"),
    ("mqueue", "a POSIX message queue cannot be checkpointed"),
    ("aio", "an aio context cannot be saved"),
    ("inotify", "an inotify instance with events not read yet"),
    ("notify", "a seccomp filter with a user notifier"),
])
def test_what_cannot_be_saved_is_refused_by_name(cluster3, mode, what):
    c = cluster3
    name = f"refused-{mode}"
    if mode == "hugetlb":
        c.check(1, ["sh", "-c", "echo 4 > /proc/sys/vm/nr_hugepages"])
    pid = start(c, 1, name, "cr_refused", mode)
    r = checkpoint(c, 1, pid, f"{SH}/{name}.img")
    assert r.status == 1, r.stdout
    assert what in r.stderr and "Device or resource busy" in r.stderr, r.stderr
    # Refused, and left as it was: what it holds still works.
    signal(c, 1, pid)
    wait_line(c, name, r"PASS|FAIL")
    assert "PASS" in output(c, name), output(c, name)
