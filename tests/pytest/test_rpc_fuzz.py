"""Mutated RPC frames of every message type, from another node's kernel.

User space cannot reach krg's RPC service, so the fuzzer is in the kernel
(comm/rpc_fuzz.c), built into the debug kernel only: on the krg kernel
these tests are skipped, saying so. The receiving node must neither oops
nor leak (the harness scans its log, and kmemleak on the debug kernel),
and must keep answering every node.
"""
import os

import pytest

pytestmark = pytest.mark.debug  # also on the debug kernel

FUZZ = "/sys/kernel/debug/krg/rpc_fuzz"
FRAMES = int(os.environ.get("KRG_FUZZ_FRAMES", "3000"))
SEED = int(os.environ.get("KRG_FUZZ_SEED", "0"))


@pytest.mark.parametrize("target, seed", [(2, 1), (1, 7), (3, 99)])
def test_rpc_survives_mutated_frames_of_every_type(cluster3, target, seed):
    seed += SEED
    c = cluster3
    if c.exec(1, ["test", "-e", FUZZ]).status:
        pytest.skip("the RPC fuzzer is in the debug kernel only (make test-debug)")
    before = int(c.check(target, ["cat", "/sys/kernel/krg/rpc_refused"]))
    c.check(1, ["sh", "-c", f"echo '{target} {FRAMES} {seed}' > {FUZZ}"], timeout=7200)
    report = c.check(1, ["cat", FUZZ])
    print(report)
    assert f"node {target} seed {seed}: {FRAMES} rounds" in report, report
    assert "ping after: 0" in report, report
    # Frames claiming another node were refused and counted.
    assert int(c.check(target, ["cat", "/sys/kernel/krg/rpc_refused"])) > before
    for src in (1, 2, 3):
        c.check(src, ["krgadm", "rpc", "ping", str(target), "--size", "65536"])
    assert c.online(target) == "1-3"
