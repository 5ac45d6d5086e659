// SPDX-License-Identifier: MIT
// Software breakpoints and stepping (debugger kit, issue 13 item 1) on real tracees: the
// `stepping` program (tests/targets/stepping.cpp, -O0 with frame pointers), started traced by
// Inferior::launch. Addresses come from SymbolTable. Each case is bounded by a watchdog, and
// the Inferior kills and reaps its process when the case ends.
#include <ptrace/debugger/breakpoints.hpp>
#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/symbols.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "debugger_support.hpp"
#include "watchdog.hpp"

namespace dbg = ptrace_api::debugger;

namespace {

/// The stepping program started traced with `args`, its symbols, and a watchdog.
class Session {
public:
    explicit Session(std::vector<std::string> args)
        : watchdog_(std::chrono::seconds(20), std::chrono::seconds(10)) {
        ptrace_api::Command command;
        command.program = debugger_support::targets_dir() + "/stepping";
        command.args = std::move(args);
        auto inferior = dbg::Inferior::launch(command);
        REQUIRE_MESSAGE(inferior.has_value(), (inferior ? "" : inferior.error().describe()));
        inferior_.emplace(std::move(*inferior));
        watchdog_.watch(inferior_->pid());
        auto symbols = dbg::SymbolTable::load(inferior_->pid(), dbg::VdsoSymbols::Skip);
        REQUIRE_MESSAGE(symbols.has_value(), (symbols ? "" : symbols.error().describe()));
        symbols_.emplace(std::move(*symbols));
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() {
        if (inferior_ && !inferior_->exited()) {
            (void)inferior_->kill();
        }
        if (inferior_) {
            watchdog_.forget(inferior_->pid());
        }
        watchdog_.disarm();
    }

    dbg::Inferior& inferior() { return *inferior_; }
    dbg::Breakpoints& bps() { return inferior_->breakpoints(); }

    /// The address of the program's function `name`.
    std::uint64_t address(const char* name) const {
        const dbg::Symbol* symbol = symbols_->find(name);
        REQUIRE_MESSAGE(symbol != nullptr, "no symbol ", name);
        return symbol->address;
    }

    /// The name of the function holding `address`, or "".
    std::string function_at(std::uint64_t address) const {
        const auto at = symbols_->function_at(address);
        return at ? std::string(at->symbol->name) : std::string();
    }

    dbg::Stop next_stop() {
        auto stop = inferior_->cont();
        REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
        return *stop;
    }

    std::uint64_t rip(pid_t tid) { return regs(tid).rip; }

    ptrace_api::IntRegisters regs(pid_t tid) {
        auto r = inferior_->registers(tid);
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().describe()));
        return *r;
    }

    dbg::Stop step(pid_t tid) {
        auto stop = inferior_->step_instruction(tid);
        REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
        CHECK(stop->reason == dbg::StopReason::Step);
        return *stop;
    }

    /// Steps `tid` until rip is at a call instruction; \returns its length.
    std::size_t step_to_call(pid_t tid) {
        for (int i = 0; i < 32; ++i) {
            std::array<std::byte, 16> code{};
            REQUIRE(bps().read_memory(rip(tid), code).has_value());
            if (const auto length = dbg::call_instruction_length(code)) {
                return *length;
            }
            step(tid);
        }
        FAIL("no call within 32 instructions");
        return 0;
    }

    std::uint8_t raw_byte(std::uint64_t address) {
        auto b = bps().memory().read_value<std::uint8_t>(address);
        REQUIRE(b.has_value());
        return *b;
    }

private:
    test_support::Watchdog watchdog_;
    std::optional<dbg::Inferior> inferior_;
    std::optional<dbg::SymbolTable> symbols_;
};

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (const int v : values) {
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}

std::optional<std::size_t> call_length(std::initializer_list<int> values) {
    const std::vector<std::byte> code = bytes(values);
    return dbg::call_instruction_length(code);
}

} // namespace

