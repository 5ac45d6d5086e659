// SPDX-License-Identifier: MIT
// The user requests, as the tracer thread runs them: attach (A4, A5, F3), a write (B1-B5,
// B11, F2), a close (I1, I2, A6), register and memory access at a stop (J1-J4, A8), and the
// handle table proc.hpp keeps. Each completes its Request now or at a later stop. Every Linux
// call goes through the Backend. Tracer thread, mutex held, unless a comment says otherwise.
#pragma once

#include <ptrace/flags.hpp>
#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/machine.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/syscall_set.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

namespace ptrace_api::shim {

/// The shim's state and logic without its thread: what the tests drive with a scripted
/// Backend, and what Shim (tracer.hpp) runs on its tracer thread.
class Requests : public Machine {
public:
    /// `backend`: the Linux calls; `owner`: the pid of the tracing process; `log`: log every
    /// stop and resume to stderr.
    Requests(Backend& backend, pid_t owner, bool log) noexcept : Machine(backend, owner, log) {}
    ~Requests() = default;
    Requests(const Requests&) = delete;
    Requests& operator=(const Requests&) = delete;
    Requests(Requests&&) = delete;
    Requests& operator=(Requests&&) = delete;

    // ---- operations run on the tracer thread (mutex held) ----

    /// A4/A5/F3: seize `tid` (or adopt an auto-attached child) for session `s`.
    bool attach(detail::Request& req, const std::shared_ptr<detail::Session>& s, bool stop_now,
                bool exclusive) {
        const pid_t tid = s->tid;
        if (detail::Tracee* t = find_tracee(tid)) {
            if (t->session != nullptr) {
                complete(req, EBUSY); // A4: one session per tracee, whoever asks
                return true;
            }
            // F3 adoption: the child stays frozen until this session's first write or close;
            // its parent's handle no longer releases it.
            if (t->clone_owner != nullptr) {
                forget_child(*t->clone_owner, tid);
                t->clone_owner = nullptr;
            }
            if (!t->pidfd) {
                complete(req, ESRCH); // no session without its pidfd
                return true;
            }
            t->frozen = t->frozen || stop_now;
            t->detach_at_stop = false;
            link(*t, *s, exclusive);
            if (!t->stopped() && stop_now) {
                request_stop(*t);
            }
            complete(req);
            return true;
        }
        // The pidfd first: it is the pid-reuse guard of every later kill and liveness check
        // (G1, A6), so no session exists without it.
        detail::PidRef pidfd = open_pidfd(tid);
        if (!pidfd) {
            complete(req, errno);
            return true;
        }
        const long options = seize_options | (exclusive ? PTRACE_O_EXITKILL : 0);
        if (be_.ptrace(PTRACE_SEIZE, tid, 0, static_cast<std::uintptr_t>(options)) != 0) {
            int err = errno;
            if (err == EPERM) {
                const auto st = be_.proc_status(tid);
                if (!st) {
                    err = ESRCH;
                } else if (st->state == 'Z' || st->state == 'X') {
                    err = ESRCH;
                } else if (st->tracer_pid != 0) {
                    err = EBUSY; // another tracer (A4, spec 3.A4)
                }
            }
            complete(req, err);
            return true;
        }
        auto owned = std::make_unique<detail::Tracee>();
        detail::Tracee& t = *owned;
        t.tid = tid;
        t.pidfd = std::move(pidfd);
        t.sys = detail::SysState::Unknown;
        t.exitkill = exclusive;
        t.options = options;
        tracees_[tid] = std::move(owned);
        link(t, *s, exclusive);
        if (!stop_now) {
            complete(req);
            return true;
        }
        // A5: freeze now. The first stop (ours, or any other that satisfies the INTERRUPT)
        // is held; open returns once it arrived, which is stronger than Redox's async freeze.
        t.frozen = true;
        request_stop(t);
        t.at_stop.emplace_back([&req](detail::Tracee&) { complete(req); });
        return false;
    }

