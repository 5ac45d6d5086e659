// SPDX-License-Identifier: MIT
// System calls run in a tracee that sits at a ptrace-stop: the mechanism under the D5 handler
// probe (handler_probe.hpp) and the public injection (inject.hpp). A `syscall` instruction of
// the tracee's vDSO (no code patched), each call's entry and exit stops reached with
// PTRACE_SYSCALL (never a single-step), the signal mask swapped with PTRACE_SETSIGMASK.
// Tracer thread only (ptrace binds to the attaching thread).
#pragma once

#include <ptrace/shim/sys.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// What the probe keeps per address space (thread group): where the tracee can make a
/// system call without patching its code, and a page of the tracee's memory that belongs to
/// the library. Both are found on first use and checked before each use; the caller drops
/// the entry when the address space is replaced (exec).
struct ProbeSpace {
    std::uint64_t syscall_insn = 0; ///< a `syscall` instruction (0f 05) in the vDSO; 0 unknown
    std::uint64_t page = 0;         ///< the library's page in the tracee; 0 none yet
};

namespace detail {

/// Marks the library's page in a tracee (its first 8 bytes), so that a page the program
/// unmapped or replaced is noticed before it is used.
inline constexpr std::uint64_t probe_page_magic = 0x65626f72702d6170; // "pa-probe"

/// Offsets in the library's page.
inline constexpr std::uint64_t probe_oldact = 8;   // struct kernel_sigaction (32 bytes)
inline constexpr std::uint64_t probe_sigmask = 40; // one kernel sigset_t (8 bytes)
inline constexpr std::uint64_t probe_timeout = 48; // struct timespec {0, 0} (16 bytes)

/// Every signal blocked (Linux drops SIGKILL and SIGSTOP from a PTRACE_SETSIGMASK itself).
inline constexpr std::uint64_t all_signals = ~std::uint64_t{0};

/// The wait status of a syscall-stop (PTRACE_O_TRACESYSGOOD).
inline constexpr int syscall_stop_status = SIGTRAP | 0x80;

/// The si_status of a PTRACE_EVENT_SECCOMP stop (a filter's SECCOMP_RET_TRACE).
inline constexpr int seccomp_stop_status = SIGTRAP | (PTRACE_EVENT_SECCOMP << 8);

/// The si_status of a PTRACE_EVENT_STOP with SIGTRAP (a PTRACE_INTERRUPT).
inline constexpr int interrupt_stop_status = SIGTRAP | (PTRACE_EVENT_STOP << 8);

/// The address of a `syscall` instruction (0f 05) in the tracee's vDSO, which every x86_64
/// process maps: using it means no tracee code is patched, so other threads of the tracee
/// never see a half-written instruction.
inline std::optional<std::uint64_t> find_vdso_syscall(pid_t tid) {
    std::string maps;
    if (!sys::read_small_file(sys::ProcPath(tid, "maps").c_str(), maps)) {
        return std::nullopt;
    }
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    for (std::size_t pos = 0; pos < maps.size();) {
        const std::size_t eol = std::min(maps.find('\n', pos), maps.size());
        const std::string_view line(maps.data() + pos, eol - pos);
        if (line.ends_with("[vdso]")) {
            std::string_view range = line;
            start = sys::detail::number<std::uint64_t>(range, 16);
            range.remove_prefix(1); // '-'
            end = sys::detail::number<std::uint64_t>(range, 16);
            break;
        }
        pos = eol + 1;
    }
    if (start == 0 || end <= start || end - start > (std::uint64_t{1} << 20)) {
        return std::nullopt;
    }
    sys::UniqueFd<> mem(::open(sys::ProcPath(tid, "mem").c_str(), O_RDONLY | O_CLOEXEC));
    if (!mem.valid()) {
        return std::nullopt;
    }
    std::string image(end - start, '\0');
    const ssize_t got = ::pread(mem.get(), image.data(), image.size(), static_cast<off_t>(start));
    mem.reset();
    if (got != static_cast<ssize_t>(image.size())) {
        return std::nullopt;
    }
    const auto at = image.find("\x0f\x05");
    if (at == std::string::npos) {
        return std::nullopt;
    }
    return start + at;
}

inline bool get_mask(pid_t tid, std::uint64_t& mask) noexcept {
    return sys::ptrace_ptr(PTRACE_GETSIGMASK, tid, sizeof mask, &mask) == 0;
}

inline bool set_mask(pid_t tid, std::uint64_t mask) noexcept {
    return sys::ptrace_ptr(PTRACE_SETSIGMASK, tid, sizeof mask, &mask) == 0;
}

/// Runs system calls in a tracee that sits at a ptrace-stop, through a `syscall` instruction
/// of its vDSO, reaching each call's entry and exit stops with PTRACE_SYSCALL: never a
/// single-step, so no trap flag is left behind whatever happens to the tracer. The caller
/// restores the registers afterwards. \pre PTRACE_O_TRACESYSGOOD is set for the tracee.
class RemoteSyscalls {
public:
    RemoteSyscalls(pid_t tid, const user_regs_struct& base, std::uint64_t insn) noexcept
        : tid_(tid), base_(base), insn_(insn) {}

