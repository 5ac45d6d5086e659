// SPDX-License-Identifier: MIT
// The debug register view (issue 13): DR7's fields for every slot, kind and length, the
// validation a watchpoint goes through (each problem with its errno-style code), the four
// slots, and DR6's report of which slot fired.
#include <ptrace/bytes.hpp>
#include <ptrace/debug_registers.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <system_error>
#include <type_traits>

using namespace ptrace_api;

namespace {

constexpr std::array<WatchKind, 3> all_kinds{WatchKind::Execute, WatchKind::Write,
                                             WatchKind::ReadWrite};

} // namespace

TEST_SUITE("regs") {

    TEST_CASE("DebugRegisters: 64 bytes, nothing set, DR6 as after a reset") {
        static_assert(sizeof(DebugRegisters) == 64);
        static_assert(std::has_unique_object_representations_v<DebugRegisters>);
        constexpr DebugRegisters d;
        CHECK(as_bytes(d).size() == 64);
        CHECK(d.dr7() == 0);
        CHECK(d.dr6() == 0xffff0ff0U);
        CHECK_FALSE(d.single_step());
        CHECK_FALSE(d.fired_slot().has_value());
        for (std::size_t i = 0; i < 4; ++i) {
            CHECK_FALSE(d.enabled(i));
            CHECK_FALSE(d.get(i).has_value());
            // A disabled, zeroed slot reads as an execution breakpoint at 0 (DR7's zero fields).
            CHECK(d.watchpoint_at(i) == Watchpoint{0, 1, WatchKind::Execute});
        }
        CHECK(d.check_all() == WatchpointProblem::None);
    }

    TEST_CASE("DebugRegisters: DR7 fields for each slot, kind and length (Intel SDM 18.2.4)") {
        // LEN: 00 = 1, 01 = 2, 11 = 4, 10 = 8 bytes; R/W: 00 execute, 01 write, 11 read/write.
        struct Row {
            std::uint8_t length;
            std::uint64_t len_bits;
        };
        constexpr std::array<Row, 4> rows{{{1, 0}, {2, 1}, {4, 3}, {8, 2}}};
        for (std::size_t slot = 0; slot < 4; ++slot) {
            for (const WatchKind kind : all_kinds) {
                for (const Row& row : rows) {
                    if (kind == WatchKind::Execute && row.length != 1) {
                        continue;
                    }
                    CAPTURE(slot);
                    CAPTURE(static_cast<int>(kind));
                    CAPTURE(static_cast<int>(row.length));
                    DebugRegisters d;
                    const Watchpoint w{0x1000 + 8 * slot, row.length, kind};
                    REQUIRE(d.set(slot, w).has_value());
                    const std::uint64_t want =
                        (std::uint64_t{1} << (2 * slot)) |
                        (std::uint64_t{static_cast<std::uint8_t>(kind)} << (16 + 4 * slot)) |
                        (row.len_bits << (18 + 4 * slot));
                    CHECK(d.dr7() == want);
                    CHECK(d.dr(slot) == w.address);
                    CHECK(d.enabled(slot));
                    CHECK(d.get(slot) == w);
                    CHECK(d.check_all() == WatchpointProblem::None);
                    REQUIRE(d.clear(slot).has_value());
                    CHECK(d == DebugRegisters{});
                }
            }
        }
    }

    TEST_CASE("DebugRegisters: validation names each problem and gives its errno") {
        using P = WatchpointProblem;
        struct Bad {
            Watchpoint w;
            P problem;
            std::errc errc;
        };
        const std::array<Bad, 12> bads{{
            {{0x1001, 2, WatchKind::Write}, P::Misaligned, std::errc::invalid_argument},
            {{0x1002, 4, WatchKind::ReadWrite}, P::Misaligned, std::errc::invalid_argument},
            {{0x1004, 8, WatchKind::Write}, P::Misaligned, std::errc::invalid_argument},
            {{0x1000, 3, WatchKind::Write}, P::BadLength, std::errc::invalid_argument},
            {{0x1000, 0, WatchKind::Write}, P::BadLength, std::errc::invalid_argument},
            {{0x1000, 16, WatchKind::ReadWrite}, P::BadLength, std::errc::invalid_argument},
            {{0x1000, 8, WatchKind::Execute}, P::ExecuteLength, std::errc::invalid_argument},
            {{0x1000, 2, WatchKind::Execute}, P::ExecuteLength, std::errc::invalid_argument},
            {{0x1000, 1, static_cast<WatchKind>(2)}, P::BadKind, std::errc::invalid_argument},
            {{0xffff'ffff'8100'0000ULL, 8, WatchKind::Write},
             P::NotUserAddress,
             std::errc::bad_address},
            {{0x7fff'ffff'f000ULL, 1, WatchKind::Execute},
             P::NotUserAddress,
             std::errc::bad_address},
            {{0x8000'0000'0000ULL, 4, WatchKind::ReadWrite},
             P::NotUserAddress,
             std::errc::bad_address},
        }};
        for (const Bad& bad : bads) {
            CAPTURE(bad.w.address);
            CAPTURE(describe(bad.problem));
            CHECK(DebugRegisters::check(bad.w) == bad.problem);
            CHECK(watchpoint_errc(bad.problem) == std::make_error_code(bad.errc));
            DebugRegisters d;
            const auto r = d.set(1, bad.w);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error() == std::make_error_code(bad.errc));
            CHECK(d == DebugRegisters{}); // nothing changed
        }
        // The last user addresses that are still fine.
        CHECK(DebugRegisters::check({0x7fff'ffff'eff8ULL, 8, WatchKind::Write}) == P::None);
        CHECK(DebugRegisters::check({0x7fff'ffff'efffULL, 1, WatchKind::Execute}) == P::None);
        CHECK(DebugRegisters::check({0, 8, WatchKind::ReadWrite}) == P::None);
        CHECK(describe(P::Misaligned) == "the address must be a multiple of the length");
        CHECK(describe(WatchKind::ReadWrite) == "read/write");
        CHECK_FALSE(watchpoint_errc(P::None));
    }

    TEST_CASE("DebugRegisters: four slots; a fifth is ERANGE, a full set ENOSPC") {
        DebugRegisters d;
        const Watchpoint w{0x2000, 4, WatchKind::Write};
        const auto fifth = d.set(4, w);
        REQUIRE_FALSE(fifth.has_value());
        CHECK(fifth.error() == std::make_error_code(std::errc::result_out_of_range));
        CHECK(d.clear(4).error() == std::make_error_code(std::errc::result_out_of_range));
        for (std::size_t i = 0; i < 4; ++i) {
            const auto slot = d.add({0x2000 + 4 * i, 4, WatchKind::Write});
            REQUIRE(slot.has_value());
            CHECK(*slot == i);
        }
        const DebugRegisters full = d;
        const auto none = d.add(w);
        REQUIRE_FALSE(none.has_value());
        CHECK(none.error() == std::make_error_code(std::errc::no_space_on_device));
        CHECK(d == full);
        // add() reuses a cleared slot; a bad watchpoint is refused before a slot is taken.
        REQUIRE(d.clear(2).has_value());
        CHECK(d.add({0x2001, 4, WatchKind::Write}).error() ==
              std::make_error_code(std::errc::invalid_argument));
        CHECK(d.add({0x3000, 1, WatchKind::Execute}).value() == 2);
        CHECK(d.get(2) == Watchpoint{0x3000, 1, WatchKind::Execute});
        CHECK(d.get(1) == Watchpoint{0x2004, 4, WatchKind::Write});
    }

    TEST_CASE("DebugRegisters: check_all refuses what Linux refuses, in any slot, enabled or not") {
        using P = WatchpointProblem;
        auto with = [](std::size_t i, std::uint64_t value) {
            DebugRegisters d;
            d.set_dr(i, value);
            return d;
        };
        std::size_t bad = 99;
        CHECK(with(4, 1).check_all() == P::ReservedNotZero);
        CHECK(with(5, 0x8000).check_all() == P::ReservedNotZero);
        // R/W 10 (I/O) in slot 2, disabled.
        CHECK(with(7, std::uint64_t{2} << 24).check_all(&bad) == P::BadKind);
        CHECK(bad == 2);
        // Execute (R/W 00) with LEN 10 in slot 3.
        CHECK(with(7, std::uint64_t{2} << 30).check_all(&bad) == P::ExecuteLength);
        CHECK(bad == 3);
        // A disabled write slot of length 8 at a misaligned address.
        DebugRegisters d = with(7, (std::uint64_t{1} << 20) | (std::uint64_t{2} << 22));
        d.set_dr(1, 0x1004);
        CHECK(d.check_all(&bad) == P::Misaligned);
        CHECK(bad == 1);
        CHECK(with(0, 0xffff'8000'0000'0000ULL).check_all(&bad) == P::NotUserAddress);
        CHECK(bad == 0);
        // Bits Linux keeps without meaning (LE, GE, GD, the upper half) and any DR6 pass.
        CHECK(with(7, 0x0000'0001'0000'2300ULL).check_all() == P::None);
        CHECK(with(6, 0).check_all() == P::None);
        // The I/O kind has no typed reading.
        CHECK_FALSE(with(7, (std::uint64_t{2} << 16) | 1U).get(0).has_value());
        CHECK(with(7, (std::uint64_t{2} << 16) | 1U).enabled(0));
        // A global enable bit counts as enabled.
        CHECK(with(7, 2U).get(0) == Watchpoint{0, 1, WatchKind::Execute});
    }

    TEST_CASE("DebugRegisters: DR6 says which slot fired and whether a step trapped") {
        DebugRegisters d;
        d.set_dr(6, 0xffff0ff0U | 0x4U);
        CHECK(d.hit(2));
        CHECK_FALSE(d.hit(0));
        CHECK(d.fired_slot() == std::optional<std::size_t>(2));
        CHECK_FALSE(d.single_step());
        d.set_dr(6, 0xffff4ff0U); // what Linux reports after PTRACE_SINGLESTEP
        CHECK(d.single_step());
        CHECK_FALSE(d.fired_slot().has_value());
        d.set_dr(6, 0xffff4ff3U);
        CHECK(d.fired_slot() == std::optional<std::size_t>(0));
        CHECK(d.hit(1));
        d.clear_status();
        CHECK(d.dr6() == DebugRegisters::dr6_clear);
        CHECK(d == DebugRegisters{});
    }
}
