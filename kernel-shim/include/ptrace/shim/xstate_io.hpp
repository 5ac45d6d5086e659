// SPDX-License-Identifier: MIT
// The `proc:<tid>/regs/xstate` handle (issue 13, decision 22): the tracee's XSAVE area through
// PTRACE_GETREGSET/SETREGSET NT_X86_XSTATE, a write checked first against what Linux would
// refuse, and the CPU's standard-format layout from CPUID leaf 0xD.
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/io.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/tracer.hpp>
#include <ptrace/shim/xstate_read.hpp>
#include <ptrace/xstate.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

namespace ptrace_api::shim::detail {

/// Decision 22: what Linux's SETREGSET NT_X86_XSTATE would refuse (xstateregs_set,
/// copy_uabi_to_xstate and validate_user_xstate_header in arch/x86/kernel/fpu), refused
/// before anything is written, with EINVAL: a size other than the area's (Linux: EFAULT for a
/// short one; a longer one it would cut silently), features outside the enabled ones (XCR0 of
/// the current area's software-reserved bytes, at 464), a non-zero xcomp_bv (the compacted format),
/// non-zero reserved header bytes, and reserved MXCSR bits while x87, SSE or AVX state is
/// given. `current` is the tracee's area as just read. \returns 0 or EINVAL.
inline int check_xstate_write(std::span<const std::byte> in,
                              std::span<const std::byte> current) noexcept {
    constexpr std::size_t header = XStateRegisters::header_offset;
    if (in.size() != current.size() || in.size() < XStateRegisters::min_size) {
        return EINVAL;
    }
    auto load64 = [](std::span<const std::byte> s, std::size_t at) {
        std::uint64_t v = 0;
        std::memcpy(&v, s.data() + at, sizeof v);
        return v;
    };
    auto load32 = [](std::span<const std::byte> s, std::size_t at) {
        std::uint32_t v = 0;
        std::memcpy(&v, s.data() + at, sizeof v);
        return v;
    };
    const std::uint64_t enabled = load64(current, XStateRegisters::xcr0_offset);
    const std::uint64_t bv = load64(in, header);
    if ((bv & ~enabled) != 0 || load64(in, header + 8) != 0) {
        return EINVAL;
    }
    for (std::size_t at = header + 16; at < XStateRegisters::min_size; ++at) {
        if (in[at] != std::byte{0}) {
            return EINVAL;
        }
    }
    constexpr std::uint64_t mxcsr_users = 0x7; // x87, SSE, AVX (Linux's check)
    if ((bv & mxcsr_users) != 0) {
        // The FXSAVE convention: a zero mask means the default, every bit but DAZ (bit 6).
        const std::uint32_t reported = load32(current, 28);
        const std::uint32_t mask = reported != 0 ? reported : 0xffbfU;
        if ((load32(in, 24) & ~mask) != 0) {
            return EINVAL;
        }
    }
    return 0;
}

/// NT_X86_XSTATE of the stopped `tid` through the backend (get_xstate).
inline int get_xstate(Backend& be, pid_t tid, std::vector<std::byte>& out) {
    return get_xstate([&be](long request, pid_t task, std::uintptr_t addr,
                            iovec* iov) { return be.ptrace_ptr(request, task, addr, iov); },
                      tid, out);
}

/// J4 for regs/xstate: min(len, size) bytes of the area, at a stop (the INTERRUPT dance of
/// regs/float when the task runs).
template <class Core>
Result<std::size_t> read_xstate(Core& core, Handle& h, std::span<std::byte> buf) {
    std::vector<std::byte> area;
    auto r = access_stopped(
        core, h, [&](pid_t tid, Tracee*) { return get_xstate(core.backend(), tid, area); });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return sys::read_prefix(buf, std::span<const std::byte>(area.data(), area.size()));
}

/// J4 for regs/xstate: the whole area or EINVAL (decision 22), checked against the tracee's
/// current area and then set with SETREGSET. \returns the area's size.
template <class Core>
Result<std::size_t> write_xstate(Core& core, Handle& h, std::span<const std::byte> buf) {
    auto r = access_stopped(core, h, [&](pid_t tid, Tracee*) {
        std::vector<std::byte> current;
        if (const int err = get_xstate(core.backend(), tid, current); err != 0) {
            return err;
        }
        if (const int err = check_xstate_write(buf, current); err != 0) {
            return err;
        }
        // SETREGSET only reads the buffer; iovec has no const pointer.
        iovec iov{const_cast<std::byte*>(buf.data()), buf.size()};
        return core.backend().ptrace_ptr(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &iov) == 0 ? 0
                                                                                          : errno;
    });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return buf.size();
}

} // namespace ptrace_api::shim::detail
