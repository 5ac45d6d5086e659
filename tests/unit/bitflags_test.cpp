// SPDX-License-Identifier: MIT
// BitFlags semantics, ported from the cases of Rust bitflags 2 (spec.md and src/tests/*.rs).
#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "test_flags.hpp"

using namespace test_flags;

TEST_SUITE("bitflags") {

    TEST_CASE("all() is the union of the declared flags, external bits included") {
        CHECK(TestFlags::all().bits() == 0b111);
        CHECK(TestFlagsInvert::all().bits() == 0b111);
        CHECK(TestZero::all().bits() == 0);
        CHECK(TestZeroOne::all().bits() == 1);
        CHECK(TestOverlapping::all().bits() == 0b111);
        CHECK(TestOverlappingFull::all().bits() == 0b11);
        CHECK(TestExternal::all().bits() == 0xff);
        CHECK(TestExternalFull::all().bits() == 0xff);
        CHECK(Wide::all().bits() == (std::uint64_t{1} << 63 | 1));
        CHECK(TestFlags::empty().bits() == 0);
        CHECK(TestFlags{}.bits() == 0);
    }

    TEST_CASE("from_bits rejects unknown bits, truncate drops them, retain keeps them") {
        struct Case {
            std::uint8_t bits;
            bool accepted;
            std::uint8_t truncated;
        };
        const std::vector<Case> cases = {
            {0, true, 0},       {1, true, 1},           {0b111, true, 0b111},
            {1 << 3, false, 0}, {1 | 1 << 3, false, 1}, {0xff, false, 0b111},
            {1 << 7, false, 0}, {0b110, true, 0b110},
        };
        for (const auto& c : cases) {
            CAPTURE(int{c.bits});
            const auto from = TestFlags::from_bits(c.bits);
            CHECK(from.has_value() == c.accepted);
            if (from) {
                CHECK(from->bits() == c.bits);
            }
            CHECK(TestFlags::from_bits_truncate(c.bits).bits() == c.truncated);
            CHECK(TestFlags::from_bits_retain(c.bits).bits() == c.bits);
        }
        // External bits are known bits.
        CHECK(TestExternal::from_bits(0xff).has_value());
        CHECK(TestExternalFull::from_bits_truncate(0xf0).bits() == 0xf0);
        CHECK(TestZero::from_bits(1) == std::nullopt);
    }

    TEST_CASE("from_name finds declared names only, case-sensitively") {
        CHECK(TestFlags::from_name("A") == TestFlags::A);
        CHECK(TestFlags::from_name("C") == TestFlags::C);
        CHECK(TestFlags::from_name("a") == std::nullopt);
        CHECK(TestFlags::from_name("") == std::nullopt);
        CHECK(TestFlags::from_name("ABC") == std::nullopt);
        CHECK(TestFlagsInvert::from_name("ABC") == TestFlagsInvert::all());
        CHECK(TestZero::from_name("ZERO") == TestZero::empty());
        CHECK(TestExternal::from_name("_external") == std::nullopt);
    }

    TEST_CASE("contains and intersects") {
        struct Case {
            std::uint8_t a, b;
            bool contains, intersects;
        };
        const std::vector<Case> cases = {
            {0, 0, true, false},
            {0b1, 0, true, false},
            {0, 0b1, false, false},
            {0b11, 0b1, true, true},
            {0b1, 0b11, false, true},
            {0b101, 0b010, false, false},
            {0b111, 0b111, true, true},
            {1 << 3, 1 << 3, true, true},
            {1 | 1 << 3, 1 << 3, true, true},
        };
        for (const auto& c : cases) {
            CAPTURE(int{c.a});
            CAPTURE(int{c.b});
            const auto a = TestFlags::from_bits_retain(c.a);
            const auto b = TestFlags::from_bits_retain(c.b);
            CHECK(a.contains(b) == c.contains);
            CHECK(a.intersects(b) == c.intersects);
        }
    }

    TEST_CASE("is_empty, is_all and operator bool") {
        CHECK(TestFlags::empty().is_empty());
        CHECK_FALSE(TestFlags::A.is_empty());
        CHECK(TestFlags::all().is_all());
        CHECK(TestFlags::from_bits_retain(0xff).is_all());
        CHECK_FALSE((TestFlags::A | TestFlags::B).is_all());
        CHECK(TestZero::ZERO.is_empty());
        CHECK(TestZero::ZERO.is_all());
        CHECK_FALSE(static_cast<bool>(TestFlags::empty()));
        CHECK(static_cast<bool>(TestFlags::from_bits_retain(1 << 3)));
        CHECK(static_cast<bool>(TestFlags::all() & TestFlags::B));
    }

    TEST_CASE("binary operators keep unknown bits; complement truncates to all()") {
        struct Case {
            std::uint8_t a, b, or_, and_, xor_, diff;
        };
        const std::vector<Case> cases = {
            {0, 0, 0, 0, 0, 0},
            {0b1, 0b10, 0b11, 0, 0b11, 0b1},
            {0b11, 0b10, 0b11, 0b10, 0b1, 0b1},
            {1 | 1 << 3, 1, 1 | 1 << 3, 1, 1 << 3, 1 << 3},
            {1 << 3, 1 << 4, 1 << 3 | 1 << 4, 0, 1 << 3 | 1 << 4, 1 << 3},
            {0xff, 0b101, 0xff, 0b101, 0xfa, 0xfa},
        };
        for (const auto& c : cases) {
            CAPTURE(int{c.a});
            CAPTURE(int{c.b});
            const auto a = TestFlags::from_bits_retain(c.a);
            const auto b = TestFlags::from_bits_retain(c.b);
            CHECK((a | b).bits() == c.or_);
            CHECK((a & b).bits() == c.and_);
            CHECK((a ^ b).bits() == c.xor_);
            CHECK((a - b).bits() == c.diff);
            CHECK(a.union_with(b) == (a | b));
            CHECK(a.intersection(b) == (a & b));
            CHECK(a.symmetric_difference(b) == (a ^ b));
            CHECK(a.difference(b) == (a - b));
            auto x = a;
            x |= b;
            CHECK(x == (a | b));
            x = a;
            x &= b;
            CHECK(x == (a & b));
            x = a;
            x ^= b;
            CHECK(x == (a ^ b));
            x = a;
            x -= b;
            CHECK(x == (a - b));
        }
        CHECK((~TestFlags::empty()) == TestFlags::all());
        CHECK((~TestFlags::A).bits() == 0b110);
        CHECK((~TestFlags::from_bits_retain(1 << 3)) == TestFlags::all());
        CHECK((~TestFlags::from_bits_retain(0xff)).bits() == 0);
        CHECK((~TestZero::empty()).bits() == 0);
        CHECK((~TestExternal::empty()).bits() == 0xff);
        CHECK(TestFlags::A.complement() == ~TestFlags::A);
    }

    TEST_CASE("insert, remove, toggle and set") {
        auto f = TestFlags::empty();
        f.insert(TestFlags::A);
        CHECK(f == TestFlags::A);
        f.insert(TestFlags::from_bits_retain(1 << 3));
        CHECK(f.bits() == (1 | 1 << 3));
        f.remove(TestFlags::A);
        CHECK(f.bits() == 1 << 3);
        f.remove(TestFlags::from_bits_retain(1 << 3));
        CHECK(f.is_empty());
        f.toggle(TestFlags::A | TestFlags::B);
        CHECK(f == (TestFlags::A | TestFlags::B));
        f.toggle(TestFlags::B | TestFlags::C);
        CHECK(f == (TestFlags::A | TestFlags::C));
        f.set(TestFlags::B, true);
        CHECK(f == TestFlags::all());
        f.set(TestFlags::A | TestFlags::C, false);
        CHECK(f == TestFlags::B);
    }

    TEST_CASE("iteration yields named flags in declaration order, then the unknown remainder") {
        auto bits_of = [](const auto& list) {
            std::vector<unsigned> out;
            for (const auto& f : list) {
                out.push_back(f.bits());
            }
            return out;
        };
        CHECK(bits_of(TestFlags::empty().iter()).empty());
        CHECK(bits_of(TestFlags::all().iter()) == std::vector<unsigned>{1, 2, 4});
        CHECK(bits_of(TestFlags::from_bits_retain(1 | 1 << 3).iter()) ==
              std::vector<unsigned>{1, 8});
        CHECK(bits_of(TestFlags::from_bits_retain(0xf8).iter()) == std::vector<unsigned>{0xf8});
        // A multi-bit flag is yielded once it is fully contained and still adds bits.
        CHECK(bits_of(TestFlagsInvert::all().iter()) == std::vector<unsigned>{0b111});
        CHECK(bits_of((TestFlagsInvert::A | TestFlagsInvert::B).iter()) ==
              std::vector<unsigned>{1, 2});
        CHECK(bits_of(TestOverlapping::all().iter()) == std::vector<unsigned>{0b11, 0b110});
        CHECK(bits_of(TestOverlapping::from_bits_retain(0b10).iter()) ==
              std::vector<unsigned>{0b10});
        CHECK(bits_of(TestOverlappingFull::A.iter()) == std::vector<unsigned>{1});
        CHECK(bits_of(TestZero::ZERO.iter()).empty());
        CHECK(bits_of(TestExternal::all().iter()) == std::vector<unsigned>{1, 2, 4, 0xf8});

        std::vector<std::string_view> names;
        for (const auto& named : (TestFlags::C | TestFlags::A).iter_names()) {
            names.push_back(named.name);
        }
        CHECK(names == std::vector<std::string_view>{"A", "C"});
    }

    TEST_CASE("Debug text matches bitflags' fmt.rs vectors") {
        auto text = [](auto flags) {
            std::ostringstream out;
            out << flags;
            CHECK(out.str() == ptrace_api::to_string(flags));
            return out.str();
        };
        CHECK(text(TestFlags::empty()) == "TestFlags(0x0)");
        CHECK(text(TestFlags::A) == "TestFlags(A)");
        CHECK(text(TestFlags::all()) == "TestFlags(A | B | C)");
        CHECK(text(TestFlags::from_bits_retain(1 << 3)) == "TestFlags(0x8)");
        CHECK(text(TestFlags::A | TestFlags::from_bits_retain(1 << 3)) == "TestFlags(A | 0x8)");
        CHECK(text(TestZero::ZERO) == "TestZero(0x0)");
        CHECK(text(TestZero::ZERO | TestZero::from_bits_retain(1)) == "TestZero(0x1)");
        CHECK(text(TestZeroOne::ONE) == "TestZeroOne(ONE)");
        CHECK(text(TestOverlapping::from_bits_retain(1 << 1)) == "TestOverlapping(0x2)");
        CHECK(text(TestExternal::from_bits_retain(1 | 1 << 1 | 1 << 3)) ==
              "TestExternal(A | B | 0x8)");
        CHECK(text(TestExternal::all()) == "TestExternal(A | B | C | 0xf8)");
        CHECK(text(TestExternalFull::all()) == "TestExternalFull(0xff)");
        CHECK(text(TestFlagsInvert::all()) == "TestFlagsInvert(ABC)");
        CHECK(text(Wide::all()) == "Wide(W_LOW | W_HIGH)");
        CHECK(text(Wide::from_bits_retain(0x8000'0000'0000'0002)) == "Wide(W_HIGH | 0x2)");
    }

    TEST_CASE("parse accepts what Debug prints and names the bad token otherwise") {
        struct Good {
            const char* text;
            unsigned bits;
        };
        const std::vector<Good> good = {
            {"", 0},
            {"   ", 0},
            {"A", 1},
            {"A | B", 3},
            {"A|B", 3},
            {"  A |  C ", 5},
            {"0x1", 1},
            {"0x1 | B", 3},
            {"0X8", 8},
            {"0xF8 | A", 0xf9},
            {"0x0", 0},
            {"TestFlags(0x0)", 0},
            {"TestFlags(A | 0x8)", 9},
            {"TestFlags( A | B )", 3},
            {"TestFlags ()", 0},
        };
        for (const auto& g : good) {
            CAPTURE(g.text);
            const auto parsed = TestFlags::parse(g.text);
            REQUIRE(parsed.has_value());
            CHECK((*parsed).bits() == g.bits);
        }
        using Kind = ptrace_api::FlagsParseError::Kind;
        struct Bad {
            const char* text;
            Kind kind;
            const char* token;
            const char* message;
        };
        const std::vector<Bad> bad = {
            {"A |", Kind::EmptyFlag, "", "encountered empty flag"},
            {"| A", Kind::EmptyFlag, "", "encountered empty flag"},
            {"A || B", Kind::EmptyFlag, "", "encountered empty flag"},
            {"D", Kind::UnrecognizedName, "D", "unrecognized named flag `D`"},
            {"A | a", Kind::UnrecognizedName, "a", "unrecognized named flag `a`"},
            {"0xg", Kind::InvalidHex, "0xg", "invalid hex flag `0xg`"},
            {"0x", Kind::InvalidHex, "0x", "invalid hex flag `0x`"},
            {"0x100", Kind::InvalidHex, "0x100", "invalid hex flag `0x100`"},
            {"TestFlags(A", Kind::BadWrapper, "TestFlags(A",
             "expected bare flags or `Type(flags)`, found `TestFlags(A`"},
            {"Other(A)", Kind::BadWrapper, "Other(A)",
             "expected bare flags or `Type(flags)`, found `Other(A)`"},
            {"TestFlags((A))", Kind::BadWrapper, "TestFlags((A))",
             "expected bare flags or `Type(flags)`, found `TestFlags((A))`"},
            {"_external", Kind::UnrecognizedName, "_external",
             "unrecognized named flag `_external`"},
        };
        for (const auto& b : bad) {
            CAPTURE(b.text);
            const auto parsed = TestFlags::parse(b.text);
            REQUIRE_FALSE(parsed.has_value());
            CHECK(parsed.error().kind() == b.kind);
            CHECK(parsed.error().token() == b.token);
            CHECK(parsed.error().message() == b.message);
        }
    }

    TEST_CASE("Debug text parses back to the same bits for every 8-bit value") {
        for (unsigned v = 0; v <= 0xff; ++v) {
            const auto flags = TestOverlapping::from_bits_retain(static_cast<std::uint8_t>(v));
            const auto parsed = TestOverlapping::parse(flags.to_string());
            REQUIRE(parsed.has_value());
            CHECK((*parsed) == flags);
        }
    }

    TEST_CASE("equality and hashing follow the bits") {
        CHECK(TestFlags::A == TestFlags::from_bits_retain(1));
        CHECK(TestFlags::A != TestFlags::B);
        CHECK(TestOverlappingFull::A == TestOverlappingFull::C);
        std::unordered_set<TestFlags> set = {TestFlags::A, TestFlags::B,
                                             TestFlags::from_bits_retain(1)};
        CHECK(set.size() == 2);
        CHECK(std::hash<TestFlags>{}(TestFlags::C) == std::hash<std::uint8_t>{}(4));
    }

    TEST_CASE("everything is usable at compile time") {
        constexpr auto f = (TestFlags::A | TestFlags::C) - TestFlags::C;
        static_assert(f == TestFlags::A);
        static_assert(TestFlags::from_bits(8) == std::nullopt);
        static_assert((~TestFlags::A).bits() == 6);
        static_assert(TestFlags::all().iter().size() == 3);
        static_assert(TestFlags::from_name("B") == TestFlags::B);
        static_assert(TestFlags::table()[2].name == "C");
        static_assert(TestOverlapping::all().iter_names().size() == 2);
        CHECK(f.bits() == 1);
    }

    // Two flags types never mix, and integers never turn into flags by accident. (The checks are
    // concepts so that the failing expressions are substituted, not compiled.)
    template <class A, class B>
    concept CanOr = requires(A a, B b) {
        a | b;
    };
    template <class A, class B>
    concept CanAnd = requires(A a, B b) {
        a& b;
    };
    template <class A, class B>
    concept CanXor = requires(A a, B b) {
        a ^ b;
    };
    template <class A, class B>
    concept CanSubtract = requires(A a, B b) {
        a - b;
    };
    template <class A, class B>
    concept CanCompare = requires(A a, B b) {
        a == b;
    };
    template <class A, class B>
    concept CanOrAssign = requires(A a, B b) {
        a |= b;
    };
    template <class A, class B>
    concept CanContain = requires(A a, B b) {
        a.contains(b);
    };
    template <class A, class B>
    concept CanInsert = requires(A a, B b) {
        a.insert(b);
    };

    static_assert(CanOr<TestFlags, TestFlags> && CanCompare<TestFlags, TestFlags>);
    static_assert(!CanOr<TestFlags, TestZeroOne> && !CanAnd<TestFlags, TestZeroOne>);
    static_assert(!CanXor<TestFlags, TestZeroOne> && !CanSubtract<TestFlags, TestZeroOne>);
    static_assert(!CanCompare<TestFlags, TestZeroOne> && !CanOrAssign<TestFlags, TestZeroOne>);
    static_assert(!CanContain<TestFlags, TestZeroOne> && !CanInsert<TestFlags, TestZeroOne>);
    static_assert(!CanOr<TestFlags, int> && !CanCompare<TestFlags, int>);
    static_assert(!CanContain<TestFlags, int> && !CanOr<int, TestFlags>);
    static_assert(!std::is_convertible_v<std::uint8_t, TestFlags>);
    static_assert(!std::is_convertible_v<TestFlags, bool>);
    static_assert(!std::is_convertible_v<TestFlags, std::uint8_t>);
    static_assert(sizeof(TestFlags) == 1 && std::is_trivially_copyable_v<TestFlags>);

} // TEST_SUITE
