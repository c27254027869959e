#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run every *.scn file of a directory through tally-sim.
#   run-dir.sh TALLY_SIM DIR [TALLY-SIM OPTION...]
set -u
sim=$1
dir=$2
shift 2
opts="$*"
if [ ! -d "$dir" ]; then
	echo "scenario directory $dir is missing (shared/ must sit beside the source tree)" >&2
	exit 1
fi
set -- "$dir"/*.scn
if [ ! -e "$1" ]; then
	echo "no scenario files in $dir" >&2
	exit 1
fi
# shellcheck disable=SC2086
exec "$sim" $opts "$@"
