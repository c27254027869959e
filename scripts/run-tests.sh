#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build, run every registered test, and end with "N passed, N failed".
set -u
build=${1:-build}
cd "$(dirname "$0")/.."

if ! ./scripts/build.sh "$build"; then
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
meson test -C "$build" --print-errorlogs
status=$?
python3 scripts/test-summary.py "$build/meson-logs/testlog.json" || status=1
exit $status
