#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Drives real gdb in batch mode through GNU gdbserver and through examples/gdbserver, and
# compares the two transcripts (issue 13).
"""Tests of examples/gdbserver with real gdb, against GNU gdbserver.

  gdbserver_test.py [--server PATH] [--targets DIR] SCENARIO...
      For each scenario (tests/gdbserver/scenarios/SCENARIO.gdb), runs
        gdb -nx -batch -x common.gdb -ex 'target remote | SERVER - PROG ARGS' -x SCENARIO.gdb
      once with GNU gdbserver (/usr/bin/gdbserver, or $GNU_GDBSERVER) and once with PATH (the
      example), masks both transcripts (below) and compares them line by line; a difference
      fails with a unified diff. The attach scenario starts its program first and runs
      `SERVER --attach - PID`; the retransmit scenario starts the server 2.5 s late, so
      that gdb, back at its default 2 s remote timeout, sends its first packet again (the
      others set a 30 s timeout: a server slow to start on a loaded machine must not turn
      into that case by chance). Scenarios with a check of their own (detach, attach: the
      program goes on without gdb and writes a file; its exit code) run it after each server.
      SCENARIO `all` runs every one. DIR holds the built tests/targets programs (default
      $PTRACE_API_TARGETS). Some scenarios run real programs instead, named by absolute path
      (/bin/ls, /usr/bin/python3 with a script of programs/, /bin/bash): stripped, without
      debug information, as people use them; a missing one is a skip. An attach scenario
      may give its program a pipe for stdin and write a line to it after gdb has detached
      (shell_attach: bash waits in `read`). gdb reads the program and its libraries from this
      machine's files (`set sysroot /`), except in breakpoints, sharedlibs and attach, which
      read them through the server (`vFile:`, gdb's default start-up).
      threads_wrap runs gdb in PID and mount namespaces of its own (`unshare --pid --fork
      --mount-proc`), where it sets the next process id so that the program's thread ids wrap
      around at pid_max, as they do on a busy machine; its transcripts must also show that
      they did (a line each must hold: `expect`).
      Exit 77 (a meson skip) with `SKIP: reason` when PATH is not built, when gdb or GNU
      gdbserver is missing, or when a scenario needs what the machine lacks (hwatch: hardware
      debug registers, which do not fire on these VMs; probed with gdb's own native run;
      threads_wrap: root, and a PID namespace whose ns_last_pid can be set, probed).
  gdbserver_test.py --self-check N [--targets DIR] SCENARIO...
      Runs each scenario N + 1 times against GNU gdbserver and requires every masked
      transcript to equal the first one: the masking must leave nothing that differs between
      two runs of the same server (run this before trusting a comparison).
  gdbserver_test.py ... --show ...
      Also prints the first masked transcript of each scenario.
  gdbserver_test.py --list
      The scenarios.

Every run of gdb is bounded by a timeout (60 s; its process group is killed, and any process
it left is killed too). The harness is a child subreaper, so every process a scenario starts
(gdb, the server, the program, even a detached one) stays its descendant: after each run it
waits up to 10 s for all of them to be gone, reaps them, and fails when one is left (stopped,
traced, zombie or running), killing it.

Both servers are started under `setarch -R` (no address space randomization), and so is the
attach scenario's program: GNU gdbserver disables randomization of the programs it starts by
default (a server need not), and with randomization values that are not addresses may still
change from run to run (a register holding an offset within a page, say), which no masking of
addresses would catch. Addresses are masked anyway (below).

What is masked in both transcripts, because it differs between any two runs or any two servers
and says nothing about what gdb was told:
  - the `Remote debugging using ...` line (it names the server's path and command line) is
    dropped;
  - the server's own messages: its stderr goes to a file of its own (`2>FILE` in the `target
    remote |` command), not to gdb's transcript. They are the server's wording, not gdb's
    ("Process PROG created; pid = N", "Listening on port N", "Remote debugging using stdio",
    "stdin/stdout redirected", "Detaching from process N", "Child exited with status N"),
    and they reach the terminal through a pipe of their own, so their order relative to
    gdb's lines changes from run to run. The file is printed (masked likewise) on a failure;
  - addresses: every hexadecimal number with 5 to 12 significant digits (leading zeros are
    not counted: `0x00007ffff7fcb060` is one). No user-space address is below 0x10000
    (vm.mmap_min_addr) or above 0x7fffffffffff. Shorter numbers (flags, bytes read with x,
    small register values) and longer ones (the 64- and 128-bit lanes of ymm0, which hold
    known bytes) are compared. Where `info registers` shows such a masked value, the natural
    column after it (the same number in decimal) is masked too;
  - process and thread ids: after `process`, `LWP` and `pid`, and the `Thread PID.TID` of
    remote threads (not gdb's own thread numbers, `Thread 2 (...)`, which are compared): each
    distinct id becomes `<idK>`, K counting ids in the order of their first appearance, so
    that the same id printed twice stays the same;
  - the scenario's temporary directory (it holds the files the detach and attach programs
    write) becomes `<tmp>`;
  - runs of spaces become one space: gdb pads columns to the width of the numbers masked.
gdb's exit status is appended to each transcript and compared. Nothing else is masked: the
breakpoint numbers, source lines, values, signals, exit codes, thread numbers and the files
gdb reads from the remote target (`Reading FILE from remote target...`) must be the same.
"""

