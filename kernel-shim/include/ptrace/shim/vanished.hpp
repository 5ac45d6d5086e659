// SPDX-License-Identifier: MIT
// The stop machine's ends without a stop (machine.hpp): tasks that ended without the exit
// stop the shim lets them go at, found by their pidfd and forgotten, and children whose
// parent's thread group can no longer queue their clone event (F1). Every Linux call goes
// through the Backend. Tracer thread, mutex held.
#pragma once

#include <ptrace/flags.hpp>
#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/machine.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>

#include <chrono>
#include <vector>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

namespace ptrace_api::shim {

/// Forgets every record as vanished (Linux says this thread traces nothing).
inline void Machine::vanish_all() {
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
inline void Machine::sweep_vanished_every(std::chrono::milliseconds period) {
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
inline bool Machine::may_be_taking_over_leader(detail::Tracee& t) {
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
inline void Machine::vanished(detail::Tracee& t) {
    resolve_orphans(t);
    const pid_t tid = t.tid;
    siginfo_t end{};
    if (t.session != nullptr && t.stop != detail::StopKind::Exit &&
        wants(t, PtraceFlags::STOP_EXIT) &&
        be_.waitid(P_PID, static_cast<id_t>(tid), &end, WEXITED | WNOHANG | WNOWAIT | __WALL) ==
            0 &&
        end.si_pid == tid) {
        t.session->reached = true; // C4
        push_event(*t.session, rules::make_event(PtraceFlags::STOP_EXIT,
                                                 rules::wait_status(end.si_code, end.si_status)));
    }
    const auto st = be_.proc_status(tid);
    if (st && st->state == 'Z' && (st->ppid != owner_pid_ || st->tgid != tid)) {
        siginfo_t info{};
        (void)be_.waitid(P_PID, static_cast<id_t>(tid), &info, WEXITED | WNOHANG | __WALL);
    }
    forget(t);
}

/// F1 when a parent can no longer report: a child whose first stop came before its
/// parent's clone event waits for that event (Birth::CloneEventPending). When every traced task
/// of the thread group that created it is exiting (`exiting` is at its exit stop), no
/// event will come: the child is decided now, as `exiting`'s child (queued as
/// EVENT_CLONE and frozen if its session asks for clone events, else let go).
inline void Machine::resolve_orphans(detail::Tracee& exiting) {
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

} // namespace ptrace_api::shim
