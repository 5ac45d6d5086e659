#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate include/ptrace/{syscalls,errnos,signals}.hpp, the data tables of ptrace-api.

The generated headers are committed; this script documents how they were made and
regenerates them.  It reads only local files and the local C library and never
touches the network.

Sources of truth
----------------
* Syscall numbers and names: ``<asm/unistd_64.h>`` of the build machine
  (``/usr/include/x86_64-linux-gnu/asm/unistd_64.h``, Debian 12 linux-libc-dev:
  numbers 0..334 and 424..450).  Syscalls the running kernels have but that header
  predates are listed in ``NEWER_SYSCALLS`` below, transcribed from the kernel's
  ``arch/x86/entry/syscalls/syscall_64.tbl`` (Linux 6.18/6.19, "common"/"64" ABI
  entries only; the x32 range 512..547 is not part of the 64-bit ABI).
* Argument counts and kinds: ``SIGNATURES`` below, written from the kernel's
  ``SYSCALL_DEFINEn`` prototypes (for syscalls without a kernel implementation,
  e.g. ``afs_syscall``, from strace's ``linux/x86_64/syscallent.h`` argument
  counts).  The script fails if a syscall has no signature or a signature names
  an unknown syscall.
* Argument widths: the same prototypes.  An argument the kernel declares ``int``,
  ``unsigned int``, ``u32`` or narrower (``umode_t``, ``key_t``, ``rwf_t``) is read
  from the low half of its register only; the rest (``long``, ``unsigned long``,
  ``size_t``, ``loff_t``, ``u64``, ``aio_context_t``, pointers) whole.  Kinds Int,
  Fd and Signal are 32 bits unless written ``/64`` (ptrace's request, a ``long``
  the kernel compares whole); the kinds about printing (Flags, Hex, Mode, UInt)
  are 64 bits unless written ``/32`` (ioctl's request, open's flags and mode...).
  Every argument of those kinds was checked against the prototypes of
  include/linux/syscalls.h and, for the x86 calls and those newer than that
  header's copy (the ``*xattrat`` calls, ``open_tree_attr``, ``file_getattr``,
  ``file_setattr``, ``listns``), their ``SYSCALL_DEFINE``s; syscalls Linux does
  not implement keep the defaults.  The sandbox kit compares arguments on these
  widths (sandbox/README.md, "Width").
* errno names and messages: the C library (``strerrorname_np``/``strerror``,
  glibc >= 2.32) for 1..133; the kernel-internal codes 512..530 with the names
  of strace's ``errnoent.h`` and strace's special texts for the four restart
  codes (strace prints glibc's "Unknown error N" for the others).
* Signal names: strace's spelling (SIGIO for 29, SIGRTMIN for 32, SIGRT_n for
  32+n), checked against ``sigabbrev_np`` in the unit tests.

Usage: ``tools/gen_syscalls.py [--unistd PATH] [--out-dir include/ptrace]``,
then ``clang-format -i`` on the three headers.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import pathlib
import re
import sys

DEFAULT_UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

# Linux 6.18/6.19 syscall_64.tbl entries newer than the linux-libc-dev 6.1 header.
NEWER_SYSCALLS = {
    335: "uretprobe",
    336: "uprobe",
    451: "cachestat",
    452: "fchmodat2",
    453: "map_shadow_stack",
    454: "futex_wake",
    455: "futex_wait",
    456: "futex_requeue",
    457: "statmount",
    458: "listmount",
    459: "lsm_get_self_attr",
    460: "lsm_set_self_attr",
    461: "lsm_list_modules",
    462: "mseal",
    463: "setxattrat",
    464: "getxattrat",
    465: "listxattrat",
    466: "removexattrat",
    467: "open_tree_attr",
    468: "file_getattr",
    469: "file_setattr",
    470: "listns",
}

ARG_KINDS = {
    "None": "slot not printed: past arg_count, or a register x86_64 ignores (preadv pos_h)",
    "Int": "C int (32 bits), signed decimal: pids, uids, counts, enum-like commands",
    "Long": "long/off_t (64 bits), signed decimal: offsets, the default return value",
    "UInt": "size_t/unsigned long, unsigned decimal: lengths and sizes",
    "Hex": "raw unsigned value printed as hex (0 as 0): opaque words, ioctl requests",
    "Pointer": "address in the tracee, printed as hex or NULL",
    "Fd": "file descriptor (int); AT_FDCWD for *at dirfds",
    "Path": "NUL-terminated string in tracee memory (paths, names)",
    "String": "buffer read on entry, printed as a string; length is the next argument",
    "OutString": "buffer filled by the kernel, printed on exit; length is the return value",
    "StringArray": "NULL-terminated array of string pointers (execve argv/envp)",
    "Flags": "bit flags (open, mmap prot/flags...), printed as hex without a decoder",
    "Mode": "file mode bits, printed in octal",
    "Signal": "signal number, printed with signal_name()",
}

