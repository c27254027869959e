#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Fuzz each target with libFuzzer + ASan + UBSan for SECONDS (default 60).
#   tests/fuzz/run-libfuzzer.sh [SECONDS] [TARGET...]     targets: config wire scenario ctl
# The fuzz build of scripts/run-tests.sh (scripts/build.sh BUILD fuzz, in
# $FUZZ_BUILD, default build-fuzz) and its libfuzzer tests, only longer: the
# sources and seeds come from meson.build alone. The corpus grows in
# BUILD/tests/fuzz/libfuzzer-TARGET/corpus; crashes are left there too,
# with the command that replays them.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD:-build-fuzz}
./scripts/build.sh "$build" fuzz >/dev/null
tests=""
[ $# -gt 0 ] || set -- config wire scenario ctl
for t in "$@"; do tests="$tests libfuzzer-$t"; done
export FUZZ_SECONDS="$secs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
# one at a time, and meson's timeout scaled to the longer run
mult=$(( (secs + 120) / 140 + 1 ))
# shellcheck disable=SC2086
exec meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 1 \
	--timeout-multiplier "$mult" $tests
