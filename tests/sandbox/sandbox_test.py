#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of examples/sandbox on real programs (issue 12, items 3 and 4).

  sandbox_test.py escapes SANDBOX ESCAPE
      Every route of tests/sandbox/targets/escape.cpp out of a sandbox that denies mkdir and
      mkdirat, with and without a policy that asks the tracer: no directory may appear, every
      route must report EPERM (or ENOSYS where the sandbox answers so, or be killed by the
      filter), and nothing the command started may outlive the sandbox.
  sandbox_test.py isolation SANDBOX ESCAPE
      The process isolation alone: pidfd_getfd allowed by name still cannot reach the sandbox,
      and with --no-isolation the sandbox's memory and descriptors are reached (the checks can
      fail). A skip (77) where the kernel has no Landlock ABI 2, where the other commands run
      the example with --no-isolation.
  sandbox_test.py programs SANDBOX
      Ordinary programs (python3's subprocess, a shell pipeline, gcc, git) under an allow-most
      policy: the same output and exit status as without the sandbox; and exit statuses
      (code, 128 + signal), and the policy's errors.
  sandbox_test.py log SANDBOX
      --log prints strace's line for a denied call: compared with strace(1) injecting the same
      error (`-e inject=mkdir:error=EPERM`), " (INJECTED)" removed.

Every command runs with a time limit; exit 77 (a meson skip) when a program is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "support"))
import harness  # noqa: E402  (tests/support/harness.py)

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


# The example's flags for every run: --no-isolation where the kernel has no Landlock (ABI 2),
# which the example otherwise refuses to run without (main() decides).
EXAMPLE = {"path": None, "flags": []}


