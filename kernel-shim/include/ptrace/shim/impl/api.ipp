// SPDX-License-Identifier: MIT
// The definitions of the shim's user calls declared in api.hpp (their documentation is there).
// Included by api.hpp in the header-only mode, and by the provided source alone
// (src/ptrace_api.cpp) when PTRACE_API_SEPARATE_COMPILATION is defined: never
// include it anywhere else.
#pragma once

#include <ptrace/debug_registers.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/shim/convert.hpp>
#include <ptrace/shim/debugregs_io.hpp>
#include <ptrace/shim/inject.hpp>
#include <ptrace/shim/io.hpp>
#include <ptrace/shim/memory_io.hpp>
#include <ptrace/shim/paths.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/shim/syscalls_io.hpp>
#include <ptrace/shim/tracer.hpp>
#include <ptrace/shim/xstate_io.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/xstate.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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
#include <sys/user.h>
#include <unistd.h>

#if defined(PTRACE_API_SEPARATE_COMPILATION)
// A program whose other translation units include api.hpp without the macro defines this
// (api.hpp): it mixes the modes, an ODR violation, and stops before main with a message.
extern "C" {
[[gnu::weak, gnu::visibility("hidden")]] extern const char ptrace_api_header_only_mode;
const char ptrace_api_separate_mode_needs_src_ptrace_api_cpp = 1; // see api.hpp
}

namespace ptrace_api::shim::detail {
namespace {

// Internal: this file is compiled once, in the provided source (never inline, or an unused
// variable would not be initialised).
[[maybe_unused]] const bool modes_checked = [] {
    if (&ptrace_api_header_only_mode != nullptr) {
        std::fputs("ptrace-api: this program mixes translation units compiled with and without "
                   "PTRACE_API_SEPARATE_COMPILATION; define it in every one of them or in none\n",
                   stderr);
        std::abort();
    }
    return true;
}();

} // namespace
} // namespace ptrace_api::shim::detail
#endif

