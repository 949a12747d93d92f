"""The harness's own command line, and the build: no QEMU needed."""
import subprocess

import pytest

import krgcluster


def exec_args(*argv):
    return krgcluster.parse(["exec", *argv])


@pytest.mark.parametrize("argv", [
    ["--run-dir", "D", "1", "--", "ls", "-l"],
    ["1", "--run-dir", "D", "--", "ls", "-l"],
    ["1", "--run-dir=D", "--", "ls", "-l"],
    ["--run-dir", "D", "1", "ls", "-l"],
])
def test_exec_options_before_or_after_the_node(argv):
    a = exec_args(*argv)
    assert (a.node, a.run_dir, a.command) == (1, "D", ["ls", "-l"])


def test_exec_timeout_and_command_options():
    a = exec_args("2", "--timeout", "7", "--", "krgadm", "--json", "--run-dir", "x")
    assert (a.node, a.timeout, a.command) == (2, 7, ["krgadm", "--json", "--run-dir", "x"])


@pytest.mark.parametrize("argv, message", [
    (["1", "--bogus", "--", "ls"], "unknown option '--bogus'"),
    (["--bogus", "1", "ls"], "unknown option '--bogus'"),
    (["1"], "needs a command"),
    (["x", "--", "ls"], "bad node 'x'"),
    (["1", "--timeout", "soon", "--", "ls"], "bad value 'soon' for --timeout"),
    (["1", "--run-dir"], "--run-dir needs a value"),
])
def test_exec_refuses_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        exec_args(*argv)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_a_second_make_builds_nothing():
    # Everything was built before the tests ran: a make with nothing
    # changed must compile nothing (a changed compiler string, say ccache
    # decided differently, would rebuild every object).
    r = subprocess.run(["make", "-C", str(krgcluster.TOP), "kernel", "tools", "progs"],
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    rebuilt = [line for line in r.stdout.splitlines()
               if line.split()[:1] in (["CC"], ["LD"], ["AR"], ["AS"], ["HOSTCC"])
               or "Building CXX object" in line or "Linking" in line]
    assert rebuilt == [], "\n".join(rebuilt[:30])
    # The test programs build silently: ask make whether any is out of date.
    r = subprocess.run(["make", "-q", "-C", str(krgcluster.TOP / "tests/progs"),
                        f"OUT={krgcluster.BUILD / 'progs'}"], capture_output=True, text=True)
    assert r.returncode == 0, "a test program would be rebuilt"
