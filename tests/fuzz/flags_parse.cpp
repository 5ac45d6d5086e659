// SPDX-License-Identifier: MIT
// Fuzzes BitFlags::parse and the Debug text, on PtraceFlags and on the small flags types of the
// unit tests (overlapping flags, masks, a zero flag, external bits, a 64-bit type).
//
// The input is used three ways at once, so every corpus entry exercises all of them:
// 1. as text for parse(): it never crashes; it agrees with a reference parser written from the
//    documented grammar (success, value, error kind and token); a successful result prints as
//    Debug text that parses back to the same value (tests/unit: "Debug text parses back");
// 2. as bits: from_bits_retain(bits) prints as text that parses back to the same bits (for
//    every value, unknown bits included), and iteration covers exactly those bits;
// 3. as a recipe for a valid text (names with or without the prefix, hex literals in either
//    case, blanks, the `Type(...)` wrapper): parse() must accept it with the expected value.
#include <ptrace/bitflags.hpp>
#include <ptrace/flags.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz.hpp"
#include "test_flags.hpp"

namespace {

using ptrace_api::FlagsParseError;
using Kind = FlagsParseError::Kind;

constexpr std::string_view blanks = " \t\n\r";

std::string_view trim(std::string_view s) {
    while (!s.empty() && blanks.find(s.front()) != std::string_view::npos) {
        s.remove_prefix(1);
    }
    while (!s.empty() && blanks.find(s.back()) != std::string_view::npos) {
        s.remove_suffix(1);
    }
    return s;
}

struct RefError {
    Kind kind;
    std::string token;
};

template <class Flags>
using RefResult = std::variant<typename Flags::bits_type, RefError>;

/// The grammar of parse() as its comment and the unit tests state it: blanks around the text
/// and tokens are ignored; an optional `Type(...)` wrapper (blanks allowed before the
/// parenthesis); no other parentheses; `|`-separated tokens, each a declared name (not one
/// starting with `_`) with or without the prefix, or `0x`/`0X` and 1 to 2*sizeof(bits) hex
/// digits; an empty text is the empty set; the first bad token decides the error.
template <class Flags>
RefResult<Flags> reference_parse(std::string_view text) {
    using Bits = typename Flags::bits_type;
    std::string_view t = trim(text);
    const std::string whole(t);
    if (t.substr(0, Flags::type_name.size()) == Flags::type_name) {
        const std::string_view after = trim(t.substr(Flags::type_name.size()));
        if (!after.empty() && after.front() == '(') {
            if (after.size() < 2 || after.back() != ')') {
                return RefError{Kind::BadWrapper, whole};
            }
            t = trim(after.substr(1, after.size() - 2));
        }
    }
    for (const char c : t) {
        if (c == '(' || c == ')') {
            return RefError{Kind::BadWrapper, whole};
        }
    }
    Bits bits = 0;
    if (t.empty()) {
        return bits;
    }
    std::size_t start = 0;
    for (;;) {
        const std::size_t bar = t.find('|', start);
        const std::size_t end = bar == std::string_view::npos ? t.size() : bar;
        const std::string_view token = trim(t.substr(start, end - start));
        if (token.empty()) {
            return RefError{Kind::EmptyFlag, ""};
        }
        if (token.size() >= 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
            const std::string_view digits = token.substr(2);
            if (digits.empty() || digits.size() > 2 * sizeof(Bits)) {
                return RefError{Kind::InvalidHex, std::string(token)};
            }
            std::uint64_t value = 0;
            for (const char c : digits) {
                const std::size_t d =
                    std::string_view("0123456789abcdef")
                        .find(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
                if (d == std::string_view::npos) {
                    return RefError{Kind::InvalidHex, std::string(token)};
                }
                value = value * 16 + d;
            }
            bits = static_cast<Bits>(bits | static_cast<Bits>(value));
        } else {
            std::string_view name = token;
            if (name.substr(0, Flags::name_prefix.size()) == Flags::name_prefix) {
                name.remove_prefix(Flags::name_prefix.size());
            }
            bool found = false;
            if (name.empty() || name.front() != '_') {
                for (const auto& entry : Flags::table()) {
                    if (entry.name == name) {
                        bits = static_cast<Bits>(bits | entry.flag.bits());
                        found = true;
                        break;
                    }
                }
            }
            if (!found) {
                return RefError{Kind::UnrecognizedName, std::string(token)};
            }
        }
        if (bar == std::string_view::npos) {
            return bits;
        }
        start = bar + 1;
    }
}

template <class Flags>
std::string describe(std::string_view text) {
    return std::string(Flags::type_name) + " on \"" + fuzz::escaped(text) + "\"";
}

/// Debug text of `flags` parses back to `flags`, and the stream output is the same text.
template <class Flags>
void check_round_trip(Flags flags) {
    const std::string text = flags.to_string();
    std::ostringstream stream;
    stream << flags;
    FUZZ_CHECK(stream.str() == text, describe<Flags>(text));
    FUZZ_CHECK(ptrace_api::to_string(flags) == text, describe<Flags>(text));
    FUZZ_CHECK(text.starts_with(std::string(Flags::type_name) + "(") && text.ends_with(")"),
               describe<Flags>(text));
    const auto back = Flags::parse(text);
    FUZZ_CHECK(back.has_value(), describe<Flags>(text) + ": " + back.error().message());
    FUZZ_CHECK(*back == flags, describe<Flags>(text));
    // The flags part alone (what write_flags appends) parses too.
    std::string part;
    flags.write_flags(part);
    const auto bare = Flags::parse(part);
    FUZZ_CHECK(bare.has_value() && *bare == flags, describe<Flags>(part));

    // Iteration: the named flags and the unknown remainder cover exactly the bits.
    using Bits = typename Flags::bits_type;
    Bits covered = 0;
    for (const auto& f : flags.iter()) {
        FUZZ_CHECK(!f.is_empty() && flags.contains(f), describe<Flags>(text));
        covered = static_cast<Bits>(covered | f.bits());
    }
    FUZZ_CHECK(covered == flags.bits(), describe<Flags>(text));
    for (const auto& named : flags.iter_names()) {
        FUZZ_CHECK(Flags::from_name(named.name) == named.flag || named.name.starts_with('_'),
                   describe<Flags>(text));
    }
    FUZZ_CHECK((flags.remaining_bits() & ~flags.bits()) == 0, describe<Flags>(text));
}

/// Use 1: arbitrary text.
template <class Flags>
void check_text(std::string_view text) {
    const auto parsed = Flags::parse(text);
    const auto expected = reference_parse<Flags>(text);
    if (parsed.has_value()) {
        const auto* bits = std::get_if<0>(&expected);
        FUZZ_CHECK(bits != nullptr, describe<Flags>(text) + ": accepted, the reference refuses (" +
                                        std::get<1>(expected).token + ")");
        FUZZ_CHECK((*parsed).bits() == *bits, describe<Flags>(text));
        check_round_trip(*parsed);
    } else {
        const FlagsParseError& got = parsed.error();
        const auto* error = std::get_if<1>(&expected);
        FUZZ_CHECK(error != nullptr, describe<Flags>(text) + ": refused (" + got.message() +
                                         "), the reference accepts");
        FUZZ_CHECK(got.kind() == error->kind, describe<Flags>(text) + ": " + got.message());
        FUZZ_CHECK(got.token() == error->token, describe<Flags>(text) + ": " + got.message());
        FUZZ_CHECK(!got.message().empty(), describe<Flags>(text));
    }
}

/// Use 2: arbitrary bits.
template <class Flags>
void check_bits(std::uint64_t raw) {
    using Bits = typename Flags::bits_type;
    const auto flags = Flags::from_bits_retain(static_cast<Bits>(raw));
    check_round_trip(flags);
    const auto all = Flags::all().bits();
    FUZZ_CHECK(Flags::from_bits(flags.bits()).has_value() == ((flags.bits() & ~all) == 0),
               describe<Flags>(flags.to_string()));
    FUZZ_CHECK(Flags::from_bits_truncate(flags.bits()).bits() == (flags.bits() & all),
               describe<Flags>(flags.to_string()));
}

/// Use 3: a valid text built from the input; parse() must accept it with the built value.
template <class Flags>
void check_recipe(fuzz::Input in) {
    using Bits = typename Flags::bits_type;
    const auto blank = [&](std::string& out) {
        const auto b = in.take<std::uint8_t>();
        for (unsigned i = 0; i < (b & 3U); ++i) {
            out += blanks[(b >> (2 + 2 * i)) & 3U];
        }
    };
    const auto header = in.take<std::uint8_t>();
    const unsigned count = header & 7U;
    const bool wrapped = (header & 8U) != 0;
    std::string text;
    blank(text);
    if (wrapped) {
        text += Flags::type_name;
        blank(text);
        text += '(';
    }
    Bits expected = 0;
    std::size_t named = 0;
    for (const auto& entry : Flags::table()) {
        named += entry.name.starts_with('_') ? 0U : 1U;
    }
    for (unsigned i = 0; i < count; ++i) {
        if (i != 0) {
            blank(text);
            text += '|';
        }
        blank(text);
        const auto kind = in.take<std::uint8_t>();
        if ((kind & 1U) == 0 && named != 0) {
            // A declared name, with or without the prefix.
            std::size_t pick = std::size_t{in.take<std::uint8_t>()} % named;
            for (const auto& entry : Flags::table()) {
                if (entry.name.starts_with('_')) {
                    continue;
                }
                if (pick-- == 0) {
                    if ((kind & 2U) != 0) {
                        text += Flags::name_prefix;
                    }
                    text += entry.name;
                    expected = static_cast<Bits>(expected | entry.flag.bits());
                    break;
                }
            }
        } else {
            // A hex literal: leading zeros up to the width of the bits, either case.
            const auto value = static_cast<Bits>(in.take<std::uint64_t>());
            std::string digits;
            for (Bits v = value; v != 0; v = static_cast<Bits>(v >> 4U)) {
                digits.insert(digits.begin(), "0123456789abcdef"[v & 0xfU]);
            }
            const std::size_t width = 2 * sizeof(Bits);
            const std::size_t zeros = digits.empty() ? 1 + (kind >> 4U) % width
                                                     : (kind >> 4U) % (width - digits.size() + 1);
            digits.insert(0, zeros, '0');
            for (char& c : digits) {
                if ((kind & 4U) != 0 && c >= 'a') {
                    c = static_cast<char>(c - 'a' + 'A');
                }
            }
            text += (kind & 8U) != 0 ? "0X" : "0x";
            text += digits;
            expected = static_cast<Bits>(expected | value);
        }
        blank(text);
    }
    if (wrapped) {
        text += ')';
    }
    blank(text);
    const auto parsed = Flags::parse(text);
    FUZZ_CHECK(parsed.has_value(), describe<Flags>(text) + ": " + parsed.error().message());
    FUZZ_CHECK((*parsed).bits() == expected, describe<Flags>(text));
}

template <class Flags>
void check_all(const std::uint8_t* data, std::size_t size) {
    check_text<Flags>(fuzz::as_text(data, size));
    fuzz::Input bits(data, size);
    check_bits<Flags>(bits.take<std::uint64_t>());
    check_recipe<Flags>(fuzz::Input(data, size));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace test_flags;
    check_all<ptrace_api::PtraceFlags>(data, size);
    check_all<TestFlags>(data, size);
    check_all<TestFlagsInvert>(data, size);
    check_all<TestZero>(data, size);
    check_all<TestZeroOne>(data, size);
    check_all<TestOverlapping>(data, size);
    check_all<TestOverlappingFull>(data, size);
    check_all<TestExternal>(data, size);
    check_all<TestExternalFull>(data, size);
    check_all<Wide>(data, size);
    return 0;
}
