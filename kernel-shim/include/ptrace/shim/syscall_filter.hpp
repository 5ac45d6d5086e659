// SPDX-License-Identifier: MIT
// Syscall-filtered stops (issue 12): which syscalls a tracee's set lets stop (the rule both
// paths share), and the seccomp-bpf program that makes the kernel stop only for those (the
// kernel path), with the helper that installs it in the calling process. Pure, except
// install_filter and isolate_processes (a few system calls each, async-signal-safe: they run
// in a forked child before its exec). kernel-shim/README.md, "Syscall filter", says how the
// machine uses them.
#pragma once

#include <ptrace/syscall_set.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ptrace_api::shim::filter {

/// The x32 ABI bit of a syscall number (`__X32_SYSCALL_BIT`).
inline constexpr std::uint32_t x32_bit = 0x40000000U;

/// SECCOMP_RET_DATA of the program's RET_TRACE (PTRACE_GETEVENTMSG at the seccomp stop tells
/// which rule fired): a number of the set, another architecture, an x32 number.
inline constexpr std::uint16_t data_in_set = 0x5ec0;
inline constexpr std::uint16_t data_foreign_arch = 0x5ec1;
inline constexpr std::uint16_t data_x32 = 0x5ec2;

/// Syscalls the kernel filter always traps besides the set, so that the shim sees what
/// decision 18 needs on the kernel path as it does with PTRACE_SYSCALL: the restart of an
/// interrupted syscall (`restart_syscall`, its duplicate entry is folded) and `rt_sigreturn`
/// (after which an interrupted syscall that was not restarted never comes back). They are
/// reported only when they are in the set; otherwise their stops are resumed silently.
inline constexpr std::uint64_t always_trapped[] = {SYS_rt_sigreturn, SYS_restart_syscall};

/// True when a syscall stops under `set` (the rule of both paths, SyscallSet's comment):
/// every syscall for the empty set ("no filter"); else one of another architecture
/// (`native` false), an x32 or negative number (bit 0x40000000 of the 32 bits seccomp sees,
/// which -1, a skipped syscall, has), or a number of the bitmap.
constexpr bool stops_for(const SyscallSet& set, std::uint64_t nr, bool native) noexcept {
    if (set.empty() || !native) {
        return true;
    }
    const auto nr32 = static_cast<std::uint32_t>(nr);
    return (nr32 & x32_bit) != 0 || set.contains(nr32);
}

/// True when the kernel filter compiled from `kernel` stops for every syscall that `active`
/// lets stop, so that the tracee can run under PTRACE_CONT and stop only at seccomp stops
/// (the kernel path). The empty active set ("all") is never covered.
inline bool kernel_covers(const std::optional<SyscallSet>& kernel,
                          const SyscallSet& active) noexcept {
    return kernel.has_value() && !active.empty() && active.subset_of(*kernel);
}

namespace bpf {

constexpr sock_filter stmt(std::uint16_t code, std::uint32_t k) noexcept {
    return sock_filter{code, 0, 0, k};
}

} // namespace bpf