import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "support"))
import harness  # noqa: E402  (tests/support/harness.py)

SCENARIO_DIR = os.path.join(HERE, "scenarios")
TIMEOUT = 60  # per gdb run; a scenario takes 1 to 5 s
GNU = os.environ.get("GNU_GDBSERVER", "/usr/bin/gdbserver")
GDB = os.environ.get("GDB", "gdb")


# --- scenarios ----------------------------------------------------------------------------

class Scenario:
    """A .gdb file run on PROG ARGS ({tmp} in ARGS is the scenario's temporary directory,
    {targets} the directory of the tests' programs, masked as <targets> in transcripts).
    With `attach`, the harness starts the program and the server attaches to it. `files`
    maps a file name in {tmp} to the text the program must have written there after gdb
    left (detach, attach: the program went on and finished on its own; it writes the file
    last). `status` is the exit status the harness must reap from the program it started
    itself (attach; a program the server started may be reaped by the server, and is not
    checked so)."""

    def __init__(self, program, args=(), attach=False, files=None, status=None,
                 needs_hw_watch=False, late=False, feed=None, local_files=True,
                 pid_namespace=False, expect=(), extended=False, multi=False):
        self.program, self.args, self.attach = program, list(args), attach
        # `target extended-remote` instead of `target remote`: gdb may `run` the program
        # again (vRun) and the server outlasts a kill. With `multi`, the server starts with no
        # process (`--multi -`) and gdb is told the program (`set remote exec-file`, `set
        # args`) for the scenario's `run`.
        self.extended = extended or multi
        self.multi = multi
        self.files, self.status = files or {}, status
        # gdb (so the server and the program) runs in a PID namespace and a mount namespace
        # of its own, with its own /proc (`unshare --pid --fork --mount-proc`), where the
        # scenario may set the next process id (ns_last_pid) without touching the machine's.
        # Needs root; a skip otherwise, or when the namespace cannot be made.
        self.pid_namespace = pid_namespace
        # Lines each masked transcript must hold: what shows that the scenario tested what it
        # is for (two servers that both miss it would compare equal).
        self.expect = list(expect)
        self.needs_hw_watch = needs_hw_watch
        self.late = late  # the server starts 2.5 s late, with gdb's default 2 s timeout
        self.feed = feed  # attach: written to the program's stdin (a pipe) after gdb left
        # `set sysroot /`: gdb reads the program and its libraries from this machine's files
        # instead of through the server (vFile:, gdb's default), which costs a gdb session
        # about 1.2 CPU s for the tests' programs and seconds for big ones (python3). Only the
        # scenarios about start-up and files (breakpoints, sharedlibs, attach) read through
        # the server.
        self.local_files = local_files

    def path(self):
        """The program: a tests/targets program by name, or a real one by absolute path."""
        return self.program if os.path.isabs(self.program) else \
            os.path.join(TARGETS, self.program)

    def argv(self, tmp):
        """ARGS with {tmp}, {here} (this directory: the scripts of programs/) and {targets}
        filled in."""
        return [a.replace("{tmp}", tmp).replace("{here}", HERE).replace("{targets}", TARGETS)
                for a in self.args]


