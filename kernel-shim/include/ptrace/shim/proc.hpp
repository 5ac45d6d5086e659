// SPDX-License-Identifier: MIT
// The Redox `proc:` scheme over Linux: open/read/write/lseek/fcntl/close on trace, regs, mem.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/convert.hpp>
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

namespace detail {

/// The scheme of every handle path (A1).
inline constexpr std::string_view scheme = "proc:";

/// A handle kind and its path component, as in `proc:<tid>/<kind>` (A1).
struct KindName {
    HandleKind kind;
    std::string_view name;
};

/// Every handle kind: the one table that paths are parsed with and printed from.
inline constexpr std::array<KindName, 5> kind_names{{
    {HandleKind::Trace, "trace"},
    {HandleKind::RegsInt, "regs/int"},
    {HandleKind::RegsFloat, "regs/float"},
    {HandleKind::RegsEnv, "regs/env"},
    {HandleKind::Mem, "mem"},
}};

/// The path component of a handle kind, as in `proc:<tid>/<kind>` (A1).
inline std::string_view kind_name(HandleKind kind) noexcept {
    for (const KindName& k : kind_names) {
        if (k.kind == kind) {
            return k.name;
        }
    }
    return {};
}

/// The path of the handle `kind` of task `tid`: `proc:<tid>/<kind>` (A1).
inline std::string handle_path(pid_t tid, std::string_view kind) {
    return std::string(scheme) + std::to_string(tid) + "/" + std::string(kind);
}

struct ParsedPath {
    pid_t tid = 0;
    HandleKind kind = HandleKind::Trace;
};

/// A1: `proc:<pid>/<kind>` with a decimal pid; anything else is EINVAL.
inline std::optional<ParsedPath> parse_path(std::string_view path) noexcept {
    if (path.substr(0, scheme.size()) != scheme) {
        return std::nullopt;
    }
    path.remove_prefix(scheme.size());
    const std::size_t slash = path.find('/');
    if (slash == 0 || slash == std::string_view::npos) {
        return std::nullopt;
    }
    std::int64_t pid = 0;
    for (const char c : path.substr(0, slash)) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        pid = pid * 10 + (c - '0');
        if (pid > std::numeric_limits<pid_t>::max()) {
            return std::nullopt;
        }
    }
    const std::string_view kind = path.substr(slash + 1);
    for (const KindName& k : kind_names) {
        if (k.name == kind) {
            return ParsedPath{static_cast<pid_t>(pid), k.kind};
        }
    }
    return std::nullopt;
}

/// A2 + A3 (decision 16): alive, not in our own thread group, and the Redox rule (same euid
/// or egid, and a strict ancestor; or root = euid 0 or egid 0). Linux's own checks follow at
/// PTRACE_SEIZE / open of /proc/<tid>/mem.
inline Result<sys::ProcStatus> check_access(pid_t tid) {
    if (tid <= 0) {
        return unexpected(std::errc::no_such_process);
    }
    auto st = sys::proc_status(tid);
    if (!st) {
        return unexpected_errno(st.error().value()); // ESRCH, or why /proc could not be read
    }
    if (st->state == 'Z' || st->state == 'X') {
        return unexpected(std::errc::no_such_process);
    }
    if (st->tgid == ::getpid()) {
        return unexpected(std::errc::operation_not_permitted); // can never open itself
    }
    if (::geteuid() == 0 || ::getegid() == 0) {
        return st;
    }
    if (st->uid[1] != ::geteuid() && st->gid[1] != ::getegid()) {
        return unexpected(std::errc::operation_not_permitted);
    }
    pid_t p = st->ppid;
    for (int depth = 0; p > 0 && depth < 4096; ++depth) {
        if (p == ::getpid()) {
            return st;
        }
        const auto up = sys::proc_status(p);
        if (!up) {
            if (up.error() != std::errc::no_such_process) {
                return unexpected_errno(up.error().value());
            }
            break;
        }
        p = up->ppid;
    }
    return unexpected(std::errc::operation_not_permitted);
}

