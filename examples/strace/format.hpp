// SPDX-License-Identifier: MIT
// Text in strace(1)'s format: quoted strings, numbers, flag words, return values, signal and exit
// lines.
#pragma once

#include <ptrace/errnos.hpp>
#include <ptrace/event.hpp>
#include <ptrace/signals.hpp>
#include <ptrace/syscalls.hpp>

#include <array>
#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Everything here is pure: it turns numbers and bytes into text and never touches a tracee, so
// tests/strace/format_test.cpp checks it on fixed inputs. The rules are those of strace 6.1
// (checked by running it on purpose-built programs); where we print less than strace (structs),
// the syscall printer says so.
namespace strace_example {

/// strace's default `-s 32`: strings longer than this are cut and followed by `...`.
inline constexpr std::size_t default_string_limit = 32;

/// strace's alignment column: `= result` starts at column 40 when the call is shorter.
inline constexpr std::size_t result_column = 40;

/// `0x1f`; 0 prints as `0` (strace's `%#lx`).
inline std::string hex(std::uint64_t value) {
    if (value == 0) {
        return "0";
    }
    std::array<char, 16> digits{};
    const auto r = std::to_chars(digits.data(), digits.data() + digits.size(), value, 16);
    return "0x" + std::string(digits.data(), r.ptr);
}

/// A tracee address: `NULL` or hex.
inline std::string pointer(std::uint64_t value) {
    return value == 0 ? std::string("NULL") : hex(value);
}

/// File mode bits as strace prints them (`%#03o`): 0644, 022, 000.
inline std::string octal_mode(std::uint64_t value) {
    std::array<char, 24> digits{};
    const auto r = std::to_chars(digits.data(), digits.data() + digits.size(), value, 8);
    const std::string_view text(digits.data(), static_cast<std::size_t>(r.ptr - digits.data()));
    // The '#' of %#o adds a leading 0 to a nonzero value; then pad to three digits.
    const std::size_t length = text.size() + (value != 0 ? 1 : 0);
    return std::string(length < 3 ? 3 - length : 0, '0') + (value != 0 ? "0" : "") +
           std::string(text);
}

/// The low 32 bits as a C int (pids, counts, fds): registers carry them zero- or sign-extended.
inline int as_int(std::uint64_t value) noexcept {
    return static_cast<int>(static_cast<std::uint32_t>(value & 0xffffffffU));
}

/// The bytes in double quotes, escaped like strace: `\"`, `\\`, `\t \n \v \f \r`, printable
/// ASCII as is, anything else in octal with as few digits as are unambiguous (`\0`, `\1`, but
/// `\0012` when an octal digit follows). `force_hex` prints every byte as `\xNN` (strace does
/// this for getrandom's random bytes).
inline std::string quote(std::string_view bytes, bool force_hex = false) {
    std::string out = "\"";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (force_hex) {
            constexpr std::string_view digits = "0123456789abcdef";
            out += "\\x";
            out += digits[c >> 4];
            out += digits[c & 0xf];
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            continue;
        case '\\':
            out += "\\\\";
            continue;
        case '\f':
            out += "\\f";
            continue;
        case '\n':
            out += "\\n";
            continue;
        case '\r':
            out += "\\r";
            continue;
        case '\t':
            out += "\\t";
            continue;
        case '\v':
            out += "\\v";
            continue;
        default:
            break;
        }
        if (c >= ' ' && c <= '~') {
            out += static_cast<char>(c);
            continue;
        }
        // Octal: a following digit 0-7 would be read as part of the escape, so then all three
        // digits are needed; otherwise leading zeros are dropped.
        const bool digit_follows =
            i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
        out += '\\';
        if (digit_follows || c >= 0100) {
            out += static_cast<char>('0' + (c >> 6));
        }
        if (digit_follows || c >= 010) {
            out += static_cast<char>('0' + ((c >> 3) & 7));
        }
        out += static_cast<char>('0' + (c & 7));
    }
    out += '"';
    return out;
}

/// One named bit pattern of a flag word.
struct FlagName {
    std::uint64_t bits;
    std::string_view name;
};

