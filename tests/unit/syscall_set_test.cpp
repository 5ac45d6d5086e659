// SPDX-License-Identifier: MIT
// SyscallSet (issue 12): the bitmap the `proc:<pid>/syscalls` handle reads and writes.
#include <ptrace/syscall_set.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <system_error>

using ptrace_api::SyscallSet;

TEST_SUITE("unit") {

    TEST_CASE("SyscallSet: insert, erase, contains, size, subset_of") {
        SyscallSet s;
        CHECK(s.empty());
        CHECK(s.insert(0));
        CHECK(s.insert(39));
        CHECK(s.insert(511));
        CHECK_FALSE(s.insert(512)); // not representable: the set is unchanged
        CHECK(s.size() == 3);
        CHECK(s.contains(39));
        CHECK_FALSE(s.contains(40));
        CHECK_FALSE(s.contains(512));
        CHECK_FALSE(s.contains(~std::uint64_t{0}));
        s.erase(39);
        s.erase(1000);
        CHECK(s == SyscallSet{0, 511});
        CHECK(SyscallSet{0}.subset_of(s));
        CHECK_FALSE(SyscallSet{1}.subset_of(s));
        CHECK(SyscallSet{}.subset_of(s));
        CHECK(s.word(7) == std::uint64_t{1} << 63);
    }

    TEST_CASE("SyscallSet: 64 little-endian bytes, bit i of byte i / 8 is syscall i") {
        const SyscallSet s{0, 9, 63, 64, 511};
        const auto bytes = s.to_bytes();
        CHECK(bytes.size() == 64);
        CHECK(bytes[0] == std::byte{0x01});
        CHECK(bytes[1] == std::byte{0x02});
        CHECK(bytes[7] == std::byte{0x80});
        CHECK(bytes[8] == std::byte{0x01});
        CHECK(bytes[63] == std::byte{0x80});
        const auto back = SyscallSet::from_bytes(bytes);
        REQUIRE(back.has_value());
        CHECK(*back == s);
        std::array<std::byte, 65> longer{};
        CHECK((SyscallSet::from_bytes(longer).error() == std::errc::invalid_argument));
        CHECK((SyscallSet::from_bytes(std::span(longer).first(63)).error() ==
               std::errc::invalid_argument));
        CHECK((SyscallSet::from_bytes({}).error() == std::errc::invalid_argument));
    }

} // TEST_SUITE
