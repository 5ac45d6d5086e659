// SPDX-License-Identifier: MIT
// Strings and structs in the tracee's memory, printed as strace 6.1 prints them without -v:
// strings and buffers, times, timers, signal sets and the signal frame's mask, I/O vectors,
// clone3's arguments, system information.
#pragma once

#include <ptrace/c_string.hpp>
#include <ptrace/result.hpp>
#include <ptrace/signal_info.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
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

#include <signal.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <unistd.h>

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

/// A user or group id: `1000`, or `-1` for (uid_t) -1.
inline std::string id_text(std::uint32_t id) {
    return id == 0xffffffff ? std::string("-1") : std::to_string(id);
}

/// `{tv_sec=1, tv_nsec=500}` (struct timespec) or `{tv_sec=1, tv_usec=500}` (struct timeval):
/// the seconds signed, the fraction unsigned, as strace prints them (a negative tv_nsec shows
/// as 18446744073709551611).
inline std::string time_pair_text(const std::array<std::int64_t, 2>& t, std::string_view sub) {
    return "{tv_sec=" + std::to_string(t[0]) + ", " + std::string(sub) + "=" +
           std::to_string(static_cast<std::uint64_t>(t[1])) + "}";
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

/// utimensat's two times (`micro` false: timespecs, UTIME_NOW and UTIME_OMIT by name) or
/// utimes' and futimesat's (`micro`: timevals): `[{tv_sec=1700000000, tv_nsec=0} /*
/// 2023-11-14T22:13:20+0000 */, ...]`, each time but the epoch itself and one whose fraction is out
/// of range followed by the local time it stands for.
inline std::string file_times_at(const ReadMemory& read, std::uint64_t addr, bool micro) {
    std::array<std::array<std::int64_t, 2>, 2> times{};
    if (addr == 0) {
        return "NULL";
    }
    if (!read_struct(read, addr, times)) {
        return hex(addr);
    }
    const std::int64_t second = micro ? 1000000 : 1000000000;
    std::string out = "[";
    for (const auto& t : times) {
        out += out.size() > 1 ? ", " : "";
        constexpr std::int64_t utime_now = (1 << 30) - 1;
        constexpr std::int64_t utime_omit = (1 << 30) - 2;
        if (!micro && (t[1] == utime_now || t[1] == utime_omit)) {
            out += t[1] == utime_now ? "UTIME_NOW" : "UTIME_OMIT";
            continue;
        }
        out += detail::time_pair_text(t, micro ? "tv_usec" : "tv_nsec");
        if ((t[0] == 0 && t[1] == 0) || t[1] < 0 || t[1] >= second) {
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
            std::snprintf(digits.data(), digits.size(), micro ? ".%06lld" : ".%09lld",
                          static_cast<long long>(t[1]));
            fraction = digits.data();
        }
        out += std::string(" /* ") + when.data() + fraction + zone.data() + " */";
    }
    return out + "]";
}

/// settimeofday's struct timezone: `{tz_minuteswest=-60, tz_dsttime=0}`.
inline std::string timezone_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::int32_t, 2> tz{};
    if (addr == 0) {
        return "NULL";
    }
    if (!read_struct(read, addr, tz)) {
        return hex(addr);
    }
    return "{tz_minuteswest=" + std::to_string(tz[0]) + ", tz_dsttime=" + std::to_string(tz[1]) +
           "}";
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

/// A clock id: `CLOCK_MONOTONIC`, or strace's spelling of any other (a process's or thread's
/// CPU clock, negative, among them): `0xfffd706e /* CLOCK_??? */`.
inline std::string clock_text(std::uint64_t id) {
    return constant(id & 0xffffffff, clock_table, "CLOCK_");
}

/// The flags of clock_nanosleep and timer_settime: `TIMER_ABSTIME`, `0x2 /* TIMER_??? */`.
inline std::string timer_flags_text(std::uint64_t flags) {
    return flags_or_unknown(flags & 0xffffffff, std::array<FlagName, 1>{{{1, "TIMER_ABSTIME"}}},
                            "TIMER_");
}

/// adjtimex's and clock_adjtime's struct timex (x86_64: the kernel's layout), every field, as
/// strace prints it once the call returned: `{modes=0, offset=0, ..., status=STA_UNSYNC, ...}`.
inline std::string timex_at(const ReadMemory& read, std::uint64_t addr) {
    struct timex tx {};
    if (addr == 0 || !read_struct(read, addr, tx)) {
        return pointer(addr);
    }
    // The single-shot modes first: they contain ADJ_OFFSET (strace's order).
    constexpr std::array<FlagName, 13> modes{{
        {0xa001, "ADJ_OFFSET_SS_READ"},
        {0x8001, "ADJ_OFFSET_SINGLESHOT"},
        {0x0001, "ADJ_OFFSET"},
        {0x0002, "ADJ_FREQUENCY"},
        {0x0004, "ADJ_MAXERROR"},
        {0x0008, "ADJ_ESTERROR"},
        {0x0010, "ADJ_STATUS"},
        {0x0020, "ADJ_TIMECONST"},
        {0x0080, "ADJ_TAI"},
        {0x0100, "ADJ_SETOFFSET"},
        {0x1000, "ADJ_MICRO"},
        {0x2000, "ADJ_NANO"},
        {0x4000, "ADJ_TICK"},
    }};
    constexpr std::array<FlagName, 16> status{{
        {0x0001, "STA_PLL"},
        {0x0002, "STA_PPSFREQ"},
        {0x0004, "STA_PPSTIME"},
        {0x0008, "STA_FLL"},
        {0x0010, "STA_INS"},
        {0x0020, "STA_DEL"},
        {0x0040, "STA_UNSYNC"},
        {0x0080, "STA_FREQHOLD"},
        {0x0100, "STA_PPSSIGNAL"},
        {0x0200, "STA_PPSJITTER"},
        {0x0400, "STA_PPSWANDER"},
        {0x0800, "STA_PPSERROR"},
        {0x1000, "STA_CLOCKERR"},
        {0x2000, "STA_NANO"},
        {0x4000, "STA_MODE"},
        {0x8000, "STA_CLK"},
    }};
    const auto field = [](const char* name, long value) {
        return std::string(", ") + name + "=" + std::to_string(value);
    };
    return "{modes=" + flags_or_unknown(tx.modes, modes, "ADJ_") + field("offset", tx.offset) +
           field("freq", tx.freq) + field("maxerror", tx.maxerror) +
           field("esterror", tx.esterror) +
           ", status=" + flags_or_unknown(static_cast<std::uint32_t>(tx.status), status, "STA_") +
           field("constant", tx.constant) + field("precision", tx.precision) +
           field("tolerance", tx.tolerance) + ", time={tv_sec=" + std::to_string(tx.time.tv_sec) +
           ", tv_usec=" + std::to_string(static_cast<unsigned long>(tx.time.tv_usec)) + "}" +
           field("tick", tx.tick) + field("ppsfreq", tx.ppsfreq) + field("jitter", tx.jitter) +
           field("shift", tx.shift) + field("stabil", tx.stabil) + field("jitcnt", tx.jitcnt) +
           field("calcnt", tx.calcnt) + field("errcnt", tx.errcnt) + field("stbcnt", tx.stbcnt) +
           field("tai", tx.tai) + "}";
}

/// A personality: its type, then its flags: `PER_LINUX|ADDR_NO_RANDOMIZE`, `0x5 /* PER_??? */`.
/// (strace names a type only by the low byte's value, so PER_SVR4 and the other types whose
/// value carries flags never appear.)
inline std::string personality_text(std::uint32_t persona) {
    constexpr std::array<FlagName, 7> types{{
        {0x00, "PER_LINUX"},
        {0x06, "PER_BSD"},
        {0x08, "PER_LINUX32"},
        {0x0c, "PER_RISCOS"},
        {0x0f, "PER_OSF4"},
        {0x10, "PER_HPUX"},
        {0xff, "PER_MASK"},
    }};
    constexpr std::array<FlagName, 11> flags{{
        {0x0020000, "UNAME26"},
        {0x0040000, "ADDR_NO_RANDOMIZE"},
        {0x0080000, "FDPIC_FUNCPTRS"},
        {0x0100000, "MMAP_PAGE_ZERO"},
        {0x0200000, "ADDR_COMPAT_LAYOUT"},
        {0x0400000, "READ_IMPLIES_EXEC"},
        {0x0800000, "ADDR_LIMIT_32BIT"},
        {0x1000000, "SHORT_INODE"},
        {0x2000000, "WHOLE_SECONDS"},
        {0x4000000, "STICKY_TIMEOUTS"},
        {0x8000000, "ADDR_LIMIT_3GB"},
    }};
    std::string out = constant(persona & 0xffU, types, "PER_");
    if ((persona & ~0xffU) != 0) {
        out += "|" + flag_names(persona & ~0xffU, flags);
    }
    return out;
}

/// The clock state adjtimex and clock_adjtime return: `TIME_ERROR`, or empty when unknown.
inline std::string time_state_text(std::int64_t ret) {
    constexpr std::array<FlagName, 6> states{{
        {0, "TIME_OK"},
        {1, "TIME_INS"},
        {2, "TIME_DEL"},
        {3, "TIME_OOP"},
        {4, "TIME_WAIT"},
        {5, "TIME_ERROR"},
    }};
    return value_name(static_cast<std::uint64_t>(ret), states, "");
}

/// The struct sigevent of timer_create: `{sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}`,
/// with sigev_value first when it is not zero, and the thread id for SIGEV_THREAD_ID; the
/// signal as a number when none is delivered (SIGEV_NONE, an unknown notification).
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
    // The signal by name where one is delivered (SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_THREAD_ID).
    const bool delivered = how == 0 || how == 2 || how == 4;
    out +=
        "sigev_signo=" +
        (delivered ? signal_text(static_cast<std::uint32_t>(ev.signo)) : std::to_string(ev.signo)) +
        ", sigev_notify=" + constant(how, notify, "SIGEV_");
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

/// struct tms, as times(2) fills it: `{tms_utime=4 /* 0.04 s */, tms_stime=1 /* 0.01 s */,
/// tms_cutime=0, tms_cstime=0}`.
inline std::string tms_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::int64_t, 4> t{};
    if (addr == 0) {
        return "NULL";
    }
    if (!read(addr, std::as_writable_bytes(std::span(t)))) {
        return hex(addr);
    }
    return "{tms_utime=" + clock_ticks_text(t[0]) + ", tms_stime=" + clock_ticks_text(t[1]) +
           ", tms_cutime=" + clock_ticks_text(t[2]) + ", tms_cstime=" + clock_ticks_text(t[3]) +
           "}";
}

