// SPDX-License-Identifier: MIT
// Fuzzes the shim's /proc/<tid>/status parsing (sys::parse_proc_status and its helpers
// sys::detail::field and number), which decides the A2/A3 access checks and D5's handler values.
//
// Properties:
// - field(text, key) is the value of the first line that starts with `key:`, its leading
//   blanks dropped, as a view into the text (checked against a reference that splits lines);
// - number<T>(text, base) agrees with a reference (digits after blanks, a sign for signed T,
//   0 on overflow or without digits) and consumes exactly the characters it read;
// - parse_proc_status() on any text gives, field by field, what the references give;
// - parse_proc_status() recovers every value from a text in the kernel's own format
//   (fs/proc/array.c), whatever the values and whatever the command name.
#include <ptrace/shim/sys.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include <sys/types.h>

#include "fuzz.hpp"

namespace {

namespace sys = ptrace_api::shim::sys;

// Wide enough for any 64-bit value times 16 (`__extension__` keeps -Wpedantic quiet).
__extension__ using u128 = unsigned __int128;
__extension__ using i128 = __int128;

constexpr std::array<std::string_view, 13> status_keys{
    "State",  "Tgid",   "PPid",   "TracerPid", "Uid",     "Gid",     "SigPnd",
    "ShdPnd", "SigBlk", "SigIgn", "SigCgt",    "Threads", "Seccomp",
};

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

/// The first line `key:...`, blanks after the colon dropped; an empty view when there is none.
std::string_view reference_field(std::string_view text, std::string_view key) {
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':') {
            std::string_view value = line.substr(key.size() + 1);
            while (!value.empty() && is_blank(value.front())) {
                value.remove_prefix(1);
            }
            return value;
        }
        if (nl == std::string_view::npos) {
            break;
        }
        text.remove_prefix(nl + 1);
    }
    return {};
}

template <class T>
struct RefNumber {
    T value;
    std::string_view rest;
};

int digit_value(char c, int base) {
    int d = 99;
    if (c >= '0' && c <= '9') {
        d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
        d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
        d = c - 'A' + 10;
    }
    return d < base ? d : -1;
}

template <class T>
RefNumber<T> reference_number(std::string_view text, int base) {
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    std::size_t i = 0;
    bool negative = false;
    if (std::is_signed_v<T> && !text.empty() && text.front() == '-') {
        negative = true;
        i = 1;
    }
    std::size_t j = i;
    u128 magnitude = 0;
    bool overflow = false;
    const auto limit = static_cast<u128>(std::numeric_limits<T>::max()) + (negative ? 1U : 0U);
    while (j < text.size() && digit_value(text[j], base) >= 0) {
        magnitude = magnitude * static_cast<unsigned>(base) +
                    static_cast<unsigned>(digit_value(text[j], base));
        if (magnitude > limit) {
            overflow = true;
            magnitude = limit + 1; // saturated: stays above the limit
        }
        ++j;
    }
    if (j == i) {
        return {T{}, text}; // no digits: nothing consumed
    }
    if (overflow) {
        return {T{}, text.substr(j)};
    }
    T value{};
    if (negative) {
        value = static_cast<T>(-static_cast<i128>(magnitude));
    } else {
        value = static_cast<T>(magnitude);
    }
    return {value, text.substr(j)};
}

template <class T>
void check_number(std::string_view text, int base) {
    std::string_view rest = text;
    const T value = sys::detail::number<T>(rest, base);
    const auto expected = reference_number<T>(text, base);
    const std::string what = "number<" + std::to_string(sizeof(T)) + ">(\"" +
                             fuzz::escaped(text.substr(0, 64)) + "\", " + std::to_string(base) +
                             ")";
    FUZZ_CHECK(value == expected.value, what + " = " + std::to_string(value));
    FUZZ_CHECK(rest.data() == expected.rest.data() && rest.size() == expected.rest.size(), what);
}

void check_field(std::string_view text, std::string_view key) {
    const std::string_view value = sys::detail::field(text, key);
    const std::string_view expected = reference_field(text, key);
    const std::string what = "field(..., \"" + fuzz::escaped(key) + "\")";
    FUZZ_CHECK(value == expected, what + " = \"" + fuzz::escaped(value) + "\"");
    if (!value.empty()) {
        // A view into the text, not a copy, and never the start of a blank run.
        FUZZ_CHECK(value.data() >= text.data() &&
                       value.data() + value.size() <= text.data() + text.size(),
                   what);
        FUZZ_CHECK(!is_blank(value.front()), what);
        FUZZ_CHECK(value.find('\n') == std::string_view::npos, what);
    }
}

/// What parse_proc_status() must find in `text`, from the references.
sys::ProcStatus expected_status(std::string_view text) {
    sys::ProcStatus st;
    if (const auto s = reference_field(text, "State"); !s.empty()) {
        st.state = s.front();
    }
    const auto one = [&](std::string_view key, auto& out, int base) {
        using T = std::remove_reference_t<decltype(out)>;
        out = reference_number<T>(reference_field(text, key), base).value;
    };
    one("Tgid", st.tgid, 10);
    one("PPid", st.ppid, 10);
    one("TracerPid", st.tracer_pid, 10);
    for (const auto& [key, ids] : {std::pair{"Uid", &st.uid}, std::pair{"Gid", &st.gid}}) {
        std::string_view rest = reference_field(text, key);
        for (auto& id : *ids) {
            const auto n = reference_number<std::uint64_t>(rest, 10);
            id = n.value;
            rest = n.rest;
        }
    }
    one("SigPnd", st.sig_pnd, 16);
    one("ShdPnd", st.shd_pnd, 16);
    one("SigBlk", st.sig_blk, 16);
    one("SigIgn", st.sig_ign, 16);
    one("SigCgt", st.sig_cgt, 16);
    one("Threads", st.threads, 10);
    one("Seccomp", st.seccomp, 10);
    return st;
}

