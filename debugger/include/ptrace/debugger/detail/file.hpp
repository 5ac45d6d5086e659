// SPDX-License-Identifier: MIT
// Reads a whole file into memory with read(2), for the maps parser and the ELF reader. Files
// under /proc report a size of 0, so the loop reads until end of file instead of trusting
// fstat; a limit keeps a wrong path (a device, a huge file) from exhausting memory.
#pragma once

#include <ptrace/debugger/error.hpp>

#include <cerrno>
#include <cstddef>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace ptrace_api::debugger::detail {

/// The contents of `path`, at most `limit` bytes (EFBIG beyond).
/// \errors the errno of open(2) or read(2) (ENOENT, EACCES, ...); EFBIG past `limit`.
[[nodiscard]] inline DebugResult<std::vector<char>> read_file(const std::string& path,
                                                              std::size_t limit) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return debug_errno(errno, path + ": cannot open");
    }
    std::vector<char> out;
    std::size_t used = 0;
    for (;;) {
        if (out.size() - used < 4096) {
            out.resize(used + 65536);
        }
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int err = errno;
            (void)::close(fd);
            return debug_errno(err, path + ": cannot read");
        }
        if (n == 0) {
            break;
        }
        used += static_cast<std::size_t>(n);
        if (used > limit) {
            (void)::close(fd);
            return debug_error(std::errc::file_too_large,
                               path + ": larger than " + std::to_string(limit) + " bytes");
        }
    }
    (void)::close(fd); // read-only: nothing to lose; never retried (EINTR releases the fd)
    out.resize(used);
    return out;
}

} // namespace ptrace_api::debugger::detail
