// SPDX-License-Identifier: MIT
// Finds the address of the handler a stopped tracee is about to run for a signal, by making
// the tracee itself ask the kernel (rt_sigaction) at its signal-delivery-stop (spec 3.D5),
// without leaving any trace of the question: no register, flag, mask, memory or delivery
// difference from a run that was never asked (kernel-shim/README.md, "The handler probe").
#pragma once

#include <ptrace/shim/remote_syscalls.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/sys.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// What probe_signal_handler did.
struct HandlerProbe {
    enum class Outcome {
        /// The tracee was resumed with the caller's request and stops again, at once, at a
        /// genuine signal-delivery-stop for the same signal with the same siginfo, registers
        /// and masks (unless another thread of its process takes a process-directed signal
        /// first, or a higher-priority signal arrived meanwhile). `handler` is the address,
        /// or caught_handler_unknown when the question failed in the tracee (`reason`).
        Resumed,
        /// Nothing was asked and nothing changed: the tracee is still at the original stop.
        /// `reason` says why (another instance of the signal pending, a seccomp filter, no
        /// vDSO, not a 64-bit task, a failed ptrace request).
        Skipped,
        /// Another ptrace-stop arrived first (SIGKILL's exit, a SIGSTOP, a group-stop), as
        /// waitid(2) reported it in `code` and `status`: the tracee's registers and signal mask
        /// are back, the signal is queued again with its siginfo, and the caller handles that
        /// stop instead.
        Diverted,
    };
    Outcome outcome = Outcome::Skipped;
    std::uint64_t handler = 0;
    const char* reason = "";
    int code = 0;   ///< si_code of the diverting stop (CLD_TRAPPED)
    int status = 0; ///< si_status of the diverting stop: `(event << 8) | signal`
};

namespace detail {

/// Marks the library's page in a tracee (its first 8 bytes), so that a page the program
/// unmapped or replaced is noticed before it is used.
inline constexpr std::uint64_t probe_page_magic = 0x65626f72702d6170; // "pa-probe"

/// Offsets in the library's page.
inline constexpr std::uint64_t probe_oldact = 8;   // struct kernel_sigaction (32 bytes)
inline constexpr std::uint64_t probe_sigmask = 40; // one kernel sigset_t (8 bytes)
inline constexpr std::uint64_t probe_timeout = 48; // struct timespec {0, 0} (16 bytes)

} // namespace detail

