// SPDX-License-Identifier: MIT
// PtraceFlags: the 64-bit operation word a tracer writes to a trace handle (Redox, 2019-08).
#pragma once

#include <ptrace/bitflags.hpp>

#include <cstdint>

namespace ptrace_api {

/// What a tracer asks for in one write to a trace handle (spec 1.1): breakpoints (STOP_*,
/// the tracee runs to the first one reached), events (EVENT_*, reported while the tracee keeps
/// running) and flags (FLAG_*). Written as its 8 native-endian bytes (`as_bytes(flags)`).
/// Bits 16-63 are reserved: a write that sets them fails with EINVAL (rule B2). The masks are
/// flags too, so `all()` is 0xffff and unassigned bits inside a mask are accepted.
///
/// The constants drop Redox's `PTRACE_` prefix (glibc already defines `PTRACE_EVENT_CLONE`
/// with Linux's value); the Debug text puts it back:
/// `PtraceFlags(PTRACE_STOP_PRE_SYSCALL | PTRACE_EVENT_CLONE)`.
PTRACE_API_BITFLAGS(PtraceFlags, std::uint64_t, "PTRACE_",
                    (STOP_PRE_SYSCALL, 0x0001),  // stop before a syscall runs (D1)
                    (STOP_POST_SYSCALL, 0x0002), // stop after a syscall ran (D2)
                    (STOP_SINGLESTEP, 0x0004),   // stop after one instruction (D4)
                    (STOP_SIGNAL, 0x0008),       // stop before a signal is acted on (D5)
                    (STOP_BREAKPOINT, 0x0010),   // stop on int3 (D6)
                    (STOP_EXIT, 0x0020),         // stop before the tracee exits (D7)
                    (STOP_EXEC, 0x0040),         // stop after an exec (extension, decision 26)
                    (STOP_MASK, 0x00ff),         // every stop bit, assigned or not
                    (EVENT_CLONE, 0x0100),       // report new threads and processes (F1)
                    (EVENT_MASK, 0x0f00),        // every event bit
                    (FLAG_IGNORE, 0x1000),       // skip the syscall or signal just stopped at (E)
                    (FLAG_WAIT, 0x2000),         // block this write even on a nonblocking handle
                    (FLAG_MASK, 0xf000),         // every flag bit
                    (FLAG_SYSEMU, 0x1000));      // the design's first name of FLAG_IGNORE

// The table is the contract of spec 1.1: check what a typo could break.
static_assert(sizeof(PtraceFlags) == 8 && alignof(PtraceFlags) == 8);
static_assert(PtraceFlags::all().bits() == 0xffff);
static_assert(PtraceFlags::STOP_MASK.contains(
    PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL | PtraceFlags::STOP_SINGLESTEP |
    PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_BREAKPOINT | PtraceFlags::STOP_EXIT |
    PtraceFlags::STOP_EXEC));
static_assert(PtraceFlags::EVENT_MASK.contains(PtraceFlags::EVENT_CLONE));
static_assert(PtraceFlags::FLAG_MASK.contains(PtraceFlags::FLAG_IGNORE | PtraceFlags::FLAG_WAIT));
static_assert(!PtraceFlags::STOP_MASK.intersects(PtraceFlags::EVENT_MASK | PtraceFlags::FLAG_MASK));
static_assert(!PtraceFlags::EVENT_MASK.intersects(PtraceFlags::FLAG_MASK));
static_assert(PtraceFlags::FLAG_SYSEMU == PtraceFlags::FLAG_IGNORE);

} // namespace ptrace_api
