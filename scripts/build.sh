#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build tally in the given build directory.
#   build.sh [BUILD [MODE [TARGET...]]]
# MODE "sanitize": clang with ASan+UBSan, every UBSan finding fatal.
# MODE "fuzz": the same plus libFuzzer instrumentation, building only the
# fuzz targets unless TARGETs are named. (Two builds: libFuzzer's
# comparison hooks make everything else twice as slow.)
set -eu
build=${1:-build}
mode=${2:-}
if [ $# -gt 2 ]; then shift 2; else set --; fi
cd "$(dirname "$0")/.."
sanitize="-Db_sanitize=address,undefined -Db_lundef=false
	-Dc_args=-fno-sanitize-recover=all -Dcpp_args=-fno-sanitize-recover=all
	-Dbench=disabled -Ddocs=disabled"
if [ ! -f "$build/build.ninja" ]; then
	# b_lundef=false: clang links the sanitizer runtimes into executables,
	# so libvotequorum.so has their symbols undefined.
	# shellcheck disable=SC2086
	case $mode in
	"") meson setup "$build" -Ddeveloper_mode=true ;;
	sanitize) CC=${CLANG:-clang} CXX=${CLANGXX:-clang++} \
		meson setup "$build" -Ddeveloper_mode=true $sanitize ;;
	fuzz) CC=${CLANG:-clang} CXX=${CLANGXX:-clang++} \
		meson setup "$build" -Ddeveloper_mode=true $sanitize -Dlibfuzzer=true ;;
	*) echo "build.sh: unknown mode $mode" >&2; exit 2 ;;
	esac
fi
if [ "$mode" = fuzz ] && [ $# -eq 0 ]; then
	set -- fuzzers
fi
meson compile -C "$build" "$@"
