// SPDX-License-Identifier: MIT
// Finds the address of the handler a stopped tracee is about to run for a signal, by making
// the tracee itself ask the kernel (rt_sigaction) at its signal-delivery-stop (spec 3.D5),
// without leaving any trace of the question: no register, flag, mask, memory or delivery
// difference from a run that was never asked (kernel-shim/README.md, "The handler probe").
#pragma once

#include <ptrace/shim/injector.hpp>
#include <ptrace/shim/remote_syscalls.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>

#include <sys/syscall.h>
#include <sys/types.h>

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
/// All of it is the public injection's mechanism (detail::Injector, injector.hpp), used with
/// the library's page instead of the stack and without the XSAVE area; only the end differs:
/// the tracee is resumed with `resume_request` instead of its stop being rebuilt.
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
    Injector injector(tid, StopKind::Signal, sig, space,
                      InjectOptions{.fp_state = false, .library_page = true});
    if (const InjectError e = injector.save(&status, nullptr); e.err != 0) {
        probe.reason = e.err == EINVAL   ? "not a 64-bit task"
                       : e.err == ENOSYS ? "no vDSO"
                       : e.err == EBUSY
                           ? "another instance of the held signal is pending"
                           : "the tracee's registers, mask or siginfo could not be read";
        return probe;
    }
    if (injector.held_signal() != sig) {
        probe.reason = "the tracee is not at a delivery-stop for this signal";
        return probe;
    }
    auto diverted = [&] {
        probe.outcome = HandlerProbe::Outcome::Diverted;
        probe.code = injector.divert_code();
        probe.status = injector.divert_status();
        probe.reason = "another stop came first";
        return probe;
    };
    if (injector.enter().err != 0) {
        probe.reason = "the tracee's mask could not be set";
        return probe;
    }
    if (!injector.map_page()) {
        injector.abandon();
        return diverted();
    }
    bool learnt = false;
    if (space.page != 0) {
        const auto asked = injector.call(
            SYS_rt_sigaction, {static_cast<std::uint64_t>(sig), 0, space.page + probe_oldact, 8});
        if (!asked) {
            injector.abandon();
            return diverted();
        }
        if (*asked == 0) {
            if (const auto handler = sys::peek_word(tid, space.page + probe_oldact)) {
                probe.handler = *handler;
                learnt = true;
            }
        }
    }
    // The signal is queued again whatever was learnt; the next stop stands for it.
    probe.outcome = HandlerProbe::Outcome::Resumed;
    if (!learnt) {
        probe.handler = caught_handler_unknown;
        probe.reason =
            space.page == 0 ? "mmap failed in the tracee" : "rt_sigaction failed in the tracee";
    }
    switch (injector.release(resume_request)) {
    case Left::Diverted:
        return diverted();
    case Left::Killed:
        probe.reason = "the tracee was killed meanwhile"; // its exit stop comes next
        break;
    case Left::Resumed:
        break;
    }
    return probe;
}

} // namespace ptrace_api::shim