SCENARIOS = {
    "breakpoints": Scenario("gdb_basic", local_files=False),
    "stepping": Scenario("gdb_basic"),
    "backtrace": Scenario("gdb_basic"),
    "registers": Scenario("gdb_basic"),
    "memory": Scenario("gdb_basic"),
    "call": Scenario("gdb_basic"),
    "run_control": Scenario("gdb_basic"),
    "gcore": Scenario("gdb_basic", expect=["Saved corefile /dev/null"]),
    "swatch": Scenario("gdb_basic"),
    "hwatch": Scenario("gdb_basic", needs_hw_watch=True),
    "threads": Scenario("gdb_threads"),
    "scheduler_locking": Scenario("gdb_threads", ["spin"]),
    "step_handoff": Scenario("gdb_threads", ["handoff"]),
    "scheduler_locking_exit": Scenario("gdb_threads", ["handoff"]),
    "tls": Scenario("gdb_tls", ["{targets}/libtls_module.so"]),
    "threads_wrap": Scenario(
        "gdb_threads", pid_namespace=True,
        expect=["thread 2 has the last id, threads 3 and 4 smaller ones: True"]),
    "signals": Scenario("gdb_signals", ["usr1"]),
    "signal_change": Scenario("gdb_signals", ["usr1"]),
    "queue_signal": Scenario("gdb_signals", ["usr1"]),
    "segfault": Scenario("gdb_signals", ["segv"]),
    "call_at_signal": Scenario("gdb_signals", ["queue"],
                               expect=["$4 = 10", "$6 = 42", "[Inferior 1 (process <id1>) exited normally]"]),
    "sharedlibs": Scenario("gdb_basic", local_files=False),
    "detach": Scenario("gdb_basic", ["{tmp}/detached.txt"],
                       files={"detached.txt": "counter=3 total=14\n"}),
    "kill": Scenario("gdb_basic"),
    "retransmit": Scenario("gdb_basic", late=True),
    # The child's exit code in the parent's (033): it ran through a breakpoint untraced.
    "fork": Scenario("gdb_fork", expect=["[Detaching after fork from child process <id1>]",
                                         "[Inferior 1 (process <id2>) exited with code 033]"]),
    "extended_run": Scenario("gdb_fork", extended=True, expect=[
        "[Inferior 1 (process <id1>) killed]", "[Inferior 1 (process <id3>) exited with code 033]",
        '$2 = 0xADDR "extended"', "$3 = 0x0", '$4 = 0xADDR "/"']),
    "multi_run": Scenario("gdb_fork", multi=True, expect=[
        "[Inferior 1 (process <id2>) exited with code 033]", "$1 = 1", "$2 = 1"]),
    "follow_fork_child": Scenario("gdb_fork", expect=[
        "[Detaching after fork from parent process <id1>]",
        "[Inferior 2 (process <id2>) exited with code 027]"]),
    "vfork": Scenario("gdb_fork", ["vfork"], expect=["27\t if (child == 0) {", "$2 = 27"]),
    "thread_exec": Scenario("stepping", ["threadexec", "{targets}/stepping", "basic"],
                            expect=["process <id1> is executing new program: <targets>/stepping"]),
    "catch_fork": Scenario("gdb_fork", expect=["\tcatchpoint already hit 1 time",
                                               "[Inferior 1 (process <id2>) exited with code 033]"]),
    "attach": Scenario("gdb_sleeper", ["{tmp}/attached.txt"], attach=True,
                       files={"attached.txt": "rounds>0=1 stop=1\n"}, status=0,
                       local_files=False),
    # Real programs (not built for the tests; stripped, without debug information).
    "ls": Scenario("/bin/ls", ["-a", "{tmp}"]),
    "exec": Scenario("/usr/bin/env", ["/bin/ls", "-a", "{tmp}"],
                     expect=["process <id1> is executing new program: /usr/bin/ls"]),
    "catch_syscall": Scenario("/bin/ls", ["-a", "{tmp}"],
                              expect=["\tcatchpoint already hit 2 times"]),
    "py_libcall": Scenario("/usr/bin/python3", ["{here}/programs/py_libcall.py"]),
    "py_threads": Scenario("/usr/bin/python3", ["{here}/programs/py_threads.py"]),
    "py_spawn": Scenario("/usr/bin/python3", ["{here}/programs/py_spawn.py"],
                         expect=["[Inferior 1 (process <id1>) exited with code 03]"]),
    "shell_attach": Scenario("/bin/bash", ["-c", 'read x; echo "got $x" > {tmp}/shell.txt'],
                             attach=True, feed="line\n", files={"shell.txt": "got line\n"},
                             status=0),
}


