#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Virtual-node mode as a function of N: crash -> quorum event, view changes,
CPU and frames per node, one tally-vnodes run per N.

    bench/vnodes-scale.py build/bench/tally-vnodes 8 16 32 64 128 256
    bench/vnodes-scale.py --trials 5 --out vnodes-scale VNODES 8 16 32

All N nodes run on one thread, so the heartbeat interval must grow with N
for that thread to carry N x (N - 1) heartbeats per interval (up to the
expander threshold, engine.small_view): --interval N=US,... overrides the
defaults below. Latencies are reported in microseconds and in intervals,
the figure that compares across N. Writes OUT/scale.md (the table),
OUT/scale.csv (one row per trial) and OUT/scale.png when gnuplot exists.
Exit 1 when a run failed (the table says which).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

# One thread: ~1-2.5 us of CPU per authenticated frame; keep it well below saturation.
DEFAULT_INTERVAL_US = {4: 1000, 8: 1000, 16: 1000, 32: 5000, 64: 20000, 128: 100000,
                       256: 2000000, 512: 4000000, 1024: 10000000}
MISS = 4

IDLE = re.compile(r"^idle ([\d.]+) s: (\d+) views installed")
FRAMES = re.compile(r"^authenticated frames accepted: (\d+) /s; the thread ran (\d+) % of the "
                    r"time, (\d+) % of that in rounds with frames \(([\d.]+) us of CPU per frame\)")
SETTLED = re.compile(r"^settled in ([\d.]+) ms")


def interval_for(n, overrides):
    if n in overrides:
        return overrides[n]
    known = sorted(DEFAULT_INTERVAL_US)
    for k in known:
        if n <= k:
            return DEFAULT_INTERVAL_US[k]
    return DEFAULT_INTERVAL_US[known[-1]]


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def run_one(vnodes, n, interval, trials, idle_ms, csv_path, timeout_s):
    cmd = [vnodes, "-n", str(n), "-t", str(trials), "--interval", str(interval), "--miss",
           str(MISS), "--idle", str(idle_ms), "--csv", csv_path]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
        out, rc = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), -1
    r = {"n": n, "interval": interval, "cmd": " ".join(cmd), "rc": rc,
         "wall_s": time.monotonic() - t0, "rows": []}
    for line in out.splitlines():
        if (m := SETTLED.match(line)):
            r["settled_ms"] = float(m.group(1))
        elif (m := IDLE.match(line)):
            r["idle_s"], r["idle_views"] = float(m.group(1)), int(m.group(2))
        elif (m := FRAMES.match(line)):
            r["fps"], r["ran"] = int(m.group(1)), int(m.group(2)) / 100
            r["busy"], r["us_per_frame"] = int(m.group(3)) / 100, float(m.group(4))
    if os.path.exists(csv_path):
        with open(csv_path) as f:
            head = f.readline().strip().split(",")
            for line in f:
                r["rows"].append(dict(zip(head, line.strip().split(","))))
    r["tail"] = out.strip().splitlines()[-3:]
    return r


