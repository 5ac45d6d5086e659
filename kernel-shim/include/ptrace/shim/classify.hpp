// SPDX-License-Identifier: MIT
// Stop classification (spec 3.1 table), a pure function: a waitid(2) status of a traced task
// plus the few facts only ptrace can tell (asked lazily, through `Facts`) give the typed stop
// the rules then decide on. No shim state and no system call here: the machine (machine.hpp)
// passes what it knows of the task and a Facts that asks Linux; the tests pass scripted ones.
#pragma once

#include <ptrace/shim/state.hpp>

#include <csignal>
#include <optional>

#include <sys/ptrace.h>

namespace ptrace_api::shim {

/// A classified ptrace-stop.
struct Stop {
    detail::StopKind kind = detail::StopKind::None;
    int sig = 0;   ///< Signal: the signal; GroupStop: the stop signal; Interrupt: SIGTRAP
    int event = 0; ///< Event: the PTRACE_EVENT_* number (fork, vfork, clone, exec, vfork-done)

    friend bool operator==(const Stop&, const Stop&) = default;
};

/// What the classification knows of the task before it asks Linux anything.
struct StopContext {
    detail::SysState sys = detail::SysState::Unknown; ///< syscall-stop pairing so far
    bool restart_pending = false; ///< decision 18: a restart's entry stop may come next
    bool step_armed = false;      ///< resumed with PTRACE_SINGLESTEP, its trap not yet seen
};

/// The status bits of a syscall-stop under PTRACE_O_TRACESYSGOOD.
inline constexpr int syscall_stop_sig = SIGTRAP | 0x80;

/// The PTRACE_EVENT_* number of a ptrace-stop status (0 for none).
constexpr int stop_event(int status) noexcept {
    return (status >> 8) & 0xff;
}

/// The signal number of a ptrace-stop status (syscall_stop_sig for a syscall-stop).
constexpr int stop_signal(int status) noexcept {
    return status & 0xff;
}

/// H: the signals that start a group-stop.
constexpr bool is_stop_signal(int sig) noexcept {
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/// Classifies the ptrace-stop `status` (waitid's si_status for CLD_TRAPPED, i.e. what
/// waitpid's status holds shifted right by 8). `Facts` answers, only when asked:
/// - `std::optional<bool> syscall_entry()`: PTRACE_GET_SYSCALL_INFO says entry (true) or
///   exit (false); nothing when Linux cannot tell. Asked only when the pairing is uncertain
///   (after an attach or a taken-over stop) or a restart must be recognised.
/// - `int trap_code()`: the si_code of a SIGTRAP's siginfo (SI_USER when unreadable).
///
/// Syscall-stops pair as entry/exit by the task's own state (D1, D2); an EVENT_STOP is a
/// group-stop when its signal is a stop signal (H) and otherwise an interrupt (our INTERRUPT,
/// a new child's first stop, the end of a group-stop); PTRACE_EVENT_SECCOMP is the kernel
/// filter's stop at a syscall entry (issue 12, status `(SIGTRAP | 7 << 8)`); a SIGTRAP is an int3
/// when the kernel sent it (D6, SI_KERNEL), the trap of a step we asked for (D4), or else a signal
/// (D5).
template <class Facts>
Stop classify(int status, const StopContext& ctx, Facts& facts) {
    const int sig = stop_signal(status);
    const int event = stop_event(status);
    if (sig == syscall_stop_sig && event == 0) {
        bool entry = ctx.sys != detail::SysState::Inside;
        if (ctx.sys == detail::SysState::Unknown || ctx.restart_pending) {
            if (const std::optional<bool> e = facts.syscall_entry()) {
                entry = *e;
            }
        }
        return {entry ? detail::StopKind::SyscallEntry : detail::StopKind::SyscallExit, 0, 0};
    }
    switch (event) {
    case 0:
        break;
    case PTRACE_EVENT_STOP:
        if (is_stop_signal(sig)) {
            return {detail::StopKind::GroupStop, sig, 0};
        }
        return {detail::StopKind::Interrupt, sig, 0};
    case PTRACE_EVENT_EXIT:
        return {detail::StopKind::Exit, 0, 0};
    case PTRACE_EVENT_SECCOMP:
        return {detail::StopKind::Seccomp, 0, event}; // issue 12: a syscall the filter traps
    default:
        return {detail::StopKind::Event, 0, event};
    }
    if (sig == SIGTRAP) {
        const int code = facts.trap_code();
        if (code == SI_KERNEL) {
            return {detail::StopKind::Breakpoint, SIGTRAP, 0};
        }
        if ((code == TRAP_TRACE || code == TRAP_BRKPT) && ctx.step_armed) {
            return {detail::StopKind::Step, 0, 0};
        }
    }
    return {detail::StopKind::Signal, sig, 0};
}

} // namespace ptrace_api::shim
