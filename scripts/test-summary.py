#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Print 'N passed, N failed[, N skipped]' from meson's testlog.json files.

With several logs (the plain build and the sanitizer build), one line per
log first, then the total as the last line. A missing log counts as one
failure. Exit status 1 when a test failed or when no test ran at all."""
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def count(path):
    """(passed, failed, skipped) of one log; a missing log is one failure."""
    passed = failed = skipped = 0
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                result = json.loads(line).get("result")
                if result in PASSED:
                    passed += 1
                elif result in SKIPPED:
                    skipped += 1
                else:
                    failed += 1
    except OSError as e:
        print(f"no test log: {e}")
        return 0, 1, 0
    return passed, failed, skipped


def line(passed, failed, skipped):
    text = f"{passed} passed, {failed} failed"
    if skipped:
        text += f", {skipped} skipped"
    return text


def main(paths):
    total = [0, 0, 0]
    for path in paths:
        counts = count(path)
        if len(paths) > 1:
            print(f"{path}: {line(*counts)}")
        total = [t + c for t, c in zip(total, counts)]
    print(line(*total))
    return 1 if total[1] or total[0] == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: test-summary.py TESTLOG.json...", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
