// SPDX-License-Identifier: MIT
// The out-of-line functions of regs.hpp (the register sets' Debug text): included by that
// header in the header-only mode, and by src/ptrace_api.cpp alone in the separately compiled
// mode (config.hpp, PTRACE_API_DECL).
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/debug_text.hpp>
#include <ptrace/regs.hpp>

#include <string>

namespace ptrace_api {

PTRACE_API_DECL std::string to_string(const IntRegisters& regs) {
    return detail::debug_struct("IntRegisters", regs);
}

PTRACE_API_DECL std::string to_string(const FloatRegisters& regs) {
    return detail::debug_struct("FloatRegisters", regs);
}

PTRACE_API_DECL std::string to_string(const EnvRegisters& regs) {
    return detail::debug_struct("EnvRegisters", regs);
}

} // namespace ptrace_api
