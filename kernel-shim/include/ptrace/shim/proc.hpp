// SPDX-License-Identifier: MIT
// The Redox `proc:` scheme over Linux: open/read/write/lseek/fcntl/close on trace, regs, mem
// (read, write, lseek and fcntl are in io.hpp, which this header includes).
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/convert.hpp>
#include <ptrace/shim/io.hpp>
#include <ptrace/shim/memory_io.hpp>
#include <ptrace/shim/paths.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/tracer.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// Opens `proc:<tid>/trace`, `proc:<tid>/regs/int`, `proc:<tid>/regs/float`,
/// `proc:<tid>/regs/env` or `proc:<tid>/mem`. The result is a real fd (an eventfd; for trace
/// handles it polls readable when events are queued or the tracee exited, C8).
/// `oflags`: O_TRUNC stops the tracee now (A5), O_EXCL kills it on close (A6), O_NONBLOCK
/// selects nonblocking writes (M); stored for F_GETFL (A7).
/// \errors EINVAL bad path (A1); ESRCH no such task or a zombie (A2); EPERM security (A3) or
/// one's own thread group; EBUSY already traced (A4); ENOTSUP the wake signal is taken.
inline Result<int> open(std::string_view path, int oflags) {
    Shim& shim = Shim::instance();
    if (shim.foreign_process_exact()) {
        return unexpected(std::errc::operation_not_permitted); // a forked copy is inert
    }
    const auto parsed = detail::parse_path(path);
    if (!parsed) {
        return unexpected(std::errc::invalid_argument);
    }
    bool traced_here = false;
    detail::PidRef pidfd; // the task's record's, when this process traces it
    if (parsed->kind != detail::HandleKind::Trace) {
        // A task this process traces passed A2/A3 when it was attached (or is a descendant
        // of one that did) and sits at a stop or runs: no /proc walk for its register and
        // memory handles (a tracer adopting every new thread opens them for each one).
        std::lock_guard<std::mutex> lk(shim.mutex());
        if (const detail::Tracee* t = shim.find_tracee(parsed->tid)) {
            traced_here = true;
            pidfd = t->pidfd;
        }
    }
    Result<sys::ProcStatus> st = sys::ProcStatus{};
    if (!traced_here) {
        st = detail::check_access(parsed->tid);
        if (!st) {
            return unexpected_errno(st.error().value());
        }
    }
    if (auto started = shim.ensure_started(); !started) {
        return unexpected_errno(started.error().value());
    }
    sys::UniqueFd<> handle_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!handle_fd.valid()) {
        return sys::last_error();
    }
    const int efd = handle_fd.get();
    auto h = std::make_shared<detail::Handle>();
    h->kind = parsed->kind;
    h->fd = efd;
    h->tid = parsed->tid;
    h->oflags = oflags;
    if (parsed->kind == detail::HandleKind::Trace) {
        auto s = std::make_shared<detail::Session>();
        s->efd = efd;
        s->tid = parsed->tid;
        s->oflags = oflags;
        s->user_child = st->ppid == ::getpid() && st->tgid == parsed->tid;
        const bool stop_now = (oflags & O_TRUNC) != 0;
        const bool exclusive = (oflags & O_EXCL) != 0;
        auto r = shim.call(
            [&](detail::Request& req) { return shim.attach(req, s, stop_now, exclusive); });
        if (!r) {
            return unexpected_errno(r.error().value());
        }
        h->session = std::move(s);
    } else {
        // The pidfd is the pid-reuse guard of every later access (G1): no handle without it.
        h->pidfd = pidfd ? std::move(pidfd) : shim.open_pidfd(parsed->tid);
        if (!h->pidfd) {
            return unexpected_errno(errno);
        }
        // Linux's half of A3 for a task this process does not trace: /proc/<tid>/mem opens
        // only where ptrace(2) would attach (same credentials, dumpable, Yama, LSMs), so a
        // register handle that every access would refuse is refused now.
        if (parsed->kind == detail::HandleKind::Mem || !traced_here) {
            sys::UniqueFd<> mem = detail::open_mem(parsed->tid);
            if (!mem.valid()) {
                const int err = errno;
                return unexpected_errno(err == ENOENT ? ESRCH : err == EACCES ? EPERM : err);
            }
            if (parsed->kind == detail::HandleKind::Mem) {
                h->memfd = std::move(mem);
            }
        }
    }
    std::lock_guard<std::mutex> lk(shim.mutex());
    shim.handles()[efd] = std::move(h);
    shim.handles_changed();
    return handle_fd.release();
}

