// SPDX-License-Identifier: MIT
// <ptrace/hana.hpp>: the register sets and the event record as Boost.Hana Structs, with the
// same member names, order and values as the library's own reflection.
#include <ptrace/detail/reflect.hpp>
#include <ptrace/event.hpp>
#include <ptrace/hana.hpp>
#include <ptrace/regs.hpp>

#include <boost/hana/at_key.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/keys.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/members.hpp>
#include <boost/hana/string.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace ptrace_api;
namespace hana = boost::hana;

namespace {

// Every member as "name=value" through Hana, then through the library's reflection.
template <class T>
std::vector<std::string> through_hana(const T& object) {
    std::vector<std::string> out;
    hana::for_each(hana::keys(object), [&](auto key) {
        const auto& value = hana::at_key(object, key);
        out.push_back(std::string(hana::to<const char*>(key)) + "=" + std::to_string(value));
    });
    return out;
}
template <class T>
std::vector<std::string> through_reflection(const T& object) {
    std::vector<std::string> out;
    detail::for_each_member(object, [&](std::string_view name, const auto& value) {
        out.push_back(std::string(name) + "=" + std::to_string(value));
    });
    return out;
}

} // namespace

TEST_SUITE("hana") {

    TEST_CASE("IntRegisters walks the same members in the same order through Hana") {
        IntRegisters regs{};
        std::uint64_t next = 1;
        detail::for_each_member(regs, [&](std::string_view, std::uint64_t& value) {
            value = next++; // distinct values, so that an order mix-up shows
        });
        const auto hana_view = through_hana(regs);
        CHECK(hana_view.size() == 21);
        CHECK(hana_view.front() == "r15=1");
        CHECK(hana_view.back() == "fs=21");
        CHECK(hana_view == through_reflection(regs));
    }

    TEST_CASE("EnvRegisters and PtraceEvent through Hana") {
        const EnvRegisters env{.fsbase = 7, .gsbase = 9};
        CHECK(through_hana(env) == std::vector<std::string>{"fsbase=7", "gsbase=9"});
        CHECK(through_hana(env) == through_reflection(env));

        const PtraceEvent event = PtraceEvent::of(PtraceFlags::STOP_SIGNAL, 10, 3);
        CHECK(decltype(hana::length(hana::members(event)))::value == 7);
        CHECK(hana::at_key(event, BOOST_HANA_STRING("cause")) == PtraceFlags::STOP_SIGNAL);
        CHECK(hana::at_key(event, BOOST_HANA_STRING("b")) == 3);
    }

    TEST_CASE("FloatRegisters has the same eleven members through Hana") {
        const FloatRegisters fp{};
        std::vector<std::string> names;
        hana::for_each(hana::keys(fp),
                       [&](auto key) { names.emplace_back(hana::to<const char*>(key)); });
        CHECK(names.size() == detail::member_count<FloatRegisters>);
        for (std::size_t i = 0; i < names.size(); ++i) {
            CHECK(names[i] == detail::member_names<FloatRegisters>[i]);
        }
    }
}
