#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of trace_check.py, the exit accounting of the soak test, on fixed traces."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import trace_check  # noqa: E402

FORK = "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, " \
       "child_tidptr=0x7f0000000a10) = {}"


def example(*lines: str) -> list[str]:
    """`(pid, text)` pairs written as "PID text" become the example's `[pid PID] text`."""
    out = []
    for line in lines:
        pid, text = line.split(" ", 1)
        out.append(f"[pid {pid}] {text}\n")
    return out


class ExampleTraces(unittest.TestCase):
    def test_every_process_and_thread_ends_once(self):
        r = trace_check.check(example(
            '10 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0',
            "10 " + FORK.format(11),
            "11 getpid() = 11",
            "10 clone3(0x7ffc00001000, 88) = 12",
            "12 gettid() = 12",
            "12 exit(0) = ?",
            "12 +++ exited with 0 +++",
            "11 exit_group(3) = ?",
            "11 +++ exited with 3 +++",
            "10 --- SIGCHLD {si_signo=SIGCHLD} ---",
            "10 exit_group(0) = ?",
            "10 +++ killed by SIGKILL +++",
        ))
        self.assertTrue(r.ok, r.evidence())
        f = r.figures()
        self.assertEqual(f["lives"], 3)
        self.assertEqual(f["exits"], 3)
        self.assertEqual(f["syscall_lines"], 8)
        self.assertEqual(f["signal_lines"], 1)
        self.assertEqual(r.main_pid, 10)

    def test_a_pid_without_its_exit_is_missing(self):
        r = trace_check.check(example(
            "10 " + FORK.format(11),
            "11 getpid() = 11",
            "10 exit_group(0) = ?",
            "10 +++ exited with 0 +++",
        ))
        self.assertEqual(r.missing, [11])
        self.assertIn("missing exit: pid 11", r.evidence())
        self.assertIn("[pid 11] getpid() = 11", r.evidence())

    def test_lines_after_the_last_exit_are_a_missing_exit(self):
        r = trace_check.check(example(
            "10 exit_group(0) = ?",
            "10 +++ exited with 0 +++",
            "10 getpid() = 10",
        ))
        self.assertEqual(r.missing, [10])

    def test_a_traced_child_that_never_shows_up_is_missing(self):
        r = trace_check.check(example(
            "10 " + FORK.format(11),
            "10 kill(11, SIGKILL) = 0",
        ))
        self.assertIn(11, r.missing)
        self.assertIn(10, r.missing)
        self.assertIn("= 11", r.evidence())  # the clone line that named it

    def test_the_same_exit_twice_is_a_duplicate(self):
        r = trace_check.check(example(
            "10 " + FORK.format(11),
            "11 exit_group(0) = ?",
            "11 +++ exited with 0 +++",
            "11 +++ exited with 0 +++",
            "10 +++ exited with 0 +++",
        ))
        self.assertEqual(r.duplicate, [11])
        self.assertEqual(r.missing, [])

    def test_a_reused_pid_has_one_exit_per_life(self):
        r = trace_check.check(example(
            "10 " + FORK.format(11),
            "11 exit_group(0) = ?",
            "11 +++ exited with 0 +++",
            "10 " + FORK.format(11),  # pid_max wrapped: 11 again
            "11 +++ killed by SIGKILL +++",  # killed before its first syscall
            "10 vfork() = 11",
            "11 exit_group(1) = ?",
            "11 +++ exited with 1 +++",
            "10 +++ exited with 0 +++",
        ))
        self.assertTrue(r.ok, r.evidence())
        self.assertEqual(r.figures()["lives"], 4)

    def test_a_reused_pid_whose_creation_is_not_shown_is_no_duplicate(self):
        # The second life's clone line is `= ?` (its parent was killed): lines in between
        # show two lives.
        r = trace_check.check(example(
            "11 exit_group(0) = ?",
            "11 +++ exited with 0 +++",
            "11 getpid() = 11",
            "11 +++ exited with 0 +++",
        ))
        self.assertTrue(r.ok, r.evidence())

    def test_untraced_children_are_not_followed(self):
        r = trace_check.check(example(
            "10 clone(child_stack=0x7fe0fca7bfc0, flags=CLONE_FS|CLONE_PTRACE|CLONE_UNTRACED)"
            " = 11",
            "10 clone3(0x7ffda6813200, 64) = 12",  # flags unknown, never shows up
            "10 +++ exited with 0 +++",
        ))
        self.assertTrue(r.ok, r.evidence())
        f = r.figures()
        self.assertEqual(f["untraced_children"], 1)
        self.assertEqual(f["clone3_unseen"], 1)
        self.assertEqual(f["lives"], 1)

    def test_a_decoded_clone3_is_a_creation(self):
        flags = "clone3({flags=CLONE_VM|CLONE_THREAD%s, exit_signal=0} => {parent_tid=[%d]}, 88)"
        r = trace_check.check(example(
            "10 " + flags % ("", 11) + " = 11",
            "10 " + flags % ("|CLONE_UNTRACED", 12) + " = 12",
            "10 +++ exited with 0 +++",
        ))
        self.assertEqual(r.missing, [11])  # a traced thread that never showed up
        self.assertEqual(r.figures()["untraced_children"], 1)
        self.assertEqual(r.figures()["clone3_unseen"], 0)

    def test_a_thread_that_execs_takes_over_the_leaders_pid(self):
        r = trace_check.check(example(
            "10 clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0} => {parent_tid=[11]}, 88) = 11",
            "11 gettid() = 11",
            "10 +++ superseded by execve in pid 11 +++",
            '10 execve("/bin/true", ["true"], 0x7fff /* 41 vars */) = 0',
            "10 exit_group(0) = ?",
            "10 +++ exited with 0 +++",
        ))
        self.assertTrue(r.ok, r.evidence())
        self.assertEqual(r.figures()["lives"], 3)  # the leader, the thread, the new program

    def test_a_crash_is_a_failure_unless_allowed(self):
        lines = example(
            "10 " + FORK.format(11),
            "11 rt_sigaction(SIGUSR1, NULL, {sa_handler=0x55ba14850199}, 8) = 0",
            "11 --- SIGSEGV {si_signo=SIGSEGV} ---",
            "11 +++ killed by SIGSEGV (core dumped) +++",
            "10 +++ killed by SIGKILL +++",
        )
        r = trace_check.check(lines)
        self.assertEqual(r.crashed, [11])
        self.assertFalse(r.ok)
        self.assertIn("crashed: pid 11", r.evidence())
        self.assertTrue(trace_check.check(lines, crashes_allowed=True).ok)

    def test_other_output_is_ignored(self):
        r = trace_check.check(["stress-ng: info:  [10] dispatching hogs\n"] + example(
            "10 +++ exited with 0 +++"))
        self.assertTrue(r.ok)
        self.assertEqual(r.figures()["lives"], 1)


class StraceTraces(unittest.TestCase):
    def test_unfinished_and_resumed_lines_are_one_call(self):
        r = trace_check.check([
            "10 clone(child_stack=0x7f00, flags=CLONE_FILES|CLONE_UNTRACED <unfinished ...>\n",
            "12 getpid()                          = 12\n",
            "10 <... clone resumed>, parent_tid=[87]) = 11\n",
            "10 vfork( <unfinished ...>\n",
            "13 exit_group(0)                     = ?\n",
            "13 +++ exited with 0 +++\n",
            "10 <... vfork resumed>)              = 13\n",
            "12 +++ exited with 0 +++\n",
            "10 +++ exited with 0 +++\n",
        ], "strace")
        self.assertTrue(r.ok, r.evidence())
        f = r.figures()
        self.assertEqual(f["untraced_children"], 1)
        self.assertEqual(f["syscall_lines"], 4)
        self.assertEqual(f["lives"], 3)


if __name__ == "__main__":
    unittest.main()
