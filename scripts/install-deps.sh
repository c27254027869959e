#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs every Debian 12 package tally needs to build, test and benchmark.
# clang and libclang-rt-14-dev (the ASan, UBSan and libFuzzer runtimes,
# libclang_rt.fuzzer-x86_64.a among them) are for the sanitizer builds.
# Idempotent: packages already present are left alone and apt is not even
# consulted when nothing is missing.
set -eu

PACKAGES="
build-essential pkg-config meson ninja-build
libdpdk-dev liburcu-dev libqb-dev libsodium-dev libbenchmark-dev
libvotequorum-dev libcorosync-common-dev
gcovr gnuplot-nox iproute2 mandoc nftables python3 tmux
stress-ng corosync clang libclang-rt-14-dev
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# corosync is only for the side-by-side tests (tests/compat, tests/tools): its
# packaged service must neither start nor be started at boot. apt runs with a
# policy-rc.d that refuses every start (exit 101), unless the machine has one.
policy=""
case " $missing " in *" corosync "*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		trap '$SUDO rm -f "$policy"' EXIT
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
		$SUDO chmod 755 "$policy"
	fi
esac
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
case " $missing " in *" corosync "*)
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable corosync.service >/dev/null 2>&1 || true
	fi
esac