# name(arg kinds...) [-> return kind]; return kind defaults to Long. An argument's kind may
# carry its width, /32 or /64, where it is not the kind's own (NARROW_KINDS below).
SIGNATURES = r"""
read(Fd, OutString, UInt)
write(Fd, String, UInt)
open(Path, Flags/32, Mode/32) -> Fd
close(Fd)
stat(Path, Pointer)
fstat(Fd, Pointer)
lstat(Path, Pointer)
poll(Pointer, UInt/32, Int)
lseek(Fd, Long, Int)
mmap(Pointer, UInt, Flags, Flags, Fd, Hex) -> Pointer
mprotect(Pointer, UInt, Flags)
munmap(Pointer, UInt)
brk(Pointer) -> Pointer
rt_sigaction(Signal, Pointer, Pointer, UInt)
rt_sigprocmask(Int, Pointer, Pointer, UInt)
rt_sigreturn()
ioctl(Fd, Hex/32, Hex)
pread64(Fd, OutString, UInt, Long)
pwrite64(Fd, String, UInt, Long)
readv(Fd, Pointer, UInt)
writev(Fd, Pointer, UInt)
access(Path, Flags/32)
pipe(Pointer)
select(Int, Pointer, Pointer, Pointer, Pointer)
sched_yield()
mremap(Pointer, UInt, UInt, Flags, Pointer) -> Pointer
msync(Pointer, UInt, Flags/32)
mincore(Pointer, UInt, Pointer)
madvise(Pointer, UInt, Int)
shmget(Hex/32, UInt, Flags/32)
shmat(Int, Pointer, Flags/32) -> Pointer
shmctl(Int, Int, Pointer)
dup(Fd) -> Fd
dup2(Fd, Fd) -> Fd
pause()
nanosleep(Pointer, Pointer)
getitimer(Int, Pointer)
alarm(UInt/32)
setitimer(Int, Pointer, Pointer)
getpid()
sendfile(Fd, Fd, Pointer, UInt)
socket(Int, Flags/32, Int) -> Fd
connect(Fd, Pointer, Int)
accept(Fd, Pointer, Pointer) -> Fd
sendto(Fd, String, UInt, Flags/32, Pointer, Int)
recvfrom(Fd, OutString, UInt, Flags/32, Pointer, Pointer)
sendmsg(Fd, Pointer, Flags/32)
recvmsg(Fd, Pointer, Flags/32)
shutdown(Fd, Int)
bind(Fd, Pointer, Int)
listen(Fd, Int)
getsockname(Fd, Pointer, Pointer)
getpeername(Fd, Pointer, Pointer)
socketpair(Int, Flags/32, Int, Pointer)
setsockopt(Fd, Int, Int, Pointer, Int)
getsockopt(Fd, Int, Int, Pointer, Pointer)
clone(Flags, Pointer, Pointer, Pointer, Hex)
fork()
vfork()
execve(Path, StringArray, StringArray)
exit(Int) -> None
wait4(Int, Pointer, Flags/32, Pointer)
kill(Int, Signal)
uname(Pointer)
semget(Hex/32, Int, Flags/32)
semop(Int, Pointer, UInt/32)
semctl(Int, Int, Int, Hex)
shmdt(Pointer)
msgget(Hex/32, Flags/32)
msgsnd(Int, Pointer, UInt, Flags/32)
msgrcv(Int, Pointer, UInt, Long, Flags/32)
msgctl(Int, Int, Pointer)
fcntl(Fd, Int, Hex)
flock(Fd, Flags/32)
fsync(Fd)
fdatasync(Fd)
truncate(Path, Long)
ftruncate(Fd, Long)
getdents(Fd, Pointer, UInt/32)
getcwd(OutString, UInt)
chdir(Path)
fchdir(Fd)
rename(Path, Path)
mkdir(Path, Mode/32)
rmdir(Path)
creat(Path, Mode/32) -> Fd
link(Path, Path)
unlink(Path)
symlink(Path, Path)
readlink(Path, OutString, UInt/32)
chmod(Path, Mode/32)
fchmod(Fd, Mode/32)
chown(Path, Int, Int)
fchown(Fd, Int, Int)
lchown(Path, Int, Int)
umask(Mode/32) -> Mode
gettimeofday(Pointer, Pointer)
getrlimit(Int, Pointer)
getrusage(Int, Pointer)
sysinfo(Pointer)
times(Pointer)
ptrace(Int/64, Int, Pointer, Pointer)
getuid()
syslog(Int, Pointer, Int)
getgid()
setuid(Int)
setgid(Int)
geteuid()
getegid()
setpgid(Int, Int)
getppid()
getpgrp()
setsid()
setreuid(Int, Int)
setregid(Int, Int)
getgroups(Int, Pointer)
setgroups(Int, Pointer)
setresuid(Int, Int, Int)
getresuid(Pointer, Pointer, Pointer)
setresgid(Int, Int, Int)
getresgid(Pointer, Pointer, Pointer)
getpgid(Int)
setfsuid(Int)
setfsgid(Int)
getsid(Int)
capget(Pointer, Pointer)
capset(Pointer, Pointer)
rt_sigpending(Pointer, UInt)
rt_sigtimedwait(Pointer, Pointer, Pointer, UInt) -> Signal
rt_sigqueueinfo(Int, Signal, Pointer)
rt_sigsuspend(Pointer, UInt)
sigaltstack(Pointer, Pointer)
utime(Path, Pointer)
mknod(Path, Mode/32, Hex/32)
uselib(Path)
personality(Hex/32) -> Hex
ustat(Hex/32, Pointer)
statfs(Path, Pointer)
fstatfs(Fd, Pointer)
sysfs(Int, Hex, Hex)
getpriority(Int, Int)
setpriority(Int, Int, Int)
sched_setparam(Int, Pointer)
sched_getparam(Int, Pointer)
sched_setscheduler(Int, Int, Pointer)
sched_getscheduler(Int)
sched_get_priority_max(Int)
sched_get_priority_min(Int)
sched_rr_get_interval(Int, Pointer)
mlock(Pointer, UInt)
munlock(Pointer, UInt)
mlockall(Flags/32)
munlockall()
vhangup()
modify_ldt(Int, Pointer, UInt)
pivot_root(Path, Path)
_sysctl(Pointer)
prctl(Int, Hex, Hex, Hex, Hex)
arch_prctl(Int, Hex)
adjtimex(Pointer)
setrlimit(Int, Pointer)
chroot(Path)
sync()
acct(Path)
settimeofday(Pointer, Pointer)
mount(Path, Path, Path, Flags, Pointer)
umount2(Path, Flags/32)
swapon(Path, Flags/32)
swapoff(Path)
reboot(Hex/32, Hex/32, Hex/32, Pointer)
sethostname(String, UInt/32)
setdomainname(String, UInt/32)
iopl(UInt/32)
ioperm(UInt, UInt, Int)
create_module(Path, UInt)
init_module(Pointer, UInt, Path)
delete_module(Path, Flags/32)
get_kernel_syms(Pointer)
query_module(Hex, Hex, Hex, Hex, Hex)
quotactl(Hex/32, Path, Int, Pointer)
nfsservctl(Hex, Hex, Hex)
getpmsg(Hex, Hex, Hex, Hex, Hex)
putpmsg(Hex, Hex, Hex, Hex, Hex)
afs_syscall(Hex, Hex, Hex, Hex, Hex)
tuxcall(Hex, Hex, Hex)
security(Hex, Hex, Hex)
gettid()
readahead(Fd, Long, UInt)
setxattr(Path, Path, String, UInt, Flags/32)
lsetxattr(Path, Path, String, UInt, Flags/32)
fsetxattr(Fd, Path, String, UInt, Flags/32)
getxattr(Path, Path, OutString, UInt)
lgetxattr(Path, Path, OutString, UInt)
fgetxattr(Fd, Path, OutString, UInt)
listxattr(Path, OutString, UInt)
llistxattr(Path, OutString, UInt)
flistxattr(Fd, OutString, UInt)
removexattr(Path, Path)
lremovexattr(Path, Path)
fremovexattr(Fd, Path)
tkill(Int, Signal)
time(Pointer)
futex(Pointer, Int, Int, Pointer, Pointer, Hex/32)
sched_setaffinity(Int, UInt/32, Pointer)
sched_getaffinity(Int, UInt/32, Pointer)
set_thread_area(Pointer)
io_setup(UInt/32, Pointer)
io_destroy(Hex)
io_getevents(Hex, Long, Long, Pointer, Pointer)
io_submit(Hex, Long, Pointer)
io_cancel(Hex, Pointer, Pointer)
get_thread_area(Pointer)
lookup_dcookie(Hex, Pointer, UInt)
epoll_create(Int) -> Fd
epoll_ctl_old(Hex, Hex, Hex, Hex)
epoll_wait_old(Hex, Hex, Hex, Hex)
remap_file_pages(Pointer, UInt, Flags, UInt, Flags)
getdents64(Fd, Pointer, UInt/32)
set_tid_address(Pointer)
restart_syscall()
semtimedop(Int, Pointer, UInt/32, Pointer)
fadvise64(Fd, Long, UInt, Int)
timer_create(Int, Pointer, Pointer)
timer_settime(Int, Flags/32, Pointer, Pointer)
timer_gettime(Int, Pointer)
timer_getoverrun(Int)
timer_delete(Int)
clock_settime(Int, Pointer)
clock_gettime(Int, Pointer)
clock_getres(Int, Pointer)
clock_nanosleep(Int, Flags/32, Pointer, Pointer)
exit_group(Int) -> None
epoll_wait(Fd, Pointer, Int, Int)
epoll_ctl(Fd, Int, Fd, Pointer)
tgkill(Int, Int, Signal)
utimes(Path, Pointer)
vserver(Hex, Hex, Hex, Hex, Hex)
mbind(Pointer, UInt, Int, Pointer, UInt, Flags/32)
set_mempolicy(Int, Pointer, UInt)
get_mempolicy(Pointer, Pointer, UInt, Pointer, Flags)
mq_open(Path, Flags/32, Mode/32, Pointer) -> Fd
mq_unlink(Path)
mq_timedsend(Fd, String, UInt, UInt/32, Pointer)
mq_timedreceive(Fd, OutString, UInt, Pointer, Pointer)
mq_notify(Fd, Pointer)
mq_getsetattr(Fd, Pointer, Pointer)
kexec_load(Hex, UInt, Pointer, Flags)
waitid(Int, Int, Pointer, Flags/32, Pointer)
add_key(Path, Path, String, UInt, Int)
request_key(Path, Path, Path, Int)
keyctl(Int, Hex, Hex, Hex, Hex)
ioprio_set(Int, Int, Int)
ioprio_get(Int, Int)
inotify_init() -> Fd
inotify_add_watch(Fd, Path, Flags/32)
inotify_rm_watch(Fd, Int)
migrate_pages(Int, UInt, Pointer, Pointer)
openat(Fd, Path, Flags/32, Mode/32) -> Fd
mkdirat(Fd, Path, Mode/32)
mknodat(Fd, Path, Mode/32, Hex/32)
fchownat(Fd, Path, Int, Int, Flags/32)
futimesat(Fd, Path, Pointer)
newfstatat(Fd, Path, Pointer, Flags/32)
unlinkat(Fd, Path, Flags/32)
renameat(Fd, Path, Fd, Path)
linkat(Fd, Path, Fd, Path, Flags/32)
symlinkat(Path, Fd, Path)
readlinkat(Fd, Path, OutString, UInt/32)
fchmodat(Fd, Path, Mode/32)
faccessat(Fd, Path, Flags/32)
pselect6(Int, Pointer, Pointer, Pointer, Pointer, Pointer)
ppoll(Pointer, UInt/32, Pointer, Pointer, UInt)
unshare(Flags)
set_robust_list(Pointer, UInt)
get_robust_list(Int, Pointer, Pointer)
splice(Fd, Pointer, Fd, Pointer, UInt, Flags/32)
tee(Fd, Fd, UInt, Flags/32)
sync_file_range(Fd, Long, Long, Flags/32)
vmsplice(Fd, Pointer, UInt, Flags/32)
move_pages(Int, UInt, Pointer, Pointer, Pointer, Flags/32)
utimensat(Fd, Path, Pointer, Flags/32)
epoll_pwait(Fd, Pointer, Int, Int, Pointer, UInt)
signalfd(Fd, Pointer, UInt) -> Fd
timerfd_create(Int, Flags/32) -> Fd
eventfd(UInt/32) -> Fd
fallocate(Fd, Flags/32, Long, Long)
timerfd_settime(Fd, Flags/32, Pointer, Pointer)
timerfd_gettime(Fd, Pointer)
accept4(Fd, Pointer, Pointer, Flags/32) -> Fd
signalfd4(Fd, Pointer, UInt, Flags/32) -> Fd
eventfd2(UInt/32, Flags/32) -> Fd
epoll_create1(Flags/32) -> Fd
dup3(Fd, Fd, Flags/32) -> Fd
pipe2(Pointer, Flags/32)
inotify_init1(Flags/32) -> Fd
preadv(Fd, Pointer, UInt, Long, None)
pwritev(Fd, Pointer, UInt, Long, None)
rt_tgsigqueueinfo(Int, Int, Signal, Pointer)
perf_event_open(Pointer, Int, Int, Fd, Flags) -> Fd
recvmmsg(Fd, Pointer, UInt/32, Flags/32, Pointer)
fanotify_init(Flags/32, Flags/32) -> Fd
fanotify_mark(Fd, Flags/32, Flags, Fd, Path)
prlimit64(Int, Int, Pointer, Pointer)
name_to_handle_at(Fd, Path, Pointer, Pointer, Flags/32)
open_by_handle_at(Fd, Pointer, Flags/32) -> Fd
clock_adjtime(Int, Pointer)
syncfs(Fd)
sendmmsg(Fd, Pointer, UInt/32, Flags/32)
setns(Fd, Flags/32)
getcpu(Pointer, Pointer, Pointer)
process_vm_readv(Int, Pointer, UInt, Pointer, UInt, Flags)
process_vm_writev(Int, Pointer, UInt, Pointer, UInt, Flags)
kcmp(Int, Int, Int, Hex, Hex)
finit_module(Fd, Path, Flags/32)
sched_setattr(Int, Pointer, Flags/32)
sched_getattr(Int, Pointer, UInt/32, Flags/32)
renameat2(Fd, Path, Fd, Path, Flags/32)
seccomp(Int, Flags/32, Pointer)
getrandom(OutString, UInt, Flags/32)
memfd_create(Path, Flags/32) -> Fd
kexec_file_load(Fd, Fd, UInt, Path, Flags)
bpf(Int, Pointer, UInt/32)
execveat(Fd, Path, StringArray, StringArray, Flags/32)
userfaultfd(Flags/32) -> Fd
membarrier(Int, Flags/32, Int)
mlock2(Pointer, UInt, Flags/32)
copy_file_range(Fd, Pointer, Fd, Pointer, UInt, Flags/32)
preadv2(Fd, Pointer, UInt, Long, None, Flags/32)
pwritev2(Fd, Pointer, UInt, Long, None, Flags/32)
pkey_mprotect(Pointer, UInt, Flags, Int)
pkey_alloc(Flags, Flags)
pkey_free(Int)
statx(Fd, Path, Flags/32, Flags/32, Pointer)
io_pgetevents(Hex, Long, Long, Pointer, Pointer, Pointer)
rseq(Pointer, Hex/32, Flags/32, Hex/32)
uretprobe()
uprobe()
pidfd_send_signal(Fd, Signal, Pointer, Flags/32)
io_uring_setup(UInt/32, Pointer) -> Fd
io_uring_enter(Fd, UInt/32, UInt/32, Flags/32, Pointer, UInt)
io_uring_register(Fd, Int, Pointer, UInt/32)
open_tree(Fd, Path, Flags/32) -> Fd
move_mount(Fd, Path, Fd, Path, Flags/32)
fsopen(Path, Flags/32) -> Fd
fsconfig(Fd, Int, Path, Pointer, Int)
fsmount(Fd, Flags/32, Flags/32) -> Fd
fspick(Fd, Path, Flags/32) -> Fd
pidfd_open(Int, Flags/32) -> Fd
clone3(Pointer, UInt)
close_range(Fd, UInt/32, Flags/32)
openat2(Fd, Path, Pointer, UInt) -> Fd
pidfd_getfd(Fd, Int, Flags/32) -> Fd
faccessat2(Fd, Path, Flags/32, Flags/32)
process_madvise(Fd, Pointer, UInt, Int, Flags/32)
epoll_pwait2(Fd, Pointer, Int, Pointer, Pointer, UInt)
mount_setattr(Fd, Path, Flags/32, Pointer, UInt)
quotactl_fd(Fd, Hex/32, Int, Pointer)
landlock_create_ruleset(Pointer, UInt, Flags/32) -> Fd
landlock_add_rule(Fd, Int, Pointer, Flags/32)
landlock_restrict_self(Fd, Flags/32)
memfd_secret(Flags/32) -> Fd
process_mrelease(Fd, Flags/32)
futex_waitv(Pointer, UInt/32, Flags/32, Pointer, Int)
set_mempolicy_home_node(Pointer, UInt, UInt, Flags)
cachestat(Fd, Pointer, Pointer, Flags/32)
fchmodat2(Fd, Path, Mode/32, Flags/32)
map_shadow_stack(Pointer, UInt, Flags/32) -> Pointer
futex_wake(Pointer, Hex, Int, Flags/32)
futex_wait(Pointer, UInt, Hex, Flags/32, Pointer, Int)
futex_requeue(Pointer, Flags/32, Int, Int)
statmount(Pointer, Pointer, UInt, Flags/32)
listmount(Pointer, Pointer, UInt, Flags/32)
lsm_get_self_attr(UInt/32, Pointer, Pointer, Flags/32)
lsm_set_self_attr(UInt/32, Pointer, UInt/32, Flags/32)
lsm_list_modules(Pointer, Pointer, Flags/32)
mseal(Pointer, UInt, Flags)
setxattrat(Fd, Path, Flags/32, Path, Pointer, UInt)
getxattrat(Fd, Path, Flags/32, Path, Pointer, UInt)
listxattrat(Fd, Path, Flags/32, OutString, UInt)
removexattrat(Fd, Path, Flags/32, Path)
open_tree_attr(Fd, Path, Flags/32, Pointer, UInt) -> Fd
file_getattr(Fd, Path, Pointer, UInt, Flags/32)
file_setattr(Fd, Path, Pointer, UInt, Flags/32)
listns(Pointer, Pointer, UInt, Flags/32)
"""

