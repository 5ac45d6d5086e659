// SPDX-License-Identifier: MIT
// The only Boost.Hana glue: turns a struct declared with BOOST_HANA_DEFINE_STRUCT into
// constexpr arrays of member names and into per-member visits, so that names are written once.
#pragma once

#include <boost/hana/accessors.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace ptrace_api::detail {

/// A struct whose members Hana can enumerate (declared with BOOST_HANA_DEFINE_STRUCT).
template <class T>
concept Reflected = requires {
    boost::hana::accessors<T>();
};

/// The number of reflected members of T.
template <Reflected T>
inline constexpr std::size_t member_count =
    decltype(boost::hana::length(boost::hana::accessors<T>()))::value;

/// The member names of T, in declaration order.
template <Reflected T>
inline constexpr std::array<std::string_view, member_count<T>>
    member_names = boost::hana::unpack(boost::hana::accessors<T>(), [](auto... accessor) {
        return std::array<std::string_view, sizeof...(accessor)>{
            std::string_view(boost::hana::to<const char*>(boost::hana::first(accessor)))...};
    });

/// Calls `visit(name, member)` for every member of `object`, in declaration order.
template <Reflected T, class Visit>
constexpr void for_each_member(T& object, Visit&& visit) {
    boost::hana::for_each(boost::hana::accessors<std::remove_const_t<T>>(), [&](auto accessor) {
        visit(std::string_view(boost::hana::to<const char*>(boost::hana::first(accessor))),
              boost::hana::second(accessor)(object));
    });
}

/// Calls `visit(member)` for the member called `name`; returns false when there is none.
template <Reflected T, class Visit>
constexpr bool visit_member(T& object, std::string_view name, Visit&& visit) {
    bool found = false;
    for_each_member(object, [&](std::string_view member_name, auto& member) {
        if (!found && member_name == name) {
            found = true;
            visit(member);
        }
    });
    return found;
}

} // namespace ptrace_api::detail