/// si_code's name: the codes any signal may carry first (SI_USER, SI_KERNEL, SI_TKILL...),
/// then the signal's own (SEGV_MAPERR, CLD_EXITED...), as strace looks them up; the number
/// in hex when neither names it.
inline std::string si_code_text(int signo, int code) {
    constexpr std::array<FlagName, 10> any{{
        {0, "SI_USER"},
        {0x80, "SI_KERNEL"},
        {static_cast<std::uint32_t>(-1), "SI_QUEUE"},
        {static_cast<std::uint32_t>(-2), "SI_TIMER"},
        {static_cast<std::uint32_t>(-3), "SI_MESGQ"},
        {static_cast<std::uint32_t>(-4), "SI_ASYNCIO"},
        {static_cast<std::uint32_t>(-5), "SI_SIGIO"},
        {static_cast<std::uint32_t>(-6), "SI_TKILL"},
        {static_cast<std::uint32_t>(-7), "SI_DETHREAD"},
        {static_cast<std::uint32_t>(-60), "SI_ASYNCNL"},
    }};
    constexpr std::array<FlagName, 6> trap{{{1, "TRAP_BRKPT"},
                                            {2, "TRAP_TRACE"},
                                            {3, "TRAP_BRANCH"},
                                            {4, "TRAP_HWBKPT"},
                                            {5, "TRAP_UNK"},
                                            {6, "TRAP_PERF"}}};
    constexpr std::array<FlagName, 6> chld{{{1, "CLD_EXITED"},
                                            {2, "CLD_KILLED"},
                                            {3, "CLD_DUMPED"},
                                            {4, "CLD_TRAPPED"},
                                            {5, "CLD_STOPPED"},
                                            {6, "CLD_CONTINUED"}}};
    constexpr std::array<FlagName, 6> poll{{{1, "POLL_IN"},
                                            {2, "POLL_OUT"},
                                            {3, "POLL_MSG"},
                                            {4, "POLL_ERR"},
                                            {5, "POLL_PRI"},
                                            {6, "POLL_HUP"}}};
    constexpr std::array<FlagName, 1> prof{{{1, "PROF_SIG"}}};
    constexpr std::array<FlagName, 9> ill{{{1, "ILL_ILLOPC"},
                                           {2, "ILL_ILLOPN"},
                                           {3, "ILL_ILLADR"},
                                           {4, "ILL_ILLTRP"},
                                           {5, "ILL_PRVOPC"},
                                           {6, "ILL_PRVREG"},
                                           {7, "ILL_COPROC"},
                                           {8, "ILL_BADSTK"},
                                           {9, "ILL_BADIADDR"}}};
    constexpr std::array<FlagName, 10> fpe{{{1, "FPE_INTDIV"},
                                            {2, "FPE_INTOVF"},
                                            {3, "FPE_FLTDIV"},
                                            {4, "FPE_FLTOVF"},
                                            {5, "FPE_FLTUND"},
                                            {6, "FPE_FLTRES"},
                                            {7, "FPE_FLTINV"},
                                            {8, "FPE_FLTSUB"},
                                            {14, "FPE_FLTUNK"},
                                            {15, "FPE_CONDTRAP"}}};
    constexpr std::array<FlagName, 10> segv{{{1, "SEGV_MAPERR"},
                                             {2, "SEGV_ACCERR"},
                                             {3, "SEGV_BNDERR"},
                                             {4, "SEGV_PKUERR"},
                                             {5, "SEGV_ACCADI"},
                                             {6, "SEGV_ADIDERR"},
                                             {7, "SEGV_ADIPERR"},
                                             {8, "SEGV_MTEAERR"},
                                             {9, "SEGV_MTESERR"},
                                             {10, "SEGV_CPERR"}}};
    constexpr std::array<FlagName, 5> bus{{{1, "BUS_ADRALN"},
                                           {2, "BUS_ADRERR"},
                                           {3, "BUS_OBJERR"},
                                           {4, "BUS_MCEERR_AR"},
                                           {5, "BUS_MCEERR_AO"}}};
    constexpr std::array<FlagName, 2> sys{{{1, "SYS_SECCOMP"}, {2, "SYS_USER_DISPATCH"}}};
    const auto value = static_cast<std::uint32_t>(code);
    const std::string unknown = hex(value);
    std::string name = value_name(value, any, unknown);
    if (name != unknown) {
        return name;
    }
    std::span<const FlagName> own;
    switch (signo) {
    case SIGTRAP:
        own = trap;
        break;
    case SIGCHLD:
        own = chld;
        break;
    case SIGIO:
        own = poll;
        break;
    case SIGPROF:
        own = prof;
        break;
    case SIGILL:
        own = ill;
        break;
    case SIGFPE:
        own = fpe;
        break;
    case SIGSEGV:
        own = segv;
        break;
    case SIGBUS:
        own = bus;
        break;
    case SIGSYS:
        own = sys;
        break;
    default:
        break;
    }
    return value_name(value, own, unknown);
}

