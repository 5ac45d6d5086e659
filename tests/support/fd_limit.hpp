// SPDX-License-Identifier: MIT
// Fd exhaustion on demand, for the tests of what the library does when no fd is free.
#pragma once

#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace test_support {

/// Lowers RLIMIT_NOFILE so that exactly `spare` more fds can be opened (holes below the
/// highest open fd are filled first); restore() puts the limit back and closes the fillers.
class FdLimit {
public:
    explicit FdLimit(int spare) {
        (void)::getrlimit(RLIMIT_NOFILE, &saved_);
        int highest = 0;
        for (int fd = 0; fd < 4096; ++fd) {
            if (::fcntl(fd, F_GETFD) >= 0) {
                highest = fd;
            }
        }
        for (int fd = 0; fd < highest; ++fd) {
            if (::fcntl(fd, F_GETFD) < 0) {
                const int filler = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (filler >= 0) {
                    fillers_.push_back(filler);
                }
            }
        }
        rlimit low = saved_;
        low.rlim_cur = static_cast<rlim_t>(highest + 1 + spare);
        ok_ = ::setrlimit(RLIMIT_NOFILE, &low) == 0;
        // Other threads (the shim's tracer thread reads /proc) open and close fds meanwhile:
        // take every slot left, then give back exactly `spare`.
        for (;;) {
            const int filler = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (filler < 0) {
                break;
            }
            fillers_.push_back(filler);
        }
        for (int i = 0; i < spare && !fillers_.empty(); ++i) {
            (void)::close(fillers_.back());
            fillers_.pop_back();
        }
    }
    FdLimit(const FdLimit&) = delete;
    FdLimit& operator=(const FdLimit&) = delete;
    ~FdLimit() { restore(); }

    bool ok() const { return ok_; }

    /// Takes every fd still free (none is left after it).
    void take_spare() {
        for (;;) {
            const int filler = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (filler < 0) {
                return;
            }
            fillers_.push_back(filler);
        }
    }

    /// Frees `n` of the fds taken.
    void give_back(int n) {
        for (int i = 0; i < n && !fillers_.empty(); ++i) {
            (void)::close(fillers_.back());
            fillers_.pop_back();
        }
    }

    void restore() {
        if (restored_) {
            return;
        }
        restored_ = true;
        (void)::setrlimit(RLIMIT_NOFILE, &saved_);
        for (const int fd : fillers_) {
            (void)::close(fd);
        }
        fillers_.clear();
    }

private:
    rlimit saved_{};
    std::vector<int> fillers_;
    bool ok_ = false;
    bool restored_ = false;
};

} // namespace test_support
