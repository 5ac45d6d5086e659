// SPDX-License-Identifier: MIT
// The XSAVE view (issue 13) on synthetic areas: a layout like this machine's CPUID reports
// (AVX at 576, opmask 832, ZMM_Hi256 896, Hi16_ZMM 1408, 2432 bytes), initial-state reads of
// components whose xstate_bv bit is 0, and writes that bring a component into use.
#include <ptrace/xstate.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

using namespace ptrace_api;

namespace {

XStateLayout avx512_layout() {
    XStateLayout layout{};
    layout.components[2] = {576, 256};
    layout.components[5] = {832, 64};
    layout.components[6] = {896, 512};
    layout.components[7] = {1408, 1024};
    layout.max_size = 2432;
    return layout;
}

/// An area as the kernel makes it: XCR0 at 464, the given xstate_bv, and every byte
/// after the header set to `fill` (stale bytes, for the initial-state checks).
std::vector<std::byte> area(std::uint64_t xcr0, std::uint64_t bv, std::uint8_t fill,
                            std::size_t size = 2432) {
    std::vector<std::byte> bytes(size, std::byte{fill});
    std::memset(bytes.data(), 0, XStateRegisters::min_size);
    std::memcpy(bytes.data() + 464, &xcr0, sizeof xcr0);
    std::memcpy(bytes.data() + 512, &bv, sizeof bv);
    // Stale legacy bytes: an x87 control word and xmm bytes that are not in use.
    const std::uint16_t fcw = 0x1234;
    std::memcpy(bytes.data(), &fcw, sizeof fcw);
    std::memset(bytes.data() + 160, fill, 256);
    return bytes;
}

Slot256 pattern256(std::uint8_t base) {
    Slot256 s{};
    for (std::size_t j = 0; j < s.size(); ++j) {
        s[j] = static_cast<std::uint8_t>(base + j);
    }
    return s;
}

} // namespace

TEST_SUITE("regs") {

    TEST_CASE("XStateRegisters: an empty area has no register") {
        XStateRegisters x;
        CHECK(x.xcr0() == 0);
        CHECK(x.xstate_bv() == 0);
        CHECK_FALSE(x.legacy().has_value());
        CHECK_FALSE(x.xmm(0).has_value());
        CHECK_FALSE(x.ymm(15).has_value());
        CHECK_FALSE(x.zmm(31).has_value());
        CHECK_FALSE(x.k(7).has_value());
        CHECK_FALSE(x.set_ymm(0, Slot256{}));
    }

    TEST_CASE("XStateRegisters: XCR0 says what exists; xstate_bv what is out of initial state") {
        const XStateRegisters x(area(0xe7, 0x0, 0xaa), avx512_layout());
        CHECK(x.xcr0() == 0xe7);
        CHECK(x.enabled(XFeature::Avx));
        CHECK(x.enabled(XFeature::Hi16Zmm));
        CHECK_FALSE(x.enabled(XFeature::Pkru));
        CHECK_FALSE(x.in_use(XFeature::Avx));
        // Stale bytes of components not in use read as their initial state.
        CHECK(x.ymm(3) == Slot256{});
        CHECK(x.zmm(20) == Slot512{});
        CHECK(x.k(1) == std::uint64_t{0});
        const auto legacy = x.legacy();
        REQUIRE(legacy.has_value());
        CHECK(legacy->fcw == 0x37f);
        CHECK(legacy->mxcsr == 0x1f80);
        CHECK(legacy->xmm_space[0] == Slot128{});

        // AVX only: AVX-512 registers are absent, ymm present.
        const XStateRegisters avx(area(0x7, 0x7, 0xaa), avx512_layout());
        CHECK(avx.ymm(0).has_value());
        CHECK_FALSE(avx.zmm(0).has_value());
        CHECK_FALSE(avx.zmm(16).has_value());
        CHECK_FALSE(avx.k(0).has_value());
        // Without XCR0 in the software bytes nothing is known to be enabled.
        CHECK_FALSE(XStateRegisters(area(0x0, 0x7, 0), avx512_layout()).ymm(0).has_value());
        // A layout without the component, or an area too short for it: absent.
        CHECK_FALSE(XStateRegisters(area(0x7, 0x7, 0), XStateLayout{}).ymm(0).has_value());
        CHECK_FALSE(
            XStateRegisters(area(0xe7, 0xe7, 0, 1408), avx512_layout()).zmm(16).has_value());
    }

    TEST_CASE("XStateRegisters: ymm is xmm plus YMM_Hi128 at the layout's offset") {
        auto bytes = area(0x7, 0x7, 0);
        for (std::size_t j = 0; j < 16; ++j) {
            bytes[160 + 16 * 2 + j] = std::byte{static_cast<std::uint8_t>(j)};
            bytes[576 + 16 * 2 + j] = std::byte{static_cast<std::uint8_t>(0x80 + j)};
        }
        const XStateRegisters x(bytes, avx512_layout());
        const auto y = x.ymm(2);
        REQUIRE(y.has_value());
        CHECK((*y)[0] == 0);
        CHECK((*y)[15] == 15);
        CHECK((*y)[16] == 0x80);
        CHECK((*y)[31] == 0x8f);
        CHECK(x.xmm(2).value()[15] == 15);
    }

    TEST_CASE("XStateRegisters: setting a register brings its components into use, in their "
              "initial state") {
        XStateRegisters x(area(0xe7, 0x0, 0xaa), avx512_layout());
        REQUIRE(x.set_ymm(5, pattern256(1)));
        CHECK(x.xstate_bv() == 0x6);
        CHECK(x.ymm(5) == pattern256(1));
        // The other registers of the components came in as zeros, not as the stale bytes.
        CHECK(x.ymm(4) == Slot256{});
        CHECK(x.xmm(0) == Slot128{});
        CHECK(x.legacy()->mxcsr == 0x1f80);
        CHECK(x.bytes()[576] == std::byte{0});
        // The x87 part stays out of use.
        CHECK_FALSE(x.in_use(XFeature::X87));

        Slot512 z{};
        z.fill(0x5a);
        REQUIRE(x.set_zmm(5, z));
        CHECK(x.xstate_bv() == 0x46);
        CHECK(x.zmm(5) == z);
        CHECK(x.zmm(6) == Slot512{});
        REQUIRE(x.set_zmm(31, z));
        CHECK(x.xstate_bv() == 0xc6);
        CHECK(x.zmm(31) == z);
        CHECK(x.zmm(16) == Slot512{});
        REQUIRE(x.set_k(7, 0xfedc'ba98'7654'3210));
        CHECK(x.xstate_bv() == 0xe6);
        CHECK(x.k(7) == std::uint64_t{0xfedc'ba98'7654'3210});
        CHECK(x.k(0) == std::uint64_t{0});

        // Sse alone keeps MXCSR as it is.
        XStateRegisters y(area(0x7, 0x4, 0), avx512_layout());
        const std::uint32_t mxcsr = 0x1fc0;
        std::memcpy(y.writable_bytes().data() + 24, &mxcsr, sizeof mxcsr);
        REQUIRE(y.set_xmm(0, Slot128{1}));
        CHECK(y.legacy()->mxcsr == 0x1fc0);
        CHECK(y.xstate_bv() == 0x6);
    }

    TEST_CASE("XStateRegisters: equality compares the bytes and the layout") {
        const XStateRegisters a(area(0x7, 0x7, 0), avx512_layout());
        XStateRegisters b = a;
        CHECK(a == b);
        REQUIRE(b.set_ymm(0, pattern256(9)));
        CHECK_FALSE(a == b);
    }
}
