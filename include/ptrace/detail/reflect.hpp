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

/// The member names of T, copied out of Hana's compile-time strings into storage of our own.
/// (Views into Hana's `string_storage` objects, kept in a constexpr table, make g++ 12 emit
/// those objects into the table's COMDAT group, which the linker may then discard.)
template <Reflected T>
struct MemberNames {
    static constexpr std::size_t count = member_count<T>;

    static constexpr std::size_t total_length() noexcept {
        return boost::hana::unpack(boost::hana::accessors<T>(), [](auto... accessor) {
            return (std::size_t{0} + ... +
                    (boost::hana::length(boost::hana::first(accessor)).value + 1));
        });
    }
    static constexpr std::array<char, total_length()> make_chars() noexcept {
        std::array<char, total_length()> result{};
        std::size_t at = 0;
        boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
            const std::string_view name =
                boost::hana::to<const char*>(boost::hana::first(accessor));
            for (const char c : name) {
                result[at++] = c;
            }
            result[at++] = '\0';
        });
        return result;
    }
    static constexpr std::array<char, total_length()> chars = make_chars();

    static constexpr std::array<std::string_view, count> make_views() noexcept {
        std::array<std::string_view, count> result{};
        std::size_t at = 0;
        for (std::size_t i = 0; i < count; ++i) {
            std::size_t length = 0;
            while (chars[at + length] != '\0') {
                ++length;
            }
            result[i] = std::string_view(chars.data() + at, length);
            at += length + 1;
        }
        return result;
    }
    static constexpr std::array<std::string_view, count> views = make_views();
};

/// The member names of T, in declaration order.
template <Reflected T>
inline constexpr const std::array<std::string_view, member_count<T>>& member_names =
    MemberNames<T>::views;

/// Calls `visit(name, member)` for every member of `object`, in declaration order.
template <Reflected T, class Visit>
constexpr void for_each_member(T& object, Visit&& visit) {
    std::size_t index = 0;
    boost::hana::for_each(boost::hana::accessors<std::remove_const_t<T>>(), [&](auto accessor) {
        visit(member_names<std::remove_const_t<T>>[index++], boost::hana::second(accessor)(object));
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
