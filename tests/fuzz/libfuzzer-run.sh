#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Fuzz one libFuzzer binary for SECONDS from the seed directories, as a test.
#   libfuzzer-run.sh FUZZER SECONDS WORKDIR SEEDDIR...
# $FUZZ_SECONDS, when set, overrides SECONDS (tests/fuzz/run-libfuzzer.sh).
# The corpus grows in WORKDIR/corpus (the seeds are only read), so the tree
# is never modified and the next run starts from what this one found. A
# crash, leak, timeout or sanitizer report fails the test and leaves the
# reproducer in WORKDIR with the command that replays it.
set -u
fuzzer=$1
secs=${FUZZ_SECONDS:-$2}
work=$3
shift 3
mkdir -p "$work/corpus" || exit 1
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
# -timeout: one input taking 10 s is a hang; -rss_limit_mb: the default,
# said aloud. Output to a log: libFuzzer prints a line per new input.
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work/corpus" "$@" >"$work/log" 2>&1
rc=$?
tail -n 20 "$work/log"
found=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null)
if [ $rc -ne 0 ] || [ -n "$found" ]; then
	echo "!! $fuzzer failed (exit $rc); full log: $work/log"
	for f in $found; do
		echo "!! reproducer: $f"
		echo "!!   replay:   $fuzzer $f"
		echo "!!   keep it:  cp $f tests/fuzz/corpus/<target>/ (the replay suite runs it)"
	done
	exit 1
fi
exit 0
