// SPDX-License-Identifier: MIT
// ShimFd: owns one kernel-shim handle (a real fd) and closes it through the shim.
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/proc.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace ptrace_api::detail {

/// The shim path of one handle kind of `pid` (A1): `proc:<pid>/<kind>`.
inline std::string proc_path(pid_t pid, const char* kind) {
    return "proc:" + std::to_string(pid) + "/" + kind;
}

/// One open shim handle. Closing goes through `shim::close`, which is what detaches or kills
/// a tracee (I1, A6); a plain ::close would leak the shim's session. Move-only.
class ShimFd {
public:
    ShimFd() noexcept = default;
    explicit ShimFd(int fd) noexcept : fd_(fd) {}

    ShimFd(ShimFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ShimFd& operator=(ShimFd&& other) noexcept {
        if (this != &other) {
            (void)close();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ShimFd(const ShimFd&) = delete;
    ShimFd& operator=(const ShimFd&) = delete;

    ~ShimFd() { (void)close(); }

    /// Opens `path` with `oflags` through the shim.
    [[nodiscard]] static Result<ShimFd> open(const std::string& path, int oflags) {
        auto fd = shim::open(path, oflags);
        if (!fd) {
            return Unexpected(fd.error());
        }
        return ShimFd(*fd);
    }

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }

    /// Closes the handle now (no-op when already closed) and reports the shim's answer.
    Result<void> close() noexcept {
        if (fd_ < 0) {
            return {};
        }
        const int fd = std::exchange(fd_, -1);
        try {
            return shim::close(fd);
        } catch (...) {
            return unexpected(std::errc::not_enough_memory); // the shim allocates; never throw
        }
    }

private:
    int fd_ = -1;
};

} // namespace ptrace_api::detail
