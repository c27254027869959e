#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Wake-up latency of engine/dp's idle policies: authenticated ping-pong
# between two namespaces over af_packet on a veth bridge (dp-node --ping/--pong).
#   bench/dp-pingpong.sh DP_NODE IDLE LCORE_PING LCORE_PONG [PINGS] [SPIN_US] [SLEEP_US]
# e.g. bench/dp-pingpong.sh build/tests/integ/dp-node adaptive 0 1 20000
# Root only; everything it makes is removed on exit.
set -eu
node=$1 idle=$2 lp=$3 lq=$4 pings=${5:-20000} spin=${6:-200} sleep_us=${7:-50}
p=tly-pp$$
d=$(mktemp -d)
. "$(dirname "$0")/../tests/integ/l2net.sh"
cleanup() {
	l2net_down "$p" 2
	rm -rf "$d"
}
trap cleanup EXIT
l2net_up "$p" 2
head -c 64 /dev/urandom >"$d/key"
for i in 1 2; do
	lc=$lp; [ "$i" = 2 ] && lc=$lq
	cat >"$d/n$i.conf" <<CONF
totem {
	cluster_name: pp
	keyfile: $d/key
}
engine {
	nodeid: $i
	lcore: $lc
	port: net_af_packet0,iface=veth0
	idle: $idle
	idle_spin_us: $spin
	idle_sleep_us: $sleep_us
}
CONF
done
timeout 120 ip netns exec "$p-2" "$node" -c "$d/n2.conf" --pong -t 100 >"$d/pong" 2>&1 &
pong=$!
sleep 0.5
timeout 110 ip netns exec "$p-1" "$node" -c "$d/n1.conf" --ping "$pings" --peer 02:00:00:00:00:02 \
	>"$d/ping" 2>&1 || { echo "ping failed:"; cat "$d/ping"; }
kill -TERM "$pong" 2>/dev/null || true
wait "$pong" || true
echo "idle=$idle lcores=$lp/$lq spin_us=$spin sleep_us=$sleep_us"
grep -E "^(pings|rtt_us_|busy_pct|sleeps|filtered_own)" "$d/ping" | tr '\n' ' '; echo
grep -E "^(busy_pct|sleeps|iterations)" "$d/pong" | sed 's/^/pong_/' | tr '\n' ' '; echo
