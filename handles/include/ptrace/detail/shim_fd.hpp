// SPDX-License-Identifier: MIT
// ShimFd: owns one kernel-shim handle (a real fd) and closes it through the shim.
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/shim/fd.hpp>

#include <string_view>

#include <sys/types.h>

namespace ptrace_api::detail {

/// Closes a shim handle through `shim::close`, which is what detaches or kills a tracee (I1,
/// A6); a plain ::close would leak the shim's session. \returns the shim's answer.
PTRACE_API_DECL Result<void> close_handle(int fd) noexcept;

/// ShimFd's way of closing (close_handle, its answer dropped).
struct CloseHandle {
    void operator()(int fd) const noexcept { (void)close_handle(fd); }
};

/// One open shim handle, closed through the shim (close_handle). Move-only.
class ShimFd : public shim::sys::UniqueFd<CloseHandle> {
public:
    using UniqueFd::UniqueFd;

    /// Opens the handle `kind` of `pid` (`proc:<pid>/<kind>`, A1) with `oflags` through the shim.
    [[nodiscard]] static Result<ShimFd> open(pid_t pid, std::string_view kind, int oflags);

    /// Closes the handle now (no-op when already closed) and reports the shim's answer.
    Result<void> close() noexcept { return valid() ? close_handle(release()) : Result<void>{}; }
};

} // namespace ptrace_api::detail

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/shim_fd.ipp>
#endif
