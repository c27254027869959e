# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the L2 tests and benches: PREFIX-1..N namespaces, each with veth0
# (MAC 02:00:00:00:00:0K), their peers pK on bridge br0 in namespace PREFIX-sw.
# IPv6 is off before any link exists, so the kernel sends nothing of its own.
l2net_up() {
	local p=$1 n=$2 i
	ip netns add "$p-sw" || return 1
	ip netns exec "$p-sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$p-sw" link add br0 type bridge
	ip -n "$p-sw" link set br0 up
	for i in $(seq "$n"); do
		ip netns add "$p-$i"
		ip netns exec "$p-$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip -n "$p-sw" link add "p$i" type veth peer name veth0 netns "$p-$i"
		ip -n "$p-$i" link set veth0 address "02:00:00:00:00:0$i"
		ip -n "$p-sw" link set "p$i" master br0 up
		ip -n "$p-$i" link set veth0 up
	done
}

l2net_down() {
	local p=$1 n=$2 i
	for i in $(seq "$n"); do ip netns del "$p-$i" 2>/dev/null; done
	ip netns del "$p-sw" 2>/dev/null
	return 0
}
