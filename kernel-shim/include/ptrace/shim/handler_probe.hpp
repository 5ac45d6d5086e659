// SPDX-License-Identifier: MIT
// Finds the address of the handler a stopped tracee is about to run for a signal, by making
// the tracee itself ask the kernel (rt_sigaction) at its signal-delivery-stop (spec 3.D5).
#pragma once

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// What probe_signal_handler found.
struct HandlerProbe {
    enum class Outcome {
        Found,    ///< `handler` holds the address; the tracee is back at an equivalent stop
        Failed,   ///< nothing was learnt; the tracee is back at an equivalent stop
        Diverted, ///< another ptrace-stop arrived instead, as waitid(2) reported it in
                  ///< `code` and `status`: the caller handles it as the tracee's new stop
    };
    Outcome outcome = Outcome::Failed;
    std::uint64_t handler = 0;
    int code = 0;   ///< si_code of the diverting stop (CLD_TRAPPED)
    int status = 0; ///< si_status of the diverting stop: `(event << 8) | signal`
};

namespace detail {

/// The address of a `syscall` instruction (0f 05) in the tracee's vDSO, which every x86_64
/// process maps; using it means no tracee code is patched, so other threads cannot trip over
/// a half-written instruction.
inline std::optional<std::uint64_t> vdso_syscall_site(pid_t tid) {
    std::ifstream maps("/proc/" + std::to_string(tid) + "/maps");
    std::string line;
    std::uint64_t start = 0, end = 0;
    while (std::getline(maps, line)) {
        if (line.size() > 6 && line.ends_with("[vdso]")) {
            const auto dash = line.find('-');
            const auto space = line.find(' ');
            start = std::stoull(line.substr(0, dash), nullptr, 16);
            end = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
            break;
        }
    }
    if (start == 0 || end <= start || end - start > (1U << 20)) {
        return std::nullopt;
    }
    const int mem = ::open(("/proc/" + std::to_string(tid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    if (mem < 0) {
        return std::nullopt;
    }
    std::string image(end - start, '\0');
    const ssize_t got = ::pread(mem, image.data(), image.size(), static_cast<off_t>(start));
    (void)::close(mem);
    if (got != static_cast<ssize_t>(image.size())) {
        return std::nullopt;
    }
    const auto at = image.find("\x0f\x05");
    if (at == std::string::npos) {
        return std::nullopt;
    }
    return start + at;
}

/// The thread group (process) id of the task `tid`, from /proc; `tid` itself if unreadable.
inline pid_t thread_group_of(pid_t tid) {
    std::ifstream status("/proc/" + std::to_string(tid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Tgid:", 0) == 0) {
            return static_cast<pid_t>(std::stol(line.substr(5)));
        }
    }
    return tid;
}

inline long ptrace_call(long request, pid_t tid, std::uintptr_t addr,
                        std::uintptr_t data) noexcept {
    return ::syscall(SYS_ptrace, request, static_cast<long>(tid), addr, data);
}

} // namespace detail

/// Asks the tracee `tid`, which sits in a signal-delivery-stop for `sig`, what its handler for
/// `sig` is: saves its registers, signal mask and siginfo; blocks every signal; points it at a
/// `syscall` instruction of its vDSO with rt_sigaction(sig, NULL, scratch, 8), the scratch
/// below its red zone; single-steps it; reads the handler; restores everything.
///
/// Resuming a signal-delivery-stop consumes its signal, so the tracee ends in the SIGTRAP
/// signal-delivery-stop of the step, with the original siginfo put back (PTRACE_SETSIGINFO):
/// resuming that stop with data = `sig` delivers the original signal, siginfo and all, and
/// with data = 0 suppresses it, exactly as at the original stop. Linux reports that stop with
/// WSTOPSIG = SIGTRAP; the caller must remember it stands for `sig`.
///
/// `site_cache`, when given, holds the vDSO `syscall` address found for this task before (0:
/// none yet) and receives it: the address space keeps its vDSO until an exec, when the caller
/// clears it, and reading /proc/<tid>/maps and the vDSO is most of a probe's system calls.
///
/// \pre The calling thread traces `tid`, and `tid` is in the signal-delivery-stop for `sig`
///      that the caller just waited for.
inline HandlerProbe probe_signal_handler(pid_t tid, int sig, std::uint64_t* site_cache = nullptr) {
    using detail::ptrace_call;
    HandlerProbe probe;
    siginfo_t info{};
    user_regs_struct saved{};
    std::uint64_t mask = 0;
    if (ptrace_call(PTRACE_GETSIGINFO, tid, 0, reinterpret_cast<std::uintptr_t>(&info)) != 0 ||
        info.si_signo != sig ||
        ptrace_call(PTRACE_GETREGS, tid, 0, reinterpret_cast<std::uintptr_t>(&saved)) != 0 ||
        ptrace_call(PTRACE_GETSIGMASK, tid, sizeof mask, reinterpret_cast<std::uintptr_t>(&mask)) !=
            0) {
        return probe;
    }
    std::optional<std::uint64_t> site;
    long word = 0;
    if (site_cache != nullptr && *site_cache != 0 &&
        ptrace_call(PTRACE_PEEKTEXT, tid, *site_cache, reinterpret_cast<std::uintptr_t>(&word)) ==
            0 &&
        (static_cast<std::uint64_t>(word) & 0xffff) == 0x050f) {
        // Still a `syscall` there (one PEEKTEXT checks the cache against an exec the caller
        // did not see, such as one by an untraced thread).
        site = *site_cache;
    } else {
        site = detail::vdso_syscall_site(tid);
        if (!site) {
            return probe;
        }
        if (site_cache != nullptr) {
            *site_cache = *site;
        }
    }
    // No other signal may stop the tracee between here and the step (SIGKILL still can).
    std::uint64_t all = ~std::uint64_t{0};
    user_regs_struct call = saved;
    const std::uint64_t scratch = (saved.rsp - 128 - 64) & ~std::uint64_t{15};
    call.rip = *site;
    call.rax = SYS_rt_sigaction;
    call.orig_rax = ~std::uint64_t{0}; // not in a syscall: no restart logic on this resume
    call.rdi = static_cast<unsigned>(sig);
    call.rsi = 0;
    call.rdx = scratch;
    call.r10 = 8; // sizeof the kernel's sigset_t
    auto restore = [&] {
        (void)ptrace_call(PTRACE_SETREGS, tid, 0, reinterpret_cast<std::uintptr_t>(&saved));
        (void)ptrace_call(PTRACE_SETSIGMASK, tid, sizeof mask,
                          reinterpret_cast<std::uintptr_t>(&mask));
        (void)ptrace_call(PTRACE_SETSIGINFO, tid, 0, reinterpret_cast<std::uintptr_t>(&info));
    };
    if (ptrace_call(PTRACE_SETSIGMASK, tid, sizeof all, reinterpret_cast<std::uintptr_t>(&all)) !=
            0 ||
        ptrace_call(PTRACE_SETREGS, tid, 0, reinterpret_cast<std::uintptr_t>(&call)) != 0 ||
        ptrace_call(PTRACE_SINGLESTEP, tid, 0, 0) != 0) {
        restore();
        return probe;
    }
    // Wait for stops only, like the shim's tracer thread: an exit is never consumed here, so
    // a tracee that is the program's child stays reapable by the program (G2). With every
    // signal blocked, only the step trap, SIGKILL's EXIT event or SIGSTOP can come.
    siginfo_t stop{};
    long rc = -1;
    do {
        rc = ::syscall(SYS_waitid, P_PID, tid, &stop, WSTOPPED | __WALL, nullptr);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        return probe; // the task is gone; nothing is left to restore
    }
    if (stop.si_code != CLD_TRAPPED || stop.si_status != SIGTRAP) {
        probe.outcome = HandlerProbe::Outcome::Diverted;
        probe.code = stop.si_code;
        probe.status = stop.si_status;
        if (stop.si_code == CLD_TRAPPED && (stop.si_status >> 8) == 0) {
            // A signal-delivery-stop (SIGSTOP) before the syscall ran: put the registers and
            // the mask back, and queue the consumed signal again. Its siginfo survives when
            // the kernel lets us (user-sent signals); a kernel-sent one comes back as tgkill.
            (void)ptrace_call(PTRACE_SETREGS, tid, 0, reinterpret_cast<std::uintptr_t>(&saved));
            (void)ptrace_call(PTRACE_SETSIGMASK, tid, sizeof mask,
                              reinterpret_cast<std::uintptr_t>(&mask));
            const pid_t tgid = detail::thread_group_of(tid);
            if (::syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, &info) != 0) {
                (void)::syscall(SYS_tgkill, tgid, tid, sig);
            }
        }
        return probe;
    }
    // The step ran the syscall; rax holds its result. The raw PEEKDATA stores the word
    // through its `data` pointer (the glibc wrapper's -1-is-data ambiguity does not arise).
    user_regs_struct after{};
    std::uint64_t handler = 0;
    const bool ok =
        ptrace_call(PTRACE_GETREGS, tid, 0, reinterpret_cast<std::uintptr_t>(&after)) == 0 &&
        after.rax == 0 &&
        ptrace_call(PTRACE_PEEKDATA, tid, scratch, reinterpret_cast<std::uintptr_t>(&handler)) == 0;
    restore();
    if (!ok) {
        return probe;
    }
    probe.outcome = HandlerProbe::Outcome::Found;
    probe.handler = handler;
    return probe;
}

} // namespace ptrace_api::shim
