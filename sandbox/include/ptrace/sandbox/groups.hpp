// SPDX-License-Identifier: MIT
// Named groups of syscalls for sandbox policies (issue 12), in the spirit of systemd's
// SystemCallFilter= groups: `@file-system`, `@network-io`, `@process`... Each group is a
// constexpr SyscallSet built from names the compiler checks against the syscall table
// (<ptrace/syscalls.hpp>); sandbox/README.md lists what each group is for.
#pragma once

#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>

#include <array>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace ptrace_api::sandbox {

namespace detail {

/// Not constexpr on purpose: a group naming a syscall the table does not have fails to
/// compile, with this function's name in the compiler's message.
void group_names_an_unknown_syscall();

consteval SyscallSet set_of(std::initializer_list<std::string_view> names) {
    SyscallSet set;
    for (const std::string_view name : names) {
        const std::optional<long> nr = syscall_number(name);
        if (!nr) {
            group_names_an_unknown_syscall();
        }
        (void)set.insert(static_cast<std::uint64_t>(*nr));
    }
    return set;
}

} // namespace detail

/// A named group of syscalls.
struct SyscallGroup {
    std::string_view name;    ///< "@file-system"
    std::string_view summary; ///< one line: what the group is for
    SyscallSet members;
};

// clang-format off
inline constexpr std::array<SyscallGroup, 17> syscall_groups{{
    {"@basic-io", "read and write open descriptors, duplicate and close them",
     detail::set_of({"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
                     "pwritev", "preadv2", "pwritev2", "lseek", "close", "close_range", "dup",
                     "dup2", "dup3"})},
    {"@file-system", "open, inspect, create, rename and remove files and directories by name",
     detail::set_of({"open", "openat", "openat2", "creat", "close", "stat", "fstat", "lstat",
                     "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat",
                     "faccessat2", "readlink", "readlinkat", "getcwd", "chdir", "fchdir",
                     "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "link",
                     "linkat", "symlink", "symlinkat", "unlink", "unlinkat", "chmod", "fchmod",
                     "fchmodat", "fchmodat2", "truncate", "ftruncate", "fallocate", "getdents",
                     "getdents64", "utime", "utimes", "futimesat", "utimensat", "mknod",
                     "mknodat", "inotify_init", "inotify_init1", "inotify_add_watch",
                     "inotify_rm_watch", "fcntl", "flock", "fsync", "fdatasync", "sync_file_range",
                     "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
                     "flistxattr", "setxattr", "lsetxattr", "fsetxattr", "removexattr",
                     "lremovexattr", "fremovexattr", "name_to_handle_at", "memfd_create"})},
    {"@network-io", "sockets: create, connect, accept, send and receive",
     detail::set_of({"socket", "socketpair", "bind", "connect", "listen", "accept", "accept4",
                     "getsockname", "getpeername", "setsockopt", "getsockopt", "sendto",
                     "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown"})},
    {"@process", "create, run, wait for, signal and end processes and threads",
     detail::set_of({"clone", "clone3", "fork", "vfork", "execve", "execveat", "exit",
                     "exit_group", "wait4", "waitid", "kill", "tkill", "tgkill",
                     "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal",
                     "set_tid_address", "arch_prctl", "prctl", "getpid",
                     "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
                     "unshare", "setns", "getrusage", "times"})},
    {"@signal", "signal handlers, masks, waiting for and delivering signals to oneself",
     detail::set_of({"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
                     "rt_sigsuspend", "rt_sigtimedwait", "sigaltstack", "signalfd",
                     "signalfd4", "pause"})},
    {"@memory", "map, unmap, protect and advise memory",
     detail::set_of({"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync",
                     "mincore", "mlock", "mlock2", "munlock", "mlockall", "munlockall",
                     "membarrier", "process_madvise"})},
    {"@io-event", "wait for events on descriptors",
     detail::set_of({"poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1",
                     "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd",
                     "eventfd2"})},
    {"@time", "read clocks, sleep, timers",
     detail::set_of({"clock_gettime", "clock_getres", "clock_nanosleep", "gettimeofday",
                     "time", "nanosleep", "alarm", "getitimer", "setitimer", "timer_create",
                     "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
                     "timerfd_create", "timerfd_settime", "timerfd_gettime"})},
    {"@system-info", "ask who and where the process is: ids, limits, system name",
     detail::set_of({"uname", "sysinfo", "getuid", "geteuid", "getgid", "getegid",
                     "getresuid", "getresgid", "getgroups", "getrlimit", "prlimit64",
                     "getpriority", "getcpu", "sched_getaffinity", "sched_yield",
                     "sched_getparam", "sched_getscheduler", "capget"})},
    {"@ipc", "System V and POSIX message queues, semaphores, shared memory",
     detail::set_of({"shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl",
                     "semtimedop", "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open",
                     "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
                     "mq_getsetattr", "pipe", "pipe2"})},
    {"@io-uring", "io_uring: syscall work submitted through shared memory, unseen by filters",
     detail::set_of({"io_uring_setup", "io_uring_enter", "io_uring_register"})},
    {"@debug", "trace and inspect other processes, take their descriptors",
     detail::set_of({"ptrace", "process_vm_readv", "process_vm_writev", "perf_event_open",
                     "kcmp", "lookup_dcookie", "pidfd_getfd"})},
    {"@mount", "mount and unmount file systems, change the root",
     detail::set_of({"mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig",
                     "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr"})},
    {"@module", "load and unload kernel modules",
     detail::set_of({"init_module", "finit_module", "delete_module", "create_module",
                     "query_module"})},
    {"@reboot", "reboot, load a new kernel",
     detail::set_of({"reboot", "kexec_load", "kexec_file_load"})},
    {"@setuid", "change user and group ids",
     detail::set_of({"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
                     "setfsuid", "setfsgid", "setgroups", "capset"})},
    {"@seccomp", "install seccomp filters and listeners, and the bpf() interface",
     detail::set_of({"seccomp", "bpf"})},
}};
// clang-format on

/// The group named `name` ("@file-system"), or nullptr.
constexpr const SyscallGroup* find_syscall_group(std::string_view name) noexcept {
    for (const SyscallGroup& group : syscall_groups) {
        if (group.name == name) {
            return &group;
        }
    }
    return nullptr;
}

} // namespace ptrace_api::sandbox
