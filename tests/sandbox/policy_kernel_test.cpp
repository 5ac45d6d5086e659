// SPDX-License-Identifier: MIT
// The policy's BPF program against the kernel (issue 12, item 2): a child installs the
// compiled filter and makes syscalls whose outcome tells which action the kernel took; every
// outcome must be the one Policy::decide gives. The policies give Errno actions to everything
// probed, so no probed syscall ever runs; outcomes: -errno (Errno), -ENOSYS (Ask and Log, a
// RET_TRACE with no tracer), death by SIGSYS (Kill). A small BPF interpreter also bounds the
// number of instructions a syscall runs through (the dispatch is a search, not a scan).
#include <ptrace/sandbox/harden.hpp>
#include <ptrace/sandbox/policy.hpp>
#include <ptrace/sandbox/policy_bpf.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sb = ptrace_api::sandbox;
using sb::Action;
using sb::ActionKind;
using sb::PolicyBuilder;

namespace {

using Args = std::array<std::uint64_t, 6>;

struct Probe {
    std::uint64_t nr; // all 64 bits of rax
    Args args;
};

/// A syscall with every register as given (libc's syscall() would narrow some of them).
long raw_syscall(std::uint64_t nr, const Args& a) {
    long ret = 0;
    register std::uint64_t r10 asm("r10") = a[3];
    register std::uint64_t r8 asm("r8") = a[4];
    register std::uint64_t r9 asm("r9") = a[5];
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}

/// i386 getpid through int 0x80 from this 64-bit process.
long int80_getpid() {
    long ret = 0;
    asm volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
    return ret;
}

/// A sanitizer's handlers turn a fault into an exit with a report; a probe child must die of
/// the signal itself, as an unsanitized program does.
void default_fault_signals() {
    for (const int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) {
        (void)::signal(sig, SIG_DFL);
    }
}

/// True when int 0x80 works in a 64-bit process here (the kernel has IA-32 emulation); said
/// once on stderr when it does not, as the reason for the skip of the case that needs it.
bool ia32_emulation() {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::alarm(20);
        const rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        default_fault_signals();
        ::_exit(int80_getpid() == ::getpid() ? 0 : 1);
    }
    int status = 0;
    const bool works = pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                       WEXITSTATUS(status) == 0;
    if (!works) {
        std::fprintf(stderr, "SKIP kernel: int 0x80: this kernel has no IA-32 emulation "
                             "(int 0x80 faults), so the foreign-architecture check cannot be "
                             "exercised\n");
    }
    return works;
}

/// How a child ended after its probes.
struct Outcome {
    std::vector<long> results; ///< per probe; the probes after a kill have none
    bool killed_by_sigsys = false;
    int status = 0;
};

/// Runs `probes` in a child under `program` (probes that never return end the list), and
/// reports their results. \pre the program lets exit_group run.
Outcome run_probes(std::span<const sock_filter> program, const std::vector<Probe>& probes,
                   bool int80_last = false, bool any_death = false) {
    const std::size_t bytes = sizeof(long) * (probes.size() + 2);
    void* shared =
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(shared != MAP_FAILED);
    auto* results = static_cast<long*>(shared);
    results[0] = 0; // number of probes done
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        default_fault_signals();
        ::alarm(20); // the watchdog: SIGALRM ends a child that hangs
        sock_fprog prog{static_cast<unsigned short>(program.size()),
                        const_cast<sock_filter*>(program.data())};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
            ::_exit(100);
        }
        for (std::size_t i = 0; i < probes.size(); ++i) {
            results[i + 1] = raw_syscall(probes[i].nr, probes[i].args);
            results[0] = static_cast<long>(i + 1);
        }
        if (int80_last) {
            results[probes.size() + 1] = int80_getpid();
            results[0] = static_cast<long>(probes.size() + 1);
        }
        raw_syscall(SYS_exit_group, {0, 0, 0, 0, 0, 0});
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    Outcome out;
    out.status = status;
    out.killed_by_sigsys = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
    CHECK_MESSAGE(
        (any_death || out.killed_by_sigsys || (WIFEXITED(status) && WEXITSTATUS(status) == 0)),
        "the probe child ended with status ", status);
    out.results.assign(results + 1, results + 1 + results[0]);
    ::munmap(shared, bytes);
    return out;
}

