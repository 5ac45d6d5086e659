// SPDX-License-Identifier: MIT
// Result<T>: values, errno errors, and value() throwing std::system_error with the code.
#include <ptrace/result.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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

    // Result<T> is a tagged union (not std::variant): every special member must construct,
    // assign and destroy the value exactly as often as a variant would.
    TEST_CASE("the value's lifetime: constructed once, destroyed once, in every transition") {
        struct Counted {
            int* live;
            int tag;
            Counted(int* l, int t) : live(l), tag(t) { ++*live; }
            Counted(const Counted& o) : live(o.live), tag(o.tag) { ++*live; }
            Counted(Counted&& o) noexcept : live(o.live), tag(o.tag) { ++*live; }
            Counted& operator=(const Counted&) = default;
            Counted& operator=(Counted&&) noexcept = default;
            ~Counted() { --*live; }
        };
        int live = 0;
        {
            Result<Counted> a = Counted(&live, 1);
            CHECK(live == 1);      // the temporary and the parameter are gone
            Result<Counted> b = a; // copy of a value
            CHECK(live == 2);
            Result<Counted> e = unexpected(std::errc::no_such_process);
            CHECK(live == 2);
            Result<Counted> e2 = e; // copy of an error holds no value
            CHECK(live == 2);
            CHECK(e2.error() == std::errc::no_such_process);
            b = e; // value <- error: the value is destroyed
            CHECK(live == 1);
            CHECK_FALSE(b.has_value());
            CHECK(b.error() == std::errc::no_such_process);
            e = a; // error <- value: a value is constructed
            CHECK(live == 2);
            REQUIRE(e.has_value());
            CHECK(e->tag == 1);
            CHECK_FALSE(e.error());
            Result<Counted> c = Counted(&live, 3);
            CHECK(live == 3);
            c = a; // value <- value: assigned, no new object
            CHECK(live == 3);
            CHECK(c->tag == 1);
            Result<Counted> m = std::move(c); // a move constructs one more, c keeps its own
            CHECK(live == 4);
            e2 = std::move(m); // error <- value, by move
            CHECK(live == 5);
            REQUIRE(e2.has_value());
            CHECK(e2->tag == 1);
            e2 = unexpected(std::errc::invalid_argument); // from an Unexpected
            CHECK(live == 4);
            CHECK(e2.error() == std::errc::invalid_argument);
            auto& self = a;
            a = self; // self-assignment keeps the value
            CHECK(live == 4);
            CHECK(a->tag == 1);
        }
        CHECK(live == 0);
    }

    // The storage every result type shares (Result, FlagsParseResult, PolicyResult,
    // DebugResult): both alternatives with lifetimes of their own, and the assignments that
    // switch between them keep a value or an error when building the new one throws.
    TEST_CASE("detail::Expected: both alternatives constructed and destroyed in step") {
        struct Thing {
            int* live;
            bool throw_on_copy = false;
            explicit Thing(int* l) : live(l) { ++*live; }
            Thing(const Thing& o) : live(o.live), throw_on_copy(o.throw_on_copy) {
                if (throw_on_copy) {
                    throw std::runtime_error("copy");
                }
                ++*live;
            }
            Thing(Thing&& o) noexcept : live(o.live) { ++*live; }
            Thing& operator=(const Thing&) = default;
            Thing& operator=(Thing&&) noexcept = default;
            ~Thing() { --*live; }
        };
        using E = std::string; // an error with storage of its own
        using X = detail::Expected<Thing, E>;
        int live = 0;
        {
            X v(std::in_place_index<0>, &live);
            X e(std::in_place_index<1>, "no such process: a message longer than SSO holds");
            CHECK(live == 1);
            X v2 = v;
            X e2 = e;
            CHECK(live == 2);
            CHECK(e2.error() == e.error());
            v2 = e; // value -> error
            CHECK(live == 1);
            REQUIRE_FALSE(v2.has_value());
            CHECK(v2.error() == e.error());
            e2 = v; // error -> value
            CHECK(live == 2);
            REQUIRE(e2.has_value());
            e2 = std::move(v2); // value -> error, by move
            CHECK(live == 1);
            CHECK(e2.error() == e.error());

            // error -> value where building the value throws: the error is put back.
            X thrower(std::in_place_index<0>, &live);
            CHECK(live == 2);
            thrower.value().throw_on_copy = true;
            X keeps(std::in_place_index<1>, "kept");
            CHECK_THROWS_AS(keeps = thrower, std::runtime_error);
            REQUIRE_FALSE(keeps.has_value());
            CHECK(keeps.error() == "kept");
            CHECK(live == 2);
        }
        CHECK(live == 0);
    }

    TEST_CASE("dereferencing an error is a precondition failure: the message, then SIGABRT") {
        // In a forked copy of this process, its stderr into a pipe (and plain SIGABRT, not
        // doctest's crash report); alarm() bounds it should the check ever not abort.
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            (void)::alarm(10);
            (void)::signal(SIGABRT, SIG_DFL);
            (void)::dup2(fds[1], STDERR_FILENO);
            Result<int> failed = unexpected(std::errc::no_such_process);
            const int v = *failed;
            ::_exit(v == 0 ? 3 : 4); // not reached
        }
        ::close(fds[1]);
        std::string err;
        char buf[256];
        for (ssize_t n = 0; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
            err.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fds[0]);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGABRT);
        CHECK(err.find("dereferenced a Result that holds an error") != std::string::npos);
    }

    TEST_CASE("value_or and value() && move the value out") {
        Result<std::vector<int>> r = std::vector<int>{1, 2, 3};
        const std::vector<int> copy = r.value_or(std::vector<int>{});
        CHECK(copy.size() == 3);
        const std::vector<int> moved = std::move(r).value_or(std::vector<int>{});
        CHECK(moved.size() == 3);
        Result<std::vector<int>> failed = unexpected(std::errc::io_error);
        CHECK(std::move(failed).value_or(std::vector<int>{7}) == std::vector<int>{7});
        Result<std::string> s = std::string("abc");
        const std::string taken = std::move(s).value();
        CHECK(taken == "abc");
    }

    // Copyable, movable and noexcept exactly as the value is.
    static_assert(std::is_copy_constructible_v<Result<std::string>> &&
                  std::is_copy_assignable_v<Result<std::string>>);
    static_assert(!std::is_copy_constructible_v<Result<std::unique_ptr<int>>> &&
                  !std::is_copy_assignable_v<Result<std::unique_ptr<int>>>);
    static_assert(std::is_nothrow_move_constructible_v<Result<std::unique_ptr<int>>> &&
                  std::is_nothrow_move_assignable_v<Result<std::unique_ptr<int>>>);
    static_assert(!std::is_nothrow_copy_constructible_v<Result<std::string>>);
    static_assert(std::is_nothrow_copy_constructible_v<Result<int>>);
    static_assert(!std::is_default_constructible_v<Result<int>>);

    static_assert(!std::is_convertible_v<Result<int>, int>);
    static_assert(!std::is_convertible_v<Result<int>, bool>);
    static_assert(std::is_constructible_v<Result<int>, Unexpected>);

} // TEST_SUITE