def table(results):
    lines = [
        "| N | heartbeat × misses | formed (s) | trials | crash → quorum event, every survivor "
        "p50 / p90 / max (ms) | the same in intervals (p50) | detect p50 (intervals) | "
        "view changes per crash (want N − 1) | views while idle | frames per node per s | "
        "CPU per node (µs/s) | CPU per frame (µs) |",
        "|---:|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        rows = r["rows"]
        iv = r["interval"]
        if not rows:
            lines.append(f"| {r['n']} | {iv} µs × {MISS} | — | 0 | failed (exit {r['rc']}: "
                         f"{' / '.join(r['tail'])}) | | | | | | | |")
            continue
        seen = [float(x["seen_us"]) for x in rows]
        det = [float(x["detect_us"]) for x in rows]
        views = sorted({int(x["views"]) for x in rows})
        fpn = r.get("fps", 0) / r["n"]
        cpu_node = r.get("fps", 0) * r.get("us_per_frame", 0) / r["n"]
        lines.append(
            f"| {r['n']} | {iv / 1000:g} ms × {MISS} | {r.get('settled_ms', 0) / 1000:.1f} | "
            f"{len(rows)} | {pct(seen, 50) / 1000:.2f} / {pct(seen, 90) / 1000:.2f} / "
            f"{max(seen) / 1000:.2f} | {statistics.median(seen) / iv:.2f} | "
            f"{statistics.median(det) / iv:.2f} | {', '.join(map(str, views))} | "
            f"{r.get('idle_views', '?')} | {fpn:.0f} | {cpu_node:.0f} | "
            f"{r.get('us_per_frame', 0):.2f} |")
    return "\n".join(lines)


def plot(results, out):
    if shutil.which("gnuplot") is None:
        return None
    dat = os.path.join(out, "scale.dat")
    with open(dat, "w") as f:
        for r in results:
            if r["rows"]:
                seen = [float(x["seen_us"]) for x in r["rows"]]
                det = [float(x["detect_us"]) for x in r["rows"]]
                f.write(f"{r['n']} {statistics.median(seen) / r['interval']:.3f} "
                        f"{statistics.median(det) / r['interval']:.3f}\n")
    png = os.path.join(out, "scale.png")
    script = f"""set terminal pngcairo size 800,450
set output '{png}'
set logscale x 2
set xlabel 'nodes (one thread)'
set ylabel 'heartbeat intervals from the crash'
set yrange [0:*]
set key top left
set grid
set title 'tally-vnodes: crash -> every survivor (p50), {MISS} misses'
plot '{dat}' using 1:3 with linespoints title 'first proposal', \\
     '{dat}' using 1:2 with linespoints title 'quorum event at every survivor'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    return png if os.path.exists(png) else None


def main():
    global MISS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vnodes")
    ap.add_argument("nodes", nargs="+", type=int)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--idle", type=int, default=2000, help="idle check per N, ms")
    ap.add_argument("--interval", default="", help="N=US,... overrides")
    ap.add_argument("--out", default="vnodes-scale")
    ap.add_argument("--timeout", type=int, default=1800, help="per N, seconds")
    ap.add_argument("--miss", type=int, default=MISS, help=f"engine.miss_count (default {MISS})")
    a = ap.parse_args()
    MISS = a.miss
    overrides = {int(k): int(v) for k, v in
                 (kv.split("=") for kv in a.interval.split(",") if kv)}
    os.makedirs(a.out, exist_ok=True)
    results = []
    for n in a.nodes:
        iv = interval_for(n, overrides)
        csv_path = os.path.join(a.out, f"n{n}.csv")
        if os.path.exists(csv_path):
            os.remove(csv_path)
        print(f"N = {n}: heartbeat {iv} us x {MISS} ...", file=sys.stderr, flush=True)
        r = run_one(a.vnodes, n, iv, a.trials, a.idle, csv_path, a.timeout)
        print(f"  {len(r['rows'])} trials in {r['wall_s']:.0f} s, exit {r['rc']}", file=sys.stderr)
        results.append(r)
    with open(os.path.join(a.out, "scale.csv"), "w") as f:
        f.write("nodes,interval_us,trial,detect_us,seen_us,views\n")
        for r in results:
            for x in r["rows"]:
                f.write(f"{r['n']},{r['interval']},{x['trial']},{x['detect_us']},"
                        f"{x['seen_us']},{x['views']}\n")
    md = table(results)
    png = plot(results, a.out)
    with open(os.path.join(a.out, "scale.md"), "w") as f:
        f.write(md + "\n\nCommands:\n\n" + "\n".join("    " + r["cmd"] for r in results) + "\n")
    print(md)
    if png:
        print(f"\nplot: {png}")
    return 0 if all(r["rc"] == 0 and r["rows"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
