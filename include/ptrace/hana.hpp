// SPDX-License-Identifier: MIT
// Opt-in: the register sets and the event record as Boost.Hana Structs, for generic code that
// walks them with Hana's algorithms (`hana::for_each`, `hana::keys`, `hana::members`, ...).
// The library itself reflects them with PTRACE_API_REFLECTED (detail/reflect.hpp), which costs
// a translation unit far less; this header costs what Hana costs, and only where included.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/regs.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include <array>
#include <cstddef>
#include <string_view>

// Hana's adaptation must be at global scope. The member lists repeat the declarations; the
// checks below compare them with the reflected names, so a list that drifts does not compile.
BOOST_HANA_ADAPT_STRUCT(ptrace_api::IntRegisters, r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8,
                        rax, rcx, rdx, rsi, rdi, rip, cs, rflags, rsp, ss, fs);
BOOST_HANA_ADAPT_STRUCT(ptrace_api::FloatRegisters, fcw, fsw, ftw, reserved, fop, fip, fdp, mxcsr,
                        mxcsr_mask, st_space, xmm_space);
BOOST_HANA_ADAPT_STRUCT(ptrace_api::EnvRegisters, fsbase, gsbase);
BOOST_HANA_ADAPT_STRUCT(ptrace_api::PtraceEvent, cause, a, b, c, d, e, f);

namespace ptrace_api::detail {

/// True when Hana's member names of T are the reflected ones, in the same order.
template <Reflected T>
consteval bool hana_matches_reflection() {
    return boost::hana::unpack(boost::hana::accessors<T>(), [](auto... accessor) {
        const std::array<std::string_view, sizeof...(accessor)> names{
            std::string_view(boost::hana::to<const char*>(boost::hana::first(accessor)))...};
        if (names.size() != member_count<T>) {
            return false;
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i] != member_names<T>[i]) {
                return false;
            }
        }
        return true;
    });
}

static_assert(hana_matches_reflection<IntRegisters>());
static_assert(hana_matches_reflection<FloatRegisters>());
static_assert(hana_matches_reflection<EnvRegisters>());
static_assert(hana_matches_reflection<PtraceEvent>());

} // namespace ptrace_api::detail
