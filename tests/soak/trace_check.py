#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Exit accounting of a `strace -f` trace: every process and thread that appears in it must
have its end reported exactly once (`+++ exited with N +++` or `+++ killed by SIG... +++`).

Reads the output of the strace example (`[pid N] ...` lines) or of strace(1) -f -o
(`N ...` lines). Pids are reused during a long run (pid_max is 32768 on small machines), so
a pid may have several lives; each life starts with a creation (the first command, or a
clone, clone3, fork or vfork result naming it) and ends with one exit line. The checks:

  missing   a pid whose last line is not an exit line (it printed lines after its last
            exit, or never had one), or that was created (by a traced clone/fork/vfork
            result) more often than it reported an exit;
  duplicate two exit lines of one pid with none of its lines between them, when the pid
            was not created again between them (created fewer times than it reported
            exits);
  crashed   a task killed by a fault signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP,
            SIGSYS) or SIGABRT. Programs that do not crash on purpose (the soak's stressors:
            none in a 10-minute strace(1) run) crash under a tracer only if the tracer
            changed what they did. `check(..., crashes_allowed=True)` turns this off.

A thread T that execs while it is not the leader L takes over L's pid: strace(1), and the
example since commit fcdf75d, print `[pid L] +++ superseded by execve in pid T +++` and go
on with the new program under L. That line ends T (its last line) and L's old life, and
starts L's next one.

Creations that cannot produce a traced child are not counted: `clone(...CLONE_UNTRACED...)`
and `clone3({flags=...CLONE_UNTRACED...}, ...)` (Linux never attaches such a child). When
clone3's struct is printed as an address (`clone3(0x7ffd..., 88)`, older versions of the
example), its flags are unknown: such a result only counts as a creation when that pid shows
lines of its own, and those that never show up are counted apart (`clone3_unseen`).

As a script: trace_check.py [--format example|strace] TRACE; prints the figures as JSON and
the evidence of any failure, exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import re
import sys
from typing import Iterable

PREFIX = {
    "example": re.compile(r"^\[pid (\d+)\] (.*)$"),
    "strace": re.compile(r"^(\d+) +(.*)$"),
}
EXIT = re.compile(r"^\+\+\+ (exited with \d+|killed by (SIG[A-Z0-9+-]+).*) \+\+\+$")
SUPERSEDED = re.compile(r"^\+\+\+ superseded by execve in pid (\d+) \+\+\+$")
CRASH_SIGNALS = {"SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGTRAP", "SIGSYS", "SIGABRT"}
SIGNAL = re.compile(r"^--- ")
# A creation: clone/clone3/fork/vfork returning a pid.
CREATION = re.compile(r"^(clone3?|fork|vfork)\(.*\)\s+= (\d+)$")
# strace(1) splits a call that other tracees' lines interrupt: `NAME(args <unfinished ...>`
# then `<... NAME resumed>rest`. The example never does.
UNFINISHED = " <unfinished ...>"
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")


@dataclasses.dataclass
class Pid:
    lines: list[int] = dataclasses.field(default_factory=list)  # indices into Report.text
    exits: list[int] = dataclasses.field(default_factory=list)  # indices of its exit lines
    created: int = 0  # traced creations (clone/fork/vfork results, the first command)
    clone3: int = 0  # clone3 results naming it (flags unknown)
    untraced: int = 0  # CLONE_UNTRACED clone results naming it


@dataclasses.dataclass
class Report:
    text: list[str]
    pids: dict[int, Pid]
    syscall_lines: int
    signal_lines: int
    exit_lines: int
    lives: int
    clone3_unseen: int
    untraced_children: int
    missing: list[int]
    duplicate: list[int]
    crashed: list[int]
    main_pid: int | None

    @property
    def ok(self) -> bool:
        return not self.missing and not self.duplicate and not self.crashed

    def figures(self) -> dict[str, int]:
        return {
            "pids": len(self.pids),
            "lives": self.lives,
            "syscall_lines": self.syscall_lines,
            "signal_lines": self.signal_lines,
            "exits": self.exit_lines,
            "missing": len(self.missing),
            "duplicate": len(self.duplicate),
            "crashed": len(self.crashed),
            "clone3_unseen": self.clone3_unseen,
            "untraced_children": self.untraced_children,
        }

    def evidence(self, max_pids: int = 10, max_lines: int = 12) -> str:
        """The offending pids' last lines, for the failure message."""
        out: list[str] = []
        for kind, pids in (("missing exit", self.missing), ("duplicate exit", self.duplicate),
                           ("crashed", self.crashed)):
            for pid in pids[:max_pids]:
                p = self.pids[pid]
                out.append(
                    f"-- {kind}: pid {pid} ({len(p.lines)} lines, {len(p.exits)} exits, "
                    f"created {p.created} times by traced clone/fork/vfork, "
                    f"{p.clone3} clone3 results)"
                )
                out.extend("   " + self.text[i] for i in p.lines[-max_lines:])
                if not p.lines:
                    named = re.compile(rf"\)\s+= {pid}$")
                    out.extend("   " + t for t in self.text if named.search(t))
            if len(pids) > max_pids:
                out.append(f"-- ... and {len(pids) - max_pids} more pids with a {kind}")
        return "\n".join(out)


