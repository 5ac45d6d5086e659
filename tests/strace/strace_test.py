#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Runs the strace example on real programs: checks its lines, and compares it with strace(1).
"""Tests of examples/strace on real programs.

  strace_test.py check   EXAMPLE TARGET
      Runs the example on the deterministic target and checks lines of its output, the -o,
      -e trace= and -f options, and the errors for bad command lines.

  strace_test.py line    EXAMPLE [--follow] [--status N] --expect LINE... -- CMD ARGS...
      Runs CMD under the example and checks that each LINE is one of its output lines (the
      padding before `=` and the `[pid N] ` prefix ignored, in the order given) and that the
      example exits with N (default 0).

  strace_test.py classes EXAMPLE PROBE
      Runs PROBE (tests/strace/targets/every_syscall.cpp: every syscall of the table once,
      each failed with ENOSYS by the probe's own seccomp filter) under `strace -f -qq -e
      trace=%CLASS` and under the example, for each class, and compares the sets of names
      printed with `= -1 ENOSYS`. strace(1) sees every call (ptrace's syscall-entry stop
      comes before seccomp); the example attaches with -p (the library's filter: a spawned
      probe's own ERRNO filter would take precedence over the example's RET_TRACE filter, and
      nothing of the loop would stop). The syscalls strace 6.1 does not know (it prints them
      as syscall_0x...) are left out of the comparison and listed. Exit 77 without strace.

  strace_test.py attach  EXAMPLE
      Attaches the example with -p to a running shell loop, sees its syscalls, detaches it
      with SIGINT (exit 130, `Process N detached`), and checks the loop still runs untraced;
      then kills it.

  strace_test.py compare EXAMPLE [--follow] [--multiset] [--async SIG] [--in-fixture]
                         [--trace SET] [--strsize N] [--needs-landlock] [--needs-netns]
                         -- CMD ARGS...
      Runs CMD under the example and under strace(1) 6.1 (with -f when --follow) and compares
      the two traces line by line, every argument and every result, process by process and
      thread by thread. Exit 77 (a meson skip) when strace(1) or CMD is not installed, or
      when CMD exits with 77 under both tracers (a target saying the machine lacks something).
      --in-fixture runs both in the same fresh copy of a fixed tree (files with fixed contents
      and times, a git repository, a C file); see make_fixture(). Any difference that is not
      listed below fails, with a diff of the normalised lines. --trace SET passes
      `-e trace=SET` to both (the example then spawns CMD with a kernel filter), --strsize N
      passes `-s N` (strings, arrays and lists longer than 32 elements).
      --needs-landlock: a skip (77) where the kernel has no Landlock ABI 2 (CMD is the
      sandbox example, which refuses to run without its process isolation). --needs-netns: a
      skip where `unshare -n` cannot give CMD a network namespace of its own.

What is masked, in both traces, because it differs between any two runs of a program:
  - addresses: every hexadecimal number of five digits or more (ASLR; no user-space address
    is below 0x10000, vm.mmap_min_addr). Shorter hex numbers (flags, ioctl requests) are
    compared;
  - process and thread ids, where strace prints them: the results of clone, clone3, fork,
    vfork, getpid, gettid, getppid, getpgrp, getsid, setsid, set_tid_address and wait4; the
    pid arguments of kill, tkill, tgkill, wait4, waitid, setpgid, getpgid, getsid,
    prlimit64, sched_getaffinity, sched_setaffinity, pidfd_open, rt_(tg)sigqueueinfo and
    ptrace;
    clone3's `parent_tid=[N]`; the N of `"/proc/N/..."` and `"/proc/self/task/N..."` in any
    argument, of waitid's `si_pid=N`, of what
    readlink("/proc/self") returns, of capget's and capset's `pid=N`, of SO_PEERCRED's and
    SCM_CREDENTIALS's `{pid=N`, of a netlink address's `nl_pid=N`, of a netlink message's
    `nlmsg_pid=N` (a socket's port is its process's pid) and of the process group
    ids that ioctl's TIOCGPGRP and TIOCSPGRP read and write (`[N]`); the `[pid N]` and `N `
    prefixes and
    `superseded by execve in pid N`. A traced pid becomes its place in the clone tree ("1",
    "1.2" = the second child of the first process); any other pid (the tracer, an untraced
    child in simple mode) becomes "other-K", K counting the distinct ones in the order each
    process shows them;
  - a 0 in clone3's `=> {parent_tid=[0]}`: glibc passes one word as parent_tid and
    child_tid, which the kernel clears when the thread exits, perhaps before the tracer
    reads it at clone3's exit; it becomes the new thread's id;
  - getrandom's bytes; the fields of sysinfo that change (uptime, loads, free, shared and
    buffer memory, free swap, process count); statfs's free blocks and inodes (others write
    to the same file system); getrusage's CPU times; the time left that an interrupted
    nanosleep or clock_nanosleep writes back (the example shows the address when the call
    never returned, as it does for every out-argument then); the deadline of a
    clock_nanosleep with TIMER_ABSTIME (Python's time.sleep); the time of day that
    gettimeofday, time and clock_gettime return when they are syscalls (normally the vDSO
    answers them and no syscall is made); the time left that ppoll, select and pselect6
    write back after a wait (`left {tv_sec=T, tv_nsec=T}`);
  - the upper half of an epoll event's data when its lower half is the fd and the upper is
    not 0: a program that sets only data.fd (Python's select.epoll) leaves the rest as it
    was on its stack (`u64=HIGH|5`);
  - a netlink message's `nlmsg_seq=N` (glibc numbers its requests by the time of day), an
    address's lifetimes, `ifa_prefered=N, ifa_valid=N` (those of an address from DHCP count
    down), and a device's counters (`rx_packets=N`..., `[IPSTATS_MIB_INPKTS]=N`...: traffic
    on the machine moves them) and IPv6 reachable time (`reachable_time=N`: the kernel draws
    it again every few minutes), a route's last use, expiry and use count (`rta_lastuse=N,
    rta_expires=N`, `rta_used=N`) and a neighbour's ages (`ndm_confirmed=N, ndm_used=N,
    ndm_updated=N`);
  - the times of a received datagram's SO_TIMESTAMP and SO_TIMESTAMPNS control messages;
  - the six random characters of temporary file names made by mkstemp (gcc's /tmp/ccXXXXXX);
  - the padding before `=` (its width follows the addresses' length);
  - with -e trace= and no clone line to name a process, processes are numbered in the order
    they show up (`?1`, `?2`).
What is not the program's doing but timing or chance, and dropped or reordered in both:
  - futex calls: how often threads wait on a lock depends on timing;
  - the munmap calls right after an `mmap(NULL, 134217728, PROT_NONE, ...)`: that mapping
    is a new malloc arena, which glibc trims to an aligned 64 MiB with zero, one or two
    munmaps depending on the address ASLR gave it;
  - how a malloc arena is mapped: glibc first tries the 64 MiB just above the last arena it
    trimmed, `mmap(ADDR, 67108864, PROT_NONE, ...)`, when one left that hint, and otherwise
    (or when that address is not free or not aligned: a munmap of the 64 MiB, or -1) maps 128
    MiB and trims them. Which thread of a program finds the hint depends on which made its
    arena first (gdb's worker threads): the hinted mapping is compared as
    `mmap(NULL, 134217728, ...)`, the rest of a failed try is dropped;
  - the getrandom calls right before an `openat(..., O_RDWR|O_CREAT|O_EXCL, 0600)`: glibc's
    mkstemp draws the name from the clock and calls getrandom only when that draw falls among
    the 4.5% of values it rejects as unfair (gnulib's tempname.c), again when that draw is
    rejected too;
  - the heap growths, `brk(ADDR) = ADDR` (`brk(NULL)` stays): when malloc grows the heap,
    and in how many steps, depends on the addresses ASLR chose (programs such as gcc hash
    pointers, so the sizes they allocate change from run to run; seen with gcc's driver and
    cc1 as a growth one or two syscalls earlier or later, or split in two);
  - CPython's object arenas, `mmap(NULL, 1048576, PROT_READ|PROT_WRITE, MAP_PRIVATE|
    MAP_ANONYMOUS, -1, 0)` and `munmap(ADDR, 1048576)`: when the interpreter needs a new
    1 MiB arena depends on how many objects it holds at that point, which changes from run
    to run with the sets and dicts of objects hashed by address (seen in Python's socket
    module and in gdb's embedded Python: the mmap one or two syscalls earlier or later);
  - the order within a run of consecutive `wait4(-1, ...)` lines: which child is reported
    first depends on which exits first;
  - a `wait4(..., WNOHANG, ...) = 0` (no child has exited yet) and the rt_sigsuspend or
    pause right after it: a program that polls its child and then waits for SIGCHLD
    (timeout(1)) goes round that loop once more when the child dies a little later;
  - with --multiset (threads that run at the same time) each thread's lines are compared as
    a multiset (counts per line), and mmap, munmap and mprotect are left out: malloc gives a
    thread an arena of its own (mmap, munmap, mprotect) only when another thread holds the
    lock it wants, and pthread_create reuses the stack of a thread that has already exited
    instead of mapping a new one; and a wait4 that reaps a child is compared without its
    WNOHANG: whether a program that polls (xargs -P) collects a child with a WNOHANG wait4
    or, when that found nothing yet, with a blocking one depends on when the child exited;
  - with --async SIG (SIGCHLD: it comes when a child exits, between whichever two syscalls
    the parent is at): the `--- SIG ...` lines of that signal and every rt_sigreturn line
    are dropped. Not even their number is fixed: a standard signal that arrives while one is
    pending merges with it (two children that exit together may make one SIGCHLD), and what
    rt_sigreturn returns is what rax held where the signal came. The syscalls a handler
    makes stay compared in place.
The documented differences between the example and strace(1) (README, "What differs from
strace(1), and why"), undone in strace's trace before comparing:
  - the example prints each syscall whole at its exit stop: strace's `<unfinished ...>` and
    `<... NAME resumed>` halves are joined into one line (the comparison is per process, so
    the order of lines of different processes does not matter). A thread's execve that
    strace begins under the thread's pid and resumes under the leader's pid, after the
    leader's `+++ superseded by execve in pid T +++`, is one line there, as the example
    prints it;
  - restart codes never appear (decision 18: the shim folds a syscall's -ERESTART* exit and
    the restart's entry into one syscall): strace's `X(...) = ? ERESTART...` line is
    dropped when the kernel restarts X (strace then shows the restarted X, the first call
    of that name after the handler's rt_sigreturn or after a signal without handler, or
    `restart_syscall(<... resuming interrupted X ...>)`, which becomes X with the arguments
    of the interrupted line); when a handler's rt_sigreturn returns -1 EINTR instead, the
    program saw X fail with EINTR, and the example prints X after that rt_sigreturn with
    `= -1 EINTR (Interrupted system call)`, so X moves there with that result; when the
    process dies before X returns, X moves to just before the `+++` line with `= ?`;
  - the first execve line is built from the command (spawn() runs that exec): compared as
    any line, it shows the same path, argv and envp count;
  - a tracee killed by a signal: strace re-raises the signal and dies of it, the example
    exits with 128 + the signal; the exit codes are compared that way.
Struct arguments: the example decodes every struct the corpus meets as strace 6.1 prints it
without -v; none is masked by position. (Other structs, which the example shows as
addresses, would make a comparison fail: decode them before adding such a program.)
"""

