// SPDX-License-Identifier: MIT
// The traced tasks: the shim's records of them and of their sessions' event queues, and the
// acts on one task that both the stop machine (machine.hpp) and the user requests
// (requests.hpp) perform: resume it by the rules, detach it, forget it, re-key it after an
// exec, raise its handle's readiness. Every Linux call goes through the Backend. Tracer
// thread, mutex held, unless a comment says otherwise.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/convert.hpp>
#include <ptrace/shim/events.hpp>
#include <ptrace/shim/handler_probe.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// The records of the traced tasks, their sessions' event queues and the handle table, and
/// the acts on one task (see the top of this file).
class Tracees {
public:
    Tracees(const Tracees&) = delete;
    Tracees& operator=(const Tracees&) = delete;
    Tracees(Tracees&&) = delete;
    Tracees& operator=(Tracees&&) = delete;

    /// Stops handled so far.
    [[nodiscard]] std::uint64_t stops_handled() const noexcept { return stops_; }

    /// Signalled whenever a record is forgotten (wait_forgotten).
    std::condition_variable& forgotten() noexcept { return forgotten_; }

    /// How many tasks have records.
    [[nodiscard]] std::size_t tracee_count() const noexcept { return tracees_.size(); }

    /// The Linux calls (the register and memory I/O make theirs through it too).
    Backend& backend() noexcept { return be_; }

    /// A pidfd for `tid` (Backend::pidfd_open), or nothing with errno set.
    detail::PidRef open_pidfd(pid_t tid) { return detail::PidFd::adopt(be_.pidfd_open(tid)); }

    /// Marks a request finished and wakes its caller. Tracer thread, mutex held.
    static void complete(detail::Request& req, int err = 0, std::uint64_t value = 0) {
        req.err = err;
        req.value = value;
        req.done = true;
        req.cv.notify_all();
    }

    // ---- the tables (mutex held) ----

    std::map<int, std::shared_ptr<detail::Handle>>& handles() noexcept { return handles_; }

    /// Counts changes of the handle table (never 0), for callers that cache lookups.
    std::uint64_t handles_generation() const noexcept { return handles_generation_; }

    void handles_changed() noexcept { ++handles_generation_; }

    /// What the injected calls of a thread group keep (the vDSO site, the D5 probe's page;
    /// remote_syscalls.hpp), dropped at exec. Tracer thread, mutex held.
    ProbeSpace& probe_space(pid_t tgid) { return spaces_[tgid]; }

    detail::Tracee* find_tracee(pid_t tid) noexcept {
        const auto it = tracees_.find(tid);
        return it == tracees_.end() ? nullptr : it->second.get();
    }

    /// GETREGS once per stop (cached until the tracee resumes: fetch lazily, spec 3.J).
    /// \returns the cached registers, or nullptr when Linux refused (errno set).
    user_regs_struct* load_regs(detail::Tracee& t) noexcept {
        if (!t.regs) {
            user_regs_struct regs{};
            if (be_.ptrace_ptr(PTRACE_GETREGS, t.tid, 0, &regs) != 0) {
                return nullptr;
            }
            t.regs = regs;
        }
        return &*t.regs;
    }

    /// How rax reads at the tracee's current stop (D1, decision 7).
    static RaxMeaning rax_meaning(const detail::Tracee* t) noexcept {
        return t != nullptr && t->stop == detail::StopKind::SyscallEntry ? RaxMeaning::SyscallNumber
                                                                         : RaxMeaning::UserRax;
    }

    static void raise_ready(detail::Session& s) noexcept {
        if (!s.efd_set && s.efd >= 0) {
            const std::uint64_t one = 1;
            if (::write(s.efd, &one, sizeof one) == static_cast<ssize_t>(sizeof one)) {
                s.efd_set = true;
            }
        }
    }

    static void drain_ready(detail::Session& s) noexcept {
        s.ready_pending = false;
        if (s.efd_set && s.efd >= 0) {
            std::uint64_t value = 0;
            if (::read(s.efd, &value, sizeof value) == static_cast<ssize_t>(sizeof value)) {
                s.efd_set = false;
            }
        }
    }

