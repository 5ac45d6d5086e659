// SPDX-License-Identifier: MIT
// The steps of the shim's read, write, lseek and fcntl on every kind of handle (the calls are
// in impl/api.ipp): events (C1-C8), writes (B1-B11), registers at a stop (J1-J4, their Linux
// calls through the Backend) and memory (K1-K4, memory_io.hpp).
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/convert.hpp>
#include <ptrace/shim/events.hpp>
#include <ptrace/shim/memory_io.hpp>
#include <ptrace/shim/paths.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/syscalls_io.hpp>
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
inline bool gone(Tracees& core, const Handle& h) {
    const Tracee* t = core.find_tracee(h.tid);
    return !(t != nullptr && t->stopped()) && core.backend().pidfd_exited(fd_of(h.pidfd), 0);
}

/// J1/J4: runs `access(tid, tracee)`, which returns 0 or an errno, on the tracer thread with the
/// handle's task stopped (Requests::with_stopped: at its stop, after an INTERRUPT while it
/// runs, or under a temporary seize). `core` is the Shim, or in the tests a Requests whose
/// `call` runs the request and feeds it scripted stops. \errors ESRCH the task is gone (G1);
/// the errno `access` returned.
template <class Core, class Access>
Result<void> access_stopped(Core& core, Handle& h, Access access) {
    auto r = core.call([&](Request& req) {
        if (gone(core, h)) {
            Tracees::complete(req, ESRCH); // G1
            return true;
        }
        return core.with_stopped(req, h.tid, fd_of(h.pidfd), access);
    });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return {};
}

/// K1/K2: the write(2) of a mem handle: `buf.size()` bytes at its offset, all or nothing, and
/// the offset moves past them. Through /proc/<tid>/mem (memory_io.hpp mem_write_at), with no
/// stop (K3); only where Linux refused the forced write to a read-only page does the rest go
/// through PTRACE_POKEDATA (poke_range) on the tracer thread with the task stopped
/// (access_stopped). That call is made with `mem_mu` released: the tracer thread takes it to
/// re-key the handle after an exec. The write then counts from the offset it started at. When
/// the fallback fails, the bytes /proc/<tid>/mem did write are written back (K1).
/// \errors EFAULT a page of the range is unmapped; ESRCH the task is gone (G1); the errno of a
/// task that cannot be stopped for the fallback (A8: EBUSY when another tracer has it).
template <class Core>
Result<std::size_t> mem_write(Core& core, Handle& h, std::span<const std::byte> buf) {
    Backend& be = core.backend();
    const std::size_t len = buf.size();
    std::unique_lock<std::mutex> lk(h.mem_mu);
    if (len == 0) {
        return std::size_t{0};
    }
    const std::uint64_t off = h.offset;
    if (!mem_range_ok(off, len)) {
        return unexpected(std::errc::bad_address);
    }
    std::vector<std::byte> before;
    MemWrite w = mem_write_at(be, h, buf.data(), len, off, before);
    if (w.refused) {
        lk.unlock();
        const std::size_t done = w.written;
        w.result = access_stopped(core, h, [&](pid_t tid, Tracee*) {
            return poke_range(be, tid, buf.data() + done, len - done, off + done);
        });
        lk.lock();
        if (!w.result && done != 0) {
            (void)be.pwrite(h.memfd.get(), before.data(), done, static_cast<off_t>(off));
        }
    }
    if (!w.result) {
        return unexpected_errno(w.result.error().value());
    }
    h.offset = off + len;
    return len;
}

/// J1/J4: reads one register set through the tracer thread: min(len, its size) bytes.
template <class Regs, class Core, class Fetch>
Result<std::size_t> read_regs(Core& core, Handle& h, std::span<std::byte> buf, Fetch fetch) {
    Regs regs{};
    auto r = access_stopped(core, h, [&](pid_t tid, Tracee* t) { return fetch(tid, t, regs); });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return sys::read_prefix(buf, std::as_bytes(std::span(&regs, 1)));
}

