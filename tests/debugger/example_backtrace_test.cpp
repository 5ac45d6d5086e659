// SPDX-License-Identifier: MIT
// The debugger example's frame-pointer walk (examples/debugger/backtrace.hpp) on made-up
// stacks: where frame 0's return address is (in the body, at the entry, after push rbp), the
// chain up to a null rbp, the limit, and each way a chain can be broken.
#include <ptrace/debugger/maps.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backtrace.hpp"

using debugger_example::Backtrace;
using debugger_example::walk_frames;

namespace {

// Code at 0x1000-0x2000, the stack at 0x7000-0x8000.
const char* const maps_text = "00001000-00002000 r-xp 00000000 00:00 0 /prog\n"
                              "00007000-00008000 rw-p 00000000 00:00 0 [stack]\n";

/// Three frames above frame 0: rbp 0x7100 -> 0x7200 -> 0x7300 -> 0 (the outermost), with
/// return addresses 0x1200, 0x1300 and 0x1400; [rsp] = 0x1200 and [rsp + 8] = 0x1200 serve
/// the entry and after-push cases (the return address sits there before the frame is made).
std::map<std::uint64_t, std::uint64_t> stack() {
    return {
        {0x70f0, 0x1200}, {0x70f8, 0x1200}, {0x7100, 0x7200}, {0x7108, 0x1200},
        {0x7200, 0x7300}, {0x7208, 0x1300}, {0x7300, 0},      {0x7308, 0x1400},
    };
}

Backtrace walk(std::uint64_t code_at_rip, std::uint64_t rbp,
               const std::map<std::uint64_t, std::uint64_t>& memory, std::uint64_t limit = 64) {
    auto map = ptrace_api::debugger::parse_maps(maps_text);
    REQUIRE(map.has_value());
    ptrace_api::IntRegisters regs{};
    regs.rip = 0x1100;
    regs.rsp = 0x70f0;
    regs.rbp = rbp;
    const debugger_example::ReadWord read =
        [&](std::uint64_t address) -> std::optional<std::uint64_t> {
        if (address == regs.rip) {
            return code_at_rip;
        }
        const auto it = memory.find(address);
        return it == memory.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
    };
    return walk_frames(regs, read, *map, nullptr, limit);
}

std::vector<std::uint64_t> pcs(const Backtrace& bt) {
    std::vector<std::uint64_t> out;
    for (const auto& f : bt.frames) {
        out.push_back(f.pc);
    }
    return out;
}

constexpr std::uint64_t nops = 0x9090909090909090ULL;
constexpr std::uint64_t push_rbp = 0x9090909090909055ULL;
constexpr std::uint64_t endbr64 = 0x90909090fa1e0ff3ULL;
constexpr std::uint64_t mov_rbp_rsp = 0x9090909090e58948ULL;

} // namespace

TEST_CASE("debugger example: frames by frame pointers") {
    struct Row {
        const char* what;
        std::uint64_t code;
        std::uint64_t rbp; ///< rbp in frame 0
        std::vector<std::uint64_t> pcs;
    };
    const std::vector<Row> table = {
        // In the body: [rbp + 8] is the return address, [rbp] the caller's rbp.
        {"in the body", nops, 0x7100, {0x1100, 0x1200, 0x1300, 0x1400}},
        // At the first instruction: the return address at [rsp], rbp still the caller's.
        {"at push rbp", push_rbp, 0x7200, {0x1100, 0x1200, 0x1300, 0x1400}},
        {"at endbr64", endbr64, 0x7200, {0x1100, 0x1200, 0x1300, 0x1400}},
        // After push rbp: the return address at [rsp + 8].
        {"at mov rbp, rsp", mov_rbp_rsp, 0x7200, {0x1100, 0x1200, 0x1300, 0x1400}},
    };
    for (const Row& row : table) {
        CAPTURE(row.what);
        const Backtrace bt = walk(row.code, row.rbp, stack());
        CHECK(pcs(bt) == row.pcs);
        CHECK_FALSE(bt.more);
        CHECK(bt.broken == "");
        for (const auto& f : bt.frames) {
            CHECK(f.function == "??"); // no symbols given
        }
    }
}

TEST_CASE("debugger example: the limit of a backtrace") {
    const Backtrace two = walk(nops, 0x7100, stack(), 2);
    CHECK(pcs(two) == std::vector<std::uint64_t>{0x1100, 0x1200});
    CHECK(two.more);
    const Backtrace exact = walk(nops, 0x7100, stack(), 4);
    CHECK(pcs(exact).size() == 4);
    CHECK_FALSE(exact.more); // nothing above the fourth frame: no "more"
}

TEST_CASE("debugger example: a broken frame chain says why") {
    struct Row {
        const char* what;
        std::uint64_t address;
        std::optional<std::uint64_t> value; ///< nothing: unreadable
        std::size_t frames;
        std::string broken;
    };
    const std::vector<Row> table = {
        {"a saved rbp below its frame", 0x7200, 0x7000, 2, "the saved rbp 0x7000 is not above"},
        {"a return address in data", 0x7208, 0x7500, 2, "0x7500 is not code"},
        {"an unreadable return address", 0x7208, std::nullopt, 2,
         "cannot read the return address at 0x7208"},
        {"an unreadable rbp", 0x7200, std::nullopt, 2, "rbp 0x7200 is not readable"},
    };
    for (const Row& row : table) {
        CAPTURE(row.what);
        auto memory = stack();
        if (row.value) {
            memory[row.address] = *row.value;
        } else {
            memory.erase(row.address);
        }
        const Backtrace bt = walk(nops, 0x7100, memory);
        CHECK(bt.frames.size() == row.frames);
        CHECK(bt.broken.find(row.broken) != std::string::npos);
    }
    // In the outermost frame (rbp 0, as _start leaves it) there is nothing above.
    CHECK(pcs(walk(nops, 0, stack())) == std::vector<std::uint64_t>{0x1100});
    CHECK(walk(nops, 0, stack()).broken == "");
    // A null return address ends the walk quietly (nothing called the outermost frame).
    auto memory = stack();
    memory[0x7308] = 0;
    const Backtrace bt = walk(nops, 0x7100, memory);
    CHECK(pcs(bt) == std::vector<std::uint64_t>{0x1100, 0x1200, 0x1300});
    CHECK(bt.broken == "");
}