    /// Marks the session's tracee gone (G1): wakes writers, makes the handle readable.
    static void mark_exited(detail::Session& s) noexcept {
        s.exited = true;
        s.tracee = nullptr;
        raise_ready(s);
        s.cv.notify_all();
    }

    /// C8: raises the eventfd of every session whose events are still unread.
    void flush_ready() noexcept {
        for (detail::Session* s : unflushed_) {
            if (s->ready_pending) {
                s->ready_pending = false;
                if (detail::readable(*s)) {
                    raise_ready(*s);
                }
            }
        }
        unflushed_.clear();
    }

protected:
    static rules::Breakpoint bp_of(const detail::Tracee& t) noexcept {
        return t.session != nullptr ? t.session->bp : std::nullopt;
    }

    static bool wants(const detail::Tracee& t, PtraceFlags flag) noexcept {
        return rules::wants(bp_of(t), flag);
    }

    static std::optional<PtraceEvent> report_if(const detail::Tracee& t, PtraceFlags cause,
                                                std::uint64_t a = 0, std::uint64_t b = 0) {
        return rules::report_if(bp_of(t), cause, a, b);
    }

    /// Queues an event (C2: FIFO) and wakes blocking writers (B7, C5). The eventfd is raised
    /// (C8) by flush_ready, before the tracer thread waits again: an event a job reads at
    /// once never costs the two eventfd system calls.
    void push_event(detail::Session& s, const PtraceEvent& event) {
        s.queue.push_back(event);
        if (!s.efd_set && !s.ready_pending) {
            s.ready_pending = true;
            unflushed_.push_back(&s);
        }
        s.cv.notify_all();
    }

    /// True when the two bytes at the tracee's instruction pointer are a system call
    /// instruction (D4 precedence, rules::mode_for).
    bool at_syscall_instruction(detail::Tracee& t) {
        const user_regs_struct* regs = load_regs(t);
        if (regs == nullptr) {
            return false;
        }
        errno = 0; // -1 is valid PEEK data
        long word = 0;
        if (be_.ptrace_ptr(PTRACE_PEEKTEXT, t.tid, regs->rip, &word) != 0) {
            return false;
        }
        return rules::is_syscall_instruction(static_cast<std::uint64_t>(word));
    }

    /// E1: skip the syscall at this entry stop (rules::skip_syscall_regs).
    void skip_syscall(detail::Tracee& t) {
        user_regs_struct* regs = load_regs(t);
        if (regs == nullptr) {
            return;
        }
        rules::skip_syscall_regs(*regs, t.entry_regs_written);
        (void)be_.ptrace_ptr(PTRACE_SETREGS, t.tid, 0, regs);
    }

    static long options_for(const detail::Tracee& t) noexcept {
        long options =
            rules::options_for(t.exitkill, t.session != nullptr ? &t.session->bp : nullptr);
        if (t.kernel_set) {
            // Issue 12: the filter's RET_TRACE stops (without this option Linux fails those
            // syscalls with ENOSYS), and every child, which inherits the filter, stays traced.
            options |= PTRACE_O_TRACESECCOMP | clone_options;
        }
        return options;
    }

    /// PTRACE_SETOPTIONS before a resume, only when they change (tracee stopped).
    void apply_options(detail::Tracee& t) {
        const long want = options_for(t);
        if (want != t.options) {
            (void)be_.ptrace(PTRACE_SETOPTIONS, t.tid, 0, static_cast<std::uintptr_t>(want));
            t.options = want;
        }
    }

    /// Spec 3.G / H5: a SIGKILL takes a tracee out of the stop it was held at, and it stops
    /// again at its PTRACE_EVENT_EXIT. When that happened while the tracer thread was busy (a
    /// job, the wake-up), the new stop is still waiting to be reported: resuming now would
    /// resume the exit stop unseen (no EXIT(9), the record of a task that is gone). One
    /// non-consuming wait tells; the stop is then handled as any other, by the next wait.
    /// \returns true when the tracee has left its stop.
    bool stop_left(detail::Tracee& t) {
        if (!be_.stop_waiting(t.tid)) {
            return false;
        }
        t.run = detail::Run::Running;
        t.regs.reset();
        return true;
    }

