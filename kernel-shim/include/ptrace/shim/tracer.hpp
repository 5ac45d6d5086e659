// SPDX-License-Identifier: MIT
// The process-wide shim: the tracer-thread runtime (runtime.hpp) running the shim's state and
// logic (requests.hpp, machine.hpp, tracees.hpp) over the Linux backend (backend.hpp).
#pragma once

#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/requests.hpp>
#include <ptrace/shim/runtime.hpp>
#include <ptrace/shim/state.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// The backend of the process-wide shim: the real calls. Leaked like the shim itself: the
/// tracer thread and the handles' destructors may use it after static destructors ran.
inline LinuxBackend& linux_backend() {
    static LinuxBackend* backend = new LinuxBackend(); // deliberately leaked
    return *backend;
}

/// The single process-wide shim: the handle table, the traced tasks, and the tracer thread
/// that performs every ptrace request (Linux binds them to the attaching thread, spec 3.1).
/// It is the only global mutable state of the library; it is created at the first open and
/// never destroyed (the tracer thread may outlive static destructors; at process exit Linux
/// detaches every tracee, or kills it when it was opened with O_EXCL).
class Shim final : public Runtime, public Requests {
public:
    static Shim& instance() {
        static Shim* shim = new Shim(); // deliberately leaked, see above
        return *shim;
    }
    Shim(const Shim&) = delete;
    Shim& operator=(const Shim&) = delete;
    Shim(Shim&&) = delete;
    Shim& operator=(Shim&&) = delete;

    /// After closing a session whose tracee is on its way out (killed by O_EXCL, or by a
    /// SIGKILL that took it out of its stop): waits (up to `limit`) until the tracee has
    /// left its EXIT event stop and is no longer traced, so that the caller's waitpid(2) can
    /// neither block on it nor steal that stop from the tracer thread (spec 3.1 "User waitpid
    /// interference"). User thread.
    void wait_forgotten(const detail::Tracee* t, pid_t tid, std::chrono::milliseconds limit) {
        std::unique_lock<std::mutex> lk(mutex());
        auto gone = [&] {
            const detail::Tracee* now = find_tracee(tid);
            return now == nullptr || now != t;
        };
        await(
            lk, forgotten(), gone, [] {}, std::chrono::steady_clock::now() + limit);
    }

private:
    // getenv: read once, before the tracer thread exists.
    Shim() : Requests(linux_backend(), ::getpid(), std::getenv("PTRACE_API_SHIM_LOG") != nullptr) {}
    ~Shim() override = default;

    void on_stop(pid_t tid, int code, int status) override { dispatch(tid, code, status); }
    void publish() override { flush_ready(); }
    std::size_t traced() const noexcept override { return tracee_count(); }
    std::uint64_t stops() const noexcept override { return stops_handled(); }
    void on_idle(bool untraced) override {
        if (untraced) {
            // Linux says this thread traces nothing, yet records remain: their tasks ended
            // without a stop seen here (and were reaped). Forget them all.
            vanish_all();
        }
        sweep_vanished_every(std::chrono::milliseconds(200));
    }
};

} // namespace ptrace_api::shim