TEST_CASE("Issue 13 breakpoints: the call instructions step_over decodes, and no others") {
    CHECK(call_length({0xe8, 0, 0, 0, 0}) == 5u);             // call rel32
    CHECK(call_length({0xe8, 0, 0}) == std::nullopt);         // cut short
    CHECK(call_length({0xff, 0xd2}) == 2u);                   // call *%rdx
    CHECK(call_length({0x41, 0xff, 0xd0}) == 3u);             // call *%r8
    CHECK(call_length({0x3e, 0xff, 0xd0}) == 3u);             // notrack call *%rax
    CHECK(call_length({0xff, 0x15, 1, 2, 3, 4}) == 6u);       // call *disp32(%rip)
    CHECK(call_length({0xff, 0x54, 0x24, 0x08}) == 4u);       // call *8(%rsp)
    CHECK(call_length({0xff, 0x14, 0x25, 1, 2, 3, 4}) == 7u); // call *disp32 (SIB, no base)
    CHECK(call_length({0xff, 0x50, 0x08}) == 3u);             // call *8(%rax)
    CHECK(call_length({0xff, 0x90, 1, 2, 3, 4}) == 6u);       // call *disp32(%rax)
    CHECK(call_length({0xff, 0x10}) == 2u);                   // call *(%rax)
    CHECK(call_length({0xff, 0xe0}) == std::nullopt);         // jmp *%rax (ff /4)
    CHECK(call_length({0xff, 0x18}) == std::nullopt);         // lcall (ff /3)
    CHECK(call_length({0x90}) == std::nullopt);               // nop
    CHECK(call_length({0xc3}) == std::nullopt);               // ret
}

TEST_CASE("Issue 13 breakpoints: a death by SIGTRAP is explained, not a bare status") {
    const std::string trap = dbg::Stop::describe_exit(ptrace_api::WaitStatus{SIGTRAP});
    CHECK(trap.find("SIGTRAP") != std::string::npos);
    CHECK(trap.find("FLAG_IGNORE") != std::string::npos);
    CHECK(dbg::Stop::describe_exit(ptrace_api::WaitStatus{3 << 8}) ==
          "process exited with status 3");
}

TEST_CASE("Issue 13 breakpoints: bad input is refused with an error naming the cause") {
    Session s({"basic"});
    dbg::Breakpoints& bps = s.bps();

    auto unmapped = bps.set(0x10);
    REQUIRE_FALSE(unmapped.has_value());
    CHECK(unmapped.error().code == std::errc::bad_address);
    CHECK(unmapped.error().message.find("no mapping") != std::string::npos);

    auto data = bps.set(s.address("sink"));
    REQUIRE_FALSE(data.has_value());
    CHECK(data.error().code == std::errc::permission_denied);
    CHECK(data.error().message.find("not in executable memory") != std::string::npos);

    const std::uint64_t add_one = s.address("add_one");
    REQUIRE(bps.set(add_one).has_value());
    auto twice = bps.set(add_one);
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().code == std::errc::file_exists);
    CHECK(twice.error().message.find("already") != std::string::npos);

    for (auto r : {bps.remove(add_one + 1), bps.enable(add_one + 1), bps.disable(add_one + 1),
                   bps.set_condition(add_one + 1, {})}) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == std::errc::no_such_file_or_directory);
        CHECK(r.error().message.find("no breakpoint") != std::string::npos);
    }
    CHECK(bps.list().size() == 1);
}

