#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-quorumtool against the real corosync-quorumtool 3.1.7: for each
# configuration, one corosync runs in a private network namespace and one
# vq-host (test fixture) beside it with the same file; every command runs
# on both and stdout, stderr and exit status must be the same. Masked: the
# Date and Ring ID lines (clock, ring numbering) and the program name.
# Needs root and the corosync package (scripts/install-deps.sh): else 77.
#   quorumtool-corosync.sh TALLY_QUORUMTOOL VQ_HOST
set -u
if [ "$#" -eq 3 ] && [ "$1" = --inside ]; then
	inside=1
	shift
	case_file=$2
	set -- "$1" "$(cat "$case_file.host")"
fi
tool=$1
host=$2

if [ -z "${inside:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v corosync >/dev/null ||
		! command -v corosync-quorumtool >/dev/null || ! command -v unshare >/dev/null; then
		echo "SKIP: needs root, unshare and the corosync package"
		exit 77
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	fails=0 passed=0

	# run_case NAME "QUORUM LINES" NODES "COMMAND;COMMAND;..."
	run_case() {
		local name=$1 quorum=$2 nodes=$3 cmds=$4 dir=$tmp/$1 k out
		mkdir -p "$dir/state"
		{
			printf 'totem {\n\tversion: 2\n\tcluster_name: qtcmp\n\ttransport: knet\n'
			printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n}\nnodelist {\n'
			for k in $(seq 1 "$nodes"); do
				printf '\tnode {\n\t\tnodeid: %d\n\t\tname: n%d\n\t\tring0_addr: 127.0.0.%d\n\t}\n' \
					"$k" "$k" "$k"
			done
			printf '}\n'
			[ -n "$quorum" ] && printf 'quorum {\n%s\n}\n' "$quorum"
			printf 'system {\n\tstate_dir: %s\n}\n' "$dir/state"
			printf 'logging {\n\tto_stderr: yes\n\tto_syslog: no\n}\n'
		} >"$dir/corosync.conf"
		echo "$cmds" >"$dir/case"
		echo "$host" >"$dir/case.host"
		out=$(timeout 120 unshare -n -m --propagation private \
			bash "$0" --inside "$tool" "$dir/case" 2>&1)
		if [ "$?" -ne 0 ]; then
			echo "FAIL $name"
			echo "$out" | sed 's/^/    /'
			fails=$((fails + 1))
		else
			echo "$out"
			passed=$((passed + 1))
		fi
	}

	common="-s;-l;-p -l;-s -H;-s -i;-s -a;-s -o i;-s -o n;-f"
	run_case alone "	provider: corosync_votequorum" 2 \
		"$common;-m;-e 1;-s;-m;-e 5;-v 3;-s;-v 1 -n 9;-v 0;-l;-e 0;-o x;-h;-V;-x;-n 0 -v 1;-v -1"
	run_case two_node "	provider: corosync_votequorum
	two_node: 1" 2 "$common;-e 1;-s"
	run_case wait_for_all "	provider: corosync_votequorum
	wait_for_all: 1" 3 "$common;-e 1;-s;-v 2;-s"
	run_case expected "	provider: corosync_votequorum
	expected_votes: 5" 3 "-s;-e 2;-s;-e 4;-s"
	run_case lms_atb "	provider: corosync_votequorum
	last_man_standing: 1
	auto_tie_breaker: 1
	wait_for_all: 1" 4 "-s;-e 1;-s"
	run_case downscale "	provider: corosync_votequorum
	allow_downscale: 1" 3 "-s"
	run_case no_provider "" 2 "-s;-l;-m;-e 2;-v 1;-f"
	echo "$passed passed, $fails failed"
	[ "$fails" -eq 0 ]
	exit
fi

# --- inside the namespace: one corosync, one vq-host, the commands on both ---
dir=$(dirname "$case_file")
conf=$dir/corosync.conf
# meson points LD_LIBRARY_PATH at our libvotequorum.so.8: corosync and its tool
# must get their own, or corosync-quorumtool would ask vq-host.
ours_ld=${LD_LIBRARY_PATH:-}
unset LD_LIBRARY_PATH
ours() { LD_LIBRARY_PATH=$ours_ld "$tool" "$@"; }
ip link set lo up
mount -t tmpfs tmpfs /run && mkdir -p /run/corosync
corosync -f -c "$conf" >"$dir/corosync.log" 2>&1 &
cpid=$!
export TALLY_INSTANCE=qtcmp TALLY_CONF=$conf
"$host" "$conf" 1 qtcmp >"$dir/host.out" 2>&1 &
hpid=$!
# corosync leaves its blackbox (libqb's flight recorder, 8 MB) in /dev/shm at exit
trap 'kill $cpid $hpid 2>/dev/null; wait; rm -f /dev/shm/qb-corosync-$cpid-blackbox-*' EXIT
for _ in $(seq 1 100); do
	corosync-quorumtool -l >/dev/null 2>&1 && grep -q ready "$dir/host.out" && break
	sleep 0.1
done
mask() {
	sed -e 's/^Date:  .*/Date:             (masked)/' -e 's/^Ring ID:  .*/Ring ID:          (masked)/' \
		-e "s|$tool|corosync-quorumtool|g"
}
# corosync answers -e and -v before the change is delivered, so its libquorum
# view (the Quorate: line) may trail votequorum's (the Flags: line) for a
# moment: wait until the two agree before the next command reads them.
settle() {
	local out
	for _ in $(seq 1 50); do
		out=$(corosync-quorumtool -s 2>/dev/null)
		if grep -q '^Quorate: *Yes' <<<"$out"; then
			grep -q '^Flags:.* Quorate ' <<<"$out" && return
		else
			grep -q '^Flags:.* Quorate ' <<<"$out" || return
		fi
		sleep 0.1
	done
}
bad=0
IFS=';' read -r -a cmds <"$case_file"
name=$(basename "$dir")
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	if [ "$c" = "-m" ]; then
		# corosync never flushes in -m: line buffering stands in for our fflush
		want=$(timeout 2 stdbuf -oL corosync-quorumtool $c 2>&1; echo "rc=$?")
		got=$(LD_LIBRARY_PATH=$ours_ld timeout 2 "$tool" $c 2>&1; echo "rc=$?")
	else
		want=$(corosync-quorumtool $c 2>&1; echo "rc=$?")
		got=$(ours $c 2>&1; echo "rc=$?")
	fi
	want=$(mask <<<"$want")
	got=$(mask <<<"$got")
	if [ "$want" = "$got" ]; then
		echo "ok   $name: $c"
	else
		echo "FAIL $name: $c"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
		bad=1
	fi
	case $c in -e* | -v* | -f*) settle ;; esac
	sleep 0.1
done
exit $bad
