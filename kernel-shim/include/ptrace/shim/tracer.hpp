// SPDX-License-Identifier: MIT
// The process-wide tracer thread and registry: every ptrace(2) call and every wait happens here.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/classify.hpp>
#include <ptrace/shim/convert.hpp>
#include <ptrace/shim/handler_probe.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <time.h>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// The real-time signal the shim reserves to wake its tracer thread out of waitid(2)
/// (SIGRTMAX-1). The shim refuses to start if the program installed a handler for it.
inline int wake_signal() noexcept {
    return SIGRTMAX - 1;
}

namespace detail {

/// ThreadSanitizer may run a handler only once the interrupted call has returned (it defers
/// asynchronous signals to a point it controls): with SA_RESTART the kernel would restart the
/// tracer thread's waitid instead, and the wake-up would never arrive. Under TSan the wake
/// handler is installed without it (a late wake-up can then end a job's system call with
/// EINTR), and the jump restores the signal mask (TSan's own handler runs with every signal
/// blocked). TSan (clang 14) also holds back a signal that lands between the arming and the
/// waitid(2) itself, until that wait ends: a wake-up can be late. So a request is announced
/// again while the tracer thread has not taken it (Shim::rewake_period), and under TSan a
/// posted request waits until it is taken.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool thread_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool thread_sanitizer = true;
#else
inline constexpr bool thread_sanitizer = false;
#endif
#else
inline constexpr bool thread_sanitizer = false;
#endif

/// True on the tracer thread (set once when it starts). A thread-local flag rather than a
/// gettid(2) comparison: it is read on every shim call.
inline thread_local bool on_tracer_thread = false;

/// Set in the child of a fork(2) of the process that created the shim (pthread_atfork).
inline std::atomic<bool> forked_copy{false};

inline void mark_forked_copy() noexcept {
    forked_copy.store(true, std::memory_order_relaxed);
}

/// The wake-up protocol's state; shared with an async-signal handler, hence plain globals.
/// `armed` is true only while the tracer thread is between "queue empty" and the end of its
/// waitid(2); the handler jumps out only then, so no wake-up is lost and none interrupts
/// anything else (a late one makes at most a syscall return EINTR, which is retried).
struct WakeState {
    sigjmp_buf jmp{};
    std::atomic<bool> armed{false};
    std::atomic<pid_t> tracer_tid{0};
};

inline WakeState& wake_state() noexcept {
    static WakeState state;
    return state;
}

inline void wake_handler(int /*sig*/) noexcept {
    WakeState& w = wake_state();
    if (sys::gettid() == w.tracer_tid.load() && w.armed.exchange(false)) {
        siglongjmp(w.jmp, 1);
    }
}

} // namespace detail

/// The single process-wide shim: the handle table, the traced tasks, and the tracer thread
/// that performs every ptrace request (Linux binds them to the attaching thread, spec 3.1).
/// It is the only global mutable state of the library; it is created at the first open and
/// never destroyed (the tracer thread may outlive static destructors; at process exit Linux
/// detaches every tracee, or kills it when it was opened with O_EXCL).
class Shim {
public:
    static Shim& instance() {
        static Shim* shim = new Shim(); // deliberately leaked, see above
        return *shim;
    }

    Shim(const Shim&) = delete;
    Shim& operator=(const Shim&) = delete;
    Shim(Shim&&) = delete;
    Shim& operator=(Shim&&) = delete;

    /// The mutex guarding every table and every Tracee/Session field.
    std::mutex& mutex() noexcept { return mu_; }

    /// True in a process forked from the one that created the shim: its copies are inert.
    /// Read on every call, so it is a flag a pthread_atfork handler sets in the child, not a
    /// getpid(2) comparison (two system calls per stop); open() compares the pid as well,
    /// which also catches a raw clone(2) that skipped the fork handlers.
    bool foreign_process() const noexcept {
        return detail::forked_copy.load(std::memory_order_relaxed);
    }

    /// The exact check for open(): also true after a raw clone(2).
    bool foreign_process_exact() const noexcept {
        return foreign_process() || owner_pid_ != ::getpid();
    }

