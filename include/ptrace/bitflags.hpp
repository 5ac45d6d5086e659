// SPDX-License-Identifier: MIT
// BitFlags: a typed set of bit flags with the semantics of Rust's bitflags 2, declared in one
// macro that writes each name once: as a constant and, stringized, in the name table.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/expected.hpp>
#include <ptrace/detail/hex.hpp>
#include <ptrace/detail/pp.hpp>

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ptrace_api {

/// A flag of a flags type together with its declared name (without the printing prefix).
template <class Flags>
struct NamedFlag {
    std::string_view name;
    Flags flag;

    friend constexpr bool operator==(const NamedFlag&, const NamedFlag&) = default;
};

namespace detail {

/// A fixed-capacity list: what iteration over a flags value yields, usable in constexpr code.
template <class T, std::size_t Capacity>
class FixedList {
public:
    constexpr void push_back(T value) noexcept { items_[size_++] = value; }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
    [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] constexpr const T* begin() const noexcept { return items_.data(); }
    [[nodiscard]] constexpr const T* end() const noexcept { return items_.data() + size_; }
    [[nodiscard]] constexpr const T& operator[](std::size_t i) const noexcept { return items_[i]; }

private:
    std::array<T, Capacity> items_{};
    std::size_t size_ = 0;
};

/// One `(NAME, value)` pair of a PTRACE_API_BITFLAGS declaration, as the macro writes it.
template <class Bits>
struct FlagDefinition {
    std::string_view name;
    Bits bits;
};

/// The name table of a declared flags type, built from its definitions. A separate template so
/// that it is instantiated only once the flags type is complete.
template <class Flags>
struct FlagTable {
    using Bits = typename Flags::bits_type;
    static constexpr std::size_t size = std::size(Flags::definitions);

    static constexpr std::array<NamedFlag<Flags>, size> make_entries() noexcept {
        std::array<NamedFlag<Flags>, size> table{};
        for (std::size_t i = 0; i < size; ++i) {
            table[i] = NamedFlag<Flags>{Flags::definitions[i].name,
                                        Flags::from_bits_retain(Flags::definitions[i].bits)};
        }
        return table;
    }
    static constexpr Bits make_all_bits() noexcept {
        Bits bits = 0;
        for (const auto& definition : Flags::definitions) {
            bits = static_cast<Bits>(bits | definition.bits);
        }
        return bits;
    }

    static constexpr std::array<NamedFlag<Flags>, size> entries = make_entries();
    static constexpr Bits all_bits = make_all_bits();
};

} // namespace detail

/// Why a flags text did not parse; the token is the offending piece of text.
class FlagsParseError {
public:
    enum class Kind {
        EmptyFlag,        ///< nothing between two `|`, or an empty `0x`
        UnrecognizedName, ///< a name that is not a declared flag
        InvalidHex,       ///< a `0x` literal that is not hex or does not fit the bits type
        BadWrapper,       ///< parentheses that are not `Type(...)` around the whole text
    };

    FlagsParseError(Kind kind, std::string token) : kind_(kind), token_(std::move(token)) {}

    [[nodiscard]] Kind kind() const noexcept { return kind_; }
    [[nodiscard]] const std::string& token() const noexcept { return token_; }

    /// A sentence naming the problem and the token, e.g. "unrecognized named flag `FOO`".
    [[nodiscard]] std::string message() const {
        switch (kind_) {
        case Kind::EmptyFlag:
            return "encountered empty flag";
        case Kind::UnrecognizedName:
            return "unrecognized named flag `" + token_ + "`";
        case Kind::InvalidHex:
            return "invalid hex flag `" + token_ + "`";
        case Kind::BadWrapper:
            return "expected bare flags or `Type(flags)`, found `" + token_ + "`";
        }
        return "invalid flags text";
    }

    friend bool operator==(const FlagsParseError&, const FlagsParseError&) = default;
    // A template, so that this header needs only <iosfwd>: a program that prints has <ostream>.
    template <class Traits>
    friend std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& out,
                                                        const FlagsParseError& error) {
        return out << error.message();
    }

private:
    Kind kind_;
    std::string token_;
};