# strace's texts for the restart codes (src/syscall.c); it prints "= ? NAME (text)".
RESTART_TEXTS = {
    512: "To be restarted if SA_RESTART is set",
    513: "To be restarted",
    514: "To be restarted if no handler",
    516: "Interrupted by signal",
}

# Kernel-internal codes from include/linux/errno.h; strace's errnoent.h names 512..530
# except 519 (ENOPARAM, added to the kernel in 5.x; strace 6.1 prints "(errno 519)").
KERNEL_ERRNOS = {
    512: "ERESTARTSYS",
    513: "ERESTARTNOINTR",
    514: "ERESTARTNOHAND",
    515: "ENOIOCTLCMD",
    516: "ERESTART_RESTARTBLOCK",
    517: "EPROBE_DEFER",
    518: "EOPENSTALE",
    519: "ENOPARAM",
    521: "EBADHANDLE",
    522: "ENOTSYNC",
    523: "EBADCOOKIE",
    524: "ENOTSUPP",
    525: "ETOOSMALL",
    526: "ESERVERFAULT",
    527: "EBADTYPE",
    528: "EJUKEBOX",
    529: "EIOCBQUEUED",
    530: "ERECALLCONFLICT",
}

# Other spellings of the same numbers, accepted by errno_from_name only.
ERRNO_ALIASES = {"EWOULDBLOCK": 11, "EDEADLOCK": 35, "ENOTSUP": 95}

