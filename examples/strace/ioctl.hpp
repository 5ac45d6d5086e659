// SPDX-License-Identifier: MIT
// ioctl(2) as strace 6.1 prints it: the request by name, and the argument as the request
// defines it (an int passed or written back, a struct winsize, an fd, none, or an address).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "format.hpp"
#include "structs.hpp"

namespace strace_example {

namespace detail {

// The ioctl requests the example names, with how strace shows their argument.
inline constexpr std::uint32_t tiocgpgrp = 0x540f;
inline constexpr std::uint32_t tiocspgrp = 0x5410;
inline constexpr std::uint32_t tiocgwinsz = 0x5413;
inline constexpr std::uint32_t tiocswinsz = 0x5414;
inline constexpr std::uint32_t fionread = 0x541b;
inline constexpr std::uint32_t fionbio = 0x5421;
inline constexpr std::uint32_t tiocgptpeer = 0x5441;
inline constexpr std::uint32_t fionclex = 0x5450;
inline constexpr std::uint32_t fioclex = 0x5451;
inline constexpr std::uint32_t fioasync = 0x5452;
inline constexpr std::uint32_t tiocgptn = 0x80045430;
inline constexpr std::uint32_t tiocsptlck = 0x40045431;
inline constexpr std::uint32_t ficlone = 0x40049409;

inline constexpr std::array<FlagName, 17> ioctl_table{{
    {0x5401, "TCGETS"},
    {0x5402, "TCSETS"},
    {0x5403, "TCSETSW"},
    {0x5404, "TCSETSF"},
    {tiocgpgrp, "TIOCGPGRP"},
    {tiocspgrp, "TIOCSPGRP"},
    {tiocgwinsz, "TIOCGWINSZ"},
    {tiocswinsz, "TIOCSWINSZ"},
    {fionread, "FIONREAD"},
    {fionbio, "FIONBIO"},
    {tiocgptpeer, "TIOCGPTPEER"},
    {fionclex, "FIONCLEX"},
    {fioclex, "FIOCLEX"},
    {fioasync, "FIOASYNC"},
    {tiocgptn, "TIOCGPTN"},
    {tiocsptlck, "TIOCSPTLCK"},
    {ficlone, "BTRFS_IOC_CLONE or FICLONE"}, // cp's first try: its argument is an fd
}};

/// What an ioctl's third argument is, for the requests strace decodes that the example knows.
enum class IoctlArg {
    other,       ///< an address (or a number) in hex
    none,        ///< FIONCLEX, FIOCLEX: not shown
    fd,          ///< FICLONE's source
    int_in,      ///< an int (or a pid) the kernel reads: `[1]`
    int_out,     ///< an int (or a pid) the kernel writes: `[3]` at exit
    winsize_in,  ///< TIOCSWINSZ's struct winsize
    winsize_out, ///< TIOCGWINSZ's, at exit
};

inline IoctlArg ioctl_arg(std::uint64_t request) {
    switch (static_cast<std::uint32_t>(request)) {
    case fionclex:
    case fioclex:
        return IoctlArg::none;
    case ficlone:
        return IoctlArg::fd;
    case fionbio:
    case fioasync:
    case tiocsptlck:
    case tiocspgrp:
        return IoctlArg::int_in;
    case fionread:
    case tiocgptn:
    case tiocgpgrp:
        return IoctlArg::int_out;
    case tiocswinsz:
        return IoctlArg::winsize_in;
    case tiocgwinsz:
        return IoctlArg::winsize_out;
    default:
        return IoctlArg::other;
    }
}

} // namespace detail

/// An ioctl's request and argument at entry.
struct IoctlArgs {
    std::string request;
    std::optional<std::string> arg; ///< nullopt: the request takes none (not shown)
    bool arg_at_exit = false;       ///< the kernel writes the argument: ioctl_exit_text()
};

/// The request (`FIONBIO`, or hex) and the argument (`[1]`) of an ioctl at its entry.
inline IoctlArgs ioctl_entry(std::uint64_t request, std::uint64_t arg, const ReadMemory& read) {
    using detail::IoctlArg;
    IoctlArgs out;
    out.request = value_name(request & 0xffffffff, detail::ioctl_table, hex(request));
    switch (detail::ioctl_arg(request)) {
    case IoctlArg::none:
        break;
    case IoctlArg::fd:
        out.arg = std::to_string(as_int(arg));
        break;
    case IoctlArg::int_in:
        out.arg = int_at(read, arg);
        break;
    case IoctlArg::winsize_in:
        out.arg = winsize_at(read, arg);
        break;
    case IoctlArg::int_out:
    case IoctlArg::winsize_out:
        out.arg = hex(arg); // what is shown if the call never returns, or fails
        out.arg_at_exit = true;
        break;
    case IoctlArg::other:
        out.arg = hex(arg);
        break;
    }
    return out;
}

/// The argument the kernel wrote at `addr` for a request whose IoctlArgs::arg_at_exit was set,
/// after the call succeeded.
inline std::string ioctl_exit_text(std::uint64_t request, std::uint64_t addr,
                                   const ReadMemory& read) {
    return detail::ioctl_arg(request) == detail::IoctlArg::winsize_out ? winsize_at(read, addr)
                                                                       : int_at(read, addr);
}

} // namespace strace_example