import collections
import difflib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "support"))
import harness  # noqa: E402  (tests/support/harness.py)

TIMEOUT = 60  # per traced run; a comparison takes a few seconds even under ASan


def run(argv, cwd=None, env=None, timeout=TIMEOUT):
    """Runs argv in its own process group; on a timeout the whole group is killed, so that
    no tracer or tracee outlives the test. Returns (code, stdout, stderr, timed_out)."""
    proc = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env=env)
    stdout, stderr, timed_out = harness.communicate(proc, timeout)
    return (proc.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace"),
            timed_out)


def run3(argv, **kwargs):
    code, stdout, stderr, timed_out = run(argv, **kwargs)
    if timed_out:
        raise subprocess.TimeoutExpired(argv, TIMEOUT)
    return code, stdout, stderr


# --- parsing -------------------------------------------------------------------------------

OURS_PREFIX = re.compile(r"^\[pid (\d+)\] (.*)$")
STRACE_PREFIX = re.compile(r"^(\d+)\s+(.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
UNFINISHED = " <unfinished ...>"


class Record:
    """One line of a trace: a syscall ('call'), a signal ('signal') or an exit ('exit')."""

    def __init__(self, pid, kind, text):
        self.pid, self.kind, self.text = pid, kind, text
        self.name, self.args, self.result = None, [], None
        if kind == "call":
            self.name, self.args, self.result = split_call(text)
        elif kind == "signal":
            self.name = text.split()[1]

    def __repr__(self):
        return "Record(%d, %r)" % (self.pid, self.text)


def split_call(text):
    """'name(a, b) = result' -> (name, [a, b], result or None). Arguments are split at the
    commas outside quotes and brackets."""
    paren = text.find("(")
    if paren <= 0:
        return None, [], None
    name = text[:paren]
    args, depth, quoted, start, i = [], 0, False, paren + 1, paren
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                break
        elif c == "," and depth == 1:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1
    last = text[start:i].strip()
    if last or args:
        args.append(last)
    m = re.match(r"^\s*= (.*)$", text[i + 1:])
    return name, args, (m.group(1) if m else None)


def join_call(name, args, result):
    out = "%s(%s)" % (name, ", ".join(args))
    return out if result is None else out + " = " + result


def parse(path, prefix):
    """The records of an output file, in order. Lines without a pid prefix belong to pid 0.
    strace's `<unfinished ...>` and `<... NAME resumed>` halves are joined into one record,
    at the place of the first half."""
    records = []
    unfinished = {}
    superseded = {}  # leader pid -> the pid of the thread whose execve took its place
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = prefix.match(line)
            pid, text = (int(m.group(1)), m.group(2)) if m else (0, line)
            if text.startswith("--- "):
                records.append(Record(pid, "signal", text))
            elif text.startswith("+++ "):
                records.append(Record(pid, "exit", text))
                m = re.match(r"^\+\+\+ superseded by execve in pid (\d+) \+\+\+$", text)
                if m:
                    superseded[pid] = int(m.group(1))
            elif text.endswith(UNFINISHED):
                unfinished[pid] = len(records)
                records.append(Record(pid, "call", text[: -len(UNFINISHED)]))
            elif RESUMED.match(text):
                rest = RESUMED.match(text).group(2)
                if pid in unfinished:
                    i = unfinished.pop(pid)
                    records[i] = Record(pid, "call", records[i].text + rest)
                elif superseded.get(pid) in unfinished:
                    # A thread's execve, which strace began under the thread's pid, ends
                    # under the leader's pid that the thread took: the line belongs here,
                    # after the leader's `superseded` line (the example prints it so).
                    i = unfinished.pop(superseded.pop(pid))
                    records.append(Record(pid, "call", records[i].text + rest))
                    records[i] = None
            else:
                records.append(Record(pid, "call", text))
    return [r for r in records if r is not None]


# --- strace's presentation, turned into the example's (the documented differences) --------

def is_restart(record, interrupted, before):
    """Whether `record` is the kernel's restart of `interrupted`: the same syscall, first
    after the handler returned (rt_sigreturn) or after a signal that has no handler."""
    return record.name == interrupted.name and before is not None and (
        before.kind == "signal" or before.name == "rt_sigreturn")


def strace_as_example(records):
    """Undoes the documented differences (module docstring) in strace's records."""
    out = []
    pending = collections.defaultdict(list)  # pid -> [Record]: calls that said ? ERESTART...
    previous = {}  # pid -> the last record kept

    def emit(record):
        out.append(record)
        previous[record.pid] = record

    for r in records:
        stack = pending[r.pid]
        if r.kind == "call" and r.result is not None and r.result.startswith("? ERESTART"):
            # Interrupted: it restarts, or ends with EINTR, or never ends. An interrupted
            # restart stands for the same call.
            if stack and is_restart(r, stack[-1], previous.get(r.pid)):
                stack[-1] = r
            else:
                stack.append(r)
            continue
        if r.kind == "exit" and stack:
            for interrupted in reversed(stack):  # it died in there: X(...) = ?
                emit(Record(r.pid, "call", join_call(interrupted.name, interrupted.args, "?")))
            stack.clear()
        if r.kind == "call" and stack:
            top = stack[-1]
            resuming = re.match(r"<\.\.\. resuming interrupted (\w+) \.\.\.>$",
                                r.args[0] if r.args else "")
            before = previous.get(r.pid)
            if r.name == "rt_sigreturn" and (r.result or "").startswith("-1 EINTR"):
                # The handler returned and X was not restarted: X failed with EINTR.
                stack.pop()
                emit(r)
                emit(Record(r.pid, "call",
                            join_call(top.name, top.args, "-1 EINTR (Interrupted system call)")))
                continue
            if r.name == "restart_syscall" and resuming and resuming.group(1) == top.name:
                stack.pop()
                emit(Record(r.pid, "call", join_call(top.name, top.args, r.result)))
                continue
            if is_restart(r, top, before):
                stack.pop()
        emit(r)
    return out


# --- normalisation of both traces ------------------------------------------------------------

CLONES = ("clone", "clone3", "fork", "vfork")
PID_RESULTS = set(CLONES) | {"getpid", "gettid", "getppid", "getpgrp", "getsid", "setsid",
                             "set_tid_address", "wait4"}
PID_ARGS = {
    "kill": (0,), "tkill": (0,), "tgkill": (0, 1), "wait4": (0,), "waitid": (1,),
    "setpgid": (0, 1), "getpgid": (0,), "getsid": (0,), "prlimit64": (0,),
    "sched_getaffinity": (0,), "sched_setaffinity": (0,), "pidfd_open": (0,),
    "rt_sigqueueinfo": (0,), "rt_tgsigqueueinfo": (0, 1), "ptrace": (1,),
}
PYTHON_ARENA = "mmap(NULL, 1048576, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
ARENA_NEW = "mmap(NULL, 134217728, PROT_NONE,"
ARENA_AT_HINT = re.compile(r"^mmap\((?:0x[0-9a-f]+|ADDR), 67108864, PROT_NONE,")
HEX_ADDRESS = re.compile(r"\b0x[0-9a-f]{5,}\b")
# (syscalls or None for all, when, pattern): pids printed inside an argument, the pid the
# pattern's second group, in the calls whose arguments satisfy `when` (None: always). /proc/PID
# paths and their task/TID parts; a netlink address's port id, its process's pid unless the
# program chose another; the child waitid reports, the sender rt_sigqueueinfo names and
# rt_sigtimedwait's siginfo; capget's and capset's header, SO_PEERCRED's struct ucred and
# SCM_CREDENTIALS's (recvmsg, sendmsg); what
# readlink("/proc/self") returns; the process group of TIOCGPGRP and TIOCSPGRP.
PIDS_IN_VALUES = [
    (None, None, re.compile(r'("/proc/)(\d+)(?=["/])')),
    (None, None, re.compile(r'("/proc/[^/"]+/task/)(\d+)(?=["/])')),
    (None, None, re.compile(r"(\bnl_pid=)(-?\d+)")),  # (a port the kernel picks is negative)
    (None, None, re.compile(r"(\bnlmsg_pid=)(-?\d+)")),
    ({"waitid", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigtimedwait"}, None,
     re.compile(r"(\bsi_pid=)(\d+)")),
    ({"capget", "capset", "getsockopt", "recvmsg", "sendmsg"}, None,
     re.compile(r"(\bpid=)(\d+)")),
    ({"readlink"}, lambda args: args[:1] == ['"/proc/self"'], re.compile(r'^(")(\d+)(?="$)')),
    ({"ioctl"}, lambda args: args[1:2] in (["TIOCGPGRP"], ["TIOCSPGRP"]),
     re.compile(r"^(\[)(\d+)(?=\]$)")),
]
NETLINK_VALUES = re.compile(
    r"\b(nlmsg_seq|ifa_prefered|ifa_valid|reachable_time|multicast|collisions|[rt]x_[a-z_]+"
    r"|rta_lastuse|rta_expires|rta_used|ndm_confirmed|ndm_used|ndm_updated)=\d+"
    r"|(\[(?:IPSTATS|ICMP6)_MIB_[A-Z0-9_]+\]|\[\d+ /\* (?:IPSTATS|ICMP6)_MIB_\?\?\? \*/\])=\d+")
RECEIVE_TIMES = re.compile(
    r"(cmsg_type=SO_TIMESTAMP(?:NS)?_OLD, cmsg_data=)\{tv_sec=\d+, tv_[un]sec=\d+\}")
MKSTEMP = re.compile(r"(/cc)[A-Za-z0-9]{6}\b")


def process_labels(records):
    """{pid: label}: "1" for the first process, "1.2" for its second child, and so on. Built
    from all clone results first, because a child's first lines may be printed before its
    parent's clone line (the example prints each syscall at its exit)."""
    if not records:
        return {}
    labels = {records[0].pid: "1"}
    kids = collections.defaultdict(list)
    for r in records:
        if r.kind == "call" and r.name in CLONES and r.result and r.result.isdigit():
            kids[r.pid].append(int(r.result))
    changed = True
    while changed:
        changed = False
        for parent, children in kids.items():
            if parent not in labels:
                continue
            for n, child in enumerate(children, 1):
                if child not in labels:
                    labels[child] = "%s.%d" % (labels[parent], n)
                    changed = True
    return labels


class PidNames:
    """Names for the pids of one process's lines: traced ones by label, others in order."""

    def __init__(self, labels, label):
        self.labels, self.label, self.others = labels, label, {}

    def name(self, text):
        m = re.match(r"^(-?)(\d+)$", text)
        if not m or int(m.group(2)) <= 1:
            return text  # 0, 1, -1 (any child, init, every process) are not pids of a run
        pid = int(m.group(2))
        if pid in self.labels:
            return m.group(1) + "pid:" + self.labels[pid]
        if pid not in self.others:
            self.others[pid] = len(self.others) + 1
        return m.group(1) + "other-%d" % self.others[pid]


EPOLL_DATA = re.compile(r"data=\{u32=(\d+), u64=(\d+)\}")


def epoll_data_masked(m):
    """An epoll event's data whose low half is u32 and whose high half is not 0: a program that
    set only data.fd (Python's select.epoll) left the rest as it found it."""
    u32, u64 = int(m.group(1)), int(m.group(2))
    if u64 & 0xffffffff == u32 and u64 >> 32:
        return "data={u32=%d, u64=HIGH|%d}" % (u32, u32)
    return m.group(0)


def mask_values(name, args, result):
    """The values that differ between any two runs of the same program (module docstring)."""
    if name == "getrandom" and args:
        args[0] = re.sub(r'^"(\\x[0-9a-f]{2})*"(\.\.\.)?$', "RANDOM", args[0])
    elif name == "sysinfo" and args:
        args[0] = re.sub(r"\b(uptime|freeram|sharedram|bufferram|freeswap|procs)=\d+",
                         r"\1=N", args[0])
        args[0] = re.sub(r"loads=\[\d+, \d+, \d+\]", "loads=[N, N, N]", args[0])
    elif name in ("statfs", "fstatfs") and len(args) > 1:
        args[1] = re.sub(r"\b(f_bfree|f_bavail|f_ffree)=\d+", r"\1=N", args[1])
    elif name == "getrusage" and len(args) > 1:
        args[1] = re.sub(r"tv_(sec|usec)=\d+", r"tv_\1=T", args[1])
    elif name in ("nanosleep", "clock_nanosleep") and args:
        if name == "clock_nanosleep" and len(args) > 2 and args[1] == "TIMER_ABSTIME":
            args[2] = "DEADLINE"  # a time on a clock, not a duration
        if result is not None and not result.startswith("0"):
            args[-1] = "TIME-LEFT"  # interrupted: the time left, or its address
    elif name in ("ppoll", "select", "pselect6") and result is not None:
        result = re.sub(r"left \{tv_sec=\d+, (tv_nsec|tv_usec)=\d+\}", r"left {tv_sec=T, \1=T}", result)
    elif name in ("epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2"):
        args = [EPOLL_DATA.sub(epoll_data_masked, a) for a in args]
    elif name in ("gettimeofday", "clock_gettime", "time"):
        args = [re.sub(r"tv_(sec|usec|nsec)=\d+", r"tv_\1=T", a) for a in args]
        if name == "time" and result is not None:
            result = re.sub(r"^\d+", "T", result)
    return args, result


def normalised(record, names):
    """The text of a record with the run-to-run differences replaced."""
    if record.kind == "exit":
        return re.sub(r"(superseded by execve in pid )(\d+)",
                      lambda m: m.group(1) + names.name(m.group(2)), record.text)
    if record.kind == "signal":
        # The sender's pid (a traced process by its label); a child's CPU time in SIGCHLD's.
        text = re.sub(r"(\bsi_pid=)(\d+)", lambda m: m.group(1) + names.name(m.group(2)),
                      record.text)
        text = re.sub(r"\b(si_[us]time)=\d+( /\* [\d.]+ s \*/)?", r"\1=T", text)
        return HEX_ADDRESS.sub("ADDR", text)
    if record.kind != "call" or record.name is None:
        return HEX_ADDRESS.sub("ADDR", record.text)
    name, args, result = record.name, list(record.args), record.result
    for i in PID_ARGS.get(name, ()):
        if i < len(args):
            args[i] = names.name(args[i])
    if name == "fcntl" and args[1:2] == ["F_SETOWN"] and len(args) > 2:
        args[2] = names.name(args[2])  # the owner: a process, or a process group when negative
    if name in PID_RESULTS and result is not None:
        result = names.name(result)
    # Pids inside values (PIDS_IN_VALUES).
    for calls, when, pattern in PIDS_IN_VALUES:
        if (calls is None or name in calls) and (when is None or when(args)):
            args = [pattern.sub(lambda m: m.group(1) + names.name(m.group(2)), a) for a in args]
    if name in ("clone", "clone3"):
        # glibc gives a thread the same word as parent_tid and child_tid: a thread that has
        # already exited when the tracer reads it at clone's exit has had it cleared
        # (CLONE_CHILD_CLEARTID), so 0 there stands for the new thread's id.
        args = [re.sub(r"parent_tid=\[(\d+)\]",
                       lambda m: "parent_tid=[%s]" % (
                           result if m.group(1) == "0" and result else names.name(m.group(1))),
                       a) for a in args]
    args, result = mask_values(name, args, result)
    text = join_call(name, args, result)
    text = NETLINK_VALUES.sub(lambda m: (m.group(1) or m.group(2)) + "=N", text)
    if name in ("recvmsg", "recvmmsg"):
        text = RECEIVE_TIMES.sub(r"\1{T}", text)
    text = MKSTEMP.sub(r"\1XXXXXX", text)
    return HEX_ADDRESS.sub("ADDR", text)


def per_process(records, multiset=False, async_signals=()):
    """{label: [normalised lines]} with the drops and reorderings of the module docstring."""
    labels = process_labels(records)
    names = {}
    out = collections.defaultdict(list)
    in_arena_trim = set()  # labels whose last call mapped a malloc arena
    at_arena_hint = set()  # labels whose last call mapped an arena at glibc's hint
    polled = set()  # labels whose last call was a WNOHANG wait4 that found nothing
    for i, r in enumerate(records):
        if r.pid not in labels:
            # No clone line names it (-e trace= without the clones): numbered in the order
            # the processes show up, which the comparisons with such a filter keep fixed.
            labels[r.pid] = "?%d" % (sum(k.startswith("?") for k in labels.values()) + 1)
        label = labels[r.pid]
        if label not in names:
            names[label] = PidNames(labels, label)
        if multiset and r.kind == "call" and r.name == "wait4":
            r = reaped_without_nohang(r)
        text = normalised(r, names[label])
        if r.kind == "call":
            if r.name == "munmap" and label in in_arena_trim:
                continue
            tried_hint = label in at_arena_hint
            at_arena_hint.discard(label)
            if ARENA_AT_HINT.match(r.text):
                if r.result is not None and r.result.startswith("-1"):
                    continue  # the 128 MiB mapping follows
                at_arena_hint.add(label)
                text = ARENA_AT_HINT.sub(ARENA_NEW, text)
            elif tried_hint and r.name == "munmap" and r.args[1:] == ["67108864"]:
                at_arena_hint.add(label)  # not aligned: given back, the 128 MiB follow
                continue
            if r.text.startswith(ARENA_NEW):
                in_arena_trim.add(label)
                if tried_hint:
                    continue  # the hinted mapping stands for it
            else:
                in_arena_trim.discard(label)
            if r.name == "futex":
                continue
            if r.name == "getrandom" and makes_temp_file(records, i):
                continue
            if async_signals and r.name == "rt_sigreturn":
                continue  # before the poll check: the signal that ends the wait comes between
            if label in polled:
                polled.discard(label)
                if r.name in ("rt_sigsuspend", "pause"):
                    continue
            if r.name == "wait4" and "WNOHANG" in r.text and r.result == "0":
                polled.add(label)
                continue
            if multiset and r.name in ("mmap", "munmap", "mprotect"):
                continue
            if r.name == "brk" and not r.text.startswith("brk(NULL)"):
                continue  # a heap growth (see the module's docstring)
            if r.text.startswith(PYTHON_ARENA) or (r.name == "munmap" and
                                                   r.args[1:] == ["1048576"]):
                continue  # a CPython object arena (see the module's docstring)
        if r.kind == "signal" and r.name in async_signals:
            continue
        out[label].append(text)
    for lines in out.values():
        sort_wait_runs(lines)
    return out


def makes_temp_file(records, i):
    """Whether the getrandom at records[i] is mkstemp's second draw: glibc draws a temporary
    file's name from the clock and calls getrandom only when that draw falls among the 4.5%
    of values it rejects as unfair (gnulib's tempname.c), so the call comes by chance. It is
    followed by the process's openat(..., O_RDWR|O_CREAT|O_EXCL, 0600) of the file; a signal
    delivered in between (an asynchronous SIGCHLD) does not count, nor does a further draw
    (the second can be rejected too: seen once in about 60 runs of gcc)."""
    for later in records[i + 1:]:
        if later.pid == records[i].pid and later.kind != "signal" and later.name != "getrandom":
            return later.name == "openat" and "O_RDWR|O_CREAT|O_EXCL" in later.text
    return False


def reaped_without_nohang(record):
    """A wait4 that reaped a child (a pid returned), with WNOHANG taken out of its options;
    any other record as it is (module docstring, --multiset)."""
    if len(record.args) < 3 or not record.result or not record.result.split()[0].isdigit() \
            or record.result.split()[0] == "0":
        return record
    options = [o for o in record.args[2].split("|") if o != "WNOHANG"]
    args = record.args[:2] + ["|".join(options) or "0"] + record.args[3:]
    return Record(record.pid, "call", join_call(record.name, args, record.result))


def sort_wait_runs(lines):
    """Sorts each run of consecutive `wait4(-1, ...)` lines in place: which child the kernel
    reports first depends on which child exits first."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].startswith("wait4(-1, "):
            j += 1
        lines[i:j] = sorted(lines[i:j])
        i = max(j, i + 1)


# --- the fixture -----------------------------------------------------------------------------

FIXED_TIME = 1600000000  # 2020-09-13: every fixture file gets this mtime and atime
FIXTURE_FILES = {
    "tree/a.txt": "alpha\n",
    "tree/b.txt": "bravo bravo\n",
    "tree/sub/c.txt": "charlie\n",
    "tree/sub/deep/d.txt": "delta delta delta\n",
    "words.txt": "pear\napple\nfig\nbanana\ncherry\napple\n",
    "hello.c": '#include <stdio.h>\nint main(void) {\n    puts("hello");\n    return 0;\n}\n',
    "repo/README": "a fixed repository\n",
    "repo/src/main.txt": "one\ntwo\n",
}


def make_fixture(root):
    """A fixed tree in `root`: files with fixed contents and times, `out/` (empty, for what
    a command writes), and a git repository with one commit, one modified and one untracked
    file (when git is installed)."""
    for rel, content in FIXTURE_FILES.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
    os.makedirs(os.path.join(root, "out"), exist_ok=True)
    git = shutil.which("git")
    if git:
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
                   GIT_AUTHOR_DATE="1600000000 +0000", GIT_COMMITTER_DATE="1600000000 +0000")
        repo = os.path.join(root, "repo")
        for rel in ("repo/README", "repo/src/main.txt"):
            os.utime(os.path.join(root, rel), (FIXED_TIME, FIXED_TIME))
        for argv in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "one"]):
            subprocess.run([git, "-C", repo] + argv, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        with open(os.path.join(repo, "src/main.txt"), "a", encoding="utf-8") as f:
            f.write("three\n")  # a new size: modified whatever the times say
        with open(os.path.join(repo, "new.txt"), "w", encoding="utf-8") as f:
            f.write("untracked\n")
    for dirpath, dirnames, filenames in os.walk(root):
        if "/.git" in dirpath or dirpath.endswith("/.git"):
            continue
        for n in dirnames + filenames:
            if n != ".git":
                os.utime(os.path.join(dirpath, n), (FIXED_TIME, FIXED_TIME), follow_symlinks=False)


def fresh_out(root):
    """Empties `out/` before each traced run, so that both runs start from the same state."""
    shutil.rmtree(os.path.join(root, "out"), ignore_errors=True)
    os.makedirs(os.path.join(root, "out"))
    os.utime(os.path.join(root, "out"), (FIXED_TIME, FIXED_TIME))


# --- compare -----------------------------------------------------------------------------------

def exit_code(code):
    """strace re-raises the tracee's fatal signal (Popen shows -SIG); the example returns
    128 + SIG (documented)."""
    return 128 - code if code < 0 else code


def compare(example, command, follow=False, multiset=False, async_signals=(), in_fixture=False,
            trace=None, strsize=None):
    strace = shutil.which("strace")
    if strace is None:
        print("SKIP: strace(1) is not installed")
        return 77
    if shutil.which(command[0]) is None:
        print("SKIP: %s is not installed" % command[0])
        return 77
    with tempfile.TemporaryDirectory(prefix="strace-compare-") as tmp:
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        if in_fixture:
            make_fixture(work)
        env = dict(os.environ, TMPDIR=os.path.join(work, "out"))
        ours_path = os.path.join(tmp, "example.txt")
        theirs_path = os.path.join(tmp, "strace.txt")
        flag = (["-f"] if follow else []) + (["-e", "trace=" + trace] if trace else [])
        flag += ["-s", strsize] if strsize else []
        results = {}
        for who, argv in (("example", [example] + flag + ["-o", ours_path, "--"] + command),
                          ("strace", [strace] + flag + ["-o", theirs_path, "--"] + command)):
            if in_fixture:
                fresh_out(work)
            code, _, err, timed_out = run(argv, cwd=work if in_fixture else None, env=env)
            if timed_out:
                print("%s: timed out after %d s (killed)" % (who, TIMEOUT))
                if err:
                    print(err)
                return 1
            results[who] = (exit_code(code), err)
        if results["example"][0] == results["strace"][0] == 77:
            # A purpose-built target that found the machine lacking (tests/strace/targets).
            print("SKIP: %s says this machine lacks what it needs: %s"
                  % (command[0], results["strace"][1].strip()))
            return 77
        if results["example"][0] != results["strace"][0]:
            print("exit codes differ: example %d, strace %d"
                  % (results["example"][0], results["strace"][0]))
            print(results["example"][1], results["strace"][1])
            show_files(ours_path, theirs_path)
            return 1
        for who, path in (("example", ours_path), ("strace", theirs_path)):
            if not os.path.exists(path):
                print("%s wrote no trace (exit %d)\n%s" % (who, results[who][0], results[who][1]))
                return 1
        ours = per_process(parse(ours_path, OURS_PREFIX), multiset, async_signals)
        theirs = per_process(strace_as_example(parse(theirs_path, STRACE_PREFIX)), multiset,
                             async_signals)
        failed = False
        if sorted(ours) != sorted(theirs):
            print("process trees differ: example %s, strace %s" % (sorted(ours), sorted(theirs)))
            failed = True
        for label in sorted(set(ours) | set(theirs)):
            a, b = ours.get(label, []), theirs.get(label, [])
            by_count = multiset
            same = collections.Counter(a) == collections.Counter(b) if by_count else a == b
            print("%-22s example %5d, strace %5d lines: %s"
                  % (label, len(a), len(b), "same" if same else "DIFFERENT"))
            if not same:
                failed = True
                show_difference(a, b, by_count)
        if failed:
            show_files(ours_path, theirs_path)
        return 1 if failed else 0


def show_files(ours_path, theirs_path):
    for name, path in (("example", ours_path), ("strace", theirs_path)):
        print("---- %s output (raw) ----" % name)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError as e:
            print(e)
            continue
        if len(lines) > 400:
            print("(%d lines; the first 400)" % len(lines))
        print("\n".join(lines[:400]))


def show_difference(a, b, by_count):
    if by_count:
        ca, cb = collections.Counter(a), collections.Counter(b)
        for text in sorted(set(ca) | set(cb)):
            if ca[text] != cb[text]:
                print("    example %d, strace %d: %s" % (ca[text], cb[text], text))
        return
    diff = list(difflib.unified_diff(a, b, "example", "strace", n=2, lineterm=""))
    for line in diff[:80]:
        print("    " + line)
    if len(diff) > 80:
        print("    ... (%d more diff lines)" % (len(diff) - 80))


# --- line: exact lines of the example's output -----------------------------------------------

def unpadded(line):
    m = OURS_PREFIX.match(line)
    return re.sub(r"\)\s+= ", ") = ", m.group(2) if m else line)


def expect_lines(example, command, expected, follow=False, status=0):
    with tempfile.TemporaryDirectory(prefix="strace-line-") as tmp:
        out = os.path.join(tmp, "out.txt")
        code, _, stderr, timed_out = run([example] + (["-f"] if follow else []) +
                                         ["-o", out, "--"] + command)
        if timed_out:
            print("FAIL: the example timed out after %d s" % TIMEOUT)
            return 1
        if not os.path.exists(out):
            print("FAIL: the example wrote no trace (exit %d)\n%s" % (code, stderr))
            return 1
        with open(out, encoding="utf-8", errors="replace") as f:
            raw = f.read().splitlines()
        lines = [unpadded(line) for line in raw]
        c = Checker()
        c.expect("exits with %d (got %d)" % (status, code), code == status, stderr)
        at = 0
        for want in expected:
            found = want in lines[at:]
            c.expect("line: " + want, found)
            if found:
                at = lines.index(want, at) + 1
        if c.failures:
            print("---- example output ----")
            print("\n".join(raw))
        print("%d failure(s)" % c.failures)
        return 1 if c.failures else 0


# --- checks of the example's own output -----------------------------------------------------

class Checker:
    def __init__(self):
        self.failures = 0

    def expect(self, what, ok, detail=""):
        print("%s: %s" % ("ok" if ok else "FAIL", what))
        if not ok:
            self.failures += 1
            if detail:
                print(detail)


def check(example, target):
    c = Checker()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.txt")

        # Simple mode on the deterministic target.
        code, stdout, stderr = run3([example, "-o", out, target])
        text = open(out, encoding="utf-8").read()
        lines = text.splitlines()
        c.expect("simple mode exits with the tracee's code (0)", code == 0, stderr)
        c.expect("the target's own output is untouched",
                 stdout.startswith("hello from the target\n"), stdout)
        c.expect("stderr is quiet with -o", stderr == "", stderr)
        # argv strings are cut after 32 characters like every string, the path is not.
        arg0 = '"%s"' % target if len(target) <= 32 else '"%s"...' % target[:32]
        c.expect("the first line is the execve, with the resolved path and argv",
                 bool(lines) and re.match(r'^execve\("%s", \[%s\], 0x[0-9a-f]+ /\* \d+ vars \*/\)'
                                          r"\s+= 0$" % (re.escape(target), re.escape(arg0)),
                                          lines[0]) is not None, lines[:1])
        expected = [
            'openat(AT_FDCWD, "/proc/strace-target-missing", O_RDONLY) = -1 ENOENT '
            "(No such file or directory)",
            'write(1, "hello from the target\\n", 22) = 22',
            'write(1, "0123456789abcdefghijklmnopqrstuv"..., 40) = 40',
            'write(1, "\\0\\1\\2\\3\\n\\t\\"\\\\\\377", 9) = 9',
            'write(1, "in the handler\\n", 15) = 15',
            "rt_sigreturn({mask=[]}) = 0",
            'read(3, "x", 1) = 1',
            "exit_group(0) = ?",
            "+++ exited with 0 +++",
        ]
        unpadded_lines = [unpadded(line) for line in lines]
        for want in expected:
            c.expect("line: " + want, want in unpadded_lines)
        # Decision 27: the siginfo of kill(getpid(), SIGUSR1), sent by the target itself.
        sigusr1 = (r"^--- SIGUSR1 \{si_signo=SIGUSR1, si_code=SI_USER, si_pid=(\d+), "
                   r"si_uid=%d\} ---$" % os.getuid())
        c.expect("line: --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=<the target>, "
                 "si_uid=<ours>} ---",
                 any(re.match(sigusr1, line) for line in lines), "\n".join(lines))
        c.expect("strace's alignment: '=' at column 40 for short calls",
                 any(re.match(r"^close\(3\)\s{32}= 0$", line) for line in lines))
        c.expect("the last line is the exit", bool(lines) and lines[-1] == "+++ exited with 0 +++")
        c.expect("simple mode does not follow the forked child",
                 not any("exited with 3" in line for line in lines))

        # Advanced mode: the child process and the thread are followed.
        code, stdout, stderr = run3([example, "-f", "-o", out, target])
        lines = open(out, encoding="utf-8").read().splitlines()
        c.expect("-f exits with the tracee's code (0)", code == 0, stderr)
        c.expect("-f: every line has a [pid N] prefix",
                 all(OURS_PREFIX.match(line) for line in lines), "\n".join(lines[:5]))
        pids = {OURS_PREFIX.match(line).group(1) for line in lines if OURS_PREFIX.match(line)}
        c.expect("-f: three tracees (main, child process, thread)", len(pids) == 3, str(pids))
        c.expect("-f: the child process exits with 3",
                 any(line.endswith("+++ exited with 3 +++") for line in lines))
        c.expect("-f: the child writes into the pipe",
                 any(re.search(r'\] write\(4, "x", 1\)\s+= 1$', line) for line in lines))
        c.expect("-f: the thread's write is seen",
                 any(re.search(r'\] write\(1, "from the thread\\n", 16\)\s+= 16$', line)
                     for line in lines))
        c.expect("-f: wait4 shows the child's status",
                 any("[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]" in line for line in lines))

        # -e trace=: exactly the names given.
        code, _, stderr = run3([example, "-o", out, "-e", "trace=write,close", target])
        lines = open(out, encoding="utf-8").read().splitlines()
        names = {split_call(line)[0] for line in lines if not line.startswith(("---", "+++"))}
        c.expect("-e trace=write,close prints only write and close", names == {"write", "close"},
                 str(names))
        c.expect("-e trace= keeps signal and exit lines",
                 any(line.startswith("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, ")
                     for line in lines) and "+++ exited with 0 +++" in lines)

        # Without -o the trace goes to stderr.
        code, stdout, stderr = run3([example, "-e", "trace=exit_group", target])
        c.expect("without -o the trace goes to stderr",
                 [line for line in stderr.splitlines() if not line.startswith("---")]
                 == ["exit_group(0)                           = ?", "+++ exited with 0 +++"],
                 stderr)

        # Command lines that cannot work.
        code, _, stderr = run3([example, "no-such-program-xyz"])
        c.expect("a command not in PATH is refused like strace does",
                 code == 1 and "Can't stat 'no-such-program-xyz'" in stderr, stderr)
        code, _, stderr = run3([example, "-e", "trace=nosuchcall", "true"])
        c.expect("an unknown syscall name is refused",
                 code == 1 and "invalid system call 'nosuchcall'" in stderr, stderr)
        code, _, stderr = run3([example])
        c.expect("no command is refused", code == 1 and "must have PROG" in stderr, stderr)

        # An exit code and a death by signal pass through.
        code, _, _ = run3([example, "-o", out, "sh", "-c", "exit 7"])
        c.expect("the tracee's exit code is strace's exit code (7)", code == 7)
        code, _, _ = run3([example, "-o", out, "sh", "-c", "kill -TERM $$"])
        lines = open(out, encoding="utf-8").read().splitlines()
        c.expect("a death by signal: +++ killed by SIGTERM +++ and exit code 143",
                 code == 143 and lines[-1] == "+++ killed by SIGTERM +++", "%d %s" % (code, lines[-3:]))
    print("%d failure(s)" % c.failures)
    return 1 if c.failures else 0

# --- classes and attach: -e trace=%CLASS and -p ---------------------------------------------

CLASSES = ("%file", "%desc", "%network", "%net", "%process", "%signal", "%memory", "%ipc",
           "%creds", "%clock")
ENOSYS_LINE = re.compile(r"^(?:\[pid \d+\] |\d+ +)?(\w+)\(.*\)\s+= -1 ENOSYS ")


def enosys_names(path):
    """The names of the calls a trace shows failing with ENOSYS: the probe's loop."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return {m.group(1) for m in map(ENOSYS_LINE.match, f) if m}


def start_attached(example, options, target_shell):
    """Runs `sh -c 'TARGET & exec EXAMPLE -p $! OPTIONS'` in a new session: the example is
    then the target's parent, which the Redox rule (A3) asks of a tracer that is not root.
    Returns (proc, target pid) once the example says `Process N attached`, or (proc, None)."""
    script = '%s </dev/null >/dev/null 2>&1 & exec "$0" -p $! "$@"' % target_shell
    proc = subprocess.Popen(["sh", "-c", script, example] + options, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    harness.running = proc  # until finish() has waited for it
    line = b""
    ready = select_readable(proc.stderr, 20)
    if ready:
        line = proc.stderr.readline()
    m = re.match(rb"^strace: Process (\d+) attached$", line.strip())
    return proc, (int(m.group(1)) if m else None), line.decode(errors="replace")


def select_readable(f, timeout):
    import select
    return bool(select.select([f], [], [], timeout)[0])


def finish(proc, timeout=TIMEOUT):
    """Waits for the example (its process group is killed on a timeout). Returns (code,
    stderr, timed_out)."""
    _, err, timed_out = harness.communicate(proc, timeout)
    return proc.returncode, err.decode(errors="replace"), timed_out


def classes(example, probe):
    strace = shutil.which("strace")
    if strace is None:
        print("SKIP: strace(1) is not installed")
        return 77
    c = Checker()
    harness.become_subreaper()  # the -p targets outlive their parent, the example
    with tempfile.TemporaryDirectory(prefix="strace-classes-") as tmp:
        out = os.path.join(tmp, "trace.txt")
        code, _, err = run3([strace, "-f", "-qq", "-o", out, probe])
        known = {n for n in enosys_names(out) if not n.startswith("syscall_")}
        c.expect("strace sees the probe's loop (exit 42, %d names)" % len(known),
                 code == 42 and len(known) > 300, err)
        for name in CLASSES:
            code, _, err = run3([strace, "-f", "-qq", "-o", out, "-e", "trace=" + name, probe])
            theirs = {n for n in enosys_names(out) if not n.startswith("syscall_")}
            proc, pid, first = start_attached(example, ["-o", out, "-e", "trace=" + name],
                                              '"%s" --wait' % probe)
            if pid is not None:
                # The example may attach before the probe is exec'd or has blocked SIGUSR1,
                # whose default action would then kill it: send once it waits for it.
                wait_until_blocked(pid, signal.SIGUSR1)
                os.kill(pid, signal.SIGUSR1)
            ours_code, ours_err, timed_out = finish(proc)
            harness.reap()  # the probe, whose parent was the example
            ours = enosys_names(out) if pid is not None else set()
            c.expect("%s: the example attached, the probe ran, the example exited with 0" % name,
                     pid is not None and ours_code == 0 and not timed_out,
                     first + ours_err)
            c.expect("%s: strace printed %d names, all of them in the class" % (name, len(theirs)),
                     code == 42 and bool(theirs) and theirs == ours & known,
                     "strace only: %s\nexample only: %s"
                     % (sorted(theirs - ours), sorted((ours & known) - theirs)))
            if ours - known:
                print("    %s: unknown to strace 6.1, in the class here: %s"
                      % (name, " ".join(sorted(ours - known))))
    print("%d failure(s)" % c.failures)
    return 1 if c.failures else 0


def wait_until_blocked(pid, sig, timeout=20):
    """Waits until the process `pid` blocks `sig` (SigBlk in /proc/PID/status) or waits for
    it in rt_sigtimedwait (which unblocks the signals it waits for meanwhile: /proc/PID/syscall
    then starts with its number, 128), or is gone, or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/status" % pid, encoding="utf-8") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            with open("/proc/%d/syscall" % pid, encoding="utf-8") as f:
                syscall = f.read().split()
        except OSError:
            return
        if int(fields["SigBlk"].strip(), 16) & (1 << (sig - 1)) or syscall[:1] == ["128"]:
            return
        time.sleep(0.01)


def proc_state(pid):
    """(state letter, TracerPid) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    return fields["State"].split()[0], int(fields["TracerPid"])


def attach(example):
    c = Checker()
    harness.become_subreaper()  # the -p targets outlive their parent, the example
    with tempfile.TemporaryDirectory(prefix="strace-attach-") as tmp:
        out = os.path.join(tmp, "trace.txt")
        # A shell loop that forks a sleep ten times a second: wait4 and clone lines.
        proc, pid, first = start_attached(
            example, ["-o", out, "-e", "trace=%process"],
            "sh -c 'while :; do sleep 0.1; done'")
        try:
            c.expect("-p: the example says it attached", pid is not None, first)
            lines = []

            def loop_seen():
                return (any(line.startswith("wait4(") for line in lines) and
                        any(line.startswith(("vfork(", "clone(", "clone3(", "fork("))
                            for line in lines))
            # Until both are there: attached while the shell waits for its sleep, the example
            # prints that wait4, the SIGCHLD and a WNOHANG wait4 before the next fork.
            for _ in range(50):  # up to 5 s
                time.sleep(0.1)
                with open(out, encoding="utf-8", errors="replace") as f:
                    lines = f.read().splitlines()
                if loop_seen():
                    break
            c.expect("-p -e trace=%process: the loop's wait4 and vfork (or clone) are seen",
                     loop_seen(), "\n".join(lines[:10]))
            c.expect("-p -e trace=%process: nothing outside the class",
                     all(line.split("(")[0] in ("wait4", "clone", "clone3", "vfork", "fork",
                                                "kill", "exit_group", "execve") or
                         line.startswith(("---", "+++")) for line in lines),
                     "\n".join(lines[:10]))
            c.expect("-p: the target is traced while the example runs",
                     pid is not None and (proc_state(pid) or ("?", 0))[1] != 0)
            proc.send_signal(signal.SIGINT)
            code, err, timed_out = finish(proc, 20)
            c.expect("SIGINT: the example detaches and exits with 130",
                     code == 130 and not timed_out and
                     ("strace: Process %s detached" % pid) in err, "%s %s" % (code, err))
            time.sleep(0.3)
            # The loop spends part of each turn in vfork(2), in D until its child has exec'd
            # (TASK_KILLABLE): a D now and then is the loop running. A target left stuck by
            # the detach (a child stranded in a stop) would stay in D or t: ask for R or S at
            # least once in a second, and never a tracer.
            states = []
            for _ in range(20):
                states.append(proc_state(pid) if pid is not None else None)
                if states[-1] is None or states[-1][0] in "RS":
                    break
                time.sleep(0.05)
            c.expect("after the detach the target runs on, untraced (%s)" % (states,),
                     all(s is not None and s[1] == 0 for s in states) and
                     states[-1][0] in "RS")
            with open(out, encoding="utf-8", errors="replace") as f:
                after = len(f.read().splitlines())
            time.sleep(0.3)
            with open(out, encoding="utf-8", errors="replace") as f:
                c.expect("after the detach nothing more is printed",
                         len(f.read().splitlines()) == after)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the target loop and its sleep
            except ProcessLookupError:
                pass
            if proc.poll() is None:
                finish(proc, 5)
        if pid is not None:
            for _ in range(50):  # the target, now our child (subreaper), and its sleeps
                harness.reap()
                if proc_state(pid) is None:
                    break
                time.sleep(0.1)
            state = proc_state(pid)
            c.expect("the test killed and reaped the target", state is None, str(state))
    print("%d failure(s)" % c.failures)
    return 1 if c.failures else 0


def main(argv):
    harness.on_termination()
    if len(argv) >= 2 and not os.access(argv[1], os.X_OK):
        print("SKIP: the example %s is not built (examples disabled?)" % argv[1])
        return 77
    if len(argv) >= 3 and argv[0] == "check":
        return check(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "classes":
        return classes(argv[1], argv[2])
    if len(argv) >= 2 and argv[0] == "attach":
        return attach(argv[1])
    if len(argv) >= 3 and argv[0] in ("compare", "line") and "--" in argv:
        split = argv.index("--")
        opts, command = argv[2:split], argv[split + 1:]
        async_signals, expected, status, trace, strsize, i = [], [], 0, None, None, 0
        while i < len(opts):
            if opts[i] == "--async":
                async_signals.append(opts[i + 1])
                i += 1
            elif opts[i] == "--expect":
                expected.append(opts[i + 1])
                i += 1
            elif opts[i] == "--status":
                status = int(opts[i + 1])
                i += 1
            elif opts[i] == "--trace":
                trace = opts[i + 1]
                i += 1
            elif opts[i] == "--strsize":
                strsize = opts[i + 1]
                i += 1
            i += 1
        if argv[0] == "line":
            return expect_lines(argv[1], command, expected, "--follow" in opts, status)
        if "--needs-landlock" in opts and harness.landlock_abi() < 2:
            # CMD is the sandbox example, which refuses to run without its process isolation.
            print("skipped: CMD needs Landlock ABI 2 (Linux 5.19), which this kernel lacks")
            return 77
        if "--needs-netns" in opts and run3(["unshare", "-n", "true"])[0] != 0:
            print("skipped: `unshare -n` cannot make a network namespace here (not root?)")
            return 77
        return compare(argv[1], command, "--follow" in opts, "--multiset" in opts,
                       tuple(async_signals), "--in-fixture" in opts, trace, strsize)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
