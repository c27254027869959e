#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Line coverage of engine/ (core and shm) from the unit and scenario suites.
set -eu
build=${1:-build-coverage}
cd "$(dirname "$0")/.."
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Db_coverage=true -Dbuildtype=debug
fi
meson compile -C "$build"
meson test -C "$build" --suite unit --suite scenarios
gcovr --root . --filter 'engine/' --object-directory "$build" --print-summary \
	--txt "$build/coverage.txt" >/dev/null
cat "$build/coverage.txt"
