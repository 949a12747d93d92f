#!/bin/sh
# make test: unit tests (ctest), then kunit and integration tests on real
# QEMU clusters (pytest) with the krg kernel, then the security, fuzz and
# checkpoint/restart tests again on the debug kernel (KASAN, kmemleak,
# lockdep...). Ends with one line "N passed, N failed, N skipped".
# --debug-only (make test-debug): the whole pytest suite on the debug
# kernel instead.
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
tests=$top/tests/pytest
debug_kernel=$build/kernel-debug/arch/x86/boot/bzImage
rm -f "$build"/ctest.xml "$build"/pytest*.xml
reports=""


# The debug kernel: more memory for KASAN's shadow and kmemleak's pool.
debug_run() {
	xml=$1
	shift
	echo "== on the debug kernel (pytest, QEMU)"
	KRG_KERNEL=$debug_kernel KRG_DEBUG=1 KRG_NODE_MEMORY=512 \
		/usr/bin/python3 -m pytest -p no:cacheprovider -v -rs \
		-o junit_suite_name=debug --junitxml="$xml" "$@" ${PYTEST_ARGS:-}
	reports="$reports $xml"
}

if [ "$1" = --debug-only ]; then
	debug_run "$build/pytest-debug.xml" "$tests"
else
	echo "== unit tests (ctest)"
	(cd "$build/ssi-tools" && ctest --output-on-failure --output-junit "$build/ctest.xml")
	reports="$build/ctest.xml"

	# Each test runs once: those marked "debug" on the debug kernel only,
	# unless also marked "normal" (keeps make test within CI's time).
	echo "== kernel and cluster tests (pytest, QEMU)"
	/usr/bin/python3 -m pytest -p no:cacheprovider -v -rs --junitxml="$build/pytest.xml" \
		-m "not debug or normal" "$tests" ${PYTEST_ARGS:-}
	reports="$reports $build/pytest.xml"

	# The tests marked "debug": security, fuzzing, faults, races and the
	# checkpoint/restart programs, on one shared cluster.
	debug_run "$build/pytest-debug.xml" -m debug "$tests"
fi

/usr/bin/python3 "$top/tests/summary.py" $reports