TEST_CASE("Issue 13 breakpoints: enable, disable, remove; reads show the original bytes and "
          "writes keep the int3") {
    Session s({"basic"});
    dbg::Breakpoints& bps = s.bps();
    const std::uint64_t add_one = s.address("add_one");
    const std::uint8_t original = s.raw_byte(add_one);
    REQUIRE(original != 0xcc);

    REQUIRE(bps.set(add_one).has_value());
    CHECK(s.raw_byte(add_one) == 0xcc);
    auto shown = bps.read_memory(add_one - 2, 6);
    REQUIRE(shown.has_value());
    CHECK(std::to_integer<std::uint8_t>((*shown)[2]) == original);

    REQUIRE(bps.disable(add_one).has_value());
    CHECK(s.raw_byte(add_one) == original);
    CHECK_FALSE(bps.find(add_one)->enabled);
    REQUIRE(bps.enable(add_one).has_value());
    CHECK(s.raw_byte(add_one) == 0xcc);

    // A write over the breakpoint: the new byte becomes the saved one, the int3 stays.
    auto four = bps.read_memory(add_one, 4);
    REQUIRE(four.has_value());
    std::vector<std::byte> changed = *four;
    changed[0] = std::byte{0x90};
    REQUIRE(bps.write_memory(add_one, changed).has_value());
    CHECK(s.raw_byte(add_one) == 0xcc);
    CHECK(s.raw_byte(add_one + 1) == std::to_integer<std::uint8_t>(changed[1]));
    CHECK(bps.read_memory(add_one, 1).value()[0] == std::byte{0x90});
    REQUIRE(bps.write_memory(add_one, *four).has_value()); // the program's bytes again
    CHECK(s.raw_byte(add_one) == 0xcc);
    CHECK(std::to_integer<std::uint8_t>(bps.read_memory(add_one, 1).value()[0]) == original);

    REQUIRE(bps.remove(add_one).has_value());
    CHECK(s.raw_byte(add_one) == original);
    CHECK(bps.find(add_one) == nullptr);
    CHECK(bps.list().empty());

    // Nothing of it is left: the program runs to its end and checks its own results.
    const dbg::Stop own = s.next_stop();
    CHECK(own.reason == dbg::StopReason::ForeignBreakpoint);
    const dbg::Stop end = s.next_stop();
    REQUIRE(end.reason == dbg::StopReason::Exited);
    CHECK(end.status.exited());
    CHECK(end.status.exit_code() == 0);
}

TEST_CASE("Issue 13 breakpoints: take_out keeps every int3 out of memory, set or enabled "
          "meanwhile, until the last put_back") {
    Session s({"basic"});
    dbg::Breakpoints& bps = s.bps();
    const std::uint64_t add_one = s.address("add_one");
    const std::uint64_t add_two = s.address("add_two");
    const std::uint64_t recurse = s.address("recurse");
    const std::uint8_t one = s.raw_byte(add_one);
    const std::uint8_t two = s.raw_byte(add_two);
    const std::uint8_t rec = s.raw_byte(recurse);
    REQUIRE(bps.set(add_one).has_value());
    REQUIRE(bps.set(recurse).has_value());
    REQUIRE(bps.disable(recurse).has_value());
    REQUIRE(bps.add_internal(add_two).has_value());
    CHECK(s.raw_byte(add_two) == 0xcc);

    REQUIRE(bps.take_out().has_value());
    CHECK(bps.taken_out());
    CHECK(s.raw_byte(add_one) == one);
    CHECK(s.raw_byte(add_two) == two);
    CHECK_FALSE(bps.inserted(add_one));
    CHECK(bps.inserted_sites().empty());
    CHECK(std::to_integer<std::uint8_t>(bps.read_memory(add_one, 1).value()[0]) == one);
    REQUIRE(bps.enable(recurse).has_value()); // asked for meanwhile: still out
    CHECK(s.raw_byte(recurse) == rec);
    REQUIRE(bps.take_out().has_value()); // a second vfork in flight
    REQUIRE(bps.put_back().has_value());
    CHECK(bps.taken_out());
    CHECK(s.raw_byte(add_one) == one);
    CHECK(s.raw_byte(recurse) == rec);

    REQUIRE(bps.put_back().has_value());
    CHECK_FALSE(bps.taken_out());
    CHECK(s.raw_byte(add_one) == 0xcc);
    CHECK(s.raw_byte(add_two) == 0xcc);
    CHECK(s.raw_byte(recurse) == 0xcc);
    REQUIRE(bps.disable(recurse).has_value());
    REQUIRE(bps.remove_internal(add_two).has_value());
    CHECK(s.raw_byte(recurse) == rec);
    CHECK(s.raw_byte(add_two) == two);
    CHECK(std::vector<std::uint64_t>{add_one} == bps.inserted_sites());
}

