# SPDX-License-Identifier: MIT
"""What the Python harnesses that run tracers share (tests/gdbserver/gdbserver_test.py,
tests/strace/strace_test.py): the command under test runs in a process group of its own, is
waited for with a timeout, and is killed, group and all, on that timeout or when meson's own
timeout sends SIGTERM, so that no tracer or tracee outlives the test; orphans become our
children to be reaped.

Also what the kernel offers that a test may need (landlock_abi).

The scripts run from the source tree (meson names them with files()), so they find this
module by their own path: `sys.path` gets `../support` relative to the script.
"""

import ctypes
import os
import signal
import subprocess
import sys

running = None  # the command being waited for (a Popen leading its process group)


def on_termination(also=None):
    """From now on SIGTERM (meson's timeout) and SIGINT kill the process group of `running`,
    then call `also` (more to clean up), and exit with 128 + the signal's number."""
    def on_term(signum, _frame):
        if running is not None:
            try:
                os.killpg(running.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if also is not None:
            also()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)


def communicate(proc, timeout, on_timeout=None):
    """Waits for `proc` (started with start_new_session=True), which is `running` meanwhile.
    On a timeout its whole process group is killed, then `on_timeout` is called. Returns
    (stdout, stderr, timed_out), as proc.communicate() gives them."""
    global running
    running = proc
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        if on_timeout is not None:
            on_timeout()
        out, err = proc.communicate()
        timed_out = True
    finally:
        running = None
    return out, err, timed_out


def become_subreaper():
    """Orphans of the processes we start (a detached or attached program whose parent, the
    tool under test, is gone) become our children (PR_SET_CHILD_SUBREAPER), so that they are
    reaped by us and none escapes the checks for leftovers; the pid 1 of a container may never
    reap them."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_CHILD_SUBREAPER = 36
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap():
    """Reaps every child that has exited; returns {pid: wait status}."""
    reaped = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped[pid] = status


def landlock_abi():
    """Landlock's ABI version in this kernel (landlock_create_ruleset's VERSION query), or 0
    where it has none (the sandbox example's process isolation needs 2)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(ctypes.c_long(444), None, ctypes.c_long(0), ctypes.c_long(1))
    return max(abi, 0)
