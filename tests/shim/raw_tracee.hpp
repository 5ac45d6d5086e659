// SPDX-License-Identifier: MIT
// The shim tests that drive a child with raw ptrace(2) (handler_probe_test.cpp,
// injector_test.cpp): a bounded wait, so that a broken probe or injection fails the test
// instead of hanging it, and the stopped child's siginfo, registers and saved mask, each
// failing the test when ptrace cannot read them.
#pragma once

#include <doctest/doctest.h>

#include <csignal>
#include <cstdint>

#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
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

/// The siginfo of the stop `pid` is in (PTRACE_GETSIGINFO).
inline siginfo_t siginfo_of(pid_t pid) {
    siginfo_t si{};
    REQUIRE(::ptrace(PTRACE_GETSIGINFO, pid, nullptr, &si) == 0);
    return si;
}

/// The registers of the stopped `pid` (PTRACE_GETREGS).
inline user_regs_struct regs_of(pid_t pid) {
    user_regs_struct r{};
    REQUIRE(::ptrace(PTRACE_GETREGS, pid, nullptr, &r) == 0);
    return r;
}

/// The mask PTRACE_GETSIGMASK reports for the stopped `pid`: the saved one while a
/// mask-swapping wait has its temporary mask in force.
inline std::uint64_t mask_of(pid_t pid) {
    std::uint64_t m = 0;
    REQUIRE(::ptrace(PTRACE_GETSIGMASK, pid, sizeof m, &m) == 0);
    return m;
}

} // namespace raw_tracee
