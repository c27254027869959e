#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The same votequorum programs (vq-compat, built against corosync's header and
# library) against two 3-node clusters made by tally-cluster: one of tallyd with
# our libvotequorum.so.8 through LD_LIBRARY_PATH, one of real corosync 3.1.7
# with the system library. Their normalised transcripts must be identical:
#   api      (node 1) T98-T102, T105, every call's errors, tracking modes
#   track    (node 1) a tracker sees node 3 crash (SIGKILL), restart, stop
#            (SIGTERM) and start, then node 1 cut off from 2 and 3 and healed,
#   victim   (node 3) with T104/T103 on the crashed node
#   qdevice  (node 1) corosync-qdevice's call sequence, a peer on node 2, and a
#            membership change that waits for the device's poll
# corosync runs with totem token 300 ms (see docs/design/libvotequorum-lab.md).
# Needs root and the corosync package: else 77 (SKIP).
#   compat-vs-corosync.sh TALLY_CLUSTER TALLYD TALLY_KEYGEN VQ_COMPAT LIBVOTEQUORUM
#   compat-vs-corosync.sh --step ACTION...     (vq-compat's VQ_COMPAT_STEP hook)
set -u

if [ "${1:-}" = --step ]; then
	# Runs inside node 1's namespace, with the client's environment.
	shift
	case $1 in
	kill)
		# node 3's victim must be in its blocking dispatch first (30 s: a loaded machine)
		for _ in $(seq 600); do
			grep -qx ready "$COMPAT_VICTIM" 2>/dev/null && break
			sleep 0.05
		done
		sleep 0.2
		exec "$COMPAT_TC" kill "$2"
		;;
	stop | partition | heal)
		exec "$COMPAT_TC" "$@"
		;;
	start)
		for _ in $(seq 600); do
			grep -qx end "$COMPAT_VICTIM" 2>/dev/null && break
			sleep 0.05
		done
		exec "$COMPAT_TC" start "$2"
		;;
	peer)
		exec "$COMPAT_TC" exec 2 "$COMPAT_VQ" qpeer
		;;
	esac
	echo "compat-vs-corosync: unknown step '$*'" >&2
	exit 2
fi

if [ "$(id -u)" -ne 0 ] || ! command -v corosync >/dev/null || ! command -v nft >/dev/null ||
	! command -v unshare >/dev/null; then
	echo "SKIP: needs root, nft, unshare and the corosync package"
	exit 77
fi
tc=$(realpath "$1") tallyd=$(realpath "$2") keygen=$(realpath "$3") vq=$(realpath "$4")
ourlib=$(dirname "$(realpath "$5")")
syslib=$(ldconfig -p | sed -n 's/^\s*libvotequorum.so.8 (libc6,x86-64) => //p' | head -1)
[ -n "$syslib" ] || { echo "SKIP: no system libvotequorum.so.8"; exit 77; }

top=$(mktemp -d /tmp/compat-vs-corosync.XXXXXX)
export TALLY_CLUSTER_OWNER=$$	# clusters die with this script, however it dies
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	for k in tally corosync; do
		[ -f "$top/$k/run/state.json" ] && TALLY_CLUSTER_DIR=$top/$k/run "$tc" down
	done
	if [ -n "${COMPAT_KEEP:-}" ]; then echo "kept $top"; else rm -rf "$top"; fi
}
trap cleanup EXIT
trap "exit 1" INT TERM
# meson's timeout (300 s) ends in SIGKILL, which would leave both clusters
# running: give up earlier, through the trap that takes them down
limit=${COMPAT_LIMIT:-240}
(
	trap 'kill $nap 2>/dev/null; exit' TERM
	sleep "$limit" &
	nap=$!
	wait $nap
	echo "FAIL: not done after $limit s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	kill -TERM $$
) &
self=$(realpath "$0")
export COMPAT_TC=$tc COMPAT_VQ=$vq VQ_COMPAT_STEP="$self --step"
export TALLY_KEYGEN=$keygen TALLY_DAEMON="$tallyd -f -c CONF" TALLY_CLUSTER_TOTEM="token: 300"
# meson points LD_LIBRARY_PATH at the build tree: each run sets its own
unset LD_LIBRARY_PATH

# run KIND LIBDIR [--corosync]: every scenario's transcript into $top/KIND/
run() {
	local kind=$1 libdir=$2 out=$top/$1 i got
	shift 2
	mkdir -p "$out"
	export TALLY_CLUSTER_DIR=$out/run COMPAT_VICTIM=$out/victim
	got=$(LD_LIBRARY_PATH=$libdir ldd "$vq" | sed -n 's/^\s*libvotequorum.so.8 => \(\S*\).*/\1/p')
	if [ "$(realpath "$got")" != "$(realpath "$libdir/libvotequorum.so.8")" ]; then
		echo "FAIL $kind: vq-compat would load '$got', not $libdir's library"
		return 1
	fi
	t0=$(date +%s%N)
	"$tc" up 3 "$@" >/dev/null || { echo "FAIL $kind: up"; return 1; }
	vq() { "$tc" exec "$1" env LD_LIBRARY_PATH="$libdir" "$vq" "${@:2}"; }
	# every node sees the 3 members and then a second without a change
	settle() {
		local pids=() i
		for i in 1 2 3; do
			vq "$i" settle 3 >"$out/settle$i" 2>&1 &
			pids+=($!)
		done
		for i in 1 2 3; do
			wait "${pids[$((i - 1))]}" ||
				{ echo "FAIL $kind: node $i never saw 3 members"; tail -5 "$out"/run/n*/log; return 1; }
		done
	}
	lap() { echo "$kind $1 $((($(date +%s%N) - t0) / 1000000)) ms"; }
	settle || return 1
	lap settled
	vq 1 api >"$out/api" 2>&1
	lap api
	vq 3 victim >"$out/victim" 2>&1 &
	vq 1 track >"$out/track" 2>&1
	wait $!
	lap track
	settle || return 1
	lap settled
	vq 1 qdevice >"$out/qdevice" 2>&1
	lap qdevice
	"$tc" down
}

# The two clusters do not meet (own run directories, namespaces, addresses) and
# mostly wait: run them side by side.
start=$(date +%s)
run tally "$ourlib" >"$top/tally.log" 2>&1 &
tally=$!
run corosync "$(dirname "$syslib")" --corosync >"$top/corosync.log" 2>&1 &
corosync=$!
wait "$tally"
rc=$?
wait "$corosync" || rc=1
cat "$top/tally.log" "$top/corosync.log"
[ "$rc" -eq 0 ] || exit 1
fails=0
for s in api track victim qdevice; do
	if diff -u --label "corosync/$s" --label "tally/$s" "$top/corosync/$s" "$top/tally/$s" \
		>"$top/$s.diff"; then
		echo "ok   $s: $(grep -c ' = ' "$top/tally/$s") calls, $(grep -c '^  h' "$top/tally/$s") callbacks, the same"
	else
		echo "FAIL $s: the transcripts differ"
		cat "$top/$s.diff"
		fails=$((fails + 1))
	fi
done
echo "($(($(date +%s) - start)) s)"
[ "$fails" -eq 0 ]
