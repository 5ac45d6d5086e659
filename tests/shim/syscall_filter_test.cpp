// SPDX-License-Identifier: MIT
// The seccomp-bpf program of syscall-filtered stops (issue 12, syscall_filter.hpp): read as
// bytecode by a small classic-BPF interpreter for every number, and installed in forked
// children to check the kernel's own verdicts, without a tracer (RET_TRACE is then ENOSYS)
// and under a raw ptrace tracer (PTRACE_EVENT_SECCOMP stops, PTRACE_GETEVENTMSG data).
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/syscall_set.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <vector>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watchdog.hpp"

namespace {

using ptrace_api::SyscallSet;
namespace filter = ptrace_api::shim::filter;

struct Verdict {
    std::uint32_t ret = 0;
    int executed = 0;
};

/// Runs a classic BPF program on `data` as the kernel would (the subset seccomp accepts).
Verdict run(const std::vector<sock_filter>& prog, const seccomp_data& data) {
    std::uint32_t a = 0;
    std::uint32_t x = 0;
    std::array<std::uint32_t, BPF_MEMWORDS> mem{};
    Verdict v;
    std::size_t pc = 0;
    while (pc < prog.size()) {
        const sock_filter f = prog[pc++];
        ++v.executed;
        switch (BPF_CLASS(f.code)) {
        case BPF_LD:
            if (BPF_MODE(f.code) == BPF_ABS) {
                REQUIRE(f.k + 4 <= sizeof data);
                std::memcpy(&a, reinterpret_cast<const char*>(&data) + f.k, 4);
            } else if (BPF_MODE(f.code) == BPF_IMM) {
                a = f.k;
            } else if (BPF_MODE(f.code) == BPF_MEM) {
                a = mem.at(f.k);
            } else {
                FAIL("unexpected load mode");
            }
            break;
        case BPF_ALU: {
            const std::uint32_t operand = BPF_SRC(f.code) == BPF_X ? x : f.k;
            switch (BPF_OP(f.code)) {
            case BPF_AND:
                a &= operand;
                break;
            case BPF_RSH:
                a = operand >= 32 ? 0 : a >> operand;
                break;
            case BPF_LSH:
                a = operand >= 32 ? 0 : a << operand;
                break;
            default:
                FAIL("unexpected ALU op");
            }
            break;
        }
        case BPF_MISC:
            REQUIRE(BPF_MISCOP(f.code) == BPF_TAX);
            x = a;
            break;
        case BPF_JMP: {
            if (BPF_OP(f.code) == BPF_JA) {
                pc += f.k;
                break;
            }
            bool taken = false;
            switch (BPF_OP(f.code)) {
            case BPF_JEQ:
                taken = a == f.k;
                break;
            case BPF_JGE:
                taken = a >= f.k;
                break;
            case BPF_JGT:
                taken = a > f.k;
                break;
            case BPF_JSET:
                taken = (a & f.k) != 0;
                break;
            default:
                FAIL("unexpected jump");
            }
            pc += taken ? f.jt : f.jf;
            break;
        }
        case BPF_RET:
            v.ret = f.k;
            return v;
        default:
            FAIL("unexpected instruction class");
        }
    }
    FAIL("the program ran off its end");
    return v;
}

seccomp_data data_for(std::uint32_t nr, std::uint32_t arch = AUDIT_ARCH_X86_64) {
    seccomp_data d{};
    d.nr = static_cast<int>(nr);
    d.arch = arch;
    return d;
}

constexpr std::uint32_t trace_in_set = SECCOMP_RET_TRACE | filter::data_in_set;

/// A raw getpid-like call that returns -errno instead of setting errno.
long raw(long nr) {
    const long r = ::syscall(nr);
    return r == -1 ? -errno : r;
}

} // namespace

