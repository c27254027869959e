#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tally-keygen: size bounds, mode 0400, no silent overwrite, fresh randomness.
#   keygen.sh TALLY_KEYGEN
set -u
kg=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

"$kg" -k "$d/a" >/dev/null && [ "$(stat -c %s "$d/a")" = 256 ] && ok "default 256 bytes" || bad "default size"
[ "$(stat -c %a "$d/a")" = 400 ] && ok "mode 0400" || bad "mode $(stat -c %a "$d/a")"
"$kg" -k "$d/a" 2>/dev/null && bad "overwrote without -f" || ok "refuses to overwrite"
cp "$d/a" "$d/a.old"
"$kg" -k "$d/a" -f >/dev/null && ! cmp -s "$d/a" "$d/a.old" && ok "-f writes a new key" || bad "-f"
"$kg" -k "$d/b" -s 31 2>/dev/null && bad "accepted 31 bytes" || ok "refuses 31 bytes"
"$kg" -k "$d/b" -s 4097 2>/dev/null && bad "accepted 4097 bytes" || ok "refuses 4097 bytes"
"$kg" -k "$d/b" -s 12x 2>/dev/null && bad "accepted '12x'" || ok "refuses '12x'"
"$kg" -k "$d/c" -s 4096 >/dev/null && [ "$(stat -c %s "$d/c")" = 4096 ] && ok "4096 bytes" || bad "4096"
"$kg" -k "$d/nodir/x" 2>/dev/null && bad "wrote into a missing directory" || ok "missing directory is an error"
[ -z "$(ls "$d" | grep XXXXXX)" ] && [ -z "$(ls "$d" | grep '\.')" -o "$(ls "$d" | grep '\.')" = "a.old" ] &&
	ok "no temporary files left" || bad "temporary files left: $(ls "$d")"
echo "$((10 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
