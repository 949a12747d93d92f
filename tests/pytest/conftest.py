"""pytest fixtures: real QEMU clusters from tests/harness/krgcluster.py.

Every cluster gets its own session, multicast port and run directory, and
is torn down after its tests; a node log with an Oops, BUG, WARN or the
like fails the test that produced it.

On the debug kernel (KRG_DEBUG=1), which boots and runs several times
slower, the tests marked `debug` share one 3-node cluster for the whole
run, and kmemleak is scanned on it after each test module.
"""
import itertools
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import krgcluster  # noqa: E402

_sessions = itertools.count(100 + os.getpid() % 4000)


def new_cluster():
    session = next(_sessions)
    run_dir = tempfile.mkdtemp(prefix=f"krg-{session}-", dir="/tmp")
    return krgcluster.Cluster(run_dir, session=session)


def finish(cluster, request):
    leaks = cluster.kmemleaks() if krgcluster.DEBUG else []
    cluster.down()
    # What a test of a shared cluster logged was blamed on it already.
    failures = cluster.kernel_failures(since=getattr(cluster, "checked", None)) + leaks
    keep = Path(os.environ.get("KRG_TEST_LOGS", krgcluster.BUILD / "test-logs"))
    dest = keep / request.node.name.replace("/", "_")
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(cluster.run_dir, dest, ignore=shutil.ignore_patterns("*.agent", "*.monitor", "shared"))
    shutil.rmtree(cluster.run_dir, ignore_errors=True)
    if failures:
        pytest.fail("kernel failure in node logs (kept in %s):\n%s" % (dest, "\n".join(failures)))


@pytest.fixture(autouse=True)
def kernel_log_check(request):
    """Fail the test during which a shared cluster's node logged an Oops,
    BUG, WARN or the like: the blame goes to the test that caused it."""
    shared = [request.getfixturevalue(n) for n in ("cluster3", "node1")
              if n in request.fixturenames]
    marks = [(c, c.log_marks()) for c in shared]
    yield
    for c, m in marks:
        c.checked = c.log_marks()
        bad = c.kernel_failures(since=m)
        if bad:
            pytest.fail("kernel failure in node logs during this test:\n" + "\n".join(bad))


@pytest.fixture
def make_cluster(request):
    """Factory: make_cluster() returns an empty Cluster to start nodes in."""
    made = []

    def make():
        c = new_cluster()
        made.append(c)
        return c

    yield make
    for c in made:
        finish(c, request)


@pytest.fixture(scope="module")
def node1(request):
    """A single booted node, node 1, shared by a module's tests."""
    c = new_cluster()
    try:
        c.start_node(1)
        c.wait_ready(1)
        yield c
    finally:
        finish(c, request)


def pytest_configure(config):
    config.addinivalue_line("markers", "debug: run on the debug kernel in make test, "
                            "and there only unless also marked 'normal'")
    config.addinivalue_line("markers", "normal: a 'debug' test that also runs on the normal "
                            "kernel in make test")


def cluster_scope(fixture_name, config):
    return "session" if krgcluster.DEBUG else "module"


_shared_clusters = []


@pytest.fixture(scope=cluster_scope)
def cluster3(request):
    """One 3-node cluster shared by a module's tests, in file order (by all
    the tests of the run on the debug kernel)."""
    c = new_cluster()
    try:
        c.up(3)
        for n in (1, 2, 3):
            c.wait_for(f"node {n} to see 1-3 online", lambda n=n: c.online(n) == "1-3", 60)
    except Exception:
        finish(c, request)
        raise
    _shared_clusters.append(c)
    yield c
    _shared_clusters.remove(c)
    finish(c, request)


@pytest.fixture(scope="module", autouse=True)
def kmemleak_per_module():
    """Debug kernel: what a module's tests leaked on the shared cluster."""
    yield
    for c in list(_shared_clusters) if krgcluster.DEBUG else []:
        leaks = c.kmemleaks()
        if leaks:
            pytest.fail("kmemleak found leaks after this module:\n" + "\n".join(leaks))