TEST_SUITE("shim") {

    TEST_CASE("syscall filter: stops_for is the rule of both paths") {
        const SyscallSet set{SYS_getppid, 300, 511};
        CHECK(filter::stops_for(SyscallSet{}, SYS_getpid, true)); // empty: every syscall
        CHECK(filter::stops_for(set, SYS_getppid, true));
        CHECK(filter::stops_for(set, 511, true));
        CHECK_FALSE(filter::stops_for(set, SYS_getpid, true));
        CHECK_FALSE(filter::stops_for(set, 512, true));
        CHECK_FALSE(filter::stops_for(set, 0x80000000U, true));
        CHECK(filter::stops_for(set, SYS_getpid, false));              // another architecture
        CHECK(filter::stops_for(set, 0x40000000U | 39U, true));        // x32
        CHECK(filter::stops_for(set, ~std::uint64_t{0}, true));        // a skipped syscall (-1)
        CHECK(filter::kernel_covers(set, SyscallSet{SYS_getppid}));    // narrowing
        CHECK_FALSE(filter::kernel_covers(set, SyscallSet{SYS_read})); // widening
        CHECK_FALSE(filter::kernel_covers(set, SyscallSet{}));         // "all"
        CHECK_FALSE(filter::kernel_covers(std::nullopt, set));         // no kernel filter
    }

    TEST_CASE("syscall filter: the program, read as bytecode, traps exactly the set") {
        for (const SyscallSet& set :
             {SyscallSet{SYS_getppid}, SyscallSet{0, 1, 2, 63, 64, 65, 200, 400, 511}, [] {
                  SyscallSet all_low;
                  for (std::uint64_t i = 0; i < 64; ++i) {
                      all_low.insert(i); // whole 32-bit words: the JA leaves
                  }
                  return all_low;
              }()}) {
            const auto prog = filter::build_program(set);
            CAPTURE(prog.size());
            CHECK(prog.size() < 80);
            // First the architecture: a seccomp_data's arch word.
            CHECK(prog[0].code == (BPF_LD | BPF_W | BPF_ABS));
            CHECK(prog[0].k == offsetof(seccomp_data, arch));
            int most = 0;
            for (std::uint32_t nr = 0; nr < 1024; ++nr) {
                CAPTURE(nr);
                const Verdict v = run(prog, data_for(nr));
                most = std::max(most, v.executed);
                const bool trapped =
                    set.contains(nr) || nr == SYS_rt_sigreturn || nr == SYS_restart_syscall;
                CHECK(v.ret == (trapped ? trace_in_set : std::uint32_t{SECCOMP_RET_ALLOW}));
            }
            CHECK(most <= 17); // no linear scan: a tree over 16 words, then one bit test
            CHECK(run(prog, data_for(SYS_getpid, AUDIT_ARCH_I386)).ret ==
                  (SECCOMP_RET_TRACE | filter::data_foreign_arch));
            CHECK(run(prog, data_for(0x40000000U | 39U)).ret ==
                  (SECCOMP_RET_TRACE | filter::data_x32));
            CHECK(run(prog, data_for(0xffffffffU)).ret == (SECCOMP_RET_TRACE | filter::data_x32));
            CHECK(run(prog, data_for(0x80000000U)).ret == SECCOMP_RET_ALLOW);
        }
    }

    TEST_CASE("syscall filter: installed without a tracer, the set's syscalls fail with ENOSYS") {
        // RET_TRACE without a tracer that asked for seccomp stops is ENOSYS (seccomp(2)): the
        // kernel's verdict for each number, observable without ptrace.
        const auto prog = filter::build_program(SyscallSet{SYS_getppid, SYS_gettid});
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::alarm(10);
            if (filter::install_filter(prog) != 0) {
                ::_exit(100);
            }
            int code = 0;
            code |= raw(SYS_getppid) == -ENOSYS ? 0 : 1;
            code |= raw(SYS_gettid) == -ENOSYS ? 0 : 2;
            code |= raw(SYS_getpid) == ::getpid() ? 0 : 4; // glibc caches nothing here
            code |= raw(SYS_sched_yield) == 0 ? 0 : 8;
            code |= raw(SYS_getuid) >= 0 ? 0 : 16;
            code |= raw(0x40000000L | SYS_getpid) == -ENOSYS ? 0 : 32;
            ::_exit(code);
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

    TEST_CASE("syscall filter: under a tracer, PTRACE_EVENT_SECCOMP stops come only for the set") {
        const auto prog = filter::build_program(SyscallSet{SYS_getppid, SYS_gettid});
        const pid_t pid = test_support::fork_tied_to_test(); // stopped, alarm() cannot end it
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::alarm(10);
            if (::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) {
                ::_exit(101);
            }
            ::raise(SIGSTOP);
            const pid_t parent = ::getppid();
            if (filter::install_filter(prog) != 0) {
                ::_exit(100);
            }
            (void)raw(SYS_getpid);
            const long ppid = raw(SYS_getppid);
            (void)raw(SYS_sched_yield);
            const long tid = raw(SYS_gettid);
            ::_exit(ppid == parent && tid == ::getpid() ? 0 : 1);
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFSTOPPED(status));
        REQUIRE(::ptrace(PTRACE_SETOPTIONS, pid, nullptr,
                         PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL) == 0);
        REQUIRE(::ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0);
        std::vector<std::uint64_t> seen;
        for (;;) {
            REQUIRE(::waitpid(pid, &status, 0) == pid);
            if (!WIFSTOPPED(status)) {
                break;
            }
            const int stop_status = status >> 8;
            REQUIRE(stop_status == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)));
            unsigned long msg = 0;
            REQUIRE(::ptrace(PTRACE_GETEVENTMSG, pid, nullptr, &msg) == 0);
            CHECK(msg == filter::data_in_set);
            user_regs_struct regs{};
            REQUIRE(::ptrace(PTRACE_GETREGS, pid, nullptr, &regs) == 0);
            seen.push_back(regs.orig_rax);
            REQUIRE(::ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0);
        }
        CHECK(seen == std::vector<std::uint64_t>{SYS_getppid, SYS_gettid});
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

} // TEST_SUITE