/// J2/J4: writes one register set (whole structure only; shorter writes return 0 and touch
/// nothing).
template <class Regs, class Core, class Store>
Result<std::size_t> write_regs(Core& core, Handle& h, std::span<const std::byte> buf, Store store) {
    if (buf.size() < sizeof(Regs)) {
        return std::size_t{0};
    }
    Regs regs{};
    std::memcpy(&regs, buf.data(), sizeof regs);
    auto r = access_stopped(core, h, [&](pid_t tid, Tracee* t) { return store(tid, t, regs); });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return sizeof(Regs);
}

/// GETREGS of the stopped `tid`: the stop's cached copy for a task traced here (`t`), else
/// one call. \returns 0 or an errno.
inline int get_regs(Tracees& core, pid_t tid, Tracee* t, user_regs_struct& out) noexcept {
    if (t != nullptr) {
        const user_regs_struct* regs = core.load_regs(*t);
        if (regs == nullptr) {
            return errno;
        }
        out = *regs;
        return 0;
    }
    return core.backend().ptrace_ptr(PTRACE_GETREGS, tid, 0, &out) == 0 ? 0 : errno;
}

/// SETREGS of the stopped `tid`; the cached copy is dropped (Linux may have masked bits), and
/// a write at a syscall-entry stop is remembered (D1). \returns 0 or an errno (EIO, Linux
/// refusing a value, as EINVAL: decision 9).
inline int set_regs(Tracees& core, pid_t tid, Tracee* t, const user_regs_struct& in) noexcept {
    if (core.backend().ptrace_ptr(PTRACE_SETREGS, tid, 0, &in) != 0) {
        return errno == EIO ? EINVAL : errno; // Linux refused a value (decision 9)
    }
    if (t != nullptr) {
        t->regs.reset(); // Linux may have masked bits; read back lazily
        if (t->stop == StopKind::SyscallEntry) {
            t->entry_regs_written = true;
        }
    }
    return 0;
}

/// J1/J3: the Redox IntRegisters of the stopped `tid` (rax = the syscall number at a
/// syscall-entry stop, decision 7).
inline int get_int_registers(Tracees& core, pid_t tid, Tracee* t, IntRegisters& out) noexcept {
    user_regs_struct r{};
    if (const int err = get_regs(core, tid, t, r); err != 0) {
        return err;
    }
    out = to_int_registers(r, Tracees::rax_meaning(t));
    return 0;
}

/// J2/J3/decision 9: GETREGS, `in` merged over it, SETREGS.
inline int set_int_registers(Tracees& core, pid_t tid, Tracee* t, const IntRegisters& in) noexcept {
    user_regs_struct r{};
    if (const int err = get_regs(core, tid, t, r); err != 0) {
        return err;
    }
    merge_int_registers(r, in, Tracees::rax_meaning(t));
    return set_regs(core, tid, t, r);
}

/// J4: the first 416 bytes of GETFPREGS.
inline int get_float_registers(Backend& be, pid_t tid, FloatRegisters& out) noexcept {
    user_fpregs_struct f{};
    if (be.ptrace_ptr(PTRACE_GETFPREGS, tid, 0, &f) != 0) {
        return errno;
    }
    out = to_float_registers(f);
    return 0;
}

/// J4: GETFPREGS, the first 416 bytes replaced (reserved mxcsr bits cleared), SETFPREGS.
inline int set_float_registers(Backend& be, pid_t tid, const FloatRegisters& in) noexcept {
    user_fpregs_struct f{};
    if (be.ptrace_ptr(PTRACE_GETFPREGS, tid, 0, &f) != 0) {
        return errno;
    }
    merge_float_registers(f, in);
    return be.ptrace_ptr(PTRACE_SETFPREGS, tid, 0, &f) == 0 ? 0 : errno;
}

/// regs/env: fs_base and gs_base of the stopped `tid`.
inline int get_env_registers(Tracees& core, pid_t tid, Tracee* t, EnvRegisters& out) noexcept {
    user_regs_struct r{};
    if (const int err = get_regs(core, tid, t, r); err != 0) {
        return err;
    }
    out = to_env_registers(r);
    return 0;
}

