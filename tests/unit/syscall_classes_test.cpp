// SPDX-License-Identifier: MIT
// strace's syscall classes (syscall_classes.hpp): each set against the names of its syscalls,
// the lookup by name. The names are what strace 6.1 printed for `-e trace=%CLASS` on
// tests/strace/targets/every_syscall.cpp (plus the syscalls strace 6.1 does not know, see the
// header); tests/strace/strace_test.py `classes` checks them against strace itself.
#include <ptrace/syscall_classes.hpp>

#include <doctest/doctest.h>

#include <string_view>
#include <utility>
#include <vector>

using ptrace_api::SyscallSet;

namespace {

struct ClassNames {
    std::string_view name;
    std::vector<std::string_view> syscalls;
};

SyscallSet class_set_of(const std::vector<std::string_view>& names) {
    SyscallSet set;
    for (const std::string_view name : names) {
        const auto nr = ptrace_api::syscall_number(name);
        REQUIRE_MESSAGE(nr.has_value(), name);
        CHECK(set.insert(static_cast<std::uint64_t>(*nr)));
    }
    return set;
}

} // namespace

TEST_SUITE("unit") {

    TEST_CASE("syscall classes: every set is its syscalls' names") {
        const std::vector<ClassNames> classes{
            {"%file",
             {"open",
              "stat",
              "lstat",
              "access",
              "execve",
              "truncate",
              "getcwd",
              "chdir",
              "rename",
              "mkdir",
              "rmdir",
              "creat",
              "link",
              "unlink",
              "symlink",
              "readlink",
              "chmod",
              "chown",
              "lchown",
              "utime",
              "mknod",
              "uselib",
              "statfs",
              "pivot_root",
              "chroot",
              "acct",
              "mount",
              "umount2",
              "swapon",
              "swapoff",
              "quotactl",
              "setxattr",
              "lsetxattr",
              "getxattr",
              "lgetxattr",
              "listxattr",
              "llistxattr",
              "removexattr",
              "lremovexattr",
              "utimes",
              "inotify_add_watch",
              "openat",
              "mkdirat",
              "mknodat",
              "fchownat",
              "futimesat",
              "newfstatat",
              "unlinkat",
              "renameat",
              "linkat",
              "symlinkat",
              "readlinkat",
              "fchmodat",
              "faccessat",
              "utimensat",
              "fanotify_mark",
              "name_to_handle_at",
              "renameat2",
              "execveat",
              "statx",
              "open_tree",
              "move_mount",
              "fsconfig",
              "fspick",
              "openat2",
              "faccessat2",
              "mount_setattr",
              "fchmodat2",
              "setxattrat",
              "getxattrat",
              "listxattrat",
              "removexattrat",
              "open_tree_attr",
              "file_getattr",
              "file_setattr"}},
            {"%desc",
             {"read",
              "write",
              "open",
              "close",
              "fstat",
              "poll",
              "lseek",
              "mmap",
              "ioctl",
              "pread64",
              "pwrite64",
              "readv",
              "writev",
              "pipe",
              "select",
              "dup",
              "dup2",
              "sendfile",
              "fcntl",
              "flock",
              "fsync",
              "fdatasync",
              "ftruncate",
              "getdents",
              "fchdir",
              "creat",
              "fchmod",
              "fchown",
              "fstatfs",
              "readahead",
              "fsetxattr",
              "fgetxattr",
              "flistxattr",
              "fremovexattr",
              "epoll_create",
              "getdents64",
              "fadvise64",
              "epoll_wait",
              "epoll_ctl",
              "mq_open",
              "mq_timedsend",
              "mq_timedreceive",
              "mq_notify",
              "mq_getsetattr",
              "inotify_init",
              "inotify_add_watch",
              "inotify_rm_watch",
              "openat",
              "mkdirat",
              "mknodat",
              "fchownat",
              "futimesat",
              "newfstatat",
              "unlinkat",
              "renameat",
              "linkat",
              "symlinkat",
              "readlinkat",
              "fchmodat",
              "faccessat",
              "pselect6",
              "ppoll",
              "splice",
              "tee",
              "sync_file_range",
              "vmsplice",
              "utimensat",
              "epoll_pwait",
              "signalfd",
              "timerfd_create",
              "eventfd",
              "fallocate",
              "timerfd_settime",
              "timerfd_gettime",
              "signalfd4",
              "eventfd2",
              "epoll_create1",
              "dup3",
              "pipe2",
              "inotify_init1",
              "preadv",
              "pwritev",
              "perf_event_open",
              "fanotify_init",
              "fanotify_mark",
              "name_to_handle_at",
              "open_by_handle_at",
              "syncfs",
              "setns",
              "finit_module",
              "renameat2",
              "memfd_create",
              "kexec_file_load",
              "bpf",
              "execveat",
              "userfaultfd",
              "copy_file_range",
              "preadv2",
              "pwritev2",
              "statx",
              "pidfd_send_signal",
              "io_uring_setup",
              "io_uring_enter",
              "io_uring_register",
              "open_tree",
              "move_mount",
              "fsopen",
              "fsconfig",
              "fsmount",
              "fspick",
              "pidfd_open",
              "openat2",
              "pidfd_getfd",
              "faccessat2",
              "process_madvise",
              "epoll_pwait2",
              "mount_setattr",
              "quotactl_fd",
              "landlock_create_ruleset",
              "landlock_add_rule",
              "landlock_restrict_self",
              "memfd_secret",
              "process_mrelease",
              "cachestat",
              "fchmodat2",
              "setxattrat",
              "getxattrat",
              "listxattrat",
              "removexattrat",
              "open_tree_attr",
              "file_getattr",
              "file_setattr"}},
            {"%network",
             {"sendfile",    "socket",     "connect",    "accept",     "sendto",  "recvfrom",
              "sendmsg",     "recvmsg",    "shutdown",   "bind",       "listen",  "getsockname",
              "getpeername", "socketpair", "setsockopt", "getsockopt", "getpmsg", "putpmsg",
              "accept4",     "recvmmsg",   "sendmmsg"}},
            {"%process",
             {"clone", "fork", "vfork", "execve", "exit", "wait4", "kill", "rt_sigqueueinfo",
              "tkill", "exit_group", "tgkill", "waitid", "rt_tgsigqueueinfo", "execveat",
              "pidfd_send_signal", "clone3"}},
            {"%signal",
             {"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "pause", "kill", "rt_sigpending",
              "rt_sigtimedwait", "rt_sigqueueinfo", "rt_sigsuspend", "sigaltstack", "tkill",
              "tgkill", "signalfd", "signalfd4", "rt_tgsigqueueinfo", "pidfd_send_signal",
              "io_uring_enter"}},
            {"%memory",
             {"mmap",
              "mprotect",
              "munmap",
              "brk",
              "mremap",
              "msync",
              "mincore",
              "madvise",
              "shmat",
              "shmdt",
              "mlock",
              "munlock",
              "mlockall",
              "munlockall",
              "io_setup",
              "io_destroy",
              "remap_file_pages",
              "mbind",
              "set_mempolicy",
              "get_mempolicy",
              "migrate_pages",
              "move_pages",
              "mlock2",
              "pkey_mprotect",
              "io_uring_register",
              "set_mempolicy_home_node",
              "mseal"}},
            {"%ipc",
             {"shmget", "shmat", "shmctl", "semget", "semop", "semctl", "shmdt", "msgget", "msgsnd",
              "msgrcv", "msgctl", "semtimedop"}},
            {"%creds",
             {"getuid", "getgid", "setuid", "setgid", "geteuid", "getegid", "setreuid", "setregid",
              "getgroups", "setgroups", "setresuid", "getresuid", "setresgid", "getresgid",
              "setfsuid", "setfsgid", "capget", "capset", "prctl"}},
            {"%clock",
             {"gettimeofday", "adjtimex", "settimeofday", "time", "clock_settime", "clock_gettime",
              "clock_getres", "clock_adjtime"}},
        };
        for (const ClassNames& c : classes) {
            CAPTURE(c.name);
            const auto set = ptrace_api::syscall_class(c.name);
            REQUIRE(set.has_value());
            CHECK(*set == class_set_of(c.syscalls));
            CHECK(set->size() == c.syscalls.size());
        }
    }

    TEST_CASE("syscall classes: lookup by name, %net is %network") {
        static_assert(ptrace_api::syscall_class("%file")->contains(257)); // openat
        static_assert(!ptrace_api::syscall_class("%file")->contains(0));  // read
        CHECK(ptrace_api::syscall_class("%net") == ptrace_api::syscall_class("%network"));
        CHECK(ptrace_api::syscall_class("%network") == ptrace_api::syscall_classes::network);
        CHECK_FALSE(ptrace_api::syscall_class("file").has_value()); // the '%' is part of it
        CHECK_FALSE(ptrace_api::syscall_class("%").has_value());
        CHECK_FALSE(ptrace_api::syscall_class("%nosuch").has_value());
        CHECK_FALSE(ptrace_api::syscall_class("%FILE").has_value());
        CHECK(ptrace_api::syscall_class_table.size() == 10);
        for (const ptrace_api::SyscallClass& c : ptrace_api::syscall_class_table) {
            CAPTURE(c.name);
            CHECK_FALSE(c.set.empty()); // an empty set would mean "every syscall"
            for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
                if (c.set.contains(nr)) {
                    CHECK_FALSE(ptrace_api::syscall_name(static_cast<long>(nr)).empty());
                }
            }
        }
    }
}
