// SPDX-License-Identifier: MIT
// The stop machine: one wait result at a time, in the order gather (find the task's record,
// reset what a new stop resets) -> classify (classify.hpp) -> decide (rules.hpp, one handler
// per kind of stop) -> act (report, hold, resume, detach: tracees.hpp). Every Linux call goes
// through the Backend, so the tests drive it with a scripted one. Tracer thread, mutex held.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/classify.hpp>
#include <ptrace/shim/handler_probe.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/shim/tracees.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <time.h>
#include <utility>
#include <vector>

#include <linux/audit.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>

namespace ptrace_api::shim {

/// The stop machine (see the top of this file), over the records and acts of Tracees.
class Machine : public Tracees {
public:
    /// Forgets every record as vanished (Linux says this thread traces nothing).
    void vanish_all() {
        std::vector<pid_t> stale;
        for (const auto& entry : tracees_) {
            stale.push_back(entry.first);
        }
        for (const pid_t tid : stale) {
            if (detail::Tracee* t = find_tracee(tid)) {
                vanished(*t);
            }
        }
    }

    /// Tasks that ended without the exit stop the shim lets them go at (Linux skips
    /// PTRACE_EVENT_EXIT when a fatal signal is pending at it, a second SIGKILL say): their
    /// pidfd polls readable. They are forgotten (their sessions see the exit, G1); a zombie
    /// that is not a child of this process is handed to its real parent by consuming its
    /// exit here (Linux notifies the real parent of a traced task only once its tracer has
    /// waited; a thread's is consumed the same way, nobody else can), never a child's (the
    /// program reaps those itself, G2). At most once per `period`, from any thread that holds
    /// the mutex and found nothing else to do.
    void sweep_vanished_every(std::chrono::milliseconds period) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_sweep_ < period) {
            return;
        }
        last_sweep_ = now;
        std::vector<pid_t> gone;
        for (const auto& [tid, t] : tracees_) {
            if (be_.pidfd_exited(detail::fd_of(t->pidfd), 0) && !may_be_taking_over_leader(*t)) {
                gone.push_back(tid);
            }
        }
        for (const pid_t tid : gone) {
            if (detail::Tracee* t = find_tracee(tid)) {
                vanished(*t);
            }
        }
    }

    /// Whether `t` may be a non-leader thread inside execve, past the point where Linux gave
    /// it its leader's TID (de_thread) and before this thread handled its exec stop, which
    /// re-keys its record (rekey_exec). Its own TID names no task then, so its thread pidfd
    /// polls readable, while its leader's TID names it, alive. Taking it for vanished would
    /// forget it, and its exec stop would then come from a task without a record, which is
    /// let go: the new program would run untraced (seen once in CI, `exec_thread -f`). A
    /// thread that ended with its process (a fatal signal) is not mistaken for one: it stays
    /// a zombie under its own TID until vanished() consumes its exit, and its leader becomes
    /// a zombie too.
    [[nodiscard]] bool may_be_taking_over_leader(detail::Tracee& t) {
        const pid_t tgid = tgid_of(t);
        if (tgid == 0 || tgid == t.tid) {
            return false;
        }
        const char own = be_.proc_state(t.tid);
        if (own != '?' && own != 'X') {
            return false;
        }
        const char leader = be_.proc_state(tgid);
        return leader != '?' && leader != 'Z' && leader != 'X';
    }

    /// The task of `t` ended without an exit stop this thread handled: forget it, handing a
    /// zombie that is not a child of this process to its real parent (see above). When its
    /// session asked for EXIT and its exit stop was passed unseen (a resume that
    /// raced the SIGKILL which had taken it out of its stop, spec 3.G), the EXIT event is
    /// reported now, with the status Linux keeps for the zombie (D7), if it is still there.
    /// Children whose first stop came before a clone event of its thread group are decided
    /// first, as at an exit stop (F1): a task killed by SIGKILL can end without an exit
    /// stop, and they would stay held in their first stop.
    void vanished(detail::Tracee& t) {
        resolve_orphans(t);
        const pid_t tid = t.tid;
        siginfo_t end{};
        if (t.session != nullptr && t.stop != detail::StopKind::Exit &&
            wants(t, PtraceFlags::STOP_EXIT) &&
            be_.waitid(P_PID, static_cast<id_t>(tid), &end, WEXITED | WNOHANG | WNOWAIT | __WALL) ==
                0 &&
            end.si_pid == tid) {
            t.session->reached = true; // C4
            push_event(*t.session,
                       rules::make_event(PtraceFlags::STOP_EXIT,
                                         rules::wait_status(end.si_code, end.si_status)));
        }
        const auto st = be_.proc_status(tid);
        if (st && st->state == 'Z' && (st->ppid != owner_pid_ || st->tgid != tid)) {
            siginfo_t info{};
            (void)be_.waitid(P_PID, static_cast<id_t>(tid), &info, WEXITED | WNOHANG | __WALL);
        }
        forget(t);
    }

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
        if (stop_event(status) == PTRACE_EVENT_EXEC) {
            rekey_exec(tid);
        }
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
            on_ptrace_event(t, stop.event);
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

