#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""libvotequorum.so.8's dynamic interface (spec §1.1): SONAME, the 16
functions at COROSYNC_VOTEQUORUM_1.0, nothing else defined and exported,
and every symbol corosync's own library exports (when installed).

    symbols.py OUR_LIBRARY [SYSTEM_LIBRARY]
"""
import os
import re
import subprocess
import sys

FUNCTIONS = {
    "votequorum_initialize", "votequorum_finalize", "votequorum_dispatch",
    "votequorum_fd_get", "votequorum_getinfo", "votequorum_setexpected",
    "votequorum_setvotes", "votequorum_trackstart", "votequorum_trackstop",
    "votequorum_context_get", "votequorum_context_set", "votequorum_qdevice_register",
    "votequorum_qdevice_unregister", "votequorum_qdevice_update", "votequorum_qdevice_poll",
    "votequorum_qdevice_master_wins",
}
VERSION = "COROSYNC_VOTEQUORUM_1.0"


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args], check=True, capture_output=True,
                          text=True).stdout


def defined(lib):
    """{name: (type, version)} of the defined dynamic symbols."""
    out = {}
    for line in readelf("--dyn-syms", lib).splitlines():
        f = line.split()
        if len(f) < 8 or not f[0].rstrip(":").isdigit() or f[6] == "UND":
            continue
        name, _, version = f[7].partition("@")
        out[name] = (f[3], version.lstrip("@"))
    return out


def main():
    lib = sys.argv[1]
    failures = []
    soname = re.findall(r"\(SONAME\)\s+Library soname: \[(.*)\]", readelf("-d", lib))
    if soname != ["libvotequorum.so.8"]:
        failures.append(f"SONAME is {soname}, not libvotequorum.so.8")
    syms = defined(lib)
    for name in sorted(FUNCTIONS):
        if name not in syms:
            failures.append(f"{name} is not exported")
        elif syms[name] != ("FUNC", VERSION):
            failures.append(f"{name} is {syms[name]}, not a FUNC at {VERSION}")
    for name, (kind, version) in sorted(syms.items()):
        if name in FUNCTIONS:
            continue
        if name == VERSION and kind == "OBJECT":
            continue  # the version node itself (ABS)
        failures.append(f"{name} ({kind}) is exported but is not part of the API")
    if VERSION not in readelf("-V", lib):
        failures.append(f"no version definition {VERSION}")
    if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
        for name, (kind, _) in defined(sys.argv[2]).items():
            if kind == "FUNC" and name not in syms:
                failures.append(f"corosync's library exports {name}, ours does not")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(syms)} exported symbols checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