    /// Takes over a stop that another waiter consumed (check_stolen): classified from its
    /// siginfo as well as ptrace tells (a signal-delivery-stop keeps its signal for the
    /// resume; any other is resumed with none), after which the tracee can be resumed or let
    /// go as usual. Tracer thread.
    void take_stolen_stop(detail::Tracee& t) {
        if (t.run != detail::Run::Stolen) {
            return;
        }
        siginfo_t si{};
        t.run = detail::Run::Stopped;
        t.regs.reset();
        t.sys = detail::SysState::Unknown; // pair the next syscall stops by asking Linux
        const bool have = be_.ptrace_ptr(PTRACE_GETSIGINFO, t.tid, 0, &si) == 0;
        if (have && si.si_signo == SIGTRAP && (si.si_code & 0x7f) == SIGTRAP) {
            t.stop = detail::StopKind::Event; // a syscall (0x85), event or INTERRUPT stop
        } else if (have && si.si_signo == SIGTRAP && t.step_armed &&
                   (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT)) {
            t.stop = detail::StopKind::Step; // our single-step's trap: never delivered
            t.stop_sig = 0;
            t.step_armed = false;
        } else if (have) {
            t.stop = detail::StopKind::Signal; // delivered on the resume, as it would have been
            t.stop_sig = si.si_signo;
        } else {
            t.stop = detail::StopKind::Event;
        }
    }

    /// B1-B5, B11 and F2 for a write of `len` bytes holding `op` (tracer thread).
    bool write_op(detail::Request& req, detail::Session& s, std::size_t len, std::uint64_t op) {
        release_children(s, false); // F2: even for a short or invalid write (K19)
        if (s.tracee != nullptr) {
            take_stolen_stop(*s.tracee);
        }
        if (len < 8) {
            complete(req, 0, 0); // B1
            return true;
        }
        if ((op & ~std::uint64_t{0xffff}) != 0) {
            complete(req, EINVAL); // B2
            return true;
        }
        detail::Tracee* t = s.tracee;
        if (t == nullptr || s.exited) {
            complete(req, ESRCH); // B10
            return true;
        }
        const PtraceFlags flags = PtraceFlags::from_bits_retain(op);
        const bool has_stop = flags.intersects(PtraceFlags::STOP_MASK);
        if (!has_stop && flags.contains(PtraceFlags::FLAG_WAIT)) {
            // B3 exception: a WAIT-only write keeps the bp and resumes nothing but the freeze.
            if (t->frozen) {
                t->frozen = false;
                if (t->run == detail::Run::Stopped &&
                    t->birth != detail::Birth::CloneEventPending) {
                    resume(*t, detail::ResumeCause::Write, false);
                }
            }
            complete(req, 0, 8);
            return true;
        }
        // B3/B4 (decision 6: an EVENT-only op installs a bp too; IGNORE is honoured alone).
        const detail::Mode before = rules::mode_class(s.bp);
        const bool clones_before = rules::wants_clones(s.bp);
        s.bp = has_stop || flags.intersects(PtraceFlags::EVENT_MASK) ? rules::Breakpoint(flags)
                                                                     : std::nullopt;
        s.reached = false;
        t->frozen = false; // B5
        if (t->stopped() && t->birth != detail::Birth::CloneEventPending) {
            resume(*t, detail::ResumeCause::Write, flags.contains(PtraceFlags::FLAG_IGNORE));
        } else if (t->run == detail::Run::Running && t->birth != detail::Birth::FirstStopPending &&
                   (rules::mode_class(s.bp) != before ||
                    rules::wants_clones(s.bp) != clones_before)) {
            // B11: the running tracee must change its Linux resume mode (or start or stop
            // tracing clones, which needs PTRACE_SETOPTIONS at a stop); stop it briefly and
            // let the stop handler resume it in the new mode.
            request_stop(*t);
        }
        complete(req, 0, 8);
        return true;
    }

