#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Simulated failover latency of the membership protocol as a function of N.

For each N: start an N-node cluster in tally-sim (virtual time, default
engine timing), crash (or cleanly stop) one node, and read from the narration
the virtual time from the fault to the first and to the last survivor's quorum
notification. Deterministic: the same command gives the same table on every
machine.

    bench/sim-failover.py build/tools/sim/tally-sim 16 64 256 1024
    bench/sim-failover.py --fault=stop --victims=first,middle,last SIM 5 16

--victims picks the failed node: first (node 1, the representative), middle
(N/2+1, the default) or last (node N); one row per N and victim.
--small-view=N passes the large-view threshold to tally-sim (views above N
members watch through K observers; the default keeps full knowledge).
--max-us=US exits 1 if any survivor's notification came later than US after
the fault, or not every survivor was notified (tests/scenarios/meson.build
runs it as a check of the detection-to-agreement bound).
"""
import argparse
import re
import subprocess
import sys
import tempfile

STAMP = re.compile(r"^\[\s*(\d+)\.(\d+)s\] (.*)$")
FAULT_NARRATION = {"kill": "killed", "stop": "leaving"}


def victim_of(n, which):
    return {"first": 1, "middle": n // 2 + 1, "last": n}[which]


def run(sim, n, victim, fault, sim_args):
    scn = f"scenario F{n} {fault} node {victim} of {n}\ncluster {n}\n"
    scn += "start " + ",".join(str(i) for i in range(1, n + 1)) + "\n"
    scn += f"{fault} {victim}\nexpect {1 if victim != 1 else 2} quorate=1\n"
    with tempfile.NamedTemporaryFile("w", suffix=".scn") as f:
        f.write(scn)
        f.flush()
        out = subprocess.run([sim, "--narrate", *sim_args, f.name], capture_output=True, text=True,
                             check=False).stdout
    faulted = None
    first = last = None
    count = 0
    for line in out.splitlines():
        m = STAMP.match(line)
        if not m:
            continue
        t = int(m.group(1)) * 1_000_000 + int(m.group(2))
        text = m.group(3)
        if text.startswith(f"node {victim}: {FAULT_NARRATION[fault]}"):
            faulted = t
        elif faulted is not None and text.endswith("callback quorum(1)"):
            count += 1
            first = t if first is None else first
            last = t
    if faulted is None or last is None:
        sys.exit(f"N={n}: no {fault} or no quorum notification in the narration")
    return first - faulted, last - faulted, count


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sim")
    ap.add_argument("sizes", nargs="+", type=int)
    ap.add_argument("--fault", choices=sorted(FAULT_NARRATION), default="kill")
    ap.add_argument("--victims", default="middle")
    ap.add_argument("--max-us", type=int, default=0)
    ap.add_argument("--small-view", type=int, default=0)
    a = ap.parse_args()
    sim_args = [f"--small-view={a.small_view}"] if a.small_view else []
    late = []
    print(f"| N | failed node ({a.fault}) | -> first survivor's quorum callback (µs) "
          "| -> last survivor's (µs) | survivors notified |")
    print("|---:|---:|---:|---:|---:|")
    for n in a.sizes:
        for which in a.victims.split(","):
            victim = victim_of(n, which)
            first, last, count = run(a.sim, n, victim, a.fault, sim_args)
            print(f"| {n} | {victim} | {first} | {last} | {count} |")
            if a.max_us and (last > a.max_us or count != n - 1):
                late.append(f"N={n} victim {victim}: last {last} µs, {count}/{n - 1} notified")
    if late:
        sys.exit(f"over the bound of {a.max_us} µs: " + "; ".join(late))


if __name__ == "__main__":
    main()
