// SPDX-License-Identifier: MIT
// detail::append_hex: a number as lowercase hex with a 0x prefix, the one hex writer of the
// value layer (bitflags' unknown bits, the events' Debug text, strace's names of unknown
// syscalls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ptrace_api::detail {

/// Appends `value` as lowercase hex with a 0x prefix: `0x0`, `0x3e7`.
inline void append_hex(std::string& out, std::uint64_t value) {
    constexpr char digits[] = "0123456789abcdef";
    char buffer[16];
    std::size_t n = 0;
    do {
        buffer[n++] = digits[value & 0xf];
        value >>= 4;
    } while (value != 0);
    out += "0x";
    while (n > 0) {
        out += buffer[--n];
    }
}

} // namespace ptrace_api::detail