/// A siginfo_t as strace prints it, from its 128 bytes: `{si_signo=SIGSEGV, si_code=SEGV_MAPERR,
/// si_addr=NULL}`, `{si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=5153, si_uid=1000}`,
/// `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5153, si_uid=0, si_status=3, si_utime=0,
/// si_stime=0}`; `{}` for an empty one (si_signo 0). The fields follow the signal and the code
/// as strace chooses them: the sender for a signal a process sent (and its value when it has
/// one), the timer for SI_TIMER, band and fd for SIGIO, the address for a fault (and the
/// bounds or protection key of SEGV_BNDERR and SEGV_PKUERR, the address's low bit of a machine
/// check), the child for SIGCHLD, the call for a seccomp SIGSYS.
inline std::string siginfo_text(const ptrace_api::SignalInfo& info) {
    siginfo_t si{};
    static_assert(sizeof si == sizeof info.bytes);
    std::memcpy(&si, info.bytes.data(), sizeof si);
    if (si.si_signo == 0) {
        return "{}";
    }
    std::string out = "{si_signo=" + signal_text(static_cast<std::uint32_t>(si.si_signo)) +
                      ", si_code=" + si_code_text(si.si_signo, si.si_code);
    if (si.si_errno != 0) {
        const std::string_view name = ptrace_api::errno_name(si.si_errno);
        out += ", si_errno=" + (name.empty() ? std::to_string(si.si_errno) : std::string(name));
    }
    const auto source = [&] {
        out += ", si_pid=" + std::to_string(si.si_pid) + ", si_uid=" + std::to_string(si.si_uid);
    };
    const auto ptr = [](const void* p) { return pointer(reinterpret_cast<std::uintptr_t>(p)); };
    const auto value = [&] {
        out += ", si_int=" + std::to_string(si.si_int) + ", si_ptr=" + ptr(si.si_ptr);
    };
    if (si.si_code <= 0) { // Linux's SI_FROMUSER: raised through a syscall
        switch (si.si_code) {
        case SI_USER:
        case SI_TKILL:
            source();
            break;
        case SI_TIMER:
            out += ", si_timerid=" + (si.si_timerid == 0
                                          ? std::string("0")
                                          : hex(static_cast<std::uint32_t>(si.si_timerid)));
            out += ", si_overrun=" + std::to_string(si.si_overrun);
            value();
            break;
        case SI_SIGIO:
            out +=
                ", si_band=" + std::to_string(si.si_band) + ", si_fd=" + std::to_string(si.si_fd);
            break;
        default:
            source();
            if (si.si_ptr != nullptr) {
                value();
            }
            break;
        }
        return out + "}";
    }
    switch (si.si_signo) {
    case SIGCHLD:
        source();
        out += ", si_status=" + (si.si_code == CLD_EXITED
                                     ? std::to_string(si.si_status)
                                     : signal_text(static_cast<std::uint32_t>(si.si_status)));
        out += ", si_utime=" + clock_ticks_text(si.si_utime) +
               ", si_stime=" + clock_ticks_text(si.si_stime);
        break;
    case SIGILL:
    case SIGFPE:
    case SIGTRAP:
        out += ", si_addr=" + ptr(si.si_addr);
        break;
    case SIGBUS:
        out += ", si_addr=" + ptr(si.si_addr);
        if (si.si_code == 4 || si.si_code == 5) { // BUS_MCEERR_AR, BUS_MCEERR_AO
            out += ", si_addr_lsb=" + (si.si_addr_lsb == 0
                                           ? std::string("0")
                                           : hex(static_cast<std::uint16_t>(si.si_addr_lsb)));
        }
        break;
    case SIGSEGV:
        out += ", si_addr=" + ptr(si.si_addr);
        if (si.si_code == 3) { // SEGV_BNDERR
            out += ", si_lower=" + ptr(si.si_lower) + ", si_upper=" + ptr(si.si_upper);
        } else if (si.si_code == 4) { // SEGV_PKUERR
            out += ", si_pkey=" + std::to_string(si.si_pkey);
        }
        break;
    case SIGIO:
        if (si.si_code >= 1 && si.si_code <= 3) { // POLL_IN, POLL_OUT, POLL_MSG
            out +=
                ", si_band=" + std::to_string(si.si_band) + ", si_fd=" + std::to_string(si.si_fd);
        }
        break;
    case SIGSYS: {
        const std::string_view name = ptrace_api::syscall_name(si.si_syscall);
        out += ", si_call_addr=" + ptr(si.si_call_addr) + ", si_syscall=" +
               (name.empty() ? std::to_string(si.si_syscall) : "__NR_" + std::string(name));
        constexpr std::array<FlagName, 2> arches{
            {{0xc000003e, "AUDIT_ARCH_X86_64"}, {0x40000003, "AUDIT_ARCH_I386"}}};
        out += ", si_arch=" + constant(si.si_arch, arches, "AUDIT_ARCH_");
        break;
    }
    default:
        if (si.si_pid != 0 || si.si_uid != 0) {
            source();
        }
        if (si.si_ptr != nullptr) {
            value();
        }
        break;
    }
    return out + "}";
}

