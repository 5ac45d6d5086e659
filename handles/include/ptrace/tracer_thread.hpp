// SPDX-License-Identifier: MIT
// on_tracer_thread: run a tracing loop on the thread that makes the ptrace calls; poll: wait
// for trace handles there too.
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>

#include <concepts>
#include <exception>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include <poll.h>

namespace ptrace_api {

/// Runs `fn()` on the library's tracer thread and returns what it returns (or rethrows what
/// it throws).
///
/// Linux binds a tracee to the thread that attached it, so the library makes every ptrace
/// call on one thread of its own, and each operation of a Tracer used from another thread
/// crosses to it and back: two thread wake-ups per stop. Inside `fn`, Tracer, Registers and
/// Memory calls run directly on that thread, and a stop costs what it costs a hand-written
/// `PTRACE_SYSCALL` + `waitpid` loop. Use it for the hot loop of a tracer:
///
/// \code
/// auto stops = ptrace_api::on_tracer_thread([&] {
///     long n = 0;
///     while (tracer.next(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL)) {
///         ++n;
///     }
///     return n;
/// });
/// \endcode
///
/// Calls run one at a time: while `fn` runs, the calls other threads make are served only
/// while `fn` waits inside one of the library's calls. So `fn` must not wait for another
/// thread that traces, and must not wait for trace handles with poll(2) or epoll (nobody
/// would serve the stops that make them readable): use blocking operations, or
/// ptrace_api::poll, inside `fn`. Called on the tracer thread
/// (from inside `fn`), it runs `fn` at once. If the tracer thread cannot start (the program
/// owns the signal it reserves), `fn` runs on the calling thread, where the library's calls
/// report that error (ENOTSUP).
template <class Fn>
requires std::invocable<Fn&> std::invoke_result_t<Fn&> on_tracer_thread(Fn&& fn) {
    using R = std::invoke_result_t<Fn&>;
    std::exception_ptr failure;
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> result;
    auto job = [&]() noexcept {
        try {
            if constexpr (std::is_void_v<R>) {
                fn();
                result.emplace(true);
            } else {
                result.emplace(fn());
            }
        } catch (...) {
            failure = std::current_exception();
        }
    };
    if (!shim::run_on_tracer_thread(job)) {
        job(); // the shim cannot start: every trace call in `fn` reports why
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    if constexpr (!std::is_void_v<R>) {
        return std::move(*result);
    }
}

/// Waits until one of the trace handles in `fds` is readable (NonblockTracer::native_handle:
/// events queued, or the tracee gone, C8), like poll(2), and also inside on_tracer_thread,
/// where it serves the stops itself: the way to multiplex many nonblocking tracers there.
/// Elsewhere it is poll(2) itself, and `fds` may hold any fd. Only POLLIN is reported for a
/// trace handle; entries with a negative fd are ignored. `timeout_ms` < 0 waits without a
/// limit. \returns the number of entries whose `revents` is set (0 on timeout).
/// \errors EINVAL inside on_tracer_thread, an fd that is not a trace handle; poll(2)'s
/// errors elsewhere (EINTR is retried).
inline Result<int> poll(std::span<pollfd> fds, int timeout_ms) {
    return shim::poll(fds, timeout_ms);
}

} // namespace ptrace_api
