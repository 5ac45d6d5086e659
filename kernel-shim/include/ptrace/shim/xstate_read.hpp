// SPDX-License-Identifier: MIT
// The tracee's XSAVE area read with PTRACE_GETREGSET NT_X86_XSTATE (decision 22), and the CPU's
// standard-format layout from CPUID leaf 0xD: what the `proc:<tid>/regs/xstate` handle
// (xstate_io.hpp) and the injection mechanism (injector.hpp) read. Nothing here depends on the
// shim's tracer, so the D5 probe's headers can include it.
#pragma once

#include <ptrace/shim/sys.hpp>
#include <ptrace/xstate.hpp>

#include <algorithm>
#include <cerrno>
#include <cpuid.h>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

namespace ptrace_api::shim::detail {

/// CPUID leaf 0xD: the standard-format offset and size of every user state component
/// (sub-leaves 2-31 whose ECX bit 0 is clear; supervisor components never appear in what
/// ptrace returns) and the size of an area holding all of them. The kernel lays out
/// NT_X86_XSTATE with the offsets it took from the same leaf at boot.
inline XStateLayout cpuid_xstate_layout() noexcept {
    XStateLayout layout{};
    unsigned a = 0;
    unsigned b = 0;
    unsigned c = 0;
    unsigned d = 0;
    if (__get_cpuid_max(0, nullptr) < 0xd) {
        return layout;
    }
    __cpuid(1, a, b, c, d);
    if ((c & bit_XSAVE) == 0) {
        return layout;
    }
    __cpuid_count(0xd, 0, a, b, c, d);
    const std::uint64_t supported = a | (std::uint64_t{d} << 32);
    layout.max_size = c;
    for (unsigned i = 2; i < layout.components.size(); ++i) {
        if ((supported >> i & 1U) == 0) {
            continue;
        }
        __cpuid_count(0xd, i, a, b, c, d);
        if ((c & 1U) == 0) {
            layout.components[i] = XStateComponent{b, a};
        }
    }
    return layout;
}

/// The layout of this CPU, read once.
inline const XStateLayout& xstate_layout_once() noexcept {
    static const XStateLayout layout = cpuid_xstate_layout();
    return layout;
}

/// NT_X86_XSTATE into `out`, sized as the kernel says (decision 22): Linux copies
/// min(iov_len, its size) and writes back the length it copied. The first guess is the CPU's
/// maximum (CPUID), grown while the kernel fills the whole buffer. `ptrace_ptr(request, tid,
/// addr, iovec*)` makes the call (a Backend's; sys::ptrace_ptr below). \returns 0 or an errno
/// (ENODEV: no XSAVE).
template <class PtracePtr>
int get_xstate(PtracePtr&& ptrace_ptr, pid_t tid, std::vector<std::byte>& out) {
    std::size_t guess = std::max<std::size_t>(xstate_layout_once().max_size, 4096);
    guess = (guess + 7) & ~std::size_t{7}; // a whole number of the regset's 8-byte units
    for (;;) {
        out.assign(guess + 64, std::byte{0});
        iovec iov{out.data(), out.size()};
        if (ptrace_ptr(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov) != 0) {
            return errno;
        }
        if (iov.iov_len < out.size() || guess >= (std::size_t{1} << 24)) {
            out.resize(iov.iov_len);
            return 0;
        }
        guess *= 2;
    }
}

/// get_xstate with the direct call (the injector's).
inline int get_xstate(pid_t tid, std::vector<std::byte>& out) {
    return get_xstate([](long request, pid_t task, std::uintptr_t addr,
                         iovec* iov) { return sys::ptrace_ptr(request, task, addr, iov); },
                      tid, out);
}

} // namespace ptrace_api::shim::detail
