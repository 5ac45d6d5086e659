// SPDX-License-Identifier: MIT
// The tracee of the fault campaign: argv[1] selects what it does once its gate opens (see
// usage()). Every mode prints "handler <address>" (its SIGUSR1 handler) on stdout, waits for
// one byte on stdin (the gate, where the tracer opens its trace handle), makes a marker
// getppid(2), does what the mode says, and then waits for a second byte on stdin (the tail:
// a tracee that was let go blocks there until the campaign tells it to finish) and exits with
// a code that says whether the mode's own checks held (0 when they did). Plain libc only,
// built without sanitizers and optimisation, so that its stops are predictable.

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <time.h>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

volatile sig_atomic_t g_caught = 0;   // SIGUSR1 handler runs
volatile sig_atomic_t g_finish = 0;   // SIGTERM asks the spin loop to end
volatile unsigned long g_counter = 0; // the spin loop's work

void on_usr1(int /*sig*/) {
    g_caught = g_caught + 1;
}

void on_term(int /*sig*/) {
    g_finish = 1;
}

int usage() {
    std::fputs("usage: fault_tracee marker | raise handler|default|ignore | int3 | exit7 | fork | "
               "stop | storm N | spin\n",
               stderr);
    return 2;
}

bool read_byte() {
    char byte = 0;
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, &byte, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n == 1;
    }
}

int set_usr1(const char* how) {
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    if (std::strcmp(how, "ignore") == 0) {
        sa.sa_handler = SIG_IGN;
    } else if (std::strcmp(how, "handler") == 0) {
        sa.sa_handler = &on_usr1;
    } else {
        sa.sa_handler = SIG_DFL;
    }
    return ::sigaction(SIGUSR1, &sa, nullptr);
}

/// The tail: wait for the finish byte, then exit with `code`.
[[noreturn]] void tail(int code) {
    (void)read_byte();
    ::_exit(code);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        return usage();
    }
    const char* mode = argv[1];
    const char* arg = argc > 2 ? argv[2] : "";
    // Dispositions are set before the gate, so they are in force at every stop.
    if (std::strcmp(mode, "raise") == 0) {
        if (set_usr1(arg) != 0) {
            return 3;
        }
    } else if (std::strcmp(mode, "storm") == 0) {
        if (set_usr1("handler") != 0) {
            return 3;
        }
    } else if (std::strcmp(mode, "spin") == 0) {
        struct sigaction sa {};
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = &on_term;
        if (::sigaction(SIGTERM, &sa, nullptr) != 0) {
            return 3;
        }
    }
    std::printf("handler %#lx\n", reinterpret_cast<unsigned long>(&on_usr1));
    (void)std::fflush(stdout);
    if (!read_byte()) { // the gate
        return 4;
    }
    (void)::syscall(SYS_getppid); // the marker
    if (std::strcmp(mode, "marker") == 0) {
        tail(0);
    }
    if (std::strcmp(mode, "raise") == 0) {
        (void)::raise(SIGUSR1);
        // A caught signal's handler ran exactly once: 0; else 20 + the count.
        const bool caught = std::strcmp(arg, "handler") == 0;
        tail(!caught || g_caught == 1 ? 0 : 20 + static_cast<int>(g_caught));
    }
    if (std::strcmp(mode, "int3") == 0) {
        __asm__ volatile("int3");
        tail(0);
    }
    if (std::strcmp(mode, "exit7") == 0) {
        ::_exit(7);
    }
    if (std::strcmp(mode, "fork") == 0) {
        const pid_t child = ::fork();
        if (child == 0) {
            // A moment before exiting, so that its parent is still in waitpid(2) when the
            // tracer's next write (which releases this child, F2) reaches the parent.
            const timespec pause{0, 50 * 1000 * 1000};
            (void)::nanosleep(&pause, nullptr);
            ::_exit(3);
        }
        // WNOWAIT: the child stays a zombie until this process ends, so that whoever reaps
        // it then (the campaign, as subreaper) learns how it ended, even if this process is
        // killed before telling.
        siginfo_t info{};
        int r = -1;
        while ((r = ::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT)) < 0 &&
               errno == EINTR) {
        }
        if (child < 0 || r != 0) {
            tail(1);
        }
        // 0: the child exited 3 as it should; 100 + signal: it was killed.
        tail(info.si_code == CLD_EXITED && info.si_status == 3          ? 0
             : info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED ? 100 + info.si_status
                                                                        : 2);
    }
    if (std::strcmp(mode, "stop") == 0) {
        (void)::raise(SIGSTOP);
        tail(0);
    }
    if (std::strcmp(mode, "storm") == 0) {
        // N caught signals, each handled exactly once before raise returns: 0; else 30.
        const long n = std::strtol(arg, nullptr, 10);
        bool exact = true;
        for (long i = 0; i < n; ++i) {
            (void)::raise(SIGUSR1);
            exact = exact && g_caught == static_cast<sig_atomic_t>(i + 1);
            if (g_caught != static_cast<sig_atomic_t>(i + 1)) {
                g_caught = static_cast<sig_atomic_t>(i + 1); // count each mismatch once
            }
        }
        tail(exact ? 0 : 30);
    }
    if (std::strcmp(mode, "spin") == 0) {
        while (g_finish == 0) {
            g_counter = g_counter + 1; // no system call, ever
        }
        tail(0);
    }
    return usage();
}
