// SPDX-License-Identifier: MIT
// InjectCall, the value type of syscall injection (decision 24): the words it holds, and that
// a seventh argument word is a compile error rather than dropped.
#include <ptrace/inject.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <sys/syscall.h>

namespace {

/// True when `Call(1, {1, 2, 3, 4, 5, 6, 7})` compiles (a template, so that the test can ask).
template <typename Call>
concept takes_seven_words = requires {
    Call(1, {1, 2, 3, 4, 5, 6, 7});
};
template <typename Call>
concept takes_six_words = requires {
    Call(1, {1, 2, 3, 4, 5, 6});
};

static_assert(takes_six_words<ptrace_api::InjectCall>);
static_assert(!takes_seven_words<ptrace_api::InjectCall>,
              "x86_64 passes six argument words: a seventh must not compile");

} // namespace

TEST_CASE("InjectCall holds the number, up to six words, the rest zero, and its buffers") {
    using ptrace_api::InjectCall;
    const InjectCall none(SYS_getpid, {});
    CHECK(none.nr == SYS_getpid);
    CHECK(none.args == std::array<std::uint64_t, 6>{});
    CHECK(none.buffers.empty());

    const InjectCall two(SYS_munmap, {0x7000, 4096});
    CHECK(two.args == std::array<std::uint64_t, 6>{0x7000, 4096, 0, 0, 0, 0});

    const InjectCall six(SYS_mmap, {1, 2, 3, 4, 5, 6});
    CHECK(six.args == std::array<std::uint64_t, 6>{1, 2, 3, 4, 5, 6});

    InjectCall write(SYS_write, {1, 0, 5});
    const std::array<std::byte, 5> text{std::byte{'h'}, std::byte{'e'}, std::byte{'l'},
                                        std::byte{'l'}, std::byte{'o'}};
    write.buffer(1, text).buffer(3, std::size_t{16});
    REQUIRE(write.buffers.size() == 2);
    CHECK(write.buffers[0].arg == 1);
    CHECK(write.buffers[0].bytes.size() == 5);
    CHECK(write.buffers[0].bytes[4] == std::byte{'o'});
    CHECK(write.buffers[1].arg == 3);
    CHECK(write.buffers[1].bytes == std::vector<std::byte>(16));
}
