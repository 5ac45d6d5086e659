// SPDX-License-Identifier: MIT
// The strace example's printers of syscall arguments (flags, structs, strings, addresses), the
// records of a call seen at its entry (Arg, PendingCall), and each argument's generic text by
// its kind in the syscall table. syscall_decoders.hpp picks among them per syscall.
#pragma once

#include <ptrace/syscalls.hpp>

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <net/if.h>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <sys/syscall.h>

#include "fd_waits.hpp"
#include "format.hpp"
#include "ioctl.hpp"
#include "netlink.hpp"
#include "prctl.hpp"
#include "ptrace_calls.hpp"
#include "sched_numa.hpp"
#include "sockaddr.hpp"
#include "sockopt.hpp"
#include "structs.hpp"

namespace strace_example {

/// Reads the NULL-terminated pointer array at `addr`, at most `max` entries; nullopt on a fault.
inline std::optional<std::vector<std::uint64_t>>
read_pointer_array(const ReadMemory& read, std::uint64_t addr, std::size_t max) {
    std::vector<std::uint64_t> out;
    while (out.size() < max) {
        std::uint64_t p = 0;
        if (!read(addr + 8 * out.size(), std::as_writable_bytes(std::span(&p, 1)))) {
            return std::nullopt;
        }
        if (p == 0) {
            break;
        }
        out.push_back(p);
    }
    return out;
}

/// An iovec array of `count` elements: `[{iov_base="ab", iov_len=2}, ...]`, at most `limit`
/// elements. The bases are shown as data up to `data` bytes in all (a read's result; nullopt:
/// every element whole, for a write), or as addresses when the call failed (`addresses`);
/// as netlink messages of protocol `netlink` when given (netlink.hpp).
inline std::string iovec_text(const ReadMemory& read, std::uint64_t addr, std::uint64_t count,
                              std::optional<std::uint64_t> data, std::size_t limit,
                              bool addresses = false, std::optional<int> netlink = std::nullopt) {
    if (addr == 0) {
        return "NULL";
    }
    std::vector<std::string> items;
    for (std::uint64_t i = 0; i < count && items.size() < limit; ++i) {
        std::array<std::uint64_t, 2> iov{}; // iov_base, iov_len
        if (!read_struct(read, addr + 16 * i, iov)) {
            if (i == 0) {
                return hex(addr);
            }
            break;
        }
        std::string base;
        if (addresses) {
            base = pointer(iov[0]);
        } else {
            const std::uint64_t n = data ? std::min(iov[1], *data) : iov[1];
            const auto messages =
                netlink ? netlink_at(read, iov[0], n, *netlink, limit) : std::nullopt;
            base = messages ? *messages : buffer_text(read, iov[0], n, limit);
            if (data) {
                *data -= n;
            }
        }
        items.push_back("{iov_base=" + base + ", iov_len=" + std::to_string(iov[1]) + "}");
    }
    return array_text(items, count > items.size());
}

/// execve's argv: `["ls", "-l"]`, each string cut at `limit`, and at most `limit` elements
/// (then `...`), as strace does.
inline std::string argv_text(const ReadMemory& read, std::uint64_t addr, std::size_t limit) {
    if (addr == 0) {
        return "NULL";
    }
    const auto ptrs = read_pointer_array(read, addr, limit + 1);
    if (!ptrs) {
        return hex(addr);
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < ptrs->size() && i < limit; ++i) {
        items.push_back(c_string_text(read, (*ptrs)[i], limit));
    }
    return array_text(items, ptrs->size() > limit);
}

/// A list of strings we hold ourselves (not in a tracee), printed like argv_text().
inline std::string string_list_text(const std::vector<std::string>& strings, std::size_t limit) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < strings.size() && i < limit; ++i) {
        const bool cut = strings[i].size() > limit;
        items.push_back(quote(cut ? strings[i].substr(0, limit) : strings[i]) + (cut ? "..." : ""));
    }
    return array_text(items, strings.size() > limit);
}

/// execve's envp as strace prints it without -v: `0x7ffc... /* 23 vars */`.
inline std::string envp_text(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    const auto ptrs = read_pointer_array(read, addr, 65536);
    if (!ptrs) {
        return hex(addr);
    }
    return hex(addr) + " /* " + std::to_string(ptrs->size()) + " vars */";
}

/// One argument as printed. Arguments the kernel fills in (read buffers, readlink's result,
/// pipe's fds, wait4's status) are decoded at exit: `at_exit` marks them.
struct Arg {
    std::string text;
    bool at_exit = false;
    unsigned index = 0; ///< which register (0 = rdi ... 5 = r9)
};

/// A syscall seen at its entry stop, waiting for its exit stop to be printed whole.
struct PendingCall {
    long nr = -1;
    std::array<std::uint64_t, 6> regs{}; ///< rdi, rsi, rdx, r10, r8, r9 at entry
    std::vector<Arg> args;
    /// clone's and clone3's flags, read at entry (a tracer following threads needs
    /// CLONE_THREAD; clone3's struct may be gone from the stack by the exit).
    std::optional<std::uint64_t> clone_flags;
    /// The length accept, accept4, getsockname, getpeername, recvfrom (of the address),
    /// getsockopt (of the value) and recvmsg (its msg_namelen) were given, read at entry:
    /// strace prints `[16]`, or `[16 => 12]` when the kernel wrote another length.
    std::optional<std::uint32_t> socklen;
    /// recvmmsg's msg_namelen of each message, read at entry (the room the kernel was given).
    std::optional<std::vector<std::uint32_t>> namelens;
    /// PTRACE_GETREGSET's iov_len at entry: strace prints `4096 => 2432` when the kernel
    /// wrote a shorter one.
    std::optional<std::uint64_t> regset_len;
    /// The protocol of the netlink socket the send or receive call (sendto, recvfrom,
    /// sendmsg, recvmsg, sendmmsg, recvmmsg) names, netlink_unknown when the tracer could not
    /// tell; nullopt for another socket or call.
    std::optional<int> netlink;
};

/// Asks the tracer which netlink protocol a descriptor of the tracee is a socket of:
/// nullopt when it is no netlink socket, netlink_unknown when its protocol cannot be found.
using NetlinkLookup = std::function<std::optional<int>(int fd)>;

/// The flags of a clone or clone3 call at its entry; nullopt for other syscalls.
inline std::optional<std::uint64_t>
clone_flags_at_entry(long nr, const std::array<std::uint64_t, 6>& regs, const ReadMemory& read) {
    if (nr == SYS_clone) {
        return regs[0];
    }
    std::uint64_t flags = 0;
    if (nr == SYS_clone3 && regs[1] >= 8 && read_struct(read, regs[0], flags)) {
        return flags;
    }
    return std::nullopt;
}