/// Closes a handle. For trace handles: I1 (detach with the pending stop's default decision,
/// or SIGKILL for O_EXCL, A6), releasing clone children (F2, decision 10).
/// \errors EBADF unknown or already closed fd.
inline Result<void> close(int fd) {
    Shim& shim = Shim::instance();
    std::shared_ptr<detail::Handle> h;
    {
        if (shim.foreign_process()) {
            return unexpected(std::errc::bad_file_descriptor);
        }
        std::lock_guard<std::mutex> lk(shim.mutex());
        const auto it = shim.handles().find(fd);
        if (it == shim.handles().end()) {
            return unexpected(std::errc::bad_file_descriptor);
        }
        h = std::move(it->second);
        shim.handles().erase(it);
        shim.handles_changed();
    }
    if (h->session) {
        detail::Session& s = *h->session;
        const detail::Tracee* tracee = nullptr;
        bool excl = false;
        {
            std::lock_guard<std::mutex> lk(shim.mutex());
            tracee = s.tracee;
            excl = (s.oflags & O_EXCL) != 0;
        }
        (void)shim.call([&](detail::Request& req) { return shim.close_session(req, s); });
        bool leaving = excl && tracee != nullptr;
        if (!leaving && tracee != nullptr) {
            // A tracee that a SIGKILL took out of its stop cannot be detached before it
            // reaches its exit stop (spec 3.G): it is let go there, by the tracer thread.
            std::lock_guard<std::mutex> lk(shim.mutex());
            const detail::Tracee* now = shim.find_tracee(s.tid);
            leaving = now == tracee && now->detach_at_stop;
        }
        if (leaving) {
            // The caller's waitpid(2) must neither block on it nor steal that stop from the
            // tracer thread (spec 3.1 "User waitpid interference").
            shim.wait_forgotten(tracee, s.tid, std::chrono::milliseconds(2000));
        }
        std::lock_guard<std::mutex> lk(shim.mutex());
        s.pidfd.reset();
    }
    // The pidfd and the mem fd are closed with the last reference to the handle (~Handle): a
    // call still running in another thread keeps using them, not a recycled fd number. The
    // eventfd is the caller's fd number, closed now, under the mutex that every use of it
    // (raise_ready, drain_ready) holds.
    std::lock_guard<std::mutex> lk(shim.mutex());
    if (h->session) {
        h->session->efd = -1;
    }
    sys::close_fd(h->fd);
    return {};
}

/// The TID of the task the handle `fd` names, now. It is the one the handle was opened with,
/// except after a non-leader thread of the task's process execs: Linux gives the exec'ing
/// thread its leader's TID, and the thread's handles follow it (kernel-shim/README.md).
/// \errors EBADF when `fd` is not an open handle.
inline Result<pid_t> tid_of(int fd) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    std::lock_guard<std::mutex> lk(shim.mutex());
    return h->tid;
}