SIGNALS = [
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
    "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
    "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
]
SIGNAL_ALIASES = {"SIGIOT": 6, "SIGCLD": 17, "SIGPOLL": 29, "SIGUNUSED": 31, "SIGRTMAX": 64}

MAX_ERRNO_LIBC = 133


def parse_unistd(path: pathlib.Path) -> dict[int, str]:
    table: dict[int, str] = {}
    for line in path.read_text().splitlines():
        m = re.match(r"#define __NR_(\w+)\s+(\d+)\s*$", line)
        if m:
            table[int(m.group(2))] = m.group(1)
    if not table:
        sys.exit(f"no __NR_ definitions in {path}")
    return table


# The kinds whose arguments are 32 bits wide unless written /64; the others are 64 bits wide
# unless written /32, except the addresses, which are always 64.
NARROW_KINDS = {"Int", "Fd", "Signal"}
ADDRESS_KINDS = {"Pointer", "Path", "String", "OutString", "StringArray"}


def parse_signatures() -> dict[str, tuple[list[str], str, int]]:
    """name -> (argument kinds, return kind, bit i set when argument i is 32 bits wide)."""
    sigs: dict[str, tuple[list[str], str, int]] = {}
    for line in SIGNATURES.strip().splitlines():
        m = re.fullmatch(r"(\w+)\(([^)]*)\)(?:\s*->\s*(\w+))?", line.strip())
        if not m:
            sys.exit(f"bad signature line: {line!r}")
        name, args, ret = m.group(1), m.group(2), m.group(3) or "Long"
        kinds: list[str] = []
        narrow = 0
        for i, arg in enumerate(a.strip() for a in args.split(",") if args.strip()):
            kind, _, width = arg.partition("/")
            if kind not in ARG_KINDS:
                sys.exit(f"{name}: unknown kind {kind}")
            if width == "32" and kind not in NARROW_KINDS | ADDRESS_KINDS:
                narrow |= 1 << i
            elif width == "" and kind in NARROW_KINDS:
                narrow |= 1 << i
            elif width not in ("", "64") or (width == "64") != (kind in NARROW_KINDS):
                sys.exit(f"{name}: argument {i} cannot be {arg} (its kind's width is the default)")
            kinds.append(kind)
        if ret not in ARG_KINDS:
            sys.exit(f"{name}: unknown kind {ret}")
        if len(kinds) > 6 or name in sigs:
            sys.exit(f"{name}: too many arguments or duplicate")
        sigs[name] = (kinds, ret, narrow)
    return sigs


