// SPDX-License-Identifier: MIT
// Result<T>: values, errno errors, and value() throwing std::system_error with the code.
#include <ptrace/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <system_error>

using namespace ptrace_api;

namespace {
Result<int> half(int x) {
    if (x % 2 != 0) {
        return unexpected(std::errc::invalid_argument);
    }
    return x / 2;
}
} // namespace

TEST_SUITE("result") {

    TEST_CASE("a value is a success") {
        const auto r = half(8);
        REQUIRE(r.has_value());
        CHECK(static_cast<bool>(r));
        CHECK(*r == 4);
        CHECK(r.value() == 4);
        CHECK(r.value_or(-1) == 4);
        CHECK_FALSE(r.error());
    }

    TEST_CASE("an errno is an error in the generic category") {
        const auto r = half(7);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == std::errc::invalid_argument);
        CHECK(r.error().category() == std::generic_category());
        CHECK(r.value_or(-1) == -1);
        const Result<int> esrch = unexpected_errno(ESRCH);
        CHECK(esrch.error() == std::errc::no_such_process);
        CHECK(esrch.error().value() == 3);
    }

    TEST_CASE("value() throws std::system_error carrying the errno") {
        const auto r = half(7);
        try {
            (void)r.value();
            FAIL("value() did not throw");
        } catch (const std::system_error& e) {
            CHECK(e.code() == std::errc::invalid_argument);
        }
        const Result<void> failed = unexpected(std::errc::resource_unavailable_try_again);
        CHECK_THROWS_AS(failed.value(), std::system_error);
        CHECK(failed.error() == std::errc::resource_unavailable_try_again);
        const Result<void> ok;
        CHECK(ok.has_value());
        CHECK_NOTHROW(ok.value());
    }

    TEST_CASE("move-only values") {
        Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("x");
        REQUIRE(r);
        std::unique_ptr<std::string> taken = std::move(r).value();
        CHECK(*taken == "x");
        CHECK(r->get() == nullptr);
    }

    static_assert(!std::is_convertible_v<Result<int>, int>);
    static_assert(!std::is_convertible_v<Result<int>, bool>);
    static_assert(std::is_constructible_v<Result<int>, Unexpected>);

} // TEST_SUITE
