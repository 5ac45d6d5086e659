// SPDX-License-Identifier: MIT
// The tracer-thread runtime: the one thread that makes every ptrace(2) call and every wait
// (Linux binds a tracee to the thread that attached it), the wake-up that ends its waitid(2)
// when a request comes, the requests and jobs other threads hand it, and the loop that waits
// for stops. It knows no Redox rule: it reaches the machine through the hooks at the end of
// the class (Shim, tracer.hpp, implements them). kernel-shim/README.md, "Design", says why
// it works this way.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <time.h>
#include <type_traits>
#include <utility>

#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
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
/// again while the tracer thread has not taken it (Runtime::rewake_period), and under TSan a
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

/// The tracer thread and the traffic with it. Every member but the atomics is guarded by
/// mutex(); the hooks run on the tracer thread with it held.
class Runtime {
public:
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;
    Runtime(Runtime&&) = delete;
    Runtime& operator=(Runtime&&) = delete;

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
                rc = ::pthread_create(&thread, &attr, &Runtime::thread_main, this);
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

    /// True when called on the tracer thread (inside a job, Runtime::run_job).
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
        std::uint64_t seen = stops();
        while (!job.done) {
            auto wait = std::chrono::duration_cast<Clock::duration>(period);
            if (pump_deadline_) {
                wait = std::clamp(*pump_deadline_ - Clock::now(), Clock::duration::zero(), wait);
            }
            if (job.cv.wait_for(lk, wait) == std::cv_status::timeout && !job.done &&
                (stops() == seen || (pump_deadline_ && Clock::now() >= *pump_deadline_))) {
                // The job waited 200 ms without a stop, or its wait timed out: wake it so that
                // its wait looks at its deadline and at the fallbacks (a task that vanished
                // without an EXIT event stop, spec 3.D7).
                wake_if_waiting();
            }
            seen = stops();
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

protected:
    Runtime() : owner_pid_(::getpid()), si_(std::make_unique<siginfo_t>()) {
        (void)::pthread_atfork(nullptr, nullptr, &detail::mark_forked_copy);
    }
    virtual ~Runtime() = default;

    // ---- the hooks: what the runtime asks of the machine (tracer thread, mutex held) ----

    /// A wait reported a stop (or another state change) of a traced task.
    virtual void on_stop(pid_t tid, int code, int status) = 0;
    /// Before the thread waits again, and after a job: make queued events visible (C8).
    virtual void publish() = 0;
    /// How many tasks the machine has records of.
    [[nodiscard]] virtual std::size_t traced() const noexcept = 0;
    /// A wait ended without a stop (a wake-up, the sweep timer); `untraced`: Linux says
    /// this thread traces nothing, so any record left is stale.
    virtual void on_idle(bool untraced) = 0;
    /// Stops handled so far (run_job's watchdog looks for progress).
    [[nodiscard]] virtual std::uint64_t stops() const noexcept = 0;

private:
    static void* thread_main(void* self) {
        static_cast<Runtime*>(self)->run();
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
        publish();
        const bool records = traced() != 0;
        arm_sweep_timer(records);
        lk.unlock();
        const bool untraced = wait_for_stop(jobs_too, records);
        lk.lock();
        if (si_->si_pid == 0) {
            on_idle(untraced);
            return false;
        }
        on_stop(si_->si_pid, si_->si_code, si_->si_status);
        // Fairness: Linux reports the stops of the traced tasks in the order of its list, so
        // one busy task can be reported again and again while others wait. Every stop that is
        // ready now is handled before the callers look at their handles (a few WNOHANG waits;
        // none when only one task is traced, the common hot loop).
        for (int more = 0; more < 64 && traced() > 1; ++more) {
            siginfo_t next{};
            if (::waitid(P_ALL, 0, &next, WSTOPPED | WNOHANG | __WALL | __WNOTHREAD) != 0 ||
                next.si_pid == 0) {
                break;
            }
            on_stop(next.si_pid, next.si_code, next.si_status);
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
        publish(); // events the job left unread
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
    std::optional<std::chrono::steady_clock::time_point> pump_deadline_; // see pump_until
    std::unique_ptr<siginfo_t> si_;
    bool untraced_ = false; // wait_for_stop: waitid said ECHILD (tracer thread only)
    timer_t sweep_timer_{}; // see create_sweep_timer (tracer thread only)
    bool sweep_timer_ok_ = false;
    bool sweep_timer_armed_ = false;
};

} // namespace ptrace_api::shim