def cpp_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cpp_sv(s: str) -> str:
    """A std::string_view literal: g++ evaluates `"..."sv` far faster than the conversion
    from a string literal, whose length it counts char by char in the constant evaluator."""
    return cpp_string(s) + "sv"


def gen_syscalls(numbers: dict[int, str], unistd: str) -> str:
    sigs = parse_signatures()
    names = set(numbers.values())
    missing = sorted(names - sigs.keys())
    extra = sorted(sigs.keys() - names)
    if missing or extra:
        sys.exit(f"signatures missing for {missing}; unknown syscalls {extra}")
    max_nr = max(numbers)
    rows = []
    for nr in sorted(numbers):
        name = numbers[nr]
        kinds, ret, narrow = sigs[name]
        padded = kinds + ["None"] * (6 - len(kinds))
        args = ", ".join(f"K::{k}" for k in padded)
        rows.append(
            f"    {{{nr}, {cpp_sv(name)}, {len(kinds)}, {{{args}}}, K::{ret}, {narrow:#x}}},")
    index = [-1] * (max_nr + 1)
    for i, nr in enumerate(sorted(numbers)):
        index[nr] = i
    index_rows = "    " + ", ".join(str(i) for i in index) + ","
    kind_lines = "\n".join(f"    {k}, ///< {doc}" for k, doc in ARG_KINDS.items())
    kind_names = "\n".join(f'    case ArgKind::{k}:\n        return "{k}";' for k in ARG_KINDS)
    return f"""// SPDX-License-Identifier: MIT
// The x86_64 (64-bit ABI) Linux system call table: numbers, names, argument counts, kinds and
// widths.
// Generated by tools/gen_syscalls.py from {unistd} and the kernel's
// syscall_64.tbl (6.18/6.19); edit the script, not this file.
#pragma once

#include <ptrace/detail/hex.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ptrace_api {{

/// How a syscall argument (or return value) is decoded and printed.
enum class ArgKind : std::uint8_t {{
{kind_lines}
}};

constexpr std::string_view arg_kind_name(ArgKind kind) noexcept {{
    switch (kind) {{
{kind_names}
    }}
    return {{}};
}}

/// One row of the table. args[i] for i >= arg_count is ArgKind::None.
struct SyscallInfo {{
    int number;
    std::string_view name;
    int arg_count;
    std::array<ArgKind, 6> args;
    ArgKind ret; ///< Long by default; Fd, Pointer, Mode, Signal, Hex, or None (does not return)
    /// Bit i set: the kernel declares argument i `int`, `unsigned int`, `u32` or narrower and
    /// reads only the low 32 bits of its register (a value in the high half is not seen).
    /// Clear: `long`, `unsigned long`, `size_t`, `loff_t`, `u64` or a pointer, read whole.
    std::uint8_t narrow_args;

    /// Whether the kernel reads argument `index` as 32 bits or fewer (narrow_args).
    [[nodiscard]] constexpr bool arg_is_narrow(unsigned index) const noexcept {{
        return index < args.size() && ((narrow_args >> index) & 1U) != 0;
    }}
}};

/// Highest syscall number in the table.
inline constexpr long max_syscall_number = {max_nr};

namespace detail {{

// The rows' shorthand (K, the sv literals) stays in a namespace of its own: code elsewhere in
// detail does not see it.
namespace syscall_rows {{

using K = ArgKind;
using namespace std::string_view_literals;

inline constexpr std::array<SyscallInfo, {len(rows)}> syscall_table{{{{
{chr(10).join(rows)}
}}}};

}} // namespace syscall_rows

using syscall_rows::syscall_table;

/// syscall_table index per number, -1 where the kernel has no syscall. Written out by the
/// generator rather than computed by a constexpr loop, which every translation unit would run.
inline constexpr std::array<std::int16_t, static_cast<std::size_t>(max_syscall_number) + 1>
    syscall_index{{{{
{index_rows}
}}}};

}} // namespace detail

/// All syscalls, ascending by number.
inline constexpr const auto& syscall_table = detail::syscall_table;

/// The table row for a syscall number, or nullopt for numbers without a syscall.
constexpr std::optional<SyscallInfo> syscall_info(long nr) noexcept {{
    if (nr < 0 || nr > max_syscall_number) {{
        return std::nullopt;
    }}
    const std::int16_t i = detail::syscall_index[static_cast<std::size_t>(nr)];
    if (i < 0) {{
        return std::nullopt;
    }}
    return detail::syscall_table[static_cast<std::size_t>(i)];
}}

/// The syscall's name ("openat"), or an empty view for numbers without a syscall.
constexpr std::string_view syscall_name(long nr) noexcept {{
    const auto info = syscall_info(nr);
    return info ? info->name : std::string_view{{}};
}}

/// The number of a syscall name ("openat" -> 257), or nullopt.
constexpr std::optional<long> syscall_number(std::string_view name) noexcept {{
    for (const SyscallInfo& info : detail::syscall_table) {{
        if (info.name == name) {{
            return info.number;
        }}
    }}
    return std::nullopt;
}}

/// The name strace prints: the syscall name, or "syscall_0x3e7" (strace's
/// "syscall_%#lx" of the unsigned number) for numbers without a syscall.
inline std::string syscall_display_name(long nr) {{
    const std::string_view name = syscall_name(nr);
    if (!name.empty()) {{
        return std::string{{name}};
    }}
    if (nr == 0) {{
        return "syscall_0"; // %#lx prints 0 without its 0x
    }}
    std::string out = "syscall_";
    detail::append_hex(out, static_cast<unsigned long>(nr));
    return out;
}}

}} // namespace ptrace_api
"""


