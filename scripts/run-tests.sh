#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build, run every registered test; then, with ASan+UBSan (clang), run the
# suites that need no daemon or root, and fuzz each fuzz target with
# libFuzzer for a bounded time. Ends with "N passed, N failed" over all.
#   run-tests.sh [BUILD]      (also BUILD-asan and BUILD-fuzz)
# SANITIZE=no skips the two sanitizer builds (quick local runs; CI never sets it).
set -u
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1

# compat runs libvotequorum and the control server (the vq-host fixture)
# under ASan too. Not there: tools/integ start tallyd, whose DPDK EAL maps
# hugepages at fixed addresses that ASan's shadow memory may hold (and
# integ needs root, namespaces and CPU time); bench-smoke times things.
ASAN_SUITES="unit scenarios sim fuzz compat"

if ! ./scripts/build.sh "$build"; then
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
meson test -C "$build" --print-errorlogs
status=$?
logs="$build/meson-logs/testlog.json"

# Every finding is fatal; leaks too (LeakSanitizer comes with ASan).
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1}"

# sanitized BUILD MODE MESON-TEST-ARGS...: build and test; a build that
# fails leaves no log, which the summary counts as a failure.
sanitized() {
	dir=$1
	mode=$2
	shift 2
	rm -f "$dir/meson-logs/testlog.json"
	if ./scripts/build.sh "$dir" "$mode"; then
		meson test -C "$dir" --print-errorlogs "$@" || status=1
	else
		echo "$mode build failed"
		status=1
	fi
	logs="$logs $dir/meson-logs/testlog.json"
}

if [ "${SANITIZE:-yes}" != no ]; then
	suites=""
	for s in $ASAN_SUITES; do suites="$suites --suite $s"; done
	# ASan+UBSan run everything several times slower: meson's timeouts scaled
	# shellcheck disable=SC2086
	sanitized "$build-asan" sanitize --timeout-multiplier 3 $suites
	# only the fuzz targets are built there
	sanitized "$build-fuzz" fuzz --no-rebuild --suite libfuzzer
fi
# shellcheck disable=SC2086
python3 scripts/test-summary.py $logs || status=1
exit $status
