// SPDX-License-Identifier: MIT
// PtraceEvent: the 56-byte record of spec 1.2, its typed view, and its Debug text.
#include <ptrace/bytes.hpp>
#include <ptrace/event.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <sstream>
#include <vector>

using namespace ptrace_api;

TEST_SUITE("event") {

    TEST_CASE("C1: the record is 56 bytes, cause then a..f, no padding") {
        static_assert(sizeof(PtraceEvent) == 56);
        static_assert(offsetof(PtraceEvent, cause) == 0);
        static_assert(offsetof(PtraceEvent, a) == 8);
        static_assert(offsetof(PtraceEvent, f) == 48);
        const auto event = PtraceEvent::of(PtraceFlags::EVENT_CLONE, 1234);
        const auto bytes = as_bytes(event);
        CHECK(bytes.size() == 56);
        const auto back = from_bytes<PtraceEvent>(bytes);
        REQUIRE(back.has_value());
        CHECK(*back == event);
        CHECK_FALSE(from_bytes<PtraceEvent>(bytes.first(55)).has_value());
    }

    TEST_CASE("every cause has its typed view, and the view encodes back to the record") {
        using F = PtraceFlags;
        struct Case {
            PtraceEvent event;
            EventView view;
            const char* text;
        };
        const std::vector<Case> cases = {
            {PtraceEvent::of(F::STOP_PRE_SYSCALL), events::PreSyscall{}, "PreSyscall"},
            {PtraceEvent::of(F::STOP_POST_SYSCALL), events::PostSyscall{}, "PostSyscall"},
            {PtraceEvent::of(F::STOP_SINGLESTEP), events::SingleStep{}, "SingleStep"},
            {PtraceEvent::of(F::STOP_SIGNAL, 10, 0x401136), events::Signal{10, 0x401136},
             "Signal { signal: 10, handler: 0x401136 }"},
            {PtraceEvent::of(F::STOP_SIGNAL, 15, 1), events::Signal{15, 1},
             "Signal { signal: 15, handler: 0x1 }"},
            {PtraceEvent::of(F::STOP_BREAKPOINT), events::Breakpoint{}, "Breakpoint"},
            {PtraceEvent::of(F::STOP_EXIT, 0x700), events::Exit{WaitStatus{0x700}},
             "Exit { status: 0x700 }"},
            {PtraceEvent::of(F::EVENT_CLONE, 4321), events::Clone{4321}, "Clone { pid: 4321 }"},
            {PtraceEvent::of(F::STOP_EXEC, 4322), events::Exec{4322}, "Exec { former_tid: 4322 }"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.text);
            CHECK(view(c.event) == c.view);
            CHECK(to_event(c.view) == c.event);
            CHECK(to_string(c.view) == c.text);
        }
    }

    TEST_CASE("records that are not exactly one known cause are Unknown") {
        const auto two = PtraceEvent::of(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_EXIT);
        const auto reserved = PtraceEvent::of(PtraceFlags::from_bits_retain(0x200), 7);
        const auto empty = PtraceEvent::of(PtraceFlags::empty());
        for (const auto& event : {two, reserved, empty}) {
            const auto meaning = view(event);
            REQUIRE(std::holds_alternative<events::Unknown>(meaning));
            CHECK(std::get<events::Unknown>(meaning).event == event);
            CHECK(to_event(meaning) == event);
        }
        CHECK(to_string(view(reserved)) == "Unknown(PtraceEvent { cause: PtraceFlags(0x200), a: 7, "
                                           "b: 0, c: 0, d: 0, e: 0, f: 0 })");
    }

    TEST_CASE("Debug text of the record lists every field, Redox style") {
        std::ostringstream out;
        out << PtraceEvent::of(PtraceFlags::STOP_SIGNAL, 10, 1);
        CHECK(
            out.str() ==
            "PtraceEvent { cause: PtraceFlags(PTRACE_STOP_SIGNAL), a: 10, b: 1, c: 0, d: 0, e: 0, "
            "f: 0 }");
        std::ostringstream typed;
        typed << view(PtraceEvent::of(PtraceFlags::EVENT_CLONE, 9));
        CHECK(typed.str() == "Clone { pid: 9 }");
    }

    TEST_CASE("Signal tells SIG_DFL, SIG_IGN and a caught signal apart (D5)") {
        CHECK(events::Signal{2, 0}.is_default());
        CHECK(events::Signal{2, 1}.is_ignored());
        CHECK(events::Signal{2, 0x401000}.is_caught());
        CHECK_FALSE(events::Signal{2, 1}.is_caught());
    }

    TEST_CASE("WaitStatus decodes the wait(2) encoding of EXIT events (spec 1.2)") {
        struct Case {
            std::uint64_t raw;
            bool exited;
            int code;
            bool signaled;
            int signal;
        };
        const std::vector<Case> cases = {
            {0x0000, true, 0, false, 0},     {0x0700, true, 7, false, 0},
            {0xff00, true, 255, false, 0},   {0x0009, false, 0, true, 9},
            {0x000b, false, 0, true, 11},    {0x0005, false, 0, true, 5},
            {0x137f, false, 0, false, 0x7f},
        };
        for (const auto& c : cases) {
            CAPTURE(c.raw);
            const WaitStatus status{c.raw};
            CHECK(status.exited() == c.exited);
            CHECK(status.signaled() == c.signaled);
            if (c.exited) {
                CHECK(status.exit_code() == c.code);
            }
            if (c.signaled) {
                CHECK(status.term_signal() == c.signal);
            }
        }
    }

} // TEST_SUITE
