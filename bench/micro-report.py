#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run a google-benchmark binary with repetitions and print a markdown table of
the median and p99 (nearest rank) of the per-iteration time of every benchmark.

    bench/micro-report.py build/bench/bench-quorum [REPETITIONS [BENCHMARK-ARGS...]]

BENCHMARK-ARGS go to the binary as they are, e.g. --benchmark_min_time=0.05 for a
quick run or --benchmark_filter=Getinfo.
"""
import json
import math
import subprocess
import sys
from collections import OrderedDict


def main(binary, reps, extra):
    out = subprocess.run(
        [binary, f"--benchmark_repetitions={reps}", "--benchmark_format=json"] + extra,
        check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    runs = OrderedDict()
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        runs.setdefault(b["run_name"], []).append(b["real_time"])
        unit = b["time_unit"]
    print(f"| benchmark | median ({unit}) | p99 ({unit}) | repetitions |")
    print("|---|---:|---:|---:|")
    for name, times in runs.items():
        times.sort()
        median = times[len(times) // 2] if len(times) % 2 else \
            (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2
        p99 = times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)]
        print(f"| {name} | {median:.1f} | {p99:.1f} | {len(times)} |")
    ctx = data["context"]
    print(f"\n{ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz, "
          f"library build {ctx.get('library_build_type')}, {ctx.get('date')}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20, sys.argv[3:])
