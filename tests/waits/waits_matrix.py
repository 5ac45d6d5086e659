#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The signals x waits matrix: a tracer that asks for SIGNAL stops (or syscall stops, or
nothing but the exit) must be invisible to the tracee.

    waits_matrix.py RUNNER TARGET [--jobs N] [--timeout-ms MS] [--filter REGEX] [--list] ...

Every combination of

  wait         read (a pipe), nanosleep, clock_nanosleep, futex, wait4 (a child that exits
               later), accept (a unix socket), poll, select, ppoll, pselect6, epoll_wait,
               epoll_pwait, epoll_pwait2, rt_sigsuspend, rt_sigtimedwait; the five
               mask-swapping ones (ppoll, pselect6, the epoll_pwaits, rt_sigsuspend) and
               rt_sigtimedwait run with the signal blocked outside the wait, the others with
               it unblocked;
  disposition  caught-restart (a handler with SA_RESTART), caught (a handler without),
               ignored (SIG_IGN), default-term (SIG_DFL of SIGRTMIN+4, which terminates),
               default-ign (SIG_DFL of SIGWINCH, which is ignored); SIGRTMIN+4 because
               real-time signals queue, so every one sent is counted and a storm gives the
               same output every time; SA_RESTART is a dimension of the caught disposition
               only, as the kernel never looks at it without a handler;
  signals      one, two (20 ms apart), storm (32 back to back), all sent with kill(2) by
               another thread of the program, and timer (one, sent by the kernel from a POSIX
               timer; pending before the wait begins where the signal is blocked outside it:
               block, arm, wait);

is run by TARGET (waits_target) once untraced and four times traced by RUNNER (waits_runner,
spawn + Tracer::next, never FLAG_IGNORE): `signal` (STOP_SIGNAL), `syscall`
(STOP_PRE_SYSCALL|STOP_POST_SYSCALL), `both`, and `attached` (STOP_EXIT only). A traced run
passes when its stdout (waits_target prints the wait's result and the signal masks after the
wait and in the handler) and its exit status equal the untraced run's, and it ended within
--timeout-ms: the runner's watchdog kills it then. A failing run (untraced or traced) that
did not loop through stops gets a second chance with every bound four times longer, for a
loaded machine; a case that passes so is listed as NOTE with what its first run did.

The untraced run is the expectation; it must end by itself, and the target must not report on
stderr that its own assumptions broke (the sender never saw it asleep in the wait), or the
case fails as a broken harness. A wait the kernel lacks (ENOSYS untraced) is a skip.

One line per failing case says what differed (expected vs got), followed by what strace(1)
does with the same program (when installed): "differs too" marks a difference Linux makes
for any tracer. With --allow-strace-differences such a case, when strace(1) differs in exactly
the same way, counts as LINUX instead of failed. A table of failures by wait and tracing mode
and a summary line end the output. Exit status 0 when nothing failed, 1 otherwise, 77 when
tracing is not permitted here.

