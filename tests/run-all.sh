#!/bin/sh
# make test: unit tests (ctest), then kunit and integration tests on real
# QEMU clusters (pytest). Ends with one line "N passed, N failed".
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
rm -f "$build/ctest.xml" "$build/pytest.xml"

echo "== unit tests (ctest)"
(cd "$build/ssi-tools" && ctest --output-on-failure --output-junit "$build/ctest.xml")

echo "== kernel and cluster tests (pytest, QEMU)"
/usr/bin/python3 -m pytest -p no:cacheprovider -v --junitxml="$build/pytest.xml" \
	"$top/tests/pytest" ${PYTEST_ARGS:-}

/usr/bin/python3 "$top/tests/summary.py" "$build/ctest.xml" "$build/pytest.xml"
