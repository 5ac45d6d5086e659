// SPDX-License-Identifier: MIT
// Compiles a Policy (policy.hpp) to one seccomp-bpf program (issue 12, item 2). Pure: it builds
// instructions; installing them is the spawner's business (sandbox/README.md, "The BPF
// program", says how the program is laid out and why).
#pragma once

#include <ptrace/sandbox/policy.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

namespace ptrace_api::sandbox {

/// SECCOMP_RET_DATA of the RET_TRACE the program returns for a Log or an Ask action; the
/// sandbox's tracer reads it with PTRACE_GETEVENTMSG at the seccomp stop.
inline constexpr std::uint16_t trace_data_log = 0x5a4c; // "ZL"
inline constexpr std::uint16_t trace_data_ask = 0x5a41; // "ZA"
/// The RET_TRACE of an allowed syscall that BpfOptions::quiet_traps asks to see: the tracer
/// lets it run (the sandbox's shim needs rt_sigreturn and restart_syscall, decision 18).
inline constexpr std::uint16_t trace_data_quiet = 0x5a51; // "ZQ"

/// How compile_bpf builds a program.
struct BpfOptions {
    /// Syscalls whose Allow outcomes stop the tracee for its tracer (RET_TRACE with
    /// trace_data_quiet) instead of running at once. Other outcomes are unchanged: a denial
    /// stays in the kernel.
    SyscallSet quiet_traps;
};

/// The seccomp return value of an action (`quiet`: an Allow that stops for the tracer).
constexpr std::uint32_t seccomp_return(const Action& action, bool quiet = false) noexcept {
    switch (action.kind()) {
    case ActionKind::Allow:
        return quiet ? SECCOMP_RET_TRACE | trace_data_quiet : SECCOMP_RET_ALLOW;
    case ActionKind::Errno:
        return SECCOMP_RET_ERRNO | (static_cast<std::uint32_t>(action.error()) & SECCOMP_RET_DATA);
    case ActionKind::Kill:
        return SECCOMP_RET_KILL_PROCESS;
    case ActionKind::Log:
        return SECCOMP_RET_TRACE | trace_data_log;
    case ActionKind::Ask:
        return SECCOMP_RET_TRACE | trace_data_ask;
    }
    return SECCOMP_RET_KILL_PROCESS;
}

namespace detail {

using Code = std::vector<sock_filter>;

constexpr sock_filter insn(std::uint32_t code, std::uint32_t k, std::uint8_t jt = 0,
                           std::uint8_t jf = 0) noexcept {
    return sock_filter{static_cast<std::uint16_t>(code), jt, jf, k};
}

inline constexpr std::uint32_t ld_abs = BPF_LD | BPF_W | BPF_ABS;

/// Offset of the low (+0) or high (+4) half of argument `index` in struct seccomp_data.
constexpr std::uint32_t arg_offset(unsigned index, bool high) noexcept {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * index + (high ? 4 : 0));
}

/// Code of one condition. Where a jump goes: the next instruction, past the condition (it
/// holds), or to the rule's failure target (it does not).
enum class To : std::uint8_t { Next, Pass, Fail };
struct Step {
    sock_filter f;
    To jt = To::Next;
    To jf = To::Next;
};

inline void emit_condition(std::vector<Step>& out, const ArgCondition& c) {
    const auto lo = static_cast<std::uint32_t>(c.value);
    const auto hi = static_cast<std::uint32_t>(c.value >> 32);
    const auto mlo = static_cast<std::uint32_t>(c.mask);
    const auto mhi = static_cast<std::uint32_t>(c.mask >> 32);
    const bool wide = c.width == ArgWidth::Bits64;
    auto load = [&](bool high) { out.push_back({insn(ld_abs, arg_offset(c.index, high))}); };
    auto jump = [&](std::uint32_t op, std::uint32_t k, To jt, To jf) {
        out.push_back({insn(BPF_JMP | op | BPF_K, k), jt, jf});
    };
    switch (c.op) {
    case Compare::Equal:
    case Compare::NotEqual:
    case Compare::MaskedEqual: {
        // Equal: both halves equal. NotEqual: the opposite outcome of the same tests.
        const bool ne = c.op == Compare::NotEqual;
        const To equal_all = ne ? To::Fail : To::Pass;
        const To differ = ne ? To::Pass : To::Fail;
        const bool masked = c.op == Compare::MaskedEqual;
        if (wide) {
            load(true);
            if (masked) {
                out.push_back({insn(BPF_ALU | BPF_AND | BPF_K, mhi)});
            }
            jump(BPF_JEQ, hi, To::Next, differ);
        }
        load(false);
        if (masked) {
            out.push_back({insn(BPF_ALU | BPF_AND | BPF_K, mlo)});
        }
        jump(BPF_JEQ, lo, equal_all, differ);
        return;
    }
    case Compare::Greater:
    case Compare::GreaterEqual:
    case Compare::Less:
    case Compare::LessEqual: {
        // x > v (or >=): the high halves decide unless equal, then the low halves. x < v is
        // not (x >= v), x <= v is not (x > v).
        const bool less = c.op == Compare::Less || c.op == Compare::LessEqual;
        const bool strict = c.op == Compare::Greater || c.op == Compare::LessEqual;
        const To above = less ? To::Fail : To::Pass;
        const To below = less ? To::Pass : To::Fail;
        if (wide) {
            load(true);
            jump(BPF_JGT, hi, above, To::Next);
            jump(BPF_JEQ, hi, To::Next, below);
        }
        load(false);
        jump(strict ? BPF_JGT : BPF_JGE, lo, above, below);
        return;
    }
    }
}

/// The code of one syscall's rules: each conditional rule (its conditions, then RET its
/// action; a failed condition jumps to the next rule), then RET the fallback. Every jump stays
/// inside one rule (max_conditions keeps it under 255 instructions).
inline Code leaf_code(const SyscallRules& rules, bool quiet) {
    Code out;
    for (const ConditionalRule& rule : rules.conditional) {
        std::vector<Step> steps;
        std::vector<std::size_t> ends; // per step: index just past its condition
        for (const ArgCondition& c : rule.conditions) {
            emit_condition(steps, c);
            ends.resize(steps.size(), steps.size());
        }
        const std::size_t block = steps.size() + 1; // + RET action
        for (std::size_t i = 0; i < steps.size(); ++i) {
            sock_filter f = steps[i].f;
            if (BPF_CLASS(f.code) == BPF_JMP) {
                auto offset = [&](To to) -> std::uint8_t {
                    switch (to) {
                    case To::Next:
                        return 0;
                    case To::Pass:
                        return static_cast<std::uint8_t>(ends[i] - (i + 1));
                    case To::Fail:
                        return static_cast<std::uint8_t>(block - (i + 1));
                    }
                    return 0;
                };
                f.jt = offset(steps[i].jt);
                f.jf = offset(steps[i].jf);
            }
            out.push_back(f);
        }
        out.push_back(insn(BPF_RET | BPF_K, seccomp_return(rule.action, quiet)));
    }
    out.push_back(insn(BPF_RET | BPF_K, seccomp_return(rules.fallback, quiet)));
    return out;
}

/// A range of syscall numbers [start, next leaf's start) treated alike.
struct Leaf {
    std::uint32_t start;
    const SyscallRules* rules; ///< conditional rules, or nullptr
    Action action;             ///< when rules is nullptr
    bool quiet;                ///< a quiet trap (BpfOptions)
};

inline std::vector<Leaf> leaves_of(const Policy& policy, const SyscallSet& quiet) {
    std::vector<Leaf> leaves;
    auto add = [&leaves](std::uint32_t start, const SyscallRules* rules, Action action,
                         bool is_quiet) {
        if (rules == nullptr && !leaves.empty() && leaves.back().rules == nullptr &&
            leaves.back().action == action && leaves.back().quiet == is_quiet) {
            return; // extends the previous range
        }
        leaves.push_back({start, rules, action, is_quiet});
    };
    for (std::uint32_t nr = 0; nr < SyscallSet::capacity; ++nr) {
        const SyscallRules* r = policy.find(static_cast<long>(nr));
        const bool q = quiet.contains(nr);
        if (r == nullptr) {
            add(nr, nullptr, policy.default_action(), q);
        } else if (r->conditional.empty()) {
            add(nr, nullptr, r->fallback, q);
        } else {
            add(nr, r, r->fallback, q);
        }
    }
    add(SyscallSet::capacity, nullptr, policy.default_action(), false); // up to the x32 bit
    return leaves;
}

/// The binary search over leaves [lo, hi) with A = the syscall number: a node tests
/// A >= the first number of its right half; its left half follows it. When the left half is
/// longer than a conditional jump reaches (255), the node jumps to a BPF_JA that does.
inline Code tree_code(const std::vector<Leaf>& leaves, std::size_t lo, std::size_t hi) {
    if (hi - lo == 1) {
        const Leaf& leaf = leaves[lo];
        if (leaf.rules != nullptr) {
            return leaf_code(*leaf.rules, leaf.quiet);
        }
        return {insn(BPF_RET | BPF_K, seccomp_return(leaf.action, leaf.quiet))};
    }
    const std::size_t mid = lo + (hi - lo) / 2;
    Code left = tree_code(leaves, lo, mid);
    Code right = tree_code(leaves, mid, hi);
    Code out;
    const std::uint32_t k = leaves[mid].start;
    if (left.size() <= 255) {
        out.push_back(
            insn(BPF_JMP | BPF_JGE | BPF_K, k, static_cast<std::uint8_t>(left.size()), 0));
    } else {
        out.push_back(insn(BPF_JMP | BPF_JGE | BPF_K, k, 0, 1));
        out.push_back(insn(BPF_JMP | BPF_JA, static_cast<std::uint32_t>(left.size())));
    }
    out.insert(out.end(), left.begin(), left.end());
    out.insert(out.end(), right.begin(), right.end());
    return out;
}

} // namespace detail

