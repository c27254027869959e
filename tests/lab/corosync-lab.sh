#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A real corosync 3.1.7 cluster on one machine (spec Appendix D), to run the same
# programs and fault injections against corosync and tally side by side.
#
#   corosync-lab.sh up N [QUORUM-LINE...]   e.g. up 3 "two_node: 1" "wait_for_all: 0"
#   corosync-lab.sh exec I CMD...           run CMD in node I's namespace (its IPC)
#   corosync-lab.sh kill I | stop I | start I
#   corosync-lab.sh partition 1,2 3,4       nodes of later groups move to other bridges
#   corosync-lab.sh heal | status | down
#
# Each node is a network namespace tclabN (veth eth0, 10.231.0.N/24 inside the
# namespaces only) plugged into bridge br0 of namespace tclabsw; corosync runs
# with a private /run (its pid file path is fixed). Everything lives under
# $LAB_DIR (default /tmp/tally-corosync-lab); `down` removes all of it. Needs root
# and the corosync package (scripts/install-deps.sh).
set -eu
LAB=${LAB_DIR:-/tmp/tally-corosync-lab}
SW=tclabsw
NET=10.231.0

ns() { echo "tclab$1"; }
nodes() { cat "$LAB/nodes" 2>/dev/null || echo 0; }
die() { echo "corosync-lab: $*" >&2; exit 1; }

write_conf() {	# write_conf N I QUORUM-LINES...
	local n=$1 i=$2
	shift 2
	mkdir -p "$LAB/n$i/state"
	{
		printf 'totem {\n\tversion: 2\n\tcluster_name: tallylab\n\ttransport: knet\n'
		printf '\ttoken: %s\n\tcrypto_cipher: none\n\tcrypto_hash: none\n}\n' "${LAB_TOKEN:-1000}"
		printf 'nodelist {\n'
		for k in $(seq 1 "$n"); do
			printf '\tnode {\n\t\tnodeid: %d\n\t\tname: n%d\n\t\tring0_addr: %s.%d\n\t}\n' \
				"$k" "$k" "$NET" "$k"
		done
		printf '}\nquorum {\n\tprovider: corosync_votequorum\n'
		for line in "$@"; do printf '\t%s\n' "$line"; done
		printf '}\nsystem {\n\tstate_dir: %s/n%d/state\n}\n' "$LAB" "$i"
		printf 'logging {\n\tto_stderr: yes\n\tto_syslog: no\n\ttimestamp: on\n}\n'
	} >"$LAB/n$i/corosync.conf"
}

start_node() {
	local i=$1
	[ -f "$LAB/n$i/pid" ] && kill -0 "$(cat "$LAB/n$i/pid")" 2>/dev/null && return 0
	ip netns exec "$(ns "$i")" unshare -m --propagation private sh -c \
		"mount -t tmpfs tmpfs /run && mkdir -p /run/corosync && exec corosync -f -c $LAB/n$i/corosync.conf" \
		>>"$LAB/n$i/log" 2>&1 &
	echo $! >"$LAB/n$i/pid"
}

cmd_up() {
	local n=$1
	shift
	command -v corosync >/dev/null || die "corosync is not installed (scripts/install-deps.sh)"
	[ -e "$LAB/nodes" ] && die "a lab is already up in $LAB (run down first)"
	mkdir -p "$LAB"
	echo "$n" >"$LAB/nodes"
	ip netns add "$SW"
	ip netns exec "$SW" ip link set lo up
	ip netns exec "$SW" ip link add br0 type bridge
	ip netns exec "$SW" ip link set br0 up
	for i in $(seq 1 "$n"); do
		ip netns add "$(ns "$i")"
		ip netns exec "$(ns "$i")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$SW" ip link add "p$i" type veth peer name eth0 netns "$(ns "$i")"
		ip netns exec "$SW" ip link set "p$i" master br0 up
		ip netns exec "$(ns "$i")" ip link set lo up
		ip netns exec "$(ns "$i")" ip addr add "$NET.$i/24" dev eth0
		ip netns exec "$(ns "$i")" ip link set eth0 up
		write_conf "$n" "$i" "$@"
	done
	for i in $(seq 1 "$n"); do start_node "$i"; done
	echo "corosync-lab: $n nodes up in $LAB"
}

cmd_partition() {	# each argument is a group; the first stays on br0
	local g=0
	for group in "$@"; do
		if [ $g -gt 0 ]; then
			ip netns exec "$SW" ip link show "br$g" >/dev/null 2>&1 ||
				{ ip netns exec "$SW" ip link add "br$g" type bridge &&
				  ip netns exec "$SW" ip link set "br$g" up; }
		fi
		for i in ${group//,/ }; do
			ip netns exec "$SW" ip link set "p$i" master "br$g"
		done
		g=$((g + 1))
	done
}

cmd_heal() {
	for i in $(seq 1 "$(nodes)"); do ip netns exec "$SW" ip link set "p$i" master br0; done
}

cmd_down() {
	local n
	n=$(nodes)
	for i in $(seq 1 "$n"); do
		[ -f "$LAB/n$i/pid" ] && kill -9 "$(cat "$LAB/n$i/pid")" 2>/dev/null || true
	done
	sleep 0.5
	for i in $(seq 1 "$n"); do ip netns del "$(ns "$i")" 2>/dev/null || true; done
	ip netns del "$SW" 2>/dev/null || true
	rm -rf "$LAB"
	echo "corosync-lab: down"
}

cmd_status() {
	for i in $(seq 1 "$(nodes)"); do
		if [ -f "$LAB/n$i/pid" ] && kill -0 "$(cat "$LAB/n$i/pid")" 2>/dev/null; then
			echo "node $i: running (pid $(cat "$LAB/n$i/pid"))"
		else
			echo "node $i: down"
		fi
	done
}

[ $# -ge 1 ] || die "usage: up N [QUORUM-LINE...] | exec I CMD... | kill I | stop I | start I | partition G... | heal | status | down"
op=$1
shift
case $op in
up) [ $# -ge 1 ] || die "up N"; cmd_up "$@" ;;
exec) i=$1; shift; exec ip netns exec "$(ns "$i")" "$@" ;;
kill) kill -9 "$(cat "$LAB/n$1/pid")"; rm -f "$LAB/n$1/pid" ;;
stop) kill -TERM "$(cat "$LAB/n$1/pid")"; rm -f "$LAB/n$1/pid" ;;
start) start_node "$1" ;;
partition) cmd_partition "$@" ;;
heal) cmd_heal ;;
status) cmd_status ;;
down) cmd_down ;;
*) die "unknown command $op" ;;
esac
