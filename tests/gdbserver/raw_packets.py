#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Feeds raw packets, good and malformed, to the gdbserver example over its stdin/stdout and
checks each answer: bad checksums get '-' (and the resend is answered), unknown packets the
empty reply, bad hex, lengths, addresses and processes E01, fork events offered only to a gdb
that takes them and then served packet by packet, 1000 random ones an answer each; an interrupt
(0x03) stops the running program with SIGINT, and a single step that blocks in a system call;
a client that disconnects at a stop or while the program runs leaves no process behind (the
program is killed, the server exits); an attached process is detached when its client goes
away and runs on untraced; the siginfo record read and written back in parts; extended mode
(vRun after a kill and an exit, malformed environment and attach requests) and `--multi`
with no program (random packets answered, then a run); the shared
library list at the first instruction (empty), after the dynamic linker ran (whole, and from an
entry on) and after an exec into a static program (E01).
Every read is bounded by a timeout.

usage: raw_packets.py GDBSERVER STEPPING_PROGRAM
"""
import os
import random
import re
import select
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "support"))
import harness  # noqa: E402  (tests/support/harness.py)

TIMEOUT = 10.0


def frame(data: bytes) -> bytes:
    return b"$" + data + b"#" + b"%02x" % (sum(data) & 0xFF)


class Server:
    def __init__(self, gdbserver, argv, attach=False):
        command = [gdbserver, "--attach", "-"] if attach else [gdbserver, "-"]
        self.proc = subprocess.Popen(command + argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf = b""
        self.pid = None
        # "Process X created; pid = N" on stderr tells the program's pid.
        err = b""
        deadline = time.monotonic() + TIMEOUT
        while b"pid = " not in err or not err.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stderr], [], [], left)[0]:
                fail("no 'Process ... created; pid = N' line: %r" % err)
            chunk = os.read(self.proc.stderr.fileno(), 4096)
            if not chunk:
                fail("the server ended before starting the program: %r" % err)
            err += chunk
        self.pid = int(re.search(rb"pid = (\d+)", err).group(1))

    def send_raw(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read_bytes(self, n=1) -> bytes:
        deadline = time.monotonic() + TIMEOUT
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                fail("timed out waiting for the server (have %r)" % self.buf)
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                fail("the server closed its output (have %r)" % self.buf)
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_packet(self) -> bytes:
        while True:
            c = self.read_bytes(1)
            if c == b"$":
                break
            if c not in b"+":
                fail("unexpected byte %r before a packet" % c)
        data = b""
        while True:
            c = self.read_bytes(1)
            if c == b"#":
                break
            data += c
        cs = self.read_bytes(2)
        if int(cs, 16) != sum(data) & 0xFF:
            fail("bad checksum from the server on %r" % data)
        self.send_raw(b"+")
        return expand_runs(data)

    def ask(self, data: bytes) -> bytes:
        self.send_raw(frame(data))
        ack = self.read_bytes(1)
        if ack != b"+":
            fail("packet %r not acknowledged: %r" % (data, ack))
        return self.read_packet()

    def finish(self, close=True):
        if close:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("the server did not exit after the client disconnected")
        for _ in range(100):
            if not alive(self.pid):
                return
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        fail("the program %d was left behind" % self.pid)


def expand_runs(data: bytes) -> bytes:
    """Undoes the run-length encoding of replies: c*N is c and N - 29 more copies."""
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i:i + 1] == b"*":
            out += out[-1:] * (data[i + 1] - 29)
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


def unescape(data: bytes) -> bytes:
    """Undoes the escaping of binary data: '}' and the next byte xor 0x20."""
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i:i + 1] == b"}" and i + 1 < len(data):
            out.append(data[i + 1] ^ 0x20)
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


def alive(pid) -> bool:
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return bool(state)  # running, stopped or a zombie: left behind
    except FileNotFoundError:
        return False


failures = []


def gdb_crc32(data: bytes) -> int:
    """gdb's CRC of qCRC: CRC-32/MPEG-2 (polynomial 0x04c11db7, MSB first, from 0xffffffff)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def fail(message):
    raise SystemExit("FAIL: " + message)


