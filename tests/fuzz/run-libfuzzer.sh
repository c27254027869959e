#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Fuzz each target with libFuzzer + ASan + UBSan for SECONDS (default 60).
#   tests/fuzz/run-libfuzzer.sh [SECONDS] [TARGET...]     targets: config wire scenario
# Needs clang and libclang-rt (Debian: clang-14 libclang-rt-14-dev). The seed
# corpus is copied to a scratch directory, so the tree is never modified;
# crashes are left there (crash-*) with the command to replay them.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-config wire scenario}
work=$(mktemp -d /tmp/tally-fuzz.XXXXXX)
cc=${CLANG:-clang}
flags="-g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Iinclude -Iengine/core -Itools/sim"
core="engine/core/config/cmap.c engine/core/config/parse.c engine/core/config/votequorum_cfg.c
	engine/core/quorum/quorum.c engine/core/wire/wire.c engine/core/wire/mb.c"
status=0
for t in $targets; do
	case $t in
	scenario) extra="tools/sim/scenario.c tools/sim/cluster.c tools/sim/random.c"
		  seeds="tests/scenarios ../shared/scenarios/public" ;;
	*) extra=""; seeds="tests/fuzz/corpus/$t" ;;
	esac
	mkdir -p "$work/$t/corpus"
	for s in $seeds; do [ -d "$s" ] && cp "$s"/* "$work/$t/corpus/" 2>/dev/null || true; done
	# shellcheck disable=SC2086
	$cc $flags -o "$work/$t/fuzz" "tests/fuzz/fuzz_$t.c" $core $extra $(pkg-config --cflags --libs libsodium)
	echo "== $t: fuzzing for $secs s in $work/$t"
	if ! (cd "$work/$t" && ./fuzz -max_total_time="$secs" -print_final_stats=1 corpus 2>&1 | tail -15); then
		status=1
	fi
	if ls "$work/$t"/crash-* >/dev/null 2>&1; then
		echo "!! $t crashed; replay with: $work/$t/fuzz $work/$t/crash-*"
		status=1
	fi
done
exit $status