/// A siginfo_t in the tracee (siginfo_text): the one waitid(2) fills for a child,
/// `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5153, si_uid=0, si_status=3, si_utime=0,
/// si_stime=0}` or `{}` when nothing was reported (WNOHANG), or the one rt_sigqueueinfo(2)
/// sends. The address when unreadable.
inline std::string siginfo_at(const ReadMemory& read, std::uint64_t addr) {
    ptrace_api::SignalInfo info;
    if (!read(addr, info.bytes)) {
        return pointer(addr);
    }
    return siginfo_text(info);
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

/// The size of the kernel's CPU masks as strace finds it: the smallest of 128, 256, 512...
/// bytes that sched_getaffinity accepts (it fails with EINVAL below it, and with EFAULT on a
/// null mask from it on); 128 when none is.
inline std::uint64_t kernel_cpuset_size() {
    static const std::uint64_t size = [] {
        for (std::uint64_t bytes = 128; bytes != 0 && bytes <= (1U << 20); bytes <<= 1U) {
            if (::syscall(SYS_sched_getaffinity, 0, bytes, nullptr) != -1 || errno != EINVAL) {
                return bytes;
            }
        }
        return std::uint64_t{128};
    }();
    return size;
}

/// A CPU set of `len` bytes, as sched_setaffinity takes it and sched_getaffinity returns it:
/// `[0 1]`, the CPUs of the first kernel_cpuset_size() bytes at most, then `...` when the set
/// is longer than the bytes read (rounded up to a word); `[]` for 0 bytes, the address when
/// it cannot be read.
inline std::string cpu_set_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t len) {
    if (addr == 0) {
        return pointer(addr);
    }
    if (len == 0) {
        return "[]";
    }
    const std::uint64_t read_size = std::min(len, kernel_cpuset_size());
    const std::uint64_t shown_size = (read_size + 7) & ~std::uint64_t{7};
    std::vector<std::byte> bits(static_cast<std::size_t>(read_size));
    if (!read(addr, bits)) {
        return pointer(addr);
    }
    std::string out = "[";
    for (std::size_t cpu = 0; cpu < bits.size() * 8; ++cpu) {
        if ((static_cast<unsigned>(bits[cpu / 8]) >> (cpu % 8) & 1U) != 0) {
            out += (out.size() > 1 ? " " : "") + std::to_string(cpu);
        }
    }
    if (shown_size < len) {
        out += out.size() > 1 ? " ..." : "...";
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

/// The first `size` bytes (1 to 8) of a signal set, as rt_sigpending writes them: `[USR1]`;
/// the address for another size or unreadable memory.
inline std::string sigset_part_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t size) {
    std::array<std::byte, 8> bytes{};
    if (addr == 0) {
        return "NULL";
    }
    if (size == 0 || size > bytes.size() ||
        !read(addr, std::span(bytes).first(static_cast<std::size_t>(size)))) {
        return hex(addr);
    }
    std::uint64_t mask = 0;
    std::memcpy(&mask, bytes.data(), bytes.size());
    return sigset_text(mask);
}

/// The sigset_t at `addr` (the kernel's 8 bytes; any other `size` is shown as an address).
inline std::string sigset_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t size) {
    return addr != 0 && size != 8 ? hex(addr) : sigset_part_at(read, addr, size);
}

/// Where rt_sigreturn finds the mask to restore, from the stack pointer at its entry. The
/// handler's `ret` popped the frame's return address (pretcode), so rsp points at the
/// ucontext of the x86_64 rt_sigframe; uc_sigmask follows uc_flags (8), uc_link (8),
/// uc_stack (24) and uc_mcontext (256): offset 296.
inline constexpr std::uint64_t sigframe_mask_offset = 8 + 8 + 24 + 256;

} // namespace strace_example
