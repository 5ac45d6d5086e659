// SPDX-License-Identifier: MIT
// The one watchdog of the tests: every test that starts processes bounds its time with it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

namespace test_support {

/// SIGKILLs the processes it watches when `limit` passes before disarm() (or destruction), so
/// that a hung tracee ends the test case instead of the whole run; reaping stays with their
/// owners, and a watched pid must stay unreaped until disarm(). With `grace`, a case still not
/// over that long after the kill (a tracee held in a stop that nothing serves any more) ends
/// the whole process with status 3, after saying why on stderr: a hang never outlives the
/// watchdog. No test framework here: the owner asks fired() and reports it its own way.
class Watchdog {
public:
    explicit Watchdog(std::chrono::milliseconds limit,
                      std::optional<std::chrono::milliseconds> grace = std::nullopt)
        : limit_(limit), grace_(grace), thread_([this] { run(); }) {}
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog() {
        disarm();
        thread_.join();
    }

    void watch(pid_t pid) {
        const std::lock_guard<std::mutex> lk(mu_);
        pids_.push_back(pid);
    }

    /// No longer watches `pid` (its owner reaped it: the number may be reused).
    void forget(pid_t pid) {
        const std::lock_guard<std::mutex> lk(mu_);
        std::erase(pids_, pid);
    }

    /// The case is over: nothing is killed from now on.
    void disarm() {
        {
            const std::lock_guard<std::mutex> lk(mu_);
            done_ = true;
        }
        cv_.notify_all();
    }

    [[nodiscard]] bool fired() {
        const std::lock_guard<std::mutex> lk(mu_);
        return fired_;
    }

private:
    void run() {
        std::unique_lock<std::mutex> lk(mu_);
        if (cv_.wait_for(lk, limit_, [this] { return done_; })) {
            return;
        }
        fired_ = true;
        for (const pid_t pid : pids_) {
            (void)::kill(pid, SIGKILL);
        }
        if (!grace_ || cv_.wait_for(lk, *grace_, [this] { return done_; })) {
            return;
        }
        std::fprintf(stderr,
                     "watchdog: the case is still blocked %lld ms after its processes were "
                     "killed (a tracee held in a stop that nothing serves?); ending the process\n",
                     static_cast<long long>(grace_->count()));
        (void)std::fflush(nullptr);
        ::_exit(3);
    }

    const std::chrono::milliseconds limit_;
    const std::optional<std::chrono::milliseconds> grace_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    bool fired_ = false;
    std::vector<pid_t> pids_;
    std::thread thread_; // last: started once the rest is initialised
};

/// fork(), with a child that gets SIGKILL when the test process ends, also when it ends
/// without its destructors (a sanitizer's abort, a crash): otherwise a child that waits, spins
/// or sits stopped holds the test's output pipes open, and meson waits for the test's whole
/// timeout. Linux sends it when the thread that forked ends: call it on the thread that
/// outlives the child (doctest's main thread). The child makes only async-signal-safe calls
/// here, as the test process has threads. Returns what fork() returns.
inline pid_t fork_tied_to_test() {
    const pid_t test_pid = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        (void)::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != test_pid) {
            ::_exit(127); // the test process ended before prctl
        }
    }
    return pid;
}

} // namespace test_support
