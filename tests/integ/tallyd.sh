#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tallyd in a real local cluster (tally-cluster: network namespaces, veth on
# a bridge, af_packet ports), observed through unchanged votequorum clients
# (vq-watch) on every node. Every check waits until each node's latest
# nodelist and quorum callbacks say what the protocol must agree on:
#   3 nodes: start-up, crash, restart, clean stop, pause shorter and longer
#            than the detection window, one-way block, partition and heal,
#            a node with the wrong authkey, a bad reload, status counters,
#            a state_dir that cannot be written;
#   5 nodes: a 3/2 partition and heal, two simultaneous crashes.
#   hostile frames (frame-inject): garbage, truncated, bit-flipped, oversized,
#            replayed, wrong key, other cluster, unknown node, stale incarnation
#            change no view and are counted by reason.
#   tallyd.sh TALLY_CLUSTER TALLYD VQ_WATCH TALLY_KEYGEN TALLY_STAT FRAME_INJECT
set -u
tc=$(realpath "$1") tallyd=$(realpath "$2") watch=$(realpath "$3") keygen=$(realpath "$4")
stat=$(realpath "$5") inject=$(realpath "$6")
. "$(dirname "$0")/lib.sh"
export TALLY_KEYGEN=$keygen TALLY_DAEMON="$tallyd -f -c CONF"
# These checks are about agreement, not speed: tally-cluster's 40 ms detection
# window (said again here) keeps them meaningful on a VM whose vCPUs the host
# steals for milliseconds at a time (docs/benchmarks.md, "Real cluster"). The
# short pause below stays far inside it.
export TALLY_CLUSTER_ENGINE="miss_count: 40"
W=$top/watch
mkdir -p "$W"

# A vq-watch in node I's namespace, restarted until the daemon serves it.
watch_node() {
	local i=$1
	for _ in $(seq 100); do
		"$tc" exec "$i" "$watch" >"$W/$i" 2>&1 &
		for _ in $(seq 20); do
			grep -q " ready " "$W/$i" 2>/dev/null && return 0
			kill -0 $! 2>/dev/null || break
			sleep 0.05
		done
		kill $! 2>/dev/null
		sleep 0.1
	done
	bad "node $i: no votequorum service"; cat "$TALLY_CLUSTER_DIR/n$i/log"
	return 1
}
# "members/quorate" from node I's latest callbacks, e.g. "1,2,3/1"
view_of() {
	local nl q
	nl=$(grep " nodelist " "$W/$1" 2>/dev/null | tail -1 | sed 's/.*members=//')
	q=$(grep " quorum " "$W/$1" 2>/dev/null | tail -1 | sed 's/.*quorate=\([01]\).*/\1/')
	echo "$nl/$q"
}
views_seen() { grep -c " nodelist " "$W/$1" 2>/dev/null; }
# expect WHAT "1=1,2,3/1" "2=..." ...: wait up to 15 s for every node's view.
expect() {
	local what=$1 got spec
	shift
	for _ in $(seq 150); do
		got=""
		for spec in "$@"; do got="$got ${spec%%=*}=$(view_of "${spec%%=*}")"; done
		[ "$got" = " $*" ] && { ok "$what"; return 0; }
		sleep 0.1
	done
	bad "$what: want '$*', got '$got'"
	return 1
}
stat_of() { "$tc" exec "$1" "$stat" | sed -n "s/^$2: //p"; }

up() {
	"$tc" up "$1" >/dev/null || { bad "up $1"; exit 1; }
	for _ in $(seq 50); do
		if grep -qs "EAL start-up failed" "$TALLY_CLUSTER_DIR"/n*/log; then
			echo "skip: DPDK cannot start"; exit 77
		fi
		[ "$(cat "$TALLY_CLUSTER_DIR"/n*/log 2>/dev/null | grep -c ' up: ')" -ge "$1" ] && break
		sleep 0.1
	done
	for i in $(seq "$1"); do watch_node "$i" || exit 1; done
}

# ---------------------------------------------------------------- 3 nodes
up 3
expect "3 nodes agree on one quorate view" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"
for _ in $(seq 50); do
	[ "$(stat_of 1 members)" = 3 ] && [ "$(stat_of 1 quorate)" = 1 ] && break
	sleep 0.1