    /// The stop that interrupted a call (valid after run() returned nothing).
    int stop_code() const noexcept { return code_; }
    int stop_status() const noexcept { return status_; }
    /// True when that stop is the task's end (it vanished, or waitid failed).
    bool gone() const noexcept { return gone_; }

    /// Makes the tracee call `nr(args...)` and returns its result, or nothing when another
    /// stop came first (see stop_code()). `resume_data` is the signal passed with the first
    /// resume (a signal-delivery-stop's signal to requeue, or 0). `at_entry` runs at the
    /// call's entry stop, before the kernel runs the call.
    template <class AtEntry>
    std::optional<std::int64_t> run(long nr, std::initializer_list<std::uint64_t> args,
                                    long resume_data, AtEntry at_entry) {
        user_regs_struct call = base_;
        call.rip = insn_;
        call.rax = static_cast<std::uint64_t>(nr);
        call.orig_rax = ~std::uint64_t{0}; // not in a syscall: no restart logic on resuming
        using Reg = decltype(call.rdi);
        Reg* const slots[] = {&call.rdi, &call.rsi, &call.rdx, &call.r10, &call.r8, &call.r9};
        std::size_t i = 0;
        for (const std::uint64_t a : args) {
            *slots[i++] = a;
        }
        if (sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &call) != 0 || !resume(resume_data) ||
            !expect_syscall_stop()) {
            return std::nullopt;
        }
        at_entry();
        if (!resume(0) || !expect_syscall_stop()) {
            return std::nullopt;
        }
        user_regs_struct after{};
        if (sys::ptrace_ptr(PTRACE_GETREGS, tid_, 0, &after) != 0) {
            gone_ = true;
            return std::nullopt;
        }
        return static_cast<std::int64_t>(after.rax);
    }

    std::optional<std::int64_t> run(long nr, std::initializer_list<std::uint64_t> args,
                                    long resume_data = 0) {
        return run(nr, args, resume_data, [] {});
    }

private:
    bool resume(long data) noexcept {
        // A SIGKILL takes the tracee out of its stop to its exit stop at any time. Resumed
        // there, it would exit past that stop unseen: look first (spec 3.G, H5).
        if (sys::stop_waiting(tid_)) {
            (void)expect_syscall_stop(); // that stop, consumed: the caller handles it
            return false;
        }
        if (sys::ptrace_raw(PTRACE_SYSCALL, tid_, 0, static_cast<std::uintptr_t>(data)) != 0) {
            gone_ = true; // killed meanwhile: it is no longer in a stop
            return false;
        }
        return true;
    }

    /// Waits for the tracee's next stop. Its exit is seen (WNOWAIT) but never consumed here,
    /// so a child of the program stays reapable by it (G2); a tracee that exits without
    /// another stop (killed just as it was resumed) cannot hang this wait.
    bool expect_syscall_stop() noexcept {
        siginfo_t si{};
        long rc = -1;
        do {
            rc = ::syscall(SYS_waitid, P_PID, tid_, &si, WSTOPPED | WEXITED | WNOWAIT | __WALL,
                           nullptr);
        } while (rc < 0 && errno == EINTR);
        if (rc < 0 || si.si_code != CLD_TRAPPED) {
            gone_ = true;
            code_ = rc < 0 ? 0 : si.si_code;
            status_ = rc < 0 ? 0 : si.si_status;
            return false;
        }
        siginfo_t taken{}; // the stop seen above, consumed
        (void)::syscall(SYS_waitid, P_PID, tid_, &taken, WSTOPPED | WNOHANG | __WALL, nullptr);
        code_ = si.si_code;
        status_ = si.si_status;
        if (si.si_status == seccomp_stop_status) {
            // A seccomp filter's SECCOMP_RET_TRACE for the injected call (the shim's own
            // filter, issue 12): it comes after the entry stop; the call goes on to its exit.
            return resume(0) && expect_syscall_stop();
        }
        return si.si_status == syscall_stop_status;
    }

    pid_t tid_;
    user_regs_struct base_;
    std::uint64_t insn_;
    int code_ = 0;
    int status_ = 0;
    bool gone_ = false;
};

} // namespace detail

} // namespace ptrace_api::shim
