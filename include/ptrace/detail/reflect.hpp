// SPDX-License-Identifier: MIT
// Reflection of the record structs (registers, events) without a metaprogramming library:
// PTRACE_API_REFLECTED declares the members from `(type, name)` pairs, once, and gives the
// struct a nested `ptrace_api_reflection` with the member names as a constexpr array and a
// visit that calls a function on each member in declaration order. Only the preprocessor
// (detail/pp.hpp's loop) is involved, so a translation unit pays for one plain function per
// struct and visitor, not for a tuple of accessors per struct (issue 11, item 5: compile
// cost). <ptrace/hana.hpp> adapts the same structs to Boost.Hana for users who want it.
#pragma once

#include <ptrace/detail/pp.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace ptrace_api::detail {

/// A struct declared with PTRACE_API_REFLECTED.
template <class T>
concept Reflected = requires {
    T::ptrace_api_reflection::names;
};

/// The number of reflected members of T.
template <Reflected T>
inline constexpr std::size_t member_count = T::ptrace_api_reflection::names.size();

/// The member names of T, in declaration order.
template <Reflected T>
inline constexpr const auto& member_names = T::ptrace_api_reflection::names;

/// Calls `visit(name, member)` for every member of `object`, in declaration order.
template <class T, class Visit>
requires Reflected<std::remove_const_t<T>>
constexpr void for_each_member(T& object, Visit&& visit) {
    std::remove_const_t<T>::ptrace_api_reflection::visit(object, visit);
}

/// Calls `visit(member)` for the member called `name`; returns false when there is none.
template <class T, class Visit>
requires Reflected<std::remove_const_t<T>>
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

// Expansion helpers of PTRACE_API_REFLECTED; each element is a `(type, name)` pair.
#define PTRACE_API_DETAIL_REFLECT_MEMBER(unused, i, pair)                                          \
    PTRACE_API_DETAIL_PP_FIRST pair PTRACE_API_DETAIL_PP_SECOND pair;
#define PTRACE_API_DETAIL_REFLECT_NAME(unused, i, pair)                                            \
    PTRACE_API_DETAIL_PP_STRINGIZE(PTRACE_API_DETAIL_PP_SECOND pair),
#define PTRACE_API_DETAIL_REFLECT_VISIT(unused, i, pair)                                           \
    fn(names[i], object.PTRACE_API_DETAIL_PP_SECOND pair);

/// Declares the data members of a struct from `(type, name)` pairs, in order, and reflects
/// them (detail::member_names, detail::for_each_member):
///
///     struct EnvRegisters {
///         PTRACE_API_REFLECTED(EnvRegisters, (std::uint64_t, fsbase), (std::uint64_t, gsbase));
///     };
///
/// The members are public and the struct stays an aggregate with the same layout as if they
/// had been written out. A type that contains a comma needs an alias first; at most 64 members.
#define PTRACE_API_REFLECTED(Name, ...)                                                            \
    PTRACE_API_DETAIL_PP_FOR_EACH(PTRACE_API_DETAIL_REFLECT_MEMBER, ~, __VA_ARGS__)                \
    struct ptrace_api_reflection {                                                                 \
        static constexpr std::array<std::string_view, PTRACE_API_DETAIL_PP_COUNT(__VA_ARGS__)>     \
            names{PTRACE_API_DETAIL_PP_FOR_EACH(PTRACE_API_DETAIL_REFLECT_NAME, ~, __VA_ARGS__)};  \
        template <class Object, class Visit>                                                       \
        static constexpr void visit(Object& object, Visit& fn) {                                   \
            static_assert(std::is_same_v<std::remove_const_t<Object>, Name>);                      \
            PTRACE_API_DETAIL_PP_FOR_EACH(PTRACE_API_DETAIL_REFLECT_VISIT, ~, __VA_ARGS__)         \
        }                                                                                          \
    }
