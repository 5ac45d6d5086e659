// SPDX-License-Identifier: MIT
// Register sets in the Redox x86_64 layouts (spec 1.3): what regs/int, regs/float and
// regs/env handles read and write. Field names are declared once and reflected.
#pragma once

#include <ptrace/bytes.hpp>
#include <ptrace/config.hpp>
#include <ptrace/detail/reflect.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace ptrace_api {

/// General-purpose registers, Redox 2019 layout (168 bytes, `proc:<pid>/regs/int`). There is
/// no `orig_rax`: at a PRE_SYSCALL stop `rax` holds the syscall number (decision 7), and
/// writing it there changes the syscall (or, with FLAG_IGNORE, its result).
struct IntRegisters {
    PTRACE_API_REFLECTED(IntRegisters, (std::uint64_t, r15), (std::uint64_t, r14),
                         (std::uint64_t, r13), (std::uint64_t, r12), (std::uint64_t, rbp),
                         (std::uint64_t, rbx), (std::uint64_t, r11), (std::uint64_t, r10),
                         (std::uint64_t, r9), (std::uint64_t, r8), (std::uint64_t, rax),
                         (std::uint64_t, rcx), (std::uint64_t, rdx), (std::uint64_t, rsi),
                         (std::uint64_t, rdi), (std::uint64_t, rip), (std::uint64_t, cs),
                         (std::uint64_t, rflags), (std::uint64_t, rsp), (std::uint64_t, ss),
                         (std::uint64_t, fs));

    friend constexpr bool operator==(const IntRegisters&, const IntRegisters&) = default;
};

/// One 128-bit slot of the FXSAVE image (an x87 register in its low 10 bytes, or an XMM
/// register), kept as bytes so that no misaligned wide member exists.
using Slot128 = std::array<std::uint8_t, 16>;
using X87Slots = std::array<Slot128, 8>;
using XmmSlots = std::array<Slot128, 16>;

/// x87 and SSE state: the first 416 bytes of the FXSAVE image (`proc:<pid>/regs/float`).
/// Linux's user_fpregs_struct is the same image, 512 bytes long; bytes 416-511 are not part
/// of the Redox layout. No YMM/ZMM, as in Redox.
struct FloatRegisters {
    PTRACE_API_REFLECTED(FloatRegisters, (std::uint16_t, fcw), (std::uint16_t, fsw),
                         (std::uint8_t, ftw), (std::uint8_t, reserved), (std::uint16_t, fop),
                         (std::uint64_t, fip), (std::uint64_t, fdp), (std::uint32_t, mxcsr),
                         (std::uint32_t, mxcsr_mask), (X87Slots, st_space), (XmmSlots, xmm_space));

    friend constexpr bool operator==(const FloatRegisters&, const FloatRegisters&) = default;
};

/// Thread-local storage bases (`proc:<pid>/regs/env`, Redox 2021; Linux fs_base/gs_base).
struct EnvRegisters {
    PTRACE_API_REFLECTED(EnvRegisters, (std::uint64_t, fsbase), (std::uint64_t, gsbase));

    friend constexpr bool operator==(const EnvRegisters&, const EnvRegisters&) = default;
};

// The layouts are ABI (spec 1.3): sizes, offsets, and the absence of padding.
static_assert(sizeof(IntRegisters) == 168 && detail::member_count<IntRegisters> == 21);
static_assert(offsetof(IntRegisters, rax) == 80 && offsetof(IntRegisters, rdi) == 112);
static_assert(offsetof(IntRegisters, rip) == 120 && offsetof(IntRegisters, rflags) == 136);
static_assert(offsetof(IntRegisters, fs) == 160);
static_assert(sizeof(FloatRegisters) == 416);
static_assert(offsetof(FloatRegisters, ftw) == 4 && offsetof(FloatRegisters, fop) == 6);
static_assert(offsetof(FloatRegisters, fip) == 8 && offsetof(FloatRegisters, mxcsr) == 24);
static_assert(offsetof(FloatRegisters, st_space) == 32);
static_assert(offsetof(FloatRegisters, xmm_space) == 160);
static_assert(sizeof(EnvRegisters) == 16);
static_assert(AbiBytes<IntRegisters> && AbiBytes<FloatRegisters> && AbiBytes<EnvRegisters>);

/// A reflected register set that can be viewed as bytes.
template <class T>
concept RegisterSet = detail::Reflected<T> && AbiBytes<T>;

/// The value of the integer field `name` (e.g. "rip", "mxcsr"), or nothing when there is no
/// such field or it is not an integer (the 128-bit slot arrays).
template <RegisterSet Regs>
[[nodiscard]] constexpr std::optional<std::uint64_t> get_field(const Regs& regs,
                                                               std::string_view name) noexcept {
    std::optional<std::uint64_t> result;
    detail::visit_member(regs, name, [&](const auto& member) {
        if constexpr (std::integral<std::remove_cvref_t<decltype(member)>>) {
            result = member;
        }
    });
    return result;
}

/// Sets the integer field `name` to `value`; false (and no change) when there is no such
/// integer field or `value` does not fit it.
template <RegisterSet Regs>
constexpr bool set_field(Regs& regs, std::string_view name, std::uint64_t value) noexcept {
    bool done = false;
    detail::visit_member(regs, name, [&](auto& member) {
        using Member = std::remove_cvref_t<decltype(member)>;
        if constexpr (std::integral<Member>) {
            if (value <= std::uint64_t{static_cast<Member>(~Member{0})}) {
                member = static_cast<Member>(value);
                done = true;
            }
        }
    });
    return done;
}

/// The bytes of the field `name`, any type (e.g. "xmm_space"), or nothing.
template <RegisterSet Regs>
[[nodiscard]] std::optional<std::span<const std::byte>>
field_bytes(const Regs& regs, std::string_view name) noexcept {
    std::optional<std::span<const std::byte>> result;
    detail::visit_member(regs, name, [&](const auto& member) {
        result =
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(&member), sizeof(member));
    });
    return result;
}

/// Debug text in Redox's (Rust derive) form, every field by name, in decimal:
/// `IntRegisters { r15: 0, r14: 0, ..., fs: 0 }`.
[[nodiscard]] PTRACE_API_DECL std::string to_string(const IntRegisters& regs);
/// `FloatRegisters { fcw: 895, ..., st_space: [0, ...], xmm_space: [0, ...] }`; each 128-bit
/// slot is printed as the little-endian u128 Redox declares it as.
[[nodiscard]] PTRACE_API_DECL std::string to_string(const FloatRegisters& regs);
/// `EnvRegisters { fsbase: 140737354016576, gsbase: 0 }`.
[[nodiscard]] PTRACE_API_DECL std::string to_string(const EnvRegisters& regs);

// Templates, so that this header needs only <iosfwd>: a program that prints has <ostream>.
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& out,
                                             const IntRegisters& regs) {
    return out << to_string(regs);
}
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& out,
                                             const FloatRegisters& regs) {
    return out << to_string(regs);
}
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& out,
                                             const EnvRegisters& regs) {
    return out << to_string(regs);
}

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/regs.ipp>
#endif
