// SPDX-License-Identifier: MIT
// Owned file descriptors (UniqueFd) and the pidfd calls: the part of sys.hpp that the RAII
// handles use too, kept apart so that they include nothing heavier (sys.hpp includes it).
#pragma once

#include <cerrno>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api::shim::sys {

/// Closes `fd` if it is open. Never retried on EINTR: Linux has released the fd already.
inline void close_fd(int& fd) noexcept {
    if (fd >= 0) {
        (void)::close(fd);
        fd = -1;
    }
}

/// How UniqueFd closes by default: close(2), never retried on EINTR (Linux has released the fd
/// already), and errno kept, so an fd closed on an error path leaves the failing call's errno.
struct CloseFd {
    void operator()(int fd) const noexcept {
        const int saved = errno;
        (void)::close(fd);
        errno = saved;
    }
};

/// Owns one file descriptor (-1: none) and closes it with `Close` when destroyed, reset or
/// assigned over. Move-only; a moved-from object owns nothing.
template <class Close = CloseFd>
class UniqueFd {
public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}

    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    ~UniqueFd() { reset(); }

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }

    /// Gives up the fd without closing it; this object owns nothing afterwards.
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

    /// Closes the fd owned now, if any, and owns `fd` instead.
    void reset(int fd = -1) noexcept {
        if (const int old = std::exchange(fd_, fd); old >= 0) {
            Close{}(old);
        }
    }

private:
    int fd_ = -1;
};

/// A pidfd for `tid`: a thread pidfd (PIDFD_THREAD, Linux 6.9) when possible, so a non-leader
/// thread can be watched too; a process pidfd otherwise. -1 when neither works.
inline int pidfd_open(pid_t tid) noexcept {
    constexpr unsigned pidfd_thread = O_EXCL; // PIDFD_THREAD, not in glibc 2.36 headers
    long fd = ::syscall(SYS_pidfd_open, tid, pidfd_thread);
    if (fd < 0) {
        fd = ::syscall(SYS_pidfd_open, tid, 0U);
    }
    return static_cast<int>(fd);
}

/// pidfd_send_signal(2): signals the task the pidfd names, never a recycled pid.
inline int pidfd_send_signal(int pidfd, int sig) noexcept {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0U));
}

/// True when the task behind `pidfd` has exited (the pidfd polls readable), waiting up to
/// `timeout_ms` (0: just look).
inline bool pidfd_exited(int pidfd, int timeout_ms) noexcept {
    if (pidfd < 0) {
        return false;
    }
    pollfd p{pidfd, POLLIN, 0};
    for (;;) {
        const int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return r > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
    }
}

} // namespace ptrace_api::shim::sys
