// SPDX-License-Identifier: MIT
// The `proc:<pid>/syscalls` handle (issue 12): read and write the syscall set of a task this
// process traces, a 64-byte bitmap (SyscallSet), and ask how it is applied. io.hpp's read and
// write hand this kind of handle here.
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/shim/tracer.hpp>
#include <ptrace/syscall_set.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>

namespace ptrace_api::shim {

namespace detail {

/// Reads the set: min(len, 64) bytes of the bitmap (all zero: no set, every syscall stops).
/// \errors EPERM the task is not traced by this process (no set to read).
inline Result<std::size_t> read_syscalls(Shim& shim, const Handle& h, std::span<std::byte> buf) {
    std::lock_guard<std::mutex> lk(shim.mutex());
    const Tracee* t = shim.find_tracee(h.tid);
    if (t == nullptr) {
        return unexpected(std::errc::operation_not_permitted);
    }
    const auto bytes = t->syscalls.to_bytes();
    return sys::read_prefix(buf, std::span<const std::byte>(bytes.data(), bytes.size()));
}

/// Replaces the set with the 64-byte bitmap in `buf` (all zero: every syscall stops again).
/// \returns 64. \errors EINVAL any other size; EPERM the task is not traced by this process.
inline Result<std::size_t> write_syscalls(Shim& shim, const Handle& h,
                                          std::span<const std::byte> buf) {
    const auto set = SyscallSet::from_bytes(buf);
    if (!set) {
        return Unexpected(set.error());
    }
    const pid_t tid = h.tid;
    auto r = shim.call([&](Request& req) { return shim.set_syscalls(req, tid, *set); });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return SyscallSet::byte_size;
}

/// The handle behind `fd` when it is a syscalls handle.
inline std::shared_ptr<Handle> find_syscalls_handle(Shim& shim, int fd) {
    if (shim.foreign_process()) {
        return nullptr;
    }
    std::lock_guard<std::mutex> lk(shim.mutex());
    const auto it = shim.handles().find(fd);
    if (it == shim.handles().end() || it->second->kind != HandleKind::Syscalls) {
        return nullptr;
    }
    return it->second;
}

/// Tells the shim that the task of the syscalls handle `fd` carries a seccomp filter compiled
/// from `set` (filter::build_program), or none (`set` empty) with `error` the errno of the
/// install that failed. Called by spawn() while the tracee is stopped, before the filter can
/// act (kernel-shim/README.md, "Syscall filter"). \errors EBADF; EPERM not traced here.
inline Result<void> set_kernel_filter(int fd, const std::optional<SyscallSet>& set, int error) {
    Shim& shim = Shim::instance();
    const auto h = find_syscalls_handle(shim, fd);
    if (!h) {
        return unexpected(std::errc::bad_file_descriptor);
    }
    const pid_t tid = h->tid;
    auto r = shim.call([&](Request& req) { return shim.set_kernel_filter(req, tid, set, error); });
    if (!r) {
        return unexpected_errno(r.error().value());
    }
    return {};
}

} // namespace detail

} // namespace ptrace_api::shim