protected:
    using Tracees::Tracees;
    ~Machine() = default;

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

    /// F1 when a parent can no longer report: a child whose first stop came before its
    /// parent's clone event waits for that event (Birth::CloneEventPending). When every traced task
    /// of the thread group that created it is exiting (`exiting` is at its exit stop), no
    /// event will come: the child is decided now, as `exiting`'s child (queued as
    /// EVENT_CLONE and frozen if its session asks for clone events, else let go).
    void resolve_orphans(detail::Tracee& exiting) {
        std::vector<pid_t> orphans;
        for (auto& [tid, c] : tracees_) {
            if (c->birth == detail::Birth::CloneEventPending && c->origin != 0 &&
                c->origin == tgid_of(exiting)) {
                orphans.push_back(tid);
            }
        }
        if (orphans.empty() || may_report_clone(exiting.tgid, &exiting)) {
            return; // a thread of the group lives on: the event may still come from it
        }
        for (const pid_t child : orphans) {
            on_new_child(exiting, child);
        }
    }

    // ---- one stop: gather -> classify (classify.hpp) -> decide (rules.hpp) -> act ----

    /// A non-leader thread that execs takes its leader's TID (the old leader and every other
    /// thread are gone by now): its exec stop comes under the new TID. Re-key it before
    /// anything looks the TID up (spec 3.G pitfalls).
    void rekey_exec(pid_t tid) {
        unsigned long former = 0;
        if (be_.ptrace_ptr(PTRACE_GETEVENTMSG, tid, 0, &former) == 0 &&
            static_cast<pid_t>(former) != tid && former != 0) {
            rekey(static_cast<pid_t>(former), tid);
        }
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

    /// An EVENT_STOP: a group-stop (H) or an interrupt (ours, or the end of a group-stop).
    void on_event_stop(detail::Tracee& t, const Stop& stop) {
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

    /// Decision 18: the syscall at the tracee's registers restarts unseen; its duplicate
    /// entry stop is to be folded away.
    static void expect_restart(detail::Tracee& t, const user_regs_struct& regs,
                               bool traced) noexcept {
        t.restart = detail::PendingRestart{regs.orig_rax, regs.rip, false, traced};
    }

    /// Issue 12: the number of the syscall at this entry or seccomp stop and whether it is a
    /// native (x86_64) one, from GET_SYSCALL_INFO, else from the registers (native assumed).
    std::pair<std::uint64_t, bool> syscall_at_stop(detail::Tracee& t, BackendStopFacts& facts) {
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

    /// Decision 18: the entry (or seccomp) stop of syscall `nr` at `ip` is the restart of an
    /// interrupted syscall, whose entry was seen already: folded away. Also follows the
    /// handler's rt_sigreturn, after which an unrestarted syscall never comes back.
    static bool fold_restart(detail::Tracee& t, std::uint64_t nr, std::uint64_t ip) noexcept {
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

    /// D1 (and decision 18's folding of a restart's duplicate entry).
    void on_syscall_entry(detail::Tracee& t, BackendStopFacts& facts) {
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

    /// Issue 12, kernel path: a PTRACE_EVENT_SECCOMP stop is the entry of a syscall the
    /// tracee's filter traps (since Linux 4.8 it comes after the syscall-entry-stop, if the
    /// tracee was resumed with PTRACE_SYSCALL, and before the syscall runs). After an entry
    /// stop of the same syscall it is that syscall's second stop: folded, so PRE is reported
    /// once. Otherwise it is the PRE of a syscall of the set (a number the set no longer
    /// holds passes silently: narrowing), and the tracee is resumed with PTRACE_SYSCALL from
    /// it to see its exit. Registers at this stop are those of an entry stop (orig_rax = the
    /// number, rax = -ENOSYS); IGNORE skips the syscall the same way (E1, orig_rax = -1).
    void on_seccomp_stop(detail::Tracee& t, BackendStopFacts& facts) {
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

    /// D2, decision 17 (no POST for a successful execve), decision 18 / spec 3.H6 (a
    /// kernel-internal exit of an interrupted syscall is not reported).
    void on_syscall_exit(detail::Tracee& t) {
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
        if (regs != nullptr &&
            (rules::is_restart_errno(regs->rax) || restart_ignored_interrupt(t))) {
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

    /// D6 (int3; RIP is already after the instruction, decision 5) and D4 (the trap of a step
    /// we asked for, even if another stop came in between: it may have been queued behind our
    /// INTERRUPT's EVENT_STOP; an unrequested step trap is a SIGTRAP signal).
    void on_trap(detail::Tracee& t, const Stop& stop) {
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

    /// D7: the exit cannot be aborted; reported with a = the wait status (rules::exit_status).
    void on_exit_stop(detail::Tracee& t) {
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
    void on_ptrace_event(detail::Tracee& t, int event) {
        t.stop = detail::StopKind::Event;
        if (t.sys != detail::SysState::Inside) {
            // Issue 12: no entry of this syscall was seen (the kernel path, for a syscall the
            // filter lets through; or after an attach): judge it by its number, so that a
            // clone outside the set gets no POST.
            const user_regs_struct* regs = t.syscalls.empty() ? nullptr : load_regs(t);
            t.traced_syscall =
                regs == nullptr || filter::stops_for(t.syscalls, regs->orig_rax, true);
        }
        t.sys = detail::SysState::Inside;
        if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
            event == PTRACE_EVENT_CLONE) {
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
        }
        finish_stop(t, std::nullopt, false);
    }

    /// F1/F4: the parent `t` created `child` (already auto-attached by Linux).
    void on_new_child(detail::Tracee& t, pid_t child) {
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
            push_event(
                *s, rules::make_event(PtraceFlags::EVENT_CLONE, static_cast<std::uint64_t>(child)));
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
    void take_first_stop(detail::Tracee& c) {
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

    void on_signal(detail::Tracee& t, int sig) {
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
                        t.run =
                            detail::Run::Running; // out of its stop: its next one comes to the wait
                    }
                    return;
                case HandlerProbe::Outcome::Skipped:
                    if (log_) {
                        std::fprintf(stderr,
                                     "ptrace-api shim: handler probe of tid %d skipped: %s\n",
                                     t.tid, probe.reason);
                    }
                    break;
                }
            }
        }
        finish_stop(
            t,
            rules::make_event(PtraceFlags::STOP_SIGNAL, static_cast<std::uint64_t>(sig), handler),
            true);
    }

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
};

} // namespace ptrace_api::shim