inline sys::UniqueFd<> open_mem(pid_t tid) noexcept {
    return sys::UniqueFd<>(::open(sys::ProcPath(tid, "mem").c_str(), O_RDWR | O_CLOEXEC));
}

enum class Transfer : std::uint8_t { Full, Fault, Eof };

/// Transfers exactly `len` bytes at `off` or reports why not (K1: all or nothing).
template <class Fn>
Transfer transfer_all(Fn io, std::size_t len, std::uint64_t off) noexcept {
    std::size_t done = 0;
    while (done < len) {
        const ssize_t n = io(done, len - done, static_cast<off_t>(off + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Transfer::Fault; // EIO for unmapped pages (spec 3.K1, verified)
        }
        if (n == 0) {
            return done == 0 ? Transfer::Eof : Transfer::Fault;
        }
        done += static_cast<std::size_t>(n);
    }
    return Transfer::Full;
}

/// From this size on, reads try process_vm_readv(2) first: /proc/<pid>/mem copies through a
/// one-page bounce buffer, process_vm_readv copies straight from the pinned pages (about 3x
/// the throughput at 1 MiB on these machines, bench/memory_reads).
inline constexpr std::size_t vm_readv_threshold = std::size_t{64} << 10;

/// The whole range through process_vm_readv, or false: any short or failed transfer (an
/// unmapped or PROT_NONE page, which /proc/<pid>/mem reads with FOLL_FORCE) leaves the exact
/// answer to the /proc path. A pid can be recycled only after the tracee was reaped, which
/// the pidfd tells after the copy.
inline bool vm_read_all(const Handle& h, std::byte* out, std::size_t len, std::uint64_t off) {
    iovec local{out, len};
    iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(off)), len};
    const ssize_t n = ::process_vm_readv(h.tid, &local, 1, &remote, 1, 0);
    return n == static_cast<ssize_t>(len) && h.pidfd &&
           sys::pidfd_send_signal(h.pidfd->get(), 0) == 0;
}

/// Opens /proc/<tid>/mem again for the task the handle names (K4), never for another task
/// that got its pid after it was reaped: the pidfd is asked after the open, and a task alive
/// then was alive at the open, so the file belongs to it. \returns false when the task is
/// gone (or the handle has no pidfd to tell), leaving the old fd in place.
inline bool reopen_mem(Handle& h) {
    if (!h.pidfd) {
        return false;
    }
    sys::UniqueFd<> fresh = open_mem(h.tid);
    if (!fresh.valid()) {
        return false;
    }
    if (sys::pidfd_send_signal(h.pidfd->get(), 0) != 0) {
        return false;
    }
    h.memfd = std::move(fresh);
    return true;
}

/// Reads the tracee's memory. After an exec the handle reopens /proc/<tid>/mem: at once when
/// the tracer thread saw the exec (mem_stale), else when the old fd reads EOF (its address
/// space is gone). A task that is gone maps to EFAULT (zombie) or ESRCH (reaped), G1.
/// \pre h.mem_mu is held.
inline Result<void> mem_read_at(Handle& h, std::byte* out, std::size_t len, std::uint64_t off) {
    if (h.mem_stale.exchange(false)) {
        (void)reopen_mem(h);
    }
    if (len >= vm_readv_threshold && vm_read_all(h, out, len, off)) {
        return {};
    }
    auto io = [&](std::size_t done, std::size_t left, off_t at) {
        return ::pread(h.memfd.get(), out + done, left, at);
    };
    Transfer r = transfer_all(io, len, off);
    if (r == Transfer::Eof && reopen_mem(h)) {
        r = transfer_all(io, len, off);
    }
    if (r == Transfer::Full) {
        return {};
    }
    if (r == Transfer::Eof && (!h.pidfd || sys::pidfd_send_signal(h.pidfd->get(), 0) != 0)) {
        return unexpected(std::errc::no_such_process);
    }
    return unexpected(std::errc::bad_address);
}

