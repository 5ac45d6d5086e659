#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of examples/debugger: the debugger is fed a script on stdin and its transcript is
checked line by line.

  debugger_example_test.py GROUP DEBUGGER TARGETS_DIR

GROUP is one of the groups in CASES (breakpoints, stepping, inspect, threads, errors) or
`lifetime` (the end of the input, a killed debugger, a terminal). TARGETS_DIR holds the test
programs (tests/targets: lesson, debuggee_nopie, stepping).

Expected lines are exact, except that in them ADDR stands for any hex number (an address),
PID for any decimal number (a process or thread id, a function offset) and ANY for anything
(values that differ from run to run, such as most registers); they must appear in the transcript
in the given order (other lines may come between). Every run is bounded by a timeout, and
after it every process the debugger started (its "Process N started" lines) must be gone.
Exit 77 (a meson skip) when the example is not built.
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def pattern(line):
    """An expected line as a regular expression: ADDR and PID masked, the rest literal."""
    parts = re.split(r"(ADDR|PID|ANY)", line)
    out = ""
    for p in parts:
        out += {"ADDR": "0x[0-9a-f]+", "PID": "[0-9]+", "ANY": ".*"}.get(p, re.escape(p))
    return re.compile(out)


def in_order(transcript, expected):
    """The first expected line not found in order after the previous ones, or None."""
    lines = transcript.splitlines()
    i = 0
    for want in expected:
        rx = pattern(want)
        while i < len(lines) and not rx.fullmatch(lines[i]):
            i += 1
        if i == len(lines):
            return want
        i += 1
    return None


def gone(pid, seconds=5.0):
    """Whether process `pid` has disappeared (reaped) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not os.path.exists(f"/proc/{pid}"):
            return True
        time.sleep(0.05)
    return False


def started_pids(transcript):
    return [int(m) for m in re.findall(r"^Process (\d+) started", transcript, re.M)]


def run_script(name, debugger, argv, script, expected, status=0, absent=()):
    failures_before = len(FAILURES)
    try:
        r = subprocess.run([debugger] + argv, input=script, capture_output=True, text=True,
                           timeout=60)
        out = r.stdout + r.stderr
        code = r.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        check(False, f"{name}: the debugger finished within 60 s")
        code = None
    missing = in_order(out, expected)
    check(missing is None, f"{name}: expected lines in order" +
          ("" if missing is None else f" (missing: {missing!r})"))
    check(code == status, f"{name}: exit status {code}, expected {status}")
    for a in absent:
        check(a not in out, f"{name}: no {a!r} in the transcript")
    for pid in started_pids(out):
        check(gone(pid), f"{name}: process {pid} is gone after the debugger")
    if len(FAILURES) > failures_before:
        print(f"---- transcript of {name} ----\n{out}---- end ----")
    return out


def script(*lines):
    return "".join(line + "\n" for line in lines)


def factorial_code(lesson):
    """Offsets in lesson's factorial, from objdump: every instruction's, the recursive call's
    and the return address's (the instruction after the call). They differ between g++ and
    clang, so the expected lines are made from them."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", lesson], capture_output=True,
                         text=True, check=True).stdout
    body = out.split("<factorial>:\n", 1)[1].split("\n\n", 1)[0]
    rows = [re.match(r"\s*([0-9a-f]+):\s+(\S+)", line) for line in body.splitlines()]
    rows = [(int(m.group(1), 16), m.group(2)) for m in rows if m]
    start = rows[0][0]
    insns = [a - start for a, _ in rows]
    calls = [i for i, (_, mnemonic) in enumerate(rows) if mnemonic.startswith("call")]
    return insns, insns[calls[0]], insns[calls[0] + 1]