namespace detail {

inline constexpr std::array<FlagName, 5> seek_table{{
    {0, "SEEK_SET"},
    {1, "SEEK_CUR"},
    {2, "SEEK_END"},
    {3, "SEEK_DATA"},
    {4, "SEEK_HOLE"},
}};
inline constexpr std::array<FlagName, 3> sigprocmask_table{{
    {0, "SIG_BLOCK"},
    {1, "SIG_UNBLOCK"},
    {2, "SIG_SETMASK"},
}};
inline constexpr std::array<FlagName, 4> arch_prctl_table{{
    {0x1001, "ARCH_SET_GS"},
    {0x1002, "ARCH_SET_FS"},
    {0x1003, "ARCH_GET_FS"},
    {0x1004, "ARCH_GET_GS"},
}};
inline constexpr std::array<FlagName, 4> seccomp_op_table{{
    {0, "SECCOMP_SET_MODE_STRICT"},
    {1, "SECCOMP_SET_MODE_FILTER"},
    {2, "SECCOMP_GET_ACTION_AVAIL"},
    {3, "SECCOMP_GET_NOTIF_SIZES"},
}};
inline constexpr std::uint64_t seccomp_set_mode_filter = 1;
inline constexpr std::uint64_t seccomp_get_action_avail = 2;
inline constexpr std::uint64_t seccomp_get_notif_sizes = 3;

inline constexpr std::array<FlagName, 6> seccomp_filter_flag_table{{
    {1, "SECCOMP_FILTER_FLAG_TSYNC"},
    {2, "SECCOMP_FILTER_FLAG_LOG"},
    {4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
    {8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"},
    {16, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"},
    {32, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
}};

inline constexpr std::array<FlagName, 8> seccomp_ret_table{{
    {0x80000000, "SECCOMP_RET_KILL_PROCESS"},
    {0x00000000, "SECCOMP_RET_KILL_THREAD"},
    {0x00030000, "SECCOMP_RET_TRAP"},
    {0x00050000, "SECCOMP_RET_ERRNO"},
    {0x7fc00000, "SECCOMP_RET_USER_NOTIF"},
    {0x7ff00000, "SECCOMP_RET_TRACE"},
    {0x7ffc0000, "SECCOMP_RET_LOG"},
    {0x7fff0000, "SECCOMP_RET_ALLOW"},
}};

/// SECCOMP_GET_NOTIF_SIZES's answer: `{seccomp_notif=80, seccomp_notif_resp=24, seccomp_data=64}`.
inline std::string seccomp_notif_sizes_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::uint16_t, 3> sizes{};
    if (!read_struct(read, addr, sizes)) {
        return pointer(addr);
    }
    return "{seccomp_notif=" + std::to_string(sizes[0]) +
           ", seccomp_notif_resp=" + std::to_string(sizes[1]) +
           ", seccomp_data=" + std::to_string(sizes[2]) + "}";
}

// Landlock (landlock_create_ruleset, landlock_add_rule): the file-system rights strace 6.1
// names, and the rule types.
inline constexpr std::array<FlagName, 14> landlock_access_fs_table{{
    {1U << 0, "LANDLOCK_ACCESS_FS_EXECUTE"},
    {1U << 1, "LANDLOCK_ACCESS_FS_WRITE_FILE"},
    {1U << 2, "LANDLOCK_ACCESS_FS_READ_FILE"},
    {1U << 3, "LANDLOCK_ACCESS_FS_READ_DIR"},
    {1U << 4, "LANDLOCK_ACCESS_FS_REMOVE_DIR"},
    {1U << 5, "LANDLOCK_ACCESS_FS_REMOVE_FILE"},
    {1U << 6, "LANDLOCK_ACCESS_FS_MAKE_CHAR"},
    {1U << 7, "LANDLOCK_ACCESS_FS_MAKE_DIR"},
    {1U << 8, "LANDLOCK_ACCESS_FS_MAKE_REG"},
    {1U << 9, "LANDLOCK_ACCESS_FS_MAKE_SOCK"},
    {1U << 10, "LANDLOCK_ACCESS_FS_MAKE_FIFO"},
    {1U << 11, "LANDLOCK_ACCESS_FS_MAKE_BLOCK"},
    {1U << 12, "LANDLOCK_ACCESS_FS_MAKE_SYM"},
    {1U << 13, "LANDLOCK_ACCESS_FS_REFER"},
}};
inline constexpr std::uint64_t landlock_rule_path_beneath = 1;

/// landlock_create_ruleset's attributes: `{handled_access_fs=...}` (the address when `size` is
/// below the field's 8 bytes or the memory cannot be read).
inline std::string landlock_ruleset_at(const ReadMemory& read, std::uint64_t addr,
                                       std::uint64_t size) {
    std::uint64_t handled = 0;
    if (addr == 0 || size < sizeof handled || !read_struct(read, addr, handled)) {
        return pointer(addr);
    }
    return "{handled_access_fs=" +
           flags_or_unknown(handled, landlock_access_fs_table, "LANDLOCK_ACCESS_FS_") + "}";
}

/// landlock_add_rule's LANDLOCK_RULE_PATH_BENEATH attributes (12 bytes, packed):
/// `{allowed_access=..., parent_fd=N}`.
inline std::string landlock_path_beneath_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::uint32_t, 3> words{}; // allowed_access (low, high), parent_fd
    if (addr == 0 || !read_struct(read, addr, words)) {
        return pointer(addr);
    }
    const std::uint64_t allowed = words[0] | (std::uint64_t{words[1]} << 32);
    return "{allowed_access=" +
           flags_or_unknown(allowed, landlock_access_fs_table, "LANDLOCK_ACCESS_FS_") +
           ", parent_fd=" + std::to_string(static_cast<std::int32_t>(words[2])) + "}";
}

inline constexpr std::array<FlagName, 3> mremap_table{{
    {1, "MREMAP_MAYMOVE"},
    {2, "MREMAP_FIXED"},
    {4, "MREMAP_DONTUNMAP"},
}};
inline constexpr std::array<FlagName, 16> fcntl_table{{
    {0, "F_DUPFD"},
    {1, "F_GETFD"},
    {2, "F_SETFD"},
    {3, "F_GETFL"},
    {4, "F_SETFL"},
    {5, "F_GETLK"},
    {6, "F_SETLK"},
    {7, "F_SETLKW"},
    {8, "F_SETOWN"},
    {9, "F_GETOWN"},
    {10, "F_SETSIG"},
    {11, "F_GETSIG"},
    {1030, "F_DUPFD_CLOEXEC"},
    {1031, "F_SETPIPE_SZ"},
    {1032, "F_GETPIPE_SZ"},
    {1034, "F_GET_SEALS"},
}};
// wait4's options, in strace's order (WUNTRACED is WSTOPPED's other name).
inline constexpr std::array<FlagName, 8> wait_table{{
    {1, "WNOHANG"},
    {4, "WEXITED"},
    {2, "WSTOPPED"},
    {8, "WCONTINUED"},
    {0x1000000, "WNOWAIT"},
    {0x80000000, "__WCLONE"},
    {0x40000000, "__WALL"},
    {0x20000000, "__WNOTHREAD"},
}};
// waitid's options, in strace's order (by value).
inline constexpr std::array<FlagName, 8> waitid_option_table{{
    {1, "WNOHANG"},
    {2, "WSTOPPED"},
    {4, "WEXITED"},
    {8, "WCONTINUED"},
    {0x1000000, "WNOWAIT"},
    {0x20000000, "__WNOTHREAD"},
    {0x40000000, "__WALL"},
    {0x80000000, "__WCLONE"},
}};
inline constexpr std::array<FlagName, 4> waitid_idtype_table{{
    {0, "P_ALL"},
    {1, "P_PID"},
    {2, "P_PGID"},
    {3, "P_PIDFD"},
}};
inline constexpr std::array<FlagName, 3> grnd_table{{
    {1, "GRND_NONBLOCK"},
    {2, "GRND_RANDOM"},
    {4, "GRND_INSECURE"},
}};
inline constexpr std::array<FlagName, 24> clone_table{{
    {0x100, "CLONE_VM"},
    {0x200, "CLONE_FS"},
    {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},
    {0x1000, "CLONE_PIDFD"},
    {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},
    {0x8000, "CLONE_PARENT"},
    {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},
    {0x40000, "CLONE_SYSVSEM"},
    {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"},
    {0x200000, "CLONE_CHILD_CLEARTID"},
    {0x400000, "CLONE_DETACHED"},
    {0x800000, "CLONE_UNTRACED"},
    {0x1000000, "CLONE_CHILD_SETTID"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
}};
// What unshare(2) can separate, in strace's order (by value), and the namespace types of
// setns(2).
inline constexpr std::array<FlagName, 14> unshare_table{{
    {0x80, "CLONE_NEWTIME"},
    {0x100, "CLONE_VM"},
    {0x200, "CLONE_FS"},
    {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},
    {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},
    {0x40000, "CLONE_SYSVSEM"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
}};
inline constexpr std::array<FlagName, 8> namespace_table{{
    {0x80, "CLONE_NEWTIME"},
    {0x20000, "CLONE_NEWNS"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
}};
// fanotify_init(2)'s classes of listener and flags, kcmp(2)'s resource types.
inline constexpr std::array<FlagName, 3> fanotify_class_table{{
    {0x0, "FAN_CLASS_NOTIF"},
    {0x4, "FAN_CLASS_CONTENT"},
    {0x8, "FAN_CLASS_PRE_CONTENT"},
}};
inline constexpr std::array<FlagName, 11> fanotify_flag_table{{
    {0x1, "FAN_CLOEXEC"},
    {0x2, "FAN_NONBLOCK"},
    {0x10, "FAN_UNLIMITED_QUEUE"},
    {0x20, "FAN_UNLIMITED_MARKS"},
    {0x40, "FAN_ENABLE_AUDIT"},
    {0x80, "FAN_REPORT_PIDFD"},
    {0x100, "FAN_REPORT_TID"},
    {0x200, "FAN_REPORT_FID"},
    {0x400, "FAN_REPORT_DIR_FID"},
    {0x800, "FAN_REPORT_NAME"},
    {0x1000, "FAN_REPORT_TARGET_FID"},
}};
inline constexpr std::array<FlagName, 8> kcmp_table{{
    {0, "KCMP_FILE"},
    {1, "KCMP_VM"},
    {2, "KCMP_FILES"},
    {3, "KCMP_FS"},
    {4, "KCMP_SIGHAND"},
    {5, "KCMP_IO"},
    {6, "KCMP_SYSVSEM"},
    {7, "KCMP_EPOLL_TFD"},
}};

// syslog(2)'s actions and console levels, membarrier(2)'s commands (also the bits of the
// answer to MEMBARRIER_CMD_QUERY).
inline constexpr std::array<FlagName, 11> syslog_action_table{{
    {0, "SYSLOG_ACTION_CLOSE"},
    {1, "SYSLOG_ACTION_OPEN"},
    {2, "SYSLOG_ACTION_READ"},
    {3, "SYSLOG_ACTION_READ_ALL"},
    {4, "SYSLOG_ACTION_READ_CLEAR"},
    {5, "SYSLOG_ACTION_CLEAR"},
    {6, "SYSLOG_ACTION_CONSOLE_OFF"},
    {7, "SYSLOG_ACTION_CONSOLE_ON"},
    {8, "SYSLOG_ACTION_CONSOLE_LEVEL"},
    {9, "SYSLOG_ACTION_SIZE_UNREAD"},
    {10, "SYSLOG_ACTION_SIZE_BUFFER"},
}};
inline constexpr std::array<FlagName, 8> loglevel_table{{
    {0, "LOGLEVEL_EMERG"},
    {1, "LOGLEVEL_ALERT"},
    {2, "LOGLEVEL_CRIT"},
    {3, "LOGLEVEL_ERR"},
    {4, "LOGLEVEL_WARNING"},
    {5, "LOGLEVEL_NOTICE"},
    {6, "LOGLEVEL_INFO"},
    {7, "LOGLEVEL_DEBUG"},
}};
inline constexpr std::array<FlagName, 10> membarrier_cmd_table{{
    {0, "MEMBARRIER_CMD_QUERY"},
    {1, "MEMBARRIER_CMD_GLOBAL"},
    {2, "MEMBARRIER_CMD_GLOBAL_EXPEDITED"},
    {4, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED"},
    {8, "MEMBARRIER_CMD_PRIVATE_EXPEDITED"},
    {16, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"},
    {32, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE"},
    {64, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE"},
    {128, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ"},
    {256, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ"},
}};

// Flags of the file and memory calls strace 6.1 names (in its order: msync's MS_SYNC before
// MS_INVALIDATE).
inline constexpr std::array<FlagName, 2> inotify_init_table{{
    {0x800, "IN_NONBLOCK"},
    {0x80000, "IN_CLOEXEC"},
}};
inline constexpr std::array<FlagName, 22> inotify_mask_table{{
    {0x1, "IN_ACCESS"},
    {0x2, "IN_MODIFY"},
    {0x4, "IN_ATTRIB"},
    {0x8, "IN_CLOSE_WRITE"},
    {0x10, "IN_CLOSE_NOWRITE"},
    {0x20, "IN_OPEN"},
    {0x40, "IN_MOVED_FROM"},
    {0x80, "IN_MOVED_TO"},
    {0x100, "IN_CREATE"},
    {0x200, "IN_DELETE"},
    {0x400, "IN_DELETE_SELF"},
    {0x800, "IN_MOVE_SELF"},
    {0x2000, "IN_UNMOUNT"},
    {0x4000, "IN_Q_OVERFLOW"},
    {0x8000, "IN_IGNORED"},
    {0x1000000, "IN_ONLYDIR"},
    {0x2000000, "IN_DONT_FOLLOW"},
    {0x4000000, "IN_EXCL_UNLINK"},
    {0x10000000, "IN_MASK_CREATE"},
    {0x20000000, "IN_MASK_ADD"},
    {0x40000000, "IN_ISDIR"},
    {0x80000000, "IN_ONESHOT"},
}};
inline constexpr std::array<FlagName, 3> mlockall_table{{
    {1, "MCL_CURRENT"},
    {2, "MCL_FUTURE"},
    {4, "MCL_ONFAULT"},
}};
inline constexpr std::array<FlagName, 3> msync_table{{
    {1, "MS_ASYNC"},
    {4, "MS_SYNC"},
    {2, "MS_INVALIDATE"},
}};
inline constexpr std::array<FlagName, 2> close_range_table{{
    {2, "CLOSE_RANGE_UNSHARE"},
    {4, "CLOSE_RANGE_CLOEXEC"},
}};
inline constexpr std::array<FlagName, 7> falloc_table{{
    {0x1, "FALLOC_FL_KEEP_SIZE"},
    {0x2, "FALLOC_FL_PUNCH_HOLE"},
    {0x4, "FALLOC_FL_NO_HIDE_STALE"},
    {0x8, "FALLOC_FL_COLLAPSE_RANGE"},
    {0x10, "FALLOC_FL_ZERO_RANGE"},
    {0x20, "FALLOC_FL_INSERT_RANGE"},
    {0x40, "FALLOC_FL_UNSHARE_RANGE"},
}};
inline constexpr std::array<FlagName, 3> sync_file_range_table{{
    {1, "SYNC_FILE_RANGE_WAIT_BEFORE"},
    {2, "SYNC_FILE_RANGE_WRITE"},
    {4, "SYNC_FILE_RANGE_WAIT_AFTER"},
}};
inline constexpr std::array<FlagName, 13> futex_op_table{{
    {0, "FUTEX_WAIT"},
    {1, "FUTEX_WAKE"},
    {2, "FUTEX_FD"},
    {3, "FUTEX_REQUEUE"},
    {4, "FUTEX_CMP_REQUEUE"},
    {5, "FUTEX_WAKE_OP"},
    {6, "FUTEX_LOCK_PI"},
    {7, "FUTEX_UNLOCK_PI"},
    {8, "FUTEX_TRYLOCK_PI"},
    {9, "FUTEX_WAIT_BITSET"},
    {10, "FUTEX_WAKE_BITSET"},
    {11, "FUTEX_WAIT_REQUEUE_PI"},
    {12, "FUTEX_CMP_REQUEUE_PI"},
}};

inline constexpr std::array<FlagName, 3> itimer_table{{
    {0, "ITIMER_REAL"},
    {1, "ITIMER_VIRTUAL"},
    {2, "ITIMER_PROF"},
}};

inline constexpr std::array<FlagName, 16> rlimit_table{{
    {0, "RLIMIT_CPU"},
    {1, "RLIMIT_FSIZE"},
    {2, "RLIMIT_DATA"},
    {3, "RLIMIT_STACK"},
    {4, "RLIMIT_CORE"},
    {5, "RLIMIT_RSS"},
    {6, "RLIMIT_NPROC"},
    {7, "RLIMIT_NOFILE"},
    {8, "RLIMIT_MEMLOCK"},
    {9, "RLIMIT_AS"},
    {10, "RLIMIT_LOCKS"},
    {11, "RLIMIT_SIGPENDING"},
    {12, "RLIMIT_MSGQUEUE"},
    {13, "RLIMIT_NICE"},
    {14, "RLIMIT_RTPRIO"},
    {15, "RLIMIT_RTTIME"},
}};
inline constexpr std::array<FlagName, 24> madvise_table{{
    {0, "MADV_NORMAL"},           {1, "MADV_RANDOM"},         {2, "MADV_SEQUENTIAL"},
    {3, "MADV_WILLNEED"},         {4, "MADV_DONTNEED"},       {8, "MADV_FREE"},
    {9, "MADV_REMOVE"},           {10, "MADV_DONTFORK"},      {11, "MADV_DOFORK"},
    {12, "MADV_MERGEABLE"},       {13, "MADV_UNMERGEABLE"},   {14, "MADV_HUGEPAGE"},
    {15, "MADV_NOHUGEPAGE"},      {16, "MADV_DONTDUMP"},      {17, "MADV_DODUMP"},
    {18, "MADV_WIPEONFORK"},      {19, "MADV_KEEPONFORK"},    {20, "MADV_COLD"},
    {21, "MADV_PAGEOUT"},         {22, "MADV_POPULATE_READ"}, {23, "MADV_POPULATE_WRITE"},
    {24, "MADV_DONTNEED_LOCKED"}, {25, "MADV_COLLAPSE"},      {100, "MADV_HWPOISON"},
}};
inline constexpr std::array<FlagName, 6> fadvise_table{{
    {0, "POSIX_FADV_NORMAL"},
    {1, "POSIX_FADV_RANDOM"},
    {2, "POSIX_FADV_SEQUENTIAL"},
    {3, "POSIX_FADV_WILLNEED"},
    {4, "POSIX_FADV_DONTNEED"},
    {5, "POSIX_FADV_NOREUSE"},
}};

/// `FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME`.
inline std::string futex_op(std::uint64_t op) {
    const std::uint64_t cmd = op & 0x7f;
    std::string out = value_name(cmd, futex_op_table, std::to_string(cmd));
    if ((op & 128) != 0) {
        out += "_PRIVATE";
    }
    if ((op & 256) != 0) {
        out += "|FUTEX_CLOCK_REALTIME";
    }
    const std::uint64_t rest = op & ~std::uint64_t{0x1ff};
    if (rest != 0) {
        out += "|" + hex(rest);
    }
    return out;
}

/// clone's flags: the named bits, then the exit signal in the low byte (`|SIGCHLD`).
inline std::string clone_flags(std::uint64_t value) {
    const std::uint64_t sig = value & 0xff;
    std::string out = flag_names(value & ~std::uint64_t{0xff}, clone_table, "");
    if (sig != 0) {
        if (!out.empty()) {
            out += '|';
        }
        out += signal_text(sig);
    }
    return out.empty() ? std::string("0") : out;
}

/// clone3's flags: the clone flags, then CLONE_NEWTIME and clone3's own two above bit 31;
/// unnamed bits in hex.
inline std::string clone3_flags(std::uint64_t value) {
    constexpr std::uint64_t own_bits = 0x300000080;
    constexpr std::array<FlagName, 3> own{{
        {0x80, "CLONE_NEWTIME"},
        {0x100000000, "CLONE_CLEAR_SIGHAND"},
        {0x200000000, "CLONE_INTO_CGROUP"},
    }};
    const std::string common = flag_names(value & ~own_bits, clone_table, "");
    const std::string more = flag_names(value & own_bits, own, "");
    if (common.empty() || more.empty()) {
        return common.empty() && more.empty() ? std::string("0") : common + more;
    }
    return common + "|" + more;
}

/// struct clone_args (the first 64 bytes: flags, pidfd, child_tid, parent_tid, exit_signal,
/// stack, stack_size, tls).
struct CloneArgs {
    std::uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/// clone3's argument at entry, as strace prints it: the fields the flags make meaningful.
inline std::string clone3_entry(const ReadMemory& read, std::uint64_t addr, std::uint64_t size) {
    CloneArgs a{};
    if (size < sizeof(CloneArgs) || !read_struct(read, addr, a)) {
        return pointer(addr);
    }
    std::string out = "{flags=" + clone3_flags(a.flags);
    if ((a.flags & 0x1000) != 0) { // CLONE_PIDFD
        out += ", pidfd=" + pointer(a.pidfd);
    }
    if ((a.flags & 0x1200000) != 0) { // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID
        out += ", child_tid=" + pointer(a.child_tid);
    }
    if ((a.flags & 0x100000) != 0) { // CLONE_PARENT_SETTID
        out += ", parent_tid=" + pointer(a.parent_tid);
    }
    out += ", exit_signal=" + (a.exit_signal < 0x7fffffff ? signal_text(a.exit_signal)
                                                          : std::to_string(a.exit_signal));
    out += ", stack=" + pointer(a.stack) + ", stack_size=" + hex(a.stack_size);
    if ((a.flags & 0x80000) != 0) { // CLONE_SETTLS
        out += ", tls=" + pointer(a.tls);
    }
    return out + "}";
}

/// What clone3 wrote, after it succeeded: ` => {parent_tid=[42]}` (strace's "changed value").
inline std::string clone3_exit(const ReadMemory& read, std::uint64_t addr) {
    CloneArgs a{};
    if (!read_struct(read, addr, a)) {
        return " => " + pointer(addr);
    }
    std::string out;
    if ((a.flags & 0x1000) != 0) {
        out += "pidfd=" + int_at(read, a.pidfd);
    }
    if ((a.flags & 0x100000) != 0) {
        out += (out.empty() ? "" : ", ") + std::string("parent_tid=") + int_at(read, a.parent_tid);
    }
    return out.empty() ? std::string() : " => {" + out + "}";
}

/// wait4's status word as strace spells it: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
inline std::string wait_status_text(std::uint32_t s) {
    if ((s & 0x7f) == 0) {
        return "[{WIFEXITED(s) && WEXITSTATUS(s) == " + std::to_string((s >> 8) & 0xff) + "}]";
    }
    if ((s & 0xff) == 0x7f) {
        // A tracer's stops: a syscall stop's SIGTRAP | 0x80 (PTRACE_O_TRACESYSGOOD), and a
        // ptrace event in the high half (`|PTRACE_EVENT_EXIT<<16`).
        constexpr std::array<FlagName, 8> events{{
            {1, "PTRACE_EVENT_FORK"},
            {2, "PTRACE_EVENT_VFORK"},
            {3, "PTRACE_EVENT_CLONE"},
            {4, "PTRACE_EVENT_EXEC"},
            {5, "PTRACE_EVENT_VFORK_DONE"},
            {6, "PTRACE_EVENT_EXIT"},
            {7, "PTRACE_EVENT_SECCOMP"},
            {0x80, "PTRACE_EVENT_STOP"},
        }};
        const std::uint32_t sig = (s >> 8) & 0xff;
        std::string out = "[{WIFSTOPPED(s) && WSTOPSIG(s) == " + signal_text(sig & 0x7f) +
                          ((sig & 0x80) != 0 ? " | 0x80}" : "}");
        if ((s >> 16) != 0) {
            out += "|" + constant(s >> 16, events, "PTRACE_EVENT_") + "<<16";
        }
        return out + "]";
    }
    std::string out = "[{WIFSIGNALED(s) && WTERMSIG(s) == " + signal_text(s & 0x7f);
    if ((s & 0x80) != 0) {
        out += " && WCOREDUMP(s)";
    }
    return out + "}]";
}

inline constexpr std::array<FlagName, 8> sa_flag_table{{
    {0x04000000, "SA_RESTORER"},
    {0x08000000, "SA_ONSTACK"},
    {0x10000000, "SA_RESTART"},
    {0x40000000, "SA_NODEFER"},
    {0x80000000, "SA_RESETHAND"},
    {0x4, "SA_SIGINFO"},
    {0x1, "SA_NOCLDSTOP"},
    {0x2, "SA_NOCLDWAIT"},
}};

/// The kernel's struct sigaction at `addr` (handler, flags, restorer, mask: 4 words on
/// x86_64): `{sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x7f...}`.
inline std::string sigaction_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    std::array<std::uint64_t, 4> sa{};
    if (!read(addr, std::as_writable_bytes(std::span(sa)))) {
        return hex(addr);
    }
    const auto [handler, flags, restorer, mask] = sa;
    std::string out = "{sa_handler=";
    out += handler == 0 ? std::string("SIG_DFL") : handler == 1 ? "SIG_IGN" : hex(handler);
    out += ", sa_mask=" + sigset_text(mask);
    out += ", sa_flags=" + flag_names(flags, sa_flag_table);
    if ((flags & 0x04000000) != 0) {
        out += ", sa_restorer=" + hex(restorer);
    }
    return out + "}";
}

/// The stack_t at `addr`: `{ss_sp=0x7f..., ss_flags=0, ss_size=65536}`.
inline std::string stack_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    std::array<std::uint64_t, 3> ss{}; // ss_sp, ss_flags (an int, then padding), ss_size
    if (!read(addr, std::as_writable_bytes(std::span(ss)))) {
        return hex(addr);
    }
    constexpr std::array<FlagName, 3> ss_flag_table{{
        {1, "SS_ONSTACK"},
        {2, "SS_DISABLE"},
        {0x80000000, "SS_AUTODISARM"},
    }};
    return "{ss_sp=" + pointer(ss[0]) +
           ", ss_flags=" + flag_names(ss[1] & 0xffffffff, ss_flag_table) +
           ", ss_size=" + std::to_string(ss[2]) + "}";
}

/// `count` group ids at `addr` (getgroups, setgroups): `[0, 4, 24]`, the first `limit` and
/// `...` after them; the address when there are more than the kernel allows (65536) or they
/// cannot be read.
inline std::string gids_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t count,
                           std::size_t limit) {
    if (addr == 0) {
        return "NULL";
    }
    if (count > 65536) {
        return hex(addr);
    }
    std::vector<std::uint32_t> gids(
        static_cast<std::size_t>(std::min<std::uint64_t>(count, limit)));
    if (!gids.empty() && !read(addr, std::as_writable_bytes(std::span(gids)))) {
        return hex(addr);
    }
    std::vector<std::string> items;
    for (const std::uint32_t gid : gids) {
        items.push_back(id_text(gid));
    }
    return array_text(items, count > gids.size());
}

/// A file mode with its type: `S_IFREG|0644`.
inline std::string file_mode_text(std::uint64_t mode) {
    constexpr std::array<FlagName, 7> types{{
        {0140000, "S_IFSOCK"},
        {0120000, "S_IFLNK"},
        {0100000, "S_IFREG"},
        {0060000, "S_IFBLK"},
        {0040000, "S_IFDIR"},
        {0020000, "S_IFCHR"},
        {0010000, "S_IFIFO"},
    }};
    // strace's print_symbolic_mode_t: the type, the set-id and sticky bits by name, then
    // the permissions in octal.
    std::string out = value_name(mode & 0170000, types, octal_mode(mode & 0170000)) + "|";
    constexpr std::array<FlagName, 3> special{{
        {04000, "S_ISUID"},
        {02000, "S_ISGID"},
        {01000, "S_ISVTX"},
    }};
    for (const FlagName& bit : special) {
        if ((mode & bit.bits) != 0) {
            out += std::string(bit.name) + "|";
        }
    }
    return out + octal_mode(mode & 0777);
}

/// The struct stat at `addr`, abbreviated like strace without -v:
/// `{st_mode=S_IFREG|0644, st_size=41491, ...}`, or `st_rdev=makedev(0x1, 0x3)` for devices.
inline std::string stat_at(const ReadMemory& read, std::uint64_t addr) {
    // x86_64 struct stat: st_mode (u32) at 24, st_rdev (u64) at 40, st_size (i64) at 48.
    std::array<std::uint64_t, 7> head{};
    if (!read(addr, std::as_writable_bytes(std::span(head)))) {
        return hex(addr);
    }
    const std::uint64_t mode = head[3] & 0xffffffff;
    std::string out = "{st_mode=" + file_mode_text(mode);
    const std::uint64_t type = mode & 0170000;
    if (type == 0020000 || type == 0060000) {
        const std::uint64_t dev = head[5];
        const std::uint64_t major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~std::uint64_t{0xfff});
        const std::uint64_t minor = (dev & 0xff) | ((dev >> 12) & ~std::uint64_t{0xff});
        out += ", st_rdev=makedev(" + hex(major) + ", " + hex(minor) + ")";
    } else {
        out += ", st_size=" + std::to_string(static_cast<std::int64_t>(head[6]));
    }
    return out + ", ...}";
}

inline constexpr std::array<FlagName, 5> socket_type_table{{
    {1, "SOCK_STREAM"},
    {2, "SOCK_DGRAM"},
    {3, "SOCK_RAW"},
    {4, "SOCK_RDM"},
    {5, "SOCK_SEQPACKET"},
}};
inline constexpr std::array<FlagName, 4> flock_table{{
    {1, "LOCK_SH"},
    {2, "LOCK_EX"},
    {4, "LOCK_NB"},
    {8, "LOCK_UN"},
}};

/// An argument that is a 32-bit word of flags, printed by one table: `IN_NONBLOCK|IN_CLOEXEC`,
/// unknown bits in hex.
struct FlagWordArg {
    std::string_view call;
    unsigned index;
    std::span<const FlagName> table;
    std::string_view prefix;
};
inline constexpr std::array<FlagName, 3> eventfd_table{{
    {1, "EFD_SEMAPHORE"},
    {02000000, "EFD_CLOEXEC"},
    {04000, "EFD_NONBLOCK"},
}};
inline constexpr std::array<FlagName, 3> pkey_rights_table{{
    {1, "PKEY_DISABLE_ACCESS"},
    {2, "PKEY_DISABLE_WRITE"},
    {4, "PKEY_DISABLE_EXECUTE"},
}};
inline constexpr std::array<FlagName, 1> pidfd_table{{{04000, "PIDFD_NONBLOCK"}}};

inline constexpr std::array<FlagWordArg, 11> flag_word_args{{
    {"flock", 1, flock_table, "LOCK_"},
    {"inotify_init1", 0, inotify_init_table, "IN_"},
    {"inotify_add_watch", 2, inotify_mask_table, "IN_"},
    {"mlockall", 0, mlockall_table, "MCL_"},
    {"msync", 2, msync_table, "MS_"},
    {"close_range", 2, close_range_table, "CLOSE_RANGE_"},
    {"fallocate", 1, falloc_table, "FALLOC_FL_"},
    {"sync_file_range", 3, sync_file_range_table, "SYNC_FILE_RANGE_"},
    {"eventfd2", 1, eventfd_table, "EFD_"},
    {"pkey_alloc", 1, pkey_rights_table, "PKEY_"},
    {"pidfd_open", 1, pidfd_table, "PIDFD_"},
}};
inline const FlagWordArg* flag_word_arg(std::string_view call) {
    for (const FlagWordArg& arg : flag_word_args) {
        if (arg.call == call) {
            return &arg;
        }
    }
    return nullptr;
}

inline constexpr std::array<FlagName, 3> priority_which_table{{
    {0, "PRIO_PROCESS"},
    {1, "PRIO_PGRP"},
    {2, "PRIO_USER"},
}};
inline constexpr std::array<FlagName, 3> ioprio_who_table{{
    {1, "IOPRIO_WHO_PROCESS"},
    {2, "IOPRIO_WHO_PGRP"},
    {3, "IOPRIO_WHO_USER"},
}};

/// An I/O priority: `IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)`, the class in the bits from 13 up.
inline std::string ioprio_text(std::uint64_t value) {
    constexpr std::array<FlagName, 4> classes{{
        {0, "IOPRIO_CLASS_NONE"},
        {1, "IOPRIO_CLASS_RT"},
        {2, "IOPRIO_CLASS_BE"},
        {3, "IOPRIO_CLASS_IDLE"},
    }};
    const auto v = static_cast<std::uint32_t>(value);
    return "IOPRIO_PRIO_VALUE(" + constant(v >> 13, classes, "IOPRIO_CLASS_") + ", " +
           std::to_string(v & 0x1fff) + ")";
}

// accept4's flags.
inline constexpr std::array<FlagName, 2> sock_flag_table{{
    {02000000, "SOCK_CLOEXEC"},
    {04000, "SOCK_NONBLOCK"},
}};
// socket(AF_NETLINK, ...)'s protocols.
inline constexpr std::array<FlagName, 21> netlink_protocol_table{{
    {0, "NETLINK_ROUTE"},       {1, "NETLINK_UNUSED"},
    {2, "NETLINK_USERSOCK"},    {3, "NETLINK_FIREWALL"},
    {4, "NETLINK_SOCK_DIAG"},   {5, "NETLINK_NFLOG"},
    {6, "NETLINK_XFRM"},        {7, "NETLINK_SELINUX"},
    {8, "NETLINK_ISCSI"},       {9, "NETLINK_AUDIT"},
    {10, "NETLINK_FIB_LOOKUP"}, {11, "NETLINK_CONNECTOR"},
    {12, "NETLINK_NETFILTER"},  {13, "NETLINK_IP6_FW"},
    {14, "NETLINK_DNRTMSG"},    {15, "NETLINK_KOBJECT_UEVENT"},
    {16, "NETLINK_GENERIC"},    {18, "NETLINK_SCSITRANSPORT"},
    {19, "NETLINK_ECRYPTFS"},   {20, "NETLINK_RDMA"},
    {21, "NETLINK_CRYPTO"},
}};

/// socket(2)'s type: the base type, then SOCK_CLOEXEC and SOCK_NONBLOCK; other bits make
/// the whole type unknown (`0x4d /* SOCK_??? */`).
inline std::string socket_type(std::uint64_t value) {
    constexpr std::uint64_t cloexec = 02000000;
    constexpr std::uint64_t nonblock = 04000;
    const std::uint64_t base = value & ~(cloexec | nonblock);
    std::string out = constant(base, socket_type_table, "SOCK_");
    if ((value & cloexec) != 0) {
        out += "|SOCK_CLOEXEC";
    }
    if ((value & nonblock) != 0) {
        out += "|SOCK_NONBLOCK";
    }
    return out;
}

/// The socket address of `len` bytes at `addr` (sockaddr_text()), of at most the bytes strace
/// reads; the address when `len`, an int as strace takes it, is below 2 or the memory cannot
/// be read.
inline std::string sockaddr_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t len) {
    if (addr == 0) {
        return "NULL";
    }
    const auto n = static_cast<std::int32_t>(static_cast<std::uint32_t>(len));
    if (n < 2) {
        return hex(addr);
    }
    std::array<unsigned char, sockaddr_max> sa{};
    const auto size = std::min(static_cast<std::size_t>(n), sa.size());
    if (!read(addr, std::as_writable_bytes(std::span(sa.data(), size)))) {
        return hex(addr);
    }
    return *sockaddr_text(std::span(sa.data(), size));
}

/// The MSG_ flags of the send and receive calls, in strace 6.1's order.
inline constexpr std::array<FlagName, 24> msg_flag_table{{
    {0x1, "MSG_OOB"},
    {0x2, "MSG_PEEK"},
    {0x4, "MSG_DONTROUTE"},
    {0x8, "MSG_CTRUNC"},
    {0x10, "MSG_PROBE"},
    {0x20, "MSG_TRUNC"},
    {0x40, "MSG_DONTWAIT"},
    {0x80, "MSG_EOR"},
    {0x100, "MSG_WAITALL"},
    {0x200, "MSG_FIN"},
    {0x400, "MSG_SYN"},
    {0x800, "MSG_CONFIRM"},
    {0x1000, "MSG_RST"},
    {0x2000, "MSG_ERRQUEUE"},
    {0x4000, "MSG_NOSIGNAL"},
    {0x8000, "MSG_MORE"},
    {0x10000, "MSG_WAITFORONE"},
    {0x20000, "MSG_SENDPAGE_NOTLAST"},
    {0x40000, "MSG_BATCH"},
    {0x80000, "MSG_NO_SHARED_FRAGS"},
    {0x4000000, "MSG_ZEROCOPY"},
    {0x20000000, "MSG_FASTOPEN"},
    {0x40000000, "MSG_CMSG_CLOEXEC"},
    {0x80000000, "MSG_CMSG_COMPAT"},
}};

/// A flags argument or msg_flags: `MSG_DONTWAIT|MSG_NOSIGNAL`, `0`, `0x8000000 /* MSG_??? */`.
inline std::string msg_flags_text(std::uint64_t flags) {
    return flags_or_unknown(flags & 0xffffffff, msg_flag_table, "MSG_");
}

/// The level of a control message: `SOL_SOCKET`, `0x63 /* SOL_??? */` (strace's table of
/// socket levels, the one setsockopt's level is named from).
inline std::string cmsg_level_text(std::int32_t level) {
    return constant(static_cast<std::uint32_t>(level), sockopt_level_table, "SOL_");
}

namespace cmsg {

using Data = std::span<const unsigned char>;

/// The types of SOL_SOCKET's and SOL_IP's control messages strace 6.1 names.
inline constexpr std::array<FlagName, 13> socket_types{{
    {1, "SCM_RIGHTS"},
    {2, "SCM_CREDENTIALS"},
    {3, "SCM_SECURITY"},
    {29, "SO_TIMESTAMP_OLD"},
    {35, "SO_TIMESTAMPNS_OLD"},
    {37, "SO_TIMESTAMPING_OLD"},
    {41, "SO_WIFI_STATUS"},
    {54, "SCM_TIMESTAMPING_OPT_STATS"},
    {58, "SCM_TIMESTAMPING_PKTINFO"},
    {61, "SO_TXTIME"},
    {63, "SO_TIMESTAMP_NEW"},
    {64, "SO_TIMESTAMPNS_NEW"},
    {65, "SO_TIMESTAMPING_NEW"},
}};
inline constexpr std::array<FlagName, 9> ip_types{{
    {1, "IP_TOS"},
    {2, "IP_TTL"},
    {3, "SCM_SECURITY"},
    {6, "IP_RECVOPTS"},
    {7, "IP_RETOPTS"},
    {8, "IP_PKTINFO"},
    {11, "IP_RECVERR"},
    {20, "IP_ORIGDSTADDR"},
    {23, "IP_CHECKSUM"},
}};

/// An array of the data's 32-bit words read as `Word` (`[64]`: SCM_RIGHTS' descriptors are
/// ints, IP_TTL's words unsigned), at most `limit` elements; bytes_text(), of its bytes in hex
/// (`[0x10, 0]`).
template <typename Word>
std::string words_text(Data data, std::size_t limit) {
    static_assert(sizeof(Word) == 4);
    std::vector<std::string> items;
    const std::size_t count = data.size() / 4;
    for (std::size_t i = 0; i < count && i < limit; ++i) {
        items.push_back(std::to_string(load<Word>(data, 4 * i)));
    }
    return array_text(items, count > limit);
}
inline std::string bytes_text(Data data, std::size_t limit) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < data.size() && i < limit; ++i) {
        items.push_back(hex(data[i]));
    }
    return array_text(items, data.size() > limit);
}

/// A socket address in the data (2 bytes or more), as sockaddr_text() prints it, of at most
/// the bytes strace reads.
inline std::string sockaddr_data_text(Data data) {
    return *sockaddr_text(data.first(std::min(data.size(), sockaddr_max)));
}

/// A timestamp (`{tv_sec=1, tv_usec=2}`) or three (`[{...}, {...}, {...}]`): `???` when the
/// data is shorter (strace's rule for these types).
inline std::string times_text(Data data, std::string_view sub, std::size_t count) {
    if (data.size() < 16 * count) {
        return "???";
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < count; ++i) {
        items.push_back(detail::time_pair_text(
            {load<std::int64_t>(data, 16 * i), load<std::int64_t>(data, 16 * i + 8)}, sub));
    }
    return count == 1 ? items[0] : array_text(items, false);
}

/// SOL_SOCKET's data: nullopt where strace prints none (a type it does not decode, or data
/// shorter than the type's smallest).
inline std::optional<std::string> socket_data(std::int32_t type, Data data, std::size_t limit) {
    switch (type) {
    case 1: // SCM_RIGHTS: the descriptors
        if (data.size() < 4) {
            return std::nullopt;
        }
        return words_text<std::int32_t>(data, limit);
    case 2: // SCM_CREDENTIALS: struct ucred
        if (data.size() < 12) {
            return std::nullopt;
        }
        return "{pid=" + std::to_string(load<std::int32_t>(data, 0)) +
               ", uid=" + id_text(load<std::uint32_t>(data, 4)) +
               ", gid=" + id_text(load<std::uint32_t>(data, 8)) + "}";
    case 3: // SCM_SECURITY: the security context, every byte
        if (data.empty()) {
            return std::nullopt;
        }
        return quote(std::string(reinterpret_cast<const char*>(data.data()), data.size()));
    case 29: // SO_TIMESTAMP_OLD
    case 63: // SO_TIMESTAMP_NEW
        return data.empty() ? std::nullopt : std::optional(times_text(data, "tv_usec", 1));
    case 35: // SO_TIMESTAMPNS_OLD
    case 64: // SO_TIMESTAMPNS_NEW
        return data.empty() ? std::nullopt : std::optional(times_text(data, "tv_nsec", 1));
    case 37: // SO_TIMESTAMPING_OLD
    case 65: // SO_TIMESTAMPING_NEW
        return data.empty() ? std::nullopt : std::optional(times_text(data, "tv_nsec", 3));
    default:
        return std::nullopt;
    }
}

/// SOL_IP's data, as socket_data().
inline std::optional<std::string> ip_data(std::int32_t type, Data data, std::size_t limit) {
    switch (type) {
    case 8: { // IP_PKTINFO: struct in_pktinfo
        if (data.size() < 12) {
            return std::nullopt;
        }
        return "{ipi_ifindex=" + detail::ifindex_text(load<std::uint32_t>(data, 0)) +
               ", ipi_spec_dst=" + inet_addr_text(data, 4) +
               ", ipi_addr=" + inet_addr_text(data, 8) + "}";
    }
    case 2:  // IP_TTL
    case 23: // IP_CHECKSUM
        if (data.size() < 4) {
            return std::nullopt;
        }
        return words_text<std::uint32_t>(data, limit);
    case 1: // IP_TOS
    case 6: // IP_RECVOPTS
    case 7: // IP_RETOPTS
        return data.empty() ? std::nullopt : std::optional(bytes_text(data, limit));
    case 3: // SCM_SECURITY
        return socket_data(3, data, limit);
    case 11: // IP_RECVERR: struct sock_extended_err and the offender's address
        if (data.size() < 32) {
            return std::nullopt;
        }
        return "{ee_errno=" + std::to_string(load<std::uint32_t>(data, 0)) +
               ", ee_origin=" + std::to_string(data[4]) + ", ee_type=" + std::to_string(data[5]) +
               ", ee_code=" + std::to_string(data[6]) +
               ", ee_info=" + std::to_string(load<std::uint32_t>(data, 8)) +
               ", ee_data=" + std::to_string(load<std::uint32_t>(data, 12)) +
               ", offender=" + sockaddr_data_text(data.subspan(16, 16)) + "}";
    case 20: // IP_ORIGDSTADDR
        if (data.size() < 16) {
            return std::nullopt;
        }
        return sockaddr_data_text(data);
    default:
        return std::nullopt;
    }
}

} // namespace cmsg

/// A control message's type, then its data for the ones decoded (`SCM_RIGHTS, cmsg_data=[3]`,
/// `IP_TTL, cmsg_data=[64]`): SOL_SOCKET's and SOL_IP's by name, another level's in hex, as
/// strace 6.1 does. At most `limit` elements of an array, then `...`, as strace cuts arrays.
inline std::string cmsg_type_data_text(std::int32_t level, std::int32_t type,
                                       std::span<const unsigned char> data, std::size_t limit) {
    const auto number = static_cast<std::uint32_t>(type);
    if (level == 1) { // SOL_SOCKET
        const auto text = cmsg::socket_data(type, data, limit);
        return constant(number, cmsg::socket_types, "SCM_") + (text ? ", cmsg_data=" + *text : "");
    }
    if (level == 0) { // SOL_IP
        const auto text = cmsg::ip_data(type, data, limit);
        return constant(number, cmsg::ip_types, "IP_") + (text ? ", cmsg_data=" + *text : "");
    }
    return hex(number);
}

/// The most of a msg_control buffer strace reads: the kernel's optmem_max (rounded up to 8
/// bytes), or its own default where that cannot be read.
inline std::uint64_t control_read_limit() {
    static const std::uint64_t limit = [] {
        long value = 0;
        if (std::FILE* f = std::fopen("/proc/sys/net/core/optmem_max", "re")) {
            if (std::fscanf(f, "%ld", &value) != 1) {
                value = 0;
            }
            std::fclose(f);
        }
        return value > 0 ? (static_cast<std::uint64_t>(value) + 7) & ~std::uint64_t{7}
                         : std::uint64_t{8} * (2 * 1024 + 512);
    }();
    return limit;
}

/// A msghdr's control messages (`len` bytes at `addr`, x86_64's 16-byte cmsghdr):
/// `[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0]}]`; `...` when
/// the buffer goes on past what could be read, with the address of the rest when part of a
/// header is left.
inline std::string cmsgs_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t len,
                            std::size_t limit) {
    constexpr std::uint64_t header = 16; // cmsg_len (8), cmsg_level (4), cmsg_type (4)
    const std::uint64_t control_len = std::min(len, control_read_limit());
    std::vector<unsigned char> buf(static_cast<std::size_t>(control_len));
    if (control_len < header || !read(addr, std::as_writable_bytes(std::span(buf)))) {
        return pointer(addr);
    }
    std::vector<std::string> items;
    std::uint64_t left = control_len;
    std::size_t at = 0;
    while (left >= header) {
        std::uint64_t cmsg_len = 0;
        std::int32_t level = 0;
        std::int32_t type = 0;
        std::memcpy(&cmsg_len, buf.data() + at, 8);
        std::memcpy(&level, buf.data() + at + 8, 4);
        std::memcpy(&type, buf.data() + at + 12, 4);
        const std::uint64_t here = std::min(cmsg_len, left);
        const std::span<const unsigned char> data(
            buf.data() + at + header, here > header ? static_cast<std::size_t>(here - header) : 0);
        items.push_back("{cmsg_len=" + std::to_string(cmsg_len) +
                        ", cmsg_level=" + cmsg_level_text(level) +
                        ", cmsg_type=" + cmsg_type_data_text(level, type, data, limit) + "}");
        if (here < header) {
            left -= header;
            break;
        }
        // A length within 7 of 2^64 rounds up to 0: strace 6.1 would read that message again
        // forever; it is the last one here.
        const std::uint64_t step = (cmsg_len + 7) & ~std::uint64_t{7};
        if (step == 0 || step >= left) {
            left = 0;
            break;
        }
        at += static_cast<std::size_t>(step);
        left -= step;
    }
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i == 0 ? "" : ", ") + items[i];
    }
    if (left != 0) {
        out += ", ... /* " + hex(addr + control_len - left) + " */";
    } else if (control_len < len) {
        out += ", ...";
    }
    return out + "]";
}

/// A struct msghdr: `{msg_name=NULL, msg_namelen=0, msg_iov=[...], msg_iovlen=1,
/// msg_controllen=0, msg_flags=0}`. `given_len`: msg_namelen as the program gave it (recvmsg's
/// at entry: the name is shown at the shorter of the two, and `110 => 16` when the kernel
/// changed it); `data`: the bytes the call moved, which the iovecs show (nullopt: each whole).
/// With a netlink name the iovecs hold netlink messages of the socket's protocol, `netlink`.
inline std::string msghdr_text(const ReadMemory& read, const ::msghdr& msg, std::uint32_t given_len,
                               std::optional<std::uint64_t> data, std::size_t limit,
                               int netlink = netlink_unknown) {
    const auto namelen = static_cast<std::int32_t>(msg.msg_namelen);
    const auto given = static_cast<std::int32_t>(given_len);
    const std::int32_t shown = std::min(namelen, given);
    const auto name = reinterpret_cast<std::uintptr_t>(msg.msg_name);
    std::string out =
        "{msg_name=" +
        (shown < 0 ? pointer(name) : sockaddr_at(read, name, static_cast<std::uint64_t>(shown)));
    out += ", msg_namelen=" + (given != namelen ? std::to_string(given) + " => " : std::string()) +
           std::to_string(namelen);
    std::uint16_t family = 0;
    const bool netlink_name = shown >= 2 && read_struct(read, name, family) && family == AF_NETLINK;
    out += ", msg_iov=" + iovec_text(read, reinterpret_cast<std::uintptr_t>(msg.msg_iov),
                                     msg.msg_iovlen, data, limit, false,
                                     netlink_name ? std::optional<int>(netlink) : std::nullopt);
    out += ", msg_iovlen=" + std::to_string(msg.msg_iovlen);
    if (msg.msg_controllen != 0) {
        out += ", msg_control=" + cmsgs_at(read, reinterpret_cast<std::uintptr_t>(msg.msg_control),
                                           msg.msg_controllen, limit);
    }
    out += ", msg_controllen=" + std::to_string(msg.msg_controllen);
    return out + ", msg_flags=" + msg_flags_text(static_cast<std::uint32_t>(msg.msg_flags)) + "}";
}

/// The struct msghdr at `addr` (msghdr_text()), or the address when it cannot be read.
inline std::string msghdr_at(const ReadMemory& read, std::uint64_t addr,
                             std::optional<std::uint32_t> user_namelen,
                             std::optional<std::uint64_t> data, std::size_t limit,
                             int netlink = netlink_unknown) {
    ::msghdr msg{};
    if (addr == 0 || !read_struct(read, addr, msg)) {
        return pointer(addr);
    }
    return msghdr_text(read, msg, user_namelen.value_or(msg.msg_namelen), data, limit, netlink);
}

/// sendmmsg's and recvmmsg's vector of `count` struct mmsghdr: `[{msg_hdr={...}, msg_len=5},
/// ...]`, the first `with_len` with their msg_len; each message's vectors show msg_len bytes
/// when `data_by_len` (a receive), or whole. `namelens`: recvmmsg's msg_namelen of each
/// message at entry (nullopt: sendmmsg). As strace prints arrays: the address when the first
/// message cannot be read, `... /* 0x... */` where a later one cannot, `...` after `limit`
/// messages or past those whose length was read at entry.
inline std::string mmsghdrs_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t count,
                               std::uint64_t with_len, bool data_by_len,
                               const std::optional<std::vector<std::uint32_t>>& namelens,
                               std::size_t limit, int netlink = netlink_unknown) {
    constexpr std::uint64_t size = sizeof(::mmsghdr);
    if (addr == 0) {
        return "NULL";
    }
    if (count == 0) {
        return "[]";
    }
    if (addr + count * size <= addr) { // wraps around
        return pointer(addr);
    }
    std::string out;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t at = addr + i * size;
        out += i == 0 ? "" : ", ";
        ::mmsghdr m{};
        if (!read_struct(read, at, m)) {
            if (i == 0) {
                return pointer(addr);
            }
            out += "... /* " + hex(at) + " */";
            break;
        }
        out += i == 0 ? "[" : "";
        if ((count > limit && i >= limit) || (namelens && i >= namelens->size())) {
            out += "...";
            break;
        }
        const std::uint32_t given = namelens ? (*namelens)[i] : m.msg_hdr.msg_namelen;
        const auto data = data_by_len ? std::optional<std::uint64_t>(m.msg_len) : std::nullopt;
        out += "{msg_hdr=" + msghdr_text(read, m.msg_hdr, given, data, limit, netlink) +
               (i < with_len ? ", msg_len=" + std::to_string(m.msg_len) : "") + "}";
    }
    return out + "]";
}

/// getdents64's buffer after it returned `len` bytes: `0x5642... /* 5 entries */`.
inline std::string dirents_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t len) {
    std::vector<std::byte> buf(static_cast<std::size_t>(std::min<std::uint64_t>(len, 1 << 20)));
    if (!buf.empty() && !read(addr, buf)) {
        return hex(addr);
    }
    // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2) at offset 16, ...
    std::size_t count = 0;
    for (std::size_t at = 0; at + 18 <= buf.size(); ++count) {
        const auto reclen = static_cast<std::size_t>(static_cast<unsigned>(buf[at + 16]) |
                                                     (static_cast<unsigned>(buf[at + 17]) << 8U));
        if (reclen == 0) {
            break;
        }
        at += reclen;
    }
    return hex(addr) + " /* " + std::to_string(count) + " entries */";
}

// strace 6.1 names BASIC_STATS|BTIME STATX_ALL (the uapi keeps that name, deprecated).
inline constexpr std::array<FlagName, 19> statx_mask_table{{
    {0xfff, "STATX_ALL"},
    {0x7ff, "STATX_BASIC_STATS"},
    {0x1, "STATX_TYPE"},
    {0x2, "STATX_MODE"},
    {0x4, "STATX_NLINK"},
    {0x8, "STATX_UID"},
    {0x10, "STATX_GID"},
    {0x20, "STATX_ATIME"},
    {0x40, "STATX_MTIME"},
    {0x80, "STATX_CTIME"},
    {0x100, "STATX_INO"},
    {0x200, "STATX_SIZE"},
    {0x400, "STATX_BLOCKS"},
    {0x800, "STATX_BTIME"},
    {0x1000, "STATX_MNT_ID"},
    {0x2000, "STATX_DIOALIGN"},
    {0x4000, "STATX_MNT_ID_UNIQUE"},
    {0x8000, "STATX_SUBVOL"},
    {0x10000, "STATX_WRITE_ATOMIC"},
}};

inline constexpr std::array<FlagName, 9> statx_attr_table{{
    {0x4, "STATX_ATTR_COMPRESSED"},
    {0x10, "STATX_ATTR_IMMUTABLE"},
    {0x20, "STATX_ATTR_APPEND"},
    {0x40, "STATX_ATTR_NODUMP"},
    {0x800, "STATX_ATTR_ENCRYPTED"},
    {0x1000, "STATX_ATTR_AUTOMOUNT"},
    {0x2000, "STATX_ATTR_MOUNT_ROOT"},
    {0x100000, "STATX_ATTR_VERITY"},
    {0x200000, "STATX_ATTR_DAX"},
}};

/// The struct statx at `addr`, abbreviated like strace without -v:
/// `{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|0755,
/// stx_size=4096, ...}`.
inline std::string statx_at(const ReadMemory& read, std::uint64_t addr) {
    // stx_mask (u32) at 0, stx_attributes (u64) at 8, stx_mode (u16) at 28, stx_size at 40.
    std::array<std::uint64_t, 6> head{};
    if (!read(addr, std::as_writable_bytes(std::span(head)))) {
        return hex(addr);
    }
    const std::uint64_t mask = head[0] & 0xffffffff;
    const std::uint64_t mode = (head[3] >> 32) & 0xffff;
    return "{stx_mask=" + flag_names(mask, statx_mask_table) +
           ", stx_attributes=" + flag_names(head[1], statx_attr_table) +
           ", stx_mode=" + file_mode_text(mode) + ", stx_size=" + std::to_string(head[5]) +
           ", ...}";
}

/// A resource limit: `RLIM64_INFINITY`, `8192*1024` for multiples of 1024, else the number.
inline std::string rlimit_value(std::uint64_t v) {
    if (v == ~std::uint64_t{0}) {
        return "RLIM64_INFINITY";
    }
    if (v != 0 && v % 1024 == 0) {
        return std::to_string(v / 1024) + "*1024";
    }
    return std::to_string(v);
}

/// openat2's struct open_how of `size` bytes: `{flags=O_RDONLY|O_CREAT, mode=0644,
/// resolve=RESOLVE_BENEATH}`, the mode where it matters (O_CREAT, O_TMPFILE) or is set, bytes
/// past the struct that are not zero after it (`, /* bytes 24..31 */ "\x01..."`); the address
/// when `size` is smaller than the struct or the memory cannot be read.
inline std::string open_how_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t size,
                               std::size_t limit) {
    constexpr std::size_t struct_size = 24;
    constexpr std::array<FlagName, 6> resolve{{
        {0x01, "RESOLVE_NO_XDEV"},
        {0x02, "RESOLVE_NO_MAGICLINKS"},
        {0x04, "RESOLVE_NO_SYMLINKS"},
        {0x08, "RESOLVE_BENEATH"},
        {0x10, "RESOLVE_IN_ROOT"},
        {0x20, "RESOLVE_CACHED"},
    }};
    if (addr == 0 || size < struct_size || size > 4096) {
        return pointer(addr);
    }
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    if (!read(addr, std::as_writable_bytes(std::span(bytes)))) {
        return pointer(addr);
    }
    const auto flags = load<std::uint64_t>(bytes, 0);
    const auto mode = load<std::uint64_t>(bytes, 8);
    std::string out = "{flags=" + open_flags(flags);
    if ((flags & o_creat) != 0 || (flags & o_tmpfile) == o_tmpfile || mode != 0) {
        out += ", mode=" + octal_mode(mode);
    }
    out += ", resolve=" + flags_or_unknown(load<std::uint64_t>(bytes, 16), resolve, "RESOLVE_");
    const auto tail = std::span(bytes).subspan(struct_size);
    if (std::any_of(tail.begin(), tail.end(), [](std::uint8_t b) { return b != 0; })) {
        out += ", /* bytes " + std::to_string(struct_size) + ".." + std::to_string(size - 1) +
               " */ " +
               quote(std::string_view(reinterpret_cast<const char*>(tail.data()),
                                      std::min(tail.size(), limit)),
                     true) +
               (tail.size() > limit ? "..." : "");
    }
    return out + "}";
}

