// SPDX-License-Identifier: MIT
// The stop machine: one wait result at a time, in the order gather (find the task's record,
// reset what a new stop resets) -> classify (classify.hpp) -> decide (rules.hpp, through one
// handler per kind of stop: stop_handlers.hpp) -> act (report, hold, resume, detach: the end
// of this file, over the acts on one task of tracees.hpp). Tasks that end without the stops
// that decide for them are vanished.hpp's. Every Linux call goes through the Backend, so the
// tests drive it with a scripted one. Tracer thread, mutex held.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/classify.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/shim/tracees.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>

namespace ptrace_api::shim {

/// The stop machine (see the top of this file), over the records and acts of Tracees. Its
/// members are declared in the order of the phases; the handlers of each kind of stop are
/// defined in stop_handlers.hpp, the ends without a stop in vanished.hpp.
class Machine : public Tracees {
public:
    /// Handles one wait result of a traced task: finds its record (gather), classifies the
    /// stop, and lets the handler of that kind decide by the rules and act (report, hold,
    /// resume, detach).
    void dispatch(pid_t tid, int code, int status) {
        ++stops_;
        if (log_) {
            std::fprintf(stderr, "ptrace-api shim: stop tid=%d code=%d status=%#x\n", tid, code,
                         static_cast<unsigned>(status));
        }
        if (code != CLD_TRAPPED) {
            return; // only ptrace-stops are reported to this thread
        }
        // The TID that called exec, for an exec stop (else unused).
        const pid_t exec_caller = stop_event(status) == PTRACE_EVENT_EXEC ? rekey_exec(tid) : tid;
        detail::Tracee* tp = find_tracee(tid);
        if (tp == nullptr) {
            on_unknown_stop(tid, status);
            return;
        }
        detail::Tracee& t = *tp;
        if (t.birth == detail::Birth::CloneEventPending) {
            // A second stop before its parent's clone event: it was killed (its group died,
            // or SIGKILL), and no event will decide for it. Let it go.
            detach(t);
            return;
        }
        begin_stop(t, status);
        if (t.birth == detail::Birth::FirstStopPending && on_first_stop(t, status)) {
            return;
        }
        BackendStopFacts facts{be_, t.tid};
        const Stop stop = classify(status, {t.sys, t.restart.has_value(), t.step_armed}, facts);
        switch (stop.kind) {
        case detail::StopKind::SyscallEntry:
            on_syscall_entry(t, facts);
            return;
        case detail::StopKind::SyscallExit:
            on_syscall_exit(t);
            return;
        case detail::StopKind::Seccomp:
            on_seccomp_stop(t, facts);
            return;
        case detail::StopKind::Interrupt:
        case detail::StopKind::GroupStop:
            t.exec_exit_pending = false;
            on_event_stop(t, stop);
            return;
        case detail::StopKind::Exit:
            t.exec_exit_pending = false;
            on_exit_stop(t);
            return;
        case detail::StopKind::Event:
            t.exec_exit_pending = stop.event == PTRACE_EVENT_EXEC;
            on_ptrace_event(t, stop.event, exec_caller);
            return;
        case detail::StopKind::Breakpoint:
        case detail::StopKind::Step:
            t.exec_exit_pending = false;
            on_trap(t, stop);
            return;
        case detail::StopKind::Signal:
            t.exec_exit_pending = false;
            on_signal(t, stop.sig);
            return;
        case detail::StopKind::None:
            return;
        }
    }

    // ---- tasks that ended without an exit stop this thread handled (vanished.hpp) ----

    /// Forgets every record as vanished (Linux says this thread traces nothing).
    void vanish_all();
    /// Forgets the tasks whose pidfd says they ended, at most once per `period`.
    void sweep_vanished_every(std::chrono::milliseconds period);
    /// Whether `t` may be a non-leader thread inside execve, past taking its leader's TID.
    [[nodiscard]] bool may_be_taking_over_leader(detail::Tracee& t);
    /// Forgets `t`, whose task ended without an exit stop, reporting its EXIT if it can.
    void vanished(detail::Tracee& t);

protected:
    using Tracees::Tracees;
    ~Machine() = default;

    // ---- gather: the task's record, and what a new stop resets ----

