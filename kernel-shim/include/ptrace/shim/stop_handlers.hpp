// SPDX-License-Identifier: MIT
// The stop machine's decide phase (machine.hpp): one handler per kind of classified stop, in
// the order dispatch lists them. Each applies the Redox rules of its kind (rules.hpp; spec
// sections D, F, H, decisions 17 and 18, issue 12's syscall sets) to the tracee's record and
// ends in the act phase, Machine::finish_stop, which reports, holds or resumes. Every Linux
// call goes through the Backend. Tracer thread, mutex held.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/classify.hpp>
#include <ptrace/shim/handler_probe.hpp>
#include <ptrace/shim/machine.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/syscall_filter.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <time.h>
#include <utility>

#include <linux/audit.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>

namespace ptrace_api::shim {

// ---- syscall stops: entry (D1), exit (D2), seccomp (issue 12) ----

/// D1 (and decision 18's folding of a restart's duplicate entry).
inline void Machine::on_syscall_entry(detail::Tracee& t, BackendStopFacts& facts) {
    t.sys = detail::SysState::Inside;
    t.stop = detail::StopKind::SyscallEntry;
    t.exec_exit_pending = false;
    t.traced_syscall = true;
    if (t.restart && facts.have_info &&
        fold_restart(t, facts.info.entry.nr, facts.info.instruction_pointer)) {
        // Decision 18: the restart's duplicate entry stop is folded away.
        finish_stop(t, std::nullopt, false);
        return;
    }
    if (!t.syscalls.empty()) {
        // Issue 12, shim path: a syscall outside the set passes, entry and exit, silently.
        const auto [nr, native] = syscall_at_stop(t, facts);
        t.traced_syscall = filter::stops_for(t.syscalls, nr, native);
        if (!t.traced_syscall) {
            finish_stop(t, std::nullopt, false);
            return;
        }
    }
    finish_stop(t, report_if(t, PtraceFlags::STOP_PRE_SYSCALL), true);
}

/// D2, decision 17 (no POST for a successful execve), decision 18 / spec 3.H6 (a
/// kernel-internal exit of an interrupted syscall is not reported).
inline void Machine::on_syscall_exit(detail::Tracee& t) {
    const bool entry_seen = t.sys == detail::SysState::Inside;
    t.sys = detail::SysState::Outside;
    t.stop = detail::StopKind::SyscallExit;
    if (std::exchange(t.exec_exit_pending, false)) {
        finish_stop(t, std::nullopt, false);
        return;
    }
    const user_regs_struct* regs = load_regs(t);
    // Issue 12: the exit of a syscall the set lets pass passes too (decided at its entry;
    // by its number when the entry was not seen, after an attach).
    bool traced = t.traced_syscall;
    if (!entry_seen && regs != nullptr) {
        traced = filter::stops_for(t.syscalls, regs->orig_rax, true);
    }
    if (regs != nullptr && (rules::is_restart_errno(regs->rax) || restart_ignored_interrupt(t))) {
        expect_restart(t, *regs, traced);
        finish_stop(t, std::nullopt, false);
        return;
    }
    if (!traced) {
        finish_stop(t, std::nullopt, false);
        return;
    }
    finish_stop(t, report_if(t, PtraceFlags::STOP_POST_SYSCALL), true);
}

/// Issue 12, kernel path: a PTRACE_EVENT_SECCOMP stop is the entry of a syscall the
/// tracee's filter traps (since Linux 4.8 it comes after the syscall-entry-stop, if the
/// tracee was resumed with PTRACE_SYSCALL, and before the syscall runs). After an entry
/// stop of the same syscall it is that syscall's second stop: folded, so PRE is reported
/// once. Otherwise it is the PRE of a syscall of the set (a number the set no longer
/// holds passes silently: narrowing), and the tracee is resumed with PTRACE_SYSCALL from
/// it to see its exit. Registers at this stop are those of an entry stop (orig_rax = the
/// number, rax = -ENOSYS); IGNORE skips the syscall the same way (E1, orig_rax = -1).
inline void Machine::on_seccomp_stop(detail::Tracee& t, BackendStopFacts& facts) {
    t.exec_exit_pending = false;
    if (t.sys == detail::SysState::Inside) {
        t.stop = detail::StopKind::SyscallEntry;
        finish_stop(t, std::nullopt, false);
        return;
    }
    t.sys = detail::SysState::Inside;
    t.stop = detail::StopKind::SyscallEntry;
    t.traced_syscall = true;
    const auto [nr, native] = syscall_at_stop(t, facts);
    const __ptrace_syscall_info* info = facts.syscall_info();
    std::uint64_t ip = 0;
    if (info != nullptr) {
        ip = info->instruction_pointer;
    } else if (const user_regs_struct* regs = load_regs(t)) {
        ip = regs->rip;
    }
    if (fold_restart(t, nr, ip)) {
        finish_stop(t, std::nullopt, false); // decision 18, as at an entry stop
        return;
    }
    t.traced_syscall = filter::stops_for(t.syscalls, nr, native);
    if (!t.traced_syscall) {
        finish_stop(t, std::nullopt, false);
        return;
    }
    finish_stop(t, report_if(t, PtraceFlags::STOP_PRE_SYSCALL), true);
}

/// Issue 12: the number of the syscall at this entry or seccomp stop and whether it is a
/// native (x86_64) one, from GET_SYSCALL_INFO, else from the registers (native assumed).
inline std::pair<std::uint64_t, bool> Machine::syscall_at_stop(detail::Tracee& t,
                                                               BackendStopFacts& facts) {
    if (const __ptrace_syscall_info* info = facts.syscall_info()) {
        if (info->op == PTRACE_SYSCALL_INFO_ENTRY) {
            return {info->entry.nr, info->arch == AUDIT_ARCH_X86_64};
        }
        if (info->op == PTRACE_SYSCALL_INFO_SECCOMP) {
            return {info->seccomp.nr, info->arch == AUDIT_ARCH_X86_64};
        }
    }
    const user_regs_struct* regs = load_regs(t);
    return {regs != nullptr ? regs->orig_rax : ~std::uint64_t{0}, true};
}

/// Decision 18: the syscall at the tracee's registers restarts unseen; its duplicate
/// entry stop is to be folded away.
inline void Machine::expect_restart(detail::Tracee& t, const user_regs_struct& regs,
                                    bool traced) noexcept {
    t.restart = detail::PendingRestart{regs.orig_rax, regs.rip, false, traced};
}

/// Decision 18: the entry (or seccomp) stop of syscall `nr` at `ip` is the restart of an
/// interrupted syscall, whose entry was seen already: folded away. Also follows the
/// handler's rt_sigreturn, after which an unrestarted syscall never comes back.
inline bool Machine::fold_restart(detail::Tracee& t, std::uint64_t nr, std::uint64_t ip) noexcept {
    if (!t.restart) {
        return false;
    }
    if (ip == t.restart->ip && (nr == t.restart->nr || nr == SYS_restart_syscall)) {
        t.traced_syscall = t.restart->traced;
        t.restart.reset();
        return true;
    }
    if (t.restart->sigreturn_seen) {
        t.restart.reset(); // returned -EINTR instead: no restart comes
    } else if (nr == SYS_rt_sigreturn) {
        t.restart->sigreturn_seen = true;
    }
    return false;
}

// ---- event stops: interrupt and group-stop (H), exit (D7), fork/clone/exec (F1, F4) ----

/// An EVENT_STOP: a group-stop (H) or an interrupt (ours, or the end of a group-stop).
inline void Machine::on_event_stop(detail::Tracee& t, const Stop& stop) {
    t.job_stopped = stop.kind == detail::StopKind::GroupStop;
    t.stop = stop.kind;
    t.sys = detail::SysState::Outside;
    const user_regs_struct* regs =
        t.interrupt == detail::Interrupt::CameWithThisStop ? load_regs(t) : nullptr;
    if (regs != nullptr && rules::is_restart_errno(regs->rax) &&
        static_cast<std::int64_t>(regs->orig_rax) >= 0) {
        // Our INTERRUPT kicked the tracee out of a blocking syscall, which Linux will
        // restart (rax = -ERESTART*, rip not yet rewound): fold the restart's entry
        // stop so that the tracer sees only that syscall's POST (D3, decision 18).
        expect_restart(t, *regs, filter::stops_for(t.syscalls, regs->orig_rax, true));
    }
    finish_stop(t, std::nullopt, false);
}

/// D7: the exit cannot be aborted; reported with a = the wait status (rules::exit_status).
inline void Machine::on_exit_stop(detail::Tracee& t) {
    unsigned long msg = 0;
    if (be_.ptrace_ptr(PTRACE_GETEVENTMSG, t.tid, 0, &msg) != 0) {
        msg = 0;
    }
    t.stop = detail::StopKind::Exit;
    resolve_orphans(t); // F1: clone events its thread group can no longer report
    // H5 (spec 3.H5): a frozen tracee (O_TRUNC never written, a clone child not yet
    // released) that is killed dies at once. No freeze holds an exit stop; holding it
    // would keep the zombie from its parent until the next write or close.
    t.frozen = false;
    finish_stop(t, report_if(t, PtraceFlags::STOP_EXIT, rules::exit_status(msg)), true);
}

/// Fork, vfork, clone (F1, F4), exec and vfork-done event stops: nothing to report of
/// their own (EVENT_CLONE is the child's, queued by on_new_child).
inline void Machine::on_ptrace_event(detail::Tracee& t, int event, pid_t exec_caller) {
    t.stop = detail::StopKind::Event;
    if (t.sys != detail::SysState::Inside) {
        // Issue 12: no entry of this syscall was seen (the kernel path, for a syscall the
        // filter lets through; or after an attach): judge it by its number, so that a
        // clone outside the set gets no POST.
        const user_regs_struct* regs = t.syscalls.empty() ? nullptr : load_regs(t);
        t.traced_syscall = regs == nullptr || filter::stops_for(t.syscalls, regs->orig_rax, true);
    }
    t.sys = detail::SysState::Inside;
    if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
        unsigned long child = 0;
        if (be_.ptrace_ptr(PTRACE_GETEVENTMSG, t.tid, 0, &child) == 0) {
            on_new_child(t, static_cast<pid_t>(child));
        }
    } else if (event == PTRACE_EVENT_EXEC) {
        // A new address space: a new vDSO, no page of the D5 probe, and mem handles that
        // must reopen (K4). The task leads its thread group now.
        t.tgid = t.tid;
        spaces_.erase(t.tid);
        mark_mem_stale(t.tid);
        // Decision 26: STOP_EXEC reports it, `a` the TID that called exec (read once, by
        // rekey_exec(), which keyed the record by the leader's TID already), and holds the
        // tracee at the new program's first instruction.
        finish_stop(
            t, report_if(t, PtraceFlags::STOP_EXEC, static_cast<std::uint64_t>(exec_caller)), true);
        return;
    }
    finish_stop(t, std::nullopt, false);
}

