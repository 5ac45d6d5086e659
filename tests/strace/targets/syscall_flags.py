# SPDX-License-Identifier: MIT
# Flags, structs and what the kernel writes back, for calls whose arguments the strace example
# decodes by their own rules (strace_test.py compare): memfd_create's flags and huge page
# size, inotify's flags and event mask, mlockall, msync, close_range, fallocate and
# sync_file_range flags, getrlimit's and setrlimit's limits, openat2's struct open_how,
# sched_setaffinity's CPU set, rt_sigpending's set by its size, get_robust_list's head and
# size, arch_prctl's FS base, io_setup's context, unshare's flags, syslog's actions (only the
# one that reads a size, and two the kernel refuses), membarrier's commands, file times,
# settimeofday, fanotify_init, kcmp, mincore, vmsplice and process_madvise. Each call only
# touches this process (its own limits, memory and descriptors), or fails without effect; none
# changes the machine.
import ctypes
import mmap
import os
import signal
import struct

libc = ctypes.CDLL(None, use_errno=True)
syscall = libc.syscall
syscall.restype = ctypes.c_long


def call(number, *args):
    return syscall(ctypes.c_long(number), *[ctypes.c_ulong(a & 0xFFFFFFFFFFFFFFFF) for a in args])


buf = ctypes.create_string_buffer(256)
p = ctypes.addressof(buf)

for flags in (0, 1, 2, 3, 8, (21 << 26) | 4, 8 | (21 << 26)):
    fd = call(319, ctypes.addressof(ctypes.create_string_buffer(b"flags\0")), flags)  # memfd_create
    if fd >= 0:
        os.close(fd)
memfd = os.memfd_create("data", os.MFD_CLOEXEC)
os.ftruncate(memfd, 8192)
for mode in (0, 1, 3, 0x10, 0x80):
    call(285, memfd, mode, 0, 4096)  # fallocate
for flags in (0, 2, 7, 8):
    call(277, memfd, 0, 4096, flags)  # sync_file_range
for flags in (0, 0o4000, 0o2000000, 0o2004000, 1):
    fd = call(294, flags)  # inotify_init1
    if fd >= 0:
        for mask in (0x100 | 0x200, 0x18, 0x80000000 | 0x1000000 | 0xFFF, 0x1000):
            call(254, fd, ctypes.addressof(ctypes.create_string_buffer(b"/tmp\0")), mask)
        os.close(fd)
for flags in (1, 3, 8):
    call(151, flags)  # mlockall
call(152)  # munlockall
for flags in (0, 1, 4, 6, 8):
    call(26, 0, 0, flags)  # msync
for flags in (0, 2, 4, 8):
    call(436, 1000, 1100, flags)  # close_range, above every descriptor in use
call(97, 7, p)  # getrlimit(RLIMIT_NOFILE)
call(160, 7, p)  # setrlimit(RLIMIT_NOFILE) to what it was
call(97, 99, p)
call(160, 7, 0)
path = ctypes.create_string_buffer(b"/nonexistent-directory/file\0")
for flags, mode, resolve, tail in ((0o100 | 0o2000000, 0o644, 0xF, b""), (0, 0, 0x40, b""),
                                   (0o2, 0, 0, b"\x01" + bytes(7)), (0o20000 | 0x80000000, 0, 0, b"")):
    how = ctypes.create_string_buffer(struct.pack("<QQQ", flags, mode, resolve) + tail)
    call(437, -100, ctypes.addressof(path), ctypes.addressof(how), 24 + len(tail))  # openat2
    call(437, -100, ctypes.addressof(path), ctypes.addressof(how), 16)
mask = ctypes.create_string_buffer(bytes([1]) + bytes(4095))
for size in (8, 3, 4096):
    call(203, 0, size, ctypes.addressof(mask))  # sched_setaffinity to CPU 0
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
os.kill(os.getpid(), signal.SIGUSR1)
for size in (8, 2, 0, 16):
    call(127, p, size)  # rt_sigpending
call(274, 0, p, p + 8)  # get_robust_list
call(158, 0x1003, p)  # arch_prctl(ARCH_GET_FS)
call(206, 1, p)  # io_setup
call(272, 0x7F)  # unshare of nothing it may share: EINVAL
call(103, 10, 0, 0)  # syslog(SYSLOG_ACTION_SIZE_BUFFER): only reads
call(103, 99, 0, 0)  # an unknown action, and a console level the kernel refuses: EINVAL
call(103, 8, 0, 99)
call(324, 0, 0, 0)  # membarrier(MEMBARRIER_CMD_QUERY)
call(324, 0, 2, 0)
call(324, 3, 0, 0)
# File times as timevals and timespecs (a path that does not exist: ENOENT, or EINVAL for a
# fraction out of range), settimeofday refused for one (the clock untouched), fanotify's
# classes and flags, kcmp's types (on pid 1, which this process may not inspect: EPERM).
missing = ctypes.create_string_buffer(b"/nonexistent-directory/file\0")
for times in ((1700000000, 5, 1700000001, 2000000), (1700000000, 0, -1, 5), (0, 0, 1700000000, -5),
              (0, (1 << 30) - 1, 5, (1 << 30) - 2), (1700000000, 2000000000, 0, 0)):
    packed = ctypes.create_string_buffer(struct.pack("<qqqq", *times))
    call(235, ctypes.addressof(missing), ctypes.addressof(packed))  # utimes
    call(261, -100, ctypes.addressof(missing), ctypes.addressof(packed))  # futimesat
    call(280, -100, ctypes.addressof(missing), ctypes.addressof(packed), 0)  # utimensat
invalid = ctypes.create_string_buffer(struct.pack("<qq", 1700000000, 1000000))
zone = ctypes.create_string_buffer(struct.pack("<ii", -60, 0))
call(164, ctypes.addressof(invalid), 0)  # settimeofday: EINVAL
call(164, ctypes.addressof(invalid), ctypes.addressof(zone))
for flags, event_flags in ((0, 0), (1, 0), (4, 2), (0x11, 0o4000), (0x2000, 0), (0xC | 1, 0)):
    fd = call(300, flags, event_flags)  # fanotify_init
    if fd >= 0:
        os.close(fd)
for kind in range(10):
    call(312, 1, 1, kind, 3, 0)  # kcmp
# mincore on pages of its own (the first touched), vmsplice into a pipe of its own,
# process_madvise on itself with a hint (MADV_COLD) and an advice the kernel refuses.
pages = mmap.mmap(-1, 4096 * 40)
base = ctypes.addressof(ctypes.c_char.from_buffer(pages))
pages[0:1] = b"x"
vec = ctypes.create_string_buffer(64)
for length in (4096 * 3, 4096 * 40, 0):
    call(27, base, length, ctypes.addressof(vec))  # mincore
read_end, write_end = os.pipe()
data = ctypes.create_string_buffer(b"hello")
vector = (ctypes.c_ulong * 4)(ctypes.addressof(data), 5, ctypes.addressof(data), 2)
call(278, write_end, ctypes.addressof(vector), 2, 0)  # vmsplice
call(278, write_end, ctypes.addressof(vector), 0, 0)
pidfd = os.pidfd_open(os.getpid())
ranges = (ctypes.c_ulong * 2)(base, 4096)
call(440, pidfd, ctypes.addressof(ranges), 1, 20, 0)  # process_madvise(MADV_COLD)
call(440, pidfd, ctypes.addressof(ranges), 1, 99, 0)
