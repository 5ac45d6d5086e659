// SPDX-License-Identifier: MIT
// The XSAVE area of a thread (`proc:<pid>/regs/xstate`, issue 13): its bytes in the standard
// (non-compacted) format, and a typed view of them: the legacy FXSAVE part, the XSAVE header,
// the enabled features (XCR0) and the AVX (ymm) and AVX-512 (opmask, zmm) registers.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/regs.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace ptrace_api {

/// A 256-bit (ymm) and a 512-bit (zmm) register, little-endian bytes as in the XSAVE area.
using Slot256 = std::array<std::uint8_t, 32>;
using Slot512 = std::array<std::uint8_t, 64>;

/// The XSAVE state components the view knows by name: their numbers are the bits of XCR0 and
/// of the header's xstate_bv (Intel SDM vol. 1, 13.1).
enum class XFeature : std::uint8_t {
    X87 = 0,      ///< legacy area: x87 state
    Sse = 1,      ///< legacy area: xmm0-15 (and MXCSR, with Avx)
    Avx = 2,      ///< YMM_Hi128: the upper halves of ymm0-15
    Opmask = 5,   ///< AVX-512 k0-7
    ZmmHi256 = 6, ///< AVX-512: the upper 256 bits of zmm0-15
    Hi16Zmm = 7,  ///< AVX-512: zmm16-31, whole
    Pkru = 9,     ///< protection keys rights register
};

/// The bit of `feature` in XCR0 and xstate_bv.
[[nodiscard]] constexpr std::uint64_t xfeature_bit(XFeature feature) noexcept {
    return std::uint64_t{1} << static_cast<unsigned>(feature);
}

/// Where one state component sits in the standard format: CPUID leaf 0xD, sub-leaf `i`
/// reports its offset (EBX) and size (EAX). Both 0: the CPU has no such user component.
struct XStateComponent {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;

    friend constexpr bool operator==(const XStateComponent&, const XStateComponent&) = default;
};

/// The standard-format layout of the XSAVE area on this CPU. The offsets of the extended
/// components (2 and up) are CPU-specific in principle, so they are taken from CPUID leaf 0xD
/// (the shim's `xstate_layout()`), never assumed. Components 0 and 1 live in the legacy area
/// at fixed places and have no entry.
struct XStateLayout {
    /// Entry `i` for component `i` (2 to 31; user components: XCR0's bits).
    std::array<XStateComponent, 32> components{};
    /// The size of a standard-format area holding every component the CPU supports
    /// (CPUID.(EAX=0xD, ECX=0):ECX); 0 when the CPU has no XSAVE.
    std::uint32_t max_size = 0;

    /// The place of `feature`'s component, or nothing (a legacy component, or one the CPU
    /// did not report).
    [[nodiscard]] constexpr std::optional<XStateComponent> find(XFeature feature) const noexcept {
        const auto i = static_cast<std::size_t>(feature);
        if (i < 2 || i >= components.size() || components[i].size == 0) {
            return std::nullopt;
        }
        return components[i];
    }

    friend constexpr bool operator==(const XStateLayout&, const XStateLayout&) = default;
};

/// The XSAVE area of a thread as Linux's PTRACE_GETREGSET NT_X86_XSTATE gives it (standard
/// format, its size the kernel's), with typed access to the registers in it.
///
/// Bytes 0-511 are the FXSAVE image (x87, MXCSR, xmm0-15); bytes 464-511 are the bytes the
/// CPU leaves to software, where Linux's ptrace puts the enabled user features (XCR0) as the
/// first 8 bytes (`xstate_fx_sw_bytes`, at 464; gdb reads it there too; the signal frame's
/// layout of these bytes, with its magic number, differs). Bytes 512-575 are the XSAVE header:
/// xstate_bv (512), xcomp_bv (520, always 0 in the standard format) and 48 reserved bytes.
/// The extended components follow at the offsets of the layout.
///
/// A component whose bit in xstate_bv is 0 is in its initial state whatever its bytes hold:
/// the getters read it as that state (zeros; for the x87 part FCW 0x37f; MXCSR 0x1f80 when
/// neither Sse nor Avx is set), and a setter that touches such a component first writes its
/// initial state into the bytes and sets its bit, so a write never brings back stale bytes.
/// A register of a component the CPU or the kernel has not enabled (its bit is 0 in XCR0),
/// or that lies outside the bytes, is absent: getters return nothing, setters false.
/// \pre register indexes in range (xmm and ymm 0-15, zmm 0-31, k 0-7), else the call aborts.
class XStateRegisters {
public:
    static constexpr std::size_t legacy_size = 512;
    static constexpr std::size_t header_offset = 512;
    /// The legacy area and the header: the smallest XSAVE area.
    static constexpr std::size_t min_size = 576;
    /// Where Linux's ptrace puts XCR0 (`xstate_fx_sw_bytes[0]`).
    static constexpr std::size_t xcr0_offset = 464;
    static constexpr std::uint32_t mxcsr_default = 0x1f80U;
    static constexpr std::uint16_t fcw_default = 0x37fU;

    /// An empty area: every register is absent.
    XStateRegisters() = default;
    /// A view of `bytes` (as read from `proc:<pid>/regs/xstate`) laid out by `layout`.
    XStateRegisters(std::vector<std::byte> bytes, const XStateLayout& layout)
        : bytes_(std::move(bytes)), layout_(layout) {}

