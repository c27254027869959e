#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# `make bench`: the quick benchmark set (well under 10 minutes on the 2-vCPU
# machines), each part's table in OUT (default bench-results/<UTC time>):
#   micro.md     google-benchmark: quorum, wire, shm, membership (5 repetitions, short)
#   vq-latency.md  libvotequorum.so.8: getinfo and publish -> callback
#   sim.md       simulated crash -> last survivor's quorum notification vs N
#   vnodes.md    16 virtual nodes on one thread: crash -> quorum event
#   vnodes-scale.md  the same for N = 8 ... 128 (intervals growing with N), plot
#   failover.md  (root only) 5 tallyd in network namespaces: crash -> callback
# The full runs behind docs/benchmarks.md take longer; their commands are there.
#   bench-quick.sh [BUILD [OUT]]
set -eu
build=$(realpath "${1:-build}")
cd "$(dirname "$0")/.."
out=${2:-bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(realpath "$out")
log() { printf '== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

{
	echo "# Quick benchmark set, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "$(uname -r), $(nproc) CPUs; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	vmstat 1 3 | tail -1 | awk '{ print "CPU steal over 2 s: " $17 " %" }'
} >"$out/machine.md"

log micro
: >"$out/micro.md"
for b in quorum wire shm membership; do
	if [ -x "$build/bench/bench-$b" ]; then
		echo "## bench-$b" >>"$out/micro.md"
		python3 bench/micro-report.py "$build/bench/bench-$b" 5 \
			--benchmark_min_time=0.05 >>"$out/micro.md"
		echo >>"$out/micro.md"
	fi
done

log vq-latency
[ -x "$build/bench/vq-latency" ] && "$build/bench/vq-latency" 2000 >"$out/vq-latency.md"

log sim
python3 bench/sim-failover.py "$build/tools/sim/tally-sim" 16 64 >"$out/sim.md"

log vnodes
if [ -x "$build/bench/tally-vnodes" ]; then
	"$build/bench/tally-vnodes" -n 16 -t 10 --trial-timeout 60 >"$out/vnodes.md" 2>&1 ||
		echo "(tally-vnodes exited $?)" >>"$out/vnodes.md"
fi

log vnodes-scale
if [ -x "$build/bench/tally-vnodes" ]; then
	python3 bench/vnodes-scale.py --trials 5 --out "$out/vnodes-scale" \
		"$build/bench/tally-vnodes" 8 16 32 64 128 >"$out/vnodes-scale.md" 2>&1 ||
		echo "(vnodes-scale exited $?)" >>"$out/vnodes-scale.md"
fi

if [ "$(id -u)" -eq 0 ]; then
	log failover
	PATH="$build/engine/daemon:$build/tools/watch:$build/tools/stat:$build/tools/keygen:$PATH" \
	LD_LIBRARY_PATH="$build/api${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
		bench/tally-bench failover --nodes 5 --trials 10 --out "$out/failover" \
		>"$out/failover.md"
else
	echo "(not root: the real-cluster failover run is left out)" >"$out/failover.md"
fi

log done
for f in machine micro vq-latency sim vnodes vnodes-scale failover; do
	[ -f "$out/$f.md" ] && { echo; echo "### $f"; cat "$out/$f.md"; }
done
echo
echo "results in $out"
