// SPDX-License-Identifier: MIT
// Helpers of the tests that drive an Inferior (inferior_test.cpp, real_programs_test.cpp):
// launch a program, continue, take a fork child, wait for a non-stop report and look up a
// symbol, each failing
// the test case with the kit's own message when it fails.
#pragma once

#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/symbols.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace inferior_support {

namespace dbg = ptrace_api::debugger;

/// `program` with `args`, started traced and stopped before its first instruction.
inline dbg::Inferior launch(const std::string& program, const std::vector<std::string>& args) {
    ptrace_api::Command command;
    command.program = program;
    command.args = args;
    auto inferior = dbg::Inferior::launch(command);
    REQUIRE_MESSAGE(inferior.has_value(), (inferior ? "" : inferior.error().describe()));
    return std::move(*inferior);
}

/// cont(), its stop.
inline dbg::Stop cont(dbg::Inferior& inferior) {
    auto stop = inferior.cont();
    REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
    return *stop;
}

/// take_fork() of the held fork child `child`: its Inferior.
inline dbg::Inferior take_fork(dbg::Inferior& inferior, pid_t child) {
    auto taken = inferior.take_fork(child);
    REQUIRE_MESSAGE(taken.has_value(), (taken ? "" : taken.error().describe()));
    return std::move(*taken);
}

/// wait_stop() with a 10 s limit; fails the case on an error or a timeout.
inline dbg::Stop wait_stop(dbg::Inferior& inferior) {
    auto stop = inferior.wait_stop(std::chrono::seconds(10));
    REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
    REQUIRE_MESSAGE(stop->has_value(), "no stop within 10 s");
    return **stop;
}

/// The address of `name` in what process `pid` has mapped (before its first instruction: the
/// program's own symbols, not its libraries').
inline std::uint64_t symbol_address(pid_t pid, const char* name) {
    auto symbols = dbg::SymbolTable::load(pid, dbg::VdsoSymbols::Skip);
    REQUIRE_MESSAGE(symbols.has_value(), (symbols ? "" : symbols.error().describe()));
    const dbg::Symbol* symbol = symbols->find(name);
    REQUIRE_MESSAGE(symbol != nullptr, "no symbol ", name);
    return symbol->address;
}

} // namespace inferior_support
