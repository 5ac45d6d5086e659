// SPDX-License-Identifier: MIT
// Hardware watchpoints and breakpoints for a debugger (issue 13): set one in a slot of a
// thread's debug registers, or clear it, then read the registers back and compare, so that a
// caller learns at once when the thread does not hold what was asked (with a message naming
// the slot and the values). Built on Registers::get_debug/set_debug (`proc:<tid>/regs/debug`).
#pragma once

#include <ptrace/debug_registers.hpp>
#include <ptrace/debugger/error.hpp>
#include <ptrace/registers.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace ptrace_api::debugger {

namespace detail {

/// "slot 1 (write, 4 bytes at 0x1000)".
inline std::string describe_slot(std::size_t slot, const std::optional<Watchpoint>& w) {
    std::string out = "slot " + std::to_string(slot);
    if (!w) {
        return out + " (empty)";
    }
    return out + " (" + std::string(describe(w->kind)) + ", " + std::to_string(w->length) +
           (w->length == 1 ? " byte" : " bytes") + " at " + hex_address(w->address) + ")";
}

/// Writes `wanted` and reads the registers back: the set read, or a DebugError whose message
/// names `what` and the difference. The slots and DR7 are compared; DR6 is not (a debug trap
/// of a thread that was running may change it between the write and the read).
inline DebugResult<DebugRegisters> write_and_compare(Registers& regs, const DebugRegisters& wanted,
                                                     const std::string& what) {
    if (auto set = regs.set_debug(wanted); !set) {
        return DebugError{set.error(), "debug registers of " + std::to_string(regs.pid()) + ": " +
                                           what + ": the write was refused"};
    }
    auto back = regs.get_debug();
    if (!back) {
        return DebugError{back.error(), "debug registers of " + std::to_string(regs.pid()) + ": " +
                                            what + ": cannot read them back"};
    }
    for (std::size_t i = 0; i < DebugRegisters::slot_count; ++i) {
        if (back->get(i) != wanted.get(i)) {
            return debug_error(std::errc::io_error,
                               "debug registers of " + std::to_string(regs.pid()) + ": " + what +
                                   ": " + describe_slot(i, back->get(i)) +
                                   " reads back instead of " + describe_slot(i, wanted.get(i)));
        }
    }
    if (back->dr7() != wanted.dr7()) {
        return debug_error(std::errc::io_error, "debug registers of " + std::to_string(regs.pid()) +
                                                    ": " + what + ": DR7 reads back as " +
                                                    hex_address(back->dr7()) + " instead of " +
                                                    hex_address(wanted.dr7()));
    }
    return std::move(*back);
}

/// The problem of `w` in `slot` as a DebugError, or nothing.
inline std::optional<DebugError> refuse(std::size_t slot, const Watchpoint& w) {
    WatchpointProblem p =
        slot >= DebugRegisters::slot_count ? WatchpointProblem::BadSlot : DebugRegisters::check(w);
    if (p == WatchpointProblem::None) {
        return std::nullopt;
    }
    std::string what =
        p == WatchpointProblem::BadSlot ? "slot " + std::to_string(slot) : describe_slot(slot, w);
    return DebugError{watchpoint_errc(p),
                      "hardware watchpoint " + what + ": " + std::string(describe(p))};
}

} // namespace detail

/// Sets the watchpoint `w` in `slot` (0-3) of the thread behind `regs`, keeping the other
/// slots, and reads the debug registers back. Meant for a thread at a stop (a running one is
/// stopped for a moment by each access, J1). \returns the debug registers as read back.
/// \errors ERANGE slot > 3; EINVAL a bad length or kind, a misaligned address, an execution
/// breakpoint longer than 1 byte; EFAULT a range outside user space (the message names the
/// problem, DebugRegisters::check); ESRCH the thread is gone; ENOSPC Linux has no breakpoint
/// slot left; EIO the registers read back differ from what was written (the message says how).
inline DebugResult<DebugRegisters> set_watchpoint(Registers& regs, std::size_t slot,
                                                  const Watchpoint& w) {
    if (auto refused = detail::refuse(slot, w)) {
        return std::move(*refused);
    }
    auto current = regs.get_debug();
    if (!current) {
        return DebugError{current.error(), "debug registers of " + std::to_string(regs.pid()) +
                                               ": cannot read them"};
    }
    DebugRegisters wanted = *current;
    if (auto set = wanted.set(slot, w); !set) {
        return DebugError{set.error(), "hardware watchpoint " + detail::describe_slot(slot, w)};
    }
    return detail::write_and_compare(regs, wanted, "setting " + detail::describe_slot(slot, w));
}

/// A hardware breakpoint: set_watchpoint(regs, slot, {address, 1, WatchKind::Execute}). It
/// traps before the instruction at `address` runs, without writing to the program's text.
inline DebugResult<DebugRegisters> set_hw_breakpoint(Registers& regs, std::size_t slot,
                                                     std::uint64_t address) {
    return set_watchpoint(regs, slot, Watchpoint{address, 1, WatchKind::Execute});
}

/// Disables `slot` (0-3) and zeroes its address and fields, then reads the registers back.
/// \errors ERANGE slot > 3; ESRCH the thread is gone; EIO the read-back differs.
inline DebugResult<DebugRegisters> clear_watchpoint(Registers& regs, std::size_t slot) {
    if (slot >= DebugRegisters::slot_count) {
        return debug_error(std::errc::result_out_of_range,
                           "hardware watchpoint slot " + std::to_string(slot) + ": " +
                               std::string(describe(WatchpointProblem::BadSlot)));
    }
    auto current = regs.get_debug();
    if (!current) {
        return DebugError{current.error(), "debug registers of " + std::to_string(regs.pid()) +
                                               ": cannot read them"};
    }
    DebugRegisters wanted = *current;
    (void)wanted.clear(slot);
    return detail::write_and_compare(regs, wanted, "clearing slot " + std::to_string(slot));
}

/// Which slot the thread's last debug trap reported (DR6), if any: after a SIGTRAP stop, the
/// watchpoint or hardware breakpoint that fired. \errors ESRCH the thread is gone.
inline DebugResult<std::optional<std::size_t>> fired_slot(const Registers& regs) {
    auto current = regs.get_debug();
    if (!current) {
        return DebugError{current.error(), "debug registers of " + std::to_string(regs.pid()) +
                                               ": cannot read them"};
    }
    return current->fired_slot();
}

} // namespace ptrace_api::debugger