TEST_CASE("Issue 13 breakpoints: hit counts, a condition, the program's own int3, the end") {
    Session s({"basic"});
    const std::uint64_t add_one = s.address("add_one");
    std::vector<std::uint64_t> seen_args;
    // add_one runs with 0, 1, 2, 3, then 10 and 11 (add_two), then 5 (call_through).
    auto bp = s.bps().set(add_one, [&](pid_t, const ptrace_api::IntRegisters& regs) {
        seen_args.push_back(regs.rdi);
        return regs.rdi % 2 == 0;
    });
    REQUIRE(bp.has_value());
    std::vector<std::uint64_t> stopped_args;
    for (;;) {
        const dbg::Stop stop = s.next_stop();
        if (stop.reason != dbg::StopReason::Breakpoint) {
            // The program's own int3 in own_int3: reported, rip after it, resumed as it is.
            REQUIRE(stop.reason == dbg::StopReason::ForeignBreakpoint);
            CHECK(s.function_at(stop.address) == "own_int3");
            CHECK(stop.rip == stop.address + 1);
            CHECK(s.raw_byte(stop.address) == 0xcc);
            break;
        }
        CHECK(stop.address == add_one);
        CHECK(s.rip(stop.tid) == add_one); // moved back onto the breakpoint
        stopped_args.push_back(s.regs(stop.tid).rdi);
    }
    CHECK(seen_args == std::vector<std::uint64_t>{0, 1, 2, 3, 10, 11, 5});
    CHECK(stopped_args == std::vector<std::uint64_t>{0, 2, 10});
    CHECK((*bp)->hits == 3);
    CHECK((*bp)->filtered == 4);
    const dbg::Stop end = s.next_stop();
    REQUIRE(end.reason == dbg::StopReason::Exited);
    CHECK(end.status.exit_code() == 0);
    CHECK(end.describe() == "process exited with status 0");
    auto after = s.inferior().cont();
    REQUIRE_FALSE(after.has_value());
    CHECK(after.error().code == std::errc::no_such_process);
    CHECK(after.error().message.find("exited with status 0") != std::string::npos);
}

