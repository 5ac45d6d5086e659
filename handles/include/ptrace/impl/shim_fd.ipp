// SPDX-License-Identifier: MIT
// The out-of-line functions of detail/shim_fd.hpp: included by that header in the header-only
// mode, and by src/ptrace_api.cpp alone in the separately compiled mode (api.hpp).
#pragma once

#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/shim/handle_path.hpp>

#include <string_view>
#include <system_error>

#include <sys/types.h>

namespace ptrace_api::detail {

PTRACE_API_DECL Result<void> close_handle(int fd) noexcept {
    try {
        return shim::close(fd);
    } catch (...) {
        return unexpected(std::errc::not_enough_memory); // the shim allocates; never throw
    }
}

PTRACE_API_DECL Result<ShimFd> ShimFd::open(pid_t pid, std::string_view kind, int oflags) {
    auto fd = shim::open(shim::detail::handle_path(pid, kind), oflags);
    if (!fd) {
        return Unexpected(fd.error());
    }
    return ShimFd(*fd);
}

} // namespace ptrace_api::detail
