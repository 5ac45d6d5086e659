// SPDX-License-Identifier: MIT
// PtraceFlags: the values of spec 1.1, Redox's Debug text, parsing, and the 8-byte view.
#include <ptrace/bytes.hpp>
#include <ptrace/flags.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <sstream>
#include <vector>

using ptrace_api::PtraceFlags;

TEST_SUITE("flags") {

    TEST_CASE("every constant has the 2019-08 value of spec 1.1") {
        struct Case {
            PtraceFlags flag;
            std::uint64_t bits;
            const char* printed;
        };
        const std::vector<Case> cases = {
            {PtraceFlags::STOP_PRE_SYSCALL, 0x0001, "PTRACE_STOP_PRE_SYSCALL"},
            {PtraceFlags::STOP_POST_SYSCALL, 0x0002, "PTRACE_STOP_POST_SYSCALL"},
            {PtraceFlags::STOP_SINGLESTEP, 0x0004, "PTRACE_STOP_SINGLESTEP"},
            {PtraceFlags::STOP_SIGNAL, 0x0008, "PTRACE_STOP_SIGNAL"},
            {PtraceFlags::STOP_BREAKPOINT, 0x0010, "PTRACE_STOP_BREAKPOINT"},
            {PtraceFlags::STOP_EXIT, 0x0020, "PTRACE_STOP_EXIT"},
            {PtraceFlags::STOP_EXEC, 0x0040, "PTRACE_STOP_EXEC"},
            {PtraceFlags::STOP_MASK, 0x00ff,
             "PTRACE_STOP_PRE_SYSCALL | PTRACE_STOP_POST_SYSCALL | PTRACE_STOP_SINGLESTEP | "
             "PTRACE_STOP_SIGNAL | PTRACE_STOP_BREAKPOINT | PTRACE_STOP_EXIT | PTRACE_STOP_EXEC | "
             "PTRACE_STOP_MASK"},
            {PtraceFlags::EVENT_CLONE, 0x0100, "PTRACE_EVENT_CLONE"},
            {PtraceFlags::EVENT_MASK, 0x0f00, "PTRACE_EVENT_CLONE | PTRACE_EVENT_MASK"},
            {PtraceFlags::FLAG_IGNORE, 0x1000, "PTRACE_FLAG_IGNORE"},
            {PtraceFlags::FLAG_SYSEMU, 0x1000, "PTRACE_FLAG_IGNORE"},
            {PtraceFlags::FLAG_WAIT, 0x2000, "PTRACE_FLAG_WAIT"},
            {PtraceFlags::FLAG_MASK, 0xf000,
             "PTRACE_FLAG_IGNORE | PTRACE_FLAG_WAIT | PTRACE_FLAG_MASK"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.printed);
            CHECK(c.flag.bits() == c.bits);
            CHECK(c.flag.to_string() == std::string("PtraceFlags(") + c.printed + ")");
        }
        CHECK(PtraceFlags::all().bits() == 0xffff);
        CHECK(PtraceFlags::table().size() == 14);
    }

    TEST_CASE("Debug text is Redox's") {
        auto text = [](PtraceFlags f) {
            std::ostringstream out;
            out << f;
            return out.str();
        };
        CHECK(text(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::EVENT_CLONE) ==
              "PtraceFlags(PTRACE_STOP_PRE_SYSCALL | PTRACE_EVENT_CLONE)");
        CHECK(text(PtraceFlags::empty()) == "PtraceFlags(0x0)");
        CHECK(text(PtraceFlags::from_bits_retain(0x40000)) == "PtraceFlags(0x40000)");
        CHECK(text(PtraceFlags::STOP_SIGNAL | PtraceFlags::from_bits_retain(0x40000)) ==
              "PtraceFlags(PTRACE_STOP_SIGNAL | 0x40000)");
        CHECK(text(PtraceFlags::from_bits_retain(0xffff'0000'0000'0000)) ==
              "PtraceFlags(0xffff000000000000)");
        // An unassigned bit inside a mask prints as hex, unless the whole mask is set: then the
        // mask names it, after the single stop bits (declaration order).
        CHECK(text(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::from_bits_retain(0x80)) ==
              "PtraceFlags(PTRACE_STOP_PRE_SYSCALL | 0x80)");
        CHECK(text(PtraceFlags::from_bits_retain(0x3f | 0xc0)) ==
              "PtraceFlags(PTRACE_STOP_PRE_SYSCALL | PTRACE_STOP_POST_SYSCALL | "
              "PTRACE_STOP_SINGLESTEP "
              "| PTRACE_STOP_SIGNAL | PTRACE_STOP_BREAKPOINT | PTRACE_STOP_EXIT | PTRACE_STOP_EXEC "
              "| PTRACE_STOP_MASK)");
        CHECK(text(PtraceFlags::from_bits_retain(0xc0)) == "PtraceFlags(PTRACE_STOP_EXEC | 0x80)");
        CHECK(
            text(PtraceFlags::FLAG_IGNORE | PtraceFlags::STOP_PRE_SYSCALL |
                 PtraceFlags::STOP_POST_SYSCALL) ==
            "PtraceFlags(PTRACE_STOP_PRE_SYSCALL | PTRACE_STOP_POST_SYSCALL | PTRACE_FLAG_IGNORE)");
        CHECK(text(~PtraceFlags::empty()) == text(PtraceFlags::all()));
        CHECK(ptrace_api::to_string(PtraceFlags::FLAG_WAIT) == "PtraceFlags(PTRACE_FLAG_WAIT)");
    }

    TEST_CASE("parse takes names with or without PTRACE_, hex literals, and the Debug form") {
        CHECK(*PtraceFlags::parse("PTRACE_STOP_PRE_SYSCALL | PTRACE_EVENT_CLONE") ==
              (PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::EVENT_CLONE));
        CHECK(*PtraceFlags::parse("STOP_PRE_SYSCALL|EVENT_CLONE") ==
              (PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::EVENT_CLONE));
        CHECK(*PtraceFlags::parse("PTRACE_FLAG_SYSEMU") == PtraceFlags::FLAG_IGNORE);
        CHECK(*PtraceFlags::parse("FLAG_SYSEMU | 0x1") ==
              (PtraceFlags::FLAG_IGNORE | PtraceFlags::STOP_PRE_SYSCALL));
        CHECK((*PtraceFlags::parse("PtraceFlags(PTRACE_STOP_SIGNAL | 0x40000)")).bits() == 0x40008);
        CHECK((*PtraceFlags::parse("PtraceFlags(0x0)")).is_empty());
        CHECK((*PtraceFlags::parse("0xffffffffffffffff")).bits() == ~std::uint64_t{0});

        CHECK(*PtraceFlags::parse("PTRACE_STOP_EXEC") == PtraceFlags::STOP_EXEC);
        // A flag Redox had for a while after 2019 (spec N), not this library.
        const auto bad = PtraceFlags::parse("PTRACE_STOP_PRE_SYSCALL | PTRACE_STOP_SIGNAL_HANDLER");
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().token() == "PTRACE_STOP_SIGNAL_HANDLER");
        CHECK(bad.error().message() == "unrecognized named flag `PTRACE_STOP_SIGNAL_HANDLER`");
        const auto too_long = PtraceFlags::parse("0x10000000000000000");
        REQUIRE_FALSE(too_long.has_value());
        CHECK(too_long.error().kind() == ptrace_api::FlagsParseError::Kind::InvalidHex);
        CHECK_FALSE(PtraceFlags::parse("PTRACE_").has_value());
        CHECK_FALSE(PtraceFlags::parse("ptrace_stop_exit").has_value());
    }

    TEST_CASE("every 16-bit value and reserved bits round-trip through Debug text") {
        for (std::uint64_t v = 0; v <= 0xffff; ++v) {
            const auto flags = PtraceFlags::from_bits_retain(v);
            const auto parsed = PtraceFlags::parse(flags.to_string());
            REQUIRE(parsed.has_value());
            REQUIRE((*parsed) == flags);
        }
        for (const std::uint64_t v : {std::uint64_t{0x10000}, std::uint64_t{0x1234'5678'9abc'def0},
                                      ~std::uint64_t{0}, std::uint64_t{1} << 63}) {
            const auto flags = PtraceFlags::from_bits_retain(v);
            CHECK((*PtraceFlags::parse(flags.to_string())) == flags);
        }
    }

    TEST_CASE("B2: reserved bits are unknown bits") {
        CHECK_FALSE(PtraceFlags::from_bits(0x10000).has_value());
        CHECK(PtraceFlags::from_bits(0xffff).has_value());
        CHECK(PtraceFlags::from_bits(0x80).has_value()); // unassigned, but inside STOP_MASK
        CHECK(PtraceFlags::from_bits_truncate(0x1'0001) == PtraceFlags::STOP_PRE_SYSCALL);
    }

    TEST_CASE("the byte view is the 8 native-endian bytes, and only 8 bytes make flags") {
        const auto flags = PtraceFlags::STOP_POST_SYSCALL | PtraceFlags::FLAG_WAIT;
        const auto bytes = ptrace_api::as_bytes(flags);
        static_assert(decltype(bytes)::extent == 8);
        std::uint64_t raw = 0;
        std::memcpy(&raw, bytes.data(), 8);
        CHECK(raw == 0x2002);
        CHECK(bytes[0] == std::byte{0x02});
        CHECK(bytes[1] == std::byte{0x20});

        std::array<std::byte, 9> buffer{};
        buffer[0] = std::byte{0x20};
        buffer[1] = std::byte{0x01};
        const auto eight = ptrace_api::from_bytes<PtraceFlags>(std::span(buffer).first(8));
        REQUIRE(eight.has_value());
        CHECK(*eight == (PtraceFlags::STOP_EXIT | PtraceFlags::EVENT_CLONE));
        CHECK_FALSE(ptrace_api::from_bytes<PtraceFlags>(std::span(buffer).first(7)).has_value());
        CHECK_FALSE(ptrace_api::from_bytes<PtraceFlags>(std::span(buffer)).has_value());
        CHECK_FALSE(ptrace_api::from_bytes<PtraceFlags>(std::span<const std::byte>{}).has_value());

        auto target = PtraceFlags::empty();
        auto writable = ptrace_api::as_writable_bytes(target);
        writable[0] = std::byte{0x08};
        CHECK(target == PtraceFlags::STOP_SIGNAL);
    }

} // TEST_SUITE