/// The seccomp-bpf program for `set` (\pre not empty): RET_TRACE for every syscall that
/// stops_for(set ∪ always_trapped) names, RET_ALLOW for the others.
///
/// Dispatch: classic BPF has no indexed loads from constants, and a linear scan would be up
/// to ~460 comparisons per syscall (the whole table, executed at every syscall of the
/// tracee). The number is split instead: X = nr & 31 (a bit index), A = nr >> 5 (one of 16
/// 32-bit words of the bitmap); a binary search tree of JGE over the 16 word indices (depth
/// 4) reaches the word's leaf, which loads that word as a constant, shifts it right by X and
/// tests bit 0 with JSET. An all-zero or all-one word jumps straight to ALLOW or TRACE. At
/// most 17 instructions run per syscall; the program has under 80, so every conditional jump
/// fits its 8-bit offset. The arch check comes first: a syscall of another architecture
/// (int 0x80 from a 64-bit task) is traced, as is an x32 number, so nothing escapes the
/// tracer's view; numbers from 512 up are allowed (Linux fails them with ENOSYS).
inline std::vector<sock_filter> build_program(const SyscallSet& set) {
    SyscallSet trapped = set;
    for (const std::uint64_t nr : always_trapped) {
        (void)trapped.insert(nr);
    }
    // Symbolic targets, resolved once the layout is known.
    enum Target : std::uint32_t { Next = 0, Allow = 1U << 20, Trace, TraceArch, TraceX32 };
    struct Insn {
        sock_filter f;
        std::uint32_t jt = Next; // Next, a target, or an absolute index | 1U << 24
        std::uint32_t jf = Next;
        std::uint32_t ja = Next; // for BPF_JA: the target
    };
    constexpr std::uint32_t at = 1U << 24; // marks an absolute instruction index
    std::vector<Insn> code;
    auto emit = [&code](sock_filter f, std::uint32_t jt = Next, std::uint32_t jf = Next,
                        std::uint32_t ja = Next) {
        code.push_back({f, jt, jf, ja});
        return code.size() - 1;
    };
    constexpr auto ld_abs = static_cast<std::uint16_t>(BPF_LD | BPF_W | BPF_ABS);
    emit(bpf::stmt(ld_abs, offsetof(seccomp_data, arch)));
    emit(bpf::stmt(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64), Next, TraceArch);
    emit(bpf::stmt(ld_abs, offsetof(seccomp_data, nr)));
    emit(bpf::stmt(BPF_JMP | BPF_JSET | BPF_K, x32_bit), TraceX32, Next);
    emit(bpf::stmt(BPF_JMP | BPF_JGE | BPF_K, SyscallSet::capacity), Allow, Next);
    emit(bpf::stmt(BPF_ALU | BPF_AND | BPF_K, 31));
    emit(bpf::stmt(BPF_MISC | BPF_TAX, 0));
    emit(bpf::stmt(ld_abs, offsetof(seccomp_data, nr)));
    emit(bpf::stmt(BPF_ALU | BPF_RSH | BPF_K, 5));
    auto word32 = [&trapped](std::uint32_t i) {
        return static_cast<std::uint32_t>(trapped.word(i / 2) >> (32 * (i % 2)));
    };
    // The tree over word indices [lo, hi); a node's "A >= mid" branch is patched to the
    // first instruction of its right half once that is emitted.
    auto tree = [&](auto&& self, std::uint32_t lo, std::uint32_t hi) -> void {
        if (hi - lo == 1) {
            const std::uint32_t w = word32(lo);
            if (w == 0) {
                emit(bpf::stmt(BPF_JMP | BPF_JA, 0), Next, Next, Allow);
            } else if (w == 0xffffffffU) {
                emit(bpf::stmt(BPF_JMP | BPF_JA, 0), Next, Next, Trace);
            } else {
                emit(bpf::stmt(BPF_LD | BPF_IMM, w));
                emit(bpf::stmt(BPF_ALU | BPF_RSH | BPF_X, 0));
                emit(bpf::stmt(BPF_JMP | BPF_JSET | BPF_K, 1), Trace, Allow);
            }
            return;
        }
        const std::uint32_t mid = lo + (hi - lo) / 2;
        const std::size_t node = emit(bpf::stmt(BPF_JMP | BPF_JGE | BPF_K, mid));
        self(self, lo, mid);
        code[node].jt = at | static_cast<std::uint32_t>(code.size());
        self(self, mid, hi);
    };
    tree(tree, 0, SyscallSet::capacity / 32);
    const auto allow = static_cast<std::uint32_t>(code.size());
    emit(bpf::stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    emit(bpf::stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE | data_in_set));
    emit(bpf::stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE | data_foreign_arch));
    emit(bpf::stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE | data_x32));
    auto resolve = [&](std::uint32_t target, std::size_t from) -> std::uint32_t {
        std::uint32_t index = 0;
        if (target == Next) {
            return 0;
        }
        if ((target & at) != 0) {
            index = target & ~at;
        } else {
            index = allow + (target - Allow);
        }
        return index - static_cast<std::uint32_t>(from + 1);
    };
    std::vector<sock_filter> out;
    out.reserve(code.size());
    for (std::size_t i = 0; i < code.size(); ++i) {
        sock_filter f = code[i].f;
        if (BPF_CLASS(f.code) == BPF_JMP) {
            if (BPF_OP(f.code) == BPF_JA) {
                f.k = resolve(code[i].ja, i);
            } else {
                f.jt = static_cast<std::uint8_t>(resolve(code[i].jt, i));
                f.jf = static_cast<std::uint8_t>(resolve(code[i].jf, i));
            }
        }
        out.push_back(f);
    }
    return out;
}

