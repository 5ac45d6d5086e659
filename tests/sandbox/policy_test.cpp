// SPDX-License-Identifier: MIT
// The sandbox policy (issue 12, item 2) as a value: groups, PolicyBuilder's checks and
// precedence, and Policy::decide, the reference the kernel tests hold the BPF program to.
#include <ptrace/sandbox/groups.hpp>
#include <ptrace/sandbox/harden.hpp>
#include <ptrace/sandbox/policy.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "syscall_number.hpp"

namespace sb = ptrace_api::sandbox;
using sb::Action;
using sb::arg;
using sb::PolicyBuilder;

using sandbox_test::nr_of;

namespace {

using Args = std::array<std::uint64_t, 6>;

} // namespace

TEST_SUITE("sandbox") {

    TEST_CASE("groups: names start with @, are unique, and no group is empty") {
        std::set<std::string_view> names;
        for (const sb::SyscallGroup& g : sb::syscall_groups) {
            CHECK(g.name.front() == '@');
            CHECK(names.insert(g.name).second);
            CHECK_FALSE(g.members.empty());
            CHECK_FALSE(g.summary.empty());
            CHECK(sb::find_syscall_group(g.name) == &g);
        }
        CHECK(sb::find_syscall_group("@nothing") == nullptr);
        const sb::SyscallGroup* net = sb::find_syscall_group("@network-io");
        REQUIRE(net != nullptr);
        CHECK(net->members.contains(SYS_socket));
        CHECK(net->members.contains(SYS_connect));
        CHECK_FALSE(net->members.contains(SYS_openat));
        CHECK(sb::find_syscall_group("@io-uring")->members.contains(SYS_io_uring_setup));
    }

    TEST_CASE("Syscalls: names, numbers and groups; unknown names are nullopt at run time") {
        constexpr sb::Syscalls openat = "openat"; // checked at compile time
        static_assert(openat.set().contains(SYS_openat) && openat.set().size() == 1);
        static_assert(!openat.is_group());
        constexpr sb::Syscalls fs = "@file-system";
        static_assert(fs.is_group() && fs.set().contains(SYS_unlinkat));
        CHECK_FALSE(sb::Syscalls::named("opne").has_value());
        CHECK_FALSE(sb::Syscalls::named("@nope").has_value());
        CHECK_FALSE(sb::Syscalls::named("").has_value());
        CHECK(sb::Syscalls::number(400)->name().empty()); // no syscall 400 on x86_64
        CHECK_FALSE(sb::Syscalls::number(512).has_value());
        CHECK_FALSE(sb::Syscalls::number(-1).has_value());
    }

    TEST_CASE("decide: default, own rule, group rule, conditions in order (precedence)") {
        const auto built = PolicyBuilder(Action::fail(EPERM))
                               .allow("@file-system")
                               .deny("unlinkat", EACCES) // beats the group's allow
                               .allow("socket", {arg(0) == AF_UNIX})
                               .deny("socket", EAFNOSUPPORT, {arg(0) == AF_INET6})
                               .kill("socket", {arg(0) == AF_INET6}) // never reached: same
                               .build();                             // conditions -> conflict
        REQUIRE_FALSE(built);
        CHECK(built.error().message.find("conflicting rules: 'socket'") != std::string::npos);
        CHECK(built.error().where == sb::RuleOrigin{0, 5});

        const auto policy = PolicyBuilder(Action::fail(EPERM))
                                .allow("@file-system")
                                .deny("unlinkat", EACCES)
                                .allow("socket", {arg(0) == AF_UNIX})
                                .deny("socket", EAFNOSUPPORT, {arg(0) == AF_INET6})
                                .ask("openat", {(arg(2) & O_ACCMODE) == O_WRONLY})
                                .build();
        REQUIRE(policy);
        const Args none{};
        struct Row {
            long nr;
            Args args;
            Action expected;
        };
        const Row rows[] = {
            {SYS_getpid, none, Action::fail(EPERM)},    // default
            {SYS_mkdirat, none, Action::allow()},       // group
            {SYS_unlinkat, none, Action::fail(EACCES)}, // own beats group
            {SYS_socket, {AF_UNIX, 1, 0, 0, 0, 0}, Action::allow()},
            {SYS_socket, {AF_INET6, 1, 0, 0, 0, 0}, Action::fail(EAFNOSUPPORT)},
            {SYS_socket, {AF_INET, 1, 0, 0, 0, 0}, Action::fail(EPERM)}, // falls to default
            // 32-bit argument: junk in the high half does not hide AF_UNIX (Linux ignores it).
            {SYS_socket, {0xdead000000000000U | AF_UNIX, 1, 0, 0, 0, 0}, Action::allow()},
            // openat: write-only asks; anything else falls to the group's allow
            {SYS_openat, {0, 0, O_WRONLY, 0, 0, 0}, Action::ask()},
            {SYS_openat, {0, 0, O_RDONLY, 0, 0, 0}, Action::allow()},
        };
        for (const Row& row : rows) {
            CAPTURE(row.nr);
            CHECK(policy->decide(nr_of(row.nr), row.args) == row.expected);
        }
        CHECK(policy->needs_tracer());
        // Another architecture and x32 numbers are never judged by the table.
        CHECK(policy->decide(nr_of(SYS_mkdirat), none, false) == Action::kill());
        CHECK(policy->decide(0x40000000U | nr_of(SYS_mkdirat), none) == Action::kill());
        // Numbers no rule names, beyond the table too: the default.
        CHECK(policy->decide(600, none) == Action::fail(EPERM));
    }

    TEST_CASE("decide: masked equality and every ordered comparison, 32 and 64 bits") {
        const auto policy = PolicyBuilder(Action::allow())
                                .deny("openat", EACCES, {(arg(2) & O_ACCMODE) == O_WRONLY})
                                .deny("lseek", 1, {arg(1) > 100}) // off_t: 64 bits
                                .deny("lseek", 2, {arg(1) == 50})
                                .deny("read", 3, {arg(0) >= 3, arg(0) < 10}) // fd: 32 bits
                                .deny("mmap", 4, {arg(1) <= 4096})
                                .build();
        REQUIRE(policy);
        CHECK(policy->decide(nr_of(SYS_openat), {0, 0, O_WRONLY | O_CREAT, 0, 0, 0}) ==
              Action::fail(EACCES));
        CHECK(policy->decide(nr_of(SYS_openat), {0, 0, O_RDWR, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_lseek), {0, 101, 0, 0, 0, 0}) == Action::fail(1));
        CHECK(policy->decide(nr_of(SYS_lseek), {0, 100, 0, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_lseek), {0, 1ULL << 32, 0, 0, 0, 0}) == Action::fail(1));
        CHECK(policy->decide(nr_of(SYS_lseek), {0, 50, 0, 0, 0, 0}) == Action::fail(2));
        CHECK(policy->decide(nr_of(SYS_read), {3, 0, 0, 0, 0, 0}) == Action::fail(3));
        CHECK(policy->decide(nr_of(SYS_read), {9, 0, 0, 0, 0, 0}) == Action::fail(3));
        CHECK(policy->decide(nr_of(SYS_read), {10, 0, 0, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_read), {2, 0, 0, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_read), {(1ULL << 32) | 5, 0, 0, 0, 0, 0}) ==
              Action::fail(3)); // the kernel reads fd 5
        CHECK(policy->decide(nr_of(SYS_mmap), {0, 4096, 0, 0, 0, 0}) == Action::fail(4));
        CHECK(policy->decide(nr_of(SYS_mmap), {0, 4097, 0, 0, 0, 0}) == Action::allow());
    }

    TEST_CASE("build: bad input is refused with the rule it came from") {
        struct Row {
            PolicyBuilder builder;
            std::string_view message;
            sb::RuleOrigin where;
        };
        Row rows[] = {
            {PolicyBuilder(Action::fail(0)), "errno 0 is out of range", {}},
            {std::move(PolicyBuilder(Action::allow()).deny("read", 4096)),
             "errno 4096 is out of range",
             {0, 1}},
            {std::move(PolicyBuilder(Action::allow()).allow("read").deny("getpid").kill("read")),
             "conflicting rules: 'read' gets 'kill' here and 'allow' on rule 1",
             {0, 3}},
            {std::move(PolicyBuilder(Action::allow())
                           .allow("@process")
                           .deny("@signal")
                           .kill("@basic-io")),
             "", // no overlap between these groups: no error
             {}},
            {std::move(PolicyBuilder(Action::allow()).allow("@basic-io").deny("@file-system")),
             "conflicting rules: 'close' gets 'errno EPERM' here and 'allow' on rule 1",
             {0, 2}},
            {std::move(PolicyBuilder(Action::allow()).deny("@network-io", 1, {arg(0) == 1})),
             "conditions apply to single syscalls, not to group '@network-io'",
             {0, 1}},
            {std::move(PolicyBuilder(Action::allow()).deny("getpid", 1, {arg(0) == 1})),
             "argument 0 out of range: 'getpid' takes 0 arguments",
             {0, 1}},
            {std::move(PolicyBuilder(Action::allow()).deny("read", 1, {arg(0) == 0x100000000})),
             "bad value: 4294967296 does not fit argument 0 of 'read' (32 bits)",
             {0, 1}},
            {std::move(PolicyBuilder(Action::allow()).deny("openat", 1, {(arg(2) & 1) == 2})),
             "bad value: the compared value has bits outside the mask",
             {0, 1}},
            {std::move(PolicyBuilder(Action::allow())
                           .deny("lseek", 1,
                                 {arg(1) == 1, arg(1) == 2, arg(1) == 3, arg(1) == 4, arg(1) == 5,
                                  arg(1) == 6, arg(1) == 7, arg(1) == 8, arg(1) == 9, arg(1) == 10,
                                  arg(1) == 11, arg(1) == 12, arg(1) == 13})),
             "too many conditions (at most 12)",
             {0, 1}},
        };
        for (Row& row : rows) {
            CAPTURE(row.message);
            const auto built = row.builder.build();
            if (row.message.empty()) {
                CHECK(built);
                continue;
            }
            REQUIRE_FALSE(built);
            CHECK(built.error().message.find(row.message) != std::string::npos);
            CHECK(built.error().where == row.where);
        }
        // A negative int for a 32-bit argument is accepted (sign-extended, then cut).
        const auto negative =
            PolicyBuilder(Action::allow()).deny("read", 1, {arg(0) == -1}).build();
        REQUIRE(negative);
        CHECK(negative->decide(nr_of(SYS_read), {0xffffffffU, 0, 0, 0, 0, 0}) == Action::fail(1));
    }

    TEST_CASE("build: the normal form drops what changes nothing") {
        const auto policy = PolicyBuilder(Action::allow())
                                .allow("read")                 // = default
                                .allow("write", {arg(0) == 1}) // = fallback
                                .deny("close", 1, {arg(0) == 0})
                                .build();
        REQUIRE(policy);
        REQUIRE(policy->syscalls().size() == 1);
        CHECK(policy->syscalls()[0].nr == SYS_close);
        CHECK(policy->find(SYS_read) == nullptr);
        CHECK_FALSE(policy->needs_tracer());
    }
}

