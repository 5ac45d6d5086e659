#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that every rule id (A1 ... M3), decision number and source name cited anywhere in the
repository resolves inside it: a row of the rule table or of the decisions table in
kernel-shim/README.md, or a term that file defines (K19, K20, †L1 ...). Prints each citation
that does not resolve, with the files citing it; exits 1 if there is any.

Usage: check_ids.py SOURCE_ROOT"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
DEFINITIONS = ROOT / "kernel-shim" / "README.md"
# A rule id: one letter of the spec's sections A to M and a number, standing alone (not part
# of a word, a path, a flag or a hex number).
RULE = re.compile(r"(?<![\w.\-#])([A-M])(\d{1,2})(?![\w-])")
DECISION = re.compile(r"\b[Dd]ecisions? (\d{1,2})\b")
SUFFIXES = {".cpp", ".hpp", ".ipp", ".md", ".py", ".build", ".txt", ".sh"}


def sources():
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
        paths = [ROOT / p for p in out]
    except (OSError, subprocess.CalledProcessError):  # an unpacked tarball
        paths = [p for p in ROOT.rglob("*") if not any(part.startswith("build")
                                                       or part == "subprojects"
                                                       for part in p.relative_to(ROOT).parts)]
    for p in paths:
        # The gdbserver example speaks gdb's remote protocol, whose error and file-I/O replies
        # ("E" or "F" and a number) look like rule ids; it cites none.
        if "gdbserver" in p.relative_to(ROOT).parts[:2]:
            continue
        if p.is_file() and (p.suffix in SUFFIXES or p.name == "run"):
            yield p


def main():
    text = DEFINITIONS.read_text(encoding="utf-8")
    rules = set(re.findall(r"^\| ([A-M]\d{1,2})\b", text, re.M))
    decisions = set(re.findall(r"^\| (\d{1,2}) \|", text, re.M))
    # Terms the file defines in a sentence: "K19 ... is", "**†L1: ...".
    terms = set(re.findall(r"\*\*(K\d{2})\*\*", text)) | set(re.findall(r"†(L\d)", text))
    if not rules or not decisions:
        print(f"{DEFINITIONS}: no rule table or no decisions table found")
        return 1
    unresolved = {}
    for path in sources():
        try:
            body = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        rel = str(path.relative_to(ROOT))
        for m in RULE.finditer(body):
            rid = m.group(1) + m.group(2)
            if body[m.start() - 1:m.start()] == '"' and body[m.end():m.end() + 1] == '"':
                continue  # a quoted name alone, not a citation: termios's speed "B50"
            if rid not in rules and rid not in terms:
                unresolved.setdefault(rid, set()).add(rel)
        for m in DECISION.finditer(body):
            if m.group(1) not in decisions:
                unresolved.setdefault("decision " + m.group(1), set()).add(rel)
    for cid, files in sorted(unresolved.items()):
        print(f"{cid}: cited in {', '.join(sorted(files)[:5])}, defined nowhere in {DEFINITIONS.relative_to(ROOT)}")
    print(f"{len(rules)} rules, {len(decisions)} decisions, {len(terms)} terms defined; "
          f"{len(unresolved)} citations unresolved")
    return 1 if unresolved else 0


if __name__ == "__main__":
    sys.exit(main())
