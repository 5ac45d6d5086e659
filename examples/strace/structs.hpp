// SPDX-License-Identifier: MIT
// Strings and structs in the tracee's memory, printed as strace 6.1 prints them without -v:
// strings and buffers, times, timers, signal sets and the signal frame's mask, I/O vectors,
// clone3's arguments, system information.
#pragma once

#include <ptrace/c_string.hpp>
#include <ptrace/result.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "format.hpp"

namespace strace_example {

/// Reads exactly `out.size()` bytes of the tracee at `addr`, all or nothing (like a Redox mem
/// handle, rule K1). The tracer passes one backed by a Memory handle; tests pass a fake.
using ReadMemory = std::function<bool(std::uint64_t addr, std::span<std::byte> out)>;

/// Reads a trivially copyable `T` at `addr`; false for NULL or when any byte is unmapped.
template <typename T>
bool read_struct(const ReadMemory& read, std::uint64_t addr, T& out) {
    return addr != 0 && read(addr, std::as_writable_bytes(std::span(&out, 1)));
}

/// strace's limit for paths (PATH_MAX - 1): paths are never cut at the `-s` length.
inline constexpr std::size_t path_limit = 4095;

/// A NUL-terminated string of at most `limit` characters, `truncated` when it is longer. It is
/// read up to `limit + 1` bytes (that byte tells a string of exactly `limit` characters from a
/// longer one), at most 256 bytes at a time and never across a page boundary, because a string
/// may end just before an unmapped page and an all-or-nothing read across it would fail.
/// \pre limit < SIZE_MAX.
inline std::optional<ptrace_api::CString> read_string_arg(const ReadMemory& read,
                                                          std::uint64_t addr, std::size_t limit) {
    constexpr std::size_t chunk = 256;
    auto s = ptrace_api::read_c_string(
        [&read](std::uint64_t at, std::span<std::byte> out) -> ptrace_api::Result<void> {
            if (!read(at, out)) {
                return ptrace_api::unexpected(std::errc::bad_address);
            }
            return {};
        },
        addr, limit + 1, chunk);
    if (!s) {
        return std::nullopt;
    }
    if (s->truncated) {
        s->text.resize(limit);
    }
    return std::move(*s);
}

/// A NUL-terminated string argument cut at `limit` characters (`"abc"...` when longer).
inline std::string c_string_text(const ReadMemory& read, std::uint64_t addr, std::size_t limit) {
    if (addr == 0) {
        return "NULL";
    }
    const auto s = read_string_arg(read, addr, limit);
    if (!s) {
        return hex(addr);
    }
    return quote(s->text) + (s->truncated ? "..." : "");
}

/// A path argument: the whole path in quotes, NULL, or the address when it cannot be read.
inline std::string path_text(const ReadMemory& read, std::uint64_t addr) {
    return c_string_text(read, addr, path_limit);
}

/// A buffer of `len` bytes: the first `limit` of them quoted, then `...` if there were more.
inline std::string buffer_text(const ReadMemory& read, std::uint64_t addr, std::uint64_t len,
                               std::size_t limit, bool force_hex = false) {
    if (addr == 0) {
        return "NULL";
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(len, limit));
    std::string bytes(n, '\0');
    if (n != 0 && !read(addr, std::as_writable_bytes(std::span(bytes.data(), bytes.size())))) {
        return hex(addr);
    }
    return quote(bytes, force_hex) + (len > limit ? "..." : "");
}

namespace detail {

/// `{tv_sec=1, tv_nsec=500}` (struct timespec) or `{tv_sec=1, tv_usec=500}` (struct timeval):
/// two signed 64-bit words.
inline std::string time_pair_text(const std::array<std::int64_t, 2>& t, std::string_view sub) {
    return "{tv_sec=" + std::to_string(t[0]) + ", " + std::string(sub) + "=" +
           std::to_string(t[1]) + "}";
}

} // namespace detail

/// A struct timespec argument: `{tv_sec=5, tv_nsec=0}`, NULL, or the address if unreadable.
inline std::string timespec_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    std::array<std::int64_t, 2> t{};
    return read_struct(read, addr, t) ? detail::time_pair_text(t, "tv_nsec") : hex(addr);
}

