#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-sim's command-line contract (shared/scenarios/FORMAT.md): PASS/FAIL
# lines, the "N passed, N failed" summary, exit status 0 / 1 / 2, file:line
# on parse errors, and a failing scenario that does not stop the others.
#   cli.sh TALLY_SIM
set -u
sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

check() {	# check NAME EXPECTED_STATUS PATTERN FILE...
	local name=$1 want=$2 pattern=$3 out status
	shift 3
	out=$("$sim" "$@" 2>&1)
	status=$?
	if [ "$status" -ne "$want" ] || ! grep -qE -- "$pattern" <<<"$out"; then
		echo "FAIL $name: status $status (want $want), output:"
		echo "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}

cat >"$tmp/good.scn" <<'SCN'
scenario G1 three nodes
cluster 3
start 1,2,3
expect all quorate=1 quorum=2
SCN
cat >"$tmp/wrong.scn" <<'SCN'
scenario W1 a wrong expectation
cluster 3
start 1,2,3
expect 1 node_expected_votes=4
scenario W2 runs after the failure
cluster 1
start 1
expect 1 quorate=1
SCN
printf 'scenario B1 bad\ncluster 3\nstart 1,2,3\nexpect 1 quorum=two\n' >"$tmp/bad.scn"
printf 'cluster 3\n' >"$tmp/orphan.scn"
printf 'scenario C1 x\ncluster 3\ncall 1 frobnicate => OK\n' >"$tmp/badcall.scn"
printf 'scenario E1 x\ncluster 3\nexpect 1 quorate=1\nexpect\n' >"$tmp/bareexpect.scn"

check "all pass: exit 0" 0 '^1 passed, 0 failed$' "$tmp/good.scn"
check "PASS line names id and title" 0 '^PASS G1 three nodes$' "$tmp/good.scn"
check "a failure: exit 1 with line and values" 1 \
	'^FAIL W1 line 4: node 1 node_expected_votes: expected 4, got 3$' "$tmp/wrong.scn"
check "a failure does not stop the others" 1 '^PASS W2' "$tmp/wrong.scn"
check "summary counts both" 1 '^1 passed, 1 failed$' "$tmp/wrong.scn"
check "parse error: exit 2 with file:line" 2 "bad.scn:4: '?two'? is not a number" "$tmp/bad.scn"
check "no scenario header: exit 2" 2 'orphan.scn:1: command before the first' "$tmp/orphan.scn"
check "unknown call: exit 2" 2 "badcall.scn:3: unknown call 'frobnicate'" "$tmp/badcall.scn"
check "a bare expect: exit 2" 2 "bareexpect.scn:4: expect needs a check" "$tmp/bareexpect.scn"
check "a broken file stops the run before anything runs" 2 'bad.scn:4' "$tmp/good.scn" "$tmp/bad.scn"
check "missing file: exit 2" 2 'nosuch.scn' "$tmp/nosuch.scn"
check "unknown membership: exit 2" 2 "unknown membership 'paxos'" --membership=paxos "$tmp/good.scn"
check "narration shows views and callbacks" 0 'callback nodelist\(1,2,3\)' --narrate "$tmp/good.scn"

echo "$((13 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
