// SPDX-License-Identifier: MIT
// prctl(2) as strace 6.1 prints it: each option shows the arguments it takes, decoded its own
// way (capabilities, signals, names, values the kernel writes back), and some results get a
// name. Options strace knows no special form for show their four arguments in hex. Also the
// capability sets of capget(2) and capset(2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/prctl.h>

#include "format.hpp"
#include "structs.hpp"

namespace strace_example {

namespace detail {

// linux/prctl.h, the options strace 6.1 names.
inline constexpr std::array<FlagName, 62> prctl_option_table{{
    {1, "PR_SET_PDEATHSIG"},
    {2, "PR_GET_PDEATHSIG"},
    {3, "PR_GET_DUMPABLE"},
    {4, "PR_SET_DUMPABLE"},
    {5, "PR_GET_UNALIGN"},
    {6, "PR_SET_UNALIGN"},
    {7, "PR_GET_KEEPCAPS"},
    {8, "PR_SET_KEEPCAPS"},
    {9, "PR_GET_FPEMU"},
    {10, "PR_SET_FPEMU"},
    {11, "PR_GET_FPEXC"},
    {12, "PR_SET_FPEXC"},
    {13, "PR_GET_TIMING"},
    {14, "PR_SET_TIMING"},
    {15, "PR_SET_NAME"},
    {16, "PR_GET_NAME"},
    {19, "PR_GET_ENDIAN"},
    {20, "PR_SET_ENDIAN"},
    {21, "PR_GET_SECCOMP"},
    {22, "PR_SET_SECCOMP"},
    {23, "PR_CAPBSET_READ"},
    {24, "PR_CAPBSET_DROP"},
    {25, "PR_GET_TSC"},
    {26, "PR_SET_TSC"},
    {27, "PR_GET_SECUREBITS"},
    {28, "PR_SET_SECUREBITS"},
    {29, "PR_SET_TIMERSLACK"},
    {30, "PR_GET_TIMERSLACK"},
    {31, "PR_TASK_PERF_EVENTS_DISABLE"},
    {32, "PR_TASK_PERF_EVENTS_ENABLE"},
    {33, "PR_MCE_KILL"},
    {34, "PR_MCE_KILL_GET"},
    {35, "PR_SET_MM"},
    {36, "PR_SET_CHILD_SUBREAPER"},
    {37, "PR_GET_CHILD_SUBREAPER"},
    {38, "PR_SET_NO_NEW_PRIVS"},
    {39, "PR_GET_NO_NEW_PRIVS"},
    {40, "PR_GET_TID_ADDRESS"},
    {41, "PR_SET_THP_DISABLE"},
    {42, "PR_GET_THP_DISABLE"},
    {43, "PR_MPX_ENABLE_MANAGEMENT"},
    {44, "PR_MPX_DISABLE_MANAGEMENT"},
    {45, "PR_SET_FP_MODE"},
    {46, "PR_GET_FP_MODE"},
    {47, "PR_CAP_AMBIENT"},
    {50, "PR_SVE_SET_VL"},
    {51, "PR_SVE_GET_VL"},
    {52, "PR_GET_SPECULATION_CTRL"},
    {53, "PR_SET_SPECULATION_CTRL"},
    {54, "PR_PAC_RESET_KEYS"},
    {55, "PR_SET_TAGGED_ADDR_CTRL"},
    {56, "PR_GET_TAGGED_ADDR_CTRL"},
    {57, "PR_SET_IO_FLUSHER"},
    {58, "PR_GET_IO_FLUSHER"},
    {59, "PR_SET_SYSCALL_USER_DISPATCH"},
    {60, "PR_PAC_SET_ENABLED_KEYS"},
    {61, "PR_PAC_GET_ENABLED_KEYS"},
    {62, "PR_SCHED_CORE"},
    {63, "PR_SME_SET_VL"},
    {64, "PR_SME_GET_VL"},
    {0x53564d41, "PR_SET_VMA"},
    {0x59616d61, "PR_SET_PTRACER"},
}};

// linux/capability.h: capability N is the Nth name (strace 6.1 knows 0 to 40).
inline constexpr std::array<std::string_view, 41> capability_names{
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

inline constexpr std::array<FlagName, 3> dumpable_table{{
    {0, "SUID_DUMP_DISABLE"},
    {1, "SUID_DUMP_USER"},
    {2, "SUID_DUMP_ROOT"},
}};

inline constexpr std::array<FlagName, 4> cap_ambient_table{{
    {1, "PR_CAP_AMBIENT_IS_SET"},
    {2, "PR_CAP_AMBIENT_RAISE"},
    {3, "PR_CAP_AMBIENT_LOWER"},
    {4, "PR_CAP_AMBIENT_CLEAR_ALL"},
}};

// linux/securebits.h.
inline constexpr std::array<FlagName, 8> securebits_table{{
    {1 << 0, "SECBIT_NOROOT"},
    {1 << 1, "SECBIT_NOROOT_LOCKED"},
    {1 << 2, "SECBIT_NO_SETUID_FIXUP"},
    {1 << 3, "SECBIT_NO_SETUID_FIXUP_LOCKED"},
    {1 << 4, "SECBIT_KEEP_CAPS"},
    {1 << 5, "SECBIT_KEEP_CAPS_LOCKED"},
    {1 << 6, "SECBIT_NO_CAP_AMBIENT_RAISE"},
    {1 << 7, "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"},
}};

inline constexpr std::array<FlagName, 2> tsc_table{{
    {1, "PR_TSC_ENABLE"},
    {2, "PR_TSC_SIGSEGV"},
}};

inline constexpr std::array<FlagName, 2> unalign_table{{
    {1, "PR_UNALIGN_NOPRINT"},
    {2, "PR_UNALIGN_SIGBUS"},
}};

inline constexpr std::array<FlagName, 2> fp_mode_table{{
    {1, "PR_FP_MODE_FR"},
    {2, "PR_FP_MODE_FRE"},
}};

inline constexpr std::array<FlagName, 2> mce_kill_table{{
    {0, "PR_MCE_KILL_CLEAR"},
    {1, "PR_MCE_KILL_SET"},
}};

inline constexpr std::array<FlagName, 3> mce_kill_policy_table{{
    {0, "PR_MCE_KILL_LATE"},
    {1, "PR_MCE_KILL_EARLY"},
    {2, "PR_MCE_KILL_DEFAULT"},
}};

inline constexpr std::array<FlagName, 15> set_mm_table{{
    {1, "PR_SET_MM_START_CODE"},
    {2, "PR_SET_MM_END_CODE"},
    {3, "PR_SET_MM_START_DATA"},
    {4, "PR_SET_MM_END_DATA"},
    {5, "PR_SET_MM_START_STACK"},
    {6, "PR_SET_MM_START_BRK"},
    {7, "PR_SET_MM_BRK"},
    {8, "PR_SET_MM_ARG_START"},
    {9, "PR_SET_MM_ARG_END"},
    {10, "PR_SET_MM_ENV_START"},
    {11, "PR_SET_MM_ENV_END"},
    {12, "PR_SET_MM_AUXV"},
    {13, "PR_SET_MM_EXE_FILE"},
    {14, "PR_SET_MM_MAP"},
    {15, "PR_SET_MM_MAP_SIZE"},
}};

inline constexpr std::array<FlagName, 3> seccomp_mode_table{{
    {0, "SECCOMP_MODE_DISABLED"},
    {1, "SECCOMP_MODE_STRICT"},
    {2, "SECCOMP_MODE_FILTER"},
}};

inline constexpr std::array<FlagName, 3> spec_table{{
    {0, "PR_SPEC_STORE_BYPASS"},
    {1, "PR_SPEC_INDIRECT_BRANCH"},
    {2, "PR_SPEC_L1D_FLUSH"},
}};

// What PR_GET_SPECULATION_CTRL returns, and (without the first two) what the SET takes.
inline constexpr std::array<FlagName, 6> spec_state_table{{
    {0, "PR_SPEC_NOT_AFFECTED"},
    {1, "PR_SPEC_PRCTL"},
    {2, "PR_SPEC_ENABLE"},
    {4, "PR_SPEC_DISABLE"},
    {8, "PR_SPEC_FORCE_DISABLE"},
    {16, "PR_SPEC_DISABLE_NOEXEC"},
}};

inline constexpr std::array<FlagName, 2> syscall_dispatch_table{{
    {0, "PR_SYS_DISPATCH_OFF"},
    {1, "PR_SYS_DISPATCH_ON"},
}};

inline constexpr std::array<FlagName, 4> sched_core_table{{
    {0, "PR_SCHED_CORE_GET"},
    {1, "PR_SCHED_CORE_CREATE"},
    {2, "PR_SCHED_CORE_SHARE_TO"},
    {3, "PR_SCHED_CORE_SHARE_FROM"},
}};

inline constexpr std::array<FlagName, 4> pid_type_table{{
    {0, "PIDTYPE_PID"},
    {1, "PIDTYPE_TGID"},
    {2, "PIDTYPE_PGID"},
    {3, "PIDTYPE_SID"},
}};

// The vector-length words of PR_SVE_SET_VL and PR_SME_SET_VL: a length in the low 16 bits,
// flags above (the same bits for both).
inline std::string vector_length_text(std::uint64_t value, std::string_view prefix) {
    const std::uint64_t flags = value & ~std::uint64_t{0xffff};
    if (flags == 0) {
        return hex(value);
    }
    const std::string on_exec = std::string(prefix) + "SET_VL_ONEXEC";
    const std::string inherit = std::string(prefix) + "VL_INHERIT";
    const std::array<FlagName, 2> table{{{1 << 18, on_exec}, {1 << 17, inherit}}};
    return flag_names(flags, table) + "|" + hex(value & 0xffff);
}

} // namespace detail

/// A capability number: `CAP_CHOWN`, or `0x30 /* CAP_??? */`.
inline std::string capability_text(std::uint64_t value) {
    return value < detail::capability_names.size() ? std::string(detail::capability_names[value])
                                                   : hex(value) + " /* CAP_??? */";
}

// linux/capability.h's versions of capget's and capset's header; 2 and 3 have 64-bit sets.
inline constexpr std::uint32_t cap_version_1 = 0x19980330;
inline constexpr std::uint32_t cap_version_2 = 0x20071026;
inline constexpr std::uint32_t cap_version_3 = 0x20080522;

/// capget's and capset's header: `{version=_LINUX_CAPABILITY_VERSION_3, pid=0}`.
inline std::string cap_header_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::uint32_t, 2> h{}; // version, pid
    if (!read_struct(read, addr, h)) {
        return pointer(addr);
    }
    constexpr std::array<FlagName, 3> versions{{
        {cap_version_1, "_LINUX_CAPABILITY_VERSION_1"},
        {cap_version_2, "_LINUX_CAPABILITY_VERSION_2"},
        {cap_version_3, "_LINUX_CAPABILITY_VERSION_3"},
    }};
    return "{version=" + constant(h[0], versions, "_LINUX_CAPABILITY_VERSION_") +
           ", pid=" + std::to_string(static_cast<std::int32_t>(h[1])) + "}";
}

/// A capability set: `1<<CAP_CHOWN|1<<CAP_KILL`, `0`.
inline std::string capability_set_text(std::uint64_t bits) {
    std::string out;
    for (std::size_t i = 0; i < detail::capability_names.size(); ++i) {
        if ((bits & (std::uint64_t{1} << i)) != 0) {
            out += (out.empty() ? "1<<" : "|1<<") + std::string(detail::capability_names[i]);
            bits &= ~(std::uint64_t{1} << i);
        }
    }
    if (bits != 0) {
        out += (out.empty() ? "" : "|") + hex(bits);
    }
    return out.empty() ? "0" : out;
}

/// capget's and capset's data, for the version in the header at `header`: one set of three
/// 32-bit masks (version 1), or two whose masks are the low and high words (versions 2, 3).
inline std::string cap_data_at(const ReadMemory& read, std::uint64_t header, std::uint64_t addr) {
    std::uint32_t version = 0;
    if (addr == 0 || !read_struct(read, header, version)) {
        return pointer(addr);
    }
    std::array<std::uint32_t, 6> data{}; // {effective, permitted, inheritable} x 1 or 2
    const bool two = version == cap_version_2 || version == cap_version_3;
    if (!read(addr, std::as_writable_bytes(std::span(data.data(), two ? 6 : 3)))) {
        return pointer(addr);
    }
    auto set = [&](std::size_t i) {
        return capability_set_text(data[i] | (std::uint64_t{data[i + 3]} << 32));
    };
    return "{effective=" + set(0) + ", permitted=" + set(1) + ", inheritable=" + set(2) + "}";
}

/// PR_SET_NAME's name as strace 6.1 prints it: it reads TASK_COMM_LEN - 1 = 15 bytes and
/// expects a NUL among them, so a name of 15 characters or more (the kernel keeps 15) comes
/// out as its first 15 and `...`, even when its 16th byte is the NUL.
inline std::string set_name_text(const ReadMemory& read, std::uint64_t addr) {
    if (addr == 0) {
        return "NULL";
    }
    const auto s = read_string_arg(read, addr, 15);
    if (!s) {
        return hex(addr);
    }
    return quote(s->text) + (s->text.size() >= 15 ? "..." : "");
}

/// prctl's arguments at its entry, in order, the option first. `at_exit` names the one the
/// kernel writes (its text is empty here: prctl_exit_text() gives it once the call returned).
struct PrctlArgs {
    std::vector<std::string> texts;
    std::optional<unsigned> at_exit;
};

/// prctl's arguments as strace prints them (`regs`: rdi, rsi, rdx, r10, r8, r9).
inline PrctlArgs prctl_entry(const std::array<std::uint64_t, 6>& regs, const ReadMemory& read,
                             std::size_t limit) {
    using namespace detail;
    const std::uint64_t option = regs[0] & 0xffffffff; // an int
    const std::uint64_t arg2 = regs[1];
    PrctlArgs out;
    out.texts.push_back(constant(option, prctl_option_table, "PR_"));
    auto add = [&out](std::string text) { out.texts.push_back(std::move(text)); };
    auto hex_from = [&](unsigned first) { // the arguments from `first` (1 = arg2) on, in hex
        for (unsigned i = first; i < 5; ++i) {
            add(hex(regs[i]));
        }
    };
    auto written = [&](unsigned i) { // an argument the kernel writes
        add("");
        out.at_exit = i;
    };
    switch (option) {
    case PR_GET_DUMPABLE:
    case PR_GET_KEEPCAPS:
    case PR_GET_TIMING:
    case PR_GET_SECCOMP:
    case PR_GET_SECUREBITS:
    case PR_GET_TIMERSLACK:
    case PR_TASK_PERF_EVENTS_DISABLE:
    case PR_TASK_PERF_EVENTS_ENABLE:
    case PR_GET_FP_MODE:
    case PR_SVE_GET_VL:
    case PR_SME_GET_VL:
        break; // no argument
    case PR_GET_PDEATHSIG:
    case PR_GET_UNALIGN:
    case PR_GET_FPEMU:
    case PR_GET_FPEXC:
    case PR_GET_NAME:
    case PR_GET_ENDIAN:
    case PR_GET_TSC:
    case PR_GET_CHILD_SUBREAPER:
    case PR_GET_TID_ADDRESS:
        written(1);
        break;
    case PR_SET_KEEPCAPS:
    case PR_SET_FPEMU:
    case PR_SET_FPEXC:
    case PR_SET_TIMING:
    case PR_SET_ENDIAN:
    case PR_SET_CHILD_SUBREAPER:
        add(std::to_string(arg2));
        break;
    case PR_SET_DUMPABLE:
        add(constant(arg2, dumpable_table, "SUID_DUMP_"));
        break;
    case PR_CAPBSET_READ:
    case PR_CAPBSET_DROP:
        add(capability_text(arg2));
        break;
    case PR_CAP_AMBIENT:
        add(constant(arg2, cap_ambient_table, "PR_CAP_AMBIENT_"));
        if (arg2 >= 1 && arg2 <= 3) { // IS_SET, RAISE, LOWER take a capability
            add(capability_text(regs[2]));
            hex_from(3);
        } else {
            hex_from(2);
        }
        break;
    case PR_MCE_KILL:
        add(constant(arg2, mce_kill_table, "PR_MCE_KILL_"));
        add(arg2 == 1 ? constant(regs[2], mce_kill_policy_table, "PR_MCE_KILL_") : hex(regs[2]));
        hex_from(3);
        break;
    case PR_SET_NAME:
        add(set_name_text(read, arg2));
        break;
    case PR_SET_VMA:
        add(constant(arg2, std::array<FlagName, 1>{{{0, "PR_SET_VMA_ANON_NAME"}}}, "PR_SET_VMA_"));
        if (arg2 == 0) {
            add(pointer(regs[2]));
            add(std::to_string(regs[3]));
            add(c_string_text(read, regs[4], limit));
        } else {
            hex_from(2);
        }
        break;
    case PR_SET_MM:
        add(constant(arg2 & 0xffffffff, set_mm_table, "PR_SET_MM_"));
        hex_from(2);
        break;
    case PR_SET_PDEATHSIG:
        add(arg2 > 128 ? std::to_string(arg2) : signal_text(arg2));
        break;
    case PR_SET_PTRACER:
        add(as_int(arg2) == -1 ? std::string("PR_SET_PTRACER_ANY") : std::to_string(arg2));
        break;
    case PR_SET_SECCOMP: // a filter program: its length and address (sock_fprog_at)
        add(constant(arg2, seccomp_mode_table, "SECCOMP_MODE_"));
        if (arg2 == 2) {
            add(sock_fprog_at(read, regs[2]));
        } else if (arg2 != 1) {
            hex_from(2);
        }
        break;
    case PR_SET_SECUREBITS:
        add(flag_names(arg2, securebits_table));
        break;
    case PR_SET_TIMERSLACK:
        add(std::to_string(static_cast<std::int64_t>(arg2)));
        break;
    case PR_SET_TSC:
        add(constant(arg2 & 0xffffffff, tsc_table, "PR_TSC_"));
        break;
    case PR_SET_UNALIGN:
        add(flag_names(arg2 & 0xffffffff, unalign_table));
        break;
    case PR_SET_FP_MODE:
        add(flag_names(arg2 & 0xffffffff, fp_mode_table));
        break;
    case PR_SET_NO_NEW_PRIVS:
    case PR_SET_THP_DISABLE:
    case PR_SET_IO_FLUSHER:
        add(std::to_string(arg2));
        hex_from(2);
        break;
    case PR_GET_SPECULATION_CTRL:
        add(constant(arg2, spec_table, "PR_SPEC_"));
        break;
    case PR_SET_SPECULATION_CTRL:
        add(constant(arg2, spec_table, "PR_SPEC_"));
        add(arg2 <= 2 ? constant(regs[2], std::span(spec_state_table).subspan(2), "PR_SPEC_")
                      : hex(regs[2]));
        break;
    case PR_SET_SYSCALL_USER_DISPATCH:
        add(constant(arg2, syscall_dispatch_table, "PR_SYS_DISPATCH_"));
        add(hex(regs[2]));
        add(hex(regs[3]));
        add(pointer(regs[4]));
        break;
    case PR_SCHED_CORE: { // a pid, its kind (named in a comment), and the cookie
        add(constant(arg2 & 0xffffffff, sched_core_table, "PR_SCHED_CORE_"));
        add(std::to_string(as_int(regs[2])));
        const std::uint64_t type = regs[3] & 0xffffffff;
        const std::string type_name = value_name(type, pid_type_table, "PIDTYPE_???");
        add(hex(type) + " /* " + type_name + " */");
        if ((arg2 & 0xffffffff) == 0) {
            written(4); // PR_SCHED_CORE_GET writes the cookie
        } else {
            add(pointer(regs[4]));
        }
        break;
    }
    case PR_SVE_SET_VL:
        add(vector_length_text(arg2, "PR_SVE_"));
        break;
    case PR_SME_SET_VL:
        add(vector_length_text(arg2, "PR_SME_"));
        break;
    default: // the others, known or not, and the arm64 ones strace shows its own way
        hex_from(1);
        break;
    }
    return out;
}

/// The argument prctl's option `option` had the kernel write at `addr`, for a call that
/// succeeded: `[SIGTERM]`, `"name"`, `[0]`.
inline std::string prctl_exit_text(std::uint64_t option, std::uint64_t addr,
                                   const ReadMemory& read) {
    using namespace detail;
    switch (option & 0xffffffff) {
    case PR_GET_NAME:
        return c_string_text(read, addr, 15);
    case PR_GET_TID_ADDRESS:
        return written_at<std::uint64_t>(read, addr, pointer);
    case PR_SCHED_CORE: // PR_SCHED_CORE_GET (the only one decoded at exit): the cookie
        return written_at<std::uint64_t>(read, addr, hex);
    case PR_GET_PDEATHSIG:
        return written_at<std::uint32_t>(read, addr, signal_text);
    case PR_GET_TSC:
        return written_at<std::uint32_t>(
            read, addr, [](std::uint32_t v) { return constant(v, tsc_table, "PR_TSC_"); });
    case PR_GET_UNALIGN:
        return written_at<std::uint32_t>(
            read, addr, [](std::uint32_t v) { return flag_names(v, unalign_table); });
    default: // PR_GET_CHILD_SUBREAPER, PR_GET_ENDIAN, PR_GET_FPEMU, PR_GET_FPEXC
        return written_at<std::uint32_t>(read, addr,
                                         [](std::uint32_t v) { return std::to_string(v); });
    }
}

/// The text after `= ` for a prctl that returned `ret` (not an error), when strace names the
/// result: `1 (SUID_DUMP_USER)`, `0x10 (SECBIT_KEEP_CAPS)`; nullopt for a plain number.
inline std::optional<std::string> prctl_result(std::uint64_t option, std::uint64_t arg2,
                                               std::int64_t ret) {
    using namespace detail;
    const auto value = static_cast<std::uint64_t>(ret);
    auto named = [&](std::span<const FlagName> table) -> std::optional<std::string> {
        const std::string name = value_name(value, table, "");
        return name.empty() ? std::nullopt : std::optional(std::to_string(ret) + " (" + name + ")");
    };
    auto flags = [&](std::span<const FlagName> table) -> std::optional<std::string> {
        if (value == 0) {
            return std::nullopt;
        }
        return hex(value) + " (" + flag_names(value, table) + ")";
    };
    switch (option & 0xffffffff) {
    case PR_GET_DUMPABLE:
        return named(dumpable_table);
    case PR_MCE_KILL_GET:
        return named(mce_kill_policy_table);
    case PR_GET_SECUREBITS:
        return flags(securebits_table);
    case PR_GET_FP_MODE:
        return flags(fp_mode_table);
    case PR_GET_SPECULATION_CTRL:
        if (arg2 > 2) {
            return std::nullopt;
        }
        return value == 0 ? std::optional(std::to_string(ret) + " (PR_SPEC_NOT_AFFECTED)")
                          : flags(spec_state_table);
    default:
        return std::nullopt;
    }
}

} // namespace strace_example
