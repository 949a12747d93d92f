"""The kernel's krg KUnit suites, run at boot in a real node, KTAP parsed."""
import re

import pytest

SUITES = ["krg_nodemask", "krg_rpc_msg", "krg_pid", "krg_cap", "krg_ghost", "krg_quorum"]


def parse_ktap(log):
    """Return {suite: (ok, [(case, ok)])} from a kernel log with KTAP."""
    suites, current, cases = {}, None, []
    for raw in log.splitlines():
        line = re.sub(r"^\[\s*[\d.]+\]\s*", "", raw).strip()
        m = re.match(r"# Subtest: (\S+)", line)
        if m:
            current, cases = m.group(1), []
            continue
        m = re.match(r"(not ok|ok) \d+ (\S+)", line)
        if m and current:
            ok = m.group(1) == "ok"
            if m.group(2) == current:
                suites[current] = (ok, cases)
                current = None
            else:
                cases.append((m.group(2), ok))
    return suites


@pytest.fixture(scope="module")
def ktap(node1):
    return parse_ktap(node1.log(1))


@pytest.mark.parametrize("suite", SUITES)
def test_kunit_suite(ktap, suite):
    assert suite in ktap, f"suite {suite} did not run"
    ok, cases = ktap[suite]
    failed = [name for name, passed in cases if not passed]
    assert cases, f"suite {suite} ran no case"
    assert ok and not failed, f"{suite}: failed cases {failed}"