/// The outcome of parsing flags text: the flags, or the error naming the bad token.
template <class Flags>
class [[nodiscard]] FlagsParseResult {
public:
    // Implicit on purpose: parsed flags are a successful result.
    FlagsParseResult(Flags flags) : storage_(std::in_place_index<0>, flags) {}
    // Implicit on purpose: an error is a failed result.
    FlagsParseResult(FlagsParseError error) : storage_(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool has_value() const noexcept { return storage_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    /// \pre has_value()
    [[nodiscard]] Flags operator*() const noexcept {
        return storage_.checked_value("dereferenced a failed flags parse");
    }
    /// \pre !has_value()
    [[nodiscard]] const FlagsParseError& error() const noexcept {
        return storage_.checked_error("asked a successful flags parse for its error");
    }

private:
    detail::Expected<Flags, FlagsParseError> storage_; // a tagged union (detail/expected.hpp)
};

/// The value type behind every flags type declared with PTRACE_API_BITFLAGS: one unsigned
/// integer and nothing else (so `sizeof` is that of the integer and its bytes can be written
/// to a handle). `Derived` is the declared type; it supplies the constants and the table.
///
/// Semantics follow bitflags 2 (its spec.md): `all()` is the union of the declared flags;
/// `~` truncates to `all()`; the binary operators and `from_bits_retain` keep unknown bits;
/// iteration yields each declared flag that is contained and still adds bits, in declaration
/// order, then the unknown remainder. Two different flags types never mix.
template <class Derived, std::unsigned_integral Bits>
class BitFlags {
public:
    using bits_type = Bits;

    /// The empty set.
    constexpr BitFlags() noexcept = default;

    [[nodiscard]] static constexpr Derived empty() noexcept { return Derived{}; }
    /// The union of every declared flag (masks included), without unknown bits.
    [[nodiscard]] static constexpr Derived all() noexcept { return from_bits_retain(all_bits()); }

    [[nodiscard]] constexpr Bits bits() const noexcept { return bits_; }

    /// The flags for `bits`, or nothing when `bits` has a bit no declared flag covers.
    [[nodiscard]] static constexpr std::optional<Derived> from_bits(Bits bits) noexcept {
        if ((bits & ~all_bits()) != 0) {
            return std::nullopt;
        }
        return from_bits_retain(bits);
    }
    /// The flags for `bits` with unknown bits dropped.
    [[nodiscard]] static constexpr Derived from_bits_truncate(Bits bits) noexcept {
        return from_bits_retain(static_cast<Bits>(bits & all_bits()));
    }
    /// The flags for `bits`, unknown bits kept.
    [[nodiscard]] static constexpr Derived from_bits_retain(Bits bits) noexcept {
        Derived flags;
        static_cast<BitFlags&>(flags).bits_ = bits;
        return flags;
    }
    /// The declared flag called `name` (without the printing prefix), or nothing.
    [[nodiscard]] static constexpr std::optional<Derived>
    from_name(std::string_view name) noexcept {
        for (const auto& entry : table()) {
            if (entry.name == name && !name.starts_with('_')) {
                return entry.flag;
            }
        }
        return std::nullopt;
    }

    [[nodiscard]] constexpr bool is_empty() const noexcept { return bits_ == 0; }
    [[nodiscard]] constexpr bool is_all() const noexcept {
        return (bits_ & all_bits()) == all_bits();
    }
    /// True when every bit of `other` is set here.
    [[nodiscard]] constexpr bool contains(Derived other) const noexcept {
        return (bits_ & other.bits()) == other.bits();
    }
    /// True when any bit of `other` is set here.
    [[nodiscard]] constexpr bool intersects(Derived other) const noexcept {
        return (bits_ & other.bits()) != 0;
    }
    /// True when not empty, so that `if (flags & Flags::X)` reads naturally.
    constexpr explicit operator bool() const noexcept { return bits_ != 0; }

    constexpr void insert(Derived other) noexcept { bits_ |= other.bits(); }
    constexpr void remove(Derived other) noexcept {
        bits_ = static_cast<Bits>(bits_ & ~other.bits());
    }
    constexpr void toggle(Derived other) noexcept { bits_ ^= other.bits(); }
    /// Inserts `other` when `value` is true, removes it otherwise.
    constexpr void set(Derived other, bool value) noexcept {
        if (value) {
            insert(other);
        } else {
            remove(other);
        }
    }

    [[nodiscard]] constexpr Derived intersection(Derived other) const noexcept {
        return from_bits_retain(static_cast<Bits>(bits_ & other.bits()));
    }
    [[nodiscard]] constexpr Derived union_with(Derived other) const noexcept {
        return from_bits_retain(static_cast<Bits>(bits_ | other.bits()));
    }
    [[nodiscard]] constexpr Derived difference(Derived other) const noexcept {
        return from_bits_retain(static_cast<Bits>(bits_ & ~other.bits()));
    }
    [[nodiscard]] constexpr Derived symmetric_difference(Derived other) const noexcept {
        return from_bits_retain(static_cast<Bits>(bits_ ^ other.bits()));
    }
    /// The declared flags not set here (unknown bits are never produced).
    [[nodiscard]] constexpr Derived complement() const noexcept {
        return from_bits_truncate(static_cast<Bits>(~bits_));
    }

    friend constexpr Derived operator|(Derived a, Derived b) noexcept { return a.union_with(b); }
    friend constexpr Derived operator&(Derived a, Derived b) noexcept { return a.intersection(b); }
    friend constexpr Derived operator^(Derived a, Derived b) noexcept {
        return a.symmetric_difference(b);
    }
    friend constexpr Derived operator-(Derived a, Derived b) noexcept { return a.difference(b); }
    friend constexpr Derived operator~(Derived a) noexcept { return a.complement(); }
    friend constexpr Derived& operator|=(Derived& a, Derived b) noexcept {
        a.insert(b);
        return a;
    }
    friend constexpr Derived& operator&=(Derived& a, Derived b) noexcept {
        return a = a.intersection(b);
    }
    friend constexpr Derived& operator^=(Derived& a, Derived b) noexcept {
        a.toggle(b);
        return a;
    }
    friend constexpr Derived& operator-=(Derived& a, Derived b) noexcept {
        a.remove(b);
        return a;
    }
    friend constexpr bool operator==(Derived a, Derived b) noexcept { return a.bits() == b.bits(); }

    /// Every declared flag with its name, in declaration order.
    [[nodiscard]] static constexpr const auto& table() noexcept {
        return detail::FlagTable<Derived>::entries;
    }

    /// The declared flags that make up this value, with their names (bitflags' iter_names).
    [[nodiscard]] constexpr auto iter_names() const noexcept {
        detail::FixedList<NamedFlag<Derived>, detail::FlagTable<Derived>::size> names;
        Bits remaining = bits_;
        for (const auto& entry : table()) {
            if (remaining == 0) {
                break;
            }
            const Bits flag = entry.flag.bits();
            if (entry.name.starts_with('_')) {
                continue; // an external flag: part of all(), never named
            }
            if ((bits_ & flag) == flag && (remaining & flag) != 0) {
                remaining = static_cast<Bits>(remaining & ~flag);
                names.push_back(entry);
            }
        }
        return names;
    }
    /// The unknown bits left after iter_names(): what Debug text appends as hex.
    [[nodiscard]] constexpr Bits remaining_bits() const noexcept {
        Bits remaining = bits_;
        for (const auto& named : iter_names()) {
            remaining = static_cast<Bits>(remaining & ~named.flag.bits());
        }
        return remaining;
    }
    /// The flags that make up this value: the named ones, then the unknown remainder.
    [[nodiscard]] constexpr auto iter() const noexcept {
        detail::FixedList<Derived, detail::FlagTable<Derived>::size + 1> flags;
        for (const auto& named : iter_names()) {
            flags.push_back(named.flag);
        }
        if (const Bits rest = remaining_bits(); rest != 0) {
            flags.push_back(from_bits_retain(rest));
        }
        return flags;
    }

    /// The Debug text of Rust bitflags: `Type(PREFIX_A | PREFIX_B | 0x40)`, `Type(0x0)`.
    [[nodiscard]] std::string to_string() const {
        std::string out(Derived::type_name);
        out += '(';
        write_flags(out);
        out += ')';
        return out;
    }
    /// The flags part of the Debug text: `PREFIX_A | 0x40`, or `0x0` when empty.
    void write_flags(std::string& out) const {
        if (bits_ == 0) {
            out += "0x0";
            return;
        }
        bool first = true;
        for (const auto& named : iter_names()) {
            if (!first) {
                out += " | ";
            }
            first = false;
            out += Derived::name_prefix;
            out += named.name;
        }
        if (const Bits rest = remaining_bits(); rest != 0) {
            if (!first) {
                out += " | ";
            }
            detail::append_hex(out, rest);
        }
    }

    /// Parses what to_string() prints, or only its flags part: `|`-separated names with or
    /// without the prefix, and `0x` hex literals; blanks around tokens are ignored; an empty
    /// text is the empty set. Unknown bits in hex literals are kept.
    [[nodiscard]] static FlagsParseResult<Derived> parse(std::string_view text) {
        text = trim(text);
        const std::string_view whole = text;
        if (text.starts_with(Derived::type_name) &&
            trim(text.substr(Derived::type_name.size())).starts_with('(')) {
            text = trim(text.substr(Derived::type_name.size()));
            if (!text.ends_with(')')) {
                return FlagsParseError(FlagsParseError::Kind::BadWrapper, std::string(whole));
            }
            text = trim(text.substr(1, text.size() - 2));
        }
        if (text.find_first_of("()") != std::string_view::npos) {
            return FlagsParseError(FlagsParseError::Kind::BadWrapper, std::string(whole));
        }
        Derived result;
        if (text.empty()) {
            return result;
        }
        while (true) {
            const std::size_t bar = text.find('|');
            const std::string_view token = trim(text.substr(0, bar));
            auto flag = parse_token(token);
            if (!flag) {
                return flag;
            }
            result |= *flag;
            if (bar == std::string_view::npos) {
                return result;
            }
            text = text.substr(bar + 1);
        }
    }

    template <class Traits>
    friend std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& out,
                                                        Derived flags) {
        return out << flags.to_string();
    }

private:
    static constexpr std::string_view trim(std::string_view text) noexcept {
        constexpr std::string_view blanks = " \t\n\r";
        const std::size_t first = text.find_first_not_of(blanks);
        if (first == std::string_view::npos) {
            return {};
        }
        return text.substr(first, text.find_last_not_of(blanks) - first + 1);
    }

    static FlagsParseResult<Derived> parse_token(std::string_view token) {
        if (token.empty()) {
            return FlagsParseError(FlagsParseError::Kind::EmptyFlag, std::string(token));
        }
        if (token.starts_with("0x") || token.starts_with("0X")) {
            const std::string_view digits = token.substr(2);
            if (digits.empty() || digits.size() > sizeof(Bits) * 2) {
                return FlagsParseError(FlagsParseError::Kind::InvalidHex, std::string(token));
            }
            Bits value = 0;
            for (const char c : digits) {
                unsigned digit = 0;
                if (c >= '0' && c <= '9') {
                    digit = static_cast<unsigned>(c - '0');
                } else if (c >= 'a' && c <= 'f') {
                    digit = static_cast<unsigned>(c - 'a' + 10);
                } else if (c >= 'A' && c <= 'F') {
                    digit = static_cast<unsigned>(c - 'A' + 10);
                } else {
                    return FlagsParseError(FlagsParseError::Kind::InvalidHex, std::string(token));
                }
                value = static_cast<Bits>((std::uint64_t{value} << 4U) | digit);
            }
            return from_bits_retain(value);
        }
        std::string_view name = token;
        if (name.starts_with(Derived::name_prefix)) {
            name.remove_prefix(Derived::name_prefix.size());
        }
        if (auto flag = from_name(name)) {
            return *flag;
        }
        return FlagsParseError(FlagsParseError::Kind::UnrecognizedName, std::string(token));
    }

    static constexpr Bits all_bits() noexcept { return detail::FlagTable<Derived>::all_bits; }

    Bits bits_ = 0;
};

/// A type declared with PTRACE_API_BITFLAGS.
template <class T>
concept FlagsType = std::derived_from<T, BitFlags<T, typename T::bits_type>>;

/// The Debug text of `flags`, e.g. `PtraceFlags(PTRACE_STOP_SIGNAL | 0x40000)`.
template <FlagsType Flags>
[[nodiscard]] std::string to_string(Flags flags) {
    return flags.to_string();
}

} // namespace ptrace_api

