#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-cluster --owner: a cluster started by a shell that is then SIGKILLed
# (as meson's timeout does) is taken down by its watcher within a few
# seconds: no daemon, no namespace, no state left. A cluster whose owner
# lives stays up, and a plain down takes the watcher with it.
#   owner.sh TALLY_CLUSTER TALLYD TALLY_KEYGEN
set -u
tc=$(realpath "$1") tallyd=$(realpath "$2") keygen=$(realpath "$3")
. "$(dirname "$0")/lib.sh"
export TALLY_KEYGEN=$keygen
export TALLY_DAEMON="$tallyd -f -c CONF"
state=$TALLY_CLUSTER_DIR/state.json

# "pid ..." of the daemons and the watcher, "ns ..." of the namespaces, from the state
recorded() {
	python3 -c 'import json, sys
st = json.load(open(sys.argv[1]))
print(*[n["pid"] for n in st["nodes"].values()], st["watcher"]["pid"])
print(*st["namespaces"])' "$state"
}
# a zombie has exited: it waits for PID 1 (of a container, perhaps slow) to reap it
any_alive() {
	local p s
	for p in "$@"; do
		s=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) && [ "${s%% *}" != Z ] && return 0
	done
	return 1
}
any_ns() { for n in "$@"; do ip netns list | grep -qw "$n" && return 0; done; return 1; }
# up to `1` seconds until neither a recorded process nor namespace is left
all_gone() {
	local i
	for i in $(seq $(($1 * 10))); do
		any_alive $pids || any_ns $nss || [ -e "$state" ] || return 0
		sleep 0.1
	done
	return 1
}

# A child shell owns the cluster (exec: the sleep is the owner, then killed).
rm -f "$top/ready"
sh -c 'TALLY_CLUSTER_OWNER=$$ "$1" up 2 >"$2/up.log" 2>&1; touch "$2/ready"; exec sleep 300' \
	sh "$tc" "$top" &
owner=$!
for _ in $(seq 300); do [ -e "$top/ready" ] && break; sleep 0.1; done
if [ -e "$state" ] && { read -r pids; read -r nss; } < <(recorded); then
	ok "up with an owner records the watcher"
else
	bad "up with an owner: $(cat "$top/up.log")"
	exit 1
fi
sleep 1
any_alive $pids && [ -e "$state" ] && ok "a live owner's cluster stays up" ||
	bad "a live owner's cluster stays up"
t0=$(date +%s.%N)
kill -KILL "$owner"
wait "$owner" 2>/dev/null
if all_gone 5; then
	ok "owner SIGKILLed: daemons, watcher and namespaces gone in $(
		awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
else
	bad "owner SIGKILLed: left $(for p in $pids; do [ -d /proc/$p ] && echo -n "pid $p "; done)$(
		for n in $nss; do ip netns list | grep -qw "$n" && echo -n "ns $n "; done)"
fi

# Without an owner gone, a plain down takes the watcher too.
"$tc" up 1 >/dev/null
{ read -r pids; read -r nss; } < <(recorded)
"$tc" down
all_gone 2 && ok "down takes the watcher with it" ||
	bad "down leaves the watcher: $(for p in $pids; do
		[ -e "/proc/$p/stat" ] && echo -n "pid $p $(sed 's/.*) //; s/ .*//' "/proc/$p/stat") "; done)"

echo "$total checks, $fails failed"
[ "$fails" -eq 0 ]