/// F1/F4: the parent `t` created `child` (already auto-attached by Linux).
inline void Machine::on_new_child(detail::Tracee& t, pid_t child) {
    if (child <= 0) {
        return;
    }
    detail::Tracee* c = find_tracee(child);
    if (c == nullptr) {
        auto owned = std::make_unique<detail::Tracee>();
        owned->tid = child;
        owned->pidfd = open_pidfd(child);
        owned->birth = detail::Birth::FirstStopPending;
        owned->sys = detail::SysState::Outside;
        c = owned.get();
        tracees_[child] = std::move(owned);
    }
    if (c->birth == detail::Birth::CloneEventPending) {
        c->birth = detail::Birth::Known;
    }
    c->options = t.options;   // Linux copies the parent's options to the child
    c->syscalls = t.syscalls; // issue 12: the set, and the filter the child inherits
    c->kernel_set = t.kernel_set;
    detail::Session* s = t.session;
    if (s != nullptr && rules::wants_clones(s->bp)) {
        c->frozen = true; // F1: frozen before its first instruction until F2/F3
        // The child is not the O_EXCL tracee: the death of the tracer releases it
        // (I2 = I1, decision 10) and must not kill it through the EXITKILL Linux copied
        // from its parent. Its options are set again at its first stop.
        c->exitkill = false;
        if (c->stopped()) {
            apply_options(*c);
        }
        c->clone_owner = s;
        s->unread_children.push_back(child);
        if (!c->stopped() && (c->options & PTRACE_O_EXITKILL) != 0 && tgid_of(*c) == child) {
            // A new process (a thread dies with its O_EXCL group anyway) that carries the
            // copied EXITKILL until its options are set, which Linux allows only at a
            // stop: handle its first stop now, before the event can be read, so that a
            // tracer dying after the read releases it (I2 = I1, decision 10).
            take_first_stop(*c);
        }
        push_event(*s,
                   rules::make_event(PtraceFlags::EVENT_CLONE, static_cast<std::uint64_t>(child)));
    } else if (c->stopped()) {
        detach(*c); // F4: nobody asked for it; it runs untraced
    } else {
        c->detach_at_stop = true;
    }
}