def run(cmd, timeout=60, **kw):
    if cmd and cmd[0] == EXAMPLE["path"]:
        cmd = [cmd[0]] + EXAMPLE["flags"] + cmd[1:]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def leftover(tag):
    """Processes whose command line holds `tag` (the test's private directory)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if tag.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


ROUTES = ["direct", "fork", "thread", "vfork", "exec", "daemon", "kill-sandbox", "io_uring",
          "own-filter", "listener", "untraced", "clone3", "ptrace", "x32", "int80",
          "sandbox-mem", "pidfd-getfd", "tiocsti"]
# What each route may report besides EPERM: the sandbox answers clone3 with ENOSYS (its flags
# are out of the filter's reach); a killed route reports nothing; the daemon reports EAGAIN
# itself (its attempt comes later, see its marker file); the open of the sandbox's
# /proc/PID/mem fails with EACCES (Landlock's rule for processes, through mm_access).
ALSO = {"clone3": {"ENOSYS"}, "daemon": {"EAGAIN"}, "sandbox-mem": {"EACCES"}}
KILLED_OK = {"x32", "int80", "kill-sandbox"}
# Routes whose guard exists only when the policy asks the tracer.
ASKING_ONLY = {"listener"}


def escapes(sandbox, escape):
    for asking in (False, True):
        policy = ["--deny", "mkdir,mkdirat"]
        if asking:
            policy += ["--ask", "openat", "--allow-path", "/"]
        mode = "asking" if asking else "kernel only"
        for route in ROUTES:
            if route == "sandbox-mem" and EXAMPLE["flags"]:
                continue  # only the isolation refuses it (the test "isolation", a skip here)
            if route == "tiocsti" and os.geteuid() != 0:
                # Only root may type into a terminal that is not its own: as another user the
                # kernel refuses the route's pseudo-terminal with EPERM, filter or not.
                if not asking:
                    print("note: tiocsti not tried: it shows the filter only as root")
                continue
            with tempfile.TemporaryDirectory(prefix="sandbox-escape-") as tmp:
                try:
                    r = run([sandbox] + policy + ["--", escape, route, tmp], timeout=30)
                except subprocess.TimeoutExpired:
                    check(False, f"{mode} {route}: the sandbox hung")
                    for pid in leftover(tmp):
                        os.kill(pid, 9)
                    continue
                lines = [l for l in r.stdout.splitlines() if l.startswith(route + ":")]
                results = {l.split(": ", 1)[1] for l in lines}
                if route == "exec" and "Operation not permitted" in r.stderr:
                    lines, results = ["exec: EPERM"], {"EPERM"}  # /bin/mkdir's own message
                created = os.path.exists(os.path.join(tmp, route))
                check(not created, f"{mode} {route}: no directory created ({r.stdout.strip()!r})")
                allowed = {"EPERM"} | ALSO.get(route, set())
                if route in ASKING_ONLY and not asking:
                    allowed |= {"created"}  # no guard needed: nothing asks the tracer
                if route in KILLED_OK and not lines:
                    check(r.returncode != 0, f"{mode} {route}: killed (status {r.returncode})")
                else:
                    check(bool(results) and results <= allowed,
                          f"{mode} {route}: reports {sorted(results)} (allowed {sorted(allowed)})")
                if route == "daemon":
                    # It must not outlive the sandbox: wait past its attempt, then look.
                    time.sleep(3)
                    check(not os.path.exists(os.path.join(tmp, "daemon-alive")),
                          f"{mode} daemon: killed when the command exited")
                if route == "kill-sandbox":
                    time.sleep(0.5)
                stray = leftover(tmp)
                check(not stray, f"{mode} {route}: nothing left running ({stray})")
                for pid in stray:
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
    # --keep-descendants: the daemon outlives the command, and stays bound by the filter;
    # when the policy asks, the sandbox answers it until it exits (then returns).
    for asking in ([], ["--ask", "openat", "--allow-path", "/"]):
        with tempfile.TemporaryDirectory(prefix="sandbox-escape-") as tmp:
            r = run([sandbox, "--deny", "mkdir,mkdirat", "--keep-descendants"] + asking +
                    ["--", escape, "daemon", tmp], timeout=30)
            marker = os.path.join(tmp, "daemon-alive")
            for _ in range(50):
                if os.path.exists(marker) and open(marker).read():
                    break
                time.sleep(0.1)
            text = open(marker).read().strip() if os.path.exists(marker) else ""
            mode = "asking" if asking else "kernel only"
            check(text == "EPERM", f"{mode} kept daemon: outlived the command, still denied "
                                   f"({text!r})")
            check(not os.path.exists(os.path.join(tmp, "daemon")),
                  f"{mode} kept daemon: no directory")
            check(r.returncode == 0, f"{mode} kept daemon: the command's status")


def isolation(sandbox, escape):
    """The sandbox's process isolation (SandboxOptions::isolate_processes, a Landlock domain)
    on its own: pidfd_getfd allowed by name (so no filter guards it) still cannot reach the
    sandbox; and without isolation (--no-isolation) the routes do reach it, so that the checks
    above can fail. Run as this user, root here: Landlock's rule holds whatever the
    capabilities, where Linux's own checks (uids, dumpable, Yama) let root through."""
    cases = [(["--allow", "pidfd_getfd"], "pidfd-getfd", "EPERM"),
             (["--ask", "openat", "--allow-path", "/"], "sandbox-mem", "EACCES")]
    # Without the isolation Linux's own checks decide: they let root through, and the same
    # user where Yama does not restrict attaching (absent, or ptrace_scope 0).
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            scope = int(f.read())
    except OSError:
        scope = 0
    if os.geteuid() == 0 or scope == 0:
        cases += [(["--no-isolation", "--allow", "pidfd_getfd"], "pidfd-getfd", "took"),
                  (["--no-isolation"], "sandbox-mem", "opened")]
    else:
        print(f"note: the --no-isolation cases not tried: Yama's ptrace_scope {scope} refuses "
              "them to this user anyway")
    with tempfile.TemporaryDirectory(prefix="sandbox-escape-") as tmp:
        for flags, route, want in cases:
            r = run([sandbox] + flags + ["--", escape, route, tmp], timeout=30)
            check(r.stdout.strip() == f"{route}: {want}" and r.returncode == 0,
                  f"{' '.join(flags)} {route}: {want} ({r.stdout.strip()!r}, status "
                  f"{r.returncode}, {r.stderr.strip()!r})")
            stray = leftover(tmp)
            check(not stray, f"{' '.join(flags)} {route}: nothing left running ({stray})")


