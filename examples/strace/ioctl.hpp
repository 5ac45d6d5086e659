// SPDX-License-Identifier: MIT
// ioctl(2) as strace 6.1 prints it: the request by name (or as the _IOC macro's fields), and the
// argument as the request defines it (an int passed or written back, a struct winsize or
// termios, a named constant, an fd, none, or an address).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "format.hpp"
#include "structs.hpp"

namespace strace_example {

namespace detail {

// The ioctl requests the example names, with how strace shows their argument.
inline constexpr std::uint32_t tcgets = 0x5401;
inline constexpr std::uint32_t tcsets = 0x5402;
inline constexpr std::uint32_t tcsetsw = 0x5403;
inline constexpr std::uint32_t tcsetsf = 0x5404;
inline constexpr std::uint32_t tcsbrk = 0x5409;
inline constexpr std::uint32_t tcxonc = 0x540a;
inline constexpr std::uint32_t tcflsh = 0x540b;
inline constexpr std::uint32_t tiocsctty = 0x540e;
inline constexpr std::uint32_t tiocgpgrp = 0x540f;
inline constexpr std::uint32_t tiocspgrp = 0x5410;
inline constexpr std::uint32_t tiocgwinsz = 0x5413;
inline constexpr std::uint32_t tiocswinsz = 0x5414;
inline constexpr std::uint32_t fionread = 0x541b;
inline constexpr std::uint32_t fionbio = 0x5421;
inline constexpr std::uint32_t tiocnotty = 0x5422;
inline constexpr std::uint32_t tiocgptpeer = 0x5441;
inline constexpr std::uint32_t fionclex = 0x5450;
inline constexpr std::uint32_t fioclex = 0x5451;
inline constexpr std::uint32_t fioasync = 0x5452;
inline constexpr std::uint32_t tiocgptn = 0x80045430;
inline constexpr std::uint32_t tiocsptlck = 0x40045431;
inline constexpr std::uint32_t ficlone = 0x40049409;

// strace 6.1 names a number that two subsystems share by both names (the OSS sequencer's
// SNDCTL_TMR_* reuse the TCSETS* numbers).
inline constexpr std::array<FlagName, 22> ioctl_table{{
    {tcgets, "TCGETS"},
    {tcsets, "SNDCTL_TMR_START or TCSETS"},
    {tcsetsw, "SNDCTL_TMR_STOP or TCSETSW"},
    {tcsetsf, "SNDCTL_TMR_CONTINUE or TCSETSF"},
    {tcsbrk, "TCSBRK"},
    {tcxonc, "TCXONC"},
    {tcflsh, "TCFLSH"},
    {tiocsctty, "TIOCSCTTY"},
    {tiocgpgrp, "TIOCGPGRP"},
    {tiocspgrp, "TIOCSPGRP"},
    {tiocgwinsz, "TIOCGWINSZ"},
    {tiocswinsz, "TIOCSWINSZ"},
    {fionread, "FIONREAD"},
    {fionbio, "FIONBIO"},
    {tiocnotty, "TIOCNOTTY"},
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
    none,        ///< FIONCLEX, FIOCLEX, TIOCNOTTY: not shown
    fd,          ///< FICLONE's source
    number,      ///< TCSBRK's duration, TIOCSCTTY's force: an int, in decimal
    flush_queue, ///< TCIFLUSH, TCOFLUSH, TCIOFLUSH
    flow,        ///< TCOOFF, TCOON, TCIOFF, TCION
    int_in,      ///< an int (or a pid) the kernel reads: `[1]`
    int_out,     ///< an int (or a pid) the kernel writes: `[3]` at exit
    winsize_in,  ///< TIOCSWINSZ's struct winsize
    winsize_out, ///< TIOCGWINSZ's, at exit
    termios_in,  ///< TCSETS*'s struct termios
    termios_out, ///< TCGETS's, at exit
};

inline IoctlArg ioctl_arg(std::uint64_t request) {
    switch (static_cast<std::uint32_t>(request)) {
    case fionclex:
    case fioclex:
    case tiocnotty:
        return IoctlArg::none;
    case ficlone:
        return IoctlArg::fd;
    case tcsbrk:
    case tiocsctty:
        return IoctlArg::number;
    case tcflsh:
        return IoctlArg::flush_queue;
    case tcxonc:
        return IoctlArg::flow;
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
    case tcsets:
    case tcsetsw:
    case tcsetsf:
        return IoctlArg::termios_in;
    case tcgets:
        return IoctlArg::termios_out;
    default:
        return IoctlArg::other;
    }
}

inline constexpr std::array<FlagName, 3> tcflsh_table{{
    {0, "TCIFLUSH"},
    {1, "TCOFLUSH"},
    {2, "TCIOFLUSH"},
}};

inline constexpr std::array<FlagName, 4> tcxonc_table{{
    {0, "TCOOFF"},
    {1, "TCOON"},
    {2, "TCIOFF"},
    {3, "TCION"},
}};

/// A request none of whose names the example knows, as strace spells it from the bits the
/// _IOC macro packs: `_IOC(_IOC_READ|_IOC_WRITE, 0xee, 0x12, 0x10)` (direction, type,
/// number, argument size).
inline std::string ioc_text(std::uint64_t request) {
    constexpr std::array<std::string_view, 4> directions{"_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
                                                         "_IOC_READ|_IOC_WRITE"};
    const auto r = static_cast<std::uint32_t>(request);
    return "_IOC(" + std::string(directions[r >> 30]) + ", " + hex((r >> 8) & 0xff) + ", " +
           hex(r & 0xff) + ", " + hex((r >> 16) & 0x3fff) + ")";
}

// struct termios as the kernel reads and writes it (asm/termbits.h; glibc's is larger).
struct KernelTermios {
    std::uint32_t iflag;
    std::uint32_t oflag;
    std::uint32_t cflag;
    std::uint32_t lflag;
    std::uint8_t line;
    std::array<std::uint8_t, 19> cc;
};

inline constexpr std::array<FlagName, 15> termios_iflag_table{{
    {01, "IGNBRK"},
    {02, "BRKINT"},
    {04, "IGNPAR"},
    {010, "PARMRK"},
    {020, "INPCK"},
    {040, "ISTRIP"},
    {0100, "INLCR"},
    {0200, "IGNCR"},
    {0400, "ICRNL"},
    {01000, "IUCLC"},
    {02000, "IXON"},
    {04000, "IXANY"},
    {010000, "IXOFF"},
    {020000, "IMAXBEL"},
    {040000, "IUTF8"},
}};

inline constexpr std::array<FlagName, 8> termios_oflag_table{{
    {01, "OPOST"},
    {02, "OLCUC"},
    {04, "ONLCR"},
    {010, "OCRNL"},
    {020, "ONOCR"},
    {040, "ONLRET"},
    {0100, "OFILL"},
    {0200, "OFDEL"},
}};

/// c_oflag's delay fields: the field's mask and the names of its values, in strace's order.
struct DelayField {
    std::uint32_t mask;
    std::array<FlagName, 4> values;
};

inline constexpr std::array<DelayField, 6> termios_delay_fields{{
    {0400, {{{0, "NL0"}, {0400, "NL1"}}}},
    {03000, {{{0, "CR0"}, {01000, "CR1"}, {02000, "CR2"}, {03000, "CR3"}}}},
    {014000, {{{0, "TAB0"}, {04000, "TAB1"}, {010000, "TAB2"}, {014000, "XTABS"}}}},
    {020000, {{{0, "BS0"}, {020000, "BS1"}}}},
    {040000, {{{0, "VT0"}, {040000, "VT1"}}}},
    {0100000, {{{0, "FF0"}, {0100000, "FF1"}}}},
}};

inline constexpr std::uint32_t termios_cbaud = 010017;
inline constexpr std::uint32_t termios_cibaud = 002003600000;
inline constexpr unsigned termios_ibshift = 16;
inline constexpr std::uint32_t termios_csize = 060;

inline constexpr std::array<FlagName, 32> termios_baud_table{{
    {0, "B0"},
    {01, "B50"},
    {02, "B75"},
    {03, "B110"},
    {04, "B134"},
    {05, "B150"},
    {06, "B200"},
    {07, "B300"},
    {010, "B600"},
    {011, "B1200"},
    {012, "B1800"},
    {013, "B2400"},
    {014, "B4800"},
    {015, "B9600"},
    {016, "B19200"},
    {017, "B38400"},
    {010000, "BOTHER"},
    {010001, "B57600"},
    {010002, "B115200"},
    {010003, "B230400"},
    {010004, "B460800"},
    {010005, "B500000"},
    {010006, "B576000"},
    {010007, "B921600"},
    {010010, "B1000000"},
    {010011, "B1152000"},
    {010012, "B1500000"},
    {010013, "B2000000"},
    {010014, "B2500000"},
    {010015, "B3000000"},
    {010016, "B3500000"},
    {010017, "B4000000"},
}};

inline constexpr std::array<FlagName, 4> termios_csize_table{{
    {0, "CS5"},
    {020, "CS6"},
    {040, "CS7"},
    {060, "CS8"},
}};

inline constexpr std::array<FlagName, 8> termios_cflag_table{{
    {0100, "CSTOPB"},
    {0200, "CREAD"},
    {0400, "PARENB"},
    {01000, "PARODD"},
    {02000, "HUPCL"},
    {04000, "CLOCAL"},
    {010000000000, "CMSPAR"},
    {020000000000, "CRTSCTS"},
}};

// Not by value: strace lists IEXTEN after NOFLSH and TOSTOP after PENDIN.
inline constexpr std::array<FlagName, 16> termios_lflag_table{{
    {01, "ISIG"},
    {02, "ICANON"},
    {04, "XCASE"},
    {010, "ECHO"},
    {020, "ECHOE"},
    {040, "ECHOK"},
    {0100, "ECHONL"},
    {0200, "NOFLSH"},
    {0100000, "IEXTEN"},
    {01000, "ECHOCTL"},
    {02000, "ECHOPRT"},
    {04000, "ECHOKE"},
    {010000, "FLUSHO"},
    {040000, "PENDIN"},
    {0400, "TOSTOP"},
    {0200000, "EXTPROC"},
}};

/// `{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD,
/// c_lflag=ISIG|ICANON|..., ...}`: strace 6.1 without -v, which leaves out c_line and c_cc.
/// A delay field of c_oflag and the speed and the character size of c_cflag are always shown,
/// each followed by `|` (also before an empty rest); a flag word of 0 is nothing at all
/// (`c_iflag=,`: strace's printflags without a default).
inline std::string termios_text(const KernelTermios& t) {
    std::string oflag;
    std::uint32_t rest = t.oflag;
    for (const DelayField& field : termios_delay_fields) {
        oflag += value_name(t.oflag & field.mask, field.values, hex(t.oflag & field.mask)) + "|";
        rest &= ~field.mask;
    }
    oflag += flag_names(rest, termios_oflag_table, "");
    const auto baud = [](std::uint32_t bits) {
        return value_name(bits, termios_baud_table, hex(bits));
    };
    std::string cflag = baud(t.cflag & termios_cbaud) + "|";
    if ((t.cflag & termios_cibaud) != 0) {
        cflag += baud((t.cflag & termios_cibaud) >> termios_ibshift) + "<<IBSHIFT|";
    }
    cflag += value_name(t.cflag & termios_csize, termios_csize_table, "") + "|" +
             flag_names(t.cflag & ~(termios_cbaud | termios_cibaud | termios_csize),
                        termios_cflag_table, "");
    return "{c_iflag=" + flag_names(t.iflag, termios_iflag_table, "") + ", c_oflag=" + oflag +
           ", c_cflag=" + cflag + ", c_lflag=" + flag_names(t.lflag, termios_lflag_table, "") +
           ", ...}";
}

/// The struct termios at `addr`; the address when it cannot be read.
inline std::string termios_at(const ReadMemory& read, std::uint64_t addr) {
    KernelTermios t{};
    return read_struct(read, addr, t) ? termios_text(t) : pointer(addr);
}

} // namespace detail

/// An ioctl's request and argument at entry.
struct IoctlArgs {
    std::string request;
    std::optional<std::string> arg; ///< nullopt: the request takes none (not shown)
    bool arg_at_exit = false;       ///< the kernel writes the argument: ioctl_exit_text()
};

/// The request (`FIONBIO`, or `_IOC(...)` when unknown) and the argument (`[1]`) of an ioctl
/// at its entry.
inline IoctlArgs ioctl_entry(std::uint64_t request, std::uint64_t arg, const ReadMemory& read) {
    using detail::IoctlArg;
    IoctlArgs out;
    out.request = value_name(request & 0xffffffff, detail::ioctl_table, detail::ioc_text(request));
    switch (detail::ioctl_arg(request)) {
    case IoctlArg::none:
        break;
    case IoctlArg::fd:
    case IoctlArg::number:
        out.arg = std::to_string(as_int(arg));
        break;
    case IoctlArg::flush_queue:
        out.arg = constant(arg, detail::tcflsh_table, "TC");
        break;
    case IoctlArg::flow:
        out.arg = constant(arg, detail::tcxonc_table, "TC");
        break;
    case IoctlArg::int_in:
        out.arg = int_at(read, arg);
        break;
    case IoctlArg::winsize_in:
        out.arg = winsize_at(read, arg);
        break;
    case IoctlArg::termios_in:
        out.arg = detail::termios_at(read, arg);
        break;
    case IoctlArg::int_out:
    case IoctlArg::winsize_out:
    case IoctlArg::termios_out:
        out.arg = pointer(arg); // what is shown if the call never returns, or fails
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
    switch (detail::ioctl_arg(request)) {
    case detail::IoctlArg::winsize_out:
        return winsize_at(read, addr);
    case detail::IoctlArg::termios_out:
        return detail::termios_at(read, addr);
    default:
        return int_at(read, addr);
    }
}

} // namespace strace_example
