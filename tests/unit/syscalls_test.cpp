// SPDX-License-Identifier: MIT
// Tests the x86_64 syscall table: invariants, common signatures, <asm/unistd_64.h> agreement.
#include <ptrace/syscalls.hpp>

#include <doctest/doctest.h>

#include <array>
#include <climits>
#include <cstddef>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <asm/unistd_64.h>

using ptrace_api::ArgKind;
using ptrace_api::max_syscall_number;
using ptrace_api::syscall_display_name;
using ptrace_api::syscall_info;
using ptrace_api::syscall_name;
using ptrace_api::syscall_number;
using ptrace_api::syscall_table;

// Lookups are usable at compile time.
static_assert(syscall_name(0) == "read");
static_assert(syscall_number("openat") == 257);
static_assert(syscall_info(257)->args[1] == ArgKind::Path);
static_assert(!syscall_info(-1).has_value());
static_assert(syscall_name(max_syscall_number + 1).empty());

namespace {

struct Signature {
    std::string_view name;
    std::vector<ArgKind> args;
    ArgKind ret = ArgKind::Long;
};

std::string kinds_to_string(const ptrace_api::SyscallInfo& info) {
    std::string out;
    for (int i = 0; i < info.arg_count; ++i) {
        out += i == 0 ? "" : ", ";
        out += ptrace_api::arg_kind_name(info.args[static_cast<std::size_t>(i)]);
    }
    return out + " -> " + std::string{ptrace_api::arg_kind_name(info.ret)};
}

} // namespace

