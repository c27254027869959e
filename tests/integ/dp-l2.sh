#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Two engines in two namespaces exchange authenticated frames over af_packet
# through engine/dp; a third one with another authkey is heard but refused
# (bad_mac), and its stray frames (unicast to a stranger, another ethertype)
# are filtered before authentication.
#   dp-l2.sh DP_NODE
set -u
node=$1
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
p=tly-dp$$
d=$(mktemp -d)
. "$(dirname "$0")/l2net.sh"
cleanup() {
	l2net_down "$p" 3
	rm -rf "$d"
}
trap cleanup EXIT

fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

l2net_up "$p" 3 || { echo "skip: cannot make namespaces"; exit 77; }

head -c 64 /dev/urandom >"$d/key"
head -c 64 /dev/urandom >"$d/other-key"
for i in 1 2 3; do
	key=$d/key
	[ "$i" = 3 ] && key=$d/other-key
	cat >"$d/n$i.conf" <<CONF
totem {
	cluster_name: dptest
	keyfile: $key
}
engine {
	nodeid: $i
	lcore: $(( (i - 1) % $(nproc) ))
	port: net_af_packet0,iface=veth0
	idle: adaptive
	idle_sleep_us: 500
}
CONF
done

for i in 1 2 3; do
	extra=""
	[ "$i" = 3 ] && extra=--stray
	timeout 30 ip netns exec "$p-$i" "$node" -c "$d/n$i.conf" -t 3 -i 10000 $extra \
		>"$d/out$i" 2>"$d/err$i" &
done
wait
for i in 1 2 3; do
	if grep -q "EAL start-up failed" "$d/err$i"; then
		echo "skip: DPDK cannot start"; cat "$d/err$i"; exit 77
	fi
done
val() { sed -n "s/^$2=//p" "$d/out$1"; }
for i in 1 2; do
	j=$((3 - i))
	[ -n "$(val $i node)" ] || { bad "node $i ran"; cat "$d/err$i"; continue; }
	[ "$(val $i heard_$j)" -ge 100 ] 2>/dev/null && ok "node $i heard node $j ($(val $i heard_$j) frames)" ||
		bad "node $i heard node $j: '$(val $i heard_$j)'"
	[ -z "$(val $i heard_3)" ] && ok "node $i accepted nothing from node 3" ||
		bad "node $i accepted $(val $i heard_3) frames of node 3"
	[ "$(val $i wire_bad_mac)" -ge 200 ] 2>/dev/null && ok "node $i dropped node 3's frames as bad_mac ($(val $i wire_bad_mac))" ||
		bad "node $i bad_mac: '$(val $i wire_bad_mac)'"
	[ "$(val $i filtered_not_for_us)" -ge 100 ] 2>/dev/null && ok "node $i filtered unicast to a stranger ($(val $i filtered_not_for_us))" ||
		bad "node $i filtered_not_for_us: '$(val $i filtered_not_for_us)'"
	[ "$(val $i filtered_other_type)" -ge 100 ] 2>/dev/null && ok "node $i filtered another ethertype ($(val $i filtered_other_type))" ||
		bad "node $i filtered_other_type: '$(val $i filtered_other_type)'"
	[ "$(val $i wire_replay)" = 0 ] && [ "$(val $i wire_other_cluster)" = 0 ] && ok "node $i saw no replay, no other cluster" ||
		bad "node $i replay=$(val $i wire_replay) other_cluster=$(val $i wire_other_cluster)"
	[ "$(val $i tx_drop)" = 0 ] && ok "node $i dropped no tx" || bad "node $i tx_drop=$(val $i tx_drop)"
	# adaptive idle: 10 ms between heartbeats leaves time to sleep.
	[ "$(val $i sleeps)" -ge 100 ] 2>/dev/null && [ "$(val $i iterations)" -gt "$(val $i sleeps)" ] &&
		ok "node $i slept when idle ($(val $i sleeps) sleeps, $(val $i iterations) iterations)" ||
		bad "node $i sleeps=$(val $i sleeps) iterations=$(val $i iterations)"
done
# Node 3 hears the others, but under its own key nothing authenticates.
[ "$(val 3 wire_bad_mac)" -ge 200 ] 2>/dev/null && [ -z "$(val 3 heard_1)" ] && ok "node 3 refused both others" ||
	bad "node 3: bad_mac=$(val 3 wire_bad_mac) heard_1=$(val 3 heard_1)"
# engine.idle: event waits in poll(2) on the port's packet socket: a frame
# must end the wait. Both ends' next tick is far away (ping's 200 ms, pong's
# 1 s; waits are capped at 100 ms), so 1200 round trips (1000 warm-up) within
# 30 s are only possible if frames end the waits (waits that ran to their
# timeout would take two minutes); the answering node must count about one
# frame-ended wait per ping, and a descriptor that is always ready (a wrong
# one, an error) would show as millions of iterations instead of a few
# thousand.
for i in 1 2; do
	sed -e 's/idle: adaptive/idle: event/' -e 's/idle_sleep_us: 500/idle_spin_us: 0/' \
		"$d/n$i.conf" >"$d/ev$i.conf"
done
timeout 40 ip netns exec "$p-2" "$node" -c "$d/ev2.conf" --pong -t 35 -i 1000000 \
	>"$d/evpong" 2>&1 &
pong=$!
sleep 0.5
if timeout 30 ip netns exec "$p-1" "$node" -c "$d/ev1.conf" -i 1000000 --ping 200 \
	--peer 02:00:00:00:00:02 >"$d/evping" 2>&1 && grep -q '^pings=200$' "$d/evping"; then
	ok "idle: event: each frame ends the wait ($(grep -E '^rtt_us_p50=' "$d/evping"))"
else
	bad "idle: event: ping-pong did not finish: $(tail -3 "$d/evping" | tr '\n' ' ')"
fi
kill -TERM "$pong" 2>/dev/null
wait "$pong" 2>/dev/null
ev() { sed -n "s/^$1=//p" "$d/evpong"; }
[ "$(ev wakes)" -ge 1000 ] 2>/dev/null && [ "$(ev iterations)" -lt 100000 ] 2>/dev/null &&
	ok "idle: event: the answering node waited for frames ($(ev wakes) waits ended by a frame, $(ev iterations) iterations)" ||
	bad "idle: event: pong wakes=$(ev wakes) iterations=$(ev iterations)"
if [ "$fails" -ne 0 ]; then
	for i in 1 2 3; do echo "--- node $i"; cat "$d/out$i" "$d/err$i"; done
fi
echo "$((19 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
