// SPDX-License-Identifier: MIT
// The siginfo record the decision 27 write tests put back: SIGUSR1 as sigqueue(3) from pid
// 4321 with the value 42 sends it. The `siginfo_check` mode of tests/targets/tracee.cpp has a
// SA_SIGINFO handler that exits 0 for exactly this record.
#pragma once

#include <ptrace/signal_info.hpp>

#include <csignal>
#include <cstring>

namespace test_support {

inline ptrace_api::SignalInfo queued_usr1() {
    siginfo_t si{};
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    si.si_pid = 4321;
    si.si_value.sival_int = 42;
    ptrace_api::SignalInfo info;
    static_assert(sizeof si == sizeof info.bytes);
    std::memcpy(info.bytes.data(), &si, sizeof si);
    return info;
}

} // namespace test_support