def cases(t, debugger):
    """GROUP -> [(name, argv, script, expected lines, exit status, strings that must not
    appear)]. `t` is the targets directory."""
    lesson = f"{t}/lesson"
    # examples/countdown, beside the example: 14 instructions without libc, the last exit.
    countdown = os.path.join(os.path.dirname(os.path.dirname(debugger)), "countdown")
    countdown_cases = [
        ("stepi to the end of a program", [countdown],
         script("bt", "si 13", "si", "si"),
         ["Process PID started: " + countdown + ", stopped at _start (its entry point; "
          "PID objects loaded)",
          # _start's rbp is 0: the outermost frame, nothing above it.
          "(dbg) bt", "#0  ADDR in _start", "(dbg) si 13", "ADDR in _start+PID",
          "(dbg) si", "[Inferior 1 (process PID) exited normally]",
          "(dbg) si", "error: the program is not running (exited normally); `run` starts "
          "it again"], 0, ["no more frames"]),
    ] if os.path.exists(countdown) else []
    insns, call, ret = factorial_code(lesson)
    return {
        "breakpoints": [
            ("counts in a loop", [lesson],
             script("break tick", "info breakpoints", "run", "c", "c", "c", "c",
                    "info breakpoints", "c"),
             ["Process PID started: " + lesson + ", stopped at _start (its entry point; "
              "PID objects loaded)",
              "(dbg) break tick", "Breakpoint 1 at ADDR <tick>",
              "(dbg) info breakpoints",
              "Num  Type            Enb  Address             What",
              "1    breakpoint      y    ADDR  tick",
              "(dbg) run", "Breakpoint 1, ADDR in tick",
              "(dbg) c", "Breakpoint 1, ADDR in tick",
              "(dbg) info breakpoints",
              "1    breakpoint      y    ADDR  tick",
              "     breakpoint already hit 5 times",
              "(dbg) c", "factorial(5) = 120",
              "[Inferior 1 (process PID) exited normally]"], 0, ["error:"]),
            ("tbreak, disable, enable, delete", [lesson],
             script("tbreak tick", "break factorial", "disable 2", "run", "info breakpoints",
                    "enable 2", "c", "delete 2", "c", "delete", "info breakpoints"),
             ["Temporary breakpoint 1 at ADDR <tick>", "Breakpoint 2 at ADDR <factorial>",
              "(dbg) run", "Temporary breakpoint 1, ADDR in tick",
              "(dbg) info breakpoints", "2    breakpoint      n    ADDR  factorial",
              "(dbg) enable 2", "(dbg) c", "Breakpoint 2, ADDR in factorial",
              "(dbg) delete 2", "(dbg) c", "factorial(5) = 120",
              "[Inferior 1 (process PID) exited normally]",
              "(dbg) info breakpoints", "No breakpoints."], 0, ["error:"]),
            ("address, qualified names, run again", [lesson],
             script("break *tick+4", "break lesson:factorial", "break libc.so.6:exit",
                    "run", "c", "c", "kill", "run", "info breakpoints", "quit"),
             ["Breakpoint 1 at ADDR <tick+4>", "Breakpoint 2 at ADDR <factorial>",
              "Breakpoint 3 at ADDR <exit>",
              "(dbg) run", "Breakpoint 1, ADDR in tick+4",
              "(dbg) c", "Breakpoint 1, ADDR in tick+4",
              "(dbg) c", "Breakpoint 1, ADDR in tick+4",
              "(dbg) kill", "[Inferior 1 (process PID) killed]",
              "(dbg) run", "Process PID started: " + lesson + ", stopped at _start (its "
              "entry point; PID objects loaded)",
              "Breakpoint 1, ADDR in tick+4",
              "(dbg) info breakpoints", "1    breakpoint      y    ADDR  *tick+4 <tick+4>",
              "2    breakpoint      y    ADDR  lesson:factorial",
              "3    breakpoint      y    ADDR  libc.so.6:exit",
              "(dbg) quit", "[Inferior 1 (process PID) killed]"], 0, ["error:"]),
            ("a local symbol of a program without PIE", [f"{t}/debuggee_nopie"],
             script("break debuggee_nopie:debuggee_local", "run", "bt", "x/dw debuggee_counter",
                    "finish", "c"),
             ["Breakpoint 1 at ADDR <debuggee_local>",
              "(dbg) run", "Breakpoint 1, ADDR in debuggee_local",
              "(dbg) bt", "#0  ADDR in debuggee_local", "#1  ADDR in main+PID",
              "(dbg) x/dw debuggee_counter", "ADDR <debuggee_counter>:\t7",
              "(dbg) finish", "Run till exit from #0  ADDR in debuggee_local",
              "ADDR in main+PID", "Value returned in rax: 0x8 (8)",
              "[Inferior 1 (process PID) exited normally]"], 0, ["error:"]),
            ("the program's own int3", [f"{t}/stepping", "basic"],
             script("run", "c"),
             ["(dbg) run",
              "The program's own int3 at ADDR <own_int3+PID> (SIGTRAP), stopped after it: "
              "ADDR in own_int3+PID",
              "(dbg) c", "[Inferior 1 (process PID) exited normally]"], 0, ["error:"]),
        ],
        "stepping": countdown_cases + [
            ("bt through recursion, finish", [lesson],
             script("break factorial", "run", "c", "c", "c", "c", "bt", "bt 2", "finish",
                    "bt", "delete 1", "finish", "finish"),
             ["(dbg) bt", "#0  ADDR in factorial", f"#1  ADDR in factorial+{ret}",
              f"#2  ADDR in factorial+{ret}", f"#3  ADDR in factorial+{ret}",
              f"#4  ADDR in factorial+{ret}", "#5  ADDR in main+PID",
              "(dbg) bt 2", "#0  ADDR in factorial", f"#1  ADDR in factorial+{ret}",
              "(more stack frames follow: bt N shows N frames)",
              "(dbg) finish", "Run till exit from #0  ADDR in factorial",
              f"ADDR in factorial+{ret}", "Value returned in rax: 0x1 (1)",
              "(dbg) bt", f"#0  ADDR in factorial+{ret}", f"#1  ADDR in factorial+{ret}",
              f"#2  ADDR in factorial+{ret}", f"#3  ADDR in factorial+{ret}",
              "#4  ADDR in main+PID",
              "(dbg) finish", f"ADDR in factorial+{ret}", "Value returned in rax: 0x2 (2)",
              "(dbg) finish", f"ADDR in factorial+{ret}", "Value returned in rax: 0x6 (6)"],
             0, ["error:"]),
            ("stepi from a function's entry", [lesson],
             script("break factorial", "run", "si", "si", "bt", "si 2", "c"),
             # push rbp (1 byte), mov rbp, rsp (3 bytes): the same at -O0 for g++ and clang.
             ["(dbg) si", "ADDR in factorial+1", "(dbg) si", "ADDR in factorial+4",
              "(dbg) bt", "#0  ADDR in factorial+4", "#1  ADDR in main+PID",
              "(dbg) si 2", f"ADDR in factorial+{insns[4]}",
              "(dbg) c", "Breakpoint 1, ADDR in factorial"], 0, ["error:"]),
            ("stepi into a call, next over it, finish", [lesson],
             script(f"break *factorial+{call}", "run", "si", "bt", "finish", "disable 1",
                    "next", "bt", "p $rax", "finish", "c"),
             [f"Breakpoint 1 at ADDR <factorial+{call}>",
              "(dbg) run", f"Breakpoint 1, ADDR in factorial+{call}",
              # stepi follows the call into factorial(4).
              "(dbg) si", "ADDR in factorial",
              "(dbg) bt", "#0  ADDR in factorial", f"#1  ADDR in factorial+{ret}",
              "#2  ADDR in main+PID",
              # finish is cut short by the breakpoint, hit by factorial(4)'s own call.
              "(dbg) finish", "Run till exit from #0  ADDR in factorial",
              f"Breakpoint 1, ADDR in factorial+{call}",
              # next runs factorial(3) to its return: rax holds 6, one frame is still below.
              "(dbg) next", f"ADDR in factorial+{ret}",
              "(dbg) bt", f"#0  ADDR in factorial+{ret}", f"#1  ADDR in factorial+{ret}",
              "#2  ADDR in main+PID",
              "(dbg) p $rax", "$rax = 0x6 (6)",
              "(dbg) finish", f"Run till exit from #0  ADDR in factorial+{ret}",
              f"ADDR in factorial+{ret}", "Value returned in rax: 0x18 (24)",
              "(dbg) c", "factorial(5) = 120", "[Inferior 1 (process PID) exited normally]"],
             0, ["error:"]),
        ],
        "inspect": [
            ("registers, memory, print", [lesson],
             script("break tick", "run", "regs", "x/s greeting", "x/2s greeting",
                    "x/8xb pattern", "x/2xh pattern", "x/2xw &pattern", "x/xg big_value",
                    "x/2xg words", "x/16xb words", "x/dg big_value", "x/dw pattern+4",
                    "x/3c greeting",
                    "p $rip", "p $pc+4", "p greeting", "p $rdi", "p 0x10"),
             ["(dbg) regs"] +
             # Every register in gdb's order; rdi is tick's argument 0, rip is at tick.
             [f"{name:<15}ADDRANY" for name in (
                 "rax", "rbx", "rcx", "rdx", "rsi")] +
             ["rdi            0x0                0"] +
             [f"{name:<15}ADDRANY" for name in (
                 "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")] +
             ["rip            ADDRANYADDR <tick>", "eflags         ADDRANY[ ANY]",
              "cs             0x33               51", "ss             0x2b               43",
              "fs             ADDRANY",
              "(dbg) x/s greeting", "ADDR <greeting>:\t\"hello, debugger\"",
              "(dbg) x/2s greeting", "ADDR <greeting>:\t\"hello, debugger\"",
              "ADDRANY:\tANY",
              "(dbg) x/8xb pattern",
              "ADDR <pattern>:\t0x01\t0x02\t0x03\t0x04\t0xa0\t0xb0\t0xc0\t0xd0",
              "(dbg) x/2xh pattern", "ADDR <pattern>:\t0x0201\t0x0403",
              "(dbg) x/2xw &pattern", "ADDR <pattern>:\t0x04030201\t0xd0c0b0a0",
              "(dbg) x/xg big_value", "ADDR <big_value>:\t0x1122334455667788",
              "(dbg) x/2xg words", "ADDR <words>:\t0x1122334455667788\t0x99aabbccddeeff00",
              "(dbg) x/16xb words",
              "ADDR <words>:\t0x88\t0x77\t0x66\t0x55\t0x44\t0x33\t0x22\t0x11",
              "ADDR <words+8>:\t0x00\t0xff\t0xee\t0xdd\t0xcc\t0xbb\t0xaa\t0x99",
              "(dbg) x/dg big_value", "ADDR <big_value>:\t1234605616436508552",
              "(dbg) x/dw pattern+4", "ADDR <pattern+4>:\t-792678240",
              "(dbg) x/3c greeting", "ADDR <greeting>:\t104 'h'\t101 'e'\t108 'l'",
              "(dbg) p $rip", "$rip = ADDR <tick>",
              "(dbg) p $pc+4", "$rip+4 = ADDR <tick+4>",
              "(dbg) p greeting", "greeting = ADDR <greeting>",
              "(dbg) p $rdi", "$rdi = 0x0 (0)",
              "(dbg) p 0x10", "0x10 (16)"], 0, ["error:"]),
            ("maps and objects", [lesson],
             script("maps", "info sharedlibrary"),
             ["(dbg) maps", f"ANY r-xp ANY {lesson}", "ANY r-xp ANY/libc.so.6",
              "ANY [stack]",
              "(dbg) info sharedlibrary",
              "From                To                  Symbols          Object",
              f"ADDR  ADDR  PID .symtabANY{lesson} (the program)",
              "ADDR  ADDR  PID .dynsymANY/libc.so.6", "ADDR  ADDR  PID .dynsymANY[vdso]",
              "ADDR  ADDR  PID .ANY/ld-linux-x86-64.so.2"], 0, ["error:"]),
        ],
        "threads": [
            ("three threads at a barrier", [lesson, "threads", "3"],
             script("break all_started", "run", "threads", "bt", "thread 2", "bt", "thread 9",
                    "delete", "c"),
             ["Thread 1 (LWP PID) hit Breakpoint 1, ADDR in all_started",
              "(dbg) threads", "4 threads", "* Thread 1 (LWP PID)  ADDR in all_started",
              "(dbg) bt", "#0  ADDR in all_started", "#1  ADDR in main+PID",
              "(dbg) thread 2", "[Switching to Thread 2 (LWP PID)] ADDR in ANY",
              "(dbg) thread 9", "error: no thread 9 (threads lists them)",
              "(dbg) c", "[Inferior 1 (process PID) exited normally]"], 0, []),
            ("a breakpoint hit by every thread", [f"{t}/stepping", "threads", "2", "3"],
             script("break hammer", "run", "c", "c", "c", "c", "c", "info breakpoints", "c"),
             # Which thread hits first, and how many are still there, differ from run to run.
             ["(dbg) run"] +
             ["Thread PID (LWP PID) hit Breakpoint 1, ADDR in hammer", "(dbg) c"] * 5 +
             ["Thread PID (LWP PID) hit Breakpoint 1, ADDR in hammer",
              "(dbg) info breakpoints", "     breakpoint already hit 6 times",
              "(dbg) c", "[Inferior 1 (process PID) exited normally]"], 0, ["error:"]),
        ],
        "errors": [
            ("bad input", [lesson],
             script("frobnicate", "break nosuch", "break greeting", "break *0",
                    "break *pattern", "break 12", "x/4xg 0", "x/s 0", "x/q $rsp", "x/2i $pc",
                    "p $eax", "delete 7", "enable 7", "thread", "si 0", "info foo",
                    "break tick", "break *tick", "help nope", "regs extra"),
             ["(dbg) frobnicate", "error: unknown command 'frobnicate' (try: help)",
              "(dbg) break nosuch",
              "error: no symbol 'nosuch' in the program or its libraries (No such file or "
              "directory)",
              "(dbg) break greeting",
              "error: break greeting: 'greeting' is data, not a function (x/s or print show it)",
              "(dbg) break *0",
              "error: breakpoint at 0x0: no mapping of process PID holds this address "
              "(Bad address)",
              "(dbg) break *pattern",
              f"error: breakpoint at ADDR: not in executable memory (its mapping is 'rw-p "
              f"{lesson}') (Permission denied)",
              "(dbg) break 12",
              "error: break 12: line numbers need DWARF, which this debugger does not read; "
              "for an address write *12",
              "(dbg) x/4xg 0",
              "error: x: cannot read 32 bytes at 0x0 in process PID: part of the range is "
              "unmapped (Bad address)",
              "(dbg) x/s 0", "error: x/s: cannot read a string at 0x0: Bad address",
              "(dbg) x/q $rsp",
              "error: x: unknown letter 'q' in /q (formats x d u c s, sizes b h w g)",
              "(dbg) x/2i $pc",
              "error: x: x/i needs a disassembler, which this debugger does not have "
              "(x/16xb $pc shows the bytes)",
              "(dbg) p $eax",
              "error: p: unknown register '$eax' (the 64-bit names: $rax, $rbx ... $r15, "
              "$rip, $eflags; $pc, $sp, $fp)",
              "(dbg) delete 7", "error: no breakpoint number 7 (info breakpoints lists them)",
              "(dbg) enable 7", "error: no breakpoint number 7 (info breakpoints lists them)",
              "(dbg) thread", "error: thread: missing number (usage: thread N)",
              "(dbg) si 0", "error: si: the count must be at least 1",
              "(dbg) info foo",
              "error: info foo: unknown (info breakpoints, info registers, info "
              "sharedlibrary, info threads, info proc mappings)",
              "(dbg) break tick", "Breakpoint 1 at ADDR <tick>",
              "(dbg) break *tick", "error: breakpoint 1 is at ADDR already (File exists)",
              "(dbg) help nope", "error: help: no command 'nope'",
              "(dbg) regs extra", "error: regs: takes no arguments, found 'extra'",
              "(end of input)", "[Inferior 1 (process PID) killed]"], 0, []),
            ("commands after the program ended", [lesson, "exit", "3"],
             script("run", "c", "si", "regs", "bt", "x/s greeting", "p $rip", "kill",
                    "threads", "maps", "break tick", "info breakpoints", "run", "quit"),
             ["(dbg) run", "[Inferior 1 (process PID) exited with code 3]",
              "(dbg) c",
              "error: the program is not running (exited with code 3); `run` starts it again",
              "(dbg) si",
              "error: the program is not running (exited with code 3); `run` starts it again",
              "(dbg) regs", "error: the program is not running (exited with code 3); `run` "
              "starts it again",
              "(dbg) bt", "error: the program is not running (exited with code 3); `run` "
              "starts it again",
              "(dbg) x/s greeting", "error: the program is not running (exited with code 3); "
              "`run` starts it again",
              "(dbg) p $rip", "error: the program is not running (exited with code 3); "
              "`run` starts it again",
              "(dbg) kill", "error: the program is not running (exited with code 3); "
              "`run` starts it again",
              "(dbg) break tick",
              "Breakpoint 1 (tick) pending: it is set when `run` starts the program",
              "(dbg) info breakpoints", "1    breakpoint      y    <pending>           tick",
              "(dbg) run", "Process PID started: " + lesson + ", stopped at _start (its "
              "entry point; PID objects loaded)",
              "[Inferior 1 (process PID) exited with code 3]", "(dbg) quit"], 0, []),
            ("a crash", [lesson, "crash"], script("run", "bt"),
             ["(dbg) run", "[Inferior 1 (process PID) killed by signal SIGSEGV]",
              "(dbg) bt", "error: the program is not running (killed by signal SIGSEGV); "
              "`run` starts it again"], 0, []),
            ("a program that does not exist", [f"{t}/no-such-program"], script("run"),
             [f"error: cannot start {t}/no-such-program (No such file or directory)"], 1,
             ["(dbg)"]),
        ],
    }