inline int set_env_registers(Tracees& core, pid_t tid, Tracee* t, const EnvRegisters& in) noexcept {
    user_regs_struct r{};
    if (const int err = get_regs(core, tid, t, r); err != 0) {
        return err;
    }
    merge_env_registers(r, in);
    return set_regs(core, tid, t, r);
}

/// The read(2) and write(2) of the regs/int, regs/float and regs/env handles.
template <class Core>
Result<std::size_t> read_int_regs(Core& core, Handle& h, std::span<std::byte> buf) {
    return read_regs<IntRegisters>(core, h, buf, [&core](pid_t tid, Tracee* t, IntRegisters& out) {
        return get_int_registers(core, tid, t, out);
    });
}

template <class Core>
Result<std::size_t> write_int_regs(Core& core, Handle& h, std::span<const std::byte> buf) {
    return write_regs<IntRegisters>(core, h, buf,
                                    [&core](pid_t tid, Tracee* t, const IntRegisters& in) {
                                        return set_int_registers(core, tid, t, in);
                                    });
}

template <class Core>
Result<std::size_t> read_float_regs(Core& core, Handle& h, std::span<std::byte> buf) {
    return read_regs<FloatRegisters>(core, h, buf,
                                     [&core](pid_t tid, Tracee*, FloatRegisters& out) {
                                         return get_float_registers(core.backend(), tid, out);
                                     });
}

template <class Core>
Result<std::size_t> write_float_regs(Core& core, Handle& h, std::span<const std::byte> buf) {
    return write_regs<FloatRegisters>(core, h, buf,
                                      [&core](pid_t tid, Tracee*, const FloatRegisters& in) {
                                          return set_float_registers(core.backend(), tid, in);
                                      });
}

template <class Core>
Result<std::size_t> read_env_regs(Core& core, Handle& h, std::span<std::byte> buf) {
    return read_regs<EnvRegisters>(core, h, buf, [&core](pid_t tid, Tracee* t, EnvRegisters& out) {
        return get_env_registers(core, tid, t, out);
    });
}

template <class Core>
Result<std::size_t> write_env_regs(Core& core, Handle& h, std::span<const std::byte> buf) {
    return write_regs<EnvRegisters>(core, h, buf,
                                    [&core](pid_t tid, Tracee* t, const EnvRegisters& in) {
                                        return set_env_registers(core, tid, t, in);
                                    });
}

/// Decision 27: why the siginfo of `h`'s task (`t`, as the tracer thread knows it) can be
/// neither read nor written now: ESRCH it is gone (G1); EPERM this process does not trace it;
/// ENODATA it is not held at a SIGNAL, BREAKPOINT or SINGLESTEP stop. 0 when it can. Tracer
/// thread.
template <class Core>
int siginfo_refusal(Core& core, const Handle& h, const Tracee* t) {
    if (gone(core, h)) {
        return ESRCH;
    }
    if (t == nullptr) {
        return EPERM;
    }
    if (t->run != Run::Held || (t->stop != StopKind::Signal && t->stop != StopKind::Breakpoint &&
                                t->stop != StopKind::Step)) {
        return ENODATA;
    }
    return 0;
}

/// Decision 27: the read(2) of a siginfo handle, min(len, 128) bytes of the siginfo of the
/// signal its task is held at: a reached SIGNAL breakpoint (the signal the next resume
/// delivers), or a BREAKPOINT or SINGLESTEP one (the SIGTRAP the CPU raised for the int3 or
/// the step). PTRACE_GETSIGINFO on the tracer thread. Never stops a running task: a siginfo
/// exists only at a signal-delivery-stop. \errors ESRCH the task is gone (G1); EPERM this
/// process does not trace it; ENODATA it is not held at one of those stops (running, at a
/// freeze, or at a syscall, exit or exec stop, whose SIGTRAP is how ptrace stops a tracee, not
/// a signal of the program's).
template <class Core>
Result<std::size_t> read_siginfo(Core& core, const Handle& h, std::span<std::byte> buf) {
    siginfo_t info{};
    static_assert(sizeof info == 128);
    auto r = core.call([&](Request& req) {
        if (const int refused = siginfo_refusal(core, h, core.find_tracee(h.tid))) {
            Tracees::complete(req, refused);
        } else {
            const bool ok = core.backend().ptrace_ptr(PTRACE_GETSIGINFO, h.tid, 0, &info) == 0;
            Tracees::complete(req, ok ? 0 : errno);
        }
        return true;
    });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return sys::read_prefix(buf, std::as_bytes(std::span(&info, 1)));
}

