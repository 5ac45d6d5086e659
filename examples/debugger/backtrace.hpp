// SPDX-License-Identifier: MIT
// The debugger example's backtrace: the frames of a thread, found by following the frame
// pointers (the rbp chain). A pure function of the thread's registers, a way to read the
// process's memory, its memory map and its symbols; session.hpp prints what it finds.
//
// A function built with frame pointers (-fno-omit-frame-pointer, or -O0) starts with
// `push rbp; mov rbp, rsp`, so in its body [rbp] holds the caller's rbp and [rbp + 8] the
// return address into the caller: the frames form a linked list through rbp.
#pragma once

#include <ptrace/debugger/maps.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/regs.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "format.hpp"

namespace debugger_example {

/// One frame: where it is executing (frame 0: rip; the others: a return address) and in
/// which function ("factorial+42", "??" when no symbol covers it).
struct Frame {
    std::uint64_t pc = 0;
    std::string function;
};

/// The frames found, innermost first, and why the walk ended when it ended early (empty when
/// it reached main, the outermost frame, or the limit).
struct Backtrace {
    std::vector<Frame> frames;
    bool more = false; ///< it stopped at the limit: there are more frames
    std::string broken;
};

/// Reads 8 bytes of the process at an address, little-endian; nothing when unreadable.
using ReadWord = std::function<std::optional<std::uint64_t>(std::uint64_t)>;

/// Walks the frames of a thread whose registers are `regs`, at most `limit` of them. Stops
/// after `main` (as gdb does: below it is libc's start code, which keeps no frame pointer), at
/// a null rbp (`_start` clears it: the outermost frame), or where the chain is broken.
inline Backtrace walk_frames(const ptrace_api::IntRegisters& regs, const ReadWord& read,
                             const dbg::MemoryMap& map, const dbg::SymbolTable* symbols,
                             std::uint64_t limit) {
    Backtrace bt;
    // Adds the frame at `pc`; true when it is main's. A caller's pc is a return address, just
    // after its call, and a call can be a function's last instruction: the call itself
    // (pc - 1) says which function the frame is in.
    const auto add = [&](std::uint64_t pc, bool caller) {
        Frame f{pc, "??"};
        bool is_main = false;
        if (symbols != nullptr) {
            if (const auto at = symbols->function_at(caller ? pc - 1 : pc)) {
                f.function = std::string(at->symbol->name);
                if (pc != at->symbol->address) {
                    f.function += "+" + std::to_string(pc - at->symbol->address);
                }
                is_main = at->symbol->name == "main";
            }
        }
        bt.frames.push_back(std::move(f));
        return is_main;
    };
    if (add(regs.rip, false)) {
        return bt;
    }
    // Where frame 0's return address is depends on how far its function has got: at its first
    // instruction (where `break function` stops) nothing is pushed yet, the return address is
    // at [rsp] and rbp is still the caller's; after `push rbp` it is at [rsp + 8]; in the body
    // at [rbp + 8]. The instruction at rip tells (as Inferior::step_out decides it too).
    const std::uint64_t code = read(regs.rip).value_or(0);
    const auto byte = [&](unsigned i) { return (code >> (8 * i)) & 0xffU; };
    const bool at_entry = byte(0) == 0x55 /* push rbp */ || byte(0) == 0xc3 /* ret */ ||
                          (code & 0xffffffffU) == 0xfa1e0ff3U /* endbr64 */;
    const bool after_push = byte(0) == 0x48 && byte(1) == 0x89 && byte(2) == 0xe5; // mov rbp, rsp
    std::uint64_t slot = regs.rbp + 8; // where the next return address is
    std::uint64_t rbp = regs.rbp;      // the frame pointer of the frame that slot returns to
    if (at_entry) {
        slot = regs.rsp;
    } else if (after_push) {
        slot = regs.rsp + 8;
    } else if (rbp == 0) {
        return bt; // _start clears rbp: frame 0 is the outermost
    } else {
        const auto caller_rbp = read(rbp);
        if (!caller_rbp) {
            bt.broken = "rbp " + hex(rbp) + " is not readable";
            return bt;
        }
        rbp = *caller_rbp;
    }
    for (;;) {
        const auto pc = read(slot);
        if (!pc) {
            bt.broken = "cannot read the return address at " + hex(slot);
            return bt;
        }
        if (*pc == 0) {
            return bt;
        }
        const dbg::MapEntry* mapping = map.find(*pc);
        if (mapping == nullptr || !mapping->perms.execute) {
            bt.broken = hex(*pc) + " is not code; was a function built without frame pointers?";
            return bt;
        }
        if (bt.frames.size() >= limit) {
            bt.more = true; // a frame is there, but not asked for
            return bt;
        }
        if (add(*pc, true) || rbp == 0) {
            return bt;
        }
        // One frame up: its return address is above the rbp it saved.
        const auto next_rbp = read(rbp);
        if (!next_rbp) {
            bt.broken = "rbp " + hex(rbp) + " is not readable";
            return bt;
        }
        if (*next_rbp != 0 && *next_rbp <= rbp) {
            // The stack grows down: a caller's frame is always above its callee's.
            bt.broken = "the saved rbp " + hex(*next_rbp) + " is not above its frame";
            return bt;
        }
        slot = rbp + 8;
        rbp = *next_rbp;
    }
}

} // namespace debugger_example
