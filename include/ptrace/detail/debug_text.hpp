// SPDX-License-Identifier: MIT
// Rust's derived Debug text of a reflected struct, `Name { a: 1, b: [2, 3] }`: what Redox
// prints for the register sets (impl/regs.ipp) and for PtraceEvent (impl/event.ipp). Each
// member is printed by its type: a 128-bit slot as the little-endian u128 Redox declares it
// as, a flags type by its own Debug text, an integer in decimal, an array as a list.
#pragma once

#include <ptrace/detail/reflect.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace ptrace_api::detail {

/// Appends a 128-bit little-endian slot in decimal, as Rust prints a `u128`.
inline void append_u128(std::string& out, const std::array<std::uint8_t, 16>& slot) {
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
    if constexpr (std::is_same_v<T, std::array<std::uint8_t, 16>>) { // regs.hpp's Slot128
        append_u128(out, value);
    } else if constexpr (requires { value.to_string(); }) { // a flags type: its own Debug text
        out += value.to_string();
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

} // namespace ptrace_api::detail
