// SPDX-License-Identifier: MIT
// The Redox rules the shim applies at a stop, as pure functions: given the session's
// breakpoint and what classify.hpp found, what is reported, how the tracee is resumed, with
// which signal and which ptrace options. No system call and no shim state here; the machine
// (machine.hpp) gathers the facts and acts on the answers. Rule ids: kernel-shim/README.md.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <optional>
#include <type_traits>

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

namespace ptrace_api::shim {

/// Options set on every seized task (spec 3.0); EXITKILL is added for O_EXCL handles (A6).
inline constexpr long seize_options =
    PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT;

/// Added while the session's breakpoint holds EVENT_CLONE (F1). Without it Linux does not
/// attach new children at all, which is F4's outcome ("runs untraced") without the two stops
/// and the detach per fork that auto-attaching costs.
inline constexpr long clone_options =
    PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;

/// `b` of a SIGNAL event for a caught signal whose handler could not be learnt (see
/// HandlerProbe::reason in handler_probe.hpp): a non-0/1 sentinel, so that the event still
/// says "caught" (spec 3.D5). Normally `b` is the address.
inline constexpr std::uint64_t caught_handler_unknown = ~std::uint64_t{0};

namespace rules {

/// A session's breakpoint: none before its first write (and after a WAIT-only one keeps
/// none), else the flags of the write that set it (B3, decision 6).
using Breakpoint = std::optional<PtraceFlags>;

/// Builds an event record (spec 1.2): `cause` is one flag, unused fields are zero.
template <class Event = PtraceEvent>
Event make_event(PtraceFlags cause, std::uint64_t a = 0, std::uint64_t b = 0) {
    Event ev{};
    if constexpr (std::is_same_v<decltype(ev.cause), std::uint64_t>) {
        ev.cause = cause.bits();
    } else {
        ev.cause = cause;
    }
    ev.a = a;
    ev.b = b;
    return ev;
}

/// The cause bits of an event record.
template <class Event>
std::uint64_t cause_bits(const Event& ev) noexcept {
    if constexpr (std::is_same_v<decltype(ev.cause), std::uint64_t>) {
        return ev.cause;
    } else {
        return ev.cause.bits();
    }
}

/// C4: a stop is a breakpoint of the session only when its breakpoint names it.
inline bool wants(const Breakpoint& bp, PtraceFlags flag) noexcept {
    return bp && bp->contains(flag);
}

/// The event a stop reports (C1, D1-D7): only when the breakpoint names its cause.
inline std::optional<PtraceEvent> report_if(const Breakpoint& bp, PtraceFlags cause,
                                            std::uint64_t a = 0, std::uint64_t b = 0) {
    if (!wants(bp, cause)) {
        return std::nullopt;
    }
    return make_event(cause, a, b);
}

/// F1: new children are traced (and frozen) only while the breakpoint holds EVENT_CLONE.
inline bool wants_clones(const Breakpoint& bp) noexcept {
    return wants(bp, PtraceFlags::EVENT_CLONE);
}

/// The ptrace options a tracee needs now: clone tracing while its session asks for
/// EVENT_CLONE (F1), EXITKILL for an O_EXCL tracee (A6).
inline long options_for(bool exitkill, const Breakpoint* bp) noexcept {
    long options = seize_options;
    if (exitkill) {
        options |= PTRACE_O_EXITKILL;
    }
    if (bp != nullptr && wants_clones(*bp)) {
        options |= clone_options;
    }
    return options;
}

inline bool wants_syscalls(const Breakpoint& bp) noexcept {
    return bp && bp->intersects(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL);
}

/// B11: the Linux resume class a breakpoint needs while the tracee runs. A write that
/// changes it must stop a running tracee to resume it in the new class.
inline detail::Mode mode_class(const Breakpoint& bp) noexcept {
    if (wants(bp, PtraceFlags::STOP_SINGLESTEP)) {
        return detail::Mode::Step;
    }
    return wants_syscalls(bp) ? detail::Mode::Syscall : detail::Mode::Cont;
}

/// The resume mode at a stop (spec 3.1 "Resume mode from Redox flags"). With both syscall
/// stops and SINGLESTEP, syscall stops win over the step of a `syscall` instruction (D4
/// precedence): `at_syscall_instruction()` is asked only then.
template <class AtSyscallInstruction>
detail::Mode mode_for(const Breakpoint& bp, detail::StopKind stop,
                      AtSyscallInstruction&& at_syscall_instruction) {
    const bool sys_stops = wants_syscalls(bp);
    const bool step = wants(bp, PtraceFlags::STOP_SINGLESTEP);
    if (sys_stops && step) {
        if (stop == detail::StopKind::SyscallEntry && wants(bp, PtraceFlags::STOP_POST_SYSCALL)) {
            return detail::Mode::Syscall;
        }
        return stop != detail::StopKind::SyscallEntry && at_syscall_instruction()
                   ? detail::Mode::Syscall
                   : detail::Mode::Step;
    }
    if (sys_stops) {
        return detail::Mode::Syscall;
    }
    return step ? detail::Mode::Step : detail::Mode::Cont;
}

/// The ptrace request that resumes in `mode`.
inline long request_for(detail::Mode mode) noexcept {
    return mode == detail::Mode::Syscall ? PTRACE_SYSCALL
           : mode == detail::Mode::Step  ? PTRACE_SINGLESTEP
                                         : PTRACE_CONT;
}

/// True when the two bytes at the instruction pointer are a system call instruction
/// (`syscall` 0F 05, `int 0x80` CD 80), read as a little-endian word.
inline bool is_syscall_instruction(std::uint64_t word) noexcept {
    const std::uint64_t bytes = word & 0xffff;
    return bytes == 0x050f || bytes == 0x80cd;
}

/// The signal a resume from `stop` delivers unless IGNORE (E2): the held signal `stop_sig` of a
/// signal-delivery-stop, which is a SIGNAL stop's own signal, SIGTRAP at an int3 (decision 4:
/// the RFC's tracee dies by it) and none after a step, unless a siginfo write made another one
/// the held signal (decision 27); none from any other stop.
inline long resume_signal(detail::StopKind stop, int stop_sig, bool ignore) noexcept {
    if (ignore) {
        return 0;
    }
    switch (stop) {
    case detail::StopKind::Signal:
    case detail::StopKind::Breakpoint:
    case detail::StopKind::Step:
        return stop_sig;
    default:
        return 0;
    }
}

/// E1: an IGNORE resume from a syscall-entry stop skips the syscall.
inline bool skips_syscall(detail::StopKind stop, bool ignore) noexcept {
    return ignore && stop == detail::StopKind::SyscallEntry;
}

/// The registers of a skipped syscall (E1, E6): no syscall runs (orig_rax -1) and the
/// tracee sees the rax the tracer wrote, or the syscall number if it wrote none.
template <class Regs>
void skip_syscall_regs(Regs& regs, bool tracer_wrote_rax) noexcept {
    if (!tracer_wrote_rax) {
        regs.rax = regs.orig_rax;
    }
    regs.orig_rax = ~std::uint64_t{0};
}

/// The signal a PTRACE_DETACH delivers from a stop the shim does not otherwise handle: a task
/// it let go of that stops again (spec 3.G), the stop of a temporary seize (A8). The signal
/// of a signal-delivery-stop; none for a ptrace event or a syscall stop.
inline long detach_signal(int status) noexcept {
    const int sig = status & 0xff;
    const int event = (status >> 8) & 0xff;
    return event == 0 && sig != SIGTRAP && sig != (SIGTRAP | 0x80) ? sig : 0;
}

/// D7 `a`: the exit status from PTRACE_GETEVENTMSG, without the core-dump bit (Redox has
/// none, spec 1.2).
inline std::uint64_t exit_status(std::uint64_t event_msg) noexcept {
    return event_msg & ~std::uint64_t{0x80};
}

/// D7 `a` from a waitid(2) of a task that ended without its exit stop (its si_code and
/// si_status): a wait status.
inline std::uint64_t wait_status(int code, int status) noexcept {
    const auto value = static_cast<std::uint64_t>(static_cast<unsigned>(status));
    return code == CLD_EXITED ? (value & 0xff) << 8 : value & 0x7f;
}

/// The bit of signal `sig` (1 to 64) in a /proc signal mask.
constexpr std::uint64_t signal_bit(int sig) noexcept {
    return std::uint64_t{1} << static_cast<unsigned>(sig - 1);
}

/// D5 `b` from the signal masks of /proc/<tid>/status: 0 SIG_DFL, 1 SIG_IGN,
/// caught_handler_unknown when the tracee catches the signal (the probe then learns the
/// address from the tracee).
inline std::uint64_t handler_value(const sys::ProcStatus& st, int sig) noexcept {
    if (sig <= 0 || sig > 64) {
        return 0;
    }
    if ((st.sig_ign & signal_bit(sig)) != 0) {
        return 1;
    }
    if ((st.sig_cgt & signal_bit(sig)) != 0) {
        return caught_handler_unknown;
    }
    return 0;
}

/// Decision 18: rax of a syscall Linux restarts unseen (-ERESTARTSYS, -ERESTARTNOINTR,
/// -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK).
inline bool is_restart_errno(std::uint64_t rax) noexcept {
    const auto v = static_cast<std::int64_t>(rax);
    return v == -512 || v == -513 || v == -514 || v == -516;
}

/// -ERESTARTNOHAND as rax reads it.
inline constexpr std::uint64_t restart_nohand = static_cast<std::uint64_t>(-514);

/// Spec 3.H6, first half: an epoll wait that ended with -EINTR (checked at its syscall-exit
/// stop, or at the delivery-stop of the signal that interrupted it). Only then is the
/// tracee's /proc status read for the second half.
inline bool interrupted_epoll_wait(std::uint64_t rax, std::uint64_t orig_rax) noexcept {
    return static_cast<std::int64_t>(rax) == -EINTR &&
           (orig_rax == SYS_epoll_wait || orig_rax == SYS_epoll_pwait ||
            orig_rax == SYS_epoll_pwait2);
}

/// Spec 3.H6, second half: every pending signal the wait lets through is ignored. Linux keeps
/// an ignored signal pending for a traced task (the tracer is to see it), where an untraced
/// task drops it when it is sent; the wait must then be restarted as untraced (its rax
/// becomes restart_nohand). `st` is the tracee's /proc status, `delivering` the signal of
/// the signal-delivery-stop it sits in (0 at a syscall-exit stop). A POSIX timer's signal
/// interrupts an untraced wait too: the caller rules those out itself (they need ptrace).
inline bool only_ignored_signals_through(const sys::ProcStatus& st, int delivering) noexcept {
    std::uint64_t through = (st.sig_pnd | st.shd_pnd) & ~st.sig_blk;
    if (delivering > 0 && delivering <= 64) {
        through |= signal_bit(delivering); // dequeued already: the one being delivered
    }
    const std::uint64_t default_ignored =
        (signal_bit(SIGCHLD) | signal_bit(SIGURG) | signal_bit(SIGWINCH) | signal_bit(SIGCONT)) &
        ~st.sig_cgt;
    const std::uint64_t ignored = st.sig_ign | default_ignored;
    return through != 0 && (through & ~ignored) == 0;
}

} // namespace rules
} // namespace ptrace_api::shim
