#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sums the results of every leg into one line: "N passed, N failed, N skipped".

A doctest executable counts its test cases (from its "[doctest] test cases:" line); a case
that found the machine lacking what it needs says so with a message "skipped: REASON" and
returns, and is counted as skipped, not passed (doctest itself only skips cases decorated
before they run). Any other meson test counts as one. A test that failed or crashed counts as failed even when its own
summary said otherwise (a sanitizer report at exit, a timeout). Extra checks come from a file
of "PASS name" / "FAIL name" / "SKIP name (reason)" lines. Exits 1 when anything failed or nothing ran.
"""
import json
import pathlib
import re
import sys

DOCTEST = re.compile(r"\[doctest\] test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed \|\s*(\d+) skipped")
# A passing case that skipped its check at run time (see the docstring).
RUNTIME_SKIP = re.compile(r"MESSAGE: skipped: (.*)")


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    passed = failed = skipped = 0
    failures = []
    for log in sorted(out.glob("*/meson-logs/testlog.json")):
        leg = log.parent.parent.name
        for line in log.read_text().splitlines():
            test = json.loads(line)
            name = f"{leg}: {test['name']}"
            ok = test["result"] in ("OK", "EXPECTEDFAIL")
            match = DOCTEST.search(test.get("stdout") or "")
            if test["result"] == "SKIP":
                skipped += 1
            elif match:
                _, p, f, s = (int(g) for g in match.groups())
                reasons = RUNTIME_SKIP.findall(test.get("stdout") or "")
                passed += p - len(reasons)
                failed += f
                skipped += s + len(reasons)
                for reason in reasons:
                    print(f"SKIPPED: {name}: {reason}")
                if not ok and f == 0:
                    failed += 1
                if not ok:
                    failures.append(f"{name} ({test['result']})")
            elif ok:
                passed += 1
            else:
                failed += 1
                failures.append(f"{name} ({test['result']})")
    for line in pathlib.Path(sys.argv[2]).read_text().splitlines():
        status, name = line.split(" ", 1)
        if status == "PASS":
            passed += 1
        elif status == "SKIP":
            skipped += 1
            print(f"SKIPPED: {name}")
        else:
            failed += 1
            failures.append(name)
    for name in failures:
        print(f"FAILED: {name}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