/// Hashes a flags value by its bits. (<optional> declares the primary template of std::hash.)
template <ptrace_api::FlagsType Flags>
struct std::hash<Flags> {
    std::size_t operator()(Flags flags) const noexcept {
        return std::hash<typename Flags::bits_type>{}(flags.bits());
    }
};

// Expansion helpers of PTRACE_API_BITFLAGS; each element is a `(NAME, value)` pair.
#define PTRACE_API_DETAIL_FLAG_DECLARE(Name, i, pair)                                              \
    static const Name PTRACE_API_DETAIL_PP_FIRST pair;
#define PTRACE_API_DETAIL_FLAG_DEFINE(Name, i, pair)                                               \
    inline constexpr Name Name::PTRACE_API_DETAIL_PP_FIRST pair =                                  \
        Name::from_bits_retain(PTRACE_API_DETAIL_PP_SECOND pair);
#define PTRACE_API_DETAIL_FLAG_ENTRY(Bits, i, pair)                                                \
    ::ptrace_api::detail::FlagDefinition<Bits>{                                                    \
        PTRACE_API_DETAIL_PP_STRINGIZE(PTRACE_API_DETAIL_PP_FIRST pair),                           \
        PTRACE_API_DETAIL_PP_SECOND pair},

/// Declares the flags type `Name` over the unsigned integer `Bits`, printed as `Name(...)` with
/// each flag name behind `prefix`, from `(NAME, value)` pairs in declaration order (which is
/// the order of iteration and printing: single bits first, masks after them):
///
///     PTRACE_API_BITFLAGS(Mode, std::uint8_t, "MODE_", (READ, 0x1), (WRITE, 0x2));
///
/// Each pair becomes a constant `Name::NAME` and an entry `{"NAME", value}` of the name table.
/// A name that starts with `_` declares external bits (bitflags' `const _ = ...`): they count
/// in `all()` but are never printed or parsed by name.
#define PTRACE_API_BITFLAGS(Name, Bits, prefix, ...)                                               \
    class Name final : public ::ptrace_api::BitFlags<Name, Bits> {                                 \
    public:                                                                                        \
        static constexpr std::string_view type_name = PTRACE_API_DETAIL_PP_STRINGIZE(Name);        \
        static constexpr std::string_view name_prefix = prefix;                                    \
        PTRACE_API_DETAIL_PP_FOR_EACH(PTRACE_API_DETAIL_FLAG_DECLARE, Name, __VA_ARGS__)           \
        static constexpr ::ptrace_api::detail::FlagDefinition<Bits> definitions[] = {              \
            PTRACE_API_DETAIL_PP_FOR_EACH(PTRACE_API_DETAIL_FLAG_ENTRY, Bits, __VA_ARGS__)};       \
    };                                                                                             \
    PTRACE_API_DETAIL_PP_FOR_EACH(PTRACE_API_DETAIL_FLAG_DEFINE, Name, __VA_ARGS__)
