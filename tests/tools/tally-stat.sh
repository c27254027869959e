#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-stat's client section against a one-node engine (vq-host, a test
# fixture): a library client (vq-watch, poll mode) is listed with its pid,
# uid, flags and lag; stopped while views change, its lag grows and it is
# no longer asleep; resumed, it catches up; killed, it is gone. Text and
# --json (checked with python3's json).
#   tally-stat.sh TALLY_STAT VQ_HOST VQ_WATCH
set -u
stat=$1 host=$2 watch=$3
tmp=$(mktemp -d)
hostpid= watchpid=
cleanup() {
	[ -n "$watchpid" ] && kill -CONT "$watchpid" 2>/dev/null && kill "$watchpid" 2>/dev/null
	[ -n "$hostpid" ] && kill "$hostpid" 2>/dev/null && wait "$hostpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 passed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
export TALLY_INSTANCE=st$$

printf 'totem {\n cluster_name: t\n}\nnodelist {\n node {\n  nodeid: 1\n }\n}\n' >"$tmp/conf"
printf 'quorum {\n provider: corosync_votequorum\n}\n' >>"$tmp/conf"
"$host" "$tmp/conf" 1 "$TALLY_INSTANCE" >"$tmp/host.out" 2>&1 &
hostpid=$!
for _ in $(seq 100); do grep -q ready "$tmp/host.out" && break; sleep 0.05; done
grep -q ready "$tmp/host.out" || { echo "FAIL vq-host: $(cat "$tmp/host.out")"; exit 1; }

out=$("$stat" --clients)
[ "$(echo "$out" | sed -n 's/^clients: //p')" = 0 ] && ok "no library yet (tools are not listed)" ||
	bad "clients before any library: $out"

"$watch" >"$tmp/watch.out" 2>&1 &
watchpid=$!
for _ in $(seq 100); do grep -q " quorum " "$tmp/watch.out" && break; sleep 0.05; done
# row: the client's text row "pid uid gid cursor lag resyncs flags", or nothing
row() { "$stat" --clients | awk -v p="$watchpid" '$1 == p'; }
# wait_for AWK-CONDITION: up to 10 s, on the row's fields
wait_for() {
	for _ in $(seq 100); do
		row | awk "{ exit !($1) }" && [ -n "$(row)" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_for '$7 == "tracking,fd,sleeping"' && ok "the poll() client is listed asleep: $(row)" ||
	bad "sleeping: $("$stat" --clients)"
row | awk -v u="$(id -u)" '{ exit !($2 == u && $5 == 0 && $6 == 0) }' &&
	ok "its uid, no lag, no resync" || bad "fields: $(row)"
"$stat" --clients --json | python3 -c '
import json, sys
c = [c for c in json.load(sys.stdin)["clients"] if c["pid"] == int(sys.argv[1])][0]
assert c["uid"] == int(sys.argv[2]) and c["tracking"] and c["fd"] and c["sleeping"], c
assert c["lag"] == 0 and not c["lapped"] and not c["watch"], c' "$watchpid" "$(id -u)" &&
	ok "--json says the same" || bad "json: $("$stat" --clients --json)"

kill -STOP "$watchpid"
kill -USR1 "$hostpid"
sleep 0.2
kill -USR1 "$hostpid"
wait_for '$5 == 4' && ok "stopped through two views: 4 events behind" ||
	bad "lag while stopped: $(row)"
row | awk '{ exit !($7 == "tracking,fd") }' && ok "rung, so no longer counted asleep" ||
	bad "still asleep after the ring: $(row)"
head=$("$stat" --clients | sed -n 's/^log_head_seq: //p')
row | awk -v h="$head" '{ exit !($4 == h - 4) }' && ok "cursor = head - lag" ||
	bad "cursor: $(row), head $head"

kill -CONT "$watchpid"
wait_for '$5 == 0 && $7 == "tracking,fd,sleeping"' && ok "resumed: caught up, asleep again" ||
	bad "after resume: $(row)"

kill -9 "$watchpid"
wait "$watchpid" 2>/dev/null
watchpid_dead=$watchpid
watchpid=
for _ in $(seq 100); do
	[ "$("$stat" --clients | sed -n 's/^clients: //p')" = 0 ] && break
	sleep 0.05
done
[ "$("$stat" --clients | sed -n 's/^clients: //p')" = 0 ] && ok "killed: gone from the list" ||
	bad "pid $watchpid_dead still listed: $("$stat" --clients)"

echo "$passed passed, $fails failed"
[ "$fails" = 0 ]