/// Decision 27: the write(2) of a siginfo handle, the whole 128-byte record, replaces the siginfo
/// of the signal its task is held at (at the same stops as read_siginfo) and makes its si_signo
/// the held signal: the next resume without IGNORE delivers that signal with that record (E2),
/// also from a BREAKPOINT or SINGLESTEP stop (rules::resume_signal), as a debugger puts back a
/// signal it saved before running code in the tracee (gdb's `call` at a signal stop).
/// PTRACE_SETSIGINFO on the tracer thread. \errors EINVAL not exactly 128 bytes, or a si_signo
/// outside 1-64; ESRCH, EPERM and ENODATA as read_siginfo.
template <class Core>
Result<std::size_t> write_siginfo(Core& core, const Handle& h, std::span<const std::byte> buf) {
    siginfo_t info{};
    static_assert(sizeof info == 128);
    if (buf.size() != sizeof info) {
        return unexpected(std::errc::invalid_argument);
    }
    std::memcpy(&info, buf.data(), sizeof info);
    if (info.si_signo < 1 || info.si_signo > 64) {
        return unexpected(std::errc::invalid_argument);
    }
    auto r = core.call([&](Request& req) {
        Tracee* t = core.find_tracee(h.tid);
        if (const int refused = siginfo_refusal(core, h, t)) {
            Tracees::complete(req, refused);
        } else if (core.backend().ptrace_ptr(PTRACE_SETSIGINFO, h.tid, 0, &info) != 0) {
            Tracees::complete(req, errno);
        } else {
            t->stop_sig = info.si_signo;
            Tracees::complete(req, 0);
        }
        return true;
    });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return buf.size();
}

/// C1/C2/F2 (events.hpp take_events), then C8: the eventfd is drained once the read left the
/// handle unreadable (an empty queue, a live tracee).
inline std::size_t read_events(Shim& shim, Session& s, std::span<std::byte> buf) {
    std::lock_guard<std::mutex> lk(shim.mutex());
    const TakenEvents taken = take_events(s, buf);
    if (!taken.still_readable) {
        Shim::drain_ready(s); // C8: readable iff queued or exited
    }
    return taken.bytes;
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

/// M1: a nonblocking write (O_NONBLOCK, no FLAG_WAIT) to a stopped tracee from a thread other
/// than the tracer thread does not wait for the tracer thread: its result is decided here,
/// under the mutex, as write_op would decide it (B1, B2, B10), and write_op is queued to run
/// next on the tracer thread (F2 and the resume). Requests run in order, so any later call of the
/// caller sees the operation done. Many tracees polled by one thread are then served in parallel
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
        } else if (!s.tracee->stopped()) {
            // B11: a tracee that is not held in a stop can reach its next one at any moment,
            // also one the caller provokes as soon as this returns (a pipe it writes, a
            // signal): the new breakpoint must be in place first, so the write waits for the
            // tracer thread. A stopped tracee moves only when write_op resumes it.
            return std::nullopt;
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
    // Unread events return at once (B7); so does a handle closed meanwhile (events.hpp).
    auto over = [&s] { return write_wait_over(s); };
    auto idle = [&shim, &s] {
        // Fallbacks: the session's tracee vanished without an EXIT event stop (spec 3.D7; the
        // wait that came back empty has swept every record already), and a stop another waiter
        // of this process took (spec 3.1, "User waitpid interference").
        if (s.tracee != nullptr && sys::pidfd_exited(fd_of(s.pidfd), 0) &&
            !shim.may_be_taking_over_leader(*s.tracee)) {
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
    const bool exited = write_wait_exited(s);
    lk.unlock();
    if (exited) {
        return await_reapable(shim, s);
    }
    return std::size_t{8};
}

} // namespace detail

} // namespace ptrace_api::shim