def check(what, got, expected):
    ok = re.fullmatch(expected, got) is not None if isinstance(expected, bytes) else got == expected
    print(("ok   " if ok else "FAIL ") + what + ": " + repr(got)[:90])
    if not ok:
        failures.append("%s: got %s, expected %r" % (what, repr(got)[:200], expected))


def symbol_address(server, program, name) -> bytes:
    """The address (hex) of the function `name` of `program` in the server's process."""
    symbols = subprocess.run(["nm", program], capture_output=True, text=True).stdout
    found = re.search(r"^([0-9a-f]+) T %s$" % re.escape(name), symbols, re.M)
    maps = open("/proc/%d/maps" % server.pid).read()
    base = re.search(r"^([0-9a-f]+)-\S+ \S+ 0+ \S+ \S+ +(\S+)$", maps, re.M)
    if not found or not base or not os.path.samefile(base.group(2), program):
        fail("cannot find %s in %s" % (name, program))
    return b"%x" % (int(base.group(1), 16) + int(found.group(1), 16))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    gdbserver, program = sys.argv[1], sys.argv[2]
    # A process the server started and let go (extended mode's D) outlives the server: it
    # becomes our child, and is reaped here, not left to a pid 1 that may never reap it.
    harness.become_subreaper()

    # 1. Malformed and unknown packets at the first stop, then a disconnect at a stop.
    s = Server(gdbserver, [program, "basic"])
    check("qSupported", s.ask(b"qSupported:multiprocess+;swbreak+"),
          rb"PacketSize=[0-9a-f]+;(?!.*fork-events).*")
    check("qSupported: fork events for a gdb that takes them",
          s.ask(b"qSupported:multiprocess+;fork-events+;vfork-events+"),
          rb"PacketSize=[0-9a-f]+;(?!.*vfork-events).*;fork-events\+")
    check("qSupported: exec events for a gdb that takes them",
          s.ask(b"qSupported:multiprocess+;fork-events+;vfork-events+;exec-events+"),
          rb"PacketSize=[0-9a-f]+;(?!.*vfork-events).*;fork-events\+;exec-events\+")
    check("qSupported offers qXfer:siginfo:read and write (decision 27)",
          s.ask(b"qSupported:multiprocess+"),
          rb"PacketSize=.*;qXfer:siginfo:read\+;qXfer:siginfo:write\+;.*")
    s.send_raw(b"$g#00")
    check("bad checksum is answered '-'", s.read_bytes(1), b"-")
    check("the resend is answered", s.ask(b"?"), rb"T05.*thread:p[0-9a-f]+\.[0-9a-f]+;")
    s.send_raw(b"noise\r\n")
    check("unknown packet: empty reply", s.ask(b"frobnicate"), b"")
    check("unknown v packet: empty reply", s.ask(b"vFrob"), b"")
    check("m bad hex", s.ask(b"mzz,4"), b"E01")
    check("m no length", s.ask(b"m1000"), b"E01")
    check("m unmapped", s.ask(b"m10,4"), b"E01")
    # qCRC (compare-sections): gdb's CRC of what m reads; E01 where memory cannot be read.
    rip = int.from_bytes(bytes.fromhex(expand_runs(s.ask(b"p10")).decode()), "little")
    code = bytes.fromhex(expand_runs(s.ask(b"m%x,40" % rip)).decode())
    check("qCRC of 64 bytes at rip", s.ask(b"qCRC:%x,40" % rip), b"C%08x" % gdb_crc32(code))
    check("qCRC unmapped", s.ask(b"qCRC:10,4"), b"E01")
    check("qCRC bad hex", s.ask(b"qCRC:zz,4"), b"E01")
    # qGetTLSAddr: malformed, an unknown thread, and before libc.so.6 is loaded (at the first
    # instruction glibc's descriptors are not mapped yet): E01, the reason on stderr.
    check("qGetTLSAddr bad hex", s.ask(b"qGetTLSAddr:0,zz,0"), b"E01")
    check("qGetTLSAddr two fields", s.ask(b"qGetTLSAddr:0,0"), b"E01")
    check("qGetTLSAddr unknown thread", s.ask(b"qGetTLSAddr:p1.1,0,0"), b"E01")
    check("qGetTLSAddr before libc", s.ask(b"qGetTLSAddr:0,0,1000"), b"E01")
    check("M odd hex", s.ask(b"M1000,2:abc"), b"E01")
    check("M length mismatch", s.ask(b"M1000,4:abcd"), b"E01")
    check("X bad escape", s.ask(b"X1000,1:}"), b"E01")
    check("Z0 unmapped", s.ask(b"Z0,10,1"), b"E01")
    check("Z bad type", s.ask(b"Z9,10,1"), b"E01")
    check("p out of range", s.ask(b"p999"), b"E01")
    check("P bad value", s.ask(b"P10=12"), b"E01")
    check("H unknown thread", s.ask(b"Hgp1.1"), b"E01")
    check("T unknown thread", s.ask(b"Tp1.1"), b"E01")
    check("D of a process not ours", s.ask(b"D;1"), b"E01")
    check("D bad pid", s.ask(b"D;zz"), b"E01")
    check("vKill of a process not ours", s.ask(b"vKill;1"), b"E01")
    check("vCont bad action", s.ask(b"vCont;x"), b"E01")
    check("qXfer unknown annex", s.ask(b"qXfer:features:read:nope.xml:0,10"), b"E01")
    check("qXfer bad window", s.ask(b"qXfer:auxv:read::zz"), b"E01")
    # The library list before the dynamic linker has run (DT_DEBUG still 0): empty, and gdb
    # asks again at the dynamic linker's breakpoint.
    check("qXfer:libraries-svr4 at the first instruction: an empty list",
          s.ask(b"qXfer:libraries-svr4:read::0,fff"), b'l<library-list-svr4 version="1.0"/>')
    # Decision 27: at the program's first instruction, the SIGTRAP of the step over its execve:
    # 128 bytes (si_signo 5), read whole, in a window, and past its end.
    whole = s.ask(b"qXfer:siginfo:read::0,100")
    info = unescape(whole[1:])
    check("qXfer:siginfo at the first instruction: the last part, 128 bytes, SIGTRAP",
          b"%s %d %d" % (whole[:1], len(info), info[0] if info else -1), b"l 128 5")
    check("qXfer:siginfo, a window: more follows", s.ask(b"qXfer:siginfo:read::0,4"),
          b"m\x05\x00\x00\x00")
    check("qXfer:siginfo, the last two bytes", expand_runs(s.ask(b"qXfer:siginfo:read::7e,10")),
          rb"l..")
    check("qXfer:siginfo past its end", s.ask(b"qXfer:siginfo:read::80,10"), b"l")
    check("qXfer:siginfo with an annex", s.ask(b"qXfer:siginfo:read:x:0,80"), b"")
    # Written back (gdb after a `call`): bytes of the record replaced in place, read back
    # (si_addr's, at 0x10); Linux keeps the first 48 bytes (its kernel_siginfo, all a signal
    # carries), so four written at the end read back as zeros. A write past the end,
    # malformed, or to another object or annex is refused.
    check("qXfer:siginfo:write of si_addr's low four bytes",
          s.ask(b"qXfer:siginfo:write::10:\x01\x02\x03\x04"), b"4")
    check("qXfer:siginfo: read back", s.ask(b"qXfer:siginfo:read::10,4"),
          b"m\x01\x02\x03\x04")
    check("qXfer:siginfo:write of the last four bytes",
          s.ask(b"qXfer:siginfo:write::7c:\x01\x02\x03\x04"), b"4")
    check("qXfer:siginfo: past Linux's 48 bytes, zeros", expand_runs(
        s.ask(b"qXfer:siginfo:read::7c,4")), b"l\x00\x00\x00\x00")
    check("qXfer:siginfo: the signal unchanged", s.ask(b"qXfer:siginfo:read::0,1"), b"m\x05")
    check("qXfer:siginfo:write past the end", s.ask(b"qXfer:siginfo:write::7e:abcd"), b"E01")
    check("qXfer:siginfo:write beyond the record", s.ask(b"qXfer:siginfo:write::81:a"), b"E01")
    check("qXfer:siginfo:write of signal 0", s.ask(b"qXfer:siginfo:write::0:\x00"), b"E01")
    check("qXfer:siginfo:write bad offset", s.ask(b"qXfer:siginfo:write::zz:a"), b"E01")
    check("qXfer:siginfo:write without data", s.ask(b"qXfer:siginfo:write::0"), b"E01")
    check("qXfer:siginfo:write bad escape", s.ask(b"qXfer:siginfo:write::0:}"), b"E01")
    check("qXfer:siginfo:write with an annex", s.ask(b"qXfer:siginfo:write:x:0:a"), b"")
    check("qXfer:features:write", s.ask(b"qXfer:features:write:target.xml:0:a"), b"")
    check("G bad hex", s.ask(b"Gzz"), b"E01")
    check("QCatchSyscalls bad switch", s.ask(b"QCatchSyscalls:2"), b"E01")
    check("QCatchSyscalls none", s.ask(b"QCatchSyscalls:"), b"E01")
    check("QCatchSyscalls bad number", s.ask(b"QCatchSyscalls:1;zz"), b"E01")
    check("QCatchSyscalls number beyond the table", s.ask(b"QCatchSyscalls:1;200"), b"E01")
    check("QCatchSyscalls off with numbers", s.ask(b"QCatchSyscalls:0;1"), b"E01")
    check("QCatchSyscalls write", s.ask(b"QCatchSyscalls:1;1"), b"OK")
    check("QCatchSyscalls off", s.ask(b"QCatchSyscalls:0"), b"OK")
    check("g still answers", s.ask(b"g"), rb"[0-9a-f]{1120}([0-9a-f]{512}([0-9a-f]{3200})?)?")
    check("qfThreadInfo", s.ask(b"qfThreadInfo"), rb"mp[0-9a-f]+\.[0-9a-f]+")
    # vFile:pread answers at most 16 KiB whatever gdb asks for (examples/gdbserver/vfile.hpp,
    # pread_reply_max): the program's first 16 KiB for a 256 KiB request at offset 0.
    opened = s.ask(b"vFile:open:" + program.encode().hex().encode() + b",0,0")
    check("vFile:open of the program", opened, rb"F[0-9a-f]+")
    fd = opened[1:]
    count, _, data = expand_runs(s.ask(b"vFile:pread:" + fd + b",40000,0")).partition(b";")
    with open(program, "rb") as f:
        first = f.read(0x4000)
    check("vFile:pread of 256 KiB: 16 KiB, the file's",
          b"%s %s" % (count, b"same" if unescape(data) == first else b"differ"), b"F4000 same")
    check("vFile:close", s.ask(b"vFile:close:" + fd), b"F0")
    # Random arguments after every packet prefix that does not run or end the program: each
    # gets an answer and the server lives on (seeded, so a failure repeats).
    rng = random.Random(7)
    prefixes = [b"g", b"G", b"p", b"P", b"m", b"M", b"x", b"X", b"Z0,", b"z0,", b"Z2,", b"z2,",
                b"Z3,", b"H", b"Hg", b"Hc", b"T", b"q", b"qXfer:", b"qXfer:features:read:",
                b"qXfer:auxv:read::", b"qXfer:threads:read::", b"qXfer:exec-file:read:",
                b"qXfer:siginfo:read::",
                b"vFile:open:", b"vFile:pread:", b"vFile:fstat:", b"vFile:close:",
                b"vFile:readlink:", b"QPassSignals:", b"QCatchSyscalls:", b"qC", b"qfThreadInfo", b"?", b"vCont?"]
    alphabet = b"0123456789abcdefxyz,:;=-p.}*"
    for _ in range(1000):
        body = rng.choice(prefixes) + bytes(rng.choice(alphabet)
                                            for _ in range(rng.randint(0, 24)))
        s.ask(body)
    check("1000 random packets answered", s.ask(b"?")[:3], b"T05")
    big = b"$" + b"a" * (2 << 20)
    s.send_raw(big)
    check("an oversized packet is refused", s.read_bytes(1), b"-")
    check("and the server still answers", s.ask(b"vMustReplyEmpty"), b"")
    s.finish()
    print("ok   disconnect at a stop: server exited, program %d gone" % s.pid)

    # 2. An interrupt while the program runs, then a disconnect while it runs.
    s = Server(gdbserver, [program, "spin", "2"])
    s.ask(b"QStartNoAckMode")
    s.send_raw(frame(b"vCont;c"))
    time.sleep(0.3)
    s.send_raw(b"\x03")
    check("0x03 stops with SIGINT", s.read_packet(), rb"T02.*thread:p[0-9a-f]+\.[0-9a-f]+;")
    # $_siginfo there: the SIGINT the stop reports, SI_USER from the server (as GNU gdbserver,
    # which interrupts with kill(SIGINT), gives it); si_signo, si_errno, si_code, pad, si_pid.
    s.send_raw(frame(b"qXfer:siginfo:read::0,80"))  # no-ack mode: no '+' comes back
    info = unescape(s.read_packet()[1:])
    fields = struct.unpack_from("<iiiii", info) if len(info) >= 20 else None
    check("$_siginfo at an interrupt: SIGINT, SI_USER, from the server",
          repr(fields).encode(), re.escape(repr((2, 0, 0, 0, s.proc.pid)).encode()))
    # The library list once the dynamic linker has run: the program (main-lm), then each
    # library with its link_map, load bias and dynamic section, all in r_debug's namespace;
    # from an entry on (gdb's incremental form) given its predecessor, and nothing when the
    # predecessor does not match.
    s.send_raw(frame(b"qXfer:libraries-svr4:read::0,fff"))
    libraries = s.read_packet()
    check("qXfer:libraries-svr4 after start: the program and libc.so.6", libraries,
          rb'l<library-list-svr4 version="1\.0" main-lm="0x[0-9a-f]+">(<library name="[^"]+"'
          rb' lm="0x[0-9a-f]+" l_addr="0x[0-9a-f]+" l_ld="0x[0-9a-f]+" lmid="0x[0-9a-f]+"/>)+'
          rb'</library-list-svr4>')
    main_lm = re.search(rb'main-lm="0x([0-9a-f]+)"', libraries)
    lms = re.findall(rb'<library name="([^"]+)" lm="0x([0-9a-f]+)"', libraries)
    check("libc.so.6 is listed", b" ".join(name for name, _ in lms), rb".*/libc\.so\.6.*")
    if main_lm and len(lms) >= 2:
        s.send_raw(frame(b"qXfer:libraries-svr4:read:start=%s;prev=%s;:0,fff" %
                         (lms[1][1], lms[0][1])))
        tail = s.read_packet()
        check("qXfer:libraries-svr4 from the second library on",
              re.findall(rb'lm="0x([0-9a-f]+)"', tail), [lm for _, lm in lms[1:]])
        s.send_raw(frame(b"qXfer:libraries-svr4:read:start=%s;prev=%s;:0,fff" %
                         (lms[1][1], main_lm.group(1))))
        check("qXfer:libraries-svr4 from an entry whose predecessor does not match",
              s.read_packet(), b'l<library-list-svr4 version="1.0"/>')
    s.send_raw(frame(b"vCont;c"))
    time.sleep(0.3)
    s.finish()
    print("ok   disconnect while running: server exited, program %d gone" % s.pid)

    # 3. An attached process: the client goes away, the process runs on untraced.
    spinner = subprocess.Popen([program, "spin", "1"])
    try:
        time.sleep(0.3)
        s = Server(gdbserver, [str(spinner.pid)], attach=True)
        check("attached: ? answers", s.ask(b"?"), rb"T05.*thread:p[0-9a-f]+\.[0-9a-f]+;")
        check("attached: qAttached", s.ask(b"qAttached"), b"1")
        check("attached: two threads", s.ask(b"qfThreadInfo").count(b","), 1)
        s.proc.stdin.close()
        s.proc.wait(timeout=TIMEOUT)
        time.sleep(0.2)
        status = open("/proc/%d/status" % spinner.pid).read()
        tracer = re.search(r"TracerPid:\s*(\d+)", status).group(1)
        state = re.search(r"State:\s*(\S)", status).group(1)
        check("attached: detached on disconnect, running", (tracer, state in "RS"), ("0", True))
    finally:
        spinner.kill()
        spinner.wait()

    # 4. A single step that blocks (the thread of an attached `sleep` is in its nanosleep,
    # restarted by the step): 0x03 ends the step with SIGINT, and the process goes on after.
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.3)
        s = Server(gdbserver, [str(sleeper.pid)], attach=True)
        s.ask(b"QStartNoAckMode")
        s.send_raw(frame(b"?"))
        check("attached to sleep: ? answers", s.read_packet(), rb"T.*thread:p[0-9a-f]+\.[0-9a-f]+;")
        # The first step may end at once (the attach stopped the thread as its nanosleep
        # returned; the restarted call comes with the next step): step until one blocks.
        step = frame(b"vCont;s:p%x.%x" % (sleeper.pid, sleeper.pid))
        for _ in range(3):
            s.send_raw(step)
            if s.buf or select.select([s.proc.stdout], [], [], 0.5)[0]:
                s.read_packet()  # that step ended by itself
                continue
            break
        s.send_raw(b"\x03")
        check("0x03 ends a blocking step with SIGINT", s.read_packet(),
              rb"T02.*thread:p[0-9a-f]+\.[0-9a-f]+;")
        s.proc.stdin.close()
        s.proc.wait(timeout=TIMEOUT)
        time.sleep(0.2)
        status = open("/proc/%d/status" % sleeper.pid).read()
        state = re.search(r"State:\s*(\S)", status).group(1)
        check("stepped, interrupted, detached: still sleeping", state, "S")
    finally:
        sleeper.kill()
        sleeper.wait()

    # 5. Fork events packet by packet, as gdb uses them with its defaults: the fork is reported
    # with the child's id; Hg selects the child, whose memory is served (without the int3s,
    # as ours is) and not its registers; a z0 takes our int3 out of it, a z2 there leaves our
    # own threads' watchpoint (a fork copies no debug registers); D;<child> lets it go. The
    # program then exits 0, which it does only when its child ran through add_one untraced
    # and without the int3 (stepping fork untraced); SIGCHLD passes, as gdb asks.
    s = Server(gdbserver, [program, "fork", "untraced"])
    check("fork: qSupported", s.ask(b"qSupported:multiprocess+;fork-events+"),
          rb".*;fork-events\+")
    check("fork: SIGCHLD passes", s.ask(b"QPassSignals:14"), b"OK")
    where = symbol_address(s, program, "add_one")
    original = s.ask(b"m" + where + b",1")
    check("fork: Z0 at add_one", s.ask(b"Z0," + where + b",1"), b"OK")
    watch = s.ask(b"Z2,7ffffff00000,4")
    check("fork: Z2 on a word of the stack", watch, rb"OK|E01")
    stop = s.ask(b"vCont;c")
    child = re.match(rb"T05fork:p([0-9a-f]+)\.([0-9a-f]+);", stop)
    check("fork: reported with the child's id", stop, rb"T05fork:p[0-9a-f]+\.[0-9a-f]+;.*")
    if child:
        pid = child.group(1)
        check("fork: Hg selects the child", s.ask(b"Hgp%s.%s" % (pid, pid)), b"OK")
        check("fork: the child's registers are not served", s.ask(b"g"), b"E01")
        check("fork: the child's memory is served", s.ask(b"m" + where + b",1"), original)
        check("fork: Z0 in the child is refused", s.ask(b"Z0," + where + b",1"), b"E01")
        check("fork: z0 in the child", s.ask(b"z0," + where + b",1"), b"OK")
        check("fork: z2 in the child", s.ask(b"z2,7ffffff00000,4"), b"OK")
        check("fork: D of the child", s.ask(b"D;" + pid), b"OK")
        check("fork: the child is gone from the server", s.ask(b"Hgp%s.%s" % (pid, pid)), b"E01")
        check("fork: Hg back to the program", s.ask(b"Hgp%x.%x" % (s.pid, s.pid)), b"OK")
        check("fork: z0 in the program", s.ask(b"z0," + where + b",1"), b"OK")
        if watch == b"OK":  # still ours to take out: the child's z2 left it
            check("fork: z2 in the program", s.ask(b"z2,7ffffff00000,4"), b"OK")
        check("fork: the program exits 0", s.ask(b"vCont;c"), rb"W00;process:[0-9a-f]+")
    s.finish()
    print("ok   fork events: child %s detached, program %d gone" %
          (child.group(1).decode() if child else "?", s.pid))

    # 6. An exec: the library list is the new program's. `stepping exec static_program`
    # reads its list, then execs a static program, which has none (E01): r_debug is found
    # again for each program, not kept from the one before.
    static = os.path.join(os.path.dirname(program), "static_program")
    s = Server(gdbserver, [program, "exec", static])
    check("exec: qSupported", s.ask(b"qSupported:multiprocess+;exec-events+"),
          rb".*;exec-events\+.*")
    main_at = symbol_address(s, program, "main")
    check("exec: Z0 at main", s.ask(b"Z0," + main_at + b",1"), b"OK")
    check("exec: at main", s.ask(b"vCont;c"), rb"T05.*")
    check("exec: the list before the exec", s.ask(b"qXfer:libraries-svr4:read::0,fff"),
          rb'l<library-list-svr4 version="1\.0" main-lm=.*libc\.so\.6.*')
    check("exec: z0 at main", s.ask(b"z0," + main_at + b",1"), b"OK")
    check("exec: the exec is reported", s.ask(b"vCont;c"), rb"T05exec:[0-9a-f]+;.*")
    check("exec: a static program has no list", s.ask(b"qXfer:libraries-svr4:read::0,fff"),
          b"E01")
    check("exec: the static program exits 0", s.ask(b"vCont;c"), rb"W00;process:[0-9a-f]+")
    s.finish()
    print("ok   exec: the library list followed it")

    # 7. Extended mode (`!`): vRun and vAttach only there, one process at a time; malformed
    # requests refused; a kill leaves the server serving, and `run` (vRun) starts the program
    # again; the disconnect then kills that one.
    s = Server(gdbserver, [program, "basic"])
    hexed = lambda text: text.encode().hex().encode()
    check("vRun outside extended mode: empty", s.ask(b"vRun;;"), b"")
    check("extended mode", s.ask(b"!"), b"OK")
    check("vRun while the program is served", s.ask(b"vRun;;"), b"E01")
    check("vAttach while the program is served", s.ask(b"vAttach;1"), b"E01")
    check("vRun bad hex", s.ask(b"vRun;zz"), b"E01")
    check("vAttach bad pid", s.ask(b"vAttach;zz"), b"E01")
    check("QEnvironmentHexEncoded without '='", s.ask(b"QEnvironmentHexEncoded:" + hexed("X")),
          b"E01")
    check("QEnvironmentHexEncoded bad hex", s.ask(b"QEnvironmentHexEncoded:zz"), b"E01")
    check("QEnvironmentHexEncoded", s.ask(b"QEnvironmentHexEncoded:" + hexed("X=1")), b"OK")
    check("QEnvironmentUnset", s.ask(b"QEnvironmentUnset:" + hexed("HOME")), b"OK")
    check("QEnvironmentReset", s.ask(b"QEnvironmentReset"), b"OK")
    check("QSetWorkingDir bad hex", s.ask(b"QSetWorkingDir:z"), b"E01")
    check("QSetWorkingDir", s.ask(b"QSetWorkingDir:" + hexed("/")), b"OK")
    check("QDisableRandomization", s.ask(b"QDisableRandomization:1"), b"OK")
    first = s.pid
    check("extended: vKill", s.ask(b"vKill;%x" % first), b"OK")
    check("extended: the server still answers", s.ask(b"vMustReplyEmpty"), b"")
    check("extended: a program that cannot start", s.ask(b"vRun;" + hexed("/nonexistent")),
          b"E01")
    started = s.ask(b"vRun;;" + hexed("exec") + b";" + hexed("/bin/true"))
    check("extended: vRun starts it again, stopped", started,
          rb"T05.*thread:p[0-9a-f]+\.[0-9a-f]+;.*")
    again = re.search(rb"thread:p([0-9a-f]+)\.", started)
    second = int(again.group(1), 16) if again else 0
    check("extended: another process", b"%d" % (second != first and alive(second)), b"1")
    check("extended: it runs to its end", s.ask(b"vCont;c"), rb"W00;process:[0-9a-f]+")
    check("extended: and again", s.ask(b"vRun;;" + hexed("spin") + b";" + hexed("1")),
          rb"T05.*")
    s.pid = int(re.search(rb"thread:p([0-9a-f]+)\.", s.ask(b"?")).group(1), 16)
    check("extended: D of the new one", s.ask(b"D;%x" % s.pid), b"OK")
    check("extended: then nothing is served (as with --multi, below)", b" ".join(
        s.ask(p) for p in (b"?", b"g", b"m1000,4", b"vCont;c", b"D")), b"W00 E01 E01 W00 E01")
    detached = s.pid
    os.kill(detached, signal.SIGKILL)  # it runs on, untraced (spin 1): ended here
    # `attach PID` (vAttach): a running process, every thread stopped; the disconnect then
    # lets it go, untraced, as an attached process always is.
    spinner = subprocess.Popen([program, "spin", "5"])
    try:
        time.sleep(0.2)
        check("extended: vAttach", s.ask(b"vAttach;%x" % spinner.pid),
              rb"T[0-9a-f]{2}.*thread:p%x\.%x;.*" % (spinner.pid, spinner.pid))
        s.pid = 0
        s.proc.stdin.close()
        s.proc.wait(timeout=TIMEOUT)
        status = open("/proc/%d/status" % spinner.pid).read()
        check("extended: the attached process is let go at the disconnect",
              re.search(r"TracerPid:\s*(\d+)", status).group(1).encode(), b"0")
    finally:
        spinner.kill()
        spinner.wait()
    for _ in range(100):  # the detached one, ours since the server left (subreaper)
        if detached in harness.reap():
            break
        time.sleep(0.05)
    check("extended: the detached process is gone", b"%d" % alive(detached), b"0")
    print("ok   extended mode: run again after a kill and an exit, attach, nothing left")

    # 8. `--multi` with no program: no process until a vRun. `?` is W00, the packets that
    # need a process E01, and random packets are answered without a crash; then `!` and a vRun
    # of the program, which runs to its end; the disconnect leaves nothing behind.
    proc = subprocess.Popen([gdbserver, "--multi", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    s = Server.__new__(Server)
    s.proc, s.buf, s.pid = proc, b"", 0
    check("multi: no process: ?", s.ask(b"?"), b"W00")
    check("multi: no process: the packets that need one",
          b" ".join(s.ask(p) for p in (b"g", b"m1000,4", b"Z0,1000,1", b"D", b"qC",
                                       b"qXfer:auxv:read::0,10", b"Hg1", b"T1")),
          b"E01 E01 E01 E01 E01 E01 E01 E01")
    check("multi: no process: a resume finds none", s.ask(b"vCont;c") + s.ask(b"c"), b"W00W00")
    check("multi: qfThreadInfo", s.ask(b"qfThreadInfo"), rb"l?")
    rng = random.Random(7)
    idle = prefixes + [b"qXfer:siginfo:write::", b"qXfer:libraries-svr4:read:", b"qGetTLSAddr:",
                       b"qCRC:", b"vKill;", b"D;", b"c", b"s", b"C", b"S", b"vCont;", b"vCont;c:",
                       b"QEnvironmentHexEncoded:", b"QSetWorkingDir:", b"qAttached"]
    for _ in range(300):
        s.ask(rng.choice(idle) + bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 24))))
    check("multi: 300 random packets answered", s.ask(b"?"), b"W00")
    # (Some set the next run's working directory or environment to garbage: reset them.)
    check("multi: QSetWorkingDir reset", s.ask(b"QSetWorkingDir:"), b"OK")
    check("multi: QEnvironmentReset", s.ask(b"QEnvironmentReset"), b"OK")
    check("multi: vRun needs extended mode", s.ask(b"vRun;" + hexed(program)), b"")
    check("multi: extended mode", s.ask(b"!"), b"OK")
    check("multi: vRun without a program named", s.ask(b"vRun;"), b"E01")
    started = s.ask(b"vRun;" + hexed(program) + b";" + hexed("exec") + b";" + hexed("/bin/true"))
    check("multi: vRun", started, rb"T05.*thread:p[0-9a-f]+\.[0-9a-f]+;.*")
    found = re.search(rb"thread:p([0-9a-f]+)\.", started)
    s.pid = int(found.group(1), 16) if found else 0
    check("multi: it runs to its end", s.ask(b"vCont;c"), rb"W00;process:[0-9a-f]+")
    s.finish()
    print("ok   --multi: served nothing, then a run; nothing left")

    # 9. Usage errors.
    for argv in ([], ["-"], ["--attach", "-"], ["--attach", "-", "x"], ["--bogus", "-", "true"],
                 ["nope", "true"], ["--multi", "--attach", "-"]):
        r = subprocess.run([gdbserver] + argv, capture_output=True, timeout=TIMEOUT)
        check("usage error for %r" % argv, (r.returncode, b"Usage" in r.stderr), (1, True))

    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
