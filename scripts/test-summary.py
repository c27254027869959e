#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Print 'N passed, N failed[, N skipped]' from meson's testlog.json.

Exit status 1 when a test failed or when no test ran at all."""
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def main(path):
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
        print("0 passed, 1 failed")
        return 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