    /// The whole area: what a write to `proc:<pid>/regs/xstate` takes back.
    // Spans from data() and size(), not from the vector: span's range constructor checks
    // the range concepts on std::vector in every translation unit that includes this header.
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
        return {bytes_.data(), bytes_.size()};
    }
    [[nodiscard]] std::span<std::byte> writable_bytes() noexcept {
        return {bytes_.data(), bytes_.size()};
    }
    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
    [[nodiscard]] const XStateLayout& layout() const noexcept { return layout_; }

    /// The enabled user features (XCR0) from the software-reserved bytes (0 for an empty area).
    [[nodiscard]] std::uint64_t xcr0() const noexcept;
    /// The header's xstate_bv: the components not in their initial state.
    [[nodiscard]] std::uint64_t xstate_bv() const noexcept;
    /// Replaces xstate_bv as it is (no initial state is written): for raw edits.
    /// \pre size() >= min_size.
    void set_xstate_bv(std::uint64_t bv) noexcept;
    /// The header's xcomp_bv (0: the standard format, the only one ptrace uses).
    [[nodiscard]] std::uint64_t xcomp_bv() const noexcept;

    /// Whether `feature` is enabled (its bit in XCR0) and its component lies in the bytes.
    [[nodiscard]] bool enabled(XFeature feature) const noexcept;
    /// Whether `feature`'s component is out of its initial state (its bit in xstate_bv).
    [[nodiscard]] bool in_use(XFeature feature) const noexcept;

    /// The legacy part (x87, MXCSR, xmm0-15) in the Redox layout, with the initial state for
    /// the components not in use. Nothing when the area is shorter than min_size.
    [[nodiscard]] std::optional<FloatRegisters> legacy() const noexcept;

    /// xmm`i` (0-15): the low 128 bits of ymm`i`/zmm`i`.
    [[nodiscard]] std::optional<Slot128> xmm(std::size_t i) const noexcept;
    /// Sets xmm`i` (0-15); the upper bits of ymm`i`/zmm`i` stay. False when absent.
    bool set_xmm(std::size_t i, const Slot128& value) noexcept;

    /// ymm`i` (0-15): xmm`i` and the YMM_Hi128 component. Nothing without AVX.
    [[nodiscard]] std::optional<Slot256> ymm(std::size_t i) const noexcept;
    /// Sets ymm`i` (0-15), marking Sse and Avx in use; zmm`i`'s upper half stays. False
    /// without AVX.
    bool set_ymm(std::size_t i, const Slot256& value) noexcept;

    /// The opmask register k`i` (0-7). Nothing without AVX-512.
    [[nodiscard]] std::optional<std::uint64_t> k(std::size_t i) const noexcept;
    /// Sets k`i` (0-7), marking Opmask in use. False without AVX-512.
    bool set_k(std::size_t i, std::uint64_t value) noexcept;

    /// zmm`i` (0-31): for 0-15 ymm`i` and the ZMM_Hi256 component, for 16-31 the Hi16_ZMM
    /// component. Nothing without AVX-512.
    [[nodiscard]] std::optional<Slot512> zmm(std::size_t i) const noexcept;
    /// Sets zmm`i` (0-31), marking its components in use. False without AVX-512.
    bool set_zmm(std::size_t i, const Slot512& value) noexcept;

    friend bool operator==(const XStateRegisters&, const XStateRegisters&) = default;

private:
    static constexpr std::size_t xmm_offset(std::size_t i) noexcept { return 160 + 16 * i; }

    template <class T>
    [[nodiscard]] T load(std::size_t at) const noexcept {
        T value{};
        std::memcpy(&value, bytes_.data() + at, sizeof value);
        return value;
    }
    template <class T>
    void store(std::size_t at, const T& value) noexcept {
        std::memcpy(bytes_.data() + at, &value, sizeof value);
    }

    /// \pre enabled(feature) for an extended component.
    [[nodiscard]] std::size_t component_offset(XFeature feature) const noexcept;

    /// Bytes of `feature`'s component at `at`: its initial state (zeros) when not in use.
    template <class Slot>
    [[nodiscard]] Slot part(XFeature feature, std::size_t at) const noexcept {
        Slot out{};
        if (in_use(feature)) {
            std::memcpy(out.data(), bytes_.data() + at, out.size());
        }
        return out;
    }

    /// Writes `value` at `at` into `feature`'s component, which is first brought into use.
    template <class Slot>
    void put(XFeature feature, std::size_t at, const Slot& value) noexcept {
        bring_into_use(feature);
        std::memcpy(bytes_.data() + at, value.data(), value.size());
    }

    /// Writes the initial state of `feature`'s component into the bytes when its bit is 0,
    /// then sets the bit: the bytes of a component not in use may be anything.
    void bring_into_use(XFeature feature) noexcept;

    template <class Out, class In>
    static void join(Out& out, std::size_t at, const In& in) noexcept {
        std::memcpy(out.data() + at, in.data(), in.size());
    }
    template <class Out, class In>
    static Out split(const In& in, std::size_t at) noexcept {
        Out out{};
        std::memcpy(out.data(), in.data() + at, out.size());
        return out;
    }

    std::vector<std::byte> bytes_;
    XStateLayout layout_{};
};

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/xstate.ipp>
#endif
