// SPDX-License-Identifier: MIT
// The builder of handle paths, `proc:<tid>/<kind>` (A1): all the RAII handles need of paths.hpp,
// without its access check (paths.hpp includes it).
#pragma once

#include <string>
#include <string_view>

#include <sys/types.h>

namespace ptrace_api::shim::detail {

/// The scheme of every handle path (A1).
inline constexpr std::string_view scheme = "proc:";

/// The path of the handle `kind` of task `tid`: `proc:<tid>/<kind>` (A1).
inline std::string handle_path(pid_t tid, std::string_view kind) {
    return std::string(scheme) + std::to_string(tid) + "/" + std::string(kind);
}

} // namespace ptrace_api::shim::detail