/// Installs `program` as a seccomp filter of the calling thread (and of everything it
/// creates or execs from now on): `PR_SET_NO_NEW_PRIVS`, then `seccomp(SECCOMP_SET_MODE_
/// FILTER)`. No privilege is needed, but from then on execve grants no privilege either
/// (set-user-ID and file capabilities are ignored). Async-signal-safe (no allocation).
/// \returns 0, or the errno of the call that failed.
inline int install_filter(std::span<const sock_filter> program) noexcept {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return errno;
    }
    sock_fprog fprog{static_cast<unsigned short>(program.size()),
                     const_cast<sock_filter*>(program.data())};
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
        return errno;
    }
    return 0;
}

/// Puts the calling thread, and everything it creates or execs from now on, in a Landlock
/// domain of its own that changes no file access: what it adds is Landlock's rule for
/// processes, under which no task of the domain may trace, read or write the memory of
/// (`/proc/PID/mem`, `process_vm_writev`), or take descriptors from (`pidfd_getfd`) a task
/// outside it, whatever the uids, capabilities and Yama say; tasks outside (the tracer) still
/// trace those inside. The ruleset handles two rights and allows both beneath "/": executing,
/// and linking or renaming into another directory (REFER, which a Landlock domain refuses
/// unless a rule allows it). `PR_SET_NO_NEW_PRIVS` first, as Landlock requires. Async-signal-
/// safe (no allocation). \returns 0, or the errno of the call that failed: ENOSYS (no Landlock
/// in the kernel), EOPNOTSUPP (Landlock off, or older than its ABI 2, Linux 5.19, where any
/// domain would refuse such renames).
inline int isolate_processes() noexcept {
    const long abi =
        ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0) {
        return errno;
    }
    if (abi < 2) {
        return EOPNOTSUPP;
    }
    landlock_ruleset_attr attr{};
    attr.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_REFER;
    const long ruleset = ::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0) {
        return errno;
    }
    int err = 0;
    const int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        err = errno;
    } else {
        landlock_path_beneath_attr beneath{};
        beneath.allowed_access = attr.handled_access_fs;
        beneath.parent_fd = root;
        if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) !=
            0) {
            err = errno;
        }
        (void)::close(root);
    }
    if (err == 0 && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        err = errno;
    }
    if (err == 0 && ::syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        err = errno;
    }
    (void)::close(static_cast<int>(ruleset));
    return err;
}

/// What a child must carry before its exec, in the order that works: the Landlock domain
/// (when `isolate`; isolate_processes) before the seccomp `program` (if any; install_filter),
/// which might refuse the domain's calls. Async-signal-safe. \returns 0, or the errno of the
/// step that failed: then the program must not run.
inline int confine(bool isolate, std::span<const sock_filter> program) noexcept {
    if (isolate) {
        if (const int err = isolate_processes(); err != 0) {
            return err;
        }
    }
    return program.empty() ? 0 : install_filter(program);
}

} // namespace ptrace_api::shim::filter
