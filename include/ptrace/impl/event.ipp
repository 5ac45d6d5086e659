// SPDX-License-Identifier: MIT
// The out-of-line functions of event.hpp (the Debug text of an event and of its view):
// included by that header in the header-only mode, and by src/ptrace_api.cpp alone in the
// separately compiled mode (config.hpp, PTRACE_API_DECL).
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/debug_text.hpp>
#include <ptrace/detail/hex.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>

#include <string>
#include <variant>

namespace ptrace_api {

PTRACE_API_DECL std::string to_string(const PtraceEvent& event) {
    return detail::debug_struct("PtraceEvent", event);
}

PTRACE_API_DECL std::string to_string(const EventView& meaning) {
    // A switch on the index, not std::visit: see to_event.
    switch (meaning.index()) {
    case 0:
        return "PreSyscall";
    case 1:
        return "PostSyscall";
    case 2:
        return "SingleStep";
    case 3: {
        const events::Signal& s = *std::get_if<3>(&meaning);
        std::string out = "Signal { signal: " + std::to_string(s.signal) + ", handler: ";
        detail::append_hex(out, s.handler);
        return out + " }";
    }
    case 4:
        return "Breakpoint";
    case 5: {
        std::string out = "Exit { status: ";
        detail::append_hex(out, std::get_if<5>(&meaning)->status.raw);
        return out + " }";
    }
    case 6:
        return "Clone { pid: " + std::to_string(std::get_if<6>(&meaning)->pid) + " }";
    case 7:
        return "Exec { former_tid: " + std::to_string(std::get_if<7>(&meaning)->former_tid) + " }";
    default: // 8, events::Unknown
        break;
    }
    const auto* unknown = std::get_if<8>(&meaning);
    return "Unknown(" + to_string(unknown != nullptr ? unknown->event : PtraceEvent{}) + ")";
}

} // namespace ptrace_api
