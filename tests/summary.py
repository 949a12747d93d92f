"""Add up JUnit XML results into the closing line "N passed, N failed".

A missing report, or one with no test at all, counts as a failure: a run
that tested nothing must not look green.
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"summary: no usable report {path}: {e}", file=sys.stderr)
        return 0, 1
    passed = failed = 0
    for case in root.iter("testcase"):
        if case.find("skipped") is not None:
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
    if passed + failed == 0:
        print(f"summary: {path} holds no test", file=sys.stderr)
        failed += 1
    return passed, failed


def main(paths):
    passed = failed = 0
    for p in paths:
        a, b = count(p)
        passed += a
        failed += b
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