namespace ptrace_api::shim {

PTRACE_API_DECL Result<int> open(std::string_view path, int oflags) {
    Shim& shim = Shim::instance();
    if (shim.foreign_process_exact()) {
        return unexpected(std::errc::operation_not_permitted); // a forked copy is inert
    }
    std::string& why = detail::error_message();
    why.clear();
    const auto parsed = detail::parse_path(path);
    if (!parsed) {
        why = "not a handle path: proc:<tid>/<kind> with a decimal tid and a known kind";
        return unexpected(std::errc::invalid_argument);
    }
    const bool linux_only = (oflags & linux_checks_only) != 0;
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
        st = detail::check_access(parsed->tid, linux_only, why);
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
            if (r.error() == std::errc::operation_not_permitted ||
                r.error() == std::errc::device_or_resource_busy) {
                why =
                    r.error() == std::errc::device_or_resource_busy &&
                            sys::proc_status(parsed->tid).value_or(sys::ProcStatus{}).tracer_pid ==
                                0
                        ? "a trace handle of this process is open for task " +
                              std::to_string(parsed->tid) + " (A4: one session per tracee)"
                        : detail::explain_linux_refusal(parsed->tid);
            }
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
            sys::UniqueFd<> mem = detail::open_mem(shim.backend(), parsed->tid);
            if (!mem.valid()) {
                const int err = errno;
                if (err == EACCES || err == EPERM) {
                    why = detail::explain_linux_refusal(parsed->tid);
                }
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

PTRACE_API_DECL Result<InjectResult> inject_syscall(int fd, const InjectCall& call) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h) {
        detail::error_message() = "not an open handle";
        return unexpected(std::errc::bad_file_descriptor);
    }
    return detail::inject_syscall(shim, *h, call);
}

PTRACE_API_DECL std::string last_error_message() {
    return detail::error_message();
}

PTRACE_API_DECL Result<void> close(int fd) {
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

PTRACE_API_DECL Result<pid_t> tid_of(int fd) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    std::lock_guard<std::mutex> lk(shim.mutex());
    return h->tid;
}

PTRACE_API_DECL Result<std::string> fpath(int fd) {
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

PTRACE_API_DECL Result<int> poll(std::span<pollfd> fds, int timeout_ms) {
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

PTRACE_API_DECL const XStateLayout& xstate_layout() noexcept {
    return detail::xstate_layout_once();
}

PTRACE_API_DECL Result<void> run_on_tracer_thread(JobFunction job, void* context) {
    Shim& shim = Shim::instance();
    if (shim.foreign_process()) {
        return unexpected(std::errc::operation_not_permitted);
    }
    if (auto started = shim.ensure_started(); !started) {
        return started;
    }
    auto fn = [job, context] { job(context); };
    shim.run_job(fn);
    return {};
}

PTRACE_API_DECL Result<int> dup(int fd, std::string_view kind) {
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

PTRACE_API_DECL Result<std::size_t> read(int fd, std::span<std::byte> buf) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    switch (h->kind) {
    case detail::HandleKind::Trace:
        return detail::read_events(shim, *h->session, buf);
    case detail::HandleKind::RegsInt:
        return detail::read_int_regs(shim, *h, buf);
    case detail::HandleKind::RegsFloat:
        return detail::read_float_regs(shim, *h, buf);
    case detail::HandleKind::RegsEnv:
        return detail::read_env_regs(shim, *h, buf);
    case detail::HandleKind::Mem:
        return detail::mem_read(shim.backend(), *h, buf); // K1-K4
    case detail::HandleKind::Syscalls:
        return detail::read_syscalls(shim, *h, buf); // issue 12
    case detail::HandleKind::RegsXState:
        return detail::read_xstate(shim, *h, buf); // issue 13
    case detail::HandleKind::RegsDebug:
        return detail::read_debugregs(shim, *h, buf); // issue 13
    case detail::HandleKind::Siginfo:
        return detail::read_siginfo(shim, *h, buf); // decision 27
    }
    return unexpected(std::errc::bad_file_descriptor);
}

PTRACE_API_DECL Result<std::size_t> write(int fd, std::span<const std::byte> buf) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    switch (h->kind) {
    case detail::HandleKind::Trace: {
        detail::Session& s = *h->session;
        std::uint64_t op = 0;
        if (buf.size() >= sizeof op) {
            std::memcpy(&op, buf.data(), sizeof op);
        }
        if (const auto posted = detail::post_nonblocking_write(shim, h->session, buf.size(), op)) {
            return *posted;
        }
        auto r =
            shim.call([&](detail::Request& req) { return shim.write_op(req, s, buf.size(), op); });
        if (!r) {
            if (r.error() == std::errc::no_such_process) {
                return detail::await_reapable(shim, s); // B10 after an exit: same as G2
            }
            return unexpected_errno(r.error().value());
        }
        if (*r == 0) {
            return std::size_t{0};
        }
        int oflags = 0;
        {
            std::lock_guard<std::mutex> lk(shim.mutex());
            oflags = s.oflags;
        }
        const bool blocking =
            (op & PtraceFlags::FLAG_WAIT.bits()) != 0 || (oflags & O_NONBLOCK) == 0; // B6
        if (!blocking) {
            return std::size_t{8}; // M1
        }
        return detail::wait_for_stop(shim, s);
    }
    case detail::HandleKind::RegsInt:
        return detail::write_int_regs(shim, *h, buf);
    case detail::HandleKind::RegsFloat:
        return detail::write_float_regs(shim, *h, buf);
    case detail::HandleKind::RegsEnv:
        return detail::write_env_regs(shim, *h, buf);
    case detail::HandleKind::Mem:
        return detail::mem_write(shim, *h, buf); // K1-K4
    case detail::HandleKind::Syscalls:
        return detail::write_syscalls(shim, *h, buf); // issue 12
    case detail::HandleKind::RegsXState:
        return detail::write_xstate(shim, *h, buf); // issue 13
    case detail::HandleKind::RegsDebug:
        return detail::write_debugregs(shim, *h, buf); // issue 13
    case detail::HandleKind::Siginfo:
        return detail::write_siginfo(shim, *h, buf); // decision 27
    }
    return unexpected(std::errc::bad_file_descriptor);
}

PTRACE_API_DECL Result<std::uint64_t> lseek(int fd, std::int64_t off, int whence) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h || h->kind != detail::HandleKind::Mem) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    return detail::mem_seek(*h, off, whence); // K1
}

PTRACE_API_DECL Result<int> fcntl(int fd, int cmd, int arg) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    switch (cmd) {
    case F_GETFL: {
        std::lock_guard<std::mutex> lk(shim.mutex());
        return h->session ? h->session->oflags : h->oflags;
    }
    case F_SETFL: {
        std::lock_guard<std::mutex> lk(shim.mutex());
        h->oflags = arg;
        if (h->session) {
            h->session->oflags = arg;
            if (detail::Tracee* t = h->session->tracee) {
                t->exitkill = (arg & O_EXCL) != 0; // applied at the tracee's next resume
            }
        }
        return 0;
    }
    case F_GETFD:
    case F_SETFD: {
        const int r = ::fcntl(fd, cmd, arg);
        if (r < 0) {
            return sys::last_error();
        }
        return r;
    }
    default:
        return unexpected(std::errc::invalid_argument);
    }
}

PTRACE_API_DECL Result<SyscallFilterState> syscall_filter_state(int fd) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_syscalls_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    std::lock_guard<std::mutex> lk(shim.mutex());
    const detail::Tracee* t = shim.find_tracee(h->tid);
    if (t == nullptr) {
        return unexpected(std::errc::operation_not_permitted);
    }
    SyscallFilterState st;
    st.install_error = t->filter_error;
    if (!t->syscalls.empty()) {
        st.path = filter::kernel_covers(t->kernel_set, t->syscalls) ? SyscallFilterPath::Kernel
                                                                    : SyscallFilterPath::Shim;
    }
    return st;
}

} // namespace ptrace_api::shim
