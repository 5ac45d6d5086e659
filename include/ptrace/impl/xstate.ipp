// SPDX-License-Identifier: MIT
// The out-of-line functions of xstate.hpp (XStateRegisters' typed view of the XSAVE area):
// included by that header in the header-only mode, and by src/ptrace_api.cpp alone in the
// separately compiled mode (config.hpp, PTRACE_API_DECL), where a translation unit that
// includes xstate.hpp compiles none of them.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/xstate.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

namespace ptrace_api {

PTRACE_API_DECL std::uint64_t XStateRegisters::xcr0() const noexcept {
    return bytes_.size() < legacy_size ? 0 : load<std::uint64_t>(xcr0_offset);
}

PTRACE_API_DECL std::uint64_t XStateRegisters::xstate_bv() const noexcept {
    return bytes_.size() < min_size ? 0 : load<std::uint64_t>(header_offset);
}

PTRACE_API_DECL void XStateRegisters::set_xstate_bv(std::uint64_t bv) noexcept {
    PTRACE_API_ASSERT(bytes_.size() >= min_size, "XStateRegisters: no XSAVE header");
    store(header_offset, bv);
}

PTRACE_API_DECL std::uint64_t XStateRegisters::xcomp_bv() const noexcept {
    return bytes_.size() < min_size ? 0 : load<std::uint64_t>(header_offset + 8);
}

PTRACE_API_DECL bool XStateRegisters::enabled(XFeature feature) const noexcept {
    if ((xcr0() & xfeature_bit(feature)) == 0 || bytes_.size() < min_size) {
        return false;
    }
    if (feature == XFeature::X87 || feature == XFeature::Sse) {
        return true;
    }
    const auto c = layout_.find(feature);
    return c && std::size_t{c->offset} + c->size <= bytes_.size();
}

PTRACE_API_DECL bool XStateRegisters::in_use(XFeature feature) const noexcept {
    return (xstate_bv() & xfeature_bit(feature)) != 0;
}

PTRACE_API_DECL std::optional<FloatRegisters> XStateRegisters::legacy() const noexcept {
    if (bytes_.size() < min_size) {
        return std::nullopt;
    }
    FloatRegisters f{};
    std::memcpy(&f, bytes_.data(), sizeof f);
    if (!in_use(XFeature::X87)) {
        const std::uint32_t mxcsr = f.mxcsr;
        const std::uint32_t mask = f.mxcsr_mask;
        const XmmSlots xmm = f.xmm_space;
        f = FloatRegisters{};
        f.fcw = fcw_default;
        f.mxcsr = mxcsr;
        f.mxcsr_mask = mask;
        f.xmm_space = xmm;
    }
    if (!in_use(XFeature::Sse)) {
        f.xmm_space = XmmSlots{};
    }
    if (!in_use(XFeature::Sse) && !in_use(XFeature::Avx)) {
        f.mxcsr = mxcsr_default;
    }
    return f;
}

PTRACE_API_DECL std::optional<Slot128> XStateRegisters::xmm(std::size_t i) const noexcept {
    PTRACE_API_ASSERT(i < 16, "XStateRegisters: xmm index out of range");
    if (!enabled(XFeature::Sse)) {
        return std::nullopt;
    }
    return part<Slot128>(XFeature::Sse, xmm_offset(i));
}

PTRACE_API_DECL bool XStateRegisters::set_xmm(std::size_t i, const Slot128& value) noexcept {
    PTRACE_API_ASSERT(i < 16, "XStateRegisters: xmm index out of range");
    if (!enabled(XFeature::Sse)) {
        return false;
    }
    put(XFeature::Sse, xmm_offset(i), value);
    return true;
}

PTRACE_API_DECL std::optional<Slot256> XStateRegisters::ymm(std::size_t i) const noexcept {
    PTRACE_API_ASSERT(i < 16, "XStateRegisters: ymm index out of range");
    if (!enabled(XFeature::Sse) || !enabled(XFeature::Avx)) {
        return std::nullopt;
    }
    Slot256 out{};
    join(out, 0, part<Slot128>(XFeature::Sse, xmm_offset(i)));
    join(out, 16, part<Slot128>(XFeature::Avx, component_offset(XFeature::Avx) + 16 * i));
    return out;
}

PTRACE_API_DECL bool XStateRegisters::set_ymm(std::size_t i, const Slot256& value) noexcept {
    PTRACE_API_ASSERT(i < 16, "XStateRegisters: ymm index out of range");
    if (!enabled(XFeature::Sse) || !enabled(XFeature::Avx)) {
        return false;
    }
    put(XFeature::Sse, xmm_offset(i), split<Slot128>(value, 0));
    put(XFeature::Avx, component_offset(XFeature::Avx) + 16 * i, split<Slot128>(value, 16));
    return true;
}

PTRACE_API_DECL std::optional<std::uint64_t> XStateRegisters::k(std::size_t i) const noexcept {
    PTRACE_API_ASSERT(i < 8, "XStateRegisters: opmask index out of range");
    if (!enabled(XFeature::Opmask)) {
        return std::nullopt;
    }
    const auto bytes = part<std::array<std::uint8_t, 8>>(
        XFeature::Opmask, component_offset(XFeature::Opmask) + 8 * i);
    std::uint64_t value = 0;
    std::memcpy(&value, bytes.data(), sizeof value);
    return value;
}

PTRACE_API_DECL bool XStateRegisters::set_k(std::size_t i, std::uint64_t value) noexcept {
    PTRACE_API_ASSERT(i < 8, "XStateRegisters: opmask index out of range");
    if (!enabled(XFeature::Opmask)) {
        return false;
    }
    std::array<std::uint8_t, 8> bytes{};
    std::memcpy(bytes.data(), &value, sizeof value);
    put(XFeature::Opmask, component_offset(XFeature::Opmask) + 8 * i, bytes);
    return true;
}

PTRACE_API_DECL std::optional<Slot512> XStateRegisters::zmm(std::size_t i) const noexcept {
    PTRACE_API_ASSERT(i < 32, "XStateRegisters: zmm index out of range");
    Slot512 out{};
    if (i >= 16) {
        if (!enabled(XFeature::Hi16Zmm)) {
            return std::nullopt;
        }
        return part<Slot512>(XFeature::Hi16Zmm,
                             component_offset(XFeature::Hi16Zmm) + 64 * (i - 16));
    }
    const auto low = ymm(i);
    if (!low || !enabled(XFeature::ZmmHi256)) {
        return std::nullopt;
    }
    join(out, 0, *low);
    join(out, 32, part<Slot256>(XFeature::ZmmHi256, component_offset(XFeature::ZmmHi256) + 32 * i));
    return out;
}

PTRACE_API_DECL bool XStateRegisters::set_zmm(std::size_t i, const Slot512& value) noexcept {
    PTRACE_API_ASSERT(i < 32, "XStateRegisters: zmm index out of range");
    if (i >= 16) {
        if (!enabled(XFeature::Hi16Zmm)) {
            return false;
        }
        put(XFeature::Hi16Zmm, component_offset(XFeature::Hi16Zmm) + 64 * (i - 16), value);
        return true;
    }
    if (!enabled(XFeature::ZmmHi256) || !set_ymm(i, split<Slot256>(value, 0))) {
        return false;
    }
    put(XFeature::ZmmHi256, component_offset(XFeature::ZmmHi256) + 32 * i,
        split<Slot256>(value, 32));
    return true;
}

PTRACE_API_DECL std::size_t XStateRegisters::component_offset(XFeature feature) const noexcept {
    return layout_.find(feature)->offset;
}

PTRACE_API_DECL void XStateRegisters::bring_into_use(XFeature feature) noexcept {
    if (in_use(feature)) {
        return;
    }
    if (feature == XFeature::Sse || feature == XFeature::Avx) {
        if (!in_use(XFeature::Sse) && !in_use(XFeature::Avx)) {
            store(24, mxcsr_default); // MXCSR belongs to Sse and Avx together
        }
    }
    if (feature == XFeature::Sse) {
        std::memset(bytes_.data() + xmm_offset(0), 0, 16 * 16);
    } else if (const auto c = layout_.find(feature)) {
        std::memset(bytes_.data() + c->offset, 0, c->size);
    }
    set_xstate_bv(xstate_bv() | xfeature_bit(feature));
}

} // namespace ptrace_api
