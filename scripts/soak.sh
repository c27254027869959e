#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# `make soak`: tally-bench soak with the build's binaries. Defaults: 5 nodes,
# 30 minutes, stress-ng CPU load 50 % on every CPU, 1 % loss, a fault a
# minute; the report is soak/soak.md (docs/reliability.md explains it).
#   soak.sh [BUILD] [tally-bench soak options...]
set -eu
build=$(realpath "${1:-build}")
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "soak: network namespaces need root: run 'sudo make soak'" >&2
	exit 1
fi
command -v stress-ng >/dev/null || { echo "soak: needs stress-ng (apt-get install stress-ng)" >&2; exit 1; }
export PATH="$build/engine/daemon:$build/tools/watch:$build/tools/stat:$build/tools/keygen:$PATH"
export LD_LIBRARY_PATH="$build/api${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec bench/tally-bench soak --nodes 5 --out soak --narrate "$@"