    /// A non-leader thread that execs takes its leader's TID (the old leader and every other
    /// thread are gone by now): its exec stop comes under the new TID. Re-key it before
    /// anything looks the TID up (spec 3.G pitfalls). \returns the TID that called exec
    /// (PTRACE_GETEVENTMSG), `tid` itself when Linux does not say (decision 26's `a`).
    pid_t rekey_exec(pid_t tid) {
        unsigned long former = 0;
        if (be_.ptrace_ptr(PTRACE_GETEVENTMSG, tid, 0, &former) != 0 || former == 0) {
            return tid;
        }
        const auto caller = static_cast<pid_t>(former);
        if (caller != tid) {
            rekey(caller, tid);
        }
        return caller;
    }

    /// A stop of a task without a record: an auto-attached child whose first stop beat its
    /// parent's clone event (F1), or a task this thread let go of (a detach that found it out
    /// of its stop, say after a SIGKILL) reaching its next stop.
    void on_unknown_stop(pid_t tid, int status) {
        if (stop_event(status) != PTRACE_EVENT_STOP) {
            // Not a new child's first stop: let it go again; never hold it (spec 3.G).
            (void)be_.ptrace(PTRACE_DETACH, tid, 0,
                             static_cast<std::uintptr_t>(rules::detach_signal(status)));
            return;
        }
        // Hold it until the parent's event decides between freeze and release.
        auto owned = std::make_unique<detail::Tracee>();
        owned->tid = tid;
        owned->pidfd = open_pidfd(tid);
        owned->run = detail::Run::Stopped;
        owned->stop = detail::StopKind::Interrupt;
        owned->sys = detail::SysState::Outside;
        owned->birth = detail::Birth::CloneEventPending;
        if (const auto st = be_.proc_status(tid)) {
            // The thread group whose clone event will name it: its own for a thread, its
            // parent's for a process (resolve_orphans decides if that never comes).
            owned->tgid = st->tgid;
            owned->origin = st->tgid == tid ? st->ppid : st->tgid;
        }
        detail::Tracee& child = *owned;
        tracees_[tid] = std::move(owned);
        if (!may_report_clone(child.origin, nullptr)) {
            // Its creator's thread group is exiting or gone already (its exit stop came
            // first): no event will decide for it. Let it go (F4).
            detach(child);
        }
    }

    /// What every new stop resets.
    static void begin_stop(detail::Tracee& t, int status) noexcept {
        t.run = detail::Run::Stopped; // a new stop ends the previous one (e.g. SIGKILL woke it up)
        t.interrupt = t.interrupt == detail::Interrupt::Pending
                          ? detail::Interrupt::CameWithThisStop
                          : detail::Interrupt::None;
        t.regs.reset();
        t.entry_regs_written = false;
        if (stop_event(status) != 0 || stop_signal(status) == syscall_stop_sig) {
            t.probed.reset(); // the probe's memo holds only until the signal's next stop
        }
    }

    /// The first stop of an auto-attached child (F1): it is held or let go before it runs.
    /// \returns false when what arrived is not that stop: killed before it, the child is at
    /// its exit stop, handled as such by the caller (it must be let go there, or its zombie
    /// stays traced and its parent's wait never returns).
    bool on_first_stop(detail::Tracee& t, int status) {
        t.birth = detail::Birth::Known;
        t.sys = detail::SysState::Outside;
        if (stop_event(status) != PTRACE_EVENT_STOP) {
            return false;
        }
        t.stop = detail::StopKind::Interrupt;
        apply_options(t); // a frozen clone child drops its parent's EXITKILL
        finish_stop(t, std::nullopt, false);
        return true;
    }

    // ---- decide: one handler per kind of stop (stop_handlers.hpp), each ending in act ----