/// Redox `fpath` (A9): `proc:<tid>/<kind>`, with the task's current TID (see tid_of).
/// \errors EBADF when `fd` is not an open handle.
inline Result<std::string> fpath(int fd) {
    const auto tid = tid_of(fd);
    if (!tid) {
        return unexpected_errno(tid.error().value());
    }
    const auto h = detail::find_handle(Shim::instance(), fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    return detail::handle_path(*tid, detail::kind_name(h->kind));
}

/// poll(2) over trace handles that also works inside a job (run_on_tracer_thread), where it
/// serves the stops itself until a handle is readable (events queued, or the tracee gone:
/// C8) or `timeout_ms` passed (negative: no limit). Elsewhere it is poll(2) on the handles'
/// fds, which can be mixed with any other fd. Only POLLIN is reported for a trace handle.
/// \returns the number of entries whose revents is not 0.
/// \errors EINVAL inside a job, an fd that is not a trace handle (it cannot be waited for
/// while the stops are served); poll(2)'s errors elsewhere (EINTR is retried).
inline Result<int> poll(std::span<pollfd> fds, int timeout_ms) {
    Shim& shim = Shim::instance();
    using Clock = std::chrono::steady_clock;
    const bool forever = timeout_ms < 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(forever ? 0 : timeout_ms);
    if (!Shim::on_tracer_thread()) {
        for (;;) {
            int left = -1;
            if (!forever) {
                left = static_cast<int>(std::max<std::int64_t>(
                    0,
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                        .count()));
            }
            const int n = ::poll(fds.data(), fds.size(), left);
            if (n >= 0) {
                return n;
            }
            if (errno != EINTR) {
                return sys::last_error();
            }
        }
    }
    // The handles behind the fds, resolved once per set of fds and table generation: a loop
    // polling the same tracers again and again pays no lookup per call.
    struct Resolved {
        std::uint64_t generation = 0;
        std::vector<int> fds;
        std::vector<std::shared_ptr<detail::Handle>> handles;
    };
    thread_local Resolved cache;
    std::unique_lock<std::mutex> lk(shim.mutex());
    const bool same = cache.generation == shim.handles_generation() &&
                      cache.fds.size() == fds.size() &&
                      std::equal(fds.begin(), fds.end(), cache.fds.begin(),
                                 [](const pollfd& p, int fd) { return p.fd == fd; });
    if (!same) {
        cache.generation = shim.handles_generation();
        cache.fds.clear();
        cache.handles.clear();
        for (const pollfd& p : fds) {
            std::shared_ptr<detail::Handle> h;
            if (p.fd >= 0) {
                const auto it = shim.handles().find(p.fd);
                if (it == shim.handles().end() || it->second->kind != detail::HandleKind::Trace) {
                    cache.generation = 0;
                    return unexpected(std::errc::invalid_argument);
                }
                h = it->second;
            }
            cache.fds.push_back(p.fd);
            cache.handles.push_back(std::move(h));
        }
    }
    const auto& handles = cache.handles;
    for (pollfd& p : fds) {
        p.revents = 0;
    }
    int ready = 0;
    auto look = [&] {
        ready = 0;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            const detail::Session* s = handles[i] ? handles[i]->session.get() : nullptr;
            if (s != nullptr && (fds[i].events & POLLIN) != 0 && (!s->queue.empty() || s->exited)) {
                fds[i].revents = POLLIN;
                ++ready;
            }
        }
        return ready > 0;
    };
    // A wait that comes back empty sweeps vanished records itself (Shim::on_idle).
    shim.pump_until(
        lk, look, [] {}, forever ? std::nullopt : std::optional<Clock::time_point>(deadline));
    return ready;
}

/// Runs `fn()` on the tracer thread, the thread that makes every ptrace(2) call of this
/// process, and returns when it returned (at once, inline, when called there). Every shim
/// call `fn` makes runs inline: a blocking write serves the stops itself, so a stop costs the
/// waitid(2) and the resume request, as in a hand-written loop, instead of two cross-thread
/// wake-ups (kernel-shim/README.md, "Jobs"). Jobs run one at a time; while one runs, other
/// threads' shim calls are served only when it waits inside a shim call, so `fn` must not
/// wait for them otherwise, and it must not poll trace handles (nobody would serve the stops
/// that make them readable).
/// \errors ENOTSUP the wake signal is taken; EPERM in a forked copy. `fn` did not run then.
template <class Fn>
Result<void> run_on_tracer_thread(Fn& fn) {
    Shim& shim = Shim::instance();
    if (shim.foreign_process()) {
        return unexpected(std::errc::operation_not_permitted);
    }
    if (auto started = shim.ensure_started(); !started) {
        return started;
    }
    shim.run_job(fn);
    return {};
}

/// Redox `dup(fd, kind)` (A9): opens the sibling handle `kind` ("trace", "regs/int",
/// "regs/float", "regs/env" or "mem") for the same task, with `fd`'s open flags; everything
/// open() checks is checked again (A2, A3). A plain copy of a handle does not exist, as in
/// Redox: `dup(fd, "")` is EINVAL.
/// \errors EBADF `fd` is not an open handle; EINVAL empty or unknown kind; EBUSY "trace" while
/// a trace session exists for the task (A4, also from its own trace handle); open()'s errors.
inline Result<int> dup(int fd, std::string_view kind) {
    const auto h = detail::find_handle(Shim::instance(), fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    if (kind.empty() || kind.find('/') == 0) {
        return unexpected(std::errc::invalid_argument);
    }
    int oflags = 0;
    pid_t tid = 0;
    {
        std::lock_guard<std::mutex> lk(Shim::instance().mutex());
        oflags = h->oflags;
        tid = h->tid;
    }
    return open(detail::handle_path(tid, kind), oflags);
}

} // namespace ptrace_api::shim