# --- processes ----------------------------------------------------------------------------

def proc_status(pid):
    """(state letter, ppid, TracerPid, name) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8", errors="replace") as f:
            fields = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return None
    return (fields["State"].split()[0], int(fields["PPid"]), int(fields["TracerPid"]),
            fields["Name"])


def descendants():
    """Every process below this one: {pid: (state, ppid, tracer, name)}."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_status(int(entry))
            if st is not None:
                table[int(entry)] = st
    me = os.getpid()
    found, frontier = {}, [me]
    while frontier:
        parent = frontier.pop()
        for pid, st in table.items():
            if st[1] == parent and pid not in found and pid != me:
                found[pid] = st
                frontier.append(pid)
    return found


def kill_descendants():
    for pid in descendants():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.1)
    harness.reap()


def settle(seconds=10):
    """Waits until no descendant is left, reaping them. Returns (reaped {pid: status},
    leftovers {pid: status tuple}) after the wait; leftovers are killed."""
    reaped = {}
    deadline = time.monotonic() + seconds
    while True:
        reaped.update(harness.reap())
        left = descendants()
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if left:
        kill_descendants()
    return reaped, left


def setarch():
    path = shutil.which("setarch")
    return [path, "-R"] if path else []


def namespace_prefix():
    """The command that runs the rest in new PID and mount namespaces with their own /proc.
    A shell is the namespace's first process (its init, which Linux treats apart: signals it
    has no handler for are not delivered) and runs gdb as its child."""
    return [shutil.which("unshare") or "unshare", "--pid", "--fork", "--mount-proc", "--",
            "/bin/sh", "-c", '"$@"; exit $?', "sh"]