/// A struct timeval argument: `{tv_sec=0, tv_usec=50000}`.
inline std::string timeval_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    std::array<std::int64_t, 2> t{};
    return read_struct(read, addr, t) ? detail::time_pair_text(t, "tv_usec") : hex(addr);
}

/// utimensat's two times: `[UTIME_NOW, UTIME_OMIT]`, or timespecs, each but the epoch itself
/// followed by the local time it stands for, `/* 2023-11-14T22:13:20.500000000+0000 */`.
inline std::string utimens_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::array<std::int64_t, 2>, 2> times{};
    if (addr == 0) {
        return "NULL";
    }
    if (!read_struct(read, addr, times)) {
        return hex(addr);
    }
    std::string out = "[";
    for (const auto& t : times) {
        out += out.size() > 1 ? ", " : "";
        constexpr std::int64_t utime_now = (1 << 30) - 1;
        constexpr std::int64_t utime_omit = (1 << 30) - 2;
        if (t[1] == utime_now || t[1] == utime_omit) {
            out += t[1] == utime_now ? "UTIME_NOW" : "UTIME_OMIT";
            continue;
        }
        out += detail::time_pair_text(t, "tv_nsec");
        if (t[0] == 0 && t[1] == 0) {
            continue;
        }
        const auto secs = static_cast<std::time_t>(t[0]);
        std::tm tm{};
        std::array<char, 64> when{};
        std::array<char, 16> zone{};
        if (::localtime_r(&secs, &tm) == nullptr) {
            continue;
        }
        std::strftime(when.data(), when.size(), "%Y-%m-%dT%H:%M:%S", &tm);
        std::strftime(zone.data(), zone.size(), "%z", &tm);
        std::string fraction;
        if (t[1] != 0) {
            std::array<char, 16> digits{};
            std::snprintf(digits.data(), digits.size(), ".%09lld", static_cast<long long>(t[1]));
            fraction = digits.data();
        }
        out += std::string(" /* ") + when.data() + fraction + zone.data() + " */";
    }
    return out + "]";
}

/// A struct itimerval: `{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=1, tv_usec=0}}`.
inline std::string itimerval_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    std::array<std::int64_t, 4> t{};
    if (!read_struct(read, addr, t)) {
        return hex(addr);
    }
    return "{it_interval=" + detail::time_pair_text({t[0], t[1]}, "tv_usec") +
           ", it_value=" + detail::time_pair_text({t[2], t[3]}, "tv_usec") + "}";
}

/// A struct itimerspec (POSIX timers): `{it_interval={tv_sec=0, tv_nsec=0}, it_value=...}`.
inline std::string itimerspec_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    std::array<std::int64_t, 4> t{};
    if (!read_struct(read, addr, t)) {
        return hex(addr);
    }
    return "{it_interval=" + detail::time_pair_text({t[0], t[1]}, "tv_nsec") +
           ", it_value=" + detail::time_pair_text({t[2], t[3]}, "tv_nsec") + "}";
}