    /// D1 (decision 18: a restart's duplicate entry folded).
    void on_syscall_entry(detail::Tracee& t, BackendStopFacts& facts);
    /// D2, decision 17, decision 18 / spec 3.H6.
    void on_syscall_exit(detail::Tracee& t);
    /// Issue 12, kernel path: the entry of a syscall the filter traps.
    void on_seccomp_stop(detail::Tracee& t, BackendStopFacts& facts);
    /// An EVENT_STOP: a group-stop (H) or an interrupt.
    void on_event_stop(detail::Tracee& t, const Stop& stop);
    /// D7.
    void on_exit_stop(detail::Tracee& t);
    /// Fork, vfork, clone (F1, F4), exec and vfork-done event stops.
    /// `exec_caller`: for an exec stop, the TID that called exec (rekey_exec()).
    void on_ptrace_event(detail::Tracee& t, int event, pid_t exec_caller);
    /// F1/F4: the parent `t` created `child`.
    void on_new_child(detail::Tracee& t, pid_t child);
    /// Waits (bounded) for the first stop of the auto-attached child `c` and handles it.
    void take_first_stop(detail::Tracee& c);
    /// D6 (int3) and D4 (the trap of a step we asked for).
    void on_trap(detail::Tracee& t, const Stop& stop);
    /// D5: a signal-delivery-stop.
    void on_signal(detail::Tracee& t, int sig);
    /// Decision 18: the syscall at `regs` restarts unseen.
    static void expect_restart(detail::Tracee& t, const user_regs_struct& regs,
                               bool traced) noexcept;
    /// Issue 12: the number of the syscall at this stop, and whether it is native.
    std::pair<std::uint64_t, bool> syscall_at_stop(detail::Tracee& t, BackendStopFacts& facts);
    /// Decision 18: whether this entry is the restart of an interrupted syscall.
    static bool fold_restart(detail::Tracee& t, std::uint64_t nr, std::uint64_t ip) noexcept;

    // ---- act: report, hold, resume, detach ----

    /// Common end of every stop: report, serve waiting requests, then hold or resume.
    void finish_stop(detail::Tracee& t, std::optional<PtraceEvent> report, bool breakpoint) {
        if (report && t.session != nullptr) {
            if (breakpoint) {
                t.session->reached = true; // C4
                t.run = detail::Run::Held;
            }
            push_event(*t.session, *report);
        }
        if (!t.at_stop.empty()) {
            auto callbacks = std::move(t.at_stop);
            t.at_stop.clear();
            for (auto& cb : callbacks) {
                cb(t);
            }
        }
        if (t.detach_at_stop) {
            detach(t);
            return;
        }
        if (t.run != detail::Run::Held && !t.frozen &&
            t.birth != detail::Birth::CloneEventPending) {
            resume(t, detail::ResumeCause::Auto, false);
        }
    }

    /// Lets a stopped tracee go: the Redox "resume" (B3) or the automatic answer to a stop
    /// nobody asked for (unrequested signals delivered, group-stops listened, spec 3.1).
    void resume(detail::Tracee& t, detail::ResumeCause cause, bool ignore) {
        if (!t.stopped()) {
            return;
        }
        t.run = detail::Run::Stopped; // a resume ends the hold (C4)
        if (t.stop == detail::StopKind::Exit) {
            detach(t); // D7/G: the exit cannot be aborted; never wait on it, never reap
            return;
        }
        apply_options(t);
        if (t.stop == detail::StopKind::GroupStop && t.job_stopped) {
            // H3: a ptrace resume does not end a job-control stop; LISTEN keeps the tracee
            // stopped yet able to report SIGCONT (an EVENT_STOP) and new signals.
            (void)be_.ptrace(PTRACE_LISTEN, t.tid, 0, 0);
            t.run = detail::Run::Listening;
            t.regs.reset();
            return;
        }
        const long data = rules::resume_signal(t.stop, t.stop_sig, ignore); // E2, decision 4
        if (rules::skips_syscall(t.stop, ignore)) {
            skip_syscall(t); // E1
        }
        if (cause == detail::ResumeCause::Write && stop_left(t)) {
            return;
        }
        detail::Mode mode =
            rules::mode_for(bp_of(t), t.stop, [this, &t] { return at_syscall_instruction(t); });
        const bool kernel_path = filter::kernel_covers(t.kernel_set, t.syscalls);
        if (mode == detail::Mode::Syscall && kernel_path &&
            !wants(t, PtraceFlags::STOP_SINGLESTEP) &&
            !(t.sys == detail::SysState::Inside && t.traced_syscall)) {
            // Issue 12, kernel path: the filter's seccomp stops are the entries; PTRACE_SYSCALL
            // only from inside a syscall that stops, for its exit (POST, decision 17 and 18).
            // Not with SINGLESTEP: there PTRACE_SYSCALL steps over a syscall instruction (D4).
            mode = detail::Mode::Cont;
        }
        const long request = rules::request_for(mode);
        if (request == PTRACE_CONT) {
            t.sys = detail::SysState::Outside; // no stop of the current syscall comes any more
        }
        if (request != PTRACE_SYSCALL && !(kernel_path && t.restart && t.restart->traced)) {
            // (On the kernel path the filter traps the restart, see filter::always_trapped.)
            // Decision 18 folds the restart of an interrupted syscall at its entry stop;
            // resumed without syscall stops, the restart passes unseen. A later call from
            // the same place must not be taken for it (its PRE would be swallowed).
            t.restart.reset();
        }
        if (log_) {
            std::fprintf(stderr, "ptrace-api shim: resume tid=%d request=%#lx data=%ld\n", t.tid,
                         static_cast<unsigned long>(request), data);
        }
        // ESRCH here means the tracee was killed meanwhile; its exit stop still comes.
        (void)be_.ptrace(request, t.tid, 0, static_cast<std::uintptr_t>(data));
        t.run = detail::Run::Running;
        t.mode = mode;
        if (request == PTRACE_SINGLESTEP) {
            t.step_armed = true;
        }
        t.regs.reset();
        t.entry_regs_written = false;
    }