bool same(const sys::ProcStatus& a, const sys::ProcStatus& b) {
    return a.state == b.state && a.tgid == b.tgid && a.ppid == b.ppid &&
           a.tracer_pid == b.tracer_pid && a.uid == b.uid && a.gid == b.gid &&
           a.sig_pnd == b.sig_pnd && a.shd_pnd == b.shd_pnd && a.sig_blk == b.sig_blk &&
           a.sig_ign == b.sig_ign && a.sig_cgt == b.sig_cgt && a.threads == b.threads &&
           a.seccomp == b.seccomp;
}

std::string hex16(std::uint64_t v) {
    std::string out(16, '0');
    for (std::size_t i = 0; i < 16; ++i) {
        out[15 - i] = "0123456789abcdef"[(v >> (4 * i)) & 0xfU];
    }
    return out;
}

/// A status file as fs/proc/array.c prints it, from values the input picks; the input's own
/// bytes become the command name (newlines escaped as the kernel does) and an extra line
/// whose key is not one of ours.
void check_kernel_format(fuzz::Input in) {
    sys::ProcStatus want;
    constexpr std::string_view states = "RSDTtXZPI";
    want.state = states[in.take<std::uint8_t>() % states.size()];
    const auto pid = [&] { return static_cast<pid_t>(in.take<std::uint32_t>() & 0x7fffffffU); };
    want.tgid = pid();
    want.ppid = pid();
    want.tracer_pid = pid();
    for (auto& id : want.uid) {
        id = in.take<std::uint32_t>();
    }
    for (auto& id : want.gid) {
        id = in.take<std::uint32_t>();
    }
    want.sig_pnd = in.take<std::uint64_t>();
    want.shd_pnd = in.take<std::uint64_t>();
    want.sig_blk = in.take<std::uint64_t>();
    want.sig_ign = in.take<std::uint64_t>();
    want.sig_cgt = in.take<std::uint64_t>();
    want.threads = static_cast<int>(in.take<std::uint32_t>() & 0x7fffffffU);
    want.seccomp = in.take<std::uint8_t>() % 3;
    std::string name;
    for (const std::uint8_t b : in.bytes(64)) {
        if (b == '\n') {
            name += "\\n";
        } else if (b == '\\') {
            name += "\\\\";
        } else {
            name += static_cast<char>(b);
        }
    }
    const auto ids = [](const std::array<std::uint64_t, 4>& v) {
        return std::to_string(v[0]) + "\t" + std::to_string(v[1]) + "\t" + std::to_string(v[2]) +
               "\t" + std::to_string(v[3]);
    };
    std::string text = "Name:\t" + name + "\nUmask:\t0022\nState:\t";
    text += want.state;
    text += " (state)\nTgid:\t" + std::to_string(want.tgid);
    text += "\nNgid:\t0\nPid:\t" + std::to_string(want.tgid);
    text += "\nPPid:\t" + std::to_string(want.ppid);
    text += "\nTracerPid:\t" + std::to_string(want.tracer_pid);
    text += "\nUid:\t" + ids(want.uid) + "\nGid:\t" + ids(want.gid);
    text += "\nFDSize:\t64\nGroups:\t\nThreads:\t" + std::to_string(want.threads);
    text += "\nSigQ:\t0/31437\nSigPnd:\t" + hex16(want.sig_pnd);
    text += "\nShdPnd:\t" + hex16(want.shd_pnd) + "\nSigBlk:\t" + hex16(want.sig_blk);
    text += "\nSigIgn:\t" + hex16(want.sig_ign) + "\nSigCgt:\t" + hex16(want.sig_cgt);
    text += "\nCapInh:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t";
    text += std::to_string(want.seccomp) + "\nSeccomp_filters:\t0\n";
    FUZZ_CHECK(same(sys::parse_proc_status(text), want), fuzz::escaped(text));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    // The keys proc_status() asks for, and a key the input chooses (its text up to the first
    // NUL, the rest being the file).
    for (const std::string_view key : status_keys) {
        check_field(text, key);
    }
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos && nul <= 64) {
        check_field(text.substr(nul + 1), text.substr(0, nul));
    }
    // Numbers at the start of every line's value and of the text itself.
    check_number<std::uint64_t>(text, 10);
    check_number<std::uint64_t>(text, 16);
    check_number<pid_t>(text, 10);
    check_number<int>(text, 10);
    for (const std::string_view key : status_keys) {
        const std::string_view value = sys::detail::field(text, key);
        check_number<std::uint64_t>(value, key.starts_with("Sig") ? 16 : 10);
        check_number<pid_t>(value, 10);
    }
    FUZZ_CHECK(same(sys::parse_proc_status(text), expected_status(text)),
               fuzz::escaped(text.substr(0, 256)));
    check_kernel_format(fuzz::Input(data, size));
    return 0;
}