def load_libc():
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.strerror.restype = ctypes.c_char_p
    libc.strerror.argtypes = [ctypes.c_int]
    libc.strerrorname_np.restype = ctypes.c_char_p
    libc.strerrorname_np.argtypes = [ctypes.c_int]
    libc.gnu_get_libc_version.restype = ctypes.c_char_p
    return libc


def gen_errnos() -> str:
    libc = load_libc()
    version = libc.gnu_get_libc_version().decode()
    entries: list[tuple[int, str, str]] = []
    for e in range(1, MAX_ERRNO_LIBC + 1):
        name = libc.strerrorname_np(e)
        if name is None:
            continue  # 41 and 58 are unused on Linux
        entries.append((e, name.decode(), libc.strerror(e).decode()))
    for e, name in KERNEL_ERRNOS.items():
        entries.append((e, name, RESTART_TEXTS.get(e) or libc.strerror(e).decode()))
    rows = "\n".join(
        f"    {{{e}, {cpp_sv(n)}, {cpp_sv(m)}}}," for e, n, m in entries
    )
    aliases = "\n".join(f"    {{{cpp_sv(n)}, {e}}}," for n, e in ERRNO_ALIASES.items())
    return f"""// SPDX-License-Identifier: MIT
// Linux x86_64 errno names and messages, exactly as strace prints them after a failed syscall.
// Generated by tools/gen_syscalls.py from glibc {version} (strerrorname_np/strerror) and
// strace's texts for the kernel-internal restart codes; edit the script, not this file.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ptrace_api {{

struct ErrnoInfo {{
    int number;
    std::string_view name;    ///< "ENOENT"
    std::string_view message; ///< "No such file or directory" (glibc's strerror text)
}};

namespace detail {{

struct ErrnoAlias {{
    std::string_view name;
    int number;
}};

// The sv literals of the rows stay in a namespace of its own: code elsewhere in detail does
// not see them.
namespace errno_rows {{

using namespace std::string_view_literals;

inline constexpr std::array<ErrnoInfo, {len(entries)}> errno_table{{{{
{rows}
}}}};

inline constexpr std::array<ErrnoAlias, {len(ERRNO_ALIASES)}> errno_aliases{{{{
{aliases}
}}}};

}} // namespace errno_rows

using errno_rows::errno_aliases;
using errno_rows::errno_table;

// Returns a copy, not a pointer into the table: g++ with -fsanitize=undefined refuses pointer
// comparisons against null in constant expressions.
constexpr std::optional<ErrnoInfo> find_errno(int e) noexcept {{
    for (const ErrnoInfo& info : errno_table) {{
        if (info.number == e) {{
            return info;
        }}
    }}
    return std::nullopt;
}}

}} // namespace detail

/// All known codes: 1..133 (without the unused 41 and 58) and the kernel-internal 512..530.
inline constexpr const auto& errno_table = detail::errno_table;

/// "ENOENT" for 2; empty for numbers without a name (0, 41, 58, 134..511, 520, > 530, < 0).
constexpr std::string_view errno_name(int e) noexcept {{
    const auto info = detail::find_errno(e);
    return info ? info->name : std::string_view{{}};
}}

/// The text strace prints in parentheses: glibc's strerror text for 1..133 and
/// "Unknown error N" for 515, 517...; strace's own texts for the restart codes
/// 512, 513, 514 and 516. Empty where errno_name is empty.
constexpr std::string_view errno_message(int e) noexcept {{
    const auto info = detail::find_errno(e);
    return info ? info->message : std::string_view{{}};
}}

/// The number for "ENOENT"; also accepts EWOULDBLOCK, EDEADLOCK and ENOTSUP.
constexpr std::optional<int> errno_from_name(std::string_view name) noexcept {{
    for (const ErrnoInfo& info : detail::errno_table) {{
        if (info.name == name) {{
            return info.number;
        }}
    }}
    for (const detail::ErrnoAlias& alias : detail::errno_aliases) {{
        if (alias.name == name) {{
            return alias.number;
        }}
    }}
    return std::nullopt;
}}

/// True for ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND and ERESTART_RESTARTBLOCK, which
/// strace prints as "= ? NAME (message)" instead of "= -1 NAME (message)".
constexpr bool errno_is_restart(int e) noexcept {{
    return e == 512 || e == 513 || e == 514 || e == 516;
}}

}} // namespace ptrace_api
"""