inline bool mem_range_ok(std::uint64_t off, std::size_t len) noexcept {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
    return off <= max && len <= max - off;
}

/// K1: one read or write of `len` bytes at a mem handle's offset, under its mem_mu: nothing
/// for 0 bytes, EFAULT for a range past off_t, else `transfer(offset)` moves all of them or
/// fails, and the offset moves past them. \returns `len`.
template <class Io>
Result<std::size_t> mem_at_offset(Handle& h, std::size_t len, Io transfer) {
    std::lock_guard<std::mutex> lk(h.mem_mu);
    if (len == 0) {
        return std::size_t{0};
    }
    if (!mem_range_ok(h.offset, len)) {
        return unexpected(std::errc::bad_address);
    }
    if (Result<void> r = transfer(h.offset); !r) {
        return unexpected_errno(r.error().value());
    }
    h.offset += len;
    return len;
}

} // namespace detail

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

namespace detail {

inline std::shared_ptr<Handle> find_handle(Shim& shim, int fd) {
    if (shim.foreign_process()) {
        return nullptr;
    }
    std::lock_guard<std::mutex> lk(shim.mutex());
    const auto it = shim.handles().find(fd);
    return it == shim.handles().end() ? nullptr : it->second;
}

/// G1 for a register handle (tracer thread, mutex held): a task sitting at a stop this
/// thread saw is there; any other is asked its pidfd (one poll(2), off the hot path).
inline bool gone(const Handle& h) {
    const Tracee* t = Shim::instance().find_tracee(h.tid);
    return !(t != nullptr && t->stopped) && sys::pidfd_exited(fd_of(h.pidfd), 0);
}

/// J4: runs `access(tid, tracee)`, which returns 0 or an errno, on the tracer thread with the
/// handle's task stopped (Shim::with_stopped). \errors ESRCH the task is gone (G1); the errno
/// `access` returned.
template <class Access>
Result<void> access_stopped(Shim& shim, Handle& h, Access access) {
    auto r = shim.call([&](Request& req) {
        if (gone(h)) {
            Shim::complete(req, ESRCH); // G1
            return true;
        }
        return shim.with_stopped(req, h.tid, fd_of(h.pidfd), access);
    });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return {};
}

/// J1/J4: reads one register set through the tracer thread.
template <class Regs, class Fetch>
Result<std::size_t> read_regs(Shim& shim, Handle& h, std::span<std::byte> buf, Fetch fetch) {
    Regs regs{};
    auto r = access_stopped(shim, h, [&](pid_t tid, Tracee* t) { return fetch(tid, t, regs); });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    const std::size_t n = std::min(buf.size(), sizeof(Regs));
    std::memcpy(buf.data(), &regs, n);
    return n;
}

/// J2/J4: writes one register set (whole structure only; shorter writes return 0).
template <class Regs, class Store>
Result<std::size_t> write_regs(Shim& shim, Handle& h, std::span<const std::byte> buf, Store store) {
    if (buf.size() < sizeof(Regs)) {
        return std::size_t{0};
    }
    Regs regs{};
    std::memcpy(&regs, buf.data(), sizeof regs);
    auto r = access_stopped(shim, h, [&](pid_t tid, Tracee* t) { return store(tid, t, regs); });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return sizeof(Regs);
}

inline int get_regs(pid_t tid, Tracee* t, user_regs_struct& out) noexcept {
    if (t != nullptr) {
        if (!Shim::instance().load_regs(*t)) {
            return errno;
        }
        out = t->regs;
        return 0;
    }
    return sys::ptrace_ptr(PTRACE_GETREGS, tid, 0, &out) == 0 ? 0 : errno;
}

inline int set_regs(pid_t tid, Tracee* t, const user_regs_struct& in) noexcept {
    if (sys::ptrace_ptr(PTRACE_SETREGS, tid, 0, &in) != 0) {
        return errno == EIO ? EINVAL : errno; // Linux refused a value (decision 9)
    }
    if (t != nullptr) {
        t->regs_valid = false; // Linux may have masked bits; read back lazily
        if (t->stop == StopKind::SyscallEntry) {
            t->entry_regs_written = true;
        }
    }
    return 0;
}

/// C1: copies whole events, oldest first; 0 when none or `len < 56`. Never blocks.
inline std::size_t read_events(Shim& shim, Session& s, std::span<std::byte> buf) {
    std::lock_guard<std::mutex> lk(shim.mutex());
    const std::size_t n = std::min(buf.size() / sizeof(PtraceEvent), s.queue.size());
    for (std::size_t i = 0; i < n; ++i) {
        const PtraceEvent ev = s.queue.front();
        s.queue.pop_front();
        std::memcpy(buf.data() + i * sizeof(PtraceEvent), &ev, sizeof ev);
        if (rules::cause_bits(ev) == PtraceFlags::EVENT_CLONE.bits()) {
            // F2: from now on the next write or the close releases this child.
            const auto tid = static_cast<pid_t>(ev.a);
            if (std::erase(s.unread_children, tid) != 0) {
                s.read_children.push_back(tid);
            }
        }
    }
    if (s.queue.empty() && !s.exited) {
        Shim::drain_ready(s); // C8: readable iff queued or exited
    }
    return n * sizeof(PtraceEvent);
}

/// G2: "ESRCH, then waitpid(pid)" must work at once. A child of ours becomes a waitable
/// zombie a moment after the tracer thread let it leave its EXIT stop; wait for that (bounded)
/// before reporting ESRCH. \returns ESRCH.
inline Result<std::size_t> await_reapable(Shim& shim, Session& s) {
    bool user_child = false;
    PidRef pidfd;
    {
        std::lock_guard<std::mutex> lk(shim.mutex());
        user_child = s.user_child;
        pidfd = s.pidfd;
    }
    if (user_child) {
        (void)sys::pidfd_exited(fd_of(pidfd), 2000);
    }
    return unexpected(std::errc::no_such_process);
}

/// M1: a nonblocking write (O_NONBLOCK, no FLAG_WAIT) from a thread other than the tracer
/// thread does not wait for the tracer thread: its result is decided here, under the mutex,
/// as write_op would decide it (B1, B2, B10), and write_op is queued to run next on the
/// tracer thread (F2 and the resume). Requests run in order, so any later call of the caller
/// sees the operation done. Many tracees polled by one thread are then served in parallel
/// with the stops instead of one round trip at a time. \returns nothing when the write must
/// take the synchronous path.
inline std::optional<Result<std::size_t>>
post_nonblocking_write(Shim& shim, const std::shared_ptr<Session>& session, std::size_t len,
                       std::uint64_t op) {
    Session& s = *session;
    if (Shim::on_tracer_thread() || (op & PtraceFlags::FLAG_WAIT.bits()) != 0) {
        return std::nullopt;
    }
    Result<std::size_t> result = std::size_t{8};
    {
        std::lock_guard<std::mutex> lk(shim.mutex());
        if ((s.oflags & O_NONBLOCK) == 0) {
            return std::nullopt;
        }
        if (len < 8) {
            result = std::size_t{0}; // B1
        } else if ((op & ~std::uint64_t{0xffff}) != 0) {
            result = unexpected(std::errc::invalid_argument); // B2
        } else if (s.tracee == nullptr || s.exited) {
            return std::nullopt; // B10: ESRCH, after the G2 wait of the synchronous path
        }
    }
    // Queued whatever the result: F2 releases children even for a short or invalid write.
    // The request owns a reference: a close from another thread may drop the handle first.
    shim.post(
        [&shim, session, len, op](Request& req) { return shim.write_op(req, *session, len, op); });
    return result;
}

/// B6/B7: the wait of a blocking write. On the tracer thread (a job) it serves the stops
/// itself; elsewhere it sleeps until the tracer thread reports one.
inline Result<std::size_t> wait_for_stop(Shim& shim, Session& s) {
    auto over = [&s] {
        // Unread events return at once (B7); so does a handle closed meanwhile.
        return (s.bp && s.reached) || !s.queue.empty() || s.exited || s.closed || s.error != 0;
    };
    auto idle = [&shim, &s] {
        // Fallbacks: the session's tracee vanished without an EXIT event stop (spec 3.D7; the
        // wait that came back empty has swept every record already), and a stop another waiter
        // of this process took (spec 3.1, "User waitpid interference").
        if (s.tracee != nullptr && sys::pidfd_exited(fd_of(s.pidfd), 0)) {
            shim.vanished(*s.tracee);
        } else {
            shim.check_stolen(s);
        }
    };
    std::unique_lock<std::mutex> lk(shim.mutex());
    shim.await(lk, s.cv, over, idle);
    if (const int err = std::exchange(s.error, 0); err != 0) {
        return unexpected_errno(err);
    }
    const bool exited = s.exited && !(s.bp && s.reached) && s.queue.empty();
    lk.unlock();
    if (exited) {
        return await_reapable(shim, s);
    }
    return std::size_t{8};
}

} // namespace detail

