// SPDX-License-Identifier: MIT
// strace(1)'s syscall classes (`-e trace=%file` ...) as SyscallSets of the x86_64 table.
#pragma once

#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>

#include <array>
#include <optional>
#include <string_view>

namespace ptrace_api {

/// One of strace's syscall classes: its name as `-e trace=` writes it ("%file") and its set.
struct SyscallClass {
    std::string_view name;
    SyscallSet set;
};

/// strace's classes of syscalls. Each set was first written from what the syscalls do, then
/// checked against strace 6.1 on every syscall of the table (tests/strace/strace_test.py
/// `classes`, which runs tests/strace/targets/every_syscall.cpp under `strace -e trace=%CLASS`)
/// and made equal to strace's wherever the two readings differed, because the strace example
/// must select what strace selects. Where strace 6.1 disagreed with the first reading:
///   - %file also has getcwd (it returns a path) and fsconfig (a key may name a file);
///   - %network also has sendfile and the STREAMS getpmsg and putpmsg;
///   - %process also has the calls that send a signal to a process or thread (kill, tkill,
///     tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal), and not unshare;
///   - %signal also has io_uring_enter (it takes a signal mask);
///   - %memory also has io_setup, io_destroy and io_uring_register;
///   - %creds also has prctl;
///   - %desc also has the POSIX message queues (mq_*, whose queues are descriptors) and
///     pidfd_send_signal, and not close_range (its arguments are a range, not one fd).
/// strace 6.1 does not know the syscalls numbered from 451 (cachestat) up: it prints them as
/// `syscall_0x1c3` and traces them whatever `-e trace=` says. Their classes here are this
/// library's reading: %file and %desc for fchmodat2, setxattrat, getxattrat, listxattrat,
/// removexattrat, open_tree_attr, file_getattr and file_setattr (a directory fd and a path);
/// %desc for cachestat; %memory for mseal; none for futex_wake, futex_wait, futex_requeue,
/// statmount, listmount and listns.
namespace syscall_classes {

// The numbers, each with its name (clang-format would put one per line).
// clang-format off

/// %file: Takes a file name (a path argument), or returns one (getcwd).
inline constexpr SyscallSet file{
    2 /* open */, 4 /* stat */, 6 /* lstat */, 21 /* access */, 59 /* execve */, 76 /* truncate */,
    79 /* getcwd */, 80 /* chdir */, 82 /* rename */, 83 /* mkdir */, 84 /* rmdir */,
    85 /* creat */, 86 /* link */, 87 /* unlink */, 88 /* symlink */, 89 /* readlink */,
    90 /* chmod */, 92 /* chown */, 94 /* lchown */, 132 /* utime */, 133 /* mknod */,
    134 /* uselib */, 137 /* statfs */, 155 /* pivot_root */, 161 /* chroot */, 163 /* acct */,
    165 /* mount */, 166 /* umount2 */, 167 /* swapon */, 168 /* swapoff */, 179 /* quotactl */,
    188 /* setxattr */, 189 /* lsetxattr */, 191 /* getxattr */, 192 /* lgetxattr */,
    194 /* listxattr */, 195 /* llistxattr */, 197 /* removexattr */, 198 /* lremovexattr */,
    235 /* utimes */, 254 /* inotify_add_watch */, 257 /* openat */, 258 /* mkdirat */,
    259 /* mknodat */, 260 /* fchownat */, 261 /* futimesat */, 262 /* newfstatat */,
    263 /* unlinkat */, 264 /* renameat */, 265 /* linkat */, 266 /* symlinkat */,
    267 /* readlinkat */, 268 /* fchmodat */, 269 /* faccessat */, 280 /* utimensat */,
    301 /* fanotify_mark */, 303 /* name_to_handle_at */, 316 /* renameat2 */, 322 /* execveat */,
    332 /* statx */, 428 /* open_tree */, 429 /* move_mount */, 431 /* fsconfig */,
    433 /* fspick */, 437 /* openat2 */, 439 /* faccessat2 */, 442 /* mount_setattr */,
    452 /* fchmodat2 */, 463 /* setxattrat */, 464 /* getxattrat */, 465 /* listxattrat */,
    466 /* removexattrat */, 467 /* open_tree_attr */, 468 /* file_getattr */,
    469 /* file_setattr */,
};

/// %desc: Takes, returns or creates a file descriptor (sockets excepted: %network).
inline constexpr SyscallSet desc{
    0 /* read */, 1 /* write */, 2 /* open */, 3 /* close */, 5 /* fstat */, 7 /* poll */,
    8 /* lseek */, 9 /* mmap */, 16 /* ioctl */, 17 /* pread64 */, 18 /* pwrite64 */,
    19 /* readv */, 20 /* writev */, 22 /* pipe */, 23 /* select */, 32 /* dup */, 33 /* dup2 */,
    40 /* sendfile */, 72 /* fcntl */, 73 /* flock */, 74 /* fsync */, 75 /* fdatasync */,
    77 /* ftruncate */, 78 /* getdents */, 81 /* fchdir */, 85 /* creat */, 91 /* fchmod */,
    93 /* fchown */, 138 /* fstatfs */, 187 /* readahead */, 190 /* fsetxattr */,
    193 /* fgetxattr */, 196 /* flistxattr */, 199 /* fremovexattr */, 213 /* epoll_create */,
    217 /* getdents64 */, 221 /* fadvise64 */, 232 /* epoll_wait */, 233 /* epoll_ctl */,
    240 /* mq_open */, 242 /* mq_timedsend */, 243 /* mq_timedreceive */, 244 /* mq_notify */,
    245 /* mq_getsetattr */, 253 /* inotify_init */, 254 /* inotify_add_watch */,
    255 /* inotify_rm_watch */, 257 /* openat */, 258 /* mkdirat */, 259 /* mknodat */,
    260 /* fchownat */, 261 /* futimesat */, 262 /* newfstatat */, 263 /* unlinkat */,
    264 /* renameat */, 265 /* linkat */, 266 /* symlinkat */, 267 /* readlinkat */,
    268 /* fchmodat */, 269 /* faccessat */, 270 /* pselect6 */, 271 /* ppoll */, 275 /* splice */,
    276 /* tee */, 277 /* sync_file_range */, 278 /* vmsplice */, 280 /* utimensat */,
    281 /* epoll_pwait */, 282 /* signalfd */, 283 /* timerfd_create */, 284 /* eventfd */,
    285 /* fallocate */, 286 /* timerfd_settime */, 287 /* timerfd_gettime */, 289 /* signalfd4 */,
    290 /* eventfd2 */, 291 /* epoll_create1 */, 292 /* dup3 */, 293 /* pipe2 */,
    294 /* inotify_init1 */, 295 /* preadv */, 296 /* pwritev */, 298 /* perf_event_open */,
    300 /* fanotify_init */, 301 /* fanotify_mark */, 303 /* name_to_handle_at */,
    304 /* open_by_handle_at */, 306 /* syncfs */, 308 /* setns */, 313 /* finit_module */,
    316 /* renameat2 */, 319 /* memfd_create */, 320 /* kexec_file_load */, 321 /* bpf */,
    322 /* execveat */, 323 /* userfaultfd */, 326 /* copy_file_range */, 327 /* preadv2 */,
    328 /* pwritev2 */, 332 /* statx */, 424 /* pidfd_send_signal */, 425 /* io_uring_setup */,
    426 /* io_uring_enter */, 427 /* io_uring_register */, 428 /* open_tree */,
    429 /* move_mount */, 430 /* fsopen */, 431 /* fsconfig */, 432 /* fsmount */, 433 /* fspick */,
    434 /* pidfd_open */, 437 /* openat2 */, 438 /* pidfd_getfd */, 439 /* faccessat2 */,
    440 /* process_madvise */, 441 /* epoll_pwait2 */, 442 /* mount_setattr */,
    443 /* quotactl_fd */, 444 /* landlock_create_ruleset */, 445 /* landlock_add_rule */,
    446 /* landlock_restrict_self */, 447 /* memfd_secret */, 448 /* process_mrelease */,
    451 /* cachestat */, 452 /* fchmodat2 */, 463 /* setxattrat */, 464 /* getxattrat */,
    465 /* listxattrat */, 466 /* removexattrat */, 467 /* open_tree_attr */,
    468 /* file_getattr */, 469 /* file_setattr */,
};

/// %network: Sockets and the network: every socket call, sendfile, the STREAMS getpmsg/putpmsg.
inline constexpr SyscallSet network{
    40 /* sendfile */, 41 /* socket */, 42 /* connect */, 43 /* accept */, 44 /* sendto */,
    45 /* recvfrom */, 46 /* sendmsg */, 47 /* recvmsg */, 48 /* shutdown */, 49 /* bind */,
    50 /* listen */, 51 /* getsockname */, 52 /* getpeername */, 53 /* socketpair */,
    54 /* setsockopt */, 55 /* getsockopt */, 181 /* getpmsg */, 182 /* putpmsg */,
    288 /* accept4 */, 299 /* recvmmsg */, 307 /* sendmmsg */,
};

/// %process: Process life cycle: creation (clone, fork, vfork, clone3), exec, exit, wait, and
/// sending a signal to a process or thread.
inline constexpr SyscallSet process{
    56 /* clone */, 57 /* fork */, 58 /* vfork */, 59 /* execve */, 60 /* exit */, 61 /* wait4 */,
    62 /* kill */, 129 /* rt_sigqueueinfo */, 200 /* tkill */, 231 /* exit_group */,
    234 /* tgkill */, 247 /* waitid */, 297 /* rt_tgsigqueueinfo */, 322 /* execveat */,
    424 /* pidfd_send_signal */, 435 /* clone3 */,
};

/// %signal: Signals: handlers, masks, waits for a signal, sending one, signalfd, and io_uring_enter
/// (it takes a signal mask).
inline constexpr SyscallSet signal{
    13 /* rt_sigaction */, 14 /* rt_sigprocmask */, 15 /* rt_sigreturn */, 34 /* pause */,
    62 /* kill */, 127 /* rt_sigpending */, 128 /* rt_sigtimedwait */, 129 /* rt_sigqueueinfo */,
    130 /* rt_sigsuspend */, 131 /* sigaltstack */, 200 /* tkill */, 234 /* tgkill */,
    282 /* signalfd */, 289 /* signalfd4 */, 297 /* rt_tgsigqueueinfo */,
    424 /* pidfd_send_signal */, 426 /* io_uring_enter */,
};

/// %memory: Memory mappings and memory policy, and the calls that set up kernel-shared memory
/// (System V shmat/shmdt, io_setup/io_destroy, io_uring_register).
inline constexpr SyscallSet memory{
    9 /* mmap */, 10 /* mprotect */, 11 /* munmap */, 12 /* brk */, 25 /* mremap */, 26 /* msync */,
    27 /* mincore */, 28 /* madvise */, 30 /* shmat */, 67 /* shmdt */, 149 /* mlock */,
    150 /* munlock */, 151 /* mlockall */, 152 /* munlockall */, 206 /* io_setup */,
    207 /* io_destroy */, 216 /* remap_file_pages */, 237 /* mbind */, 238 /* set_mempolicy */,
    239 /* get_mempolicy */, 256 /* migrate_pages */, 279 /* move_pages */, 325 /* mlock2 */,
    329 /* pkey_mprotect */, 427 /* io_uring_register */, 450 /* set_mempolicy_home_node */,
    462 /* mseal */,
};

/// %ipc: System V IPC: shared memory, semaphores, message queues (POSIX mq_* are %desc).
inline constexpr SyscallSet ipc{
    29 /* shmget */, 30 /* shmat */, 31 /* shmctl */, 64 /* semget */, 65 /* semop */,
    66 /* semctl */, 67 /* shmdt */, 68 /* msgget */, 69 /* msgsnd */, 70 /* msgrcv */,
    71 /* msgctl */, 220 /* semtimedop */,
};

/// %creds: User and group ids, capabilities, and prctl.
inline constexpr SyscallSet creds{
    102 /* getuid */, 104 /* getgid */, 105 /* setuid */, 106 /* setgid */, 107 /* geteuid */,
    108 /* getegid */, 113 /* setreuid */, 114 /* setregid */, 115 /* getgroups */,
    116 /* setgroups */, 117 /* setresuid */, 118 /* getresuid */, 119 /* setresgid */,
    120 /* getresgid */, 122 /* setfsuid */, 123 /* setfsgid */, 125 /* capget */, 126 /* capset */,
    157 /* prctl */,
};

/// %clock: Reading and setting clocks (not timers, not sleeps).
inline constexpr SyscallSet clock{
    96 /* gettimeofday */, 159 /* adjtimex */, 164 /* settimeofday */, 201 /* time */,
    227 /* clock_settime */, 228 /* clock_gettime */, 229 /* clock_getres */,
    305 /* clock_adjtime */,
};

// clang-format on

} // namespace syscall_classes

/// Every class by the name `-e trace=` gives it; %net is strace's other name for %network.
inline constexpr std::array<SyscallClass, 10> syscall_class_table{{
    {"%file", syscall_classes::file},
    {"%desc", syscall_classes::desc},
    {"%network", syscall_classes::network},
    {"%net", syscall_classes::network},
    {"%process", syscall_classes::process},
    {"%signal", syscall_classes::signal},
    {"%memory", syscall_classes::memory},
    {"%ipc", syscall_classes::ipc},
    {"%creds", syscall_classes::creds},
    {"%clock", syscall_classes::clock},
}};

/// The class called `name`, with its '%' ("%file", "%net"), or nullopt.
constexpr std::optional<SyscallSet> syscall_class(std::string_view name) noexcept {
    for (const SyscallClass& c : syscall_class_table) {
        if (c.name == name) {
            return c.set;
        }
    }
    return std::nullopt;
}

} // namespace ptrace_api