def lifetime(debugger, t):
    """The debugger's own end: EOF with the program stopped, the debugger killed while the
    program is stopped (the program must die with it: the kit's handles are O_EXCL, so Linux
    kills the tracee when its tracer goes), and a terminal (prompt, no echo)."""
    lesson = f"{t}/lesson"
    failures_before = len(FAILURES)
    run_script("EOF at a breakpoint", debugger, [lesson], script("break tick", "run"),
               ["(dbg) run", "Breakpoint 1, ADDR in tick", "(end of input)",
                "[Inferior 1 (process PID) killed]"], 0, ["error:"])
    run_script("EOF before anything", debugger, [lesson], "",
               ["Process PID started: ANY", "(end of input)",
                "[Inferior 1 (process PID) killed]"], 0, ["error:"])
    run_script("a last line without a newline", debugger, [lesson], "break tick\nrun",
               ["(dbg) run", "Breakpoint 1, ADDR in tick", "(end of input)"], 0, ["error:"])

    # Killed while the program sits at a breakpoint.
    p = subprocess.Popen([debugger, lesson], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    p.stdin.write(b"break tick\nrun\n")
    p.stdin.flush()
    out = b""
    deadline = time.monotonic() + 30
    while b"Breakpoint 1, " not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 1)
        if ready:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    text = out.decode(errors="replace")
    pids = started_pids(text)
    check(b"Breakpoint 1, " in out and len(pids) == 1, "killed debugger: the program stopped")
    p.kill()
    p.wait(timeout=30)
    p.stdin.close()
    p.stdout.close()
    for pid in pids:
        check(gone(pid), f"killed debugger: process {pid} died with it")

    # Ctrl-C while the program runs: the whole process group gets SIGINT; the program dies of
    # it and the debugger, which has a handler, reports that and goes on.
    p = subprocess.Popen([debugger, "/bin/sleep", "30"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        p.stdin.write(b"run\n")
        p.stdin.flush()
        time.sleep(1.5)
        os.killpg(p.pid, signal.SIGINT)
        p.stdin.write(b"regs\n")
        p.stdin.close()
        p.wait(timeout=30)  # a few lines of output: the pipe never fills
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    text = p.stdout.read().decode(errors="replace")
    p.stdout.close()
    missing = in_order(text, ["(dbg) run", "[Inferior 1 (process PID) killed by signal SIGINT]",
                              "(dbg) regs", "error: the program is not running (killed by "
                              "signal SIGINT); `run` starts it again", "(end of input)"])
    check(missing is None and p.returncode == 0,
          f"Ctrl-C: the program dies of SIGINT, the debugger goes on (missing: {missing!r})")
    for pid in started_pids(text):
        check(gone(pid), f"Ctrl-C: process {pid} is gone")

    # A terminal: the prompt, and no echo of the commands by the debugger itself.
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO  # only what the debugger writes comes back
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    p = subprocess.Popen([debugger, lesson], stdin=slave, stdout=slave, stderr=slave,
                         close_fds=True)
    os.close(slave)
    os.write(master, b"help kill\nquit\n")
    out = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    try:
        code = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        code = p.wait()
    os.close(master)
    text = out.decode(errors="replace").replace("\r\n", "\n")
    check(code == 0, f"terminal: exit status {code}")
    check("(dbg)   kill                  kill the program\n" in text,
          "terminal: a prompt, then the answer to help kill")
    check("help kill" not in text, "terminal: the debugger does not echo the commands")
    check("(dbg) (end of input)" not in text and "[Inferior 1 (process " in text,
          "terminal: quit kills the program")
    for pid in started_pids(text):
        check(gone(pid), f"terminal: process {pid} is gone after quit")
    if len(FAILURES) > failures_before:
        print(f"---- terminal transcript ----\n{text}---- end ----")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    group, debugger, targets = sys.argv[1:]
    targets = os.path.abspath(targets)  # as /proc/PID/maps names the programs
    if not os.path.exists(debugger):
        print(f"SKIP: {debugger} is not built (meson -Dexamples=disabled?)")
        return 77
    if group == "lifetime":
        lifetime(debugger, targets)
    else:
        for name, argv, text, expected, status, absent in cases(targets, debugger)[group]:
            run_script(name, debugger, argv, text, expected, status, absent)
    print(f"{len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