def namespace_works():
    """Whether a scenario can run in namespaces of its own and set ns_last_pid there:
    (True, "") or (False, why not)."""
    if os.geteuid() != 0:
        return False, "needs root to make a PID namespace and set its ns_last_pid"
    if shutil.which("unshare") is None:
        return False, "unshare(1) is not installed"
    probe = namespace_prefix() + ["/bin/sh", "-c", "echo 1000 > /proc/sys/kernel/ns_last_pid"]
    try:
        r = subprocess.run(probe, capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, "unshare did not finish within %d s" % TIMEOUT
    finally:
        settle(5)
    if r.returncode != 0:
        return False, "cannot set ns_last_pid in a PID namespace of its own: %s" % (
            (r.stderr.strip() or "exit status %d" % r.returncode).splitlines()[-1])
    return True, ""


def run_gdb(server, scenario, name, tmp, attach_pid=None):
    """One gdb run; returns (transcript, server log, timed out)."""
    log = os.path.join(tmp, "server.log")
    prefix = " ".join(setarch())
    before = []
    if scenario.late:
        prefix = "sleep 2.5; " + prefix
        before = ["-ex", "set remotetimeout 2"]
    if scenario.local_files:
        before += ["-ex", "set sysroot /"]
    # --once: GNU gdbserver in extended mode otherwise reopens stdio without end once gdb
    # has left (the example serves one connection in any case).
    target = "target extended-remote" if scenario.extended else "target remote"
    if scenario.extended:
        server += " --once"
    if attach_pid is not None:
        remote = "%s | %s %s --attach - %d 2>%s" % (target, prefix, server, attach_pid, log)
    elif scenario.multi:
        remote = "%s | %s %s --multi - 2>%s" % (target, prefix, server, log)
        before += ["-ex", "file " + scenario.path(),
                   "-ex", "set remote exec-file " + scenario.path(),
                   "-ex", "set args " + " ".join(shlex.quote(a) for a in scenario.argv(tmp))]
    else:
        # gdb runs the command with /bin/sh -c: every argument is quoted for it.
        args = " ".join(shlex.quote(a) for a in scenario.argv(tmp))
        remote = "%s | %s %s - %s %s 2>%s" % (target, prefix, server,
                                               shlex.quote(scenario.path()), args, log)
    argv = [GDB, "-nx", "-nh", "-batch", "-x", os.path.join(SCENARIO_DIR, "common.gdb")] + \
        before + ["-ex", remote, "-x", os.path.join(SCENARIO_DIR, name + ".gdb")]
    if scenario.pid_namespace:
        argv = namespace_prefix() + argv
    env = dict(os.environ, LC_ALL="C", TERM="dumb", COLUMNS="80", LINES="24")
    env.pop("DEBUGINFOD_URLS", None)
    proc = subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp, env=env)
    out, _, timed_out = harness.communicate(proc, TIMEOUT, on_timeout=kill_descendants)
    text = out.decode(errors="replace")
    text += "[gdb exit status %s]\n" % ("timeout" if timed_out else proc.returncode)
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            server_log = f.read()
    except OSError:
        server_log = ""
    return text, server_log, timed_out


# --- masking ------------------------------------------------------------------------------

ADDRESS = re.compile(r"\b0x0*[1-9a-fA-F][0-9a-fA-F]{4,11}\b")
REGISTER_LINE = re.compile(r"^(\w+)(\s+)(0x[0-9a-fA-F]+)(\s+)(-?\d+)$")
IDS = re.compile(r"\b(process|LWP|pid =?|Thread(?= \d+\.\d+)) (\d+)(?:\.(\d+))?")