/// Reads events (trace, C1), registers (regs/*, J1, J4) or memory (mem, K1).
/// \errors EBADF unknown fd; ESRCH tracee gone (regs, mem once reaped); EFAULT unmapped.
inline Result<std::size_t> read(int fd, std::span<std::byte> buf) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    switch (h->kind) {
    case detail::HandleKind::Trace:
        return detail::read_events(shim, *h->session, buf);
    case detail::HandleKind::RegsInt:
        return detail::read_regs<IntRegisters>(
            shim, *h, buf, [](pid_t tid, detail::Tracee* t, IntRegisters& out) {
                user_regs_struct r{};
                if (const int err = detail::get_regs(tid, t, r); err != 0) {
                    return err;
                }
                out = to_int_registers(r, Shim::rax_meaning(t));
                return 0;
            });
    case detail::HandleKind::RegsFloat:
        return detail::read_regs<FloatRegisters>(
            shim, *h, buf, [](pid_t tid, detail::Tracee*, FloatRegisters& out) {
                user_fpregs_struct f{};
                if (sys::ptrace_ptr(PTRACE_GETFPREGS, tid, 0, &f) != 0) {
                    return errno;
                }
                out = to_float_registers(f);
                return 0;
            });
    case detail::HandleKind::RegsEnv:
        return detail::read_regs<EnvRegisters>(
            shim, *h, buf, [](pid_t tid, detail::Tracee* t, EnvRegisters& out) {
                user_regs_struct r{};
                if (const int err = detail::get_regs(tid, t, r); err != 0) {
                    return err;
                }
                out = to_env_registers(r);
                return 0;
            });
    case detail::HandleKind::Mem:
        return detail::mem_at_offset(*h, buf.size(), [&](std::uint64_t off) {
            return detail::mem_read_at(*h, buf.data(), buf.size(), off);
        });
    }
    return unexpected(std::errc::bad_file_descriptor);
}

