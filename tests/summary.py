"""Add up JUnit XML results into the closing line
"N passed, N failed, N skipped".

A missing report, or one with no test at all, counts as a failure: a run
that tested nothing must not look green. A skipped case must say why, in
words that name what is missing; one without a reason counts as failed.
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"summary: no usable report {path}: {e}", file=sys.stderr)
        return 0, 1, 0
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        skip = case.find("skipped")
        name = f"{case.get('classname')}::{case.get('name')}"
        if skip is not None:
            reason = (skip.get("message") or skip.text or "").strip()
            if len(reason) < 10:
                print(f"summary: {name} skipped without a reason", file=sys.stderr)
                failed += 1
            else:
                print(f"summary: skipped {name}: {reason}")
                skipped += 1
        elif case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
    if passed + failed + skipped == 0:
        print(f"summary: {path} holds no test", file=sys.stderr)
        failed += 1
    return passed, failed, skipped


def main(paths):
    total = [0, 0, 0]
    for p in paths:
        total = [a + b for a, b in zip(total, count(p))]
    passed, failed, skipped = total
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