    /// Removes a tracee from the tables; `t` is destroyed.
    void forget(detail::Tracee& t) {
        if (log_) {
            std::fprintf(stderr, "ptrace-api shim: forget tid=%d%s\n", t.tid,
                         t.session != nullptr ? " (its session sees the exit)" : "");
        }
        if (detail::Session* s = t.session) {
            // Only a dying tracee is let go while a session still names it (D7, G1); every
            // other detach (close, F2, F4) happens after the session was unlinked.
            mark_exited(*s);
        }
        if (t.clone_owner != nullptr) {
            forget_child(*t.clone_owner, t.tid);
        }
        for (auto& cb : t.at_stop) {
            // A request still waiting for a stop of a task that is going away.
            t.detach_at_stop = false;
            cb(t);
        }
        tracees_.erase(t.tid);
        forgotten_.notify_all();
    }

    /// The thread group of `t`, read from /proc once when not known yet (0 if unreadable).
    pid_t tgid_of(detail::Tracee& t) {
        if (t.tgid == 0) {
            if (const auto st = be_.proc_status(t.tid)) {
                t.tgid = st->tgid;
            }
        }
        return t.tgid;
    }

    /// A non-leader thread `former` of a thread group exec'd and now has the leader's TID
    /// `tid` (Linux swaps the TIDs in execve). Its trace session continues with the new
    /// program under `tid`; a record still kept for the old leader is dropped (that task is
    /// gone: its session ends, as after its exit); handles follow the task.
    void rekey(pid_t former, pid_t tid) {
        const auto it = tracees_.find(former);
        if (it == tracees_.end()) {
            return;
        }
        std::unique_ptr<detail::Tracee> moved = std::move(it->second);
        tracees_.erase(it);
        if (detail::Tracee* old = find_tracee(tid)) {
            forget(*old); // no PTRACE_DETACH: the TID names the exec'ing task now
        }
        moved->tid = tid;
        moved->tgid = tid;
        moved->pidfd = open_pidfd(tid);
        if (detail::Session* s = moved->session) {
            s->tid = tid;
            s->pidfd = moved->pidfd;
        }
        if (detail::Session* owner = moved->clone_owner) {
            std::replace(owner->unread_children.begin(), owner->unread_children.end(), former, tid);
            std::replace(owner->read_children.begin(), owner->read_children.end(), former, tid);
        }
        tracees_[tid] = std::move(moved);
        for (auto& [fd, h] : handles_) {
            if (h->tid != former && h->tid != tid) {
                continue;
            }
            std::lock_guard<std::mutex> lk(h->mem_mu);
            if (h->tid == former) {
                h->tid = tid;
                h->pidfd = tracees_[tid]->pidfd;
            }
            h->mem_stale.store(true);
        }
        handles_changed();
    }

    /// K4: the task `tid` exec'd; its mem handles must reopen /proc/<tid>/mem before their
    /// next access (EOF on the old fd does not tell when the old address space lives on).
    void mark_mem_stale(pid_t tid) {
        for (auto& [fd, h] : handles_) {
            if (h->kind == detail::HandleKind::Mem && h->tid == tid) {
                h->mem_stale.store(true);
            }
        }
    }

    /// True when a traced task of thread group `tgid` other than `except` lives on (is not at
    /// its exit stop), so that a clone event of that group may still come.
    bool may_report_clone(pid_t tgid, const detail::Tracee* except) {
        if (tgid <= 0) {
            return false;
        }
        for (auto& [tid, other] : tracees_) {
            if (other.get() != except && other->birth != detail::Birth::CloneEventPending &&
                other->stop != detail::StopKind::Exit && tgid_of(*other) == tgid) {
                return true;
            }
        }
        return false;
    }

    static void forget_child(detail::Session& s, pid_t tid) {
        std::erase(s.unread_children, tid);
        std::erase(s.read_children, tid);
    }

    bool step_trap_queued(pid_t tid) {
        const auto st = be_.proc_status(tid);
        return st && (st->sig_pnd & (std::uint64_t{1} << (SIGTRAP - 1))) != 0;
    }