inline constexpr std::array<FlagName, 11> clock_table{{
    {0, "CLOCK_REALTIME"},
    {1, "CLOCK_MONOTONIC"},
    {2, "CLOCK_PROCESS_CPUTIME_ID"},
    {3, "CLOCK_THREAD_CPUTIME_ID"},
    {4, "CLOCK_MONOTONIC_RAW"},
    {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"},
    {7, "CLOCK_BOOTTIME"},
    {8, "CLOCK_REALTIME_ALARM"},
    {9, "CLOCK_BOOTTIME_ALARM"},
    {11, "CLOCK_TAI"},
}};

/// A clock id: `CLOCK_MONOTONIC`, or the number.
inline std::string clock_text(std::uint64_t id) {
    return value_name(id & 0xffffffff, clock_table, std::to_string(as_int(id)));
}

/// The struct sigevent of timer_create: `{sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}`,
/// with sigev_value first when it is not zero, and the thread id for SIGEV_THREAD_ID.
inline std::string sigevent_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    struct Sigevent {
        std::uint64_t value;
        std::int32_t signo;
        std::int32_t notify;
        std::uint64_t function_or_tid;
        std::uint64_t attributes;
    } ev{};
    if (!read_struct(read, addr, ev)) {
        return hex(addr);
    }
    std::string out = "{";
    if (ev.value != 0) {
        out += "sigev_value={sival_int=" + std::to_string(as_int(ev.value)) +
               ", sival_ptr=" + hex(ev.value) + "}, ";
    }
    constexpr std::array<FlagName, 4> notify{{
        {0, "SIGEV_SIGNAL"},
        {1, "SIGEV_NONE"},
        {2, "SIGEV_THREAD"},
        {4, "SIGEV_THREAD_ID"},
    }};
    const auto how = static_cast<std::uint64_t>(static_cast<std::uint32_t>(ev.notify));
    out += "sigev_signo=" + signal_text(static_cast<std::uint32_t>(ev.signo)) +
           ", sigev_notify=" + value_name(how, notify, std::to_string(ev.notify));
    if (how == 4) {
        out += ", sigev_notify_thread_id=" + std::to_string(as_int(ev.function_or_tid));
    } else if (how == 2) {
        out += ", sigev_notify_function=" + pointer(ev.function_or_tid) +
               ", sigev_notify_attributes=" + pointer(ev.attributes);
    }
    return out + "}";
}

/// A `T` the kernel wrote (or the tracee passed) at `addr`, in strace's brackets:
/// `[` + text(value) + `]`; the address when it cannot be read.
template <typename T, typename Text>
std::string written_at(const ReadMemory& read, std::uint64_t addr, Text text) {
    T value{};
    return read_struct(read, addr, value) ? "[" + std::string(text(value)) + "]" : pointer(addr);
}

/// An int the kernel wrote (a timer id, a tid): `[5]`.
inline std::string int_at(const ReadMemory& read, std::uint64_t addr) {
    return written_at<std::int32_t>(read, addr, [](std::int32_t v) { return std::to_string(v); });
}

/// A terminal's struct winsize (TIOCGWINSZ, TIOCSWINSZ):
/// `{ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}`; the address when unreadable.
inline std::string winsize_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::uint16_t, 4> w{};
    if (!read_struct(read, addr, w)) {
        return pointer(addr);
    }
    return "{ws_row=" + std::to_string(w[0]) + ", ws_col=" + std::to_string(w[1]) +
           ", ws_xpixel=" + std::to_string(w[2]) + ", ws_ypixel=" + std::to_string(w[3]) + "}";
}

/// A child's CPU time in clock ticks as strace prints it in a siginfo: `0`, or `2 /* 0.02 s */`
/// (USER_HZ, 100 ticks a second).
inline std::string clock_ticks_text(std::int64_t ticks) {
    if (ticks == 0) {
        return "0";
    }
    std::array<char, 64> seconds{};
    std::snprintf(seconds.data(), seconds.size(), "%lld.%02lld",
                  static_cast<long long>(ticks / 100), static_cast<long long>(ticks % 100));
    return std::to_string(ticks) + " /* " + seconds.data() + " s */";
}