    /// PTRACE_DETACH from the current stop with its default decision (spec 3.I: the syscall
    /// runs, a signal is delivered, int3 continues, a job-stop persists), then forgets it.
    void detach(detail::Tracee& t) {
        if (t.kernel_set && t.session == nullptr && t.stop != detail::StopKind::Exit &&
            t.birth != detail::Birth::CloneEventPending) {
            // Issue 12: an untraced task fails the syscalls its seccomp filter traps with
            // ENOSYS (RET_TRACE without a tracer). It is never let go before its exit: it
            // stays traced, with no session, every stop passed on with its default (the
            // syscall runs, a signal is delivered, an int3 continues), and is detached at its
            // exit stop.
            t.detach_at_stop = false;
            t.frozen = false;
            resume(t, detail::ResumeCause::Auto, t.stop == detail::StopKind::Breakpoint);
            return;
        }
        if (t.step_armed && t.stop != detail::StopKind::Step && t.stop != detail::StopKind::Exit &&
            step_trap_queued(t.tid)) {
            // The trap of our last single-step is queued behind this stop: detaching now
            // would deliver it untraced and kill the tracee. Let it come back as a stop (it
            // is swallowed there) and detach then.
            if (be_.ptrace(PTRACE_CONT, t.tid, 0, 0) == 0) {
                t.run = detail::Run::Running;
                t.detach_at_stop = true;
                return;
            }
        }
        long data = 0;
        if (t.stop == detail::StopKind::Signal) {
            data = t.stop_sig;
        }
        if (be_.ptrace(PTRACE_DETACH, t.tid, 0, static_cast<std::uintptr_t>(data)) != 0 &&
            errno == ESRCH) {
            if (be_.pidfd_exited(detail::fd_of(t.pidfd), 0)) {
                // It ended meanwhile (a SIGKILL, without an exit stop): a zombie still traced
                // here, which its real parent cannot reap until this thread waits for it.
                vanished(t);
                return;
            }
            // Not in a ptrace-stop although it was: a SIGKILL took it out of its stop, and it
            // is still attached, on its way to its exit stop. Let it go there (spec 3.G);
            // forgetting it now would strand it in that stop.
            t.run = detail::Run::Running;
            t.detach_at_stop = true;
            return;
        }
        forget(t);
    }

    // ---- F1 when a parent can no longer report (vanished.hpp) ----

    /// Decides the children whose clone event `exiting`'s thread group can no longer queue.
    void resolve_orphans(detail::Tracee& exiting);
};

} // namespace ptrace_api::shim

// The members declared above and defined apart; each includes this file first.
#include <ptrace/shim/stop_handlers.hpp>
#include <ptrace/shim/vanished.hpp>
