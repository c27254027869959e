#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-cluster's network part, with dp-node as the daemon: each node's
# status file says whom it heard in the last 250 ms, so every link change
# shows within a second. up 3, partition, block (one way), loss, heal,
# pause, kill/start, exec, stop, and down leaving nothing behind.
#   cluster.sh TALLY_CLUSTER DP_NODE TALLY_KEYGEN
set -u
tc=$(realpath "$1") node=$(realpath "$2") keygen=$(realpath "$3")
. "$(dirname "$0")/lib.sh"
export TALLY_KEYGEN=$keygen
export TALLY_DAEMON="$node -c CONF -i 10000 -s NODEDIR/status"

heard() { sed -n 's/^heard: *//p' "$TALLY_CLUSTER_DIR/n$1/status" 2>/dev/null; }
# expect "WHAT" "1:2 3" "2:1 3" ...: wait up to 5 s until every node hears exactly that.
expect() {
	local what=$1 want got i
	shift
	for _ in $(seq 50); do
		got=""
		for want in "$@"; do
			i=${want%%:*}
			got="$got $i:$(heard "$i")"
		done
		[ "$got" = " $*" ] && { ok "$what"; return; }
		sleep 0.1
	done
	bad "$what: want '$*', got '$got'"
}

"$tc" status 2>/dev/null && bad "status without a cluster succeeded" || ok "status without a cluster fails"
"$tc" up 0 2>/dev/null && bad "up 0 succeeded" || ok "up 0 is refused"
TALLY_DAEMON="tly-no-such-daemon -c CONF" "$tc" up 3 2>/dev/null && bad "up with a missing daemon succeeded" ||
	ok "up refuses a daemon that does not exist"
# A namespace the tool did not make, under a name it would use: refuse, touch nothing.
tag=$(printf %s "$TALLY_CLUSTER_DIR" | sha256sum | cut -c1-6)
ip netns add "tlyc-$tag-2"
"$tc" up 3 2>/dev/null && bad "up over a foreign namespace succeeded" || ok "up refuses a foreign namespace"
[ "$(ip netns list | grep -c "^tlyc-$tag-")" = 1 ] && ip netns list | grep -q "^tlyc-$tag-2" &&
	ok "the foreign namespace is untouched and nothing was made" || bad "after refusal: $(ip netns list)"
ip netns del "tlyc-$tag-2"

"$tc" up 3 >/dev/null || { bad "up 3"; cat "$TALLY_CLUSTER_DIR"/n*/log; exit 1; }
for _ in $(seq 50); do
	if grep -qs "EAL start-up failed" "$TALLY_CLUSTER_DIR"/n*/log; then
		echo "skip: DPDK cannot start"; exit 77
	fi
	ls "$TALLY_CLUSTER_DIR"/n{1,2,3}/status >/dev/null 2>&1 && break
	sleep 0.1
done
[ "$(ip netns list | grep -c "^tlyc-$tag-")" = 4 ] && ok "up 3 made 4 namespaces" || bad "namespaces: $(ip netns list)"
"$tc" up 3 2>/dev/null && bad "a second up succeeded" || ok "a second up is refused"
expect "everyone hears everyone" "1:2 3" "2:1 3" "3:1 2"
grep -q "^\s*port: net_af_packet0,iface=veth0" "$TALLY_CLUSTER_DIR/n1/corosync.conf" &&
	grep -q "ring0_addr: 02:74:6c:00:00:03" "$TALLY_CLUSTER_DIR/n1/corosync.conf" &&
	ok "config has the nodelist and the engine port" || bad "config"
"$tc" exec 2 ip -br link show veth0 | grep -q "02:74:6c:00:00:02" && ok "exec runs in the node's namespace" ||
	bad "exec"

"$tc" partition 1 2,3
expect "partition 1 | 2,3" "1:" "2:3" "3:2"
"$tc" status | grep -q "blocked: 1->2 1->3 2->1 3->1" && ok "status lists the partition" || bad "status: $("$tc" status)"
"$tc" heal
expect "heal after a partition" "1:2 3" "2:1 3" "3:1 2"
"$tc" block 1 2
expect "block 1 2 is one way" "1:2 3" "2:3" "3:1 2"
"$tc" unblock 1 2
expect "unblock 1 2" "1:2 3" "2:1 3" "3:1 2"
"$tc" loss 100
expect "loss 100" "1:" "2:" "3:"
"$tc" heal
expect "heal after loss" "1:2 3" "2:1 3" "3:1 2"

"$tc" pause 1
"$tc" status | grep -Eq "^ +1 .* paused$" && ok "status shows the paused node" || bad "pause status"
expect "a paused node falls silent" "2:3" "3:2"
"$tc" resume 1
expect "resume" "1:2 3" "2:1 3" "3:1 2"
"$tc" kill 3
"$tc" status | grep -Eq "^ +3 .* dead$" && ok "status shows the killed node" || bad "kill status"
expect "a killed node falls silent" "1:2" "2:1"
"$tc" start 3 2>/dev/null
expect "start brings it back" "1:2 3" "2:1 3" "3:1 2"
"$tc" start 3 2>/dev/null && bad "started a running node twice" || ok "start refuses a running node"
"$tc" stop 2 && grep -q "^node=2" "$TALLY_CLUSTER_DIR/n2/log" && ok "stop: SIGTERM, the daemon exits cleanly" ||
	bad "stop"

# the daemons and the owner's watcher (the owner is this script: lib.sh)
pids=$(python3 -c 'import json, sys
st = json.load(open(sys.argv[1]))
print(*[n["pid"] for n in st["nodes"].values()], st.get("watcher", {}).get("pid", ""))' \
	"$TALLY_CLUSTER_DIR/state.json")
"$tc" down
[ -z "$(ip netns list | grep "^tlyc-$tag-")" ] && ok "down removed every namespace" || bad "left: $(ip netns list)"
[ ! -e "$TALLY_CLUSTER_DIR" ] && ok "down removed the run directory" || bad "left: $(ls -R "$TALLY_CLUSTER_DIR")"
alive=""
for p in $pids; do
	[ -r "/proc/$p/stat" ] && ! grep -q ') Z' "/proc/$p/stat" && alive="$alive $p"
done
[ -z "$alive" ] && ok "down stopped every daemon and the watcher" || bad "still running:$alive"
echo "$((total - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