/// The struct rlimit64 at `addr`: `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`.
inline std::string rlimit_at(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    std::array<std::uint64_t, 2> lim{};
    if (!read(addr, std::as_writable_bytes(std::span(lim)))) {
        return hex(addr);
    }
    return "{rlim_cur=" + rlimit_value(lim[0]) + ", rlim_max=" + rlimit_value(lim[1]) + "}";
}

/// The generic decoding of one argument from its kind (the syscall table's column).
inline Arg generic_arg(const ptrace_api::SyscallInfo& info, unsigned i, std::uint64_t v,
                       const ReadMemory& read, std::size_t limit) {
    using ptrace_api::ArgKind;
    Arg a;
    a.index = i;
    switch (info.args[i]) {
    case ArgKind::None:
    case ArgKind::Hex:
    case ArgKind::Flags: // named per syscall in decode_entry(); a hex word elsewhere
        a.text = hex(v);
        break;
    case ArgKind::Int:
        a.text = std::to_string(as_int(v));
        break;
    case ArgKind::Long:
        a.text = std::to_string(static_cast<std::int64_t>(v));
        break;
    case ArgKind::UInt:
        a.text = std::to_string(v);
        break;
    case ArgKind::Pointer:
        a.text = pointer(v);
        break;
    case ArgKind::Fd: {
        // A directory fd of the *at family (an Fd followed by a Path) may be AT_FDCWD.
        const bool dirfd = i + 1 < info.args.size() && info.args[i + 1] == ArgKind::Path;
        a.text = dirfd && as_int(v) == -100 ? std::string("AT_FDCWD") : std::to_string(as_int(v));
        break;
    }
    case ArgKind::Path:
        a.text = path_text(read, v);
        break;
    case ArgKind::String:
        // Its length is the next argument: decode_entry() reads it with that length.
        a.text = pointer(v);
        break;
    case ArgKind::OutString:
        a.at_exit = true;
        break;
    case ArgKind::StringArray:
        a.text = argv_text(read, v, limit);
        break;
    case ArgKind::Mode:
        a.text = octal_mode(v);
        break;
    case ArgKind::Signal:
        a.text = signal_text(v);
        break;
    }
    return a;
}
} // namespace detail

} // namespace strace_example