/// `A|B|0x40`: names in table order (a name matches when all its bits are set, and takes them),
/// then the unnamed rest in hex. `zero` is printed for an empty word.
inline std::string flag_names(std::uint64_t value, std::span<const FlagName> table,
                              std::string_view zero = "0") {
    if (value == 0) {
        return std::string(zero);
    }
    std::string out;
    for (const FlagName& flag : table) {
        if (flag.bits != 0 && (value & flag.bits) == flag.bits) {
            if (!out.empty()) {
                out += '|';
            }
            out += flag.name;
            value &= ~flag.bits;
        }
    }
    if (value != 0) {
        if (!out.empty()) {
            out += '|';
        }
        out += hex(value);
    }
    return out;
}

/// flag_names(), with strace's spelling of a word none of whose bits has a name:
/// `0x10 /* LOCK_??? */` (printflags's default).
inline std::string flags_or_unknown(std::uint64_t value, std::span<const FlagName> table,
                                    std::string_view prefix) {
    std::string names = flag_names(value, table);
    if (value != 0 && names == hex(value)) { // no name matched
        names += " /* " + std::string(prefix) + "??? */";
    }
    return names;
}

/// The name of a value from a table of exact values, or `fallback` (decimal) when unknown.
inline std::string value_name(std::uint64_t value, std::span<const FlagName> table,
                              const std::string& fallback) {
    for (const FlagName& entry : table) {
        if (entry.bits == value && !entry.name.empty()) { // (an unfilled array slot has none)
            return std::string(entry.name);
        }
    }
    return fallback;
}

/// A named constant, or strace's spelling of an unknown one: `0x2a /* MADV_??? */`.
inline std::string constant(std::uint64_t value, std::span<const FlagName> table,
                            std::string_view prefix) {
    return value_name(value, table, hex(value) + " /* " + std::string(prefix) + "??? */");
}

// Flag tables, in the order strace prints them (not always by value: O_SYNC before O_DSYNC
// because it contains it, O_CLOEXEC before O_DIRECTORY). Values are the x86_64 kernel's.
inline constexpr std::array<FlagName, 16> open_flag_table{{
    {0100, "O_CREAT"},
    {0200, "O_EXCL"},
    {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},
    {02000, "O_APPEND"},
    {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},
    {010000, "O_DSYNC"},
    {040000, "O_DIRECT"},
    {0100000, "O_LARGEFILE"},
    {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},
    {010000000, "O_PATH"},
    {020200000, "O_TMPFILE"},
    {0200000, "O_DIRECTORY"},
}};
inline constexpr std::uint64_t o_creat = 0100;
inline constexpr std::uint64_t o_tmpfile = 020200000;
inline constexpr std::uint64_t fasync = 020000;
// open(2)'s flags with FASYNC, strace's last name (after O_DIRECTORY, before the bits it has
// no name for), built once.
inline constexpr std::array<FlagName, open_flag_table.size() + 1> open_flag_table_fasync = [] {
    std::array<FlagName, open_flag_table.size() + 1> table{};
    for (std::size_t i = 0; i < open_flag_table.size(); ++i) {
        table[i] = open_flag_table[i];
    }
    table.back() = {fasync, "FASYNC"};
    return table;
}();

