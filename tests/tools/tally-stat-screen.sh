#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-stat as people see it: a 3-node tallyd cluster (tally-cluster),
# `tally-stat -w 0.5` on node 1 in a detached 80x24 tmux session, read back
# with capture-pane. The screen lists both peers alive with an RTT and the
# view; after node 3's tallyd is SIGKILLed it marks node 3 suspected and
# dead and shows a new 2-member view on top. The same node's --json is
# checked field by field (RTT histogram against the answered probes,
# suspicion, view times) and the plain text keeps its key: value lines.
#   tally-stat-screen.sh TALLY_CLUSTER TALLYD TALLY_KEYGEN TALLY_STAT
set -u
tc=$(realpath "$1") tallyd=$(realpath "$2") keygen=$(realpath "$3") stat=$(realpath "$4")
command -v tmux >/dev/null || { echo "skip: no tmux (scripts/install-deps.sh)"; exit 77; }
. "$(dirname "$0")/../integ/lib.sh"
export TALLY_KEYGEN=$keygen TALLY_DAEMON="$tallyd -f -c CONF"
# agreement, not speed: the 40 ms window of tally-cluster (tests/integ/tallyd.sh)
export TALLY_CLUSTER_ENGINE="miss_count: 40"
# a private tmux server: its sessions see this environment, and no one else's
tmx() { tmux -L "tly-stat-$$" "$@"; }
# kill-server leaves its socket file behind
trap 'tmx kill-server 2>/dev/null; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/tly-stat-$$"; cleanup' EXIT

"$tc" up 3 >/dev/null || { bad "up 3"; cat "$TALLY_CLUSTER_DIR"/n*/log; exit 1; }
for _ in $(seq 100); do
	if grep -qs "EAL start-up failed" "$TALLY_CLUSTER_DIR"/n*/log; then
		echo "skip: DPDK cannot start"; exit 77
	fi
	[ "$("$tc" exec 1 "$stat" 2>/dev/null | sed -n 's/^members: //p')" = 3 ] && break
	sleep 0.1
done

# remain-on-exit: if tally-stat dies, its last words stay on the screen for the report
tmx new-session -d -s stat -x 80 -y 24 "$tc exec 1 $stat -w 0.5" \; \
	set-option -t stat remain-on-exit on
screen() { tmx capture-pane -p -t stat; }
# row N: the peer row of node N as "STATE P50 MARK" (MARK * or -), or nothing
row() {
	screen | awk -v n="$1" '
		$1 == "*" && $2 == n { print $3, $6, "*"; exit }
		$1 == n && $2 ~ /^[a-z]+$/ { print $2, $5, "-"; exit }'
}
# until_screen SECONDS AWK-PROGRAM [AWK-ARGS]: until the program sets f on the screen
until_screen() {
	local secs=$1 prog=$2
	shift 2
	for _ in $(seq $((10 * secs))); do
		screen | awk "$@" "$prog END { exit !f }" && return 0
		sleep 0.1
	done
	return 1
}
for _ in $(seq 100); do
	r2=$(row 2) r3=$(row 3)
	[[ ${r2% *} =~ ^alive\ [0-9.]+(us|ms)$ && ${r3% *} =~ ^alive\ [0-9.]+(us|ms)$ ]] && break
	sleep 0.1
done
[[ $r2 =~ ^alive\ [0-9.]+(us|ms)\ -$ ]] && [[ $r3 =~ ^alive\ [0-9.]+(us|ms)\ -$ ]] &&
	ok "both peers alive with an RTT ($r2 / $r3)" || bad "peer rows: '$r2' '$r3'"$'\n'"$(screen)"
screen | grep -q "3 members  quorate" && ok "the head shows the quorate 3-member view" ||
	bad "head: $(screen | head -2)"
view0=$(screen | awk '/^VIEWS/ { getline; print $2; exit }')
screen | awk '/^VIEWS/ { getline; exit !($3 == 3 && $4 == "members" && $7 == "UTC") }' &&
	ok "the newest view: ring $view0, 3 members, with its UTC time" ||
	bad "views: $(screen | sed -n '/^VIEWS/,/^$/p')"
