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
#include <sys/stat.h>
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
inline constexpr std::array<KindName, 9> kind_names{{
    {HandleKind::Trace, "trace"},
    {HandleKind::RegsInt, "regs/int"},
    {HandleKind::RegsFloat, "regs/float"},
    {HandleKind::RegsEnv, "regs/env"},
    {HandleKind::Mem, "mem"},
    {HandleKind::Syscalls, "syscalls"},      // issue 12: the syscall set (syscalls_io.hpp)
    {HandleKind::RegsXState, "regs/xstate"}, // issue 13: the XSAVE area (xstate_io.hpp)
    {HandleKind::RegsDebug, "regs/debug"},   // issue 13: DR0-DR7 (debugregs_io.hpp)
    {HandleKind::Siginfo, "siginfo"},        // decision 27: the held signal's siginfo
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

/// The message of the last failed open, dup or inject_syscall of the calling thread (api.hpp
/// last_error_message): set by the call that fails, cleared by the one that succeeds.
inline std::string& error_message() {
    thread_local std::string message;
    return message;
}

/// Our effective capabilities (CapEff of /proc/self/status), 0 when unreadable.
inline std::uint64_t own_capabilities() {
    std::string text;
    if (!sys::read_small_file("/proc/self/status", text)) {
        return 0;
    }
    std::string_view v = sys::detail::field(text, "CapEff");
    return sys::detail::number<std::uint64_t>(v, 16);
}

inline constexpr int cap_sys_ptrace = 19;

/// Yama's kernel.yama.ptrace_scope (-1 when Yama is absent).
inline int yama_scope() {
    std::string text;
    if (!sys::read_small_file("/proc/sys/kernel/yama/ptrace_scope", text) || text.empty()) {
        return -1;
    }
    return text[0] - '0';
}

/// "pid N (comm)".
inline std::string describe_task(pid_t pid) {
    std::string comm;
    std::string out = "pid " + std::to_string(pid);
    if (sys::read_small_file(sys::ProcPath(pid, "comm").c_str(), comm)) {
        while (!comm.empty() && comm.back() == '\n') {
            comm.pop_back();
        }
        out += " (" + comm + ")";
    }
    return out;
}

/// True when `ancestor` is a strict ancestor of `tid` (a PPid walk).
inline bool is_ancestor(pid_t ancestor, pid_t ppid) {
    pid_t p = ppid;
    for (int depth = 0; p > 0 && depth < 4096; ++depth) {
        if (p == ancestor) {
            return true;
        }
        const auto up = sys::proc_status(p);
        if (!up) {
            return false;
        }
        p = up->ppid;
    }
    return false;
}

/// The cause of Linux's refusal (EPERM at SEIZE, EACCES at the open of /proc/<tid>/mem) to
/// let this process trace `tid`, found the way Linux decides (ptrace_may_access, then Yama):
/// another tracer, different credentials without CAP_SYS_PTRACE, a non-dumpable task, Yama's
/// ptrace_scope. A sentence for last_error_message().
inline std::string explain_linux_refusal(pid_t tid) {
    const auto st = sys::proc_status(tid);
    const std::string who = describe_task(tid);
    if (!st) {
        return who + ": its /proc/" + std::to_string(tid) + "/status cannot be read";
    }
    if (st->tracer_pid != 0) {
        return who + " is already traced by " + describe_task(st->tracer_pid) +
               " (TracerPid in /proc/" + std::to_string(tid) + "/status)";
    }
    const bool cap = ((own_capabilities() >> cap_sys_ptrace) & 1) != 0;
    const std::uint64_t euid = ::geteuid();
    const std::uint64_t egid = ::getegid();
    const bool same_uid = st->uid[0] == euid && st->uid[1] == euid && st->uid[2] == euid;
    const bool same_gid = st->gid[0] == egid && st->gid[1] == egid && st->gid[2] == egid;
    if (!cap && (!same_uid || !same_gid)) {
        return "Linux refuses: " + who + " has uids " + std::to_string(st->uid[0]) + "/" +
               std::to_string(st->uid[1]) + "/" + std::to_string(st->uid[2]) + " and gids " +
               std::to_string(st->gid[0]) + "/" + std::to_string(st->gid[1]) + "/" +
               std::to_string(st->gid[2]) + " (real/effective/saved), this process uid " +
               std::to_string(euid) + " gid " + std::to_string(egid) +
               ": a different uid needs CAP_SYS_PTRACE, which this process lacks";
    }
    struct stat dir {};
    if (!cap && ::stat(sys::ProcPath(tid, "").c_str(), &dir) == 0 && dir.st_uid == 0 &&
        st->uid[1] != 0) {
        // /proc/<pid>/ belongs to root while the task is not dumpable (task_dump_owner).
        return "Linux refuses: " + who +
               " is not dumpable (PR_SET_DUMPABLE 0, or a set-id program): tracing it needs "
               "CAP_SYS_PTRACE, which this process lacks";
    }
    const int scope = yama_scope();
    if (scope == 3) {
        return "Linux refuses: Yama's kernel.yama.ptrace_scope is 3 (no attach at all)";
    }
    if (scope == 2 && !cap) {
        return "Linux refuses: Yama's kernel.yama.ptrace_scope is 2 (admin only): attaching "
               "needs CAP_SYS_PTRACE, which this process lacks";
    }
    if (scope == 1 && !cap && !is_ancestor(::getpid(), st->ppid)) {
        return "Linux refuses: Yama's kernel.yama.ptrace_scope is 1 (restricted): " + who +
               " is not a descendant of this process and did not name it with "
               "prctl(PR_SET_PTRACER)";
    }
    return "Linux refuses to let this process trace " + who +
           " (a security module or a capability rule; Yama's ptrace_scope is " +
           std::to_string(scope) + ")";
}

/// A2 + A3 (decision 16): alive, not in our own thread group, and the Redox rule (same euid
/// or egid, and a strict ancestor; or root = euid 0 or egid 0), unless `linux_only`
/// (decision 25). Linux's own checks follow at PTRACE_SEIZE / open of /proc/<tid>/mem. `why`
/// gets the cause of a refusal.
inline Result<sys::ProcStatus> check_access(pid_t tid, bool linux_only, std::string& why) {
    if (tid <= 0) {
        why = "no task " + std::to_string(tid);
        return unexpected(std::errc::no_such_process);
    }
    auto st = sys::proc_status(tid);
    if (!st) {
        why = "/proc/" + std::to_string(tid) + "/status: " + st.error().message();
        return unexpected_errno(st.error().value()); // ESRCH, or why /proc could not be read
    }
    if (st->state == 'Z' || st->state == 'X') {
        why = describe_task(tid) + " has exited (a zombie)";
        return unexpected(std::errc::no_such_process);
    }
    if (st->tgid == ::getpid()) {
        why = "task " + std::to_string(tid) +
              " is a thread of this process: a process never traces itself";
        return unexpected(std::errc::operation_not_permitted); // can never open itself
    }
    if (linux_only || ::geteuid() == 0 || ::getegid() == 0) {
        return st;
    }
    if (st->uid[1] != ::geteuid() && st->gid[1] != ::getegid()) {
        why = "Redox rule (decision 16): " + describe_task(tid) + " has euid " +
              std::to_string(st->uid[1]) + " and egid " + std::to_string(st->gid[1]) +
              ", this process euid " + std::to_string(::geteuid()) + " and egid " +
              std::to_string(::getegid()) + ": a different uid (and gid), and not root";
        return unexpected(std::errc::operation_not_permitted);
    }
    if (is_ancestor(::getpid(), st->ppid)) {
        return st;
    }
    why = "Redox rule (decision 16): " + describe_task(tid) +
          " is not a descendant of this process (open with linux_checks_only, "
          "AttachAccess::LinuxChecks, for Linux's rule alone)";
    return unexpected(std::errc::operation_not_permitted);
}

} // namespace detail

} // namespace ptrace_api::shim
