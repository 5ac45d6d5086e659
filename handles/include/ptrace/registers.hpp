// SPDX-License-Identifier: MIT
// Registers: typed access to a tracee's regs/int, regs/float, regs/env, regs/xstate and regs/debug
// handles.
#pragma once

#include <ptrace/debug_registers.hpp>
#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/xstate.hpp>

#include <utility>

#include <sys/types.h>

namespace ptrace_api {

/// The register sets of one tracee (spec 2.J): `proc:<pid>/regs/int`, `regs/float`,
/// `regs/env`, `regs/xstate` and `regs/debug` (issue 13). Obtained from a Tracer (`tracer.regs()`)
/// or opened alone for any pid the caller may trace (A3); opening needs no trace session and stops
/// nothing (A8).
///
/// Reading at a stop gives the registers of that stop; at a PRE_SYSCALL stop `rax` is the
/// syscall number (decision 7) and writing it changes the syscall (D1) or, when the resuming
/// write has FLAG_IGNORE, the result the tracee sees (E1). Reading a running tracee stops it
/// for a moment and lets it go again (J1; on Linux this can restart a blocking syscall).
/// Writes apply every register Linux lets a tracer write (decision 9); Linux refuses some
/// values (privileged rflags bits, bad selectors) with EINVAL. Registers never clear an
/// O_TRUNC freeze (decision 15).
///
/// Move-only; a moved-from object may only be destroyed or assigned to.
class Registers {
public:
    /// Opens the register handles of `pid`.
    /// \errors ESRCH no such task or a zombie (A2); EPERM not allowed to trace it (A3).
    /// `oflags`: 0, or shim::linux_checks_only for Linux's rule of who may trace alone
    /// (decision 25).
    [[nodiscard]] static Result<Registers> open(pid_t pid, int oflags = 0);

    Registers(Registers&& other) noexcept
        : pid_(std::exchange(other.pid_, 0)), int_fd_(std::move(other.int_fd_)),
          float_fd_(std::move(other.float_fd_)), env_fd_(std::move(other.env_fd_)),
          xstate_fd_(std::move(other.xstate_fd_)), debug_fd_(std::move(other.debug_fd_)) {}
    Registers& operator=(Registers&& other) noexcept {
        pid_ = std::exchange(other.pid_, 0);
        int_fd_ = std::move(other.int_fd_);
        float_fd_ = std::move(other.float_fd_);
        env_fd_ = std::move(other.env_fd_);
        xstate_fd_ = std::move(other.xstate_fd_);
        debug_fd_ = std::move(other.debug_fd_);
        return *this;
    }
    Registers(const Registers&) = delete;
    Registers& operator=(const Registers&) = delete;
    ~Registers() = default;

    /// The tracee's pid; 0 for a moved-from object.
    [[nodiscard]] pid_t pid() const noexcept { return pid_; }

    /// The general-purpose registers (Redox layout, no orig_rax).
    /// \pre not moved-from. \errors ESRCH the tracee is gone (G1).
    [[nodiscard]] Result<IntRegisters> get_int() const;
    /// Writes the general-purpose registers. \pre not moved-from.
    /// \errors ESRCH the tracee is gone (G1); EINVAL Linux refused a value (decision 9).
    Result<void> set_int(const IntRegisters& regs);

    /// The x87/SSE state (the 416-byte FXSAVE prefix). \pre not moved-from.
    /// \errors ESRCH the tracee is gone.
    [[nodiscard]] Result<FloatRegisters> get_float() const;
    /// Writes the x87/SSE state. Reserved mxcsr bits (outside the CPU's mxcsr_mask) are
    /// discarded and mxcsr_mask itself is read-only, as in Redox (J4). \pre not moved-from.
    /// \errors ESRCH the tracee is gone.
    Result<void> set_float(const FloatRegisters& regs);

    /// The fs and gs bases. \pre not moved-from. \errors ESRCH the tracee is gone.
    [[nodiscard]] Result<EnvRegisters> get_env() const;
    /// Writes the fs and gs bases. \pre not moved-from.
    /// \errors ESRCH the tracee is gone; EINVAL a non-canonical address.
    Result<void> set_env(const EnvRegisters& regs);

    /// The XSAVE area (x87, SSE, AVX, AVX-512 where enabled), with this CPU's layout
    /// (shim::xstate_layout(), CPUID leaf 0xD) for its typed view. \pre not moved-from.
    /// \errors ESRCH the tracee is gone; ENODEV the CPU has no XSAVE.
    [[nodiscard]] Result<XStateRegisters> get_xstate() const;
    /// Writes the whole XSAVE area back (decision 22). \pre not moved-from.
    /// \errors ESRCH the tracee is gone; EINVAL a size other than get_xstate()'s, features not
    /// enabled in XCR0, a non-zero xcomp_bv or reserved header bits, reserved MXCSR bits.
    Result<void> set_xstate(const XStateRegisters& regs);

    /// The hardware debug registers DR0-DR7 (watchpoints and hardware breakpoints, the status
    /// of the last debug trap). \pre not moved-from. \errors ESRCH the tracee is gone.
    [[nodiscard]] Result<DebugRegisters> get_debug() const;
    /// Writes DR0-DR7, all or nothing (decision 23): DR4/DR5 must be 0, and every slot, enabled
    /// or not, must hold a valid watchpoint (DebugRegisters::check_all()). \pre not moved-from.
    /// \errors ESRCH the tracee is gone; EINVAL what Linux would refuse; ENOSPC Linux has no
    /// breakpoint slot left for the thread (perf events hold them); nothing is changed then.
    Result<void> set_debug(const DebugRegisters& regs);

private:
    Registers(pid_t pid, detail::ShimFd int_fd, detail::ShimFd float_fd, detail::ShimFd env_fd,
              detail::ShimFd xstate_fd, detail::ShimFd debug_fd) noexcept
        : pid_(pid), int_fd_(std::move(int_fd)), float_fd_(std::move(float_fd)),
          env_fd_(std::move(env_fd)), xstate_fd_(std::move(xstate_fd)),
          debug_fd_(std::move(debug_fd)) {}

    template <class Regs>
    [[nodiscard]] static Result<Regs> get(const detail::ShimFd& fd);
    template <class Regs>
    static Result<void> set(const detail::ShimFd& fd, const Regs& regs);

    pid_t pid_ = 0;
    detail::ShimFd int_fd_;
    detail::ShimFd float_fd_;
    detail::ShimFd env_fd_;
    detail::ShimFd xstate_fd_;
    detail::ShimFd debug_fd_;
};

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/registers.ipp>
#endif
