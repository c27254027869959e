#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The main job: a real five-node tally cluster on this machine (one tallyd
# per network namespace, af_packet ports on veth pairs, a votequorum client
# next to every daemon), three crashes, and each survivor's crash -> quorum
# callback latency. Everything it makes is removed at the end.
#   demo.sh [BUILD]
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: network namespaces need root: run 'sudo make demo'" >&2
	exit 1
fi
b=$(realpath "$build")
export PATH="$b/engine/daemon:$b/tools/watch:$b/tools/stat:$b/tools/keygen:$PATH"
export LD_LIBRARY_PATH="$b/api${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bench/tally-bench failover --nodes 5 --trials 3 --narrate --detail --out "$out"
echo "(numbers from many trials, and how they were measured: docs/benchmarks.md)"