    /// I1/I2/A6/decision 10/decision 14: close a trace session (tracer thread).
    bool close_session(detail::Request& req, detail::Session& s) {
        release_children(s, true);
        std::erase(unflushed_, &s);
        s.ready_pending = false;
        s.closed = true;
        s.cv.notify_all();
        detail::Tracee* t = s.tracee;
        if (t == nullptr) {
            complete(req);
            return true;
        }
        take_stolen_stop(*t);
        t->session = nullptr;
        s.tracee = nullptr;
        if (t->run == detail::Run::Held) {
            t->run = detail::Run::Stopped; // no session holds it any more
        }
        t->frozen = false;
        if ((s.oflags & O_EXCL) != 0) {
            // A6: kill works on a stopped or frozen tracee too (decision 14). It then passes
            // its EXIT event stop, where the tracer thread detaches it (nobody reaps here).
            if (!t->pidfd || be_.pidfd_send_signal(t->pidfd->get(), SIGKILL) != 0) {
                (void)be_.kill(t->tid, SIGKILL);
            }
            if (t->stopped() && t->stop == detail::StopKind::Exit) {
                detach(*t);
            }
            complete(req);
            return true;
        }
        if (t->stopped() && t->birth != detail::Birth::CloneEventPending) {
            detach(*t);
            complete(req);
            return true;
        }
        if (t->birth != detail::Birth::Known) {
            t->detach_at_stop = true;
            if (t->stopped()) {
                detach(*t);
            }
            complete(req);
            return true;
        }
        // Running or listening: PTRACE_DETACH needs a ptrace-stop. Any stop that comes first
        // is detached with its default decision (the signal is delivered, spec 3.I).
        t->at_stop.emplace_back([&req](detail::Tracee& tt) {
            tt.detach_at_stop = true;
            complete(req);
        });
        request_stop(*t);
        return false;
    }

    /// Runs `op` on the stopped tracee `tid` (J1-J4): at its current stop, at the next stop
    /// after an INTERRUPT if it runs, or through a temporary seize if it is not traced (A8).
    bool with_stopped(detail::Request& req, pid_t tid, int pidfd,
                      std::function<int(pid_t, detail::Tracee*)> op) {
        detail::Tracee* t = find_tracee(tid);
        if (t == nullptr) {
            complete(req, temporary_seize(tid, pidfd, op));
            return true;
        }
        take_stolen_stop(*t);
        if (t->stopped()) {
            complete(req, op(tid, t));
            return true;
        }
        t->at_stop.emplace_back(
            [&req, op = std::move(op)](detail::Tracee& tt) { complete(req, op(tt.tid, &tt)); });
        if (t->birth != detail::Birth::FirstStopPending) {
            request_stop(*t);
        }
        return false;
    }

    /// Spec 3.1 "User waitpid interference": looks for a stop of the session's tracee that
    /// another waiter of this process took (a waitpid of the program). The tracee then sits in
    /// a ptrace-stop (state t) that this thread never saw and that no wait can report any
    /// more. Seen twice, at least one idle period (200 ms) apart, so that a stop this thread
    /// has taken but not handled yet is never mistaken for one: then the session's blocking
    /// write fails with ECHILD, and the tracer thread takes the stop over (take_stolen_stop)
    /// at the next write or close. Any thread, mutex held.
    void check_stolen(detail::Session& s) {
        detail::Tracee* t = s.tracee;
        if (t == nullptr || t->run != detail::Run::Running ||
            t->birth == detail::Birth::FirstStopPending) {
            if (t != nullptr) {
                t->stolen_suspect = false;
            }
            return;
        }
        siginfo_t pending{};
        const bool reportable = be_.waitid(P_PID, static_cast<id_t>(t->tid), &pending,
                                           WSTOPPED | WNOHANG | WNOWAIT | __WALL) == 0 &&
                                pending.si_pid != 0;
        if (reportable || be_.proc_state(t->tid) != 't') {
            t->stolen_suspect = false;
            return;
        }
        if (!std::exchange(t->stolen_suspect, true)) {
            return;
        }
        t->stolen_suspect = false;
        t->run = detail::Run::Stolen;
        s.error = ECHILD;
        s.cv.notify_all();
    }