/// Writes a ptrace operation (trace: B1-B11), registers (J2, J4) or memory (K1, K2).
/// \returns 8 for a successful operation (decision 2), 0 for fewer than 8 bytes (B1).
/// \errors EBADF; EINVAL reserved bits (B2); ESRCH tracee gone (B10, G1); EFAULT unmapped.
inline Result<std::size_t> write(int fd, std::span<const std::byte> buf) {
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
        return detail::write_regs<IntRegisters>(
            shim, *h, buf, [](pid_t tid, detail::Tracee* t, const IntRegisters& in) {
                user_regs_struct r{};
                if (const int err = detail::get_regs(tid, t, r); err != 0) {
                    return err;
                }
                merge_int_registers(r, in, Shim::rax_meaning(t));
                return detail::set_regs(tid, t, r);
            });
    case detail::HandleKind::RegsFloat:
        return detail::write_regs<FloatRegisters>(
            shim, *h, buf, [](pid_t tid, detail::Tracee*, const FloatRegisters& in) {
                user_fpregs_struct f{};
                if (sys::ptrace_ptr(PTRACE_GETFPREGS, tid, 0, &f) != 0) {
                    return errno;
                }
                merge_float_registers(f, in);
                return sys::ptrace_ptr(PTRACE_SETFPREGS, tid, 0, &f) == 0 ? 0 : errno;
            });
    case detail::HandleKind::RegsEnv:
        return detail::write_regs<EnvRegisters>(
            shim, *h, buf, [](pid_t tid, detail::Tracee* t, const EnvRegisters& in) {
                user_regs_struct r{};
                if (const int err = detail::get_regs(tid, t, r); err != 0) {
                    return err;
                }
                merge_env_registers(r, in);
                return detail::set_regs(tid, t, r);
            });
    case detail::HandleKind::Mem:
        return detail::mem_at_offset(*h, buf.size(), [&](std::uint64_t off) -> Result<void> {
            // K1: check that the whole range is mapped first, so a fault transfers nothing.
            std::vector<std::byte> probe(buf.size());
            if (auto r = detail::mem_read_at(*h, probe.data(), probe.size(), off); !r) {
                return r;
            }
            // K2: /proc/<tid>/mem writes through read-only mappings (FOLL_FORCE).
            const auto res = detail::transfer_all(
                [&](std::size_t done, std::size_t left, off_t at) {
                    return ::pwrite(h->memfd.get(), buf.data() + done, left, at);
                },
                buf.size(), off);
            if (res != detail::Transfer::Full) {
                return unexpected(std::errc::bad_address);
            }
            return {};
        });
    }
    return unexpected(std::errc::bad_file_descriptor);
}

