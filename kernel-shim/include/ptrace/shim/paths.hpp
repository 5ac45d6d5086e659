// SPDX-License-Identifier: MIT
// Handle paths (A1) and the access check of an open (A2, A3, decision 16): the one table of
// handle kinds and the parser of `proc:<tid>/<kind>` (its builder is in handle_path.hpp).
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/handle_path.hpp>
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

/// A handle kind and its path component, as in `proc:<tid>/<kind>` (A1).
struct KindName {
    HandleKind kind;
    std::string_view name;
};

/// Every handle kind: the one table that paths are parsed with and printed from.
inline constexpr std::array<KindName, 8> kind_names{{
    {HandleKind::Trace, "trace"},
    {HandleKind::RegsInt, "regs/int"},
    {HandleKind::RegsFloat, "regs/float"},
    {HandleKind::RegsEnv, "regs/env"},
    {HandleKind::Mem, "mem"},
    {HandleKind::Syscalls, "syscalls"},      // issue 12: the syscall set (syscalls_io.hpp)
    {HandleKind::RegsXState, "regs/xstate"}, // issue 13: the XSAVE area (xstate_io.hpp)
    {HandleKind::RegsDebug, "regs/debug"},   // issue 13: DR0-DR7 (debugregs_io.hpp)
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

} // namespace detail

} // namespace ptrace_api::shim