/// The siginfo_t waitid(2) fills for a child: `{si_signo=SIGCHLD, si_code=CLD_EXITED,
/// si_pid=5153, si_uid=0, si_status=3, si_utime=0, si_stime=0}` (the status is a signal for
/// every code but CLD_EXITED); `{}` when nothing was reported (WNOHANG). The address when
/// unreadable.
inline std::string child_siginfo_at(const ReadMemory& read, std::uint64_t addr) {
    struct ChildSiginfo {
        std::int32_t signo;
        std::int32_t error;
        std::int32_t code;
        std::int32_t pid;
        std::uint32_t uid;
        std::int32_t status;
        std::int64_t utime;
        std::int64_t stime;
    };
    std::array<std::byte, 48> bytes{};
    if (!read(addr, bytes)) {
        return pointer(addr);
    }
    ChildSiginfo si{};
    std::memcpy(&si.signo, bytes.data(), 12);      // si_signo, si_errno, si_code
    std::memcpy(&si.pid, bytes.data() + 16, 12);   // si_pid, si_uid, si_status
    std::memcpy(&si.utime, bytes.data() + 32, 16); // si_utime, si_stime
    if (si.signo == 0) {
        return "{}";
    }
    constexpr std::array<FlagName, 6> codes{{
        {1, "CLD_EXITED"},
        {2, "CLD_KILLED"},
        {3, "CLD_DUMPED"},
        {4, "CLD_TRAPPED"},
        {5, "CLD_STOPPED"},
        {6, "CLD_CONTINUED"},
    }};
    constexpr int cld_exited = 1;
    return "{si_signo=" + signal_text(static_cast<std::uint64_t>(si.signo)) + ", si_code=" +
           value_name(static_cast<std::uint32_t>(si.code), codes, std::to_string(si.code)) +
           ", si_pid=" + std::to_string(si.pid) + ", si_uid=" + std::to_string(si.uid) +
           ", si_status=" +
           (si.code == cld_exited ? std::to_string(si.status)
                                  : signal_text(static_cast<std::uint32_t>(si.status))) +
           ", si_utime=" + clock_ticks_text(si.utime) + ", si_stime=" + clock_ticks_text(si.stime) +
           "}";
}

/// A struct sock_fprog (a seccomp filter program, as seccomp(2) and PR_SET_SECCOMP take it):
/// `{len=12, filter=0x5602...}`; strace without -v shows the instructions' address only. NULL,
/// or the address when unreadable.
inline std::string sock_fprog_at(const ReadMemory& read, std::uint64_t addr) {
    struct SockFprog {
        std::uint16_t len;
        std::uint64_t filter;
    } prog{};
    if (!read_struct(read, addr, prog)) {
        return pointer(addr);
    }
    return "{len=" + std::to_string(prog.len) + ", filter=" + pointer(prog.filter) + "}";
}

/// A CPU set of `len` bytes, as sched_getaffinity returns it: `[0 1]`.
inline std::string cpu_set_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t len) {
    std::vector<std::byte> bits(static_cast<std::size_t>(std::min<std::uint64_t>(len, 8192)));
    if (addr == 0 || (!bits.empty() && !read(addr, bits))) {
        return pointer(addr);
    }
    std::string out = "[";
    for (std::size_t cpu = 0; cpu < bits.size() * 8; ++cpu) {
        if ((static_cast<unsigned>(bits[cpu / 8]) >> (cpu % 8) & 1U) != 0) {
            out += (out.size() > 1 ? " " : "") + std::to_string(cpu);
        }
    }
    return out + "]";
}

