#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-quorumtool against one-node engines (vq-host, a test fixture): the
# layouts of -s, -l, -p, -H, -i, -o, -m byte for byte (Date masked), the
# changes made with -e and -v read back with -s, corosync's exit codes and
# messages. The expected texts are what corosync-quorumtool 3.1.7 printed
# for the same configuration (quorumtool-corosync.sh checks that live).
#   quorumtool.sh TALLY_QUORUMTOOL VQ_HOST
set -u
tool=$1
host=$2
tmp=$(mktemp -d)
hostpid=
cleanup() {
	[ -n "$hostpid" ] && kill "$hostpid" 2>/dev/null && wait "$hostpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 passed=0
export TALLY_INSTANCE=qt$$

conf() {	# conf FILE NODES QUORUM-LINES...: a nodelist n1..nN at 127.0.0.N
	local f=$1 n=$2 k
	shift 2
	{
		printf 'nodelist {\n'
		for k in $(seq 1 "$n"); do
			printf '\tnode {\n\t\tnodeid: %d\n\t\tname: n%d\n\t\tring0_addr: 127.0.0.%d\n\t}\n' \
				"$k" "$k" "$k"
		done
		printf '}\nquorum {\n'
		for k in "$@"; do printf '\t%s\n' "$k"; done
		printf '}\n'
	} >"$f"
}

start_host() {	# start_host CONF: node 1 of CONF, serving $TALLY_INSTANCE
	stop_host
	export TALLY_CONF=$1
	"$host" "$1" 1 "$TALLY_INSTANCE" >"$tmp/host.out" 2>&1 &
	hostpid=$!
	for _ in $(seq 1 100); do
		grep -q ready "$tmp/host.out" && return 0
		sleep 0.05
	done
	echo "FAIL vq-host did not start: $(cat "$tmp/host.out")"
	exit 1
}

stop_host() {
	if [ -n "$hostpid" ]; then
		kill "$hostpid" 2>/dev/null
		wait "$hostpid" 2>/dev/null
		hostpid=
	fi
}

# check NAME WANT_RC WANT_STDERR ARGS... ; the wanted stdout is on stdin.
check() {
	local name=$1 want_rc=$2 want_err=$3 rc
	shift 3
	cat >"$tmp/want"
	"$tool" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	sed -i 's/^Date:             .*/Date:             DATE/' "$tmp/out"
	if [ "$rc" -eq "$want_rc" ] && cmp -s "$tmp/want" "$tmp/out" &&
		[ "$(cat "$tmp/err")" = "$want_err" ]; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name: status $rc (want $want_rc)"
		diff "$tmp/want" "$tmp/out" | sed 's/^/    /'
		[ "$(cat "$tmp/err")" = "$want_err" ] || echo "    stderr: '$(cat "$tmp/err")' (want '$want_err')"
		fails=$((fails + 1))
	fi
}

status_head() {	# status_head NODES RING QUORATE
	printf 'Quorum information\n------------------\nDate:             DATE\n'
	printf 'Quorum provider:  corosync_votequorum\nNodes:            %s\nNode ID:          1\n' "$1"
	printf 'Ring ID:          %s\nQuorate:          %s\n\n' "$2" "$3"
}

votequorum_block() {	# votequorum_block EXPECTED HIGHEST TOTAL QUORUM-LINE FLAGS
	printf 'Votequorum information\n----------------------\n'
	printf 'Expected votes:   %s\nHighest expected: %s\nTotal votes:      %s\n' "$1" "$2" "$3"
	printf 'Quorum:           %s\nFlags:            %s\n' "$4" "$5"
}

members() {	# members HEADER ROW...
	printf '\nMembership information\n----------------------\n%s\n' "$1"
	shift
	[ "$#" -eq 0 ] || printf '%s\n' "$@"
}

plain_header="    Nodeid      Votes Name"

# A change is answered before the engine has delivered it to itself: wait
# (at most 5 s) until -s shows WANT, a line of its output.
settle() {
	for _ in $(seq 1 100); do
		"$tool" -s 2>/dev/null | grep -qxF -- "$1" && return
		sleep 0.05
	done
}

# --- options that never reach an engine ------------------------------------
check "-h prints the usage" 0 "" -h < <(sed "s|^corosync-quorumtool|$tool|" <<'EOF'
usage: 
corosync-quorumtool <options>

  options:

  -s             show quorum status
  -m             constantly monitor quorum status
  -l             list nodes
  -a             show all names or addresses for each node
  -p             when used with -s or -l, generates machine parsable output
  -v <votes>     change the number of votes for a node (*)
  -n <nodeid>    optional nodeid of node for -v
  -e <expected>  change expected votes for the cluster (*)
  -H             show nodeids in hexadecimal rather than decimal
  -i             show node IP addresses instead of the resolved name
  -o <a|n|i>     order by [a] IP address (default), [n] name, [i] nodeid
  -f             forcefully unregister a quorum device *DANGEROUS* (*)
  -h             show this help text
  -V             show version and exit

  (*) Starred items only work if votequorum is the quorum provider for corosync

EOF
)
"$tool" -h >"$tmp/usage"
check "-V" 0 "" -V <<<"corosync-quorumtool version: 3.1.7"
check "unknown option: usage, 1" 1 "$tool: invalid option -- 'x'" -x <"$tmp/usage"
check "-e needs an argument" 1 "$tool: option requires an argument -- 'e'" -e <"$tmp/usage"
check "-e 0" 1 "New expected votes value was not valid, try a positive number" -e 0 </dev/null
check "-e 2147483648" 1 "New expected votes value was not valid, try a positive number" \
	-e 2147483648 </dev/null
check "-e 1x" 1 "New expected votes value was not valid, try a positive number" -e 1x </dev/null
check "-v -1" 1 "New votes value was not valid, try a positive number or zero" -v -1 </dev/null
check "-n 0" 1 "The nodeid was not valid, try a positive number" -n 0 -v 1 </dev/null
check "-n 4294967296" 1 "The nodeid was not valid, try a positive number" \
	-n 4294967296 -v 1 </dev/null
check "-o x" 1 "Invalid ordering option. valid orders are a(address), i(node ID) or n(name)" \
	-o x </dev/null
check "-o ab" 1 "Invalid ordering option. valid orders are a(address), i(node ID) or n(name)" \
	-o ab </dev/null

# --- no engine, no configuration --------------------------------------------
conf "$tmp/alone.conf" 2 "provider: corosync_votequorum"
TALLY_CONF=$tmp/alone.conf check "no engine" 1 "Cannot initialize CMAP service" -s </dev/null
TALLY_CONF=$tmp/missing.conf check "no configuration file" 1 \
	"tally-quorumtool: $tmp/missing.conf: No such file or directory
Cannot initialize CMAP service" -s </dev/null

# --- node 1 of two, alone: not quorate until expected votes come down --------
start_host "$tmp/alone.conf"
check "-s not quorate: 2" 2 "" -s < <(status_head 1 1.4 No
	votequorum_block 2 2 1 "2 Activity blocked" ""
	members "$plain_header" "         1          1 n1 (local)")
check "no option is -s" 2 "" < <(status_head 1 1.4 No
	votequorum_block 2 2 1 "2 Activity blocked" ""
	members "$plain_header" "         1          1 n1 (local)")
check "-l" 0 "" -l < <(members "$plain_header" "         1          1 n1 (local)")
check "-p -l shows the Qdevice column" 0 "" -p -l < <(members \
	"    Nodeid      Votes    Qdevice Name" "         1          1         NR n1 (local)")
check "-H -l" 0 "" -H -l < <(members "$plain_header" "0x00000001          1 n1 (local)")
check "-i -l shows ring0_addr" 0 "" -i -l < <(members "$plain_header" \
	"         1          1 127.0.0.1 (local)")
check "-o n -l" 0 "" -o n -l < <(members "$plain_header" "         1          1 n1 (local)")
check "-f with no device" 0 "" -f </dev/null
check "-e 1" 0 "" -e 1 </dev/null
settle "Quorate:          Yes"
check "-s after -e 1: quorate, 0" 0 "" -s < <(status_head 1 1.4 Yes
	votequorum_block 1 1 1 "1  " "Quorate "
	members "$plain_header" "         1          1 n1 (local)")
check "-e 5 on a quorate node" 1 "Unable to set expected votes: CS_ERR_INVALID_PARAM" \
	-e 5 </dev/null
check "-v 3 on the local node" 0 "" -v 3 </dev/null
settle "Quorum:           2  "
check "-s after -v 3" 0 "" -s < <(status_head 1 1.4 Yes
	votequorum_block 3 3 3 "2  " "Quorate "
	members "$plain_header" "         1          3 n1 (local)")
check "-v 1 -n 1: quorum 2 would exceed 1 vote" 1 \
	"Unable to set votes 1 for nodeid: 1: CS_ERR_INVALID_PARAM" -v 1 -n 1 </dev/null
check "-v 1 -n 9: unknown node" 1 "Unable to set votes 1 for nodeid: 9: CS_ERR_NAME_NOT_FOUND" \
	-v 1 -n 9 </dev/null

# -m: the block and an empty line now, and again after each membership change
"$tool" -m >"$tmp/mon" 2>&1 &
mon=$!
for _ in $(seq 1 100); do grep -q '(local)' "$tmp/mon" && break; sleep 0.05; done
kill -USR1 "$hostpid"
for _ in $(seq 1 100); do [ "$(grep -c '(local)' "$tmp/mon")" -ge 2 ] && break; sleep 0.05; done
kill "$mon"
wait "$mon" 2>/dev/null
sed -i 's/^Date:             .*/Date:             DATE/' "$tmp/mon"
{
	for ring in 1.4 1.8; do
		status_head 1 "$ring" Yes
		votequorum_block 3 3 3 "2  " "Quorate "
		members "$plain_header" "         1          3 n1 (local)"
		echo
	done
} >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/mon"; then
	echo "ok   -m prints each view"
	passed=$((passed + 1))
else
	echo "FAIL -m"
	diff "$tmp/want" "$tmp/mon" | sed 's/^/    /'
	fails=$((fails + 1))
fi

# --- two_node: wait_for_all follows, and waits ------------------------------
conf "$tmp/two.conf" 2 "provider: corosync_votequorum" "two_node: 1"
start_host "$tmp/two.conf"
check "two_node -s" 2 "" -s < <(status_head 1 1.4 No
	votequorum_block 2 2 1 "1 Activity blocked" "2Node WaitForAll "
	members "$plain_header" "         1          1 n1 (local)")

# --- wait_for_all with three nodes, then expected votes lowered ------------
conf "$tmp/wfa.conf" 3 "provider: corosync_votequorum" "wait_for_all: 1"
start_host "$tmp/wfa.conf"
check "wait_for_all -s" 2 "" -s < <(status_head 1 1.4 No
	votequorum_block 3 3 1 "2 Activity blocked" "WaitForAll "
	members "$plain_header" "         1          1 n1 (local)")
check "wait_for_all -e 1" 0 "" -e 1 </dev/null
settle "Quorate:          Yes"
check "wait_for_all -s after -e 1" 0 "" -s < <(status_head 1 1.4 Yes
	votequorum_block 1 1 1 "1  " "Quorate WaitForAll "
	members "$plain_header" "         1          1 n1 (local)")

# --- expected_votes above the nodelist sum ----------------------------------
conf "$tmp/ev.conf" 3 "provider: corosync_votequorum" "expected_votes: 5"
start_host "$tmp/ev.conf"
check "expected_votes 5 -s -H" 2 "" -s -H < <(
	status_head 1 1.4 No | sed 's/^Node ID:          1/Node ID:          0x00000001/'
	votequorum_block 5 5 1 "3 Activity blocked" ""
	members "$plain_header" "0x00000001          1 n1 (local)")

# --- tally's L2 links: a MAC as ring0_addr, no name ------------------------
cat >"$tmp/mac.conf" <<'CONF'
nodelist {
	node {
		nodeid: 1
		ring0_addr: 02:74:6c:00:00:01
	}
}
quorum {
	provider: corosync_votequorum
}
CONF
start_host "$tmp/mac.conf"
check "a MAC ring0_addr is the name" 0 "" -l < <(members "$plain_header" \
	"         1          1 02:74:6c:00:00:01 (local)")
check "a MAC ring0_addr with -i" 0 "" -l -i < <(members "$plain_header" \
	"         1          1 02:74:6c:00:00:01 (local)")

# --- no quorum.provider: corosync's quirks ----------------------------------
conf "$tmp/none.conf" 2
sed -i '/^quorum {/,$d' "$tmp/none.conf"
start_host "$tmp/alone.conf"
export TALLY_CONF=$tmp/none.conf
check "no provider -s" 1 "Unable to start votequorum status tracking: CS_ERR_BAD_HANDLE" -s </dev/null
check "no provider -l lists nobody" 0 "" -l < <(members "    Nodeid Name")
check "no provider -e" 1 "You cannot change expected votes, corosync is not using votequorum" \
	-e 2 </dev/null
check "no provider -v" 1 "You cannot change node votes, corosync is not using votequorum" \
	-v 1 </dev/null
check "no provider -f" 1 "You cannot unregister quorum device, corosync is not using votequorum" \
	-f </dev/null

stop_host
echo "$passed passed, $fails failed"
[ "$fails" -eq 0 ]
