#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the hand-kept lists of tests/meson.build miss nothing.

    listed.py ROOT HEADER... [--pch PCH MEMBER,MEMBER...]...

HEADER... are the headers tests/meson.build checks alone (value_headers, shim_headers,
handle_headers, sandbox_headers, debugger_headers). Fails when a header under one of the five
include roots is not among them, when one of them does not exist, or when a file of out-of-line
definitions (impl/*.ipp) is not included by src/ptrace_api.cpp, the separately compiled mode's
one source (a missing one links only while nothing calls its functions).

Each --pch names a precompiled header of the header checks (header_pch_groups: a file under
ROOT that includes one header P and nothing else) and the headers whose checks load it first.
Fails unless each of them includes P before its first declaration, outside #if blocks,
directly or through headers it includes so (its leading includes): only then is compiling P
first the same program as compiling the header alone.
"""
import os
import re
import sys

ROOTS = ["include", "kernel-shim/include", "handles/include", "sandbox/include", "debugger/include"]
INCLUDE = re.compile(r"#\s*include\s*<(ptrace/[^>]+)>")


def code_lines(path):
    """The lines of a file without comments, blank lines and leading spaces."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.DOTALL)
    for line in text.splitlines():
        line = line.split("//", 1)[0].strip()
        if line:
            yield line


def leading_includes(path):
    """The project headers a header includes outside #if blocks before anything else it says
    (a declaration or a directive other than #include, #pragma once and #if's own, in an #if
    block or not)."""
    found, depth = [], 0
    for line in code_lines(path):
        if re.match(r"#\s*if", line):
            depth += 1
        elif re.match(r"#\s*(else|elif)", line):
            pass
        elif re.match(r"#\s*endif", line):
            depth -= 1
        elif re.match(r"#\s*pragma\s+once$", line):
            pass
        elif re.match(r"#\s*include\s*<", line):
            m = INCLUDE.match(line)
            if m and depth == 0:
                found.append(m.group(1))
        else:
            break  # a declaration, or a directive such as #define, in an #if block or not
    return found


def find_header(root, name):
    for r in ROOTS:
        path = os.path.join(root, r, name)
        if os.path.isfile(path):
            return path
    return None


def includes_first(root, header, wanted, seen=None):
    """Whether `wanted` is among `header`'s leading includes, or theirs (recursively)."""
    seen = set() if seen is None else seen
    path = find_header(root, header)
    if path is None or header in seen:
        return False
    seen.add(header)
    for inc in leading_includes(path):
        if inc == wanted or includes_first(root, inc, wanted, seen):
            return True
    return False


def pch_problems(root, pch, members):
    includes = [INCLUDE.match(l) for l in code_lines(os.path.join(root, pch))]
    if len(includes) != 1 or includes[0] is None:
        return ["%s: a precompiled header must include one <ptrace/...> header and nothing else"
                % pch]
    wanted = includes[0].group(1)
    return ["%s: its check loads %s first (%s), but it does not include %s before its first "
            "declaration, outside #if blocks" % (m, wanted, pch, wanted)
            for m in members if not includes_first(root, m, wanted)]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    root, args = sys.argv[1], sys.argv[2:]
    listed, groups = set(), []
    while args:
        if args[0] == "--pch" and len(args) >= 3:
            groups.append((args[1], args[2].split(",")))
            args = args[3:]
        else:
            listed.add(args.pop(0))
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
    for pch, members in groups:
        problems += pch_problems(root, pch, members)
    for p in problems:
        print("FAIL " + p)
    if problems:
        print("%d problems" % len(problems))
        return 1
    print("%d headers, all checked alone; %d impl files, all in src/ptrace_api.cpp; %d headers "
          "checked with a precompiled header they include first"
          % (len(headers), len(impls), sum(len(m) for _, m in groups)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