/// open(2) flags: the access mode first (O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE), then the rest.
inline std::string open_flags(std::uint64_t value) {
    constexpr std::array<std::string_view, 4> modes{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
    std::string out(modes[value & 3]);
    value &= ~std::uint64_t{3};
    if (value != 0) {
        out += '|';
        out += flag_names(value, open_flag_table_fasync);
    }
    return out;
}

/// Flags that take no access mode (pipe2, dup3, inotify_init1...): `O_CLOEXEC|O_NONBLOCK` or 0.
inline std::string open_flags_no_mode(std::uint64_t value) {
    return flag_names(value, open_flag_table);
}

inline constexpr std::array<FlagName, 6> prot_table{{
    {0x1, "PROT_READ"},
    {0x2, "PROT_WRITE"},
    {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
}};

/// mmap/mprotect protection: `PROT_READ|PROT_WRITE`, `PROT_NONE` for 0.
inline std::string mmap_prot(std::uint64_t value) {
    return flag_names(value, prot_table, "PROT_NONE");
}

inline constexpr std::array<FlagName, 14> map_flag_table{{
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
}};

/// mmap flags: the mapping type (MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, or MAP_FILE for
/// 0), then the flags, then a huge page size as `N<<MAP_HUGE_SHIFT`.
inline std::string mmap_flags(std::uint64_t value) {
    constexpr std::array<std::string_view, 4> types{"", "MAP_SHARED", "MAP_PRIVATE",
                                                    "MAP_SHARED_VALIDATE"};
    std::string out;
    const std::uint64_t type = value & 0xf;
    if (type < types.size() && type != 0) {
        out = types[type];
        value &= ~std::uint64_t{0xf};
    }
    constexpr int huge_shift = 26;
    const std::uint64_t huge = (value >> huge_shift) & 0x3f;
    value &= ~(std::uint64_t{0x3f} << huge_shift);
    if (value != 0) {
        if (!out.empty()) {
            out += '|';
        }
        out += flag_names(value, map_flag_table);
    }
    if (huge != 0) {
        if (!out.empty()) {
            out += '|';
        }
        out += std::to_string(huge) + "<<MAP_HUGE_SHIFT";
    }
    return out.empty() ? std::string("MAP_FILE") : out;
}

inline constexpr std::array<FlagName, 3> access_table{{
    {4, "R_OK"},
    {2, "W_OK"},
    {1, "X_OK"},
}};

/// access(2) modes: `F_OK` for 0, else `R_OK|W_OK|X_OK`.
inline std::string access_mode(std::uint64_t value) {
    return flag_names(value, access_table, "F_OK");
}

inline constexpr std::array<FlagName, 8> at_flag_table{{
    {0x100, "AT_SYMLINK_NOFOLLOW"},
    {0x200, "AT_EACCESS"},
    {0x400, "AT_SYMLINK_FOLLOW"},
    {0x800, "AT_NO_AUTOMOUNT"},
    {0x1000, "AT_EMPTY_PATH"},
    {0x2000, "AT_STATX_FORCE_SYNC"},
    {0x4000, "AT_STATX_DONT_SYNC"},
    {0x8000, "AT_RECURSIVE"},
}};

/// The AT_* flags of the *at syscalls. 0x200 is AT_REMOVEDIR for unlinkat, AT_EACCESS elsewhere.
inline std::string at_flags(std::uint64_t value, bool removedir = false) {
    std::string out;
    if (removedir && (value & 0x200) != 0) {
        out = "AT_REMOVEDIR";
        value &= ~std::uint64_t{0x200};
        if (value == 0) {
            return out;
        }
        out += '|';
    }
    return out + flag_names(value, at_flag_table);
}

/// statx's flags: the sync type (0 is AT_STATX_SYNC_AS_STAT) is always named first.
inline std::string statx_flags(std::uint64_t value) {
    if ((value & 0x6000) != 0) {
        return at_flags(value);
    }
    return value == 0 ? std::string("AT_STATX_SYNC_AS_STAT")
                      : "AT_STATX_SYNC_AS_STAT|" + at_flags(value);
}

/// A signal number: `SIGTERM`, or the number when it has no name (0, 99).
inline std::string signal_text(std::uint64_t value) {
    const int sig = as_int(value);
    const std::string_view name = ptrace_api::signal_name(sig);
    return name.empty() ? std::to_string(sig) : std::string(name);
}

/// An array as strace prints it: `[a, b]`, with `, ...` before the `]` when elements past
/// its limit were left out (`more`).
inline std::string array_text(const std::vector<std::string>& items, bool more) {
    std::string out = "[";
    for (const std::string& item : items) {
        out += (out.size() > 1 ? ", " : "") + item;
    }
    if (more) {
        out += items.empty() ? "..." : ", ...";
    }
    return out + "]";
}

/// A signal set as strace prints it: `[INT CHLD]`, or its complement `~[RTMIN RT_1]` when
/// two thirds or more of the 64 bits are set (strace's rule, checked against strace 6.1).
inline std::string sigset_text(std::uint64_t mask) {
    const bool inverted = std::popcount(mask) >= 64 * 2 / 3;
    if (inverted) {
        mask = ~mask;
    }
    std::string out = inverted ? "~[" : "[";
    bool first = true;
    for (int sig = 1; sig <= 64; ++sig) {
        if ((mask & (std::uint64_t{1} << (sig - 1))) == 0) {
            continue;
        }
        if (!first) {
            out += ' ';
        }
        first = false;
        const std::string_view name = ptrace_api::signal_name(sig);
        out += name.empty() ? std::to_string(sig) : std::string(name.substr(3)); // drop "SIG"
    }
    return out + "]";
}

/// A return value in the kernel's error range [-4095, -1].
inline bool is_error_return(std::int64_t ret) noexcept {
    return ret < 0 && ret >= -4095;
}

/// What follows `= ` for a syscall that returned `ret`, printed as `kind`:
/// `3`, `0x7f12...`, `-1 ENOENT (No such file or directory)`, or for the kernel-internal
/// restart codes `? ERESTARTSYS (To be restarted if SA_RESTART is set)`. Syscalls that do not
/// return (kind None) print `?`.
inline std::string return_text(ptrace_api::ArgKind kind, std::int64_t ret) {
    using ptrace_api::ArgKind;
    if (kind == ArgKind::None) {
        return "?";
    }
    if (is_error_return(ret)) {
        const int err = static_cast<int>(-ret);
        const std::string_view name = ptrace_api::errno_name(err);
        const std::string_view message = ptrace_api::errno_message(err);
        const std::string prefix = ptrace_api::errno_is_restart(err) ? "? " : "-1 ";
        if (name.empty()) {
            return prefix + std::to_string(err) + " (Unknown error " + std::to_string(err) + ")";
        }
        return prefix + std::string(name) + " (" + std::string(message) + ")";
    }
    const auto bits = static_cast<std::uint64_t>(ret);
    switch (kind) {
    case ArgKind::Pointer:
    case ArgKind::Hex:
        return hex(bits);
    case ArgKind::Mode:
        return octal_mode(bits);
    case ArgKind::Signal:
        return std::to_string(ret) + " (" + signal_text(bits) + ")";
    case ArgKind::UInt:
        return std::to_string(bits);
    default:
        return std::to_string(ret);
    }
}

/// `call = result`, with strace's padding: spaces up to column 40 when `prefix + call` is
/// shorter, else one space. `prefix` (`[pid 42] ` or empty) counts towards the column.
inline std::string syscall_line(std::string_view prefix, std::string_view call,
                                std::string_view result) {
    std::string out(prefix);
    out += call;
    if (out.size() < result_column) {
        out.append(result_column - out.size(), ' ');
    } else {
        out += ' ';
    }
    out += "= ";
    out += result;
    return out;
}

/// `--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---`: `siginfo` is the
/// signal's siginfo as strace prints it (structs.hpp siginfo_text). Without it (the tracee
/// went away before it could be read) only the number, which the SIGNAL event carries:
/// `--- SIGCHLD {si_signo=SIGCHLD} ---`.
inline std::string signal_line(int sig, std::string_view siginfo = {}) {
    const std::string name = signal_text(static_cast<std::uint64_t>(sig));
    return "--- " + name + " " +
           (siginfo.empty() ? "{si_signo=" + name + "}" : std::string(siginfo)) + " ---";
}

/// `+++ exited with 0 +++` or `+++ killed by SIGKILL +++` (Redox exit statuses have no
/// core-dump bit, so strace's ` (core dumped)` never appears).
inline std::string exit_line(ptrace_api::WaitStatus status) {
    if (status.signaled()) {
        return "+++ killed by " + signal_text(static_cast<std::uint64_t>(status.term_signal())) +
               " +++";
    }
    return "+++ exited with " + std::to_string(status.exit_code()) + " +++";
}

} // namespace strace_example
