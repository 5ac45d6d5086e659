// SPDX-License-Identifier: MIT
// The debugger kit's hardware watchpoints (issue 13): set_watchpoint, set_hw_breakpoint and
// clear_watchpoint on a stopped real tracee (tests/targets/hwdebug.cpp, at its first int3),
// each returning the debug registers as read back; the refusals with their codes and messages;
// and fired_slot. Whether the hardware fires is tested in tests/integration/debugregs_test.cpp.
#include <ptrace/debug_registers.hpp>
#include <ptrace/debugger/watchpoints.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>

#include "debugger_support.hpp"
#include "watchdog.hpp"

namespace dbg = ptrace_api::debugger;
using ptrace_api::DebugRegisters;
using ptrace_api::PtraceFlags;
using ptrace_api::WatchKind;
using ptrace_api::Watchpoint;

namespace {

bool has_text(const dbg::DebugError& e, const std::string& text) {
    return e.message.find(text) != std::string::npos;
}

} // namespace

TEST_SUITE("debugger") {

    TEST_CASE("watchpoints: set, read back and cleared on a stopped tracee; refusals name the "
              "problem") {
        test_support::Watchdog dog(std::chrono::seconds(20));
        auto s = ptrace_api::spawn({debugger_support::targets_dir() + "/hwdebug", {}, {}, {}});
        REQUIRE_MESSAGE(s.has_value(), s.error().message());
        dog.watch(s->child.pid());
        ptrace_api::Tracer& tracer = s->tracer;
        const auto first = tracer.next(PtraceFlags::STOP_BREAKPOINT);
        REQUIRE(first.has_value());
        REQUIRE(first->cause == PtraceFlags::STOP_BREAKPOINT);
        const auto at_int3 = tracer.regs().get_int();
        REQUIRE(at_int3.has_value());
        const std::uint64_t variable = at_int3->rdi;
        const std::uint64_t function = at_int3->rsi;
        ptrace_api::Registers& regs = tracer.regs();

        const Watchpoint w{variable, 8, WatchKind::Write};
        auto set = dbg::set_watchpoint(regs, 2, w);
        REQUIRE_MESSAGE(set.has_value(), (set ? "" : set.error().describe()));
        CHECK(set->get(2) == w);
        auto bp = dbg::set_hw_breakpoint(regs, 0, function);
        REQUIRE_MESSAGE(bp.has_value(), (bp ? "" : bp.error().describe()));
        CHECK(bp->get(0) == Watchpoint{function, 1, WatchKind::Execute});
        CHECK(bp->get(2) == w); // the other slot kept
        CHECK(regs.get_debug().value() == *bp);
        const auto fired = dbg::fired_slot(regs);
        REQUIRE(fired.has_value());
        CHECK_FALSE(fired->has_value());

        // Refusals: the code says what kind of problem, the message which.
        struct Bad {
            std::size_t slot;
            Watchpoint w;
            std::errc errc;
            const char* text;
        };
        const Bad bads[] = {
            {4, w, std::errc::result_out_of_range, "slot 4: there are four slots"},
            {1,
             {variable + 4, 8, WatchKind::Write},
             std::errc::invalid_argument,
             "multiple of the length"},
            {1, {variable, 3, WatchKind::ReadWrite}, std::errc::invalid_argument, "1, 2, 4 or 8"},
            {1, {function, 8, WatchKind::Execute}, std::errc::invalid_argument, "length 1"},
            {1,
             {0xffff'8000'0000'0000ULL, 1, WatchKind::Write},
             std::errc::bad_address,
             "user space"},
        };
        for (const Bad& bad : bads) {
            const auto r = dbg::set_watchpoint(regs, bad.slot, bad.w);
            REQUIRE_FALSE(r.has_value());
            CAPTURE(r.error().describe());
            CHECK(r.error().code == std::make_error_code(bad.errc));
            CHECK(has_text(r.error(), bad.text));
        }
        CHECK(regs.get_debug().value() == *bp); // nothing changed
        const auto no_slot = dbg::clear_watchpoint(regs, 7);
        REQUIRE_FALSE(no_slot.has_value());
        CHECK(no_slot.error().code == std::make_error_code(std::errc::result_out_of_range));

        auto cleared = dbg::clear_watchpoint(regs, 2);
        REQUIRE_MESSAGE(cleared.has_value(), (cleared ? "" : cleared.error().describe()));
        CHECK_FALSE(cleared->enabled(2));
        CHECK(cleared->get(0) == Watchpoint{function, 1, WatchKind::Execute});
        cleared = dbg::clear_watchpoint(regs, 0);
        REQUIRE(cleared.has_value());
        CHECK(cleared->dr7() == 0);

        // The program runs on to its second int3 and its end.
        const auto second = tracer.next(PtraceFlags::STOP_BREAKPOINT | PtraceFlags::FLAG_IGNORE);
        REQUIRE(second.has_value());
        CHECK(second->cause == PtraceFlags::STOP_BREAKPOINT);
        const auto end = tracer.next(PtraceFlags::FLAG_IGNORE);
        REQUIRE_FALSE(end.has_value());
        CHECK(end.error() == std::make_error_code(std::errc::no_such_process));
        CHECK(s->child.wait().value().exit_code() == 0);

        // A thread that is gone: ESRCH, with the pid in the message.
        const auto gone = dbg::set_hw_breakpoint(regs, 0, function);
        REQUIRE_FALSE(gone.has_value());
        CHECK(gone.error().code == std::make_error_code(std::errc::no_such_process));
        CHECK(has_text(gone.error(), std::to_string(regs.pid())));
    }
}