def check(lines: Iterable[str], fmt: str = "example", crashes_allowed: bool = False) -> Report:
    prefix = PREFIX[fmt]
    text: list[str] = []
    pids: dict[int, Pid] = collections.defaultdict(Pid)
    syscalls = signals = exits = 0
    main_pid: int | None = None
    unfinished: dict[int, str] = {}
    crashed: set[int] = set()
    for raw in lines:
        line = raw.rstrip("\n")
        m = prefix.match(line)
        if not m:
            continue  # stress-ng's own output, strace's "Process N attached", ...
        pid, body = int(m.group(1)), m.group(2)
        if main_pid is None:
            main_pid = pid
        index = len(text)
        text.append(line)
        p = pids[pid]
        p.lines.append(index)
        end = EXIT.match(body)
        if end:
            exits += 1
            p.exits.append(index)
            if end.group(2) in CRASH_SIGNALS and not crashes_allowed:
                crashed.add(pid)
            continue
        superseded = SUPERSEDED.match(body)
        if superseded:
            exits += 1
            p.exits.append(index)
            p.created += 1  # the execing thread goes on under this pid
            thread = pids[int(superseded.group(1))]
            if thread is not p:
                thread.lines.append(index)
                thread.exits.append(index)
            continue
        if SIGNAL.match(body):
            signals += 1
            continue
        if body.endswith(UNFINISHED):  # strace(1): the call goes on in a resumed line
            unfinished[pid] = body[: -len(UNFINISHED)]
            continue
        resumed = RESUMED.match(body)
        if resumed:
            body = unfinished.pop(pid, resumed.group(1) + "(") + resumed.group(2)
        syscalls += 1
        c = CREATION.match(body)
        if c and int(c.group(2)) > 0:
            child = pids[int(c.group(2))]
            if "CLONE_UNTRACED" in body:
                child.untraced += 1
            elif c.group(1) == "clone3" and "{flags=" not in body:
                child.clone3 += 1  # flags not shown
            else:
                child.created += 1
    if main_pid is not None:
        pids[main_pid].created += 1
    missing: list[int] = []
    duplicate: list[int] = []
    lives = 0
    clone3_unseen = 0
    untraced = 0
    for pid, p in pids.items():
        untraced += p.untraced
        if not p.lines:
            # Only named by clone results: an untraced child, or a clone3 child never seen.
            if p.created > 0:
                missing.append(pid)  # a traced child that never showed up, not even its end
                lives += p.created
            else:
                clone3_unseen += p.clone3
            continue
        lives += max(len(p.exits), p.created, 1)
        if not p.exits or p.exits[-1] != p.lines[-1] or p.created > len(p.exits):
            missing.append(pid)
            continue
        if len(p.exits) > max(p.created, 1):
            position = {index: n for n, index in enumerate(p.lines)}
            back_to_back = any(
                position[b] == position[a] + 1 for a, b in zip(p.exits, p.exits[1:])
            )
            # Back-to-back exits are two lives only if the pid was created that often
            # (a child killed before its first syscall prints nothing but its end).
            if back_to_back and len(p.exits) > p.created + p.clone3:
                duplicate.append(pid)
    return Report(
        text=text,
        pids=dict(pids),
        syscall_lines=syscalls,
        signal_lines=signals,
        exit_lines=exits,
        lives=lives,
        clone3_unseen=clone3_unseen,
        untraced_children=untraced,
        missing=sorted(missing),
        duplicate=sorted(duplicate),
        crashed=sorted(crashed),
        main_pid=main_pid,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=sorted(PREFIX), default="example")
    parser.add_argument("--crashes-allowed", action="store_true",
                        help="a task killed by SIGSEGV and the like is no failure")
    parser.add_argument("trace")
    args = parser.parse_args()
    with open(args.trace, errors="replace") as f:
        report = check(f, args.format, args.crashes_allowed)
    print(json.dumps(report.figures()))
    if not report.ok:
        print(report.evidence())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