/// What a probe returns when the kernel takes `action` (nullopt: it does not return).
std::optional<long> expected_result(const Action& action) {
    switch (action.kind()) {
    case ActionKind::Errno:
        return -action.error();
    case ActionKind::Ask:
    case ActionKind::Log:
        return -ENOSYS; // RET_TRACE with no tracer
    case ActionKind::Kill:
        return std::nullopt;
    case ActionKind::Allow:
        break;
    }
    FAIL("the probes must never run a syscall");
    return std::nullopt;
}

/// Runs `probes` against the kernel and checks each against policy.decide.
void check_against_kernel(const sb::Policy& policy, const std::vector<Probe>& probes) {
    const auto program = sb::compile_bpf(policy);
    REQUIRE(program);
    const Outcome out = run_probes(*program, probes);
    std::size_t i = 0;
    for (; i < probes.size(); ++i) {
        const Action want = policy.decide(static_cast<std::uint32_t>(probes[i].nr), probes[i].args);
        const std::optional<long> result = expected_result(want);
        CAPTURE(i);
        CAPTURE(probes[i].nr);
        if (!result) {
            CHECK(out.killed_by_sigsys);
            CHECK(out.results.size() == i);
            break;
        }
        REQUIRE(i < out.results.size());
        CHECK(out.results[i] == *result);
    }
    if (i == probes.size()) {
        CHECK_FALSE(out.killed_by_sigsys);
    }
}

/// A classic BPF interpreter for the instructions compile_bpf emits: the return value and the
/// number of instructions run.
std::pair<std::uint32_t, int> interpret(std::span<const sock_filter> prog, const seccomp_data& d) {
    std::uint32_t a = 0;
    int steps = 0;
    std::size_t pc = 0;
    auto word = [&d](std::uint32_t off) {
        std::uint32_t w = 0;
        std::memcpy(&w, reinterpret_cast<const char*>(&d) + off, sizeof w);
        return w;
    };
    while (pc < prog.size()) {
        const sock_filter& f = prog[pc++];
        ++steps;
        switch (f.code) {
        case BPF_LD | BPF_W | BPF_ABS:
            a = word(f.k);
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= f.k;
            break;
        case BPF_JMP | BPF_JA:
            pc += f.k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == f.k ? f.jt : f.jf;
            break;
        case BPF_JMP | BPF_JGT | BPF_K:
            pc += a > f.k ? f.jt : f.jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= f.k ? f.jt : f.jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & f.k) != 0 ? f.jt : f.jf;
            break;
        case BPF_RET | BPF_K:
            return {f.k, steps};
        default:
            FAIL("an instruction the interpreter does not know: ", f.code);
        }
    }
    FAIL("the program ran off its end");
    return {0, steps};
}

/// Values around the interesting ones of a condition: equal, one off, the other half changed.
std::vector<std::uint64_t> boundary_values(std::uint64_t v) {
    return {v,
            v + 1,
            v - 1,
            0,
            ~std::uint64_t{0},
            v ^ (std::uint64_t{1} << 32),
            v | 0xffffffff00000000U,
            v & 0xffffffffU,
            (v & 0xffffffff00000000U) | ((v + 1) & 0xffffffffU),
            (v & 0xffffffff00000000U) | ((v - 1) & 0xffffffffU)};
}