/// struct sysinfo: every field, as strace prints it.
inline std::string sysinfo_at(const ReadMemory& read, std::uint64_t addr) {
    struct Sysinfo {
        std::int64_t uptime;
        std::array<std::uint64_t, 3> loads;
        std::uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        std::uint16_t procs;
        std::array<std::uint16_t, 3> pad;
        std::uint64_t totalhigh, freehigh;
        std::uint32_t mem_unit;
        std::uint32_t tail;
    } si{};
    if (!read_struct(read, addr, si)) {
        return pointer(addr);
    }
    return "{uptime=" + std::to_string(si.uptime) + ", loads=[" + std::to_string(si.loads[0]) +
           ", " + std::to_string(si.loads[1]) + ", " + std::to_string(si.loads[2]) +
           "], totalram=" + std::to_string(si.totalram) +
           ", freeram=" + std::to_string(si.freeram) +
           ", sharedram=" + std::to_string(si.sharedram) +
           ", bufferram=" + std::to_string(si.bufferram) +
           ", totalswap=" + std::to_string(si.totalswap) +
           ", freeswap=" + std::to_string(si.freeswap) + ", procs=" + std::to_string(si.procs) +
           ", totalhigh=" + std::to_string(si.totalhigh) +
           ", freehigh=" + std::to_string(si.freehigh) +
           ", mem_unit=" + std::to_string(si.mem_unit) + "}";
}

/// struct utsname as strace prints it without -v: `{sysname="Linux", nodename="vm", ...}`.
inline std::string utsname_at(const ReadMemory& read, std::uint64_t addr) {
    constexpr std::size_t field = 65; // each name is a char[65], NUL-terminated
    std::array<char, field * 2> names{};
    if (!read_struct(read, addr, names)) {
        return pointer(addr);
    }
    auto name = [&](std::size_t at) {
        const std::string_view f(names.data() + at, field);
        return quote(f.substr(0, f.find('\0')));
    };
    return "{sysname=" + name(0) + ", nodename=" + name(field) + ", ...}";
}

/// struct rusage as strace prints it without -v: the two times, then `...`.
inline std::string rusage_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::int64_t, 4> times{};
    if (!read_struct(read, addr, times)) {
        return pointer(addr);
    }
    return "{ru_utime=" + detail::time_pair_text({times[0], times[1]}, "tv_usec") +
           ", ru_stime=" + detail::time_pair_text({times[2], times[3]}, "tv_usec") + ", ...}";
}

// struct statfs's f_type: the magic numbers of linux/magic.h that strace 6.1 names (the file
// systems of a Linux machine and its common mounts; others are printed in hex).
inline constexpr std::array<FlagName, 42> fs_magic_table{{
    {0xef53, "EXT2_SUPER_MAGIC"},
    {0x01021994, "TMPFS_MAGIC"},
    {0x9fa0, "PROC_SUPER_MAGIC"},
    {0x62656572, "SYSFS_MAGIC"},
    {0x794c7630, "OVERLAYFS_SUPER_MAGIC"},
    {0x9123683e, "BTRFS_SUPER_MAGIC"},
    {0x58465342, "XFS_SUPER_MAGIC"},
    {0x1cd1, "DEVPTS_SUPER_MAGIC"},
    {0x63677270, "CGROUP2_SUPER_MAGIC"},
    {0x0027e0eb, "CGROUP_SUPER_MAGIC"},
    {0x6969, "NFS_SUPER_MAGIC"},
    {0x73717368, "SQUASHFS_MAGIC"},
    {0x65735546, "FUSE_SUPER_MAGIC"},
    {0x65735543, "FUSE_CTL_SUPER_MAGIC"},
    {0x01021997, "V9FS_MAGIC"},
    {0x0187, "AUTOFS_SUPER_MAGIC"},
    {0x64626720, "DEBUGFS_MAGIC"},
    {0x74726163, "TRACEFS_MAGIC"},
    {0x73636673, "SECURITYFS_MAGIC"},
    {0xcafe4a11, "BPF_FS_MAGIC"},
    {0x6165676c, "PSTOREFS_MAGIC"},
    {0x62656570, "CONFIGFS_MAGIC"},
    {0x958458f6, "HUGETLBFS_MAGIC"},
    {0x858458f6, "RAMFS_MAGIC"},
    {0x42494e4d, "BINFMTFS_MAGIC"},
    {0xde5e81e4, "EFIVARFS_MAGIC"},
    {0x6e736673, "NSFS_MAGIC"},
    {0x09041934, "ANON_INODE_FS_MAGIC"},
    {0x50495045, "PIPEFS_MAGIC"},
    {0x534f434b, "SOCKFS_MAGIC"},
    {0xf97cff8c, "SELINUX_MAGIC"},
    {0x5a3c69f0, "AAFS_MAGIC"},
    {0x4d44, "MSDOS_SUPER_MAGIC"},
    {0x9660, "ISOFS_SUPER_MAGIC"},
    {0x2011bab0, "EXFAT_SUPER_MAGIC"},
    {0x5346544e, "NTFS_SB_MAGIC"},
    {0xf2f52010, "F2FS_SUPER_MAGIC"},
    {0xe0f5e1e2, "EROFS_SUPER_MAGIC_V1"},
    {0x2fc12fc1, "ZFS_SUPER_MAGIC"},
    {0x00c36400, "CEPH_SUPER_MAGIC"},
    {0xfe534d42, "SMB2_SUPER_MAGIC"},
    {0xff534d42, "CIFS_SUPER_MAGIC"},
}};

