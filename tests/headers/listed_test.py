#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""listed.py's own test: on a made-up source tree, the precompiled-header groups it must accept
and the ones it must refuse (a header that declares something, or defines a macro, before it
includes P; one that includes P only in an #if block; a precompiled header that includes more
than P), and the unlisted header it must name.

    listed_test.py LISTED_PY
"""
import os
import subprocess
import sys
import tempfile

HEADERS = {
    # P, and the headers of the made-up groups.
    "ptrace/p.hpp": "#pragma once\n#include <vector>\nstruct P {};\n",
    "ptrace/direct.hpp": "// a comment\n#pragma once\n#include <string>\n#include <ptrace/p.hpp>\n"
                         "struct Direct { P p; };\n",
    "ptrace/through.hpp": "#pragma once\n/* a block\n   comment */\n#include <ptrace/direct.hpp>\n"
                          "struct Through {};\n",
    "ptrace/late.hpp": "#pragma once\nstruct Before;\n#include <ptrace/p.hpp>\n",
    "ptrace/macro.hpp": "#pragma once\n#define PTRACE_API_SOMETHING 1\n#include <ptrace/p.hpp>\n",
    "ptrace/conditional.hpp": "#pragma once\n#if defined(X)\n#include <ptrace/p.hpp>\n#endif\n",
    "ptrace/in_if.hpp": "#pragma once\n#if defined(X)\nvoid f();\n#endif\n"
                        "#include <ptrace/p.hpp>\n",
}
PCH_GOOD = "// precompiled\n#include <ptrace/p.hpp>\n"
PCH_TWO = "#include <ptrace/p.hpp>\n#include <ptrace/direct.hpp>\n"


def run(listed, root, args):
    p = subprocess.run([sys.executable, listed, root] + args, capture_output=True, text=True,
                       timeout=30, check=False)
    return p.returncode, p.stdout


def main():
    listed = sys.argv[1]
    failures = []

    def expect(what, code, out, want_code, want_text):
        if code != want_code or want_text not in out:
            failures.append("%s: exit %d, wanted %d and %r in:\n%s"
                            % (what, code, want_code, want_text, out))

    with tempfile.TemporaryDirectory() as root:
        for name, text in HEADERS.items():
            path = os.path.join(root, "include", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        os.makedirs(os.path.join(root, "src"))
        with open(os.path.join(root, "src", "ptrace_api.cpp"), "w", encoding="utf-8") as f:
            f.write("// no impl files here\n")
        for name, text in (("good.hpp", PCH_GOOD), ("two.hpp", PCH_TWO)):
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(text)
        everything = list(HEADERS)

        code, out = run(listed, root, everything + ["--pch", "good.hpp",
                                                    "ptrace/direct.hpp,ptrace/through.hpp"])
        expect("direct and through the includes", code, out, 0, "2 headers checked with")
        for member in ("late", "macro", "conditional", "in_if"):
            code, out = run(listed, root, everything + ["--pch", "good.hpp",
                                                        "ptrace/%s.hpp" % member])
            expect(member, code, out, 1, "FAIL ptrace/%s.hpp: its check loads" % member)
        code, out = run(listed, root, everything + ["--pch", "two.hpp", "ptrace/direct.hpp"])
        expect("two includes in the PCH", code, out, 1, "FAIL two.hpp: a precompiled header")
        code, out = run(listed, root, everything[1:])
        expect("unlisted", code, out, 1, "FAIL ptrace/p.hpp: not checked alone")
    for f in failures:
        print("FAIL " + f)
    print("%d failures" % len(failures) if failures else "listed.py: every case as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