TEST_SUITE("syscalls") {

    TEST_CASE("the table is sorted, unique, and padded with ArgKind::None") {
        std::set<std::string_view> names;
        int previous = -1;
        for (const auto& info : syscall_table) {
            CAPTURE(info.name);
            CHECK(info.number > previous);
            previous = info.number;
            CHECK(!info.name.empty());
            CHECK(names.insert(info.name).second);
            REQUIRE(info.arg_count >= 0);
            REQUIRE(info.arg_count <= 6);
            for (std::size_t i = static_cast<std::size_t>(info.arg_count); i < info.args.size();
                 ++i) {
                CHECK(info.args[i] == ArgKind::None);
            }
            CHECK(info.ret != ArgKind::String);
            CHECK(info.ret != ArgKind::OutString);
            CHECK(info.ret != ArgKind::Path);
        }
        CHECK(previous == max_syscall_number);
    }

    TEST_CASE("string buffers are followed by their length argument") {
        for (const auto& info : syscall_table) {
            for (int i = 0; i < info.arg_count; ++i) {
                const ArgKind kind = info.args[static_cast<std::size_t>(i)];
                if (kind == ArgKind::String || kind == ArgKind::OutString) {
                    CAPTURE(info.name);
                    CAPTURE(i);
                    REQUIRE(i + 1 < info.arg_count);
                    CHECK(info.args[static_cast<std::size_t>(i + 1)] == ArgKind::UInt);
                }
            }
        }
    }

    TEST_CASE("argument widths: ints 32 bits but ptrace's request, addresses 64, the rest as "
              "the kernel declares them") {
        const auto is_address = [](ArgKind kind) {
            return kind == ArgKind::Pointer || kind == ArgKind::Path || kind == ArgKind::String ||
                   kind == ArgKind::OutString || kind == ArgKind::StringArray;
        };
        int wide_ints = 0;
        int narrow_others = 0;
        std::set<std::string_view> with_narrow_others;
        for (const auto& info : syscall_table) {
            CAPTURE(info.name);
            // No bit past the arguments.
            CHECK((info.narrow_args >> info.arg_count) == 0);
            for (unsigned i = 0; i < static_cast<unsigned>(info.arg_count); ++i) {
                CAPTURE(i);
                const ArgKind kind = info.args[i];
                const bool int_kind =
                    kind == ArgKind::Int || kind == ArgKind::Fd || kind == ArgKind::Signal;
                if (is_address(kind)) {
                    CHECK(!info.arg_is_narrow(i));
                } else if (int_kind && !info.arg_is_narrow(i)) {
                    ++wide_ints;
                } else if (!int_kind && info.arg_is_narrow(i)) {
                    ++narrow_others;
                    with_narrow_others.insert(info.name);
                }
            }
            CHECK(!info.arg_is_narrow(6));
            CHECK(!info.arg_is_narrow(UINT_MAX));
        }
        // One int-kind argument is a long the kernel compares whole: ptrace's request.
        CHECK(wide_ints == 1);
        CHECK(!syscall_info(__NR_ptrace)->arg_is_narrow(0));
        CHECK(syscall_info(__NR_ptrace)->arg_is_narrow(1)); // pid_t
        // The flags, modes, requests and counts (kinds about printing) the kernel declares 32
        // bits wide, checked against its prototypes (tools/gen_syscalls.py): a change here
        // must be one of those.
        CHECK(narrow_others == 177);
        CHECK(with_narrow_others.size() == 149);
        const auto narrow = [](long nr, unsigned index) {
            return syscall_info(nr)->arg_is_narrow(index);
        };
        CHECK(narrow(__NR_ioctl, 1));          // unsigned int cmd
        CHECK(!narrow(__NR_ioctl, 2));         // unsigned long arg
        CHECK(narrow(__NR_openat, 2));         // int flags
        CHECK(narrow(__NR_openat, 3));         // umode_t mode
        CHECK(narrow(__NR_futex, 5));          // u32 val3
        CHECK(narrow(__NR_preadv2, 5));        // rwf_t flags
        CHECK(!narrow(__NR_fanotify_mark, 2)); // __u64 mask
        CHECK(!narrow(__NR_mmap, 2));          // unsigned long prot
        CHECK(narrow(__NR_mmap, 4));           // fd: unsigned long, cut to an unsigned int by fget
        CHECK(!narrow(__NR_lseek, 1));         // off_t offset
        CHECK(!narrow(__NR_read, 2));          // size_t count
        CHECK(narrow(__NR_read, 0));           // unsigned int fd
    }

    TEST_CASE("every number from 0 to the maximum is a syscall except the reserved 337..423") {
        for (long nr = 0; nr <= max_syscall_number; ++nr) {
            CAPTURE(nr);
            const bool reserved = nr >= 337 && nr <= 423;
            CHECK(syscall_info(nr).has_value() == !reserved);
            CHECK(syscall_name(nr).empty() == reserved);
            if (!reserved) {
                CHECK(syscall_info(nr)->number == nr);
                CHECK(syscall_number(syscall_name(nr)) == nr);
            }
        }
        CHECK(syscall_table.size() == 337 + (static_cast<std::size_t>(max_syscall_number) - 423));
    }

    TEST_CASE("every __NR_ macro of the installed <asm/unistd_64.h> has the same number and name") {
        const std::array<const char*, 2> candidates = {
            "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
            "/usr/include/asm/unistd_64.h",
        };
        std::ifstream in;
        for (const char* path : candidates) {
            in.open(path);
            if (in) {
                break;
            }
            in.clear();
        }
        if (!in) {
            MESSAGE("asm/unistd_64.h not found; skipping the file cross-check");
            return;
        }
        // Lines look like "#define __NR_read 0".
        constexpr std::string_view prefix = "#define __NR_";
        std::string line;
        int seen = 0;
        long highest = -1;
        while (std::getline(in, line)) {
            if (!line.starts_with(prefix)) {
                continue;
            }
            std::istringstream fields(line.substr(prefix.size()));
            std::string name;
            long nr = -1;
            if (!(fields >> name >> nr)) {
                continue;
            }
            CAPTURE(name);
            CHECK(syscall_number(name) == nr);
            CHECK(syscall_name(nr) == name);
            highest = nr > highest ? nr : highest;
            ++seen;
        }
        CHECK(seen >= 360);
        CHECK(highest <= max_syscall_number);
    }

    TEST_CASE("the __NR_ macros agree at compile time") {
#define PTRACE_API_CHECK_NR(name)                                                                  \
    CHECK(syscall_number(#name) == __NR_##name);                                                   \
    CHECK(syscall_name(__NR_##name) == #name)
        PTRACE_API_CHECK_NR(read);
        PTRACE_API_CHECK_NR(write);
        PTRACE_API_CHECK_NR(openat);
        PTRACE_API_CHECK_NR(close);
        PTRACE_API_CHECK_NR(mmap);
        PTRACE_API_CHECK_NR(rt_sigaction);
        PTRACE_API_CHECK_NR(ioctl);
        PTRACE_API_CHECK_NR(clone);
        PTRACE_API_CHECK_NR(execve);
        PTRACE_API_CHECK_NR(exit_group);
        PTRACE_API_CHECK_NR(newfstatat);
        PTRACE_API_CHECK_NR(prlimit64);
        PTRACE_API_CHECK_NR(rseq);
        PTRACE_API_CHECK_NR(pidfd_send_signal);
        PTRACE_API_CHECK_NR(clone3);
        PTRACE_API_CHECK_NR(faccessat2);
#ifdef __NR_set_mempolicy_home_node
        PTRACE_API_CHECK_NR(set_mempolicy_home_node);
#endif
#ifdef __NR_mseal
        PTRACE_API_CHECK_NR(mseal);
#endif
#ifdef __NR_listns
        PTRACE_API_CHECK_NR(listns);
#endif
#undef PTRACE_API_CHECK_NR
    }

    TEST_CASE("syscalls newer than the installed header are in the table") {
        CHECK(syscall_number("uretprobe") == 335);
        CHECK(syscall_number("uprobe") == 336);
        CHECK(syscall_number("cachestat") == 451);
        CHECK(syscall_number("fchmodat2") == 452);
        CHECK(syscall_number("map_shadow_stack") == 453);
        CHECK(syscall_number("futex_wake") == 454);
        CHECK(syscall_number("futex_wait") == 455);
        CHECK(syscall_number("futex_requeue") == 456);
        CHECK(syscall_number("statmount") == 457);
        CHECK(syscall_number("listmount") == 458);
        CHECK(syscall_number("lsm_get_self_attr") == 459);
        CHECK(syscall_number("lsm_set_self_attr") == 460);
        CHECK(syscall_number("lsm_list_modules") == 461);
        CHECK(syscall_number("mseal") == 462);
        CHECK(syscall_number("setxattrat") == 463);
        CHECK(syscall_number("getxattrat") == 464);
        CHECK(syscall_number("listxattrat") == 465);
        CHECK(syscall_number("removexattrat") == 466);
        CHECK(syscall_number("open_tree_attr") == 467);
        CHECK(syscall_number("file_getattr") == 468);
        CHECK(syscall_number("file_setattr") == 469);
        CHECK(syscall_number("listns") == 470);
    }

    TEST_CASE("signatures of the syscalls a strace clone meets most") {
        using K = ArgKind;
        const std::vector<Signature> expected = {
            {"read", {K::Fd, K::OutString, K::UInt}},
            {"write", {K::Fd, K::String, K::UInt}},
            {"open", {K::Path, K::Flags, K::Mode}, K::Fd},
            {"openat", {K::Fd, K::Path, K::Flags, K::Mode}, K::Fd},
            {"close", {K::Fd}},
            {"stat", {K::Path, K::Pointer}},
            {"fstat", {K::Fd, K::Pointer}},
            {"lstat", {K::Path, K::Pointer}},
            {"newfstatat", {K::Fd, K::Path, K::Pointer, K::Flags}},
            {"statx", {K::Fd, K::Path, K::Flags, K::Flags, K::Pointer}},
            {"poll", {K::Pointer, K::UInt, K::Int}},
            {"ppoll", {K::Pointer, K::UInt, K::Pointer, K::Pointer, K::UInt}},
            {"lseek", {K::Fd, K::Long, K::Int}},
            {"mmap", {K::Pointer, K::UInt, K::Flags, K::Flags, K::Fd, K::Hex}, K::Pointer},
            {"mprotect", {K::Pointer, K::UInt, K::Flags}},
            {"munmap", {K::Pointer, K::UInt}},
            {"mremap", {K::Pointer, K::UInt, K::UInt, K::Flags, K::Pointer}, K::Pointer},
            {"madvise", {K::Pointer, K::UInt, K::Int}},
            {"brk", {K::Pointer}, K::Pointer},
            {"rt_sigaction", {K::Signal, K::Pointer, K::Pointer, K::UInt}},
            {"rt_sigprocmask", {K::Int, K::Pointer, K::Pointer, K::UInt}},
            {"rt_sigreturn", {}},
            {"sigaltstack", {K::Pointer, K::Pointer}},
            {"ioctl", {K::Fd, K::Hex, K::Hex}},
            {"pread64", {K::Fd, K::OutString, K::UInt, K::Long}},
            {"pwrite64", {K::Fd, K::String, K::UInt, K::Long}},
            {"readv", {K::Fd, K::Pointer, K::UInt}},
            {"writev", {K::Fd, K::Pointer, K::UInt}},
            {"access", {K::Path, K::Flags}},
            {"faccessat2", {K::Fd, K::Path, K::Flags, K::Flags}},
            {"pipe", {K::Pointer}},
            {"pipe2", {K::Pointer, K::Flags}},
            {"select", {K::Int, K::Pointer, K::Pointer, K::Pointer, K::Pointer}},
            {"sched_yield", {}},
            {"dup", {K::Fd}, K::Fd},
            {"dup2", {K::Fd, K::Fd}, K::Fd},
            {"dup3", {K::Fd, K::Fd, K::Flags}, K::Fd},
            {"nanosleep", {K::Pointer, K::Pointer}},
            {"getpid", {}},
            {"getppid", {}},
            {"getuid", {}},
            {"getgid", {}},
            {"geteuid", {}},
            {"getegid", {}},
            {"clone", {K::Flags, K::Pointer, K::Pointer, K::Pointer, K::Hex}},
            {"clone3", {K::Pointer, K::UInt}},
            {"fork", {}},
            {"vfork", {}},
            {"execve", {K::Path, K::StringArray, K::StringArray}},
            {"execveat", {K::Fd, K::Path, K::StringArray, K::StringArray, K::Flags}},
            {"exit", {K::Int}, K::None},
            {"exit_group", {K::Int}, K::None},
            {"wait4", {K::Int, K::Pointer, K::Flags, K::Pointer}},
            {"kill", {K::Int, K::Signal}},
            {"tgkill", {K::Int, K::Int, K::Signal}},
            {"uname", {K::Pointer}},
            {"fcntl", {K::Fd, K::Int, K::Hex}},
            {"getdents64", {K::Fd, K::Pointer, K::UInt}},
            {"getcwd", {K::OutString, K::UInt}},
            {"chdir", {K::Path}},
            {"rename", {K::Path, K::Path}},
            {"mkdir", {K::Path, K::Mode}},
            {"rmdir", {K::Path}},
            {"unlink", {K::Path}},
            {"readlink", {K::Path, K::OutString, K::UInt}},
            {"arch_prctl", {K::Int, K::Hex}},
            {"set_tid_address", {K::Pointer}},
            {"set_robust_list", {K::Pointer, K::UInt}},
            {"rseq", {K::Pointer, K::Hex, K::Flags, K::Hex}},
            {"prlimit64", {K::Int, K::Int, K::Pointer, K::Pointer}},
            {"getrandom", {K::OutString, K::UInt, K::Flags}},
            {"futex", {K::Pointer, K::Int, K::Int, K::Pointer, K::Pointer, K::Hex}},
            {"socket", {K::Int, K::Flags, K::Int}, K::Fd},
            {"connect", {K::Fd, K::Pointer, K::Int}},
            {"sendto", {K::Fd, K::String, K::UInt, K::Flags, K::Pointer, K::Int}},
            {"recvfrom", {K::Fd, K::OutString, K::UInt, K::Flags, K::Pointer, K::Pointer}},
            {"epoll_create1", {K::Flags}, K::Fd},
            {"epoll_ctl", {K::Fd, K::Int, K::Fd, K::Pointer}},
            {"epoll_wait", {K::Fd, K::Pointer, K::Int, K::Int}},
            {"epoll_pwait", {K::Fd, K::Pointer, K::Int, K::Int, K::Pointer, K::UInt}},
            {"getrusage", {K::Int, K::Pointer}},
            {"sysinfo", {K::Pointer}},
            {"umask", {K::Mode}, K::Mode},
            {"preadv2", {K::Fd, K::Pointer, K::UInt, K::Long, K::None, K::Flags}},
        };
        for (const Signature& sig : expected) {
            CAPTURE(sig.name);
            const auto nr = syscall_number(sig.name);
            REQUIRE(nr.has_value());
            const auto info = syscall_info(*nr);
            REQUIRE(info.has_value());
            CAPTURE(kinds_to_string(*info));
            CHECK(info->arg_count == static_cast<int>(sig.args.size()));
            for (std::size_t i = 0; i < sig.args.size(); ++i) {
                CHECK(ptrace_api::arg_kind_name(info->args[i]) ==
                      ptrace_api::arg_kind_name(sig.args[i]));
            }
            CHECK(ptrace_api::arg_kind_name(info->ret) == ptrace_api::arg_kind_name(sig.ret));
        }
    }

    TEST_CASE("unknown numbers and names") {
        for (const long nr : {-1L, -2L, 337L, 400L, 423L, max_syscall_number + 1, 512L, 547L, 999L,
                              0x40000000L | 39L, LONG_MAX, LONG_MIN}) {
            CAPTURE(nr);
            CHECK_FALSE(syscall_info(nr).has_value());
            CHECK(syscall_name(nr).empty());
        }
        for (const std::string_view name :
             {"", "READ", "read ", "syscall_0x3e7", "sys_read", "x"}) {
            CAPTURE(name);
            CHECK_FALSE(syscall_number(name).has_value());
        }
    }

    TEST_CASE("display names follow strace's syscall_%#lx for unknown numbers") {
        CHECK(syscall_display_name(0) == "read");
        CHECK(syscall_display_name(257) == "openat");
        CHECK(syscall_display_name(999) == "syscall_0x3e7");
        CHECK(syscall_display_name(337) == "syscall_0x151");
        CHECK(syscall_display_name(512) == "syscall_0x200");
        CHECK(syscall_display_name(-1) == "syscall_0xffffffffffffffff");
        CHECK(syscall_display_name(LONG_MIN) == "syscall_0x8000000000000000");
        CHECK(syscall_display_name(LONG_MAX) == "syscall_0x7fffffffffffffff");
    }

} // TEST_SUITE
