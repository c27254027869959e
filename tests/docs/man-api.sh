#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Every function of <corosync/votequorum.h> has its page, and every page is
# installed: man-api.sh VOTEQUORUM_H MAN_DIR PAGE...
set -u
header=$1
mandir=$2
shift 2
fails=0 passed=0
for fn in $(sed -n 's/^cs_error_t \(votequorum_[a-z_]*\)(.*/\1/p' "$header"); do
	if printf '%s\n' "$@" | grep -q "/$fn\.3\$" && [ -f "$mandir/$fn.3" ]; then
		passed=$((passed + 1))
	else
		echo "FAIL $fn has no installed page $mandir/$fn.3"
		fails=$((fails + 1))
	fi
done
[ "$passed" -eq 16 ] || { echo "FAIL found $passed functions in $header, want 16"; fails=$((fails + 1)); }
echo "$passed passed, $fails failed"
[ "$fails" -eq 0 ]
