#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Simulated failover latency of the membership protocol as a function of N.

For each N: start an N-node cluster in tally-sim (virtual time, default
engine timing), crash one node, and read from the narration the virtual time
from the crash to the first and to the last survivor's quorum notification.
Deterministic: the same command gives the same table on every machine.

    bench/sim-failover.py build/tools/sim/tally-sim 16 64 256 1024
"""
import re
import subprocess
import sys
import tempfile

STAMP = re.compile(r"^\[\s*(\d+)\.(\d+)s\] (.*)$")


def run(sim, n, victim):
    scn = f"scenario F{n} crash one of {n}\ncluster {n}\nstart 1-{n}\n"
    scn = scn.replace(f"start 1-{n}", "start " + ",".join(str(i) for i in range(1, n + 1)))
    scn += f"kill {victim}\nexpect 1 quorate=1\n"
    with tempfile.NamedTemporaryFile("w", suffix=".scn") as f:
        f.write(scn)
        f.flush()
        out = subprocess.run([sim, "--narrate", f.name], capture_output=True, text=True,
                             check=False).stdout
    killed = None
    first = last = None
    count = 0
    for line in out.splitlines():
        m = STAMP.match(line)
        if not m:
            continue
        t = int(m.group(1)) * 1_000_000 + int(m.group(2))
        text = m.group(3)
        if text == f"node {victim}: killed":
            killed = t
        elif killed is not None and text.endswith("callback quorum(1)"):
            count += 1
            first = t if first is None else first
            last = t
    if killed is None or last is None:
        sys.exit(f"N={n}: no crash or no quorum notification in the narration")
    return first - killed, last - killed, count


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sim = sys.argv[1]
    print("| N | crash -> first survivor's quorum callback (µs) | -> last survivor's (µs) | survivors notified |")
    print("|---:|---:|---:|---:|")
    for n in map(int, sys.argv[2:]):
        first, last, count = run(sim, n, n // 2 + 1)
        print(f"| {n} | {first} | {last} | {count} |")


if __name__ == "__main__":
    main()
