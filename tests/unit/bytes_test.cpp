// SPDX-License-Identifier: MIT
// The AbiBytes concept: which types may be viewed as bytes, and which are refused at compile time.
#include <ptrace/bytes.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace ptrace_api;

namespace {
struct Padded {
    std::uint8_t small;
    std::uint64_t big; // 7 bytes of padding before this member
};
struct Dense {
    std::uint32_t a, b;
};
struct NotTrivial {
    std::string text;
};
} // namespace

// Padding bytes are indeterminate: such a type must never reach a file descriptor.
static_assert(!AbiBytes<Padded>);
template <class T>
concept Viewable = requires(T& value) {
    as_bytes(value);
    as_writable_bytes(value);
};
static_assert(!Viewable<Padded> && !Viewable<NotTrivial> && Viewable<Dense>);
static_assert(!AbiBytes<NotTrivial>);
static_assert(!AbiBytes<float>); // two representations of zero: not unique
static_assert(!AbiBytes<int*>);
static_assert(AbiBytes<Dense> && AbiBytes<std::uint64_t>);
static_assert(AbiBytes<PtraceFlags> && AbiBytes<PtraceEvent>);

TEST_SUITE("bytes") {

    TEST_CASE("from_bytes needs the exact size") {
        const Dense d{1, 2};
        const auto bytes = as_bytes(d);
        CHECK(from_bytes<Dense>(bytes)->b == 2);
        CHECK_FALSE(from_bytes<Dense>(bytes.first(4)).has_value());
    }

} // TEST_SUITE