    /// Starts the tracer thread and installs the wake handler, once.
    Result<void> ensure_started() {
        std::lock_guard<std::mutex> lk(start_mu_);
        if (started_) {
            return {};
        }
        const int sig = wake_signal();
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) != 0) {
            return sys::last_error();
        }
        if ((old.sa_flags & SA_SIGINFO) != 0 ||
            (old.sa_handler != SIG_DFL && old.sa_handler != &detail::wake_handler)) {
            // The signal is reserved (kernel-shim/README.md); never replace a user's handler.
            static const char message[] = "ptrace-api: SIGRTMAX-1 has a handler; the shim reserves "
                                          "it for its tracer thread\n";
            (void)!::write(STDERR_FILENO, message, sizeof message - 1);
            return unexpected(std::errc::operation_not_supported);
        }
        struct sigaction sa {};
        sa.sa_handler = &detail::wake_handler;
        sigemptyset(&sa.sa_mask);
        // The handler leaves waitid(2) by siglongjmp, so SA_RESTART does not keep the wait
        // going; it only restarts a syscall that a late wake-up hits elsewhere (in a job's
        // code, say). SA_NODEFER: see wait_for_stop.
        sa.sa_flags = SA_NODEFER | (detail::thread_sanitizer ? 0 : SA_RESTART);
        if (::sigaction(sig, &sa, nullptr) != 0) {
            return sys::last_error();
        }
        // The tracer thread starts with every signal blocked, so process-directed signals go
        // to the program's own threads; it unblocks only the wake signal.
        sigset_t all;
        sigset_t saved;
        sigfillset(&all);
        if (::pthread_sigmask(SIG_SETMASK, &all, &saved) != 0) {
            return unexpected(std::errc::invalid_argument);
        }
        pthread_t thread{};
        pthread_attr_t attr;
        int rc = ::pthread_attr_init(&attr);
        if (rc == 0) {
            rc = ::pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            if (rc == 0) {
                rc = ::pthread_create(&thread, &attr, &Shim::thread_main, this);
            }
            (void)::pthread_attr_destroy(&attr);
        }
        (void)::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
        if (rc != 0) {
            return unexpected_errno(rc);
        }
        std::unique_lock<std::mutex> lk2(mu_);
        started_cv_.wait(lk2, [&] { return detail::wake_state().tracer_tid.load() != 0; });
        started_ = true;
        return {};
    }

    /// True when called on the tracer thread (inside a job, Shim::run_job).
    static bool on_tracer_thread() noexcept { return detail::on_tracer_thread; }

    /// Runs `fn(Request&)` on the tracer thread with the mutex held (inline when called from
    /// a job) and waits for completion. `fn` returns true when it completed the request.
    /// \returns the request's value, or its errno.
    template <class Fn>
    Result<std::uint64_t> call(Fn&& fn) {
        using F = std::remove_reference_t<Fn>;
        detail::Request req;
        req.ctx = const_cast<void*>(static_cast<const void*>(std::addressof(fn)));
        req.invoke = [](void* ctx, detail::Request& r) { return (*static_cast<F*>(ctx))(r); };
        std::unique_lock<std::mutex> lk(mu_);
        if (on_tracer_thread()) {
            // Inside a job: never queue to oneself; run now and pump stops until the request
            // completes.
            if (!req.run()) {
                pump(
                    lk, [&] { return req.done; }, [] {});
            }
        } else {
            const std::uint64_t seq = enqueue(req);
            // Until the tracer thread has taken it, wake it again now and then: the wake-up
            // may have been held back (see detail::thread_sanitizer). Then wait untimed (a
            // blocking write may wait for its stop as long as the tracee runs).
            while (!req.cv.wait_for(lk, rewake_period, [&] { return req.done; })) {
                if (taken_ >= seq) {
                    req.cv.wait(lk, [&] { return req.done; });
                    break;
                }
                wake_if_waiting();
            }
        }
        if (req.err != 0) {
            return unexpected_errno(req.err);
        }
        return req.value;
    }

    /// Queues `fn(Request&)` for the tracer thread and returns at once (a nonblocking write:
    /// the caller already knows its result). `fn` must complete the request when it runs.
    /// Requests run in order, so the caller's next call sees its effect. Never on the tracer
    /// thread (whose calls run inline); mutex not held.
    template <class Fn>
    void post(Fn fn) {
        PTRACE_API_ASSERT(!on_tracer_thread(), "the tracer thread runs its calls inline");
        struct Posted {
            detail::Request req;
            Fn fn;
        };
        auto* posted = new Posted{{}, std::move(fn)};
        posted->req.ctx = posted;
        posted->req.invoke = [](void* ctx, detail::Request& r) {
            return static_cast<Posted*>(ctx)->fn(r);
        };
        posted->req.dispose = [](void* ctx) { delete static_cast<Posted*>(ctx); };
        std::unique_lock<std::mutex> lk(mu_);
        const std::uint64_t seq = enqueue(posted->req);
        if constexpr (detail::thread_sanitizer) {
            // Nobody else would announce it again (see thread_sanitizer).
            while (!taken_cv_.wait_for(lk, rewake_period, [&] { return taken_ >= seq; })) {
                wake_if_waiting();
            }
        }
    }

    /// A wake-up for a request not yet taken is sent again after this long (a tool that
    /// intercepts signals may hold the first one back: see detail::thread_sanitizer). Without
    /// such a tool the first one always arrives and this never fires.
    static constexpr std::chrono::milliseconds rewake_period{10};

    /// Runs `fn()` on the tracer thread with the mutex released and returns when it returned
    /// (at once, inline, when called there). Jobs run one at a time, between stops; while one
    /// runs, other threads' requests are served whenever it waits inside a shim call. The
    /// caller must have started the shim (ensure_started).
    template <class Fn>
    void run_job(Fn& fn) {
        if (on_tracer_thread()) {
            fn();
            return;
        }
        detail::Job job;
        job.ctx = std::addressof(fn);
        job.invoke = [](void* ctx) { (*static_cast<Fn*>(ctx))(); };
        std::unique_lock<std::mutex> lk(mu_);
        jobs_.push_back(&job);
        jobs_waiting_.fetch_add(1);
        wake_if_waiting();
        using Clock = std::chrono::steady_clock;
        constexpr auto period = std::chrono::milliseconds(200);
        std::uint64_t seen = progress_;
        while (!job.done) {
            auto wait = std::chrono::duration_cast<Clock::duration>(period);
            if (pump_deadline_) {
                wait = std::clamp(*pump_deadline_ - Clock::now(), Clock::duration::zero(), wait);
            }
            if (job.cv.wait_for(lk, wait) == std::cv_status::timeout && !job.done &&
                (progress_ == seen || (pump_deadline_ && Clock::now() >= *pump_deadline_))) {
                // The job waited 200 ms without a stop, or its wait timed out: wake it so that
                // its wait looks at its deadline and at the fallbacks (a task that vanished
                // without an EXIT event stop, spec 3.D7).
                wake_if_waiting();
            }
            seen = progress_;
        }
    }

    /// pump() with an optional deadline (a timed wait inside a job): the job's caller wakes
    /// the tracer thread when it passes. Tracer thread, mutex held through `lk`.
    template <class Done, class Idle>
    void pump_until(std::unique_lock<std::mutex>& lk, Done done, Idle idle,
                    std::optional<std::chrono::steady_clock::time_point> deadline) {
        pump_deadline_ = deadline;
        pump(
            lk,
            [&] { return done() || (deadline && std::chrono::steady_clock::now() >= *deadline); },
            idle);
        pump_deadline_.reset();
    }

    /// Waits until `done()` holds or `deadline` passes, on any thread: the tracer thread (a
    /// job) serves the stops itself; another thread sleeps on `cv`, which the tracer thread
    /// notifies. `idle()` runs when a wait ended with no news (a wake-up, or 200 ms), for
    /// fallbacks such as a task that vanished without an EXIT stop. Mutex held through `lk`.
    template <class Done, class Idle>
    void await(std::unique_lock<std::mutex>& lk, std::condition_variable& cv, Done done, Idle idle,
               std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
        using Clock = std::chrono::steady_clock;
        if (on_tracer_thread()) {
            pump_until(lk, done, idle, deadline);
            return;
        }
        while (!done() && !(deadline && Clock::now() >= *deadline)) {
            auto wait = std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(200));
            if (deadline) {
                wait = std::clamp(*deadline - Clock::now(), Clock::duration::zero(), wait);
            }
            if (cv.wait_for(lk, wait) == std::cv_status::timeout) {
                idle();
            }
        }
    }

    /// Serves stops on the tracer thread until `done()` holds; `idle()` runs when a wait ended
    /// without a stop (a wake-up). Other threads' requests are served meanwhile, jobs are not.
    /// Tracer thread, mutex held through `lk`.
    template <class Done, class Idle>
    void pump(std::unique_lock<std::mutex>& lk, Done done, Idle idle) {
        while (!done()) {
            drain_requests();
            if (done()) {
                return;
            }
            if (!wait_and_dispatch(lk, false)) {
                idle();
            }
        }
    }

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

    detail::Tracee* find_tracee(pid_t tid) noexcept {
        const auto it = tracees_.find(tid);
        return it == tracees_.end() ? nullptr : it->second.get();
    }

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
            if (!t->stopped && stop_now) {
                request_stop(*t);
            }
            complete(req);
            return true;
        }
        // The pidfd first: it is the pid-reuse guard of every later kill and liveness check
        // (G1, A6), so no session exists without it.
        detail::PidRef pidfd = detail::PidFd::open(tid);
        if (!pidfd) {
            complete(req, errno);
            return true;
        }
        const long options = seize_options | (exclusive ? PTRACE_O_EXITKILL : 0);
        if (sys::ptrace_raw(PTRACE_SEIZE, tid, 0, static_cast<std::uintptr_t>(options)) != 0) {
            int err = errno;
            if (err == EPERM) {
                const auto st = sys::proc_status(tid);
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
    static void take_stolen_stop(detail::Tracee& t) {
        if (!std::exchange(t.stop_stolen, false)) {
            return;
        }
        siginfo_t si{};
        t.stopped = true;
        t.held = false;
        t.regs_valid = false;
        t.sys = detail::SysState::Unknown; // pair the next syscall stops by asking Linux
        const bool have = sys::ptrace_ptr(PTRACE_GETSIGINFO, t.tid, 0, &si) == 0;
        if (have && si.si_signo == SIGTRAP && (si.si_code & 0x7f) == SIGTRAP) {
            t.stop = detail::StopKind::Event; // a syscall (0x85), event or INTERRUPT stop
        } else if (have && si.si_signo == SIGTRAP && t.step_armed &&
                   (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT)) {
            t.stop = detail::StopKind::Step; // our single-step's trap: never delivered
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
                if (t->stopped && !t->held && !t->awaiting_decision) {
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
        if (t->stopped && !t->awaiting_decision) {
            resume(*t, detail::ResumeCause::Write, flags.contains(PtraceFlags::FLAG_IGNORE));
        } else if (!t->stopped && !t->listening && !t->awaiting_initial &&
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

    /// After closing a session whose tracee is on its way out (killed by O_EXCL, or by a
    /// SIGKILL that took it out of its stop): waits (up to `limit`) until the tracee has
    /// left its EXIT event stop and is no longer traced, so that the caller's waitpid(2) can
    /// neither block on it nor steal that stop from the tracer thread (spec 3.1 "User waitpid
    /// interference"). User thread.
    void wait_forgotten(const detail::Tracee* t, pid_t tid, std::chrono::milliseconds limit) {
        std::unique_lock<std::mutex> lk(mu_);
        auto gone = [&] {
            const detail::Tracee* now = find_tracee(tid);
            return now == nullptr || now != t;
        };
        await(
            lk, forgotten_, gone, [] {}, std::chrono::steady_clock::now() + limit);
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
        t->held = false;
        t->frozen = false;
        if ((s.oflags & O_EXCL) != 0) {
            // A6: kill works on a stopped or frozen tracee too (decision 14). It then passes
            // its EXIT event stop, where the tracer thread detaches it (nobody reaps here).
            if (!t->pidfd || sys::pidfd_send_signal(t->pidfd->get(), SIGKILL) != 0) {
                (void)::kill(t->tid, SIGKILL);
            }
            if (t->stopped && t->stop == detail::StopKind::Exit) {
                detach(*t);
            }
            complete(req);
            return true;
        }
        if (t->stopped && !t->awaiting_decision) {
            detach(*t);
            complete(req);
            return true;
        }
        if (t->awaiting_initial || t->awaiting_decision) {
            t->detach_at_stop = true;
            if (t->stopped) {
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
        if (t->stopped) {
            complete(req, op(tid, t));
            return true;
        }
        t->at_stop.emplace_back(
            [&req, op = std::move(op)](detail::Tracee& tt) { complete(req, op(tt.tid, &tt)); });
        if (!t->awaiting_initial) {
            request_stop(*t);
        }
        return false;
    }

    /// GETREGS once per stop (cached until the tracee resumes: fetch lazily, spec 3.J).
    static bool load_regs(detail::Tracee& t) noexcept {
        if (!t.regs_valid) {
            if (sys::ptrace_ptr(PTRACE_GETREGS, t.tid, 0, &t.regs) != 0) {
                return false;
            }
            t.regs_valid = true;
        }
        return true;
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
            if (sys::pidfd_exited(detail::fd_of(t->pidfd), 0)) {
                gone.push_back(tid);
            }
        }
        for (const pid_t tid : gone) {
            if (detail::Tracee* t = find_tracee(tid)) {
                vanished(*t);
            }
        }
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
            ::waitid(P_PID, static_cast<id_t>(tid), &end, WEXITED | WNOHANG | WNOWAIT | __WALL) ==
                0 &&
            end.si_pid == tid) {
            t.session->reached = true; // C4
            push_event(*t.session,
                       rules::make_event(PtraceFlags::STOP_EXIT,
                                         rules::wait_status(end.si_code, end.si_status)));
        }
        const auto st = sys::proc_status(tid);
        if (st && st->state == 'Z' && (st->ppid != owner_pid_ || st->tgid != tid)) {
            siginfo_t info{};
            (void)::waitid(P_PID, static_cast<id_t>(tid), &info, WEXITED | WNOHANG | __WALL);
        }
        forget(t);
    }

    /// Spec 3.1 "User waitpid interference": looks for a stop of the session's tracee that
    /// another waiter of this process took (a waitpid of the program). The tracee then sits in
    /// a ptrace-stop (state t) that this thread never saw and that no wait can report any
    /// more. Seen twice, at least one idle period (200 ms) apart, so that a stop this thread
    /// has taken but not handled yet is never mistaken for one: then the session's blocking
    /// write fails with ECHILD, and the tracer thread takes the stop over (take_stolen_stop)
    /// at the next write or close. Any thread, mutex held.
    static void check_stolen(detail::Session& s) {
        detail::Tracee* t = s.tracee;
        if (t == nullptr || t->stopped || t->listening || t->awaiting_initial || t->stop_stolen) {
            if (t != nullptr) {
                t->stolen_suspect = false;
            }
            return;
        }
        siginfo_t pending{};
        const bool reportable = ::waitid(P_PID, static_cast<id_t>(t->tid), &pending,
                                         WSTOPPED | WNOHANG | WNOWAIT | __WALL) == 0 &&
                                pending.si_pid != 0;
        if (reportable || sys::proc_state(t->tid) != 't') {
            t->stolen_suspect = false;
            return;
        }
        if (!std::exchange(t->stolen_suspect, true)) {
            return;
        }
        t->stolen_suspect = false;
        t->stop_stolen = true;
        s.error = ECHILD;
        s.cv.notify_all();
    }

private:
    Shim()
        : owner_pid_(::getpid()), si_(std::make_unique<siginfo_t>()),
          // getenv: read once, before the tracer thread exists
          log_(std::getenv("PTRACE_API_SHIM_LOG") != nullptr) {
        (void)::pthread_atfork(nullptr, nullptr, &detail::mark_forked_copy);
    }

    static void* thread_main(void* self) {
        static_cast<Shim*>(self)->run();
        return nullptr;
    }

    void run() {
        // Only the wake signal is unblocked here: no signal handler of the program ever runs
        // on this thread (kernel-shim/README.md, "Waking the tracer thread").
        sigset_t wake;
        sigemptyset(&wake);
        sigaddset(&wake, wake_signal());
        (void)::pthread_sigmask(SIG_UNBLOCK, &wake, nullptr);
        detail::on_tracer_thread = true;
        std::unique_lock<std::mutex> lk(mu_);
        detail::wake_state().tracer_tid.store(sys::gettid());
        create_sweep_timer();
        started_cv_.notify_all();
        for (;;) {
            drain_requests();
            if (!jobs_.empty()) {
                run_next_job(lk);
                continue;
            }
            (void)wait_and_dispatch(lk, true);
        }
    }

    /// One wait of the tracer thread: raise the eventfds of unread events (C8), wait for a
    /// stop or a wake-up without the mutex, handle the stop. \returns false for a wake-up.
    bool wait_and_dispatch(std::unique_lock<std::mutex>& lk, bool jobs_too) {
        flush_ready();
        const bool records = !tracees_.empty();
        arm_sweep_timer(records);
        lk.unlock();
        const bool untraced = wait_for_stop(jobs_too, records);
        lk.lock();
        if (si_->si_pid == 0) {
            if (untraced) {
                // Linux says this thread traces nothing, yet records remain: their tasks
                // ended without a stop seen here (and were reaped). Forget them all.
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
            sweep_vanished_every(std::chrono::milliseconds(200));
            return false;
        }
        ++progress_;
        dispatch(si_->si_pid, si_->si_code, si_->si_status);
        // Fairness: Linux reports the stops of the traced tasks in the order of its list, so
        // one busy task can be reported again and again while others wait. Every stop that is
        // ready now is handled before the callers look at their handles (a few WNOHANG waits;
        // none when only one task is traced, the common hot loop).
        for (int more = 0; more < 64 && tracees_.size() > 1; ++more) {
            siginfo_t next{};
            if (::waitid(P_ALL, 0, &next, WSTOPPED | WNOHANG | __WALL | __WNOTHREAD) != 0 ||
                next.si_pid == 0) {
                break;
            }
            ++progress_;
            dispatch(next.si_pid, next.si_code, next.si_status);
        }
        return true;
    }

    /// Queues a request for the tracer thread and wakes it. Mutex held. \returns the
    /// request's place in the queue's history (taken_ reaches it when the request is taken).
    std::uint64_t enqueue(detail::Request& req) {
        requests_.push_back(&req);
        pending_.fetch_add(1);
        wake_if_waiting();
        return ++queued_;
    }

    /// The sweep timer: the wake signal to this thread every 250 ms while tasks are traced, so
    /// that one that ends without an exit stop (a SIGKILL can skip it) is found by the sweep
    /// even when no caller waits in the shim (a program that only polls its handles): until
    /// then its zombie stays traced here, and its real parent's wait blocks. Without a timer
    /// (timer_create failed) only callers' waits sweep, as before. Tracer thread.
    void create_sweep_timer() noexcept {
        sigevent ev{};
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = wake_signal();
        ev._sigev_un._tid = sys::gettid(); // sigev_notify_thread_id, which glibc 2.36 lacks
        sweep_timer_ok_ = ::timer_create(CLOCK_MONOTONIC, &ev, &sweep_timer_) == 0;
    }

    /// Arms the sweep timer while `on` (tasks are traced), disarms it otherwise: one system
    /// call when tracing starts or ends, none per stop. Tracer thread.
    void arm_sweep_timer(bool on) noexcept {
        if (!sweep_timer_ok_ || on == sweep_timer_armed_) {
            return;
        }
        itimerspec spec{};
        if (on) {
            spec.it_value.tv_nsec = 250'000'000;
            spec.it_interval = spec.it_value;
        }
        if (::timer_settime(sweep_timer_, 0, &spec, nullptr) == 0) {
            sweep_timer_armed_ = on;
        }
    }

    /// Runs requests queued by other threads (each completes now or at a later stop).
    void drain_requests() {
        const std::uint64_t before = taken_;
        while (!requests_.empty()) {
            detail::Request* req = requests_.front();
            requests_.pop_front();
            pending_.fetch_sub(1);
            ++taken_;
            const bool completed = req->run();
            if (req->dispose != nullptr) {
                PTRACE_API_ASSERT(completed, "a posted request must complete when it runs");
                req->dispose(req->ctx);
            }
        }
        if constexpr (detail::thread_sanitizer) {
            if (taken_ != before) {
                taken_cv_.notify_all(); // a posting thread waits (see post)
            }
        }
    }

    void run_next_job(std::unique_lock<std::mutex>& lk) {
        detail::Job* job = jobs_.front();
        jobs_.pop_front();
        jobs_waiting_.fetch_sub(1);
        lk.unlock();
        job->invoke(job->ctx);
        lk.lock();
        flush_ready(); // events the job left unread
        job->done = true;
        job->cv.notify_all();
    }

    /// Ends the tracer thread's wait, if it waits (the wake-up protocol, see WakeState).
    void wake_if_waiting() noexcept {
        if (detail::wake_state().armed.load()) {
            (void)sys::tgkill(owner_pid_, detail::wake_state().tracer_tid.load(), wake_signal());
        }
    }

    /// The armed wait (design: "waking the tracer thread"). `si_` lives on the heap so that
    /// its contents survive the siglongjmp; si_pid != 0 afterwards means a stop was consumed
    /// even if the wake-up arrived just after waitid returned.
    /// `jobs_too`: queued jobs end the wait too (the main loop; a pump leaves them queued).
    /// `records`: the shim has records of tasks; when Linux says this thread traces nothing
    /// (ECHILD) they are stale, and the wait returns true at once instead of sleeping.
    bool wait_for_stop(bool jobs_too, bool records) noexcept {
        si_->si_pid = 0;
        untraced_ = false; // a member: it survives the siglongjmp
        detail::WakeState& w = detail::wake_state();
        // No mask to save: the handler runs with SA_NODEFER, so jumping out of it leaves the
        // wake signal unblocked (and sigsetjmp(.., 1) would cost a system call per stop).
        // ThreadSanitizer runs handlers from its own, with every signal blocked: there the
        // mask must be restored by the jump.
        if (sigsetjmp(w.jmp, detail::thread_sanitizer ? 1 : 0) == 0) {
            w.armed.store(true);
            if (pending_.load() == 0 && (!jobs_too || jobs_waiting_.load() == 0)) {
                // __WNOTHREAD: only tasks this thread traces (it has no children), never the
                // program's own children; no WEXITED: the shim never sees or reaps an exit.
                // The C library's waitid and sigsuspend, not syscall(2): tools that intercept
                // blocking calls (ThreadSanitizer) deliver the wake signal inside them.
                if (::waitid(P_ALL, 0, si_.get(), WSTOPPED | __WALL | __WNOTHREAD) < 0 &&
                    errno == ECHILD) {
                    untraced_ = true;
                    sigset_t now; // nothing traced: sleep until a request wakes this thread
                    if (!records && ::pthread_sigmask(SIG_SETMASK, nullptr, &now) == 0) {
                        (void)::sigsuspend(&now);
                    }
                }
            }
            w.armed.store(false);
        }
        return untraced_;
    }

    // ---- one stop: gather -> classify (classify.hpp) -> decide (rules.hpp) -> act ----

    /// The facts classify() may ask for, read from Linux at most once per stop.
    struct LinuxStopFacts {
        pid_t tid = 0;
        bool asked_info = false;
        bool have_info = false;
        __ptrace_syscall_info info{};

        std::optional<bool> syscall_entry() {
            if (!asked_info) {
                asked_info = true;
                have_info = sys::ptrace_ptr(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info) > 0;
            }
            if (!have_info) {
                return std::nullopt;
            }
            return info.op == PTRACE_SYSCALL_INFO_ENTRY;
        }

        [[nodiscard]] int trap_code() const {
            siginfo_t si{};
            return sys::ptrace_ptr(PTRACE_GETSIGINFO, tid, 0, &si) == 0 ? si.si_code : SI_USER;
        }
    };

    /// Handles one wait result of a traced task: finds its record (gather), classifies the
    /// stop, and lets the handler of that kind decide by the rules and act (report, hold,
    /// resume, detach).
    void dispatch(pid_t tid, int code, int status) {
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
        if (t.awaiting_decision) {
            // A second stop before its parent's clone event: it was killed (its group died,
            // or SIGKILL), and no event will decide for it. Let it go.
            detach(t);
            return;
        }
        begin_stop(t, status);
        if (t.awaiting_initial && on_first_stop(t, status)) {
            return;
        }
        LinuxStopFacts facts{t.tid};
        const Stop stop = classify(status, {t.sys, t.restart_pending, t.step_armed}, facts);
        switch (stop.kind) {
        case detail::StopKind::SyscallEntry:
            on_syscall_entry(t, facts);
            return;
        case detail::StopKind::SyscallExit:
            on_syscall_exit(t);
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

    /// A non-leader thread that execs takes its leader's TID (the old leader and every other
    /// thread are gone by now): its exec stop comes under the new TID. Re-key it before
    /// anything looks the TID up (spec 3.G pitfalls).
    void rekey_exec(pid_t tid) {
        unsigned long former = 0;
        if (sys::ptrace_ptr(PTRACE_GETEVENTMSG, tid, 0, &former) == 0 &&
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
            (void)sys::ptrace_raw(PTRACE_DETACH, tid, 0,
                                  static_cast<std::uintptr_t>(rules::stray_detach_signal(status)));
            return;
        }
        // Hold it until the parent's event decides between freeze and release.
        auto owned = std::make_unique<detail::Tracee>();
        owned->tid = tid;
        owned->pidfd = detail::PidFd::open(tid);
        owned->stopped = true;
        owned->stop = detail::StopKind::Interrupt;
        owned->sys = detail::SysState::Outside;
        owned->awaiting_decision = true;
        if (const auto st = sys::proc_status(tid)) {
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
        t.stopped = true;
        t.held = false; // a new stop ends the previous one (e.g. SIGKILL woke it up)
        t.listening = false;
        t.interrupt_sent_before = t.interrupt_sent;
        t.interrupt_sent = false;
        t.regs_valid = false;
        t.entry_regs_written = false;
        if (stop_event(status) != 0 || stop_signal(status) == syscall_stop_sig) {
            t.probed_sig = 0; // the probe's memo holds only until the signal's next stop
        }
    }

    /// The first stop of an auto-attached child (F1): it is held or let go before it runs.
    /// \returns false when what arrived is not that stop: killed before it, the child is at
    /// its exit stop, handled as such by the caller (it must be let go there, or its zombie
    /// stays traced and its parent's wait never returns).
    bool on_first_stop(detail::Tracee& t, int status) {
        t.awaiting_initial = false;
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
        if (t.interrupt_sent_before && load_regs(t) && rules::is_restart_errno(t.regs.rax) &&
            static_cast<std::int64_t>(t.regs.orig_rax) >= 0) {
            // Our INTERRUPT kicked the tracee out of a blocking syscall, which Linux will
            // restart (rax = -ERESTART*, rip not yet rewound): fold the restart's entry
            // stop so that the tracer sees only that syscall's POST (D3, decision 18).
            expect_restart(t);
        }
        finish_stop(t, std::nullopt, false);
    }

    /// Decision 18: the syscall at the tracee's registers restarts unseen; its duplicate
    /// entry stop is to be folded away.
    static void expect_restart(detail::Tracee& t) noexcept {
        t.restart_pending = true;
        t.sigreturn_seen = false;
        t.restart_nr = t.regs.orig_rax;
        t.restart_ip = t.regs.rip;
    }

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

    /// D1 (and decision 18's folding of a restart's duplicate entry).
    void on_syscall_entry(detail::Tracee& t, const LinuxStopFacts& facts) {
        t.sys = detail::SysState::Inside;
        t.stop = detail::StopKind::SyscallEntry;
        t.exec_exit_pending = false;
        if (t.restart_pending && facts.have_info) {
            const __ptrace_syscall_info& info = facts.info;
            if (info.instruction_pointer == t.restart_ip &&
                (info.entry.nr == t.restart_nr || info.entry.nr == SYS_restart_syscall)) {
                // Decision 18: the restart's duplicate entry stop is folded away.
                t.restart_pending = false;
                finish_stop(t, std::nullopt, false);
                return;
            }
            if (t.sigreturn_seen) {
                t.restart_pending = false; // returned -EINTR instead: no restart comes
            } else if (info.entry.nr == SYS_rt_sigreturn) {
                t.sigreturn_seen = true;
            }
        }
        finish_stop(t, report_if(t, PtraceFlags::STOP_PRE_SYSCALL), true);
    }

    /// D2, decision 17 (no POST for a successful execve), decision 18 / spec 3.H6 (a
    /// kernel-internal exit of an interrupted syscall is not reported).
    void on_syscall_exit(detail::Tracee& t) {
        t.sys = detail::SysState::Outside;
        t.stop = detail::StopKind::SyscallExit;
        if (std::exchange(t.exec_exit_pending, false)) {
            finish_stop(t, std::nullopt, false);
            return;
        }
        if (load_regs(t) && (rules::is_restart_errno(t.regs.rax) || restart_ignored_interrupt(t))) {
            expect_restart(t);
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
        if (sys::ptrace_ptr(PTRACE_GETEVENTMSG, t.tid, 0, &msg) != 0) {
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
        t.sys = detail::SysState::Inside;
        if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
            event == PTRACE_EVENT_CLONE) {
            unsigned long child = 0;
            if (sys::ptrace_ptr(PTRACE_GETEVENTMSG, t.tid, 0, &child) == 0) {
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
            owned->pidfd = detail::PidFd::open(child);
            owned->awaiting_initial = true;
            owned->sys = detail::SysState::Outside;
            c = owned.get();
            tracees_[child] = std::move(owned);
        }
        c->awaiting_decision = false;
        c->options = t.options; // Linux copies the parent's options to the child
        detail::Session* s = t.session;
        if (s != nullptr && rules::wants_clones(s->bp)) {
            c->frozen = true; // F1: frozen before its first instruction until F2/F3
            // The child is not the O_EXCL tracee: the death of the tracer releases it
            // (I2 = I1, decision 10) and must not kill it through the EXITKILL Linux copied
            // from its parent. Its options are set again at its first stop.
            c->exitkill = false;
            if (c->stopped) {
                apply_options(*c);
            }
            c->clone_owner = s;
            s->unread_children.push_back(child);
            if (!c->stopped && (c->options & PTRACE_O_EXITKILL) != 0 && tgid_of(*c) == child) {
                // A new process (a thread dies with its O_EXCL group anyway) that carries the
                // copied EXITKILL until its options are set, which Linux allows only at a
                // stop: handle its first stop now, before the event can be read, so that a
                // tracer dying after the read releases it (I2 = I1, decision 10).
                take_first_stop(*c);
            }
            push_event(
                *s, rules::make_event(PtraceFlags::EVENT_CLONE, static_cast<std::uint64_t>(child)));
        } else if (c->stopped) {
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
            if (::waitid(P_PID, static_cast<id_t>(tid), &si,
                         WSTOPPED | WNOHANG | __WALL | __WNOTHREAD) != 0) {
                return;
            }
            if (si.si_pid == tid) {
                ++progress_;
                dispatch(tid, si.si_code, si.si_status);
                return;
            }
            if (sys::pidfd_exited(pidfd, 0) || std::chrono::steady_clock::now() >= deadline) {
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
        const int probed = std::exchange(t.probed_sig, 0);
        if (!wants(t, PtraceFlags::STOP_SIGNAL)) {
            finish_stop(t, std::nullopt, false);
            return;
        }
        std::uint64_t handler = 0;
        if (probed == sig) {
            handler = t.probed_handler; // the stop the probe resumed it to (handler_probe.hpp)
        } else {
            const auto st = sys::proc_status(t.tid);
            handler = st ? rules::handler_value(*st, sig) : caught_handler_unknown;
            if (st && handler == caught_handler_unknown) {
                // D5: ask the tracee for the address. The probe postpones the signal's
                // delivery, asks, and resumes the tracee, which stops again at once for the
                // same signal: that stop is reported, with the handler learnt here.
                ProbeSpace& space = spaces_[st->tgid];
                const HandlerProbe probe =
                    probe_signal_handler(t.tid, sig, *st, space, rules::request_for(t.mode));
                t.regs_valid = false;
                switch (probe.outcome) {
                case HandlerProbe::Outcome::Resumed:
                    t.stopped = false;
                    t.probed_sig = sig;
                    t.probed_handler = probe.handler;
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
                    } else if (sys::pidfd_exited(detail::fd_of(t.pidfd), 0)) {
                        vanished(t);
                    } else {
                        t.stopped = false; // out of its stop: its next one comes to the wait
                        t.held = false;
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

    /// Linux keeps a signal that a traced task ignores pending (the tracer is to see it),
    /// where an untraced task drops it when it is sent. Most waits it wakes then restart
    /// unseen (-ERESTART*), but an epoll wait returns -EINTR, which is never restarted: the
    /// program would see an EINTR that an untraced run never gives. At the wait's exit stop,
    /// or at the ignored signal's delivery-stop, when every pending signal the wait lets
    /// through is ignored, the result becomes -ERESTARTNOHAND instead: restarted as if nothing
    /// happened, or -EINTR after all if a handler runs first (spec 3.H6, decision 18 folds the
    /// restart). \returns true when the result was changed. Tracer thread, stopped tracee.
    static bool restart_ignored_interrupt(detail::Tracee& t) {
        if (!load_regs(t) || !rules::interrupted_epoll_wait(t.regs.rax, t.regs.orig_rax)) {
            return false;
        }
        const auto st = sys::proc_status(t.tid);
        const int delivering = t.stop == detail::StopKind::Signal ? t.stop_sig : 0;
        if (!st || !rules::only_ignored_signals_through(*st, delivering) || timer_signal_among(t)) {
            return false;
        }
        t.regs.rax = rules::restart_nohand;
        return sys::ptrace_ptr(PTRACE_SETREGS, t.tid, 0, &t.regs) == 0;
    }

    /// True when the signal being delivered, or one still queued, comes from a POSIX timer
    /// (SI_TIMER). Linux gives an epoll wait EINTR for those untraced too, ignored or not
    /// (checked on 6.18 by the waits matrix): restart_ignored_interrupt leaves them alone.
    static bool timer_signal_among(const detail::Tracee& t) {
        if (t.stop == detail::StopKind::Signal) {
            siginfo_t si{};
            if (sys::ptrace_ptr(PTRACE_GETSIGINFO, t.tid, 0, &si) == 0 && si.si_code == SI_TIMER) {
                return true;
            }
        }
        for (const unsigned queue : {0U, static_cast<unsigned>(PTRACE_PEEKSIGINFO_SHARED)}) {
            std::array<siginfo_t, 16> pending{};
            __ptrace_peeksiginfo_args args{0, queue, static_cast<std::int32_t>(pending.size())};
            const long n = sys::ptrace_ptr(PTRACE_PEEKSIGINFO, t.tid,
                                           reinterpret_cast<std::uintptr_t>(&args), pending.data());
            for (long i = 0; i < n; ++i) {
                if (pending[static_cast<std::size_t>(i)].si_code == SI_TIMER) {
                    return true;
                }
            }
        }
        return false;
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

    /// C8: raises the eventfd of every session whose events are still unread.
    void flush_ready() noexcept {
        for (detail::Session* s : unflushed_) {
            if (s->ready_pending) {
                s->ready_pending = false;
                if (!s->queue.empty() || s->exited) {
                    raise_ready(*s);
                }
            }
        }
        unflushed_.clear();
    }

    /// Common end of every stop: report, serve waiting requests, then hold or resume.
    void finish_stop(detail::Tracee& t, std::optional<PtraceEvent> report, bool breakpoint) {
        if (report && t.session != nullptr) {
            if (breakpoint) {
                t.session->reached = true; // C4
                t.held = true;
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
        if (!t.held && !t.frozen && !t.awaiting_decision) {
            resume(t, detail::ResumeCause::Auto, false);
        }
    }

    /// True when the two bytes at the tracee's instruction pointer are a system call
    /// instruction (D4 precedence, rules::mode_for).
    static bool at_syscall_instruction(detail::Tracee& t) {
        if (!load_regs(t)) {
            return false;
        }
        errno = 0; // -1 is valid PEEK data
        long word = 0;
        if (sys::ptrace_ptr(PTRACE_PEEKTEXT, t.tid, t.regs.rip, &word) != 0) {
            return false;
        }
        return rules::is_syscall_instruction(static_cast<std::uint64_t>(word));
    }

    /// E1: skip the syscall at this entry stop (rules::skip_syscall_regs).
    static void skip_syscall(detail::Tracee& t) {
        if (!load_regs(t)) {
            return;
        }
        rules::skip_syscall_regs(t.regs, t.entry_regs_written);
        (void)sys::ptrace_ptr(PTRACE_SETREGS, t.tid, 0, &t.regs);
    }

    static long options_for(const detail::Tracee& t) noexcept {
        return rules::options_for(t.exitkill, t.session != nullptr ? &t.session->bp : nullptr);
    }

    /// PTRACE_SETOPTIONS before a resume, only when they change (tracee stopped).
    static void apply_options(detail::Tracee& t) {
        const long want = options_for(t);
        if (want != t.options) {
            (void)sys::ptrace_raw(PTRACE_SETOPTIONS, t.tid, 0, static_cast<std::uintptr_t>(want));
            t.options = want;
        }
    }

    /// Lets a stopped tracee go: the Redox "resume" (B3) or the automatic answer to a stop
    /// nobody asked for (unrequested signals delivered, group-stops listened, spec 3.1).
    void resume(detail::Tracee& t, detail::ResumeCause cause, bool ignore) {
        if (!t.stopped) {
            return;
        }
        t.held = false;
        if (t.stop == detail::StopKind::Exit) {
            detach(t); // D7/G: the exit cannot be aborted; never wait on it, never reap
            return;
        }
        apply_options(t);
        if (t.stop == detail::StopKind::GroupStop && t.job_stopped) {
            // H3: a ptrace resume does not end a job-control stop; LISTEN keeps the tracee
            // stopped yet able to report SIGCONT (an EVENT_STOP) and new signals.
            (void)sys::ptrace_raw(PTRACE_LISTEN, t.tid, 0, 0);
            t.stopped = false;
            t.listening = true;
            t.regs_valid = false;
            return;
        }
        const long data = rules::resume_signal(t.stop, t.stop_sig, ignore); // E2, decision 4
        if (rules::skips_syscall(t.stop, ignore)) {
            skip_syscall(t); // E1
        }
        if (cause == detail::ResumeCause::Write && stop_left(t)) {
            return;
        }
        const detail::Mode mode =
            rules::mode_for(bp_of(t), t.stop, [&t] { return at_syscall_instruction(t); });
        const long request = rules::request_for(mode);
        if (request != PTRACE_SYSCALL) {
            // Decision 18 folds the restart of an interrupted syscall at its entry stop;
            // resumed without syscall stops, the restart passes unseen. A later call from
            // the same place must not be taken for it (its PRE would be swallowed).
            t.restart_pending = false;
        }
        if (log_) {
            std::fprintf(stderr, "ptrace-api shim: resume tid=%d request=%#lx data=%ld\n", t.tid,
                         static_cast<unsigned long>(request), data);
        }
        // ESRCH here means the tracee was killed meanwhile; its exit stop still comes.
        (void)sys::ptrace_raw(request, t.tid, 0, static_cast<std::uintptr_t>(data));
        t.stopped = false;
        t.mode = mode;
        if (request == PTRACE_SINGLESTEP) {
            t.step_armed = true;
        }
        t.regs_valid = false;
        t.entry_regs_written = false;
    }

    /// Spec 3.G / H5: a SIGKILL takes a tracee out of the stop it was held at, and it stops
    /// again at its PTRACE_EVENT_EXIT. When that happened while the tracer thread was busy (a
    /// job, the wake-up), the new stop is still waiting to be reported: resuming now would
    /// resume the exit stop unseen (no EXIT(9), the record of a task that is gone). One
    /// non-consuming wait tells; the stop is then handled as any other, by the next wait.
    /// \returns true when the tracee has left its stop.
    static bool stop_left(detail::Tracee& t) {
        if (!sys::stop_waiting(t.tid)) {
            return false;
        }
        t.stopped = false;
        t.held = false;
        t.regs_valid = false;
        return true;
    }

    /// PTRACE_DETACH from the current stop with its default decision (spec 3.I: the syscall
    /// runs, a signal is delivered, int3 continues, a job-stop persists), then forgets it.
    void detach(detail::Tracee& t) {
        if (t.step_armed && t.stop != detail::StopKind::Step && t.stop != detail::StopKind::Exit &&
            step_trap_queued(t.tid)) {
            // The trap of our last single-step is queued behind this stop: detaching now
            // would deliver it untraced and kill the tracee. Let it come back as a stop (it
            // is swallowed there) and detach then.
            if (sys::ptrace_raw(PTRACE_CONT, t.tid, 0, 0) == 0) {
                t.stopped = false;
                t.detach_at_stop = true;
                return;
            }
        }
        long data = 0;
        if (t.stop == detail::StopKind::Signal) {
            data = t.stop_sig;
        }
        if (sys::ptrace_raw(PTRACE_DETACH, t.tid, 0, static_cast<std::uintptr_t>(data)) != 0 &&
            errno == ESRCH) {
            if (sys::pidfd_exited(detail::fd_of(t.pidfd), 0)) {
                // It ended meanwhile (a SIGKILL, without an exit stop): a zombie still traced
                // here, which its real parent cannot reap until this thread waits for it.
                vanished(t);
                return;
            }
            // Not in a ptrace-stop although it was: a SIGKILL took it out of its stop, and it
            // is still attached, on its way to its exit stop. Let it go there (spec 3.G);
            // forgetting it now would strand it in that stop.
            t.stopped = false;
            t.held = false;
            t.detach_at_stop = true;
            return;
        }
        forget(t);
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
    static pid_t tgid_of(detail::Tracee& t) {
        if (t.tgid == 0) {
            if (const auto st = sys::proc_status(t.tid)) {
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
        moved->pidfd = detail::PidFd::open(tid);
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

    /// F1 when a parent can no longer report: a child whose first stop came before its
    /// parent's clone event waits for that event (awaiting_decision). When every traced task
    /// of the thread group that created it is exiting (`exiting` is at its exit stop), no
    /// event will come: the child is decided now, as `exiting`'s child (queued as
    /// EVENT_CLONE and frozen if its session asks for clone events, else let go).
    void resolve_orphans(detail::Tracee& exiting) {
        std::vector<pid_t> orphans;
        for (auto& [tid, c] : tracees_) {
            if (c->awaiting_decision && c->origin != 0 && c->origin == tgid_of(exiting)) {
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

    /// True when a traced task of thread group `tgid` other than `except` lives on (is not at
    /// its exit stop), so that a clone event of that group may still come.
    bool may_report_clone(pid_t tgid, const detail::Tracee* except) {
        if (tgid <= 0) {
            return false;
        }
        for (auto& [tid, other] : tracees_) {
            if (other.get() != except && !other->awaiting_decision &&
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

    static bool step_trap_queued(pid_t tid) {
        const auto st = sys::proc_status(tid);
        return st && (st->sig_pnd & (std::uint64_t{1} << (SIGTRAP - 1))) != 0;
    }

    void request_stop(detail::Tracee& t) {
        if (!t.stopped && !t.interrupt_sent) {
            if (sys::ptrace_raw(PTRACE_INTERRUPT, t.tid, 0, 0) == 0) {
                t.interrupt_sent = true;
            }
        }
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
            if (c->stopped) {
                detach(*c);
            } else {
                c->detach_at_stop = true;
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

    /// A8: registers of a task nobody here traces: SEIZE, INTERRUPT, operate, DETACH.
    /// `pidfd` names the task the handle was opened for: checked once the task is seized and
    /// stopped, so that a pid recycled meanwhile is let go untouched (a seized task cannot be
    /// reaped, so its pid cannot change hands while the operation runs).
    int temporary_seize(pid_t tid, int pidfd,
                        const std::function<int(pid_t, detail::Tracee*)>& op) {
        const auto st = sys::proc_status(tid);
        if (!st) {
            return st.error().value();
        }
        if (st->state == 'Z' || st->state == 'X') {
            return ESRCH;
        }
        if (sys::ptrace_raw(PTRACE_SEIZE, tid, 0, 0) != 0) {
            const int err = errno;
            return err == EPERM && st->tracer_pid != 0 ? EBUSY : err;
        }
        if (sys::ptrace_raw(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
            const int err = errno;
            (void)sys::ptrace_raw(PTRACE_DETACH, tid, 0, 0);
            return err;
        }
        siginfo_t si{};
        for (;;) {
            si.si_pid = 0;
            // WEXITED|WNOWAIT too: a task that dies meanwhile must not leave this thread
            // waiting forever for a stop that never comes.
            if (::syscall(SYS_waitid, P_PID, tid, &si,
                          WSTOPPED | WEXITED | WNOWAIT | __WALL | __WNOTHREAD, nullptr) == 0) {
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
                (void)::syscall(SYS_waitid, P_PID, tid, &gone, WEXITED | __WALL | __WNOTHREAD,
                                nullptr);
            }
            return ESRCH;
        }
        // Consume the stop that WNOWAIT left in place.
        siginfo_t taken{};
        (void)::syscall(SYS_waitid, P_PID, tid, &taken, WSTOPPED | WNOHANG | __WALL | __WNOTHREAD,
                        nullptr);
        const bool same_task = pidfd >= 0 && sys::pidfd_send_signal(pidfd, 0) == 0;
        const int err = same_task ? op(tid, nullptr) : ESRCH;
        const int sig = si.si_status & 0xff;
        const int event = (si.si_status >> 8) & 0xff;
        const long data = event == 0 && sig != SIGTRAP ? sig : 0; // deliver what it stopped for
        (void)sys::ptrace_raw(PTRACE_DETACH, tid, 0, static_cast<std::uintptr_t>(data));
        return err;
    }

    std::mutex start_mu_;
    bool started_ = false;
    std::condition_variable started_cv_;
    const pid_t owner_pid_;
    std::mutex mu_;
    std::deque<detail::Request*> requests_;
    std::atomic<int> pending_{0};
    std::uint64_t queued_ = 0;         // requests ever queued (mutex held)
    std::uint64_t taken_ = 0;          // requests ever taken by the tracer thread (mutex held)
    std::condition_variable taken_cv_; // under TSan only: a posting thread waits for taken_
    std::deque<detail::Job*> jobs_;
    std::atomic<int> jobs_waiting_{0};
    std::uint64_t progress_ = 0; // stops dispatched; run_job's watchdog looks for progress
    std::optional<std::chrono::steady_clock::time_point> pump_deadline_; // see pump_until
    std::vector<detail::Session*> unflushed_;
    std::unique_ptr<siginfo_t> si_;
    const bool log_; // PTRACE_API_SHIM_LOG set: log every stop and resume to stderr
    std::map<int, std::shared_ptr<detail::Handle>> handles_;
    std::uint64_t handles_generation_ = 1;
    std::map<pid_t, std::unique_ptr<detail::Tracee>> tracees_;
    std::map<pid_t, ProbeSpace> spaces_; // D5 probe, per thread group; dropped at exec
    std::chrono::steady_clock::time_point last_sweep_{}; // sweep_vanished_every
    bool untraced_ = false; // wait_for_stop: waitid said ECHILD (tracer thread only)
    timer_t sweep_timer_{}; // see create_sweep_timer (tracer thread only)
    bool sweep_timer_ok_ = false;
    bool sweep_timer_armed_ = false;
    std::condition_variable forgotten_;
};

} // namespace ptrace_api::shim
