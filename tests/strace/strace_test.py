#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Runs the strace example on real programs: checks its lines, and compares it with strace(1).
"""Tests of examples/strace on real programs.

  strace_test.py check   EXAMPLE TARGET
      Runs the example on the deterministic target and checks lines of its output, the -o,
      -e trace= and -f options, and the errors for bad command lines.

  strace_test.py compare EXAMPLE [--follow] [--multiset] [--lines] -- CMD ARGS...
      Runs CMD under the example and under strace(1) (with -f when --follow), then compares
      the sequence of syscall names of every process and thread. Exit 77 (a meson skip)
      when strace(1) is not installed.

Normalisations, applied to both outputs, each for a documented reason:
  - processes and threads are named by their place in the clone tree ("1", "1.2" = the
    second child of the first process), not by pid, which differs between runs;
  - syscalls that strace shows returning "? ERESTART..." are dropped: the kernel restarts
    them, strace then shows the restarted call again, and the Redox design folds the two
    into one syscall (decision 18 of the spec). Unless the handler's rt_sigreturn returns
    -1 EINTR: then there is no restart, the program saw EINTR, and the example prints that
    call (after the handler), so it is kept. strace's `restart_syscall(<... resuming
    interrupted NAME ...>)` counts as NAME, the call the folding shows;
  - futex is dropped: how often threads wait on a lock depends on timing, not on the program;
  - the munmap calls right after an `mmap(NULL, 134217728, PROT_NONE, ...)` are dropped:
    that mapping is a new malloc arena, which glibc trims to an aligned 64 MiB with zero, one
    or two munmaps depending on the address randomisation (ASLR) gave it;
  - rt_sigreturn is compared by count, not by position: an asynchronous signal (the SIGCHLD
    of a child that exits) lands between whichever two syscalls the parent is at, and the
    handler's return follows it;
  - strace's `<unfinished ...>` / `<... resumed>` pairs count as one syscall.
With --lines (one process, simple mode) whole lines are compared as well, after replacing
what differs between any two runs: addresses (ASLR), set_tid_address's result (the pid),
getrandom's bytes, and the padding before `=`, whose width follows the addresses' length.
With --multiset each thread's names are compared as a multiset (counts per name) instead of a
sequence: used for the threaded Python program, whose threads interleave by timing. There,
mmap, munmap and mprotect are also left out, in every thread, because two of glibc's memory
decisions depend on timing: malloc gives a thread an arena of its own (one mmap, one munmap,
one mprotect) only when another thread holds the lock it wants, and pthread_create reuses
the stack of a thread that has already exited instead of mapping a new one (mmap, and
mprotect for its guard page).
"""

import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

TIMEOUT = 120
running = None  # the process group of the command being run, for the SIGTERM handler


