// SPDX-License-Identifier: MIT
// The out-of-line functions of regs.hpp (the register sets' Debug text): included by that
// header in the header-only mode, and by src/ptrace_api.cpp alone in the separately compiled
// mode (config.hpp, PTRACE_API_DECL).
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/reflect.hpp>
#include <ptrace/regs.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace ptrace_api {

namespace detail {

/// Appends a 128-bit little-endian slot in decimal, as Rust prints a `u128`.
inline void append_u128(std::string& out, const Slot128& slot) {
    std::uint64_t halves[2];
    std::memcpy(halves, slot.data(), sizeof(halves));
    // Long division by 10 on the two 64-bit halves, 32 bits at a time.
    std::uint32_t words[4] = {
        static_cast<std::uint32_t>(halves[1] >> 32), static_cast<std::uint32_t>(halves[1]),
        static_cast<std::uint32_t>(halves[0] >> 32), static_cast<std::uint32_t>(halves[0])};
    char digits[40];
    std::size_t n = 0;
    do {
        std::uint64_t rest = 0;
        for (auto& word : words) {
            const std::uint64_t current = (rest << 32) | word;
            word = static_cast<std::uint32_t>(current / 10);
            rest = current % 10;
        }
        digits[n++] = static_cast<char>('0' + rest);
    } while (words[0] != 0 || words[1] != 0 || words[2] != 0 || words[3] != 0);
    while (n > 0) {
        out += digits[--n];
    }
}

template <class T>
void append_debug_value(std::string& out, const T& value) {
    if constexpr (std::is_same_v<T, Slot128>) {
        append_u128(out, value);
    } else if constexpr (std::integral<T>) {
        out += std::to_string(value);
    } else {
        out += '[';
        bool first = true;
        for (const auto& item : value) {
            if (!first) {
                out += ", ";
            }
            first = false;
            append_debug_value(out, item);
        }
        out += ']';
    }
}

/// Rust's derived Debug text of a reflected struct: `Name { a: 1, b: [2, 3] }`.
template <Reflected T>
std::string debug_struct(std::string_view type_name, const T& object) {
    std::string out(type_name);
    out += " { ";
    bool first = true;
    for_each_member(object, [&](std::string_view name, const auto& value) {
        if (!first) {
            out += ", ";
        }
        first = false;
        out += name;
        out += ": ";
        append_debug_value(out, value);
    });
    out += " }";
    return out;
}

} // namespace detail

PTRACE_API_DECL std::string to_string(const IntRegisters& regs) {
    return detail::debug_struct("IntRegisters", regs);
}

PTRACE_API_DECL std::string to_string(const FloatRegisters& regs) {
    return detail::debug_struct("FloatRegisters", regs);
}

PTRACE_API_DECL std::string to_string(const EnvRegisters& regs) {
    return detail::debug_struct("EnvRegisters", regs);
}

} // namespace ptrace_api