class Masker:
    """Masks one transcript; ids are numbered per transcript, in order of appearance."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.ids = {}

    def id_of(self, text):
        if text not in self.ids:
            self.ids[text] = "<id%d>" % (len(self.ids) + 1)
        return self.ids[text]

    def ids_in(self, m):
        out = "%s %s" % (m.group(1), self.id_of(m.group(2)))
        if m.group(3) is not None:
            out += "." + self.id_of(m.group(3))
        return out

    def line(self, line):
        line = line.replace(self.tmp, "<tmp>")
        if TARGETS:
            line = line.replace(os.path.abspath(TARGETS), "<targets>")
        m = REGISTER_LINE.match(line)
        if m and ADDRESS.fullmatch(m.group(3)):
            line = "%s%s%s%s<dec>" % m.groups()[:4]
        line = ADDRESS.sub("0xADDR", line)
        line = IDS.sub(self.ids_in, line)
        return re.sub(r" {2,}", " ", line).rstrip()

    def transcript(self, text):
        return [self.line(l) for l in text.splitlines()
                if not l.startswith("Remote debugging using ")]


# --- checks -------------------------------------------------------------------------------

def hw_watch_fires():
    """Whether a hardware watchpoint fires on this machine: gdb's own native run of the
    program (no server) with `watch counter`. Returns (fires, why not)."""
    prog = os.path.join(TARGETS, "gdb_basic")
    argv = [GDB, "-nx", "-nh", "-batch", "-x", os.path.join(SCENARIO_DIR, "common.gdb"),
            "-ex", "break vector_loaded", "-ex", "run", "-ex", "watch counter",
            "-ex", "continue", "-ex", "kill", prog]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT,
                           start_new_session=True, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, "gdb's native probe timed out"
    finally:
        settle(5)
    out = r.stdout + r.stderr
    if "Hardware watchpoint 2: counter" in out and "Old value = 0" in out:
        return True, "it fired"
    if "Hardware watchpoint 2: counter" in out and "exited with code 016" in out:
        return False, ("hardware watchpoints do not fire on this machine (gdb's native `watch "
                       "counter` on gdb_basic never stopped: the program ran to its end)")
    last = [l for l in out.splitlines() if l.strip()][-1:] or ["no output"]
    return False, ("gdb's native probe of hardware watchpoints did not get to the watchpoint "
                   "(%s)" % last[0])


def run_scenario(server, name):
    """Runs one scenario with one server: (masked transcript, problems, raw text, log)."""
    scenario = SCENARIOS[name]
    problems = []
    with tempfile.TemporaryDirectory(prefix="gdbserver-test-") as tmp:
        attach_proc = None
        if scenario.attach:
            stdin = subprocess.PIPE if scenario.feed is not None else subprocess.DEVNULL
            attach_proc = subprocess.Popen(setarch() + [scenario.path()] + scenario.argv(tmp),
                                           stdin=stdin, start_new_session=True)
            # Running and asleep in its loop, or in its read (a second at most).
            comm = os.path.basename(scenario.program)[:15]
            for _ in range(100):
                st = proc_status(attach_proc.pid)
                if st is not None and st[3] == comm and st[0] == "S":
                    break
                time.sleep(0.01)
            time.sleep(0.3)
        text, log, timed_out = run_gdb(server, scenario, name, tmp,
                                       attach_proc.pid if attach_proc else None)
        if timed_out:
            problems.append("gdb did not finish within %d s (killed)" % TIMEOUT)
        if attach_proc is not None and scenario.feed is not None:
            # gdb has detached: what the program waits for, then the end of its input.
            try:
                attach_proc.stdin.write(scenario.feed.encode())
                attach_proc.stdin.close()
            except OSError as e:
                problems.append("could not write to the program's stdin: %s" % e)
        # The program may still be finishing on its own (detach, attach): wait for it.
        reaped, left = settle()
        if attach_proc is not None and attach_proc.pid in reaped:
            attach_proc.returncode = reaped[attach_proc.pid]  # reaped here, not by Popen
        for pid, st in left.items():
            problems.append("process %d (%s) was left behind in state %s, traced by %d "
                            "(killed)" % (pid, st[3], st[0], st[2]))
        for file_name, expected in scenario.files.items():
            path = os.path.join(tmp, file_name)
            try:
                with open(path, encoding="utf-8") as f:
                    got = f.read()
            except OSError:
                got = None
            if got != expected:
                problems.append("the program should have written %r to %s, found %r"
                                % (expected, file_name, got))
        if attach_proc is not None and scenario.status is not None:
            code = reaped.get(attach_proc.pid)
            code = "not reaped" if code is None else os.waitstatus_to_exitcode(code)
            if code != scenario.status:
                problems.append("the program should have exited with %d on its own, got %s"
                                % (scenario.status, code))
        masked = Masker(tmp).transcript(text)
        masked_log = Masker(tmp).transcript(log)
    return masked, problems, text, masked_log


def report_diff(a_name, a, b_name, b):
    diff = list(difflib.unified_diff(a, b, a_name, b_name, lineterm="", n=3))
    for line in diff[:200]:
        print("    " + line)
    if len(diff) > 200:
        print("    ... %d more diff lines" % (len(diff) - 200))


def cannot_run(scenario):
    """Why this machine cannot run the scenario (a skip), or None."""
    if not os.access(scenario.path(), os.X_OK):
        return "%s is not installed" % scenario.path()
    if scenario.needs_hw_watch:
        fires, reason = hw_watch_fires()
        if not fires:
            return reason
    if scenario.pid_namespace:
        works, reason = namespace_works()
        if not works:
            return reason
    return None


def compare(server, names, self_check):
    failures = 0
    for name in names:
        scenario = SCENARIOS[name]
        reason = cannot_run(scenario)
        if reason is not None:
            print("SKIP: %s: %s" % (name, reason))
            if len(names) == 1:
                return 77
            continue
        runs = [(GNU, "GNU gdbserver")]
        if self_check:
            runs += [(GNU, "GNU gdbserver (run %d)" % (i + 2)) for i in range(self_check)]
        else:
            runs.append((server, server))
        first = None
        ok = True
        for path, label in runs:
            masked, problems, raw, log = run_scenario(path, name)
            problems += ["gdb's transcript lacks the line %r" % line
                         for line in scenario.expect if line not in masked]
            for p in problems:
                print("FAIL %s (%s): %s" % (name, label, p))
                ok = False
            if problems:
                print("    --- gdb's transcript (masked):")
                for line in masked:
                    print("    " + line)
                print("    --- the server's stderr (masked):")
                for line in log:
                    print("    " + line)
            if first is None:
                first = (label, masked, log)
                # The reference must have worked: a scenario whose every command failed
                # would compare equal to any server that fails the same way.
                if masked[-1:] != ["[gdb exit status 0]"] or any(
                        "Error in sourced command file" in l or
                        "Remote communication error" in l for l in masked):
                    ok = False
                    print("FAIL %s: the reference run (%s) did not get through the scenario:"
                          % (name, label))
                    for line in masked + ["--- its stderr:"] + log:
                        print("    " + line)
            elif masked != first[1]:
                ok = False
                print("FAIL %s: the masked transcripts differ (%s, %s):" % (name, first[0], label))
                report_diff(first[0], first[1], label, masked)
                print("    --- %s's stderr (masked):" % first[0])
                for line in first[2]:
                    print("    " + line)
                print("    --- %s's stderr (masked):" % label)
                for line in log:
                    print("    " + line)
        if SHOW:
            print("    --- %s's transcript (masked):" % first[0])
            for line in first[1]:
                print("    " + line)
        if ok:
            print("ok   %s: %d runs, the same %d masked lines" % (name, len(runs), len(first[1])))
        else:
            failures += 1
    print("%d failure(s)" % failures)
    return 1 if failures else 0


def main(argv):
    global TARGETS, SHOW
    # The running gdb, its server and program, and what else is left below us.
    harness.on_termination(also=kill_descendants)
    server, self_check, names, i = None, 0, [], 0
    TARGETS = os.environ.get("PTRACE_API_TARGETS", "")
    while i < len(argv):
        if argv[i] == "--server" and i + 1 < len(argv):
            server, i = argv[i + 1], i + 1
        elif argv[i] == "--targets" and i + 1 < len(argv):
            TARGETS, i = os.path.abspath(argv[i + 1]), i + 1
        elif argv[i] == "--self-check" and i + 1 < len(argv):
            self_check, i = int(argv[i + 1]), i + 1
        elif argv[i] == "--show":
            SHOW = True
        elif argv[i] == "--list":
            print("\n".join(SCENARIOS))
            return 0
        elif argv[i] == "all":
            names += list(SCENARIOS)
        elif argv[i] in SCENARIOS:
            names.append(argv[i])
        else:
            print("gdbserver_test.py: unknown scenario or option %r (scenarios: %s)"
                  % (argv[i], ", ".join(SCENARIOS)), file=sys.stderr)
            return 2
        i += 1
    if not names:
        print(__doc__)
        return 2
    if not TARGETS or not os.access(os.path.join(TARGETS, "gdb_basic"), os.X_OK):
        print("gdbserver_test.py: --targets DIR must hold the built tests/targets programs "
              "(gdb_basic ...); got %r" % TARGETS, file=sys.stderr)
        return 2
    if shutil.which(GDB) is None:
        print("SKIP: gdb is not installed")
        return 77
    if not os.access(GNU, os.X_OK):
        print("SKIP: GNU gdbserver (%s) is not installed" % GNU)
        return 77
    if not self_check:
        if server is None:
            print("gdbserver_test.py: --server PATH (or --self-check N) is required",
                  file=sys.stderr)
            return 2
        if not os.access(server, os.X_OK):
            print("SKIP: the gdbserver example %s is not built" % server)
            return 77
        server = os.path.abspath(server)
    harness.become_subreaper()
    return compare(server, names, self_check)


TARGETS = ""
SHOW = False  # --show: print the first masked transcript of each scenario

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