def on_term(signum, _frame):
    """meson's timeout sends SIGTERM: take the running command's process group along."""
    if running is not None:
        try:
            os.killpg(running.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    sys.exit(128 + signum)


def run(argv):
    """Runs argv in its own process group; on a timeout the whole group is killed, so that
    no tracer or tracee outlives the test."""
    global running
    proc = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    running = proc
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    finally:
        running = None
    return proc.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace")


# --- parsing -------------------------------------------------------------------------------

OURS_PREFIX = re.compile(r"^\[pid (\d+)\] (.*)$")
STRACE_PREFIX = re.compile(r"^(\d+)\s+(.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")


def split_call(text):
    """'name(args) = result' -> (name, result or None). Quoted strings may hold parens."""
    paren = text.find("(")
    if paren <= 0:
        return None, None
    name = text[:paren]
    depth, i, quoted = 0, paren, False
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
        i += 1
    rest = text[i + 1:]
    m = re.match(r"^\s*= (.*)$", rest)
    return name, (m.group(1) if m else None)


def parse(path, prefix):
    """The records of an output file, in order: (pid, kind, name, result, text) with kind
    'call', 'signal' or 'exit'. Lines without a pid prefix belong to pid 0."""
    records = []
    unfinished = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = prefix.match(line)
            pid, text = (int(m.group(1)), m.group(2)) if m else (0, line)
            if text.startswith("--- "):
                records.append((pid, "signal", text.split()[1], None, text))
            elif text.startswith("+++ "):
                records.append((pid, "exit", text, None, text))
            elif text.endswith("<unfinished ...>"):
                name = text[: text.find("(")]
                unfinished[pid] = len(records)
                records.append((pid, "call", name, None, text))
            elif RESUMED.match(text):
                r = RESUMED.match(text)
                _, result = split_call(r.group(1) + "(" + r.group(2))
                if pid in unfinished:
                    i = unfinished.pop(pid)
                    records[i] = (pid, "call", r.group(1), result, records[i][4])
            else:
                name, result = split_call(text)
                if name:
                    records.append((pid, "call", name, result, text))
    return records


CLONES = ("clone", "clone3", "fork", "vfork")


def process_labels(records):
    """{pid: label}: "1" for the first process, "1.2" for its second child, and so on. Built
    from all clone results first, because a child's first lines may be printed before its
    parent's clone line (the example prints each syscall at its exit)."""
    if not records:
        return {}
    labels = {records[0][0]: "1"}
    kids = collections.defaultdict(list)
    for pid, kind, name, result, _ in records:
        if kind == "call" and name in CLONES and result and result.isdigit():
            kids[pid].append(int(result))
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


def per_process(records, multiset=False):
    """{label: [syscall names]} with the normalisations of the module docstring; the count of
    rt_sigreturn goes to the entry `label rt_sigreturn`, the +++ line to `label exit`."""
    labels, out = process_labels(records), collections.defaultdict(list)
    in_arena_trim = set()  # labels whose last call mapped a malloc arena
    ended_by_eintr = set()  # indexes of "? ERESTART" calls that returned EINTR after all
    for i, (pid, kind, name, result, _) in enumerate(records):
        if kind == "call" and result is not None and result.startswith("? ERESTART"):
            for later in records[i + 1:]:
                if later[0] == pid and later[2] == "rt_sigreturn":
                    if later[3] is not None and later[3].startswith("-1 EINTR"):
                        ended_by_eintr.add(i)
                    break
    for i, (pid, kind, name, result, text) in enumerate(records):
        label = labels.get(pid, "?%d" % pid)  # unknown parent: keep apart
        if kind == "exit":
            out[label + " exit"].append(text)
        if kind != "call":
            continue
        if result is not None and result.startswith("? ERESTART") and i not in ended_by_eintr:
            continue
        resuming = re.search(r"<\.\.\. resuming interrupted (\w+) \.\.\.>", text)
        if name == "restart_syscall" and resuming:
            name = resuming.group(1)
        if name == "munmap" and label in in_arena_trim:
            continue
        if text.startswith("mmap(NULL, 134217728, PROT_NONE,"):
            in_arena_trim.add(label)
        else:
            in_arena_trim.discard(label)
        if name == "futex":
            continue
        if name == "rt_sigreturn":
            out[label + " rt_sigreturn"].append(name)
            continue
        if multiset and name in ("mmap", "munmap", "mprotect"):
            continue
        out[label].append(name)
    return out


def normalised_lines(path):
    """The lines of an output file with the run-to-run differences of --lines replaced."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = re.sub(r"0x[0-9a-f]+", "ADDR", line.rstrip("\n"))
            line = re.sub(r"^(set_tid_address\(ADDR\)\s+= )\d+$", r"\1PID", line)
            line = re.sub(r'^getrandom\("(\\x[0-9a-f]{2})*"', "getrandom(RANDOM", line)
            out.append(re.sub(r"\)\s+= ", ") = ", line))
    return out


def compare(example, follow, multiset, command, lines=False):
    strace = shutil.which("strace")
    if strace is None:
        print("SKIP: strace(1) is not installed")
        return 77
    if shutil.which(command[0]) is None:
        print("SKIP: %s is not installed" % command[0])
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        ours_path = os.path.join(tmp, "ours.txt")
        theirs_path = os.path.join(tmp, "strace.txt")
        flag = ["-f"] if follow else []
        code_ours, _, err_ours = run([example] + flag + ["-o", ours_path, "--"] + command)
        code_theirs, _, err_theirs = run([strace] + flag + ["-o", theirs_path, "--"] + command)
        if code_ours != code_theirs:
            print("exit codes differ: example %d, strace %d" % (code_ours, code_theirs))
            print(err_ours, err_theirs)
            return 1
        ours = per_process(parse(ours_path, OURS_PREFIX), multiset)
        theirs = per_process(parse(theirs_path, STRACE_PREFIX), multiset)
        failed = False
        if sorted(ours) != sorted(theirs):
            print("process trees differ: example %s, strace %s" % (sorted(ours), sorted(theirs)))
            failed = True
        for label in sorted(set(ours) | set(theirs)):
            a, b = ours.get(label, []), theirs.get(label, [])
            same = collections.Counter(a) == collections.Counter(b) if multiset else a == b
            print("%-18s example %4d, strace %4d: %s"
                  % (label, len(a), len(b), "same" if same else "DIFFERENT"))
            if not same:
                failed = True
                show_difference(a, b, multiset)
        if lines:
            a, b = normalised_lines(ours_path), normalised_lines(theirs_path)
            same = a == b
            print("%-18s example %4d, strace %4d: %s"
                  % ("whole lines", len(a), len(b), "same" if same else "DIFFERENT"))
            if not same:
                failed = True
                for i, (x, y) in enumerate(zip(a + [""] * len(b), b + [""] * len(a))):
                    if x != y:
                        print("    line %d:\n    example: %s\n    strace:  %s" % (i + 1, x, y))
                        break
        if failed:
            for name, path in (("example", ours_path), ("strace", theirs_path)):
                print("---- %s output ----" % name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    sys.stdout.write(f.read())
        return 1 if failed else 0


def show_difference(a, b, multiset):
    if multiset:
        ca, cb = collections.Counter(a), collections.Counter(b)
        for name in sorted(set(ca) | set(cb)):
            if ca[name] != cb[name]:
                print("    %-20s example %d, strace %d" % (name, ca[name], cb[name]))
        return
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    print("    first difference at #%d: example %s, strace %s" % (i, a[i:i + 5], b[i:i + 5]))


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
        code, stdout, stderr = run([example, "-o", out, target])
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
            "--- SIGUSR1 {si_signo=SIGUSR1} ---",
            'write(1, "in the handler\\n", 15) = 15',
            "rt_sigreturn() = 0",
            'read(3, "x", 1) = 1',
            "exit_group(0) = ?",
            "+++ exited with 0 +++",
        ]
        unpadded = [re.sub(r"\)\s+= ", ") = ", line) for line in lines]
        for want in expected:
            c.expect("line: " + want, want in unpadded)
        c.expect("strace's alignment: '=' at column 40 for short calls",
                 any(re.match(r"^close\(3\)\s{32}= 0$", line) for line in lines))
        c.expect("the last line is the exit", bool(lines) and lines[-1] == "+++ exited with 0 +++")
        c.expect("simple mode does not follow the forked child",
                 not any("exited with 3" in line for line in lines))

        # Advanced mode: the child process and the thread are followed.
        code, stdout, stderr = run([example, "-f", "-o", out, target])
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
        code, _, stderr = run([example, "-o", out, "-e", "trace=write,close", target])
        lines = open(out, encoding="utf-8").read().splitlines()
        names = {split_call(line)[0] for line in lines if not line.startswith(("---", "+++"))}
        c.expect("-e trace=write,close prints only write and close", names == {"write", "close"},
                 str(names))
        c.expect("-e trace= keeps signal and exit lines",
                 "--- SIGUSR1 {si_signo=SIGUSR1} ---" in lines and "+++ exited with 0 +++" in lines)

        # Without -o the trace goes to stderr.
        code, stdout, stderr = run([example, "-e", "trace=exit_group", target])
        c.expect("without -o the trace goes to stderr",
                 [line for line in stderr.splitlines() if not line.startswith("---")]
                 == ["exit_group(0)                           = ?", "+++ exited with 0 +++"],
                 stderr)

        # Command lines that cannot work.
        code, _, stderr = run([example, "no-such-program-xyz"])
        c.expect("a command not in PATH is refused like strace does",
                 code == 1 and "Can't stat 'no-such-program-xyz'" in stderr, stderr)
        code, _, stderr = run([example, "-e", "trace=nosuchcall", "true"])
        c.expect("an unknown syscall name is refused",
                 code == 1 and "invalid system call 'nosuchcall'" in stderr, stderr)
        code, _, stderr = run([example])
        c.expect("no command is refused", code == 1 and "must have PROG" in stderr, stderr)

        # An exit code and a death by signal pass through.
        code, _, _ = run([example, "-o", out, "sh", "-c", "exit 7"])
        c.expect("the tracee's exit code is strace's exit code (7)", code == 7)
        code, _, _ = run([example, "-o", out, "sh", "-c", "kill -TERM $$"])
        lines = open(out, encoding="utf-8").read().splitlines()
        c.expect("a death by signal: +++ killed by SIGTERM +++ and exit code 143",
                 code == 143 and lines[-1] == "+++ killed by SIGTERM +++", "%d %s" % (code, lines[-3:]))
    print("%d failure(s)" % c.failures)
    return 1 if c.failures else 0


def main(argv):
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    if len(argv) >= 2 and not os.access(argv[1], os.X_OK):
        print("SKIP: the example %s is not built (examples disabled?)" % argv[1])
        return 77
    if len(argv) >= 3 and argv[0] == "check":
        return check(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "compare" and "--" in argv:
        split = argv.index("--")
        opts, command = argv[2:split], argv[split + 1:]
        return compare(argv[1], "--follow" in opts, "--multiset" in opts, command,
                       "--lines" in opts)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
