#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the hand-kept lists of tests/meson.build miss nothing.

    listed.py ROOT HEADER...

HEADER... are the headers tests/meson.build checks alone (value_headers, shim_headers,
handle_headers, sandbox_headers, debugger_headers). Fails when a header under one of the five
include roots is not among them, when one of them does not exist, or when a file of out-of-line
definitions (impl/*.ipp) is not included by src/ptrace_api.cpp, the separately compiled mode's
one source (a missing one links only while nothing calls its functions).
"""
import os
import re
import sys

ROOTS = ["include", "kernel-shim/include", "handles/include", "sandbox/include", "debugger/include"]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    root, listed = sys.argv[1], set(sys.argv[2:])
    headers, impls = set(), set()
    for r in ROOTS:
        base = os.path.join(root, r)
        for dirpath, _, files in os.walk(base):
            for f in files:
                rel = os.path.relpath(os.path.join(dirpath, f), base)
                if f.endswith(".hpp"):
                    headers.add(rel)
                elif f.endswith(".ipp"):
                    impls.add(rel)
    with open(os.path.join(root, "src", "ptrace_api.cpp"), encoding="utf-8") as f:
        included = set(re.findall(r"^#include <([^>]+\.ipp)>", f.read(), re.MULTILINE))
    problems = ["%s: not checked alone (add it to its layer's list in tests/meson.build)" % h
                for h in sorted(headers - listed)]
    problems += ["%s: listed in tests/meson.build, but no such header" % h
                 for h in sorted(listed - headers)]
    problems += ["%s: not included by src/ptrace_api.cpp" % i for i in sorted(impls - included)]
    for p in problems:
        print("FAIL " + p)
    print("%d headers, all checked alone; %d impl files, all in src/ptrace_api.cpp"
          % (len(headers), len(impls)) if not problems else "%d problems" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
