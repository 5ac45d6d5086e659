// SPDX-License-Identifier: MIT
// What a sandbox adds to a user's policy so that it holds (issue 12, item 3): guards against
// the ways a program can do syscall work the filter does not see, make a task no tracer
// follows, or hand a decision meant for the sandbox's tracer to someone else. Pure.
// sandbox/README.md, "What the sandbox adds", gives the reasons.
#pragma once

#include <ptrace/sandbox/groups.hpp>
#include <ptrace/sandbox/policy.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace ptrace_api::sandbox {

namespace detail {

constexpr long nr_of(std::string_view name) noexcept {
    return *syscall_number(name);
}

inline constexpr int eperm = 1;
inline constexpr int enosys = 38;
inline constexpr std::uint64_t clone_untraced = 0x00800000;
inline constexpr std::uint64_t seccomp_set_mode_filter = 1;
inline constexpr std::uint64_t seccomp_filter_flag_new_listener = 1U << 3;
inline constexpr std::uint64_t tiocsti = 0x5412;   // <asm-generic/ioctls.h>
inline constexpr std::uint64_t tioclinux = 0x541c; // the same

} // namespace detail

/// The policy a sandbox installs for `policy`:
/// - io_uring (`@io-uring`) fails with EPERM unless the policy names its syscalls one by one:
///   its rings do file and network work that no seccomp filter sees;
/// - `@debug` (ptrace, process_vm_writev, ...) fails with EPERM unless named: a sandboxed task
///   could make a process outside the sandbox (same user) do what the policy denies;
/// - clone with CLONE_UNTRACED fails with EPERM: such a child escapes the tracer that follows
///   every task (it stays under the filter, but a tracer of the program's own could then take
///   the decisions meant for the sandbox's);
/// - clone3 fails with ENOSYS unless the policy already denies or kills it: its flags are in
///   memory, out of the filter's reach (glibc then falls back to clone);
/// - ioctl TIOCSTI and TIOCLINUX fail with EPERM, whatever the policy says: both put bytes in
///   a terminal's input (TIOCLINUX by pasting the selection), so a program could type a
///   command into the shell that started the sandbox, which runs it after the sandbox exits,
///   bound by nothing (bubblewrap's CVE-2017-5226). Compared on 32 bits, as the kernel reads;
/// - when the policy asks the tracer (Ask, Log): seccomp(SECCOMP_SET_MODE_FILTER) with
///   SECCOMP_FILTER_FLAG_NEW_LISTENER fails with EPERM: a listener's USER_NOTIF outranks the
///   sandbox's RET_TRACE, so the program's own listener would answer the sandbox's questions.
inline Policy harden(const Policy& policy) {
    Policy out = policy;
    auto named_or_guard = [&](const SyscallSet& members, Action guard) {
        for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
            if (members.contains(nr) && !policy.named().contains(nr)) {
                out = out.with_action(static_cast<long>(nr), guard);
            }
        }
    };
    named_or_guard(find_syscall_group("@io-uring")->members, Action::fail(detail::eperm));
    named_or_guard(find_syscall_group("@debug")->members, Action::fail(detail::eperm));

    ArgCondition untraced;
    untraced.index = 0;
    untraced.op = Compare::MaskedEqual;
    untraced.value = detail::clone_untraced;
    untraced.mask = detail::clone_untraced;
    untraced.width = ArgWidth::Bits64;
    out = out.with_rule_first(detail::nr_of("clone"),
                              ConditionalRule{{untraced}, Action::fail(detail::eperm), {}});

    for (const std::uint64_t request : {detail::tiocsti, detail::tioclinux}) {
        ArgCondition typing;
        typing.index = 1;
        typing.op = Compare::Equal;
        typing.value = request;
        typing.mask = 0xffffffffU;
        typing.width = ArgWidth::Bits32;
        out = out.with_rule_first(detail::nr_of("ioctl"),
                                  ConditionalRule{{typing}, Action::fail(detail::eperm), {}});
    }

    const long clone3 = detail::nr_of("clone3");
    const SyscallRules* c3 = policy.find(clone3);
    const Action c3_now = c3 != nullptr ? c3->fallback : policy.default_action();
    const bool c3_refused =
        (c3 == nullptr || c3->conditional.empty()) &&
        (c3_now.kind() == ActionKind::Errno || c3_now.kind() == ActionKind::Kill);
    if (!c3_refused) {
        out = out.with_action(clone3, Action::fail(detail::enosys));
    }

    if (policy.needs_tracer()) {
        ArgCondition filter_mode;
        filter_mode.index = 0;
        filter_mode.op = Compare::Equal;
        filter_mode.value = detail::seccomp_set_mode_filter;
        filter_mode.mask = 0xffffffffU;
        filter_mode.width = ArgWidth::Bits32;
        ArgCondition listener;
        listener.index = 1;
        listener.op = Compare::MaskedEqual;
        listener.value = detail::seccomp_filter_flag_new_listener;
        listener.mask = detail::seccomp_filter_flag_new_listener;
        listener.width = ArgWidth::Bits32;
        out = out.with_rule_first(
            detail::nr_of("seccomp"),
            ConditionalRule{{filter_mode, listener}, Action::fail(detail::eperm), {}});
    }
    return out;
}

/// The syscalls whose decision can need the tracer under `policy` (an Ask or Log outcome,
/// conditional or not): the syscall set a sandbox's tracer stops for.
inline SyscallSet tracer_syscalls(const Policy& policy) {
    SyscallSet set;
    const bool by_default = policy.default_action().needs_tracer();
    for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
        const SyscallRules* r = policy.find(static_cast<long>(nr));
        bool needs = r == nullptr ? by_default : r->fallback.needs_tracer();
        if (r != nullptr) {
            for (const ConditionalRule& rule : r->conditional) {
                needs = needs || rule.action.needs_tracer();
            }
        }
        if (needs) {
            (void)set.insert(nr);
        }
    }
    return set;
}

/// The syscalls `policy` denies (an Errno or Kill outcome, conditional or not): what a
/// sandbox that logs denials stops for as well.
inline SyscallSet denied_syscalls(const Policy& policy) {
    auto refused = [](const Action& a) {
        return a.kind() == ActionKind::Errno || a.kind() == ActionKind::Kill;
    };
    SyscallSet set;
    const bool by_default = refused(policy.default_action());
    for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
        const SyscallRules* r = policy.find(static_cast<long>(nr));
        bool hit = r == nullptr ? by_default : refused(r->fallback);
        if (r != nullptr) {
            for (const ConditionalRule& rule : r->conditional) {
                hit = hit || refused(rule.action);
            }
        }
        if (hit) {
            (void)set.insert(nr);
        }
    }
    return set;
}

} // namespace ptrace_api::sandbox
