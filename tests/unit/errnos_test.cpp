// SPDX-License-Identifier: MIT
// Tests the errno and signal name tables against glibc's strerrorname_np, strerror, sigabbrev_np.
#include <ptrace/errnos.hpp>
#include <ptrace/signals.hpp>

#include <doctest/doctest.h>

#include <climits>
#include <cstddef>
#include <optional>
#include <set>
#include <string.h>
#include <string>
#include <string_view>

#include <errno.h>
#include <signal.h>

using ptrace_api::errno_from_name;
using ptrace_api::errno_is_restart;
using ptrace_api::errno_message;
using ptrace_api::errno_name;
using ptrace_api::signal_name;
using ptrace_api::signal_number;

static_assert(errno_name(2) == "ENOENT");
static_assert(errno_message(2) == "No such file or directory");
static_assert(errno_from_name("EPERM") == 1);
static_assert(signal_name(11) == "SIGSEGV");
static_assert(signal_number("SIGRT_1") == 33);

namespace {

// glibc returns NULL for numbers it has no name for.
std::string_view libc_errno_name(int e) {
    const char* name = strerrorname_np(e);
    return name != nullptr ? std::string_view{name} : std::string_view{};
}

} // namespace

TEST_SUITE("errnos") {

    TEST_CASE("1..133 match glibc's strerrorname_np and strerror") {
        int named = 0;
        for (int e = 1; e <= 133; ++e) {
            CAPTURE(e);
            const std::string_view expected = libc_errno_name(e);
            CHECK(errno_name(e) == expected);
            if (expected.empty()) {
                CHECK(errno_message(e).empty());
                continue;
            }
            ++named;
            CHECK(errno_message(e) == std::string_view{strerror(e)});
            CHECK(errno_from_name(expected) == e);
            CHECK_FALSE(errno_is_restart(e));
        }
        CHECK(named == 131); // 41 and 58 are unused on Linux
        CHECK(errno_name(41).empty());
        CHECK(errno_name(58).empty());
    }

    TEST_CASE("errno names agree with the <errno.h> constants") {
        CHECK(errno_from_name("ENOENT") == ENOENT);
        CHECK(errno_from_name("EAGAIN") == EAGAIN);
        CHECK(errno_from_name("EINTR") == EINTR);
        CHECK(errno_from_name("ENOSYS") == ENOSYS);
        CHECK(errno_from_name("EHWPOISON") == EHWPOISON);
        CHECK(errno_from_name("EWOULDBLOCK") == EWOULDBLOCK);
        CHECK(errno_from_name("EDEADLOCK") == EDEADLOCK);
        CHECK(errno_from_name("ENOTSUP") == ENOTSUP);
        CHECK(errno_name(EWOULDBLOCK) == "EAGAIN");
        CHECK(errno_name(EDEADLOCK) == "EDEADLK");
        CHECK(errno_name(ENOTSUP) == "EOPNOTSUPP");
    }

    TEST_CASE("kernel-internal codes use strace's names and messages") {
        struct Case {
            int e;
            std::string_view name;
            std::string_view message;
        };
        const Case cases[] = {
            {512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
            {513, "ERESTARTNOINTR", "To be restarted"},
            {514, "ERESTARTNOHAND", "To be restarted if no handler"},
            {515, "ENOIOCTLCMD", "Unknown error 515"},
            {516, "ERESTART_RESTARTBLOCK", "Interrupted by signal"},
            {517, "EPROBE_DEFER", "Unknown error 517"},
            {518, "EOPENSTALE", "Unknown error 518"},
            {519, "ENOPARAM", "Unknown error 519"},
            {521, "EBADHANDLE", "Unknown error 521"},
            {522, "ENOTSYNC", "Unknown error 522"},
            {523, "EBADCOOKIE", "Unknown error 523"},
            {524, "ENOTSUPP", "Unknown error 524"},
            {525, "ETOOSMALL", "Unknown error 525"},
            {526, "ESERVERFAULT", "Unknown error 526"},
            {527, "EBADTYPE", "Unknown error 527"},
            {528, "EJUKEBOX", "Unknown error 528"},
            {529, "EIOCBQUEUED", "Unknown error 529"},
            {530, "ERECALLCONFLICT", "Unknown error 530"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.e);
            CHECK(errno_name(c.e) == c.name);
            CHECK(errno_message(c.e) == c.message);
            CHECK(errno_from_name(c.name) == c.e);
            const bool restart = c.e == 512 || c.e == 513 || c.e == 514 || c.e == 516;
            CHECK(errno_is_restart(c.e) == restart);
            if (!restart) {
                CHECK(errno_message(c.e) == std::string_view{strerror(c.e)}); // what strace prints
            }
        }
    }

    TEST_CASE("the table has unique names and numbers") {
        std::set<int> numbers;
        std::set<std::string_view> names;
        for (const auto& info : ptrace_api::errno_table) {
            CAPTURE(info.number);
            CHECK(numbers.insert(info.number).second);
            CHECK(names.insert(info.name).second);
            CHECK(!info.message.empty());
        }
        CHECK(ptrace_api::errno_table.size() == 131 + 18);
    }

    TEST_CASE("unknown errno numbers and names") {
        for (const int e : {0, -1, -2, 41, 58, 134, 200, 511, 520, 531, 4095, INT_MAX, INT_MIN}) {
            CAPTURE(e);
            CHECK(errno_name(e).empty());
            CHECK(errno_message(e).empty());
            CHECK_FALSE(errno_is_restart(e));
        }
        for (const std::string_view name :
             {"", "enoent", "ENOENT ", "E", "EFOO", "Unknown error 41"}) {
            CAPTURE(name);
            CHECK_FALSE(errno_from_name(name).has_value());
        }
    }

} // TEST_SUITE

TEST_SUITE("signals") {

    TEST_CASE("1..31 match sigabbrev_np with the SIG prefix, except strace's SIGIO for 29") {
        for (int sig = 1; sig <= 31; ++sig) {
            CAPTURE(sig);
            const char* abbrev = sigabbrev_np(sig);
            REQUIRE(abbrev != nullptr);
            const std::string expected = "SIG" + std::string{abbrev};
            if (sig == SIGIO) {
                // glibc names 29 "POLL" (or "IO" in other versions); strace prints SIGIO.
                CHECK((expected == "SIGPOLL" || expected == "SIGIO"));
                CHECK(signal_name(sig) == "SIGIO");
            } else {
                CHECK(signal_name(sig) == expected);
            }
            CHECK(signal_number(signal_name(sig)) == sig);
        }
    }

    TEST_CASE("signal names agree with the <signal.h> constants") {
        CHECK(signal_number("SIGHUP") == SIGHUP);
        CHECK(signal_number("SIGKILL") == SIGKILL);
        CHECK(signal_number("SIGSEGV") == SIGSEGV);
        CHECK(signal_number("SIGCHLD") == SIGCHLD);
        CHECK(signal_number("SIGSTOP") == SIGSTOP);
        CHECK(signal_number("SIGSYS") == SIGSYS);
        CHECK(signal_number("SIGIOT") == SIGIOT);
        CHECK(signal_number("SIGPOLL") == SIGPOLL);
        CHECK(signal_number("SIGRTMAX") == SIGRTMAX);
        CHECK(signal_name(SIGABRT) == "SIGABRT");
        CHECK(signal_name(SIGRTMAX) == "SIGRT_32");
        CHECK(signal_name(SIGRTMIN) == "SIGRT_2"); // glibc reserves the kernel's 32 and 33
    }

    TEST_CASE("real-time signals are spelled like strace: SIGRTMIN, then SIGRT_n") {
        CHECK(signal_name(32) == "SIGRTMIN");
        for (int sig = 33; sig <= 64; ++sig) {
            CAPTURE(sig);
            CHECK(signal_name(sig) == "SIGRT_" + std::to_string(sig - 32));
            CHECK(signal_number(signal_name(sig)) == sig);
        }
    }

    TEST_CASE("unknown signal numbers and names") {
        for (const int sig : {0, -1, 65, 128, INT_MAX, INT_MIN}) {
            CAPTURE(sig);
            CHECK(signal_name(sig).empty());
        }
        for (const std::string_view name : {"", "SEGV", "sigsegv", "SIGRT_0", "SIGRT_33", "SIG"}) {
            CAPTURE(name);
            CHECK_FALSE(signal_number(name).has_value());
        }
    }

} // TEST_SUITE