/// Waits for the first stop of an auto-attached child `c` and handles it (its options are
/// set there). Linux stops a new child before its first instruction, so the wait is
/// short; it is bounded all the same (the child may be killed first, or its stop taken by
/// a waitpid of the program): past the bound the stop is handled whenever it comes. `c`
/// may be forgotten on return. Tracer thread, mutex held.
inline void Machine::take_first_stop(detail::Tracee& c) {
    const pid_t tid = c.tid;
    const int pidfd = detail::fd_of(c.pidfd);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    auto pause = std::chrono::microseconds(20);
    for (;;) {
        siginfo_t si{};
        if (be_.waitid(P_PID, static_cast<id_t>(tid), &si,
                       WSTOPPED | WNOHANG | __WALL | __WNOTHREAD) != 0) {
            return;
        }
        if (si.si_pid == tid) {
            dispatch(tid, si.si_code, si.si_status);
            return;
        }
        if (be_.pidfd_exited(pidfd, 0) || std::chrono::steady_clock::now() >= deadline) {
            return;
        }
        const timespec ts{0, static_cast<long>(pause.count()) * 1000};
        (void)::nanosleep(&ts, nullptr);
        pause = std::min(pause * 2, std::chrono::microseconds(2000));
    }
}

// ---- traps (D4, D6) and signals (D5) ----