TEST_CASE("Issue 13 breakpoints: one under the resumed thread is stepped over by default, hit "
          "with BreakpointAtResume::Hit (the remote protocol's rule)") {
    Session s({"basic"});
    const std::uint64_t add_one = s.address("add_one");
    auto bp = s.bps().set(add_one);
    REQUIRE(bp.has_value());
    CHECK(s.inferior().breakpoint_at_resume() == dbg::BreakpointAtResume::StepOver);
    s.inferior().set_breakpoint_at_resume(dbg::BreakpointAtResume::Hit);

    // add_one runs with 0, 1, 2, 3, ... Hit: resumed at the breakpoint, the thread hits it
    // again at once, without running add_one (rdi is still 0), each hit counted.
    const dbg::Stop first = s.next_stop();
    REQUIRE(first.reason == dbg::StopReason::Breakpoint);
    CHECK(first.address == add_one);
    CHECK(s.regs(first.tid).rdi == 0);
    CHECK((*bp)->hits == 1);
    const dbg::Stop again = s.next_stop();
    REQUIRE(again.reason == dbg::StopReason::Breakpoint);
    CHECK(again.address == add_one);
    CHECK(again.tid == first.tid);
    CHECK(s.rip(again.tid) == add_one);
    CHECK(s.regs(again.tid).rdi == 0);
    CHECK((*bp)->hits == 2);
    // A step executes the int3 too: a hit, still at the breakpoint.
    auto stepped = s.inferior().step_instruction(first.tid);
    REQUIRE(stepped.has_value());
    CHECK(stepped->reason == dbg::StopReason::Breakpoint);
    CHECK(s.rip(first.tid) == add_one);
    CHECK((*bp)->hits == 3);
    // What a remote client does to pass it: take it out, step, put it back.
    REQUIRE(s.bps().disable(add_one).has_value());
    s.step(first.tid);
    CHECK(s.rip(first.tid) != add_one);
    REQUIRE(s.bps().enable(add_one).has_value());
    const dbg::Stop second = s.next_stop();
    REQUIRE(second.reason == dbg::StopReason::Breakpoint);
    CHECK(s.regs(second.tid).rdi == 1);
    CHECK((*bp)->hits == 4);

    // StepOver: the same resume goes past it, to the next call.
    s.inferior().set_breakpoint_at_resume(dbg::BreakpointAtResume::StepOver);
    const dbg::Stop third = s.next_stop();
    REQUIRE(third.reason == dbg::StopReason::Breakpoint);
    CHECK(s.regs(third.tid).rdi == 2);
    CHECK((*bp)->hits == 5);
    const dbg::Stop fourth = s.next_stop();
    REQUIRE(fourth.reason == dbg::StopReason::Breakpoint);
    CHECK(s.regs(fourth.tid).rdi == 3);
    CHECK((*bp)->hits == 6);

    // Non-stop: resume_thread() follows the same setting.
    REQUIRE(s.inferior().set_stop_mode(dbg::StopMode::NonStop).has_value());
    s.inferior().set_breakpoint_at_resume(dbg::BreakpointAtResume::Hit);
    const auto wait_stop = [&] {
        auto stop = s.inferior().wait_stop(std::chrono::seconds(10));
        REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
        REQUIRE(stop->has_value());
        return **stop;
    };
    REQUIRE(s.inferior().resume_thread(fourth.tid).has_value());
    const dbg::Stop held = wait_stop();
    REQUIRE(held.reason == dbg::StopReason::Breakpoint);
    CHECK(s.regs(held.tid).rdi == 3);
    CHECK((*bp)->hits == 7);
    s.inferior().set_breakpoint_at_resume(dbg::BreakpointAtResume::StepOver);
    REQUIRE(s.inferior().resume_thread(held.tid).has_value());
    const dbg::Stop passed = wait_stop();
    REQUIRE(passed.reason == dbg::StopReason::Breakpoint);
    CHECK(s.regs(passed.tid).rdi == 10);
    CHECK((*bp)->hits == 8);
}