/// A random policy on syscall numbers [first, first + count): Errno actions everywhere (so no
/// probe runs a syscall), Ask on some, unconditional runs of equal actions and conditional
/// rules with every comparison at both widths. exit_group is left to run.
sb::Policy random_policy(std::mt19937_64& rng, long first, long count, int conditional_percent) {
    auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    auto action = [&]() { return pick(10) == 0 ? Action::ask() : Action::fail(1 + pick(4000)); };
    PolicyBuilder builder(Action::fail(4095));
    Action run = action();
    const std::array<std::uint64_t, 8> interesting{
        0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0xfffffffe00000001};
    for (long nr = first; nr < first + count; ++nr) {
        if (nr == SYS_exit_group) {
            builder.allow(*sb::Syscalls::number(nr));
            continue;
        }
        const auto target = *sb::Syscalls::number(nr);
        if (pick(4) == 0) {
            run = action(); // a new run of equal actions begins
        }
        const std::optional<ptrace_api::SyscallInfo> info = ptrace_api::syscall_info(nr);
        const int arg_count = info ? info->arg_count : 6;
        if (arg_count > 0 && pick(100) < conditional_percent) {
            const int rules = 1 + pick(3);
            for (int r = 0; r < rules; ++r) {
                std::vector<sb::ArgCondition> conditions;
                const int n = 1 + pick(3);
                for (int c = 0; c < n; ++c) {
                    sb::ArgCondition cond;
                    cond.index = static_cast<unsigned>(pick(arg_count));
                    cond.op = static_cast<sb::Compare>(pick(7));
                    cond.width = pick(2) == 0 ? sb::ArgWidth::Bits32 : sb::ArgWidth::Bits64;
                    std::uint64_t v = interesting[static_cast<std::size_t>(pick(8))] + rng() % 3;
                    if (cond.width == sb::ArgWidth::Bits32) {
                        v &= 0xffffffffU;
                    }
                    cond.value = v;
                    if (cond.op == sb::Compare::MaskedEqual) {
                        cond.mask = v | rng();
                        if (cond.width == sb::ArgWidth::Bits32) {
                            cond.mask &= 0xffffffffU;
                        }
                    }
                    conditions.push_back(cond);
                }
                builder.add(action(), target, std::move(conditions));
            }
        }
        if (pick(3) != 0) {
            builder.add(run, target);
        }
    }
    auto built = builder.build();
    REQUIRE_MESSAGE(built.has_value(), (built ? std::string() : built.error().describe()));
    return *std::move(built);
}

/// Syscalls Linux runs past every seccomp filter: uretprobe (335, Linux 6.14) and uprobe (336,
/// 6.16) serve the kernel's own probe trampolines, and outside one they kill the caller
/// (SIGILL) or fail. Probing them would end the child, so the probes leave them out; the case
/// "kernel: uretprobe and uprobe" shows what they do instead.
bool kernel_passthrough(long nr) {
    return nr == 335 || nr == 336;
}

/// Probes for every number of [first, first + count) (exit_group left out) with argument
/// vectors around the values the policy's conditions compare with.
std::vector<Probe> probes_for(const sb::Policy& policy, std::mt19937_64& rng, long first,
                              long count) {
    std::vector<Probe> probes;
    for (long nr = first; nr < first + count; ++nr) {
        if (nr == SYS_exit_group || kernel_passthrough(nr)) {
            continue;
        }
        const auto n = static_cast<std::uint64_t>(nr);
        probes.push_back({n, {}});
        const sb::SyscallRules* rules = policy.find(nr);
        if (rules == nullptr) {
            continue;
        }
        for (const sb::ConditionalRule& rule : rules->conditional) {
            for (const sb::ArgCondition& c : rule.conditions) {
                for (const std::uint64_t v : boundary_values(c.value)) {
                    Args args{};
                    // The other arguments: satisfying or not, at random.
                    for (const sb::ArgCondition& other : rule.conditions) {
                        args[other.index] = rng() % 2 == 0 ? other.value : rng();
                    }
                    args[c.index] = v;
                    probes.push_back({n, args});
                }
            }
        }
    }
    return probes;
}

} // namespace

