// SPDX-License-Identifier: MIT
// The mem handle's I/O (K1-K4): /proc/<tid>/mem, process_vm_readv for large reads, the
// reopen after an exec, and the offset bookkeeping shared by read, write and lseek. Every
// Linux call goes through the Backend (tests/shim/registers_memory_test.cpp drives these
// with a scripted one).
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/backend.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>

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

/// /proc/<tid>/mem through the backend: the fd, or an invalid one with errno set.
inline sys::UniqueFd<> open_mem(Backend& be, pid_t tid) noexcept {
    return sys::UniqueFd<>(be.open_mem(tid));
}

enum class Transfer : std::uint8_t { Full, Fault, Eof };

/// Transfers exactly `len` bytes at `off` or reports why not (K1: all or nothing); `moved`,
/// when given, receives the bytes moved before a fault.
template <class Fn>
Transfer transfer_all(Fn io, std::size_t len, std::uint64_t off,
                      std::size_t* moved = nullptr) noexcept {
    std::size_t done = 0;
    while (done < len) {
        if (moved != nullptr) {
            *moved = done;
        }
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
inline bool vm_read_all(Backend& be, const Handle& h, std::byte* out, std::size_t len,
                        std::uint64_t off) {
    const ssize_t n = be.process_vm_readv(h.tid, out, len, off);
    return n == static_cast<ssize_t>(len) && h.pidfd &&
           be.pidfd_send_signal(h.pidfd->get(), 0) == 0;
}

/// Opens /proc/<tid>/mem again for the task the handle names (K4), never for another task
/// that got its pid after it was reaped: the pidfd is asked after the open, and a task alive
/// then was alive at the open, so the file belongs to it. \returns false when the task is
/// gone (or the handle has no pidfd to tell), leaving the old fd in place.
inline bool reopen_mem(Backend& be, Handle& h) {
    if (!h.pidfd) {
        return false;
    }
    sys::UniqueFd<> fresh = open_mem(be, h.tid);
    if (!fresh.valid()) {
        return false;
    }
    if (be.pidfd_send_signal(h.pidfd->get(), 0) != 0) {
        return false;
    }
    h.memfd = std::move(fresh);
    return true;
}

/// Reads the tracee's memory. After an exec the handle reopens /proc/<tid>/mem: at once when
/// the tracer thread saw the exec (mem_stale), else when the old fd reads EOF (its address
/// space is gone). A task that is gone maps to EFAULT (zombie) or ESRCH (reaped), G1.
/// \pre h.mem_mu is held.
inline Result<void> mem_read_at(Backend& be, Handle& h, std::byte* out, std::size_t len,
                                std::uint64_t off) {
    if (h.mem_stale.exchange(false)) {
        (void)reopen_mem(be, h);
    }
    if (len >= vm_readv_threshold && vm_read_all(be, h, out, len, off)) {
        return {};
    }
    auto io = [&](std::size_t done, std::size_t left, off_t at) {
        return be.pread(h.memfd.get(), out + done, left, at);
    };
    Transfer r = transfer_all(io, len, off);
    if (r == Transfer::Eof && reopen_mem(be, h)) {
        r = transfer_all(io, len, off);
    }
    if (r == Transfer::Full) {
        return {};
    }
    if (r == Transfer::Eof && (!h.pidfd || be.pidfd_send_signal(h.pidfd->get(), 0) != 0)) {
        return unexpected(std::errc::no_such_process);
    }
    return unexpected(std::errc::bad_address);
}

/// How mem_write_at ended: done, failed, or K2's forced write refused after `written` bytes
/// (the rest is for PTRACE_POKEDATA, poke_range).
struct MemWrite {
    Result<void> result;
    bool refused = false;
    std::size_t written = 0;
};

/// Writes the tracee's memory: K1 first reads the whole range into `before` (so that a fault
/// transfers nothing, and so that a stale fd is reopened as for a read), then K2 writes it
/// through /proc/<tid>/mem, which writes through read-only mappings (FOLL_FORCE). Where Linux
/// refuses the force (`proc_mem.force_override=never`, or `=ptrace` and this thread is not the
/// tracer thread) the write to a read-only page fails with EIO (a short count first when
/// writable bytes precede it), exactly as at an unmapped page: the read that succeeded tells
/// the two apart, and the write is reported `refused`. \pre h.mem_mu is held.
inline MemWrite mem_write_at(Backend& be, Handle& h, const std::byte* in, std::size_t len,
                             std::uint64_t off, std::vector<std::byte>& before) {
    before.resize(len);
    if (auto r = mem_read_at(be, h, before.data(), before.size(), off); !r) {
        return {r};
    }
    std::size_t written = 0;
    const auto res =
        transfer_all([&](std::size_t done, std::size_t left,
                         off_t at) { return be.pwrite(h.memfd.get(), in + done, left, at); },
                     len, off, &written);
    if (res == Transfer::Fault) {
        return {unexpected(std::errc::bad_address), true, written};
    }
    if (res != Transfer::Full) {
        return {unexpected(std::errc::bad_address)};
    }
    return {};
}

/// PTRACE_PEEKDATA and POKEDATA move one word; x86_64 pages are 4 KiB (or larger, which only
/// makes the page walk below ask more often than it must).
inline constexpr std::uint64_t mem_word = sizeof(long);
inline constexpr std::uint64_t mem_page = 4096;

/// The errno of a failed PEEKDATA or POKEDATA as the mem handle reports it: EIO (an unmapped
/// word) is EFAULT (K1), ESRCH (the task left its stop or died) stays (G1).
inline int poke_errno(int err) noexcept {
    return err == EIO ? EFAULT : err;
}

/// K2's fallback where Linux refuses forced writes through /proc/<tid>/mem: `len` bytes at
/// `off` with PTRACE_POKEDATA, which writes through read-only pages for the tracer. Runs on
/// the tracer thread with `tid` in a ptrace-stop. K1 first: one PEEKDATA in every page of the
/// range, so that an unmapped page fails the write before any word is poked; a word only
/// partly inside the range is read at the stop, merged and poked whole.
/// \returns 0, EFAULT (a page of the range is unmapped), ESRCH or another ptrace errno.
inline int poke_range(Backend& be, pid_t tid, const std::byte* in, std::size_t len,
                      std::uint64_t off) noexcept {
    const std::uint64_t first = off & ~(mem_word - 1);
    const std::uint64_t end = off + len; // mem_range_ok: below 2^63
    long word = 0;
    for (std::uint64_t at = first; at < end; at = (at | (mem_page - 1)) + 1) {
        if (be.ptrace_ptr(PTRACE_PEEKDATA, tid, at, &word) != 0) {
            return poke_errno(errno);
        }
    }
    for (std::uint64_t at = first; at < end; at += mem_word) {
        const std::uint64_t lo = std::max(at, off);
        const std::uint64_t hi = std::min(at + mem_word, end);
        word = 0;
        if ((lo != at || hi != at + mem_word) &&
            be.ptrace_ptr(PTRACE_PEEKDATA, tid, at, &word) != 0) {
            return poke_errno(errno);
        }
        std::memcpy(reinterpret_cast<std::byte*>(&word) + (lo - at), in + (lo - off), hi - lo);
        if (be.ptrace(PTRACE_POKEDATA, tid, at, static_cast<std::uintptr_t>(word)) != 0) {
            return poke_errno(errno);
        }
    }
    return 0;
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

/// The read(2) of a mem handle: `buf.size()` bytes at its offset, all or nothing
/// (mem_at_offset; the write(2) is io.hpp's mem_write). \returns the length.
inline Result<std::size_t> mem_read(Backend& be, Handle& h, std::span<std::byte> buf) {
    return mem_at_offset(h, buf.size(), [&](std::uint64_t off) {
        return mem_read_at(be, h, buf.data(), buf.size(), off);
    });
}

/// K1's lseek of a mem handle: SEEK_SET sets the offset to `off` taken as unsigned (Redox:
/// `offset as usize`), SEEK_CUR adds to it (clamped at 0 and at INT64_MAX), SEEK_END counts
/// from INT64_MAX (the size is "isize::MAX"); another whence is EBADF. \returns the offset.
inline Result<std::uint64_t> mem_seek(Handle& h, std::int64_t off, int whence) {
    std::lock_guard<std::mutex> lk(h.mem_mu);
    constexpr auto imax = std::numeric_limits<std::int64_t>::max();
    auto clamp_add = [](std::int64_t base, std::int64_t delta) {
        if (delta > 0 && base > imax - delta) {
            return imax;
        }
        return std::max<std::int64_t>(0, base + delta);
    };
    switch (whence) {
    case SEEK_SET:
        h.offset = static_cast<std::uint64_t>(off); // Redox: `offset as usize`
        break;
    case SEEK_CUR: {
        const auto cur = h.offset > static_cast<std::uint64_t>(imax)
                             ? imax
                             : static_cast<std::int64_t>(h.offset);
        h.offset = static_cast<std::uint64_t>(clamp_add(cur, off));
        break;
    }
    case SEEK_END:
        h.offset = static_cast<std::uint64_t>(clamp_add(imax, off));
        break;
    default:
        return unexpected(std::errc::bad_file_descriptor);
    }
    return h.offset;
}

} // namespace detail

} // namespace ptrace_api::shim
