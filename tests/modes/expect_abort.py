#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a program that must stop itself: passes when it is killed by SIGABRT and its stderr
holds the expected text.

    expect_abort.py TEXT PROGRAM [ARGS...]
"""
import signal
import subprocess
import sys


def main() -> int:
    text, *command = sys.argv[1:]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    if run.returncode != -signal.SIGABRT:
        print(f"expect_abort: exit status {run.returncode}, not SIGABRT", file=sys.stderr)
        return 1
    if text not in run.stderr:
        print(f"expect_abort: stderr lacks {text!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
