#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tallyd's start-up contract: every bad configuration, missing key file or
# unusable port is one clear line and exit status 1; -t accepts a good file.
#   tallyd-cli.sh TALLYD TALLY_KEYGEN
set -u
tallyd=$1 kg=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fails=0 total=0
ok() { echo "ok   $1"; total=$((total + 1)); }
bad() { echo "FAIL $1"; fails=$((fails + 1)); total=$((total + 1)); }
"$kg" -k "$d/authkey" >/dev/null

conf() {	# conf FILE [extra engine lines] - a valid two-node configuration plus changes
	cat >"$1" <<EOT
totem {
	cluster_name: clitest
	keyfile: $d/authkey
}
nodelist {
	node {
		nodeid: 1
		ring0_addr: 02:00:00:00:00:01
	}
	node {
		nodeid: 2
		ring0_addr: 02:00:00:00:00:02
	}
}
quorum {
	provider: corosync_votequorum
}
engine {
	nodeid: 1
	port: net_af_packet0,iface=tly-no-such-if
	$2
}
EOT
}
# refuse WHAT "expected text" FILE: exit 1 and the text on stderr
refuse() {
	local out rc
	out=$("$tallyd" -t -c "$3" 2>&1)
	rc=$?
	[ $rc -eq 1 ] && grep -q -- "$2" <<<"$out" && ok "$1" || bad "$1: rc=$rc, said: $out"
}

conf "$d/good.conf" ""
out=$("$tallyd" -t -c "$d/good.conf" 2>&1) && grep -q "is valid" <<<"$out" &&
	ok "-t accepts a good configuration" || bad "-t on a good file: $out"
refuse "a missing file" "$d/none.conf: No such file" "$d/none.conf"
printf 'totem {\n\tcluster_name: x\n' >"$d/open.conf"
refuse "an unclosed section names the file" "open.conf" "$d/open.conf"
conf "$d/sched.conf" "sched: whenever"
refuse "a bad engine.sched" "engine.sched: 'whenever'" "$d/sched.conf"
conf "$d/idle.conf" "idle: sometimes"
refuse "a bad engine.idle" "engine.idle" "$d/idle.conf"
conf "$d/hb.conf" "heartbeat_interval: 0"
refuse "a zero heartbeat interval" "engine.heartbeat_interval" "$d/hb.conf"
conf "$d/cpus.conf" "cpus: all"
refuse "a bad engine.cpus" "engine.cpus" "$d/cpus.conf"
conf "$d/nokey.conf" ""
sed -i "s|keyfile: .*|keyfile: $d/missing-key|" "$d/nokey.conf"
refuse "a missing authkey" "missing-key.*tally-keygen" "$d/nokey.conf"
head -c 16 /dev/urandom >"$d/shortkey"
conf "$d/short.conf" ""
sed -i "s|keyfile: .*|keyfile: $d/shortkey|" "$d/short.conf"
refuse "an authkey that is too short" "16 bytes" "$d/short.conf"
conf "$d/noname.conf" ""
sed -i "/cluster_name/d" "$d/noname.conf"
refuse "no cluster name" "cluster_name" "$d/noname.conf"
conf "$d/noport.conf" ""
sed -i "/port:/d" "$d/noport.conf"
refuse "no port" "engine.port is not set" "$d/noport.conf"
conf "$d/vq.conf" ""
sed -i "s|provider: corosync_votequorum|&\n\texpected_votes: many|" "$d/vq.conf"
refuse "a bad quorum value" "expected_votes" "$d/vq.conf"
"$tallyd" -x 2>/dev/null; [ $? -eq 1 ] && ok "an unknown option is refused" || bad "unknown option"

# A port that cannot start: needs the EAL (root), then one line and exit 1.
if [ "$(id -u)" -eq 0 ]; then
	out=$(timeout 20 "$tallyd" -f -c "$d/good.conf" 2>&1)
	rc=$?
	if grep -q "EAL start-up failed" <<<"$out"; then
		ok "(skipped the port check: the EAL cannot start here)"
	else
		[ $rc -eq 1 ] && grep -q "port net_af_packet0,iface=tly-no-such-if" <<<"$out" &&
			ok "a port that cannot start: clear message, exit 1" ||
			bad "bad port: rc=$rc, said: $(tail -3 <<<"$out")"
	fi
fi
echo "$((total - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
