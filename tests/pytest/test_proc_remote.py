"""/proc/PID of a process on another node: stat, status and cmdline read
from any node say what the node that runs it says, to the same reader."""
from test_krgps import RUNAS, sleeper
from test_signals import UNUSED, gone, kill


FILES = ("stat", "status", "cmdline")


def read(c, node, path, uid):
    r = c.exec(node, ["krgrun", RUNAS, str(uid), "cat", path])
    return r


def content(c, node, path, uid):
    r = read(c, node, path, uid)
    assert r.status == 0, (node, path, uid, r.stderr)
    return r.stdout


def test_proc_of_a_process_on_another_node_reads_as_there(cluster3):
    c = cluster3
    pid = sleeper(c, 2, "proc_remote", uid=1000)
    try:
        for uid in (1000, 1001, 0):
            for name in FILES:
                path = f"/proc/{pid}/{name}"
                here = content(c, 2, path, uid)
                assert here, path
                for node in (1, 3):
                    assert content(c, node, path, uid) == here, (node, path, uid)
        assert content(c, 1, f"/proc/{pid}/cmdline", 1001) == "sleep\x001000\x00"
        status = content(c, 3, f"/proc/{pid}/status", 1001)
        assert f"\nPid:\t{pid}\n" in status and "\nUid:\t1000\t1000\t1000\t1000\n" in status
        # What /proc shows only to who may ptrace it (start_code, end_code,
        # start_stack), by the reader's rights on the node that runs it.
        assert content(c, 1, f"/proc/{pid}/stat", 1001).split()[25:28] == ["1", "1", "0"]
        assert content(c, 1, f"/proc/{pid}/stat", 1000).split()[25:28] != ["1", "1", "0"]
        listing = c.check(1, ["krgrun", "ls", "-ln", f"/proc/{pid}"])
        for name in FILES:
            assert any(line.split()[2:4] == ["1000", "1000"] and line.endswith(f" {name}")
                       for line in listing.splitlines()), listing
    finally:
        kill(c, 1, "-KILL", str(pid), uid=0)
    gone(c, pid, 2)
    r = read(c, 1, f"/proc/{pid}/stat", 1000)
    assert r.status != 0 and "No such file or directory" in r.stderr, r.stderr


def test_proc_of_an_unknown_pid_is_not_there(cluster3):
    c = cluster3
    for pid in (UNUSED, (200 << 22) | 5):
        r = read(c, 1, f"/proc/{pid}/status", 1000)
        assert r.status != 0 and "No such file or directory" in r.stderr, r.stderr
