// SPDX-License-Identifier: MIT
// Signals for the gdbserver tests (tests/gdbserver, issue 13). Prints nothing.
//
//   gdb_signals usr1   installs a SIGUSR1 handler, raises SIGUSR1 three times, exits with the
//                      number of signals the handler saw (what gdb passed on)
//   gdb_signals segv   writes through a null pointer in crash()
//   gdb_signals queue  installs a SA_SIGINFO handler of SIGUSR1 and sends itself SIGUSR1 with
//                      sigqueue(3) and the value 42; exits 0 when the handler saw that record
//                      (SI_QUEUE, the value 42, sent by itself), 1-3 for another, 4 when it never
//                      ran (gdb's `call` at that signal, scenario call_at_signal)
#include <csignal>
#include <cstring>

#include <signal.h>
#include <unistd.h>

volatile sig_atomic_t handled = 0;
volatile sig_atomic_t queued_result = 4;

void on_usr1(int) {
    handled = handled + 1;
}

void on_queued(int, siginfo_t* info, void*) {
    queued_result = info->si_code != SI_QUEUE        ? 1
                    : info->si_value.sival_int != 42 ? 2
                    : info->si_pid != ::getpid()     ? 3
                                                     : 0;
}

/// A function for gdb to call at the signal stop.
int twice(int n) {
    return 2 * n;
}

void crash(int* where) {
    *where = 42;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "segv") == 0) {
        crash(nullptr);
        return 1;
    }
    if (argc > 1 && std::strcmp(argv[1], "queue") == 0) {
        struct sigaction sa {};
        sigemptyset(&sa.sa_mask);
        sa.sa_sigaction = on_queued;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, nullptr);
        union sigval value {};
        value.sival_int = 42;
        sigqueue(::getpid(), SIGUSR1, value);
        return queued_result + twice(0);
    }
    std::signal(SIGUSR1, on_usr1);
    for (int i = 0; i < 3; ++i) {
        std::raise(SIGUSR1);
    }
    return handled;
}