/// The seccomp-bpf program of `policy`:
///   1. the architecture must be AUDIT_ARCH_X86_64, else the process is killed (a syscall of
///      another ABI, int 0x80, has other numbers the policy does not speak of);
///   2. -1 (a syscall a tracer skipped, checked again by Linux after the tracer's stop) is
///      allowed: Linux does not run it; an x32 number (bit 0x40000000) kills the process;
///   3. a binary search over the ranges of numbers the policy treats alike (about log2 of the
///      number of ranges comparisons: 7 for a policy of a hundred ranges), ending in a range's
///      action or in the conditional rules of one syscall.
/// \errors a PolicyError when the program would exceed the kernel's BPF_MAXINSNS (4096).
inline PolicyResult<std::vector<sock_filter>> compile_bpf(const Policy& policy,
                                                          const BpfOptions& options = {}) {
    using detail::insn;
    std::vector<sock_filter> out{
        insn(detail::ld_abs, offsetof(seccomp_data, arch)),
        insn(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        insn(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        insn(detail::ld_abs, offsetof(seccomp_data, nr)),
        insn(BPF_JMP | BPF_JEQ | BPF_K, Policy::skipped_syscall, 0, 1),
        insn(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        insn(BPF_JMP | BPF_JSET | BPF_K, Policy::x32_syscall_bit, 0, 1),
        insn(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    };
    const std::vector<detail::Leaf> leaves = detail::leaves_of(policy, options.quiet_traps);
    const detail::Code tree = detail::tree_code(leaves, 0, leaves.size());
    out.insert(out.end(), tree.begin(), tree.end());
    if (out.size() > BPF_MAXINSNS) {
        return PolicyError{{},
                           "the policy compiles to " + std::to_string(out.size()) +
                               " BPF instructions, more than the kernel's limit of " +
                               std::to_string(BPF_MAXINSNS)};
    }
    return out;
}

} // namespace ptrace_api::sandbox