def programs(sandbox):
    deny = ["--deny", "@mount,@reboot,@module,@setuid,ptrace,swapon,swapoff"]
    with tempfile.TemporaryDirectory(prefix="sandbox-programs-") as tmp:
        hello = os.path.join(tmp, "hello.c")
        with open(hello, "w") as f:
            f.write('#include <stdio.h>\nint main(void) { puts("hello"); return 3; }\n')
        cases = [
            ["python3", "-c",
             "import subprocess, sys; "
             "r = subprocess.run(['sh', '-c', 'echo from child; exit 5']); "
             "print('child status', r.returncode); sys.exit(4)"],
            ["sh", "-c", "seq 1 2000 | sort -r | head -3; ls / | wc -l"],
            ["sh", "-c", f"gcc -o {tmp}/hello {hello} && {tmp}/hello"],
            ["sh", "-c", f"cd {tmp} && git init -q repo && cd repo && echo a > a && "
             "git add a && git -c user.name=t -c user.email=t@t commit -qm one && "
             "git log --format=%s"],
            ["timeout", "5", "sh", "-c", "echo in timeout; exit 7"],
        ]
        for cmd in cases:
            if shutil.which(cmd[0]) is None or (cmd[0] == "sh" and "gcc" in cmd[2] and
                                                 shutil.which("gcc") is None):
                print(f"SKIP {cmd[0]}: not installed")
                continue
            plain = run(cmd, timeout=120, cwd=tmp)
            shutil.rmtree(os.path.join(tmp, "repo"), ignore_errors=True)
            boxed = run([sandbox] + deny + ["--"] + cmd, timeout=120, cwd=tmp)
            name = " ".join(cmd)[:60]
            check(boxed.returncode == plain.returncode,
                  f"{name}: status {boxed.returncode} == {plain.returncode}")
            check(boxed.stdout == plain.stdout, f"{name}: same output")
            if boxed.stdout != plain.stdout:
                print("  sandboxed:", boxed.stdout[:400], boxed.stderr[:400])
                print("  plain:    ", plain.stdout[:400])
            shutil.rmtree(os.path.join(tmp, "repo"), ignore_errors=True)
        # Exit statuses: the command's code, 128 + the signal that killed it.
        r = run([sandbox, "--", "sh", "-c", "exit 42"])
        check(r.returncode == 42, f"exit code 42 passed on ({r.returncode})")
        r = run([sandbox, "--", "sh", "-c", "kill -TERM $$"])
        check(r.returncode == 128 + 15, f"SIGTERM gives 143 ({r.returncode})")
        # Bad input: a clear message and status 2, nothing run.
        bad = os.path.join(tmp, "bad.policy")
        with open(bad, "w") as f:
            f.write("default allow\nerrno EPERN mkdir\n")
        r = run([sandbox, "--policy", bad, "--", "true"])
        check(r.returncode == 2 and f"{bad}:2:7: unknown errno 'EPERN'" in r.stderr,
              f"bad policy file: {r.stderr.strip()!r}")
        r = run([sandbox, "--deny", "mkdri", "--", "true"])
        check(r.returncode == 2 and "unknown syscall 'mkdri'" in r.stderr,
              f"bad --deny: {r.stderr.strip()!r}")
        r = run([sandbox, "--", "/nonexistent/program"])
        check(r.returncode == 127 and "No such file or directory" in r.stderr,
              f"missing program: {r.returncode} {r.stderr.strip()!r}")
        r = run([sandbox, "--policy", "/nonexistent.policy", "--", "true"])
        check(r.returncode == 2 and "cannot read policy" in r.stderr, "missing policy file")
        r = run([sandbox])
        check(r.returncode == 2 and "usage" in r.stderr, "no command: usage")


def log(sandbox):
    strace = shutil.which("strace")
    if strace is None:
        print("SKIP log: strace(1) is not installed")
        return 77
    with tempfile.TemporaryDirectory(prefix="sandbox-log-") as tmp:
        target = os.path.join(tmp, "d")
        mine = run([sandbox, "--deny", "mkdir,mkdirat", "--log", "--", "mkdir", target])
        theirs = run([strace, "-f", "-qq", "-e", "trace=mkdir,mkdirat",
                      "-e", "inject=mkdir,mkdirat:error=EPERM", "mkdir", target])
        def calls(text, prefix):
            out = []
            for line in text.splitlines():
                if line.startswith(prefix) or line.startswith("mkdir("):
                    line = line.split("] ", 1)[1] if line.startswith("[pid") else line
                    out.append(line.replace(" (INJECTED)", "").split(" = ")[0] + " = " +
                               line.replace(" (INJECTED)", "").split(" = ")[1].strip())
            return out
        ours = calls(mine.stderr, "[pid")
        strace_lines = calls(theirs.stderr, "[pid")
        check(ours == strace_lines and len(ours) == 1,
              f"--log line equals strace's: {ours} vs {strace_lines}")
        check(mine.returncode == theirs.returncode == 1, "mkdir fails in both")
        # An asked call is logged with the answer.
        r = run([sandbox, "--ask", "openat", "--allow-path", "/usr", "--allow-path", "/lib",
                 "--allow-path", "/etc", "--log", "--", "cat", "/proc/version"])
        check('openat(AT_FDCWD, "/proc/version", O_RDONLY) = -1 EACCES (Permission denied)'
              in r.stderr, "asked openat outside the allowed paths: EACCES, logged")
        check(r.returncode == 1, "cat fails")
    return 0


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    what, sandbox = sys.argv[1], os.path.abspath(sys.argv[2])
    EXAMPLE["path"] = sandbox
    abi = harness.landlock_abi()
    if abi < 2:
        if what == "isolation":
            print(f"skipped: the process isolation needs Landlock ABI 2 (Linux 5.19), this "
                  f"kernel has {abi or 'none'}")
            return 77
        EXAMPLE["flags"] = ["--no-isolation"]
        print(f"note: Landlock ABI {abi or 'none'}: the example runs with --no-isolation")
    status = 0
    if what == "escapes":
        escapes(sandbox, os.path.abspath(sys.argv[3]))
    elif what == "isolation":
        isolation(sandbox, os.path.abspath(sys.argv[3]))
    elif what == "programs":
        programs(sandbox)
    elif what == "log":
        status = log(sandbox)
    else:
        print(__doc__)
        return 2
    if FAILURES:
        print(f"{len(FAILURES)} failed")
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
