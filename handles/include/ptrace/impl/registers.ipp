// SPDX-License-Identifier: MIT
// The out-of-line functions of registers.hpp: included by that header in the header-only mode,
// and by src/ptrace_api.cpp alone in the separately compiled mode (api.hpp).
#pragma once

#include <ptrace/bytes.hpp>
#include <ptrace/config.hpp>
#include <ptrace/debug_registers.hpp>
#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/xstate.hpp>

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace ptrace_api {

template <class Regs>
Result<Regs> Registers::get(const detail::ShimFd& fd) {
    PTRACE_API_ASSERT(fd.valid(), "Registers used after being moved from");
    Regs regs{};
    const auto n = shim::read(fd.get(), as_writable_bytes(regs));
    if (!n) {
        return Unexpected(n.error());
    }
    if (*n != sizeof regs) {
        return unexpected(std::errc::io_error); // J1/J4 always return the whole set
    }
    return regs;
}

template <class Regs>
Result<void> Registers::set(const detail::ShimFd& fd, const Regs& regs) {
    PTRACE_API_ASSERT(fd.valid(), "Registers used after being moved from");
    const auto n = shim::write(fd.get(), as_bytes(regs));
    if (!n) {
        return Unexpected(n.error());
    }
    if (*n != sizeof regs) {
        return unexpected(std::errc::io_error);
    }
    return {};
}

PTRACE_API_DECL Result<Registers> Registers::open(pid_t pid, int oflags) {
    auto int_fd = detail::ShimFd::open(pid, "regs/int", oflags);
    if (!int_fd) {
        return Unexpected(int_fd.error());
    }
    auto float_fd = detail::ShimFd::open(pid, "regs/float", oflags);
    if (!float_fd) {
        return Unexpected(float_fd.error());
    }
    auto env_fd = detail::ShimFd::open(pid, "regs/env", oflags);
    if (!env_fd) {
        return Unexpected(env_fd.error());
    }
    auto xstate_fd = detail::ShimFd::open(pid, "regs/xstate", oflags);
    if (!xstate_fd) {
        return Unexpected(xstate_fd.error());
    }
    auto debug_fd = detail::ShimFd::open(pid, "regs/debug", oflags);
    if (!debug_fd) {
        return Unexpected(debug_fd.error());
    }
    return Registers(pid, std::move(*int_fd), std::move(*float_fd), std::move(*env_fd),
                     std::move(*xstate_fd), std::move(*debug_fd));
}

PTRACE_API_DECL Result<IntRegisters> Registers::get_int() const {
    return get<IntRegisters>(int_fd_);
}

PTRACE_API_DECL Result<void> Registers::set_int(const IntRegisters& regs) {
    return set(int_fd_, regs);
}

PTRACE_API_DECL Result<FloatRegisters> Registers::get_float() const {
    return get<FloatRegisters>(float_fd_);
}

PTRACE_API_DECL Result<void> Registers::set_float(const FloatRegisters& regs) {
    return set(float_fd_, regs);
}

PTRACE_API_DECL Result<EnvRegisters> Registers::get_env() const {
    return get<EnvRegisters>(env_fd_);
}

PTRACE_API_DECL Result<void> Registers::set_env(const EnvRegisters& regs) {
    return set(env_fd_, regs);
}

PTRACE_API_DECL Result<XStateRegisters> Registers::get_xstate() const {
    PTRACE_API_ASSERT(xstate_fd_.valid(), "Registers used after being moved from");
    const XStateLayout& layout = shim::xstate_layout();
    // The read gives min(len, size): a buffer the kernel does not fill holds the whole area.
    std::size_t guess = std::max<std::size_t>(layout.max_size, 4096) + 64;
    for (;;) {
        std::vector<std::byte> bytes(guess);
        const auto n = shim::read(xstate_fd_.get(), bytes);
        if (!n) {
            return Unexpected(n.error());
        }
        if (*n < bytes.size()) {
            bytes.resize(*n);
            return XStateRegisters(std::move(bytes), layout);
        }
        guess *= 2;
    }
}

PTRACE_API_DECL Result<void> Registers::set_xstate(const XStateRegisters& regs) {
    PTRACE_API_ASSERT(xstate_fd_.valid(), "Registers used after being moved from");
    const auto n = shim::write(xstate_fd_.get(), regs.bytes());
    if (!n) {
        return Unexpected(n.error());
    }
    if (*n != regs.size()) {
        return unexpected(std::errc::io_error);
    }
    return {};
}

PTRACE_API_DECL Result<DebugRegisters> Registers::get_debug() const {
    return get<DebugRegisters>(debug_fd_);
}

PTRACE_API_DECL Result<void> Registers::set_debug(const DebugRegisters& regs) {
    return set(debug_fd_, regs);
}

} // namespace ptrace_api
