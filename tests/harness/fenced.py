"""The harness's fence device, as a power switch is on real hardware.

A node's kernel fences a node declared dead by running its fence agent,
/sbin/krg-fence NODE INCARNATION (tests/harness/krg-fence). The agent writes the
request FROM-NODE.req in the shared directory's .fence/ and waits for
FROM-NODE.ack (done) or FROM-NODE.nak (refused). This process, started
with the cluster, answers them: it kills NODE's QEMU if it runs that incarnation (its serial log names
it; a QEMU booted since is left alone), unless the request
comes from a node that is itself off (two nodes fencing each other: the
first request wins, as with a real switch).

While .fence/hold exists, requests wait: a test holds the fence to watch
what the cluster does before it is confirmed. .fence/ is root's, mode
0700, so that only a node's root can ask.
"""
import json
import os
import signal
import sys
import time
from pathlib import Path


def alive(pid):
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return False


def pids(state_file):
    try:
        st = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None
    return {int(n): v.get("pid") for n, v in st["nodes"].items()}


def runs(run_dir, node, incarnation):
    """Does node's QEMU run that incarnation? A QEMU booted since has a
    new log, which does not name it; 0: whatever runs."""
    if incarnation.strip("0") == "":
        return True
    try:
        log = (Path(run_dir) / f"node{node}.log").read_text(errors="replace")
    except OSError:
        return True       # cannot tell: off is the safe side
    return f"incarnation {incarnation}" in log


def answer(run_dir, fence_dir, req, nodes, log):
    try:
        src, dst = (int(x) for x in req.stem.split("-"))
        incarnation = req.read_text().strip()
    except (ValueError, OSError):
        req.unlink(missing_ok=True)
        return
    verdict = "nak"
    if alive(nodes.get(src) or 0):
        pid = nodes.get(dst)
        if pid and alive(pid) and runs(run_dir, dst, incarnation):
            os.kill(pid, signal.SIGKILL)
            for _ in range(50):
                if not alive(pid):
                    break
                time.sleep(0.05)
        verdict = "nak" if pid and alive(pid) and runs(run_dir, dst, incarnation) else "ack"
    log.write(f"{time.time():.3f} node {src} fences node {dst} ({incarnation}): {verdict}\n")
    log.flush()
    tmp = fence_dir / f"{req.stem}.answer"  # not the agent's .tmp
    tmp.write_text(verdict + "\n")
    req.unlink(missing_ok=True)
    tmp.replace(fence_dir / f"{req.stem}.{verdict}")


def serve(run_dir, shared):
    fence_dir = Path(shared) / ".fence"
    fence_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(fence_dir, 0o700)
    state_file = Path(run_dir) / "state.json"
    idle_since = None
    with open(Path(run_dir) / "fence.log", "a") as log:
        while True:
            nodes = pids(state_file) or {}
            if any(alive(p or 0) for p in nodes.values()):
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > 30:
                return 0          # the cluster is gone
            if not (fence_dir / "hold").exists():
                for req in sorted(fence_dir.glob("*.req")):
                    answer(run_dir, fence_dir, req, nodes, log)
            time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], sys.argv[2]))