Cases run in parallel (--jobs, 2 by default), each job in a long-lived runner process (one
sanitizer start-up per job, not per run). Nothing is left behind: the driver is a child
subreaper, every runner is a session of its own that is killed as a whole if it stops
answering, and processes left in those sessions or reparented here make the test fail.
"""

import argparse
import ctypes
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time

WAITS = [
    "read", "nanosleep", "clock_nanosleep", "futex", "wait4", "accept", "poll", "select",
    "ppoll", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2", "rt_sigsuspend",
    "rt_sigtimedwait",
]
DISPOSITIONS = ["caught-restart", "caught", "ignored", "default-term", "default-ign"]
COUNTS = ["one", "two", "storm", "timer"]
MODES = ["signal", "syscall", "both", "attached"]

# A failing run is run again with every bound RETRY_FACTOR times longer before it fails (on
# a loaded machine a correct run can be slow), unless it looped: a tracer that meets the same
# stop again and again makes thousands of stops in the first bound, while a correct run makes
# at most about 300 (the program's own syscalls twice, and one SIGNAL stop per signal sent:
# at most 32 + SIGUSR1 + SIGCHLD).
SPINNING_STOPS = 400
SPINNING_SIGNAL_STOPS = 100
RETRY_FACTOR = 4

STATUS_RE = re.compile(r"^waits_runner: (exited \d+|killed by signal \d+|timeout after \d+ ms)$")


class Outcome:
    """One run: the runner's exit code, the program's stdout, how it ended, complaints."""

    def __init__(self, rc, out, err, seconds=0.0):
        self.seconds = seconds
        self.rc = rc
        self.out = out
        self.err = err
        self.status = None
        for line in err.splitlines():
            m = STATUS_RE.match(line)
            if m:
                self.status = m.group(1)
        self.complaints = [l for l in err.splitlines() if l.startswith("waits_target:")]
        self.runner_errors = [l for l in err.splitlines()
                              if l.startswith("waits_runner:") and not STATUS_RE.match(l)
                              and not l.startswith("waits_runner: stops ")]
        stops = [l for l in err.splitlines() if l.startswith("waits_runner: stops ")]
        self.stops = stops[-1][len("waits_runner: stops "):] if stops else ""
        self.retried = False

    def looped(self):
        """True when the tracer saw far more stops than a correct run makes."""
        text = re.sub(r"\(handler unknown: \d+\)", "", self.stops)
        counts = {k: int(n) for k, n in re.findall(r"(\w+)=(\d+)", text)}
        return sum(counts.values()) >= SPINNING_STOPS or \
            counts.get("signal", 0) >= SPINNING_SIGNAL_STOPS


class Runner:
    """A waits_runner --batch process: a session of its own, answering one line per case."""

    def __init__(self, path, sessions):
        self.path = path
        self.sessions = sessions
        self.start()

    def start(self):
        self.proc = subprocess.Popen([self.path, "--batch"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=None,
                                     start_new_session=True)
        self.sessions.add(self.proc.pid)
        self.buffer = b""

    killed = 0  # runners killed for not answering, over all jobs

    def kill(self):
        Runner.killed += 1
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def run(self, ident, argv, reply_timeout):
        """Sends one case; returns (rc, stdout, stderr, seconds), or None if the runner died or hung
        (it is then killed with its whole session and restarted)."""
        try:
            self.proc.stdin.write((" ".join([str(ident)] + argv) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            self.kill()
            self.start()
            return None
        sent = time.monotonic()
        deadline = sent + reply_timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            chunk = os.read(fd, 1 << 16) if ready else b""
            if not chunk:
                self.kill()
                self.start()
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        words = line.decode().split(" ")
        if len(words) != 4 or words[0] != str(ident):
            self.kill()
            self.start()
            return None
        return (int(words[1]), bytes.fromhex(words[2]).decode(errors="replace"),
                bytes.fromhex(words[3]).decode(errors="replace"), time.monotonic() - sent)


def first_difference(expected, got):
    """The first differing stdout line, as "line N: expected ..., got ..."."""
    e = expected.splitlines()
    g = got.splitlines()
    for i in range(max(len(e), len(g))):
        el = e[i] if i < len(e) else "(no line)"
        gl = g[i] if i < len(g) else "(no line)"
        if el != gl:
            return f'stdout line {i + 1}: expected "{el}", got "{gl}"'
    return None


def judge(expected, got, timeout_ms):
    """Why a traced run fails, or None when it passes."""
    if got is None:
        return "the runner stopped answering (killed with its session)"
    if got.rc == 77:
        return None  # handled by the caller as a skip
    if got.rc == 3:
        last = got.out.splitlines()[-1] if got.out.strip() else "(nothing)"
        bound = f"{timeout_ms} ms, then after {timeout_ms * RETRY_FACTOR} ms" if got.retried \
            else f"{timeout_ms} ms"
        why = f"timeout: killed after {bound} (expected {expected.status}); " \
              f"last stdout line: \"{last}\""
        if got.complaints:
            why += "; " + "; ".join(got.complaints)
        return why + (f"; stops {got.stops}" if got.stops else "")
    problems = []
    if got.rc != 0 or got.runner_errors:
        problems.append(f"runner exit code {got.rc}: " + "; ".join(got.runner_errors))
    if got.status != expected.status:
        problems.append(f"status: expected {expected.status}, got {got.status}")
    diff = first_difference(expected.out, got.out)
    if diff:
        problems.append(diff)
    if got.complaints:
        problems.append("; ".join(got.complaints))
    return "; ".join(problems) if problems else None


def same_difference(expected, got, ref):
    """True when `got` and `ref` (strace(1)) both ended by themselves, the same way, and
    differ from `expected` at the same line in the same way."""
    return got.rc == 0 and ref.rc == 0 and got.status == ref.status and \
        first_difference(expected.out, got.out) == first_difference(expected.out, ref.out)


def set_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def processes_in(sessions):
    """(pid, state, comm) of every process whose session is one of `sessions`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) in sessions:
            found.append((int(name), fields[0], comm))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runner")
    ap.add_argument("target")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout-ms", type=int, default=1500,
                    help="bound of one run; the watchdog kills the program after it")
    ap.add_argument("--sleep-ms", type=int, default=200,
                    help="how long the nanosleep and clock_nanosleep cases sleep")
    ap.add_argument("--bound-ms", type=int, default=1000,
                    help="how long the target's sender waits for the main thread to sleep")
    ap.add_argument("--filter", default=os.environ.get("PTRACE_API_WAITS_FILTER", ""),
                    help="run only cases whose name (WAIT DISPOSITION SIGNALS MODE) matches "
                         "(default: $PTRACE_API_WAITS_FILTER, which tests/run sets for its "
                         "sanitizer leg)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help="tracing modes to run, comma-separated; empty: only the untraced runs")
    ap.add_argument("--untraced-repeat", type=int, default=0,
                    help="run each untraced case this many more times and fail if it differs "
                         "(checks that the target is deterministic)")
    ap.add_argument("--allow-strace-differences", action="store_true",
                    help="count a failure that strace(1) shows identically as LINUX (a "
                         "difference Linux makes for every tracer), not as failed")
    ap.add_argument("--no-strace", action="store_true",
                    help="do not run failing cases under strace(1) for reference")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    modes = [m for m in args.modes.split(",") if m]
    pattern = re.compile(args.filter)
    programs = []
    for w in WAITS:
        for d in DISPOSITIONS:
            for c in COUNTS:
                wanted = [m for m in modes if pattern.search(f"{w} {d} {c} {m}")]
                if wanted or (not modes and pattern.search(f"{w} {d} {c}")):
                    programs.append(((w, d, c), wanted))
    if args.list:
        for (w, d, c), wanted in programs:
            for m in wanted:
                print(w, d, c, m)
        return 0
    for path in (args.runner, args.target):
        if not os.access(path, os.X_OK):
            print(f"waits matrix: SKIP: {path} is not built")
            return 77

    set_subreaper()
    sessions = set()
    work = queue.Queue()
    for p in programs:
        work.put(p)
    results = []  # (name, verdict, message); NOTE: a run that passed on retry
    lock = threading.Lock()
    not_permitted = threading.Event()
    reply_timeout = args.timeout_ms / 1000 + 20
    strace = None if args.no_strace else shutil.which("strace")
    slowest = []  # (seconds, name) of passing traced runs
    started = time.monotonic()

    def report(name, verdict, message=""):
        with lock:
            results.append((name, verdict, message))
            if verdict in ("FAIL", "LINUX", "NOTE") or args.verbose:
                print(f"{verdict} {name}" + (f": {message}" if message else ""), flush=True)

    def worker():
        runner = Runner(args.runner, sessions)
        ident = 0

        def run_with(head, w, d, c, scale=1):
            """One run of the program (w, d, c); `head` is the runner's MODE TIMEOUT_MS or
            strace(1)'s command line. `scale` multiplies the target's time bounds."""
            nonlocal ident
            ident += 1
            argv = [args.target, w, d, c, str(args.sleep_ms * scale),
                    str(args.bound_ms * scale)]
            r = runner.run(ident, head + argv, reply_timeout * scale)
            return Outcome(*r) if r is not None else None

        def attempt(mode, w, d, c, judge_run, command=()):
            """Runs `mode` (of `command`, when given); a failing run (judge_run says why)
            that did not loop through stops is run once more with every bound RETRY_FACTOR
            times longer: on a loaded machine a correct run can be slow, while a looping
            tracer loops again. Returns the outcome kept and, if the first run failed, why."""
            got = run_with([mode, str(args.timeout_ms)] + list(command), w, d, c)
            first = judge_run(got)
            if first is None or (got is not None and got.looped()):
                return got, None
            again = run_with([mode, str(args.timeout_ms * RETRY_FACTOR)] + list(command), w,
                             d, c, RETRY_FACTOR)
            if again is not None and again.rc == 3:
                again.retried = True
            return again, first

        def untraced_broken(base):
            if base is None:
                return "the runner stopped answering"
            if base.rc != 0 or base.status is None:
                return f"runner exit code {base.rc}: {base.err.strip()}"
            if base.complaints:
                return "; ".join(base.complaints)
            return None

        try:
            while not not_permitted.is_set():
                try:
                    (w, d, c), wanted = work.get_nowait()
                except queue.Empty:
                    return
                prefix = f"{w} {d} {c}"
                base, first = attempt("untraced", w, d, c, untraced_broken)
                broken = untraced_broken(base)
                if first and not broken:
                    report(f"{prefix} untraced", "NOTE", "passed on retry; first run: " + first)
                if not broken:
                    for _ in range(args.untraced_repeat):
                        again = run_with(["untraced", str(args.timeout_ms)], w, d, c)
                        if again is None or again.status != base.status or \
                                again.out != base.out:
                            diff = first_difference(base.out, again.out) if again else None
                            broken = "not deterministic: " + (diff or (
                                f"status {base.status} then {again.status if again else None}"))
                            break
                if broken:
                    for m in wanted or ["untraced"]:
                        report(f"{prefix} {m}", "FAIL", "untraced run broken: " + broken)
                    continue
                if not wanted:
                    report(f"{prefix} untraced", "PASS")
                unsupported = [l for l in base.out.splitlines() if l.startswith("unsupported:")]
                if unsupported:
                    for m in wanted:
                        report(f"{prefix} {m}", "SKIP", f"the kernel lacks {w} (ENOSYS)")
                    continue
                strace_ref = None  # (outcome, why) of the program under strace(1), once
                for m in wanted:
                    got, first = attempt(m, w, d, c,
                                         lambda o: judge(base, o, args.timeout_ms))
                    if got is not None and got.rc == 77:
                        not_permitted.set()
                        report(f"{prefix} {m}", "SKIP", "tracing is not permitted here: " +
                               got.err.strip())
                        return
                    why = judge(base, got, args.timeout_ms)
                    verdict = "FAIL" if why else "PASS"
                    if why and strace:
                        # The same program under strace(1), which traces with syscall stops
                        # too: tells a difference Linux makes for every tracer from ours.
                        if strace_ref is None:
                            ref, _ = attempt("untraced", w, d, c,
                                             lambda o: judge(base, o, args.timeout_ms),
                                             [strace, "-f", "-qq", "-o", "/dev/null", "--"])
                            strace_ref = (ref, judge(base, ref, args.timeout_ms))
                        ref, ref_why = strace_ref
                        why += " [strace(1): " + (
                            f"differs too: {ref_why}" if ref_why else "as untraced") + "]"
                        if args.allow_strace_differences and ref_why and \
                                same_difference(base, got, ref):
                            verdict = "LINUX"
                    elif first:
                        report(f"{prefix} {m}", "NOTE", "passed on retry; first run: " + first)
                    if not why:
                        with lock:
                            slowest.append((got.seconds, f"{prefix} {m}"))
                    report(f"{prefix} {m}", verdict, why or (
                        f"{got.seconds * 1000:.0f} ms; stops {got.stops}" if args.verbose
                        else ""))
        finally:
            runner.close()

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Nothing may be left. A runner reaps what its programs leave (it is a subreaper); only
    # a runner killed for not answering leaves orphans, which come to us: they are reaped
    # here, and anything still alive in the runners' sessions is a failure.
    elapsed = time.monotonic() - started
    leftovers = []
    alive = [p for p in processes_in(sessions) if p[1] != "Z"]
    if alive:
        leftovers.append("processes still alive in the runners' sessions: " +
                         ", ".join(f"{pid} {state} {comm}" for pid, state, comm in alive))
        for pid, _, _ in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    orphans = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.01)
        else:
            orphans.append(pid)
    if orphans and not Runner.killed:
        leftovers.append(f"orphans of runners that ended normally, reaped here: {orphans}")
    elif orphans:
        print(f"note: reaped {len(orphans)} orphans of the {Runner.killed} runner(s) killed")
    remaining = processes_in(sessions)
    if remaining:
        leftovers.append("processes left in the runners' sessions after reaping: " +
                         ", ".join(f"{pid} {state} {comm}" for pid, state, comm in remaining))
    for message in leftovers:
        print(f"FAIL cleanup: {message}")

    counts = {v: sum(1 for r in results if r[1] == v)
              for v in ("PASS", "FAIL", "SKIP", "LINUX", "NOTE")}
    if not_permitted.is_set():
        print(f"waits matrix: SKIP: tracing is not permitted here")
        return 77
    failed = [r for r in results if r[1] == "FAIL"]
    if failed:
        # Which (wait, mode) pairs fail, to see the pattern at a glance.
        table = {}
        for name, _, _ in failed:
            w, d, c, m = name.split(" ")
            table.setdefault(w, {}).setdefault(m, 0)
            table[w][m] += 1
        print("failing cases by wait and tracing mode (of "
              f"{len(DISPOSITIONS) * len(COUNTS)} each):")
        for w in WAITS:
            if w in table:
                print(f"  {w:16} " + "  ".join(f"{m}={table[w].get(m, 0)}" for m in MODES))
    if slowest:
        seconds, name = max(slowest)
        print(f"slowest passing traced run: {seconds * 1000:.0f} ms ({name}); "
              f"the bound is {args.timeout_ms} ms")
    cases = len(results) - counts["NOTE"]
    print(f"waits matrix: {cases} cases ({len(programs)} programs x tracing modes): "
          f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped"
          + (f", {counts['LINUX']} as under strace(1)" if counts['LINUX'] else "")
          + (f" ({counts['NOTE']} passed on retry)" if counts['NOTE'] else "") + " "
          f"in {elapsed:.0f} s" + (f"; {len(leftovers)} cleanup failures" if leftovers else ""))
    return 1 if failed or leftovers else 0


if __name__ == "__main__":
    sys.exit(main())
