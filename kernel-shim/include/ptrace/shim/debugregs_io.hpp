// SPDX-License-Identifier: MIT
// The `proc:<tid>/regs/debug` handle (issue 13, decision 23): the thread's hardware debug
// registers DR0-DR7 through PTRACE_PEEKUSER/POKEUSER of `struct user`'s u_debugreg, with a write
// checked first against what Linux would refuse and applied in the order Linux needs.
#pragma once

#include <ptrace/debug_registers.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/io.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/tracer.hpp>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <system_error>

#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>

namespace ptrace_api::shim::detail {

/// The `struct user` offset of DR`i` (what PTRACE_PEEKUSER and POKEUSER take).
inline constexpr std::uintptr_t debugreg_offset(std::size_t i) noexcept {
    return offsetof(struct user, u_debugreg) + i * sizeof(unsigned long);
}

/// DR0-DR7 of the stopped `tid`. Linux (arch/x86/kernel/ptrace.c, ptrace_get_debugreg) reads
/// DR0-DR3 from the thread's ptrace breakpoints (0 for a slot never written), DR4 and DR5 as 0,
/// DR6 from its virtual DR6 and DR7 as last written. \returns 0 or an errno.
inline int get_debugregs(Backend& be, pid_t tid, DebugRegisters& out) noexcept {
    std::array<std::uint64_t, 8> dr{};
    for (std::size_t i = 0; i < dr.size(); ++i) {
        // The raw call stores the word through `data`: any value, -1 too, is a register.
        if (be.ptrace_ptr(PTRACE_PEEKUSER, tid, debugreg_offset(i), &dr[i]) != 0) {
            return errno;
        }
    }
    out = DebugRegisters::from_raw(dr);
    return 0;
}

/// POKEUSER of DR`i`. \returns 0 or an errno.
inline int poke_debugreg(Backend& be, pid_t tid, std::size_t i, std::uint64_t value) noexcept {
    return be.ptrace(PTRACE_POKEUSER, tid, debugreg_offset(i), value) == 0 ? 0 : errno;
}

/// Writes DR0-DR3, DR6 and DR7 of the stopped `tid` in the order Linux accepts whatever the
/// thread held before: DR7 = 0 first (every slot disabled, with the execute/length-1 fields, so
/// that any user address may go into DR0-DR3: Linux checks a new address against its slot's
/// current length), the addresses, DR6, then DR7. DR4 and DR5 are not written (Linux: EIO).
/// \returns 0 or the errno of the first refused step.
inline int poke_debugregs(Backend& be, pid_t tid, const DebugRegisters& in) noexcept {
    if (const int err = poke_debugreg(be, tid, 7, 0); err != 0) {
        return err;
    }
    for (std::size_t i = 0; i < DebugRegisters::slot_count; ++i) {
        if (const int err = poke_debugreg(be, tid, i, in.dr(i)); err != 0) {
            return err;
        }
    }
    if (const int err = poke_debugreg(be, tid, 6, in.dr6()); err != 0) {
        return err;
    }
    return poke_debugreg(be, tid, 7, in.dr7());
}

/// Decision 23: the whole set, or nothing. Checked first (DebugRegisters::check_all: DR4/DR5
/// not 0, an I/O kind, an execution slot with a length, a misaligned address, an address
/// outside user space: EINVAL, which is what Linux says for all but DR4/DR5, where it says
/// EIO). A refusal Linux makes anyway (ENOSPC: no breakpoint slot left, perf holds them) puts
/// back what the thread held. \returns 0 or an errno.
inline int set_debugregs(Backend& be, pid_t tid, const DebugRegisters& in) noexcept {
    if (in.check_all() != WatchpointProblem::None) {
        return EINVAL;
    }
    DebugRegisters before;
    if (const int err = get_debugregs(be, tid, before); err != 0) {
        return err;
    }
    const int err = poke_debugregs(be, tid, in);
    if (err != 0 && err != ESRCH) {
        (void)poke_debugregs(be, tid, before); // best effort: the same order undoes it
    }
    return err == EIO ? EINVAL : err;
}

/// J4 for regs/debug: min(len, 64) bytes of DR0-DR7, at a stop (the INTERRUPT dance of
/// regs/float when the task runs).
template <class Core>
Result<std::size_t> read_debugregs(Core& core, Handle& h, std::span<std::byte> buf) {
    return read_regs<DebugRegisters>(core, h, buf,
                                     [&core](pid_t tid, Tracee*, DebugRegisters& out) {
                                         return get_debugregs(core.backend(), tid, out);
                                     });
}

/// J2/J4 for regs/debug: fewer than 64 bytes return 0 and change nothing; otherwise the first
/// 64 bytes are the new DR0-DR7, refused with EINVAL before the tracee is touched when Linux
/// would refuse them (decision 23). \returns 64.
template <class Core>
Result<std::size_t> write_debugregs(Core& core, Handle& h, std::span<const std::byte> buf) {
    if (buf.size() >= sizeof(DebugRegisters)) {
        std::array<std::uint64_t, 8> dr{};
        std::memcpy(dr.data(), buf.data(), sizeof dr);
        if (DebugRegisters::from_raw(dr).check_all() != WatchpointProblem::None) {
            return unexpected(std::errc::invalid_argument);
        }
    }
    return write_regs<DebugRegisters>(core, h, buf,
                                      [&core](pid_t tid, Tracee*, const DebugRegisters& in) {
                                          return set_debugregs(core.backend(), tid, in);
                                      });
}

} // namespace ptrace_api::shim::detail
