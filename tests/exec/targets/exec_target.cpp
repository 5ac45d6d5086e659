// SPDX-License-Identifier: MIT
// The program exec'd in the exec matrix (tests/exec), built twice: dynamic and -static.
//
//   exec_target MARKER CODE
//
// Opens MARKER (a path that does not exist: the tracer must read it from the new image's
// memory), then exits with CODE when it runs with the ids it was started with, CODE + 1 when
// the exec raised its effective user or group id (a set-user-ID program untraced), and
// CODE + 2 when the open did not fail with ENOENT.

#include <cerrno>
#include <cstdlib>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 3) {
        return 2;
    }
    const long fd = ::syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) {
        return std::atoi(argv[2]) + 2;
    }
    const bool raised = ::geteuid() != ::getuid() || ::getegid() != ::getgid();
    return std::atoi(argv[2]) + (raised ? 1 : 0);
}
