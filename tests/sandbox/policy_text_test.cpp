// SPDX-License-Identifier: MIT
// The text format of sandbox policies (issue 12, item 2): what it accepts, the errors it gives
// (line, column, problem), its constants against the system's headers, and the round trip
// through format_policy.
#include <ptrace/sandbox/policy_text.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "syscall_number.hpp"

namespace sb = ptrace_api::sandbox;
using sb::Action;

using sandbox_test::nr_of;

namespace {

std::uint64_t host(long long v) {
    return static_cast<std::uint64_t>(v);
}

} // namespace

TEST_SUITE("sandbox") {

    TEST_CASE("text: a policy with every kind of statement") {
        const auto policy = sb::parse_policy(R"(# a web worker
default errno EPERM
allow @basic-io, @memory @signal   # groups, commas or spaces
allow exit_group
allow socket if arg0 == AF_UNIX and arg1 & SOCK_STREAM|SOCK_DGRAM == SOCK_STREAM
errno EAFNOSUPPORT socket
allow openat if arg2 & O_ACCMODE == O_RDONLY
ask openat
log 334
kill ptrace process_vm_readv
errno 4000 getpid
deny unlinkat
allow ioctl if arg1.32 <= 0x10 and arg2 != 2
)");
        REQUIRE_MESSAGE(policy.has_value(), (policy ? std::string() : policy.error().describe()));
        CHECK(policy->default_action() == Action::fail(EPERM));
        CHECK(policy->decide(nr_of(SYS_read), {}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_mmap), {}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_socket),
                             {AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_socket), {AF_UNIX, SOCK_DGRAM, 0, 0, 0, 0}) ==
              Action::fail(EAFNOSUPPORT));
        CHECK(policy->decide(nr_of(SYS_socket), {AF_INET, SOCK_STREAM, 0, 0, 0, 0}) ==
              Action::fail(EAFNOSUPPORT));
        CHECK(policy->decide(nr_of(SYS_openat), {host(AT_FDCWD), 0, O_RDONLY | O_CLOEXEC, 0, 0,
                                                 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_openat), {host(AT_FDCWD), 0, O_WRONLY, 0, 0, 0}) ==
              Action::ask());
        CHECK(policy->decide(334, {}) == Action::log());
        CHECK(policy->decide(nr_of(SYS_ptrace), {}) == Action::kill());
        CHECK(policy->decide(nr_of(SYS_getpid), {}) == Action::fail(4000));
        CHECK(policy->decide(nr_of(SYS_unlinkat), {}) == Action::fail(EPERM));
        // ioctl's request compared in 32 bits, as asked: the high half does not count.
        CHECK(policy->decide(nr_of(SYS_ioctl), {3, 0x100000010U, 0, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_ioctl), {3, 0x11, 0, 0, 0, 0}) == Action::fail(EPERM));
        CHECK(policy->decide(nr_of(SYS_ioctl), {3, 0, 2, 0, 0, 0}) == Action::fail(EPERM));
        CHECK(policy->needs_tracer());
    }

    TEST_CASE("text: errors name the line, the column and the problem") {
        struct Row {
            std::string_view text;
            std::size_t line;
            std::size_t column;
            std::string_view message;
        };
        const Row rows[] = {
            {"default allow\nallow opne\n", 2, 7, "unknown syscall 'opne'"},
            {"default allow\nallow @files\n", 2, 7, "unknown group '@files'"},
            {"default allow\npermit read\n", 2, 1, "unknown action 'permit'"},
            {"default allow\nerrno EPERN read\n", 2, 7, "unknown errno 'EPERN'"},
            {"default allow\nerrno 5000 read\n", 2, 7, "errno '5000' is not a number from 1"},
            {"default allow\nerrno\n", 2, 6, "expected an errno name or number"},
            {"default allow\nallow 512\n", 2, 7, "syscall number '512' out of range (0 to 511)"},
            {"default allow\nallow\n", 2, 6, "expected a syscall name, number or @group"},
            {"allow read\n", 1, 1, "no default action"},
            {"", 1, 1, "no default action"},
            {"default allow\ndefault kill\n", 2, 1,
             "a second default action (the first is on "
             "line 1)"},
            {"default allow\nallow read\ndeny read\n", 3, 6,
             "conflicting rules: 'read' gets 'errno EPERM' here and 'allow' on line 2"},
            {"default allow\ndeny socket if arg0 == AF_UNIXX\n", 2, 24,
             "unknown constant 'AF_UNIXX'"},
            {"default allow\ndeny socket if arg6 == 1\n", 2, 16, "out of range (arg0 to arg5)"},
            {"default allow\ndeny socket if argv == 1\n", 2, 16, "expected an argument"},
            {"default allow\ndeny socket if arg0.16 == 1\n", 2, 16, "bad width"},
            {"default allow\ndeny socket if arg0 = 1\n", 2, 21, "unexpected character '='"},
            {"default allow\ndeny socket if arg0 1\n", 2, 21, "expected a comparison"},
            {"default allow\ndeny socket if arg0 & 1 != 1\n", 2, 25,
             "expected '==' after the mask"},
            {"default allow\ndeny socket if arg0 == 0x1g\n", 2, 24, "bad value '0x1g'"},
            {"default allow\ndeny socket if arg0 < -1\n", 2, 23,
             "ordered comparisons are unsigned"},
            {"default allow\ndeny socket if arg0 == 1 arg1\n", 2, 26, "unexpected 'arg1'"},
            {"default allow\ndeny socket if arg0 == 1 and\n", 2, 29, "expected an argument"},
            {"default allow\ndeny @network-io if arg0 == 1\n", 2, 6,
             "conditions apply to single syscalls, not to group '@network-io'"},
            {"default allow\ndeny socket if arg3 == 1\n", 2, 6,
             "argument 3 out of range: 'socket' takes 3 arguments"},
            {"default allow\ndeny read if arg0 == 0x100000000\n", 2, 6,
             "does not fit argument 0 of 'read' (32 bits)"},
            {"default allow\ndeny openat if arg2 & 1 == 2\n", 2, 6, "bits outside the mask"},
            {"default allow\ndeny read $\n", 2, 11, "unexpected character '$'"},
            {"default allow extra\n", 1, 15, "unexpected 'extra'"},
        };
        for (const Row& row : rows) {
            CAPTURE(row.text);
            const auto policy = sb::parse_policy(row.text);
            REQUIRE_FALSE(policy);
            CHECK(policy.error().where.line == row.line);
            CHECK(policy.error().where.column == row.column);
            CHECK_MESSAGE(policy.error().message.find(row.message) != std::string::npos,
                          policy.error().message);
        }
        const auto bad = sb::parse_policy("default allow\nallow opne\n");
        CHECK(bad.error().describe("web.policy") == "web.policy:2:7: unknown syscall 'opne'");
    }

    TEST_CASE("text: numbers in every base, negative ints, comments and blank lines") {
        const auto policy = sb::parse_policy("  # nothing\n\n\tdefault allow # x\r\n"
                                             "deny read if arg0 == -1\n"
                                             "deny write if arg0 == 010 and arg2 >= 0x20\n"
                                             "deny close if arg0 == 7\n");
        REQUIRE_MESSAGE(policy.has_value(), (policy ? std::string() : policy.error().describe()));
        CHECK(policy->decide(nr_of(SYS_read), {0xffffffffU, 0, 0, 0, 0, 0}) == Action::fail(1));
        CHECK(policy->decide(nr_of(SYS_write), {8, 0, 0x20, 0, 0, 0}) == Action::fail(1));
        CHECK(policy->decide(nr_of(SYS_write), {8, 0, 0x1f, 0, 0, 0}) == Action::allow());
        CHECK(policy->decide(nr_of(SYS_close), {7, 0, 0, 0, 0, 0}) == Action::fail(1));
    }

    TEST_CASE("text: the constants are Linux x86_64's values") {
        struct Row {
            std::string_view name;
            std::uint64_t value;
        };
        const Row rows[] = {
            {"AF_UNIX", AF_UNIX},
            {"AF_LOCAL", AF_LOCAL},
            {"AF_INET", AF_INET},
            {"AF_INET6", AF_INET6},
            {"AF_NETLINK", AF_NETLINK},
            {"AF_PACKET", AF_PACKET},
            {"AF_VSOCK", AF_VSOCK},
            {"AF_UNSPEC", AF_UNSPEC},
            {"SOCK_STREAM", SOCK_STREAM},
            {"SOCK_DGRAM", SOCK_DGRAM},
            {"SOCK_RAW", SOCK_RAW},
            {"SOCK_SEQPACKET", SOCK_SEQPACKET},
            {"SOCK_NONBLOCK", SOCK_NONBLOCK},
            {"SOCK_CLOEXEC", SOCK_CLOEXEC},
            {"O_RDONLY", O_RDONLY},
            {"O_WRONLY", O_WRONLY},
            {"O_RDWR", O_RDWR},
            {"O_ACCMODE", O_ACCMODE},
            {"O_CREAT", O_CREAT},
            {"O_EXCL", O_EXCL},
            {"O_NOCTTY", O_NOCTTY},
            {"O_TRUNC", O_TRUNC},
            {"O_APPEND", O_APPEND},
            {"O_NONBLOCK", O_NONBLOCK},
            {"O_DSYNC", O_DSYNC},
            {"O_DIRECT", O_DIRECT},
            {"O_LARGEFILE", 0100000}, // glibc defines O_LARGEFILE as 0 for 64-bit programs
            {"O_DIRECTORY", O_DIRECTORY},
            {"O_NOFOLLOW", O_NOFOLLOW},
            {"O_NOATIME", O_NOATIME},
            {"O_CLOEXEC", O_CLOEXEC},
            {"O_SYNC", O_SYNC},
            {"O_PATH", O_PATH},
            {"O_TMPFILE", O_TMPFILE},
            {"AT_FDCWD", host(AT_FDCWD)},
            {"AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW},
            {"AT_REMOVEDIR", AT_REMOVEDIR},
            {"AT_EMPTY_PATH", AT_EMPTY_PATH},
            {"PROT_NONE", PROT_NONE},
            {"PROT_READ", PROT_READ},
            {"PROT_WRITE", PROT_WRITE},
            {"PROT_EXEC", PROT_EXEC},
            {"MAP_SHARED", MAP_SHARED},
            {"MAP_PRIVATE", MAP_PRIVATE},
            {"MAP_FIXED", MAP_FIXED},
            {"MAP_ANONYMOUS", MAP_ANONYMOUS},
            {"CLONE_VM", CLONE_VM},
            {"CLONE_FS", CLONE_FS},
            {"CLONE_FILES", CLONE_FILES},
            {"CLONE_SIGHAND", CLONE_SIGHAND},
            {"CLONE_PIDFD", CLONE_PIDFD},
            {"CLONE_PTRACE", CLONE_PTRACE},
            {"CLONE_VFORK", CLONE_VFORK},
            {"CLONE_PARENT", CLONE_PARENT},
            {"CLONE_THREAD", CLONE_THREAD},
            {"CLONE_NEWNS", CLONE_NEWNS},
            {"CLONE_SYSVSEM", CLONE_SYSVSEM},
            {"CLONE_SETTLS", CLONE_SETTLS},
            {"CLONE_PARENT_SETTID", CLONE_PARENT_SETTID},
            {"CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID},
            {"CLONE_UNTRACED", CLONE_UNTRACED},
            {"CLONE_CHILD_SETTID", CLONE_CHILD_SETTID},
            {"CLONE_NEWCGROUP", CLONE_NEWCGROUP},
            {"CLONE_NEWUTS", CLONE_NEWUTS},
            {"CLONE_NEWIPC", CLONE_NEWIPC},
            {"CLONE_NEWUSER", CLONE_NEWUSER},
            {"CLONE_NEWPID", CLONE_NEWPID},
            {"CLONE_NEWNET", CLONE_NEWNET},
            {"CLONE_IO", CLONE_IO},
            {"TIOCSTI", TIOCSTI},
            {"FIONREAD", FIONREAD},
            {"TCGETS", TCGETS},
        };
        CHECK(std::size(rows) == sb::policy_constants.size());
        for (const Row& row : rows) {
            CAPTURE(row.name);
            CHECK(sb::policy_constant(row.name) == row.value);
        }
        CHECK(sb::policy_constant("SIGKILL") == 9U);
        CHECK_FALSE(sb::policy_constant("NOPE").has_value());
    }

    TEST_CASE("text: format_policy reads back into an equal policy") {
        const auto original = sb::parse_policy("default errno EPERM\n"
                                               "allow @file-system @basic-io\n"
                                               "deny unlinkat\n"
                                               "allow socket if arg0 == AF_UNIX\n"
                                               "ask openat if arg2 & O_ACCMODE == O_WRONLY\n"
                                               "log 334\n"
                                               "kill lseek if arg0 > 3 and arg1.32 <= 7\n"
                                               "errno 4000 mmap if arg0 != 0x123456789\n");
        REQUIRE(original);
        const std::string text = sb::format_policy(*original);
        const auto again = sb::parse_policy(text);
        REQUIRE_MESSAGE(again.has_value(),
                        (again ? std::string() : again.error().describe() + "\n" + text));
        CHECK(*again == *original);
        CHECK(text.find("allow socket if arg0.32 == 0x1\n") != std::string::npos);
        CHECK(text.find("errno EPERM unlinkat") == std::string::npos); // it is the default
    }
}
