#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# votequorum_getinfo through corosync's own libvotequorum.so.8 against a real
# corosync 3.1.7 on this machine, with the same client as our row
# (vq-latency --external, built on the system header).
#
#   bench/vq-getinfo-corosync.sh BUILD [SAMPLES [BATCH]]     (root; default 2000 x 10 calls)
#
# One single-node corosync (knet on 127.0.0.1) runs in a network namespace of
# its own (its IPC names are abstract sockets, so they are per namespace)
# and a private mount namespace whose /run is a tmpfs (corosync's pid file
# path is fixed). Everything goes away on exit, also on failure.
set -eu
build=${1:?usage: vq-getinfo-corosync.sh BUILD [SAMPLES [BATCH]]}
samples=${2:-2000}
batch=${3:-10}
client=$(realpath "$build/bench/vq-latency")
syslib=$(dirname "$(ldconfig -p | awk '/libvotequorum.so.8 .*x86-64/ { print $NF; exit }')")
[ -f "$syslib/libvotequorum.so.8" ] || { echo "corosync's libvotequorum.so.8 is not installed" >&2; exit 1; }
command -v corosync >/dev/null || { echo "corosync is not installed" >&2; exit 1; }

ns=libvq-cs$$
dir=$(mktemp -d /tmp/libvq-cs.XXXXXX)
pid=
cleanup() {
	# TERM first: corosync then removes its IPC files; -9 only if it hangs
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
	[ -n "$pid" ] && wait "$pid" 2>/dev/null || true
	# corosync (exec'd, so $pid) leaves its blackbox in /dev/shm at exit
	[ -n "$pid" ] && rm -f /dev/shm/qb-corosync-"$pid"-blackbox-* || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/state"
cat >"$dir/corosync.conf" <<EOF
totem {
	version: 2
	cluster_name: libvq
	transport: knet
	crypto_cipher: none
	crypto_hash: none
}
nodelist {
	node {
		nodeid: 1
		name: n1
		ring0_addr: 127.0.0.1
	}
}
quorum {
	provider: corosync_votequorum
}
system {
	state_dir: $dir/state
}
logging {
	to_stderr: yes
	to_syslog: no
}
EOF
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" unshare -m --propagation private sh -c \
	"mount -t tmpfs tmpfs /run && mkdir -p /run/corosync && exec corosync -f -c $dir/corosync.conf" \
	>"$dir/log" 2>&1 &
pid=$!
# Ready once its votequorum service answers.
for _ in $(seq 100); do
	ip netns exec "$ns" corosync-quorumtool -s >/dev/null 2>&1 && break
	sleep 0.1
done
ip netns exec "$ns" corosync-quorumtool -s >/dev/null 2>&1 ||
	{ echo "corosync did not come up:" >&2; cat "$dir/log" >&2; exit 1; }
ip netns exec "$ns" env LD_LIBRARY_PATH="$syslib" "$client" --external --batch "$batch" "$samples"
