#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Compare the ABI probe built on tally's headers with the one built on
# corosync's installed headers: any difference is printed and fails.
set -u
ours=$("$1") || { echo "probe on tally's headers failed"; exit 1; }
theirs=$("$2") || { echo "probe on corosync's headers failed"; exit 1; }
if [ "$ours" != "$theirs" ]; then
	echo "tally's headers differ from corosync's (< tally, > corosync):"
	diff <(printf '%s\n' "$ours") <(printf '%s\n' "$theirs")
	exit 1
fi
echo "$(printf '%s\n' "$ours" | wc -l) ABI facts identical"