def gen_signals() -> str:
    names = list(SIGNALS) + ["SIGRTMIN"] + [f"SIGRT_{i}" for i in range(1, 33)]
    rows = "\n".join(f"    {cpp_sv(n)}," for n in names)
    aliases = "\n".join(f"    {{{cpp_sv(n)}, {e}}}," for n, e in SIGNAL_ALIASES.items())
    return f"""// SPDX-License-Identifier: MIT
// Linux x86_64 signal names 1..64 spelled as strace prints them (SIGIO, SIGRTMIN, SIGRT_1...).
// Generated by tools/gen_syscalls.py; edit the script, not this file.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace ptrace_api {{

/// Highest signal number (the kernel's _NSIG).
inline constexpr int max_signal_number = 64;

namespace detail {{

struct SignalAlias {{
    std::string_view name;
    int number;
}};

// The sv literals of the rows stay in a namespace of its own: code elsewhere in detail does
// not see them.
namespace signal_rows {{

using namespace std::string_view_literals;

/// Index 0 is signal 1. Real-time signals use the kernel's numbering (SIGRTMIN = 32, glibc
/// reserves 32 and 33 so its SIGRTMIN macro is 34, which strace prints as SIGRT_2).
inline constexpr std::array<std::string_view, max_signal_number> signal_names{{{{
{rows}
}}}};

inline constexpr std::array<SignalAlias, {len(SIGNAL_ALIASES)}> signal_aliases{{{{
{aliases}
}}}};

}} // namespace signal_rows

using signal_rows::signal_aliases;
using signal_rows::signal_names;

}} // namespace detail

/// "SIGSEGV" for 11, "SIGRTMIN" for 32, "SIGRT_3" for 35; empty outside 1..64 (strace then
/// prints the number).
constexpr std::string_view signal_name(int sig) noexcept {{
    if (sig < 1 || sig > max_signal_number) {{
        return {{}};
    }}
    return detail::signal_names[static_cast<std::size_t>(sig - 1)];
}}

/// The number for a name signal_name returns; also accepts SIGIOT, SIGCLD, SIGPOLL,
/// SIGUNUSED and SIGRTMAX (64).
constexpr std::optional<int> signal_number(std::string_view name) noexcept {{
    for (std::size_t i = 0; i < detail::signal_names.size(); ++i) {{
        if (detail::signal_names[i] == name) {{
            return static_cast<int>(i) + 1;
        }}
    }}
    for (const detail::SignalAlias& alias : detail::signal_aliases) {{
        if (alias.name == name) {{
            return alias.number;
        }}
    }}
    return std::nullopt;
}}

}} // namespace ptrace_api
"""


def main() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unistd", default=DEFAULT_UNISTD)
    parser.add_argument("--out-dir", default=str(root / "include" / "ptrace"))
    opts = parser.parse_args()

    numbers = parse_unistd(pathlib.Path(opts.unistd))
    for nr, name in NEWER_SYSCALLS.items():
        if numbers.get(nr, name) != name:
            sys.exit(f"{opts.unistd} says {nr} is {numbers[nr]}, expected {name}")
        numbers[nr] = name

    out = pathlib.Path(opts.out_dir)
    (out / "syscalls.hpp").write_text(gen_syscalls(numbers, opts.unistd))
    (out / "errnos.hpp").write_text(gen_errnos())
    (out / "signals.hpp").write_text(gen_signals())


if __name__ == "__main__":
    main()
