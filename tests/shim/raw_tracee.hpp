// SPDX-License-Identifier: MIT
// The shim tests that drive a child with raw ptrace(2) (handler_probe_test.cpp,
// injector_test.cpp): a bounded wait, so that a broken probe or injection fails the test
// instead of hanging it.
#pragma once

#include <doctest/doctest.h>

#include <csignal>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace raw_tracee {

/// Waits for `pid` (any stop or its end) for up to 5 s; past that it is killed and reaped, and
/// the test fails.
inline int wait_bounded(pid_t pid) {
    for (int i = 0; i < 500; ++i) {
        int status = 0;
        if (::waitpid(pid, &status, __WALL | WNOHANG) == pid) {
            return status;
        }
        ::usleep(10000);
    }
    (void)::kill(pid, SIGKILL);
    int status = 0;
    (void)::waitpid(pid, &status, __WALL);
    FAIL("tracee did not stop or exit within 5 s");
    return status;
}

} // namespace raw_tracee
