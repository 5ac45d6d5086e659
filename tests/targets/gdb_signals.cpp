// SPDX-License-Identifier: MIT
// Signals for the gdbserver tests (tests/gdbserver, issue 13). Prints nothing.
//
//   gdb_signals usr1   installs a SIGUSR1 handler, raises SIGUSR1 three times, exits with the
//                      number of signals the handler saw (what gdb passed on)
//   gdb_signals segv   writes through a null pointer in crash()
#include <csignal>
#include <cstring>

volatile sig_atomic_t handled = 0;

void on_usr1(int) {
    handled = handled + 1;
}

void crash(int* where) {
    *where = 42;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "segv") == 0) {
        crash(nullptr);
        return 1;
    }
    std::signal(SIGUSR1, on_usr1);
    for (int i = 0; i < 3; ++i) {
        std::raise(SIGUSR1);
    }
    return handled;
}
