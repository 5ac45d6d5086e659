// SPDX-License-Identifier: MIT
// Small flags types shaped like the ones in bitflags' own test suite (src/tests.rs), so that
// its documented cases can be ported one for one.
#pragma once

#include <ptrace/bitflags.hpp>

#include <cstdint>

namespace test_flags {

PTRACE_API_BITFLAGS(TestFlags, std::uint8_t, "", (A, 1), (B, 1 << 1), (C, 1 << 2));
PTRACE_API_BITFLAGS(TestFlagsInvert, std::uint8_t, "", (ABC, 1 | 1 << 1 | 1 << 2), (A, 1),
                    (B, 1 << 1), (C, 1 << 2));
PTRACE_API_BITFLAGS(TestZero, std::uint8_t, "", (ZERO, 0));
PTRACE_API_BITFLAGS(TestZeroOne, std::uint8_t, "", (ZERO, 0), (ONE, 1));
PTRACE_API_BITFLAGS(TestOverlapping, std::uint8_t, "", (AB, 1 | 1 << 1), (BC, 1 << 1 | 1 << 2));
PTRACE_API_BITFLAGS(TestOverlappingFull, std::uint8_t, "", (A, 1), (B, 1), (C, 1), (D, 1 << 1));
PTRACE_API_BITFLAGS(TestExternal, std::uint8_t, "", (A, 1), (B, 1 << 1), (C, 1 << 2),
                    (_external, 0xff));
PTRACE_API_BITFLAGS(TestExternalFull, std::uint8_t, "", (_external, 0xff));
PTRACE_API_BITFLAGS(Wide, std::uint64_t, "W_", (LOW, 1), (HIGH, std::uint64_t{1} << 63));

} // namespace test_flags