/// D6 (int3; RIP is already after the instruction, decision 5) and D4 (the trap of a step
/// we asked for, even if another stop came in between: it may have been queued behind our
/// INTERRUPT's EVENT_STOP; an unrequested step trap is a SIGTRAP signal).
inline void Machine::on_trap(detail::Tracee& t, const Stop& stop) {
    t.sys = detail::SysState::Outside;
    t.stop = stop.kind;
    if (stop.kind == detail::StopKind::Breakpoint) {
        t.stop_sig = SIGTRAP;
        finish_stop(t, report_if(t, PtraceFlags::STOP_BREAKPOINT), true);
        return;
    }
    t.step_armed = false;
    t.stop_sig = 0;
    finish_stop(t, report_if(t, PtraceFlags::STOP_SINGLESTEP), true);
}

inline void Machine::on_signal(detail::Tracee& t, int sig) {
    t.stop = detail::StopKind::Signal;
    t.stop_sig = sig;
    t.sys = detail::SysState::Outside;
    (void)restart_ignored_interrupt(t);
    const std::optional<detail::ProbedHandler> probed = std::exchange(t.probed, std::nullopt);
    if (!wants(t, PtraceFlags::STOP_SIGNAL)) {
        finish_stop(t, std::nullopt, false);
        return;
    }
    std::uint64_t handler = 0;
    if (probed && probed->sig == sig) {
        handler = probed->handler; // the stop the probe resumed it to (handler_probe.hpp)
    } else {
        const auto st = be_.proc_status(t.tid);
        handler = st ? rules::handler_value(*st, sig) : caught_handler_unknown;
        if (st && handler == caught_handler_unknown) {
            // D5: ask the tracee for the address. The probe postpones the signal's
            // delivery, asks, and resumes the tracee, which stops again at once for the
            // same signal: that stop is reported, with the handler learnt here.
            ProbeSpace& space = spaces_[st->tgid];
            const HandlerProbe probe =
                be_.probe_handler(t.tid, sig, *st, space, rules::request_for(t.mode));
            t.regs.reset();
            switch (probe.outcome) {
            case HandlerProbe::Outcome::Resumed:
                t.run = detail::Run::Running;
                t.probed = detail::ProbedHandler{sig, probe.handler};
                if (t.mode == detail::Mode::Step) {
                    t.step_armed = true;
                }
                return;
            case HandlerProbe::Outcome::Diverted:
                // Another stop replaced this one (SIGKILL's exit, a SIGSTOP); the signal
                // is queued again. Handle the new stop instead (t may be gone after it),
                // or, when a SIGKILL made it exit past its exit stop, its end.
                if (probe.code == CLD_TRAPPED) {
                    dispatch(t.tid, probe.code, probe.status);
                } else if (be_.pidfd_exited(detail::fd_of(t.pidfd), 0)) {
                    vanished(t);
                } else {
                    t.run = detail::Run::Running; // out of its stop: its next one comes to the wait
                }
                return;
            case HandlerProbe::Outcome::Skipped:
                if (log_) {
                    std::fprintf(stderr, "ptrace-api shim: handler probe of tid %d skipped: %s\n",
                                 t.tid, probe.reason);
                }
                break;
            }
        }
    }
    finish_stop(
        t, rules::make_event(PtraceFlags::STOP_SIGNAL, static_cast<std::uint64_t>(sig), handler),
        true);
}

} // namespace ptrace_api::shim