done
[ "$(stat_of 1 members)" = 3 ] && [ "$(stat_of 1 quorate)" = 1 ] &&
	ok "tally-stat shows the view" || bad "tally-stat: $("$tc" exec 1 "$stat")"

# A hostile peer on node 1's link: nothing it sends may change a view.
sleep 0.5
views_before="$(views_seen 1) $(views_seen 2) $(views_seen 3)"
declare -A before
counters="wire_bad_mac wire_other_cluster unknown_sender wire_stale_incarnation wire_replay wire_bad_length wire_short wire_bad_magic"
for k in $counters; do before[$k]=$(stat_of 3 "$k"); done
"$tc" exec 1 "$inject" -c "$TALLY_CLUSTER_DIR/n1/corosync.conf" -i veth0 -n 50 >"$top/inject.out" 2>&1 ||
	bad "frame-inject: $(cat "$top/inject.out")"
sleep 1
[ "$(views_seen 1) $(views_seen 2) $(views_seen 3)" = "$views_before" ] &&
	ok "hostile frames change no view" || bad "hostile frames changed a view: $(tail -2 "$W/2")"
expect "the cluster is as it was" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"
for k in $counters; do
	now=$(stat_of 3 "$k")
	[ "$now" -gt "${before[$k]}" ] && ok "node 3 counted them: $k ${before[$k]} -> $now" ||
		bad "$k did not grow (${before[$k]} -> $now; sent: $(tr '\n' ' ' <"$top/inject.out"))"
done

"$tc" kill 3
expect "crash of node 3: the others go on, quorate" "1=1,2/1" "2=1,2/1"
grep -q " error 2" "$W/3" && ok "node 3's client got CS_ERR_LIBRARY" || bad "client of the killed node: $(tail -2 "$W/3")"
"$tc" start 3 && watch_node 3
expect "restart of node 3: it rejoins with a new incarnation" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"

"$tc" stop 2
expect "clean stop of node 2" "1=1,3/1" "3=1,3/1"
grep -q "left the cluster" "$TALLY_CLUSTER_DIR/n2/log" && ok "node 2 logged its leave" || bad "leave log: $(tail -3 "$TALLY_CLUSTER_DIR/n2/log")"
"$tc" start 2 && watch_node 2
expect "node 2 back" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"

# A stall well inside the 8 ms detection window: nobody may notice.
sleep 0.5
before=$(views_seen 1)
pid3=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['nodes']['3']['pid'])" \
	"$TALLY_CLUSTER_DIR/state.json")
kill -STOP "$pid3"; kill -CONT "$pid3"
sleep 1
[ "$(views_seen 1)" = "$before" ] && ok "a pause shorter than the timeout changes no view" ||
	bad "a short pause changed the view: $(tail -3 "$W/1")"
"$tc" pause 3
expect "a pause longer than the timeout: node 3 is out" "1=1,2/1" "2=1,2/1"
"$tc" resume 3
expect "node 3 resumed: back in" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"

# One way: 2 no longer hears 1. Both directions are needed, so {1,3} and {2}.
"$tc" block 1 2
expect "one-way block 1->2 resolves to {1,3} and {2}" "1=1,3/1" "2=2/0" "3=1,3/1"
"$tc" unblock 1 2
expect "unblock" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"

"$tc" partition 1 2,3
expect "partition 1 | 2,3: only the majority is quorate" "1=1/0" "2=2,3/1" "3=2,3/1"
"$tc" heal
expect "heal" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"

# A bad configuration on SIGHUP: logged, the running one stays.
conf1=$TALLY_CLUSTER_DIR/n1/corosync.conf
cp "$conf1" "$top/good.conf"
echo "quorum { expected_votes: lots }" >>"$conf1"
pid1=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['nodes']['1']['pid'])" \
	"$TALLY_CLUSTER_DIR/state.json")
kill -HUP "$pid1"
for _ in $(seq 50); do grep -q "reload of .* failed" "$TALLY_CLUSTER_DIR/n1/log" && break; sleep 0.1; done
grep -q "reload of .* failed, keeping the running configuration" "$TALLY_CLUSTER_DIR/n1/log" &&
	kill -0 "$pid1" && ok "a bad reload is refused and logged" ||
	bad "bad reload: $(tail -3 "$TALLY_CLUSTER_DIR/n1/log")"
