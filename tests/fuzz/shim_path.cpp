// SPDX-License-Identifier: MIT
// Fuzzes the shim's `proc:` path parser (rule A1), the only text a program hands to open().
//
// Properties:
// - it agrees with the rule written out directly: `proc:`, one or more decimal digits whose
//   value fits a pid_t, `/`, then exactly one of the eight handle kinds; nothing else parses;
// - a parsed path printed back in canonical form by the shim's own handle_path() and
//   kind_name(), as fpath() does (no leading zeros), parses to the same task and kind;
// - every canonical path built from the input (any pid_t >= 0, any kind) parses to what it was
//   built from.
#include <ptrace/shim/proc.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "fuzz.hpp"

namespace {

using ptrace_api::shim::detail::HandleKind;
using ptrace_api::shim::detail::parse_path;

struct Kind {
    std::string_view name;
    HandleKind kind;
};
constexpr std::array<Kind, 9> kinds{{
    {"trace", HandleKind::Trace},
    {"regs/int", HandleKind::RegsInt},
    {"regs/float", HandleKind::RegsFloat},
    {"regs/env", HandleKind::RegsEnv},
    {"mem", HandleKind::Mem},
    {"syscalls", HandleKind::Syscalls},
    {"regs/xstate", HandleKind::RegsXState},
    {"regs/debug", HandleKind::RegsDebug},
    {"siginfo", HandleKind::Siginfo},
}};

struct Expected {
    pid_t tid;
    HandleKind kind;
};

/// Rule A1 written out: the reference the parser must agree with.
std::optional<Expected> reference(std::string_view path) {
    constexpr std::string_view scheme = "proc:";
    if (path.size() < scheme.size() || path.substr(0, scheme.size()) != scheme) {
        return std::nullopt;
    }
    path.remove_prefix(scheme.size());
    std::size_t digits = 0;
    while (digits < path.size() && path[digits] >= '0' && path[digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits == path.size() || path[digits] != '/') {
        return std::nullopt;
    }
    // The value, saturated: anything above pid_t's maximum is refused.
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        value = value * 10 + static_cast<std::uint64_t>(path[i] - '0');
        if (value > static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max())) {
            return std::nullopt;
        }
    }
    const std::string_view rest = path.substr(digits + 1);
    for (const Kind& k : kinds) {
        if (rest == k.name) {
            return Expected{static_cast<pid_t>(value), k.kind};
        }
    }
    return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view path = fuzz::as_text(data, size);
    const auto parsed = parse_path(path);
    const auto expected = reference(path);
    FUZZ_CHECK(parsed.has_value() == expected.has_value(), fuzz::escaped(path));
    if (parsed) {
        FUZZ_CHECK(parsed->tid == expected->tid && parsed->kind == expected->kind,
                   fuzz::escaped(path) + " -> " + std::to_string(parsed->tid));
        FUZZ_CHECK(parsed->tid >= 0, fuzz::escaped(path));
        const std::string canonical = ptrace_api::shim::detail::handle_path(
            parsed->tid, ptrace_api::shim::detail::kind_name(parsed->kind));
        const auto again = parse_path(canonical);
        FUZZ_CHECK(again && again->tid == parsed->tid && again->kind == parsed->kind, canonical);
    }

    // A canonical path built from the first bytes.
    fuzz::Input in(data, size);
    const auto tid = static_cast<pid_t>(
        in.take<std::uint32_t>() & static_cast<std::uint32_t>(std::numeric_limits<pid_t>::max()));
    const Kind& k = kinds[in.take<std::uint8_t>() % kinds.size()];
    const std::string built = "proc:" + std::to_string(tid) + "/" + std::string(k.name);
    const auto from_built = parse_path(built);
    FUZZ_CHECK(from_built && from_built->tid == tid && from_built->kind == k.kind, built);
    return 0;
}