/// K1: moves a mem handle's offset (a tracee virtual address). SEEK_CUR clamps at 0,
/// SEEK_END counts from isize::MAX. \errors EBADF other handles or whence.
inline Result<std::uint64_t> lseek(int fd, std::int64_t off, int whence) {
    Shim& shim = Shim::instance();
    const auto h = detail::find_handle(shim, fd);
    if (!h || h->kind != detail::HandleKind::Mem) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    std::lock_guard<std::mutex> lk(h->mem_mu);
    constexpr auto imax = std::numeric_limits<std::int64_t>::max();
    auto clamp_add = [](std::int64_t base, std::int64_t delta) {
        if (delta > 0 && base > imax - delta) {
            return imax;
        }
        return std::max<std::int64_t>(0, base + delta);
    };
    switch (whence) {
    case SEEK_SET:
        h->offset = static_cast<std::uint64_t>(off); // Redox: `offset as usize`
        break;
    case SEEK_CUR: {
        const auto cur = h->offset > static_cast<std::uint64_t>(imax)
                             ? imax
                             : static_cast<std::int64_t>(h->offset);
        h->offset = static_cast<std::uint64_t>(clamp_add(cur, off));
        break;
    }
    case SEEK_END:
        h->offset = static_cast<std::uint64_t>(clamp_add(imax, off));
        break;
    default:
        return unexpected(std::errc::bad_file_descriptor);
    }
    return h->offset;
}

/// A7: F_GETFL/F_SETFL keep the handle's flag word (F_SETFL replaces it whole, so dropping
/// O_EXCL disables kill-on-close); F_GETFD/F_SETFD act on the fd; others are EINVAL.
inline Result<int> fcntl(int fd, int cmd, int arg = 0) {
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
