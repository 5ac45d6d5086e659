// SPDX-License-Identifier: MIT
// SignalInfo: what a signal carries besides its number (`proc:<pid>/siginfo`, decision 27): the
// 128 bytes of the x86_64 Linux siginfo record, with the common fields by name.
#pragma once

#include <ptrace/bytes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ptrace_api {

/// The siginfo of the signal a tracee is held at (a reached STOP_SIGNAL breakpoint, or the SIGTRAP
/// of a STOP_BREAKPOINT or STOP_SINGLESTEP one), as the `proc:<pid>/siginfo` handle reads it: the
/// 128 bytes of the x86_64 Linux `siginfo_t`, kept as bytes (its fields overlap, per signal and
/// code). Which field means something depends on the signal and `code()`:
///
/// - sent by a process (kill(2) SI_USER 0, sigqueue(3) SI_QUEUE -1, tgkill(2) SI_TKILL -6):
///   `sender_pid()` and `sender_uid()`;
/// - SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGTRAP raised by the CPU (`code() > 0`):
///   `fault_address()` (for SIGSEGV the address accessed, for SIGILL and SIGFPE the
///   instruction's);
/// - SIGCHLD from the kernel: `sender_pid()` and `sender_uid()` are the child's.
///
/// `bytes` gives every other field at its Linux offset.
struct SignalInfo {
    std::array<std::byte, 128> bytes{};

    /// si_signo: the signal.
    [[nodiscard]] int signo() const noexcept { return int_at(0); }
    /// si_errno: an errno the sender attached (0 almost always). Not named error(): a
    /// Result<SignalInfo> has an error() of its own, and `r->error()` next to `r.error()` would
    /// read as the same thing.
    [[nodiscard]] int errno_value() const noexcept { return int_at(4); }
    /// si_code: where the signal came from (SI_USER 0, SI_QUEUE -1, SI_TKILL -6, SI_KERNEL
    /// 0x80, or the signal's own codes, e.g. SEGV_MAPERR 1, SEGV_ACCERR 2).
    [[nodiscard]] int code() const noexcept { return int_at(8); }
    /// si_addr, at offset 16: the faulting address of a CPU-raised SIGSEGV, SIGBUS, SIGILL,
    /// SIGFPE or SIGTRAP; the same bytes as sender_pid() and sender_uid() otherwise.
    [[nodiscard]] std::uint64_t fault_address() const noexcept {
        std::uint64_t v = 0;
        std::memcpy(&v, bytes.data() + 16, sizeof v);
        return v;
    }
    /// si_pid, at offset 16: the sending process (or SIGCHLD's child).
    [[nodiscard]] std::int32_t sender_pid() const noexcept { return int_at(16); }
    /// si_uid, at offset 20: the sender's real user ID.
    [[nodiscard]] std::uint32_t sender_uid() const noexcept {
        return static_cast<std::uint32_t>(int_at(20));
    }
    /// Linux's SI_FROMUSER, si_code <= 0: raised through a syscall (kill, sigqueue, tgkill,
    /// also a POSIX timer or message queue), not by the kernel on its own (a fault, a child's
    /// exit, SI_KERNEL).
    [[nodiscard]] bool from_user() const noexcept { return code() <= 0; }

    friend bool operator==(const SignalInfo&, const SignalInfo&) = default;

private:
    [[nodiscard]] std::int32_t int_at(std::size_t offset) const noexcept {
        std::int32_t v = 0;
        std::memcpy(&v, bytes.data() + offset, sizeof v);
        return v;
    }
};

static_assert(sizeof(SignalInfo) == 128 && AbiBytes<SignalInfo>);

} // namespace ptrace_api
