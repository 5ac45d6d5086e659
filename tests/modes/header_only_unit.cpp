// SPDX-License-Identifier: MIT
// The header-only half of the mixed program (tests/meson.build, "mixed modes"): this unit is
// compiled without PTRACE_API_SEPARATE_COMPILATION, the other one with it.
#include <ptrace/tracer.hpp>

#include <string>

std::string attach_zero_header_only() {
    return ptrace_api::Tracer::attach(0).error().message();
}