[ "$(screen | wc -l)" -le 24 ] && ! screen | awk 'length > 80 { f = 1 } END { exit !f }' &&
	ok "it fits 80x24" || bad "size: $(screen | wc -l) lines"

# plain text and --json while all are up
plain=$("$tc" exec 1 "$stat")
echo "$plain" | grep -Eq '^peer\.2: frames=[0-9]+ .*state=alive .*rtt_p50_us=[1-9][0-9]* ' &&
	ok "plain text keeps key: value lines, peers with RTTs" || bad "plain: $plain"
"$tc" exec 1 "$stat" --json >"$top/up.json"
python3 - "$top/up.json" <<'PY' && ok "--json: node, counters, peers with RTT histograms, views, clients" || bad "json: $(cat "$top/up.json")"
import json, sys
d = json.load(open(sys.argv[1]))
n = d["node"]
assert n["nodeid"] == 1 and n["members"] == 3 and n["quorate"] is True, n
assert n["ring"]["seq"] > 0 and isinstance(n["busy_pct"], (int, float)), n
assert d["counters"]["wire_ok"] > 0 and d["counters"]["probe_pings_sent"] > 0, d["counters"]
assert [p["nodeid"] for p in d["peers"]] == [2, 3], d["peers"]
for p in d["peers"]:
    assert p["state"] == "alive" and not p["suspected"] and p["member"], p
    r = p["rtt"]
    assert r["answered"] > 0 and r["min_us"] <= r["p50_us"] <= r["max_us"], r
    assert sum(b["count"] for b in r["histogram"]) == r["answered"], r
    assert all(b["lo_us"] <= r["max_us"] and b["hi_us"] > r["min_us"] for b in r["histogram"]), r
    print(f"     node {p['nodeid']}: rtt last {r['last_us']} min {r['min_us']} "
          f"ewma {r['ewma_us']} max {r['max_us']} p50 {r['p50_us']} us, "
          f"{r['answered']}/{r['probes']} answered")
v = d["views"][0]
assert v["members"] == 3 and v["time"] > 1.7e9 and v["utc"].endswith("Z"), v
assert isinstance(d["clients"], list) and "log_head_seq" in d, d
PY

"$tc" kill 3
until_screen 15 '$1 == "*" && $2 == 3 && $3 == "dead" { f = 1 }' &&
	ok "SIGKILLed node 3 is marked and dead: $(row 3)" || bad "after kill: $(row 3)"$'\n'"$(screen)"
until_screen 15 '/^VIEWS/ { getline; if ($3 == 2 && $2 != v0) f = 1 }' -v v0="$view0" &&
	ok "a new 2-member view on top: $(screen | awk '/^VIEWS/ { getline; print $2; exit }')" ||
	bad "views after kill: $(screen | sed -n '/^VIEWS/,/^$/p')"
screen | grep -q "2 members  quorate" && ok "the head follows" || bad "head: $(screen | head -1)"
screen | awk '$1 == 2 && $2 == "alive" { f = 1 } END { exit !f }' &&
	ok "node 2 stays alive, unmarked" || bad "node 2: $(row 2)"
"$tc" exec 1 "$stat" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = {p["nodeid"]: p for p in d["peers"]}
assert p[3]["state"] == "dead" and p[3]["suspected"] and not p[3]["heard"], p[3]
assert p[3]["missed"] >= p[3]["miss_count"] and not p[3]["member"], p[3]
assert d["views"][0]["members"] == 2 and d["views"][1]["members"] == 3, d["views"]
assert d["views"][0]["time"] >= d["views"][1]["time"], d["views"]' &&
	ok "--json: node 3 dead, missed >= miss_count, views in order" ||
	bad "json after kill: $("$tc" exec 1 "$stat" --json)"

echo "$total checks, $fails failed"
[ "$fails" = 0 ]