TEST_CASE("Issue 13 stepping: step, next over e8 and ff /2 calls, finish, with a breakpoint at "
          "rip, and recursion") {
    Session s({"basic"});
    dbg::Breakpoints& bps = s.bps();
    const std::uint64_t add_one = s.address("add_one");
    const std::uint64_t add_two = s.address("add_two");
    auto two = bps.set(add_two);
    REQUIRE(two.has_value());

    const dbg::Stop hit = s.next_stop();
    REQUIRE(hit.reason == dbg::StopReason::Breakpoint);
    REQUIRE(hit.address == add_two);
    const pid_t tid = hit.tid;

    // stepi from the breakpoint: one instruction, no second hit.
    const dbg::Stop first = s.step(tid);
    CHECK(first.rip > add_two);
    CHECK(s.function_at(first.rip) == "add_two");
    CHECK((*two)->hits == 1);

    // next over `call add_one` while add_one has a breakpoint: the hit ends it early; finish
    // from add_one's entry ([rsp]) returns after the call.
    const std::size_t length = s.step_to_call(tid);
    CHECK(length == 5);
    const std::uint64_t call = s.rip(tid);
    REQUIRE(bps.set(add_one).has_value());
    auto early = s.inferior().step_over(tid);
    REQUIRE(early.has_value());
    CHECK(early->reason == dbg::StopReason::Breakpoint);
    CHECK(early->address == add_one);
    auto out = s.inferior().step_out(tid);
    REQUIRE(out.has_value());
    CHECK(out->reason == dbg::StopReason::Step);
    CHECK(out->rip == call + length);
    CHECK(s.rip(tid) == call + length);

    // next over the second call, with add_one's breakpoint disabled and one on the call
    // itself (at rip): the call runs once, the step ends after it.
    REQUIRE(bps.disable(add_one).has_value());
    const std::size_t length2 = s.step_to_call(tid);
    const std::uint64_t call2 = s.rip(tid);
    REQUIRE(bps.set(call2).has_value());
    auto next = s.inferior().step_over(tid);
    REQUIRE(next.has_value());
    CHECK(next->reason == dbg::StopReason::Step);
    CHECK(next->rip == call2 + length2);
    CHECK(bps.find(call2)->hits == 0);
    CHECK(s.regs(tid).rax == 12); // add_one(11)
    REQUIRE(bps.remove(call2).has_value());

    // finish from inside add_two (past its prologue: [rbp+8]) returns to main.
    auto back = s.inferior().step_out(tid);
    REQUIRE(back.has_value());
    CHECK(back->reason == dbg::StopReason::Step);
    CHECK(s.function_at(back->rip) == "main");

    // next over an indirect call (ff /2) in call_through.
    REQUIRE(bps.set(s.address("call_through")).has_value());
    const dbg::Stop through = s.next_stop();
    REQUIRE(through.reason == dbg::StopReason::Breakpoint);
    const std::size_t length3 = s.step_to_call(tid);
    const std::uint64_t call3 = s.rip(tid);
    CHECK(s.bps().read_memory(call3, 1).value()[0] == std::byte{0xff});
    auto indirect = s.inferior().step_over(tid);
    REQUIRE(indirect.has_value());
    CHECK(indirect->reason == dbg::StopReason::Step);
    CHECK(indirect->rip == call3 + length3);
    CHECK(s.regs(tid).rax == 6); // add_one(5)

    // The program's own int3, then recursion: next over recurse(2) inside recurse(3) must not
    // stop at the same return address reached first by the deeper calls.
    const dbg::Stop own = s.next_stop();
    CHECK(own.reason == dbg::StopReason::ForeignBreakpoint);
    REQUIRE(bps.set(s.address("recurse")).has_value());
    const dbg::Stop rec = s.next_stop();
    REQUIRE(rec.reason == dbg::StopReason::Breakpoint);
    CHECK(s.regs(tid).rdi == 3);
    REQUIRE(bps.disable(s.address("recurse")).has_value());
    const std::size_t length4 = s.step_to_call(tid);
    const std::uint64_t call4 = s.rip(tid);
    const std::uint64_t rsp = s.regs(tid).rsp;
    auto over_recursion = s.inferior().step_over(tid);
    REQUIRE(over_recursion.has_value());
    CHECK(over_recursion->reason == dbg::StopReason::Step);
    CHECK(over_recursion->rip == call4 + length4);
    CHECK(s.regs(tid).rsp == rsp);
    CHECK(s.regs(tid).rax == 2); // recurse(2), not a deeper call's result

    const dbg::Stop end = s.next_stop();
    REQUIRE(end.reason == dbg::StopReason::Exited);
    CHECK(end.status.exit_code() == 0);
}