TEST_SUITE("sandbox") {

    TEST_CASE("kernel: random policies over every number 0..511 decide as Policy::decide") {
        std::mt19937_64 rng(20261205);
        for (int round = 0; round < 12; ++round) {
            CAPTURE(round);
            const sb::Policy policy = random_policy(rng, 0, 512, round % 3 == 0 ? 0 : 20);
            std::vector<Probe> probes = probes_for(policy, rng, 0, 512);
            // Numbers past the bitmap and the table: the default.
            for (const std::uint64_t nr : {512ULL, 1000ULL, 0x3fffffffULL}) {
                probes.push_back({nr, {}});
            }
            // rax's high half is not part of the number seccomp sees.
            probes.push_back({0x100000000ULL | SYS_getpid, {}});
            check_against_kernel(policy, probes);
        }
    }

    TEST_CASE("kernel: a large policy (long jumps past 255 instructions) loads and decides") {
        std::mt19937_64 rng(7);
        const sb::Policy policy = random_policy(rng, 0, 400, 40);
        const auto program = sb::compile_bpf(policy);
        REQUIRE(program);
        CHECK(program->size() > 1000); // large enough that some left subtree exceeds 255
        const bool has_long_jump =
            std::any_of(program->begin(), program->end(),
                        [](const sock_filter& f) { return f.code == (BPF_JMP | BPF_JA); });
        CHECK(has_long_jump);
        check_against_kernel(policy, probes_for(policy, rng, 0, 400));
    }

    TEST_CASE("kernel: kill, allow, ask and log act as the policy says; no tracer fails closed") {
        const auto policy = PolicyBuilder(Action::fail(EPERM))
                                .allow("getppid")
                                .ask("getuid")
                                .log("getgid")
                                .kill("getpid")
                                .build();
        REQUIRE(policy);
        const auto program = sb::compile_bpf(*policy);
        REQUIRE(program);
        const Outcome out = run_probes(*program, {{SYS_getppid, {}},
                                                  {SYS_getuid, {}},
                                                  {SYS_getgid, {}},
                                                  {SYS_geteuid, {}},
                                                  {SYS_getpid, {}},
                                                  {SYS_getppid, {}}});
        REQUIRE(out.results.size() == 4);    // the kill ended it
        CHECK(out.results[0] == ::getpid()); // the child's parent: this process
        CHECK(out.results[1] == -ENOSYS);    // ask, and nobody to ask
        CHECK(out.results[2] == -ENOSYS);    // log through a tracer that is not there
        CHECK(out.results[3] == -EPERM);     // default
        CHECK(out.killed_by_sigsys);
    }

    TEST_CASE("kernel: -1 (a skipped syscall) runs nothing; quiet traps stop only allowed calls") {
        const auto policy =
            PolicyBuilder(Action::fail(EPERM)).allow("getppid").allow("exit_group").build();
        REQUIRE(policy);
        sb::BpfOptions options;
        options.quiet_traps = ptrace_api::SyscallSet{SYS_getppid, SYS_getuid};
        const auto program = sb::compile_bpf(*policy, options);
        REQUIRE(program);
        const Outcome out =
            run_probes(*program, {{~std::uint64_t{0}, {}}, {SYS_getppid, {}}, {SYS_getuid, {}}});
        REQUIRE(out.results.size() == 3);
        CHECK(out.results[0] == -ENOSYS); // allowed, and Linux has no syscall -1
        CHECK(out.results[1] == -ENOSYS); // allowed, so trapped: RET_TRACE without a tracer
        CHECK(out.results[2] == -EPERM);  // denied: the denial stays, no trap
        CHECK_FALSE(out.killed_by_sigsys);
    }

    TEST_CASE("kernel: an ioctl request's high half does not slip past a rule; harden refuses "
              "TIOCSTI and TIOCLINUX") {
        // fd -1: a request that runs fails with EBADF; one the filter refuses, with EPERM.
        const std::uint64_t bad_fd = 0xffffffffU;
        const std::uint64_t high = 0xdead00000000ULL;
        const auto policy = PolicyBuilder(Action::allow())
                                .deny("ioctl", EPERM, {sb::arg(1) == 0x541b}) // FIONREAD
                                .build();
        REQUIRE(policy);
        const auto program = sb::compile_bpf(sb::harden(*policy));
        REQUIRE(program);
        const Outcome out =
            run_probes(*program, {{SYS_ioctl, {bad_fd, 0x541b, 0, 0, 0, 0}},
                                  {SYS_ioctl, {bad_fd, 0x541b | high, 0, 0, 0, 0}},
                                  {SYS_ioctl, {bad_fd, 0x5412, 0, 0, 0, 0}},
                                  {SYS_ioctl, {bad_fd, 0x5412 | high, 0, 0, 0, 0}},
                                  {SYS_ioctl, {bad_fd, 0x541c | high, 0, 0, 0, 0}},
                                  {SYS_ioctl, {bad_fd, 0x5401 | high, 0, 0, 0, 0}}});
        REQUIRE(out.results.size() == 6);
        CHECK(out.results[0] == -EPERM);
        CHECK(out.results[1] == -EPERM); // the kernel reads 0x541b: so does the filter
        CHECK(out.results[2] == -EPERM); // TIOCSTI
        CHECK(out.results[3] == -EPERM);
        CHECK(out.results[4] == -EPERM); // TIOCLINUX
        CHECK(out.results[5] == -EBADF); // TCGETS runs (and the kernel ignores the high half)
    }

    TEST_CASE("kernel: ptrace's request is compared on 64 bits, as the kernel reads it") {
        // The kernel compares the whole long request with the requests it knows: 16 with a
        // high half is no PTRACE_ATTACH to it, so the rule must not take it for one. The pid
        // (cut to a pid_t by the kernel) names no process: what runs fails with ESRCH.
        const std::uint64_t attach = PTRACE_ATTACH;
        const std::uint64_t no_pid = 0x7fffffffU;
        const std::uint64_t high = 0xdead00000000ULL;
        const auto policy = PolicyBuilder(Action::allow())
                                .deny("ptrace", EPERM, {sb::arg(0) == attach})
                                .deny("ptrace", EACCES, {sb::arg(1) == no_pid - 1})
                                .build();
        REQUIRE(policy);
        const auto program = sb::compile_bpf(*policy);
        REQUIRE(program);
        const Outcome out =
            run_probes(*program, {{SYS_ptrace, {attach, no_pid, 0, 0, 0, 0}},
                                  {SYS_ptrace, {attach | high, no_pid, 0, 0, 0, 0}},
                                  {SYS_ptrace, {attach | high, (no_pid - 1) | high, 0, 0, 0, 0}}});
        REQUIRE(out.results.size() == 3);
        CHECK(out.results[0] == -EPERM);
        CHECK(out.results[1] == -ESRCH);  // not PTRACE_ATTACH to the kernel: let through
        CHECK(out.results[2] == -EACCES); // the pid is compared on its low half
    }

    TEST_CASE("kernel: x32 numbers kill the process") {
        const auto policy = PolicyBuilder(Action::allow()).build();
        REQUIRE(policy);
        const auto program = sb::compile_bpf(*policy);
        REQUIRE(program);
        // x32 getpid: bit 0x40000000 plus the x32 number.
        const Outcome x32 = run_probes(*program, {{SYS_getppid, {}}, {0x40000000U | 39U, {}}});
        CHECK(x32.results.size() == 1);
        CHECK(x32.killed_by_sigsys);
    }

    TEST_CASE("kernel: a syscall of another architecture (int 0x80) kills the process" *
              doctest::skip(!ia32_emulation())) {
        const auto policy = PolicyBuilder(Action::allow()).build();
        REQUIRE(policy);
        const auto program = sb::compile_bpf(*policy);
        REQUIRE(program);
        const Outcome foreign = run_probes(*program, {{SYS_getppid, {}}}, true);
        CHECK(foreign.results.size() == 1);
        CHECK(foreign.killed_by_sigsys);
    }

    TEST_CASE("kernel: uretprobe and uprobe pass every filter, and do nothing for a caller") {
        // A filter that fails everything but exit_group with EPERM.
        const auto policy = PolicyBuilder(Action::fail(EPERM)).allow("exit_group").build();
        REQUIRE(policy);
        const auto program = sb::compile_bpf(*policy);
        REQUIRE(program);
        const Outcome uretprobe = run_probes(*program, {{335, {}}}, false, true);
        if (uretprobe.results.size() == 1 && uretprobe.results[0] == -EPERM) {
            MESSAGE("this kernel filters uretprobe (before Linux 6.14)");
        } else {
            // Run past the filter, and the kernel kills a caller outside a trampoline.
            CHECK(WIFSIGNALED(uretprobe.status));
            CHECK_FALSE(uretprobe.killed_by_sigsys);
        }
        const Outcome uprobe = run_probes(*program, {{336, {}}});
        REQUIRE(uprobe.results.size() == 1);
        CHECK(uprobe.results[0] < 0); // the filter's EPERM, or the kernel's own refusal
    }

    TEST_CASE("bpf: at most 2*log2(ranges) + 20 instructions per syscall; limits refused") {
        // An allow-most policy denying a scattered handful, and one with many ranges.
        const auto small = PolicyBuilder(Action::allow())
                               .deny("ptrace")
                               .deny("@mount")
                               .deny("@io-uring")
                               .kill("@reboot")
                               .build();
        REQUIRE(small);
        std::mt19937_64 rng(99);
        const sb::Policy big = random_policy(rng, 0, 512, 10);
        for (const sb::Policy* policy : {&*small, &big}) {
            const auto program = sb::compile_bpf(*policy);
            REQUIRE(program);
            std::size_t ranges = 0;
            for (const sock_filter& f : *program) {
                ranges += f.code == (BPF_RET | BPF_K) ? 1 : 0;
            }
            int bound = 20;
            for (std::size_t r = ranges; r > 1; r /= 2) {
                bound += 2;
            }
            int longest = 0;
            for (std::uint32_t nr = 0; nr < 520; ++nr) {
                seccomp_data d{};
                d.nr = static_cast<int>(nr);
                d.arch = AUDIT_ARCH_X86_64;
                const auto [ret, steps] = interpret(*program, d);
                longest = std::max(longest, steps);
                // The interpreter agrees with decide() where no condition is involved.
                if (policy->find(static_cast<long>(nr)) == nullptr ||
                    policy->find(static_cast<long>(nr))->conditional.empty()) {
                    CHECK(ret == sb::seccomp_return(policy->decide(nr, {})));
                }
            }
            CAPTURE(ranges);
            CHECK(longest <= bound);
        }
        // The small policy: the arch and x32 checks, a search of depth 4 or so, and the return.
        const auto program = sb::compile_bpf(*small);
        seccomp_data d{};
        d.nr = SYS_read;
        d.arch = AUDIT_ARCH_X86_64;
        CHECK(interpret(*program, d).second <= 14);
        CHECK(interpret(*program, d).first == SECCOMP_RET_ALLOW);

        // More than the kernel's 4096 instructions: refused with a message, never truncated.
        PolicyBuilder huge(Action::allow());
        for (long nr = 0; nr < 512; ++nr) {
            const std::optional<ptrace_api::SyscallInfo> info = ptrace_api::syscall_info(nr);
            const int count = info ? info->arg_count : 6;
            if (nr == SYS_exit_group || count == 0) {
                continue;
            }
            std::vector<sb::ArgCondition> many;
            for (int i = 0; i < count; ++i) {
                many.push_back(sb::arg64(static_cast<unsigned>(i)) > 5);
            }
            huge.add(Action::fail(1), *sb::Syscalls::number(nr), many);
        }
        const auto built = huge.build();
        REQUIRE(built);
        const auto too_big = sb::compile_bpf(*built);
        REQUIRE_FALSE(too_big);
        CHECK(too_big.error().message.find("more than the kernel's limit of 4096") !=
              std::string::npos);
    }
}