inline constexpr std::array<FlagName, 11> statfs_flag_table{{
    {0x20, "ST_VALID"}, // first, as strace prints it
    {0x1, "ST_RDONLY"},
    {0x2, "ST_NOSUID"},
    {0x4, "ST_NODEV"},
    {0x8, "ST_NOEXEC"},
    {0x10, "ST_SYNCHRONOUS"},
    {0x40, "ST_MANDLOCK"},
    {0x400, "ST_NOATIME"},
    {0x800, "ST_NODIRATIME"},
    {0x1000, "ST_RELATIME"},
    {0x2000, "ST_NOSYMFOLLOW"},
}};

/// struct statfs (x86_64): every field, the type and the mount flags by name.
inline std::string statfs_at(const ReadMemory& read, std::uint64_t addr) {
    struct Statfs {
        std::int64_t type, bsize;
        std::uint64_t blocks, bfree, bavail, files, ffree;
        std::array<std::uint32_t, 2> fsid;
        std::int64_t namelen, frsize, flags;
        std::array<std::int64_t, 4> spare;
    } st{};
    if (!read_struct(read, addr, st)) {
        return pointer(addr);
    }
    const auto type = static_cast<std::uint64_t>(st.type);
    return "{f_type=" + value_name(type, fs_magic_table, hex(type)) +
           ", f_bsize=" + std::to_string(st.bsize) + ", f_blocks=" + std::to_string(st.blocks) +
           ", f_bfree=" + std::to_string(st.bfree) + ", f_bavail=" + std::to_string(st.bavail) +
           ", f_files=" + std::to_string(st.files) + ", f_ffree=" + std::to_string(st.ffree) +
           ", f_fsid={val=[" + hex(st.fsid[0]) + ", " + hex(st.fsid[1]) +
           "]}, f_namelen=" + std::to_string(st.namelen) +
           ", f_frsize=" + std::to_string(st.frsize) +
           ", f_flags=" + flag_names(static_cast<std::uint64_t>(st.flags), statfs_flag_table) + "}";
}

/// The sigset_t at `addr` (the kernel's 8 bytes; any other `size` is shown as an address).
inline std::string sigset_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t size) {
    std::uint64_t mask = 0;
    if (addr == 0) {
        return "NULL";
    }
    if (size != 8 || !read(addr, std::as_writable_bytes(std::span(&mask, 1)))) {
        return hex(addr);
    }
    return sigset_text(mask);
}

/// Where rt_sigreturn finds the mask to restore, from the stack pointer at its entry. The
/// handler's `ret` popped the frame's return address (pretcode), so rsp points at the
/// ucontext of the x86_64 rt_sigframe; uc_sigmask follows uc_flags (8), uc_link (8),
/// uc_stack (24) and uc_mcontext (256): offset 296.
inline constexpr std::uint64_t sigframe_mask_offset = 8 + 8 + 24 + 256;

} // namespace strace_example