TEST_CASE("Issue 13 breakpoints: threads hammering one breakpoint, every hit counted once") {
    constexpr int threads = 4;
    constexpr int calls = 60;
    Session s({"threads", std::to_string(threads), std::to_string(calls)});
    const std::uint64_t hammer = s.address("hammer");
    auto bp = s.bps().set(hammer);
    REQUIRE(bp.has_value());
    int stops = 0;
    std::set<pid_t> tids;
    for (;;) {
        const dbg::Stop stop = s.next_stop();
        if (stop.reason == dbg::StopReason::Exited) {
            CHECK(stop.status.exited());
            CHECK(stop.status.exit_code() == 0); // every call ran, nothing crashed
            break;
        }
        REQUIRE(stop.reason == dbg::StopReason::Breakpoint);
        CHECK(stop.address == hammer);
        ++stops;
        tids.insert(stop.tid);
    }
    CHECK(stops == threads * calls);
    CHECK((*bp)->hits == static_cast<std::uint64_t>(threads * calls));
    CHECK(tids.size() == static_cast<std::size_t>(threads));
}

TEST_CASE("Issue 13 breakpoints: threads through a conditional breakpoint, every hit judged "
          "once") {
    constexpr int threads = 3;
    constexpr int calls = 60;
    Session s({"threads", std::to_string(threads), std::to_string(calls)});
    auto bp = s.bps().set(s.address("hammer"), [](pid_t, const ptrace_api::IntRegisters& regs) {
        return regs.rdi % 3 == 0;
    });
    REQUIRE(bp.has_value());
    int stops = 0;
    for (;;) {
        const dbg::Stop stop = s.next_stop();
        if (stop.reason == dbg::StopReason::Exited) {
            CHECK(stop.status.exit_code() == 0);
            break;
        }
        REQUIRE(stop.reason == dbg::StopReason::Breakpoint);
        ++stops;
    }
    CHECK(stops == threads * calls / 3);
    CHECK((*bp)->hits == static_cast<std::uint64_t>(threads * calls / 3));
    CHECK((*bp)->filtered == static_cast<std::uint64_t>(threads * calls * 2 / 3));
}

TEST_CASE("Issue 13 breakpoints: a forked child runs without the int3s and is let go") {
    Session s({"fork"});
    const std::uint64_t add_one = s.address("add_one");
    auto bp = s.bps().set(add_one);
    REQUIRE(bp.has_value());
    // Only the parent's call stops; the child's copy of add_one has its original byte back
    // (else it would die by SIGTRAP, and the parent would exit with 1).
    const dbg::Stop hit = s.next_stop();
    REQUIRE(hit.reason == dbg::StopReason::Breakpoint);
    CHECK(hit.tid == s.inferior().pid());
    CHECK(s.regs(hit.tid).rdi == 2);
    const dbg::Stop end = s.next_stop();
    REQUIRE(end.reason == dbg::StopReason::Exited);
    CHECK(end.status.exited());
    CHECK(end.status.exit_code() == 0);
    CHECK((*bp)->hits == 1);
}

TEST_CASE("Issue 13 stepping: finish in one thread while the others pass its return address") {
    Session s({"threads", "3", "40"});
    const std::uint64_t hammer = s.address("hammer");
    REQUIRE(s.bps().set(hammer).has_value());
    const dbg::Stop hit = s.next_stop();
    REQUIRE(hit.reason == dbg::StopReason::Breakpoint);
    const std::uint64_t return_address =
        s.bps().memory().read_value<std::uint64_t>(s.regs(hit.tid).rsp).value();
    REQUIRE(s.bps().disable(hammer).has_value());
    // Every thread returns from hammer() to the same address; only hit.tid ends the finish.
    auto out = s.inferior().step_out(hit.tid);
    REQUIRE(out.has_value());
    CHECK(out->reason == dbg::StopReason::Step);
    CHECK(out->tid == hit.tid);
    CHECK(out->rip == return_address);
    CHECK(s.function_at(out->rip) == "hammer_thread");
    CHECK(s.bps().list().size() == 1); // the temporary breakpoint is gone
    CHECK_FALSE(s.bps().inserted(return_address));
    const dbg::Stop end = s.next_stop();
    REQUIRE(end.reason == dbg::StopReason::Exited);
    CHECK(end.status.exit_code() == 0);
}
