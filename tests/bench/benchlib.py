"""What the benchmarks share: a cluster to measure on, and writing their
results into their section of Documentation/performance.md."""
import contextlib
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import krgcluster  # noqa: E402

PERF = Path(__file__).resolve().parents[2] / "Documentation" / "performance.md"


def record(title, body):
    """Replace (or add) the section "## title" of performance.md."""
    section = f"## {title}\n\n{body}"
    text = PERF.read_text() if PERF.exists() else "# krg performance\n\n"
    pattern = re.compile(rf"## {re.escape(title)}\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section
    PERF.write_text(text)


@contextlib.contextmanager
def cluster(nodes, session, memory=256, encrypt=True):
    """A fresh cluster of `nodes` nodes (memory MiB each; links encrypted
    under a new key, or in clear), torn down and removed afterwards.
    Kernel failures in its logs are left in cluster.failures."""
    c = krgcluster.Cluster(tempfile.mkdtemp(prefix="krg-bench-", dir="/tmp"), session=session)
    c.failures = []
    try:
        c.up(nodes, memory=memory, encrypt=encrypt)
        yield c
        c.failures = c.kernel_failures()
    finally:
        c.down()
        shutil.rmtree(c.run_dir, ignore_errors=True)


def spread(values):
    """min, median and max of a list of measurements."""
    v = sorted(values)
    return v[0], statistics.median(v), v[-1]


def accel():
    return "KVM" if krgcluster.kvm_works() else "QEMU TCG"


def report(title, intro, table, failures):
    """Print the table, record it under "## title"; return the exit status."""
    print("\n".join(table))
    record(title, intro + "\n\n" + "\n".join(table) + "\n")
    if failures:
        print("kernel failures:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0