TEST_SUITE("sandbox") {

    TEST_CASE("width: 32-bit kernel arguments the table calls Flags, Hex, Mode or UInt compare "
              "32 bits by default (a high half set does not slip past)") {
        const auto policy = PolicyBuilder(Action::allow())
                                .deny("ioctl", EPERM, {arg(1) == 0x541b})     // FIONREAD
                                .deny("socket", EPERM, {arg(1) == 3})         // SOCK_RAW: int
                                .deny("mprotect", EPERM, {arg(2) == 7})       // unsigned long
                                .deny("fchmodat", EPERM, {arg(2) == 04755})   // umode_t
                                .deny("memfd_create", EPERM, {arg(1) == 0x8}) // MFD_HUGETLB
                                .build();
        REQUIRE(policy);
        const std::uint64_t high = 1ULL << 32;
        CHECK(policy->decide(nr_of(SYS_ioctl), {0, 0x541b | high, 0, 0, 0, 0}) ==
              Action::fail(EPERM));
        CHECK(policy->decide(nr_of(SYS_socket), {2, 3 | high, 0, 0, 0, 0}) == Action::fail(EPERM));
        CHECK(policy->decide(nr_of(SYS_fchmodat), {0, 0, 04755 | high, 0, 0, 0}) ==
              Action::fail(EPERM));
        CHECK(policy->decide(nr_of(SYS_memfd_create), {0, 0x8 | high, 0, 0, 0, 0}) ==
              Action::fail(EPERM));
        // The widths as resolved, from the kernel's prototypes: futex's u32 val3, preadv2's
        // rwf_t flags, fanotify_mark's u64 mask, mmap's unsigned long prot, read's size_t.
        const auto width = [](const char* name, unsigned index) {
            const auto p = PolicyBuilder(Action::allow())
                               .deny(*sb::Syscalls::named(name), EPERM, {arg(index) == 1})
                               .build();
            REQUIRE(p);
            const sb::SyscallRules* rules = p->find(*ptrace_api::syscall_number(name));
            REQUIRE(rules != nullptr);
            REQUIRE(rules->conditional.size() == 1);
            return rules->conditional[0].conditions.at(0).width;
        };
        CHECK(width("futex", 5) == sb::ArgWidth::Bits32);
        CHECK(width("preadv2", 5) == sb::ArgWidth::Bits32);
        CHECK(width("fanotify_mark", 2) == sb::ArgWidth::Bits64);
        CHECK(width("mmap", 2) == sb::ArgWidth::Bits64);
        CHECK(width("read", 2) == sb::ArgWidth::Bits64);
        CHECK(width("read", 0) == sb::ArgWidth::Bits32); // Fd
        // ptrace's request is a long that the kernel compares whole; its pid is cut to a pid_t.
        CHECK(width("ptrace", 0) == sb::ArgWidth::Bits64);
        CHECK(width("ptrace", 1) == sb::ArgWidth::Bits32);
        // A 64-bit argument keeps all 64 bits: the high half makes another value.
        CHECK(policy->decide(nr_of(SYS_mprotect), {0, 0, 7 | high, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_mprotect), {0, 0, 7, 0, 0, 0}) == Action::fail(EPERM));
    }

    TEST_CASE("harden: io_uring and @debug denied unless named; clone guards; listeners") {
        const auto plain = PolicyBuilder(Action::allow()).build();
        REQUIRE(plain);
        const sb::Policy h = sb::harden(*plain);
        const Args none{};
        // Typing into the terminal: refused on 32 bits, as the kernel reads the request.
        CHECK(h.decide(nr_of(SYS_ioctl), {0, 0x5412, 0, 0, 0, 0}) == Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_ioctl), {0, 0x5412 | (1ULL << 32), 0, 0, 0, 0}) ==
              Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_ioctl), {0, 0x541c, 0, 0, 0, 0}) == Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_ioctl), {0, 0x5401, 0, 0, 0, 0}) == Action::allow()); // TCGETS
        CHECK(h.decide(nr_of(SYS_pidfd_getfd), none) == Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_io_uring_setup), none) == Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_io_uring_enter), none) == Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_ptrace), none) == Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_process_vm_writev), none) == Action::fail(EPERM));
        CHECK(h.decide(nr_of(SYS_clone), {0x00800000 | SIGCHLD, 0, 0, 0, 0, 0}) ==
              Action::fail(EPERM)); // CLONE_UNTRACED
        CHECK(h.decide(nr_of(SYS_clone), {SIGCHLD, 0, 0, 0, 0, 0}) == Action::allow());
        CHECK(h.decide(nr_of(SYS_clone3), none) == Action::fail(ENOSYS));
        // No Ask or Log: a listener takes nothing from the sandbox, and is not refused.
        CHECK(h.decide(nr_of(SYS_seccomp), {1, 8, 0, 0, 0, 0}) == Action::allow());
        CHECK(h.decide(nr_of(SYS_getpid), none) == Action::allow());
        CHECK(sb::tracer_syscalls(h).empty());

        // Named by the policy: left to it. A policy that asks: listeners refused.
        const auto named = PolicyBuilder(Action::fail(EPERM))
                               .allow({"io_uring_setup"})
                               .allow("ptrace")
                               .kill("clone3")
                               .ask("openat")
                               .build();
        REQUIRE(named);
        const sb::Policy n = sb::harden(*named);
        CHECK(n.decide(nr_of(SYS_io_uring_setup), none) == Action::allow());
        CHECK(n.decide(nr_of(SYS_io_uring_enter), none) == Action::fail(EPERM));
        CHECK(n.decide(nr_of(SYS_ptrace), none) == Action::allow());
        CHECK(n.decide(nr_of(SYS_clone3), none) == Action::kill()); // refused already: kept
        CHECK(n.decide(nr_of(SYS_seccomp), {1, 8, 0, 0, 0, 0}) == Action::fail(EPERM));
        CHECK(n.decide(nr_of(SYS_seccomp), {1, 0, 0, 0, 0, 0}) == Action::fail(EPERM)); // default
        CHECK(sb::tracer_syscalls(n) == ptrace_api::SyscallSet{SYS_openat});
        CHECK(sb::denied_syscalls(n).contains(SYS_getpid));
        CHECK_FALSE(sb::denied_syscalls(n).contains(SYS_openat));

        const auto allow_seccomp = PolicyBuilder(Action::allow()).log("read").build();
        REQUIRE(allow_seccomp);
        const sb::Policy l = sb::harden(*allow_seccomp);
        CHECK(l.decide(nr_of(SYS_seccomp), {1, 8, 0, 0, 0, 0}) == Action::fail(EPERM));
        CHECK(l.decide(nr_of(SYS_seccomp), {1, 0, 0, 0, 0, 0}) == Action::allow());
        CHECK(l.decide(nr_of(SYS_seccomp), {0, 8, 0, 0, 0, 0}) == Action::allow());
        // A skipped syscall (-1) is always allowed: Linux checks it again after the tracer.
        CHECK(l.decide(0xffffffffU, none) == Action::allow());
    }
}