    /// A8: registers of a task nobody here traces: SEIZE, INTERRUPT, operate, DETACH.
    /// `pidfd` names the task the handle was opened for: checked once the task is seized and
    /// stopped, so that a pid recycled meanwhile is let go untouched (a seized task cannot be
    /// reaped, so its pid cannot change hands while the operation runs).
    int temporary_seize(pid_t tid, int pidfd,
                        const std::function<int(pid_t, detail::Tracee*)>& op) {
        const auto st = be_.proc_status(tid);
        if (!st) {
            return st.error().value();
        }
        if (st->state == 'Z' || st->state == 'X') {
            return ESRCH;
        }
        if (be_.ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
            const int err = errno;
            return err == EPERM && st->tracer_pid != 0 ? EBUSY : err;
        }
        if (be_.ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
            const int err = errno;
            (void)be_.ptrace(PTRACE_DETACH, tid, 0, 0);
            return err;
        }
        siginfo_t si{};
        for (;;) {
            si.si_pid = 0;
            // WEXITED|WNOWAIT too: a task that dies meanwhile must not leave this thread
            // waiting forever for a stop that never comes.
            if (be_.waitid(P_PID, static_cast<id_t>(tid), &si,
                           WSTOPPED | WEXITED | WNOWAIT | __WALL | __WNOTHREAD) == 0) {
                break;
            }
            if (errno != EINTR) {
                return ESRCH;
            }
        }
        if (si.si_code != CLD_TRAPPED) {
            // It exited while attached. A child of this process is left for the program to
            // reap (G2); any other task is released to its real parent by consuming it here
            // (Linux hands a traced non-child's zombie over only after the tracer waited).
            if (st->ppid != owner_pid_) {
                siginfo_t gone{};
                (void)be_.waitid(P_PID, static_cast<id_t>(tid), &gone,
                                 WEXITED | __WALL | __WNOTHREAD);
            }
            return ESRCH;
        }
        // Consume the stop that WNOWAIT left in place.
        siginfo_t taken{};
        (void)be_.waitid(P_PID, static_cast<id_t>(tid), &taken,
                         WSTOPPED | WNOHANG | __WALL | __WNOTHREAD);
        const bool same_task = pidfd >= 0 && be_.pidfd_send_signal(pidfd, 0) == 0;
        const int err = same_task ? op(tid, nullptr) : ESRCH;
        const long data = rules::detach_signal(si.si_status); // deliver what it stopped for
        (void)be_.ptrace(PTRACE_DETACH, tid, 0, static_cast<std::uintptr_t>(data));
        return err;
    }

    /// Issue 12: replaces the syscall set of the task `tid` traced here (EPERM if it is not;
    /// the empty set is "every syscall"). A running tracee whose resume must change (the
    /// kernel path starts or ends: widening past its filter, narrowing into it) is stopped
    /// briefly and resumed in the new way, as B11 does for a new breakpoint.
    bool set_syscalls(detail::Request& req, pid_t tid, const SyscallSet& set) {
        detail::Tracee* t = find_tracee(tid);
        if (t == nullptr) {
            complete(req, EPERM);
            return true;
        }
        const bool kernel_before = filter::kernel_covers(t->kernel_set, t->syscalls);
        t->syscalls = set;
        const bool kernel_after = filter::kernel_covers(t->kernel_set, t->syscalls);
        if (kernel_before != kernel_after && t->run == detail::Run::Running &&
            t->birth != detail::Birth::FirstStopPending && rules::wants_syscalls(bp_of(*t))) {
            request_stop(*t);
        }
        complete(req, 0, SyscallSet::byte_size);
        return true;
    }

    /// Issue 12: the task `tid` carries (or, `set` empty, does not carry) a seccomp filter
    /// compiled from `set` (filter::build_program); `error` is the errno of an install that
    /// failed. Set before the filter can act, with the tracee stopped: its options
    /// (PTRACE_O_TRACESECCOMP) are applied at its next resume.
    bool set_kernel_filter(detail::Request& req, pid_t tid, const std::optional<SyscallSet>& set,
                           int error) {
        detail::Tracee* t = find_tracee(tid);
        if (t == nullptr) {
            complete(req, EPERM);
            return true;
        }
        t->kernel_set = set;
        t->filter_error = error;
        complete(req);
        return true;
    }

    /// F2 (and decision 10 when `all`): unfreeze children without a session of their own.
    void release_children(detail::Session& s, bool all) {
        std::vector<pid_t> children = std::move(s.read_children);
        s.read_children.clear();
        if (all) {
            children.insert(children.end(), s.unread_children.begin(), s.unread_children.end());
            s.unread_children.clear();
        }
        for (const pid_t tid : children) {
            detail::Tracee* c = find_tracee(tid);
            if (c == nullptr || c->session != nullptr) {
                continue; // gone, or adopted (F3)
            }
            c->clone_owner = nullptr;
            c->frozen = false;
            if (c->stopped()) {
                detach(*c);
            } else {
                c->detach_at_stop = true;
            }
        }
    }
};

} // namespace ptrace_api::shim