/// Asks the tracee `tid`, which sits in a signal-delivery-stop for `sig` that a handler
/// catches, what that handler is, and leaves no trace of the question.
///
/// The signal's delivery is only postponed, never changed: the tracee is resumed with `sig`
/// while every signal is blocked, which makes Linux queue it again, siginfo and all; the
/// tracee then calls rt_sigaction(sig, NULL, page) through a `syscall` instruction of its
/// vDSO (and, once per address space, mmap for the library's page); its registers and signal
/// mask are put back, and it is resumed with `resume_request` (PTRACE_CONT, PTRACE_SYSCALL or
/// PTRACE_SINGLESTEP, data 0) to stop again at once, at a genuine delivery-stop for the same
/// signal: whatever the tracer does there (deliver, suppress, die) acts as at the first one.
///
/// Mask-swapping waits (rt_sigsuspend, ppoll, pselect6, epoll_pwait...) leave the caller's
/// mask saved in the kernel while a temporary one is in force. PTRACE_GETSIGMASK reports the
/// saved mask and PTRACE_SETSIGMASK drops the saved state, so it is recreated before the
/// tracee is let go: one more injected call, ppoll(NULL, 0, {0, 0}, &temporary) entered with
/// the saved mask in force, which saves it again and finds the requeued signal pending.
///
/// `status` is /proc/<tid>/status read at this stop: `sig_blk` is the mask in force, `pending`
/// tells whether another instance of `sig` waits (then the probe is skipped: a standard
/// signal queued again would merge with it, a real-time one would go behind it).
///
/// \pre The calling thread traces `tid` with PTRACE_O_TRACESYSGOOD, and `tid` sits in the
///      signal-delivery-stop for `sig` that the caller just waited for.
inline HandlerProbe probe_signal_handler(pid_t tid, int sig, const sys::ProcStatus& status,
                                         ProbeSpace& space, long resume_request) {
    using namespace detail;
    HandlerProbe probe;
    if (sig <= 0 || sig > 64) {
        probe.reason = "not a signal";
        return probe;
    }
    if (((status.sig_pnd | status.shd_pnd) & rules::signal_bit(sig)) != 0) {
        probe.reason = "another instance of the signal is pending";
        return probe;
    }
    if (status.seccomp != 0) {
        probe.reason = "a seccomp filter could refuse or trap the injected calls";
        return probe;
    }
    siginfo_t info{};
    if (sys::ptrace_ptr(PTRACE_GETSIGINFO, tid, 0, &info) != 0 || info.si_signo != sig) {
        probe.reason = "the tracee is not at a delivery-stop for this signal";
        return probe;
    }
    user_regs_struct saved{};
    std::uint64_t mask = 0; // the saved mask while a mask-swapping wait is interrupted
    if (sys::ptrace_ptr(PTRACE_GETREGS, tid, 0, &saved) != 0 || !get_mask(tid, mask)) {
        probe.reason = "the tracee's registers or mask could not be read";
        return probe;
    }
    if (saved.cs != 0x33) {
        probe.reason = "not a 64-bit task";
        return probe;
    }
    // Where to make the calls: the cached vDSO site if it still holds a `syscall`.
    if (space.syscall_insn == 0 ||
        ((sys::peek_word(tid, space.syscall_insn).value_or(0) & 0xffff) != 0x050f)) {
        const auto insn = find_vdso_syscall(tid);
        if (!insn) {
            probe.reason = "no vDSO";
            return probe;
        }
        space = ProbeSpace{*insn, 0};
    }
    const bool have_page = space.page != 0 && sys::peek_word(tid, space.page) == probe_page_magic;
    const bool saved_state = mask != status.sig_blk; // the wait's temporary mask is in force

    auto restore = [&] {
        (void)sys::ptrace_ptr(PTRACE_SETREGS, tid, 0, &saved);
        (void)set_mask(tid, mask);
    };
    auto diverted = [&](const RemoteSyscalls& calls) {
        // Put back what can be put back. A saved mask is restored as the mask in force: with
        // no handler run, the interrupted wait restarts and saves it again itself.
        if (!calls.gone()) {
            restore();
        }
        probe.outcome = HandlerProbe::Outcome::Diverted;
        probe.code = calls.stop_code();
        probe.status = calls.stop_status();
        probe.reason = "another stop came first";
        return probe;
    };

    // Every signal blocked from here: none can interrupt the calls, and `sig`, passed back
    // with the first resume, is queued again instead of delivered (get_signal requeues a
    // blocked signal with its siginfo).
    if (!set_mask(tid, all_signals)) {
        probe.reason = "the tracee's mask could not be set";
        return probe;
    }
    RemoteSyscalls calls(tid, saved, space.syscall_insn);
    long requeue = sig;
    if (!have_page) {
        const auto page = calls.run(
            SYS_mmap,
            {0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, ~std::uint64_t{0}, 0},
            requeue);
        if (!page) {
            return diverted(calls);
        }
        requeue = 0;
        const auto addr = static_cast<std::uint64_t>(*page);
        if (*page < 0 && *page > -4096) {
            space.page = 0; // mmap failed in the tracee: nothing learnt, the signal is queued
        } else if (sys::poke_word(tid, addr, probe_page_magic)) {
            space.page = addr;
        }
    }
    bool learnt = false;
    std::optional<std::int64_t> asked;
    if (space.page != 0) {
        asked =
            calls.run(SYS_rt_sigaction,
                      {static_cast<std::uint64_t>(sig), 0, space.page + probe_oldact, 8}, requeue);
        if (!asked) {
            return diverted(calls);
        }
        if (*asked == 0) {
            if (const auto handler = sys::peek_word(tid, space.page + probe_oldact)) {
                probe.handler = *handler;
                learnt = true;
            }
        }
    }
    if (saved_state && space.page != 0 &&
        sys::poke_word(tid, space.page + probe_sigmask, status.sig_blk) &&
        sys::poke_word(tid, space.page + probe_timeout, 0) &&
        sys::poke_word(tid, space.page + probe_timeout + 8, 0)) {
        // Recreate the wait's saved-mask state: entered with the saved mask in force, ppoll
        // saves it, installs the temporary one, sees the requeued signal and returns
        // -ERESTARTNOHAND with the saved state kept for the signal's delivery.
        const auto recreated =
            calls.run(SYS_ppoll, {0, 0, space.page + probe_timeout, space.page + probe_sigmask, 8},
                      0, [&] { (void)set_mask(tid, mask); });
        if (!recreated) {
            return diverted(calls);
        }
        (void)sys::ptrace_ptr(PTRACE_SETREGS, tid, 0, &saved);
    } else {
        (void)sys::ptrace_ptr(PTRACE_SETREGS, tid, 0, &saved);
        // Without the library's page the saved state cannot be recreated: the temporary mask
        // stays in force, so the requeued signal is delivered at once (after its handler the
        // wait returns with that mask, not the saved one) rather than blocked and the wait
        // restarted, which would bring the same stop back.
        (void)set_mask(tid, saved_state ? status.sig_blk : mask);
    }
    // The signal is queued again whatever was learnt; the next stop stands for it.
    probe.outcome = HandlerProbe::Outcome::Resumed;
    if (!learnt) {
        probe.handler = caught_handler_unknown;
        probe.reason =
            space.page == 0 ? "mmap failed in the tracee" : "rt_sigaction failed in the tracee";
    }
    if (const auto next = sys::stop_waiting(tid)) {
        // A SIGKILL took it out of its stop meanwhile (spec 3.G, H5): that stop, taken here,
        // is what the caller handles; resuming would pass it unseen.
        siginfo_t taken{};
        (void)::waitid(P_PID, static_cast<id_t>(tid), &taken, WSTOPPED | WNOHANG | __WALL);
        probe.outcome = HandlerProbe::Outcome::Diverted;
        probe.code = next->si_code;
        probe.status = next->si_status;
        probe.reason = "another stop came first";
        return probe;
    }
    if (sys::ptrace_raw(resume_request, tid, 0, 0) != 0) {
        probe.reason = "the tracee was killed meanwhile"; // its exit stop comes next
    }
    return probe;
}

} // namespace ptrace_api::shim