cp "$top/good.conf" "$conf1"
kill -HUP "$pid1"
for _ in $(seq 50); do grep -q "configuration reloaded" "$TALLY_CLUSTER_DIR/n1/log" && break; sleep 0.1; done
grep -q "configuration reloaded" "$TALLY_CLUSTER_DIR/n1/log" && ok "a good reload is applied" ||
	bad "good reload: $(tail -3 "$TALLY_CLUSTER_DIR/n1/log")"
expect "the view survives reloads" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"

# Node 3 with expected-votes tracking and a state_dir it cannot create (its
# parent is a file: ENOTDIR even for root): every save fails, is logged,
# and is not fatal; the node joins and quorum works as before.
conf3=$TALLY_CLUSTER_DIR/n3/corosync.conf
cp "$conf3" "$top/good3.conf"
"$tc" stop 3
expect "node 3 stopped" "1=1,2/1" "2=1,2/1"
: >"$top/notadir"
printf 'quorum {\n\texpected_votes_tracking: 1\n}\nengine {\n\tstate_dir: %s\n}\n' \
	"$top/notadir/state" >>"$conf3"
"$tc" start 3 && watch_node 3
expect "node 3 joins though it cannot save its state" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"
for _ in $(seq 50); do grep -q "cannot save expected votes" "$TALLY_CLUSTER_DIR/n3/log" && break; sleep 0.1; done
grep -Eq "cannot save expected votes [0-9]+ to $top/notadir/state/ev_tracking: Not a directory" \
	"$TALLY_CLUSTER_DIR/n3/log" && ok "the failed save is logged" ||
	bad "no log line for the failed save: $(tail -3 "$TALLY_CLUSTER_DIR/n3/log")"
"$tc" kill 2
expect "quorum still works on node 3: a crash, 2 of 3 stay quorate" "1=1,3/1" "3=1,3/1"
"$tc" start 2 && watch_node 2
expect "node 2 back beside it" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"
cp "$top/good3.conf" "$conf3"

# Node 3 restarts with another authkey: its frames fail the MAC and it stays alone.
"$tc" stop 3
expect "node 3 stopped" "1=1,2/1" "2=1,2/1"
"$keygen" -k "$top/otherkey" >/dev/null
sed -i "s|keyfile: .*|keyfile: $top/otherkey|" "$conf3"
"$tc" start 3 && watch_node 3
expect "a node with the wrong key cannot join" "1=1,2/1" "2=1,2/1" "3=3/0"
sleep 0.2
[ "$(stat_of 1 wire_bad_mac)" -gt 0 ] && ok "its frames are counted as bad MACs ($(stat_of 1 wire_bad_mac))" ||
	bad "wire_bad_mac: $(stat_of 1 wire_bad_mac)"
"$tc" down >/dev/null
tag=$(printf %s "$TALLY_CLUSTER_DIR" | sha256sum | cut -c1-6)
ip netns list | grep -q "^tlyc-$tag-" && bad "namespaces left: $(ip netns list)" ||
	ok "down removes the namespaces"
jobs -p | xargs -r kill 2>/dev/null
rm -f "$W"/*

# ---------------------------------------------------------------- 5 nodes
up 5
all5=("1=1,2,3,4,5/1" "2=1,2,3,4,5/1" "3=1,2,3,4,5/1" "4=1,2,3,4,5/1" "5=1,2,3,4,5/1")
expect "5 nodes agree" "${all5[@]}"
"$tc" partition 1,2,3 4,5
expect "3/2 partition: the 3 are quorate, the 2 are not" \
	"1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1" "4=4,5/0" "5=4,5/0"
"$tc" heal
expect "heal after 3/2" "${all5[@]}"
"$tc" kill 4
"$tc" kill 5
expect "two crashes: 3 of 5 stay quorate" "1=1,2,3/1" "2=1,2,3/1" "3=1,2,3/1"
"$tc" start 4 && watch_node 4
"$tc" start 5 && watch_node 5
expect "both restarted and back" "${all5[@]}"

echo "$((total - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
