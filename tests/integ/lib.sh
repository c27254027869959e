# SPDX-License-Identifier: BSD-3-Clause
# Shared by the tally-cluster tests (sourced): root and nft or skip, a
# private run directory removed at exit with every cluster and job in it
# (and clusters owned by the script, so they go even if it is killed), and
# ok/bad counters.
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v nft >/dev/null || { echo "skip: no nft (scripts/install-deps.sh)"; exit 77; }
top=$(mktemp -d)
export TALLY_CLUSTER_DIR=$top/run
# Clusters die with this script, even when meson's timeout SIGKILLs it.
export TALLY_CLUSTER_OWNER=$$
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	[ -f "$TALLY_CLUSTER_DIR/state.json" ] && "$tc" down
	rm -rf "$top"
}
trap cleanup EXIT
trap "exit 1" INT TERM
fails=0 total=0
ok() { echo "ok   $1"; total=$((total + 1)); }
bad() { echo "FAIL $1"; fails=$((fails + 1)); total=$((total + 1)); }
