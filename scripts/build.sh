#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build tally in the given build directory.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Ddeveloper_mode=true
fi
meson compile -C "$build"