    void request_stop(detail::Tracee& t) {
        if (!t.stopped() && t.interrupt != detail::Interrupt::Pending) {
            if (be_.ptrace(PTRACE_INTERRUPT, t.tid, 0, 0) == 0) {
                t.interrupt = detail::Interrupt::Pending;
            }
        }
    }

    /// Links a session to its tracee; they share its pidfd.
    static void link(detail::Tracee& t, detail::Session& s, bool exclusive) {
        t.session = &s;
        s.tracee = &t;
        s.pidfd = t.pidfd;
        t.exitkill = exclusive; // applied with the options at the next resume
    }

    /// Linux keeps a signal that a traced task ignores pending (the tracer is to see it),
    /// where an untraced task drops it when it is sent. Most waits it wakes then restart
    /// unseen (-ERESTART*), but an epoll wait returns -EINTR, which is never restarted: the
    /// program would see an EINTR that an untraced run never gives. At the wait's exit stop,
    /// or at the ignored signal's delivery-stop, when every pending signal the wait lets
    /// through is ignored, the result becomes -ERESTARTNOHAND instead: restarted as if nothing
    /// happened, or -EINTR after all if a handler runs first (spec 3.H6, decision 18 folds the
    /// restart). \returns true when the result was changed. Tracer thread, stopped tracee.
    bool restart_ignored_interrupt(detail::Tracee& t) {
        user_regs_struct* regs = load_regs(t);
        if (regs == nullptr || !rules::interrupted_epoll_wait(regs->rax, regs->orig_rax)) {
            return false;
        }
        const auto st = be_.proc_status(t.tid);
        const int delivering = t.stop == detail::StopKind::Signal ? t.stop_sig : 0;
        if (!st || !rules::only_ignored_signals_through(*st, delivering) || timer_signal_among(t)) {
            return false;
        }
        regs->rax = rules::restart_nohand;
        return be_.ptrace_ptr(PTRACE_SETREGS, t.tid, 0, regs) == 0;
    }

    /// True when the signal being delivered, or one still queued, comes from a POSIX timer
    /// (SI_TIMER). Linux gives an epoll wait EINTR for those untraced too, ignored or not
    /// (checked on 6.18 by the waits matrix): restart_ignored_interrupt leaves them alone.
    bool timer_signal_among(const detail::Tracee& t) {
        if (t.stop == detail::StopKind::Signal) {
            siginfo_t si{};
            if (be_.ptrace_ptr(PTRACE_GETSIGINFO, t.tid, 0, &si) == 0 && si.si_code == SI_TIMER) {
                return true;
            }
        }
        for (const unsigned queue : {0U, static_cast<unsigned>(PTRACE_PEEKSIGINFO_SHARED)}) {
            std::array<siginfo_t, 16> pending{};
            __ptrace_peeksiginfo_args args{0, queue, static_cast<std::int32_t>(pending.size())};
            const long n = be_.ptrace_ptr(PTRACE_PEEKSIGINFO, t.tid,
                                          reinterpret_cast<std::uintptr_t>(&args), pending.data());
            for (long i = 0; i < n; ++i) {
                if (pending[static_cast<std::size_t>(i)].si_code == SI_TIMER) {
                    return true;
                }
            }
        }
        return false;
    }

    /// `owner`: the pid of the process that traces (its children are the program's, G2);
    /// `log`: log every stop and resume to stderr.
    Tracees(Backend& backend, pid_t owner, bool log) noexcept
        : be_(backend), owner_pid_(owner), log_(log) {}
    ~Tracees() = default;

    Backend& be_;
    const pid_t owner_pid_;
    const bool log_;
    std::uint64_t stops_ = 0;
    std::vector<detail::Session*> unflushed_;
    std::map<int, std::shared_ptr<detail::Handle>> handles_;
    std::uint64_t handles_generation_ = 1;
    std::map<pid_t, std::unique_ptr<detail::Tracee>> tracees_;
    std::map<pid_t, ProbeSpace> spaces_; // D5 probe, per thread group; dropped at exec
    std::chrono::steady_clock::time_point last_sweep_{}; // sweep_vanished_every
    std::condition_variable forgotten_;
};

} // namespace ptrace_api::shim
