// SPDX-License-Identifier: MIT
// A tracee for the integration tests: argv[1] selects one small behaviour (see usage()).
// Plain libc only, built without sanitizers and optimisation, so its stops are predictable.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skip_result.hpp"

namespace {

volatile sig_atomic_t g_caught = 0;
volatile unsigned long g_counter = 0;
int g_pipe[2] = {-1, -1};

void on_signal(int sig) {
    g_caught = sig;
}

void on_signal_write(int /*sig*/) {
    const char byte = 'x';
    (void)!::write(g_pipe[1], &byte, 1);
}

/// siginfo_check: exits 0 from the handler when SIGUSR1 arrives as sigqueue(3) from pid 4321
/// with the value 42 would send it, with a code naming what differed otherwise.
void on_usr1_check(int /*sig*/, siginfo_t* info, void* /*context*/) {
    if (info->si_code != SI_QUEUE) {
        ::_exit(10);
    }
    if (info->si_pid != 4321) {
        ::_exit(11);
    }
    ::_exit(info->si_value.sival_int == 42 ? 0 : 12);
}

long getppid_raw() {
    return ::syscall(SYS_getppid);
}

void* thread_getppid_loop(void* /*arg*/) {
    for (;;) {
        (void)getppid_raw();
    }
    return nullptr;
}

void* thread_exit_quickly(void* /*arg*/) {
    return nullptr;
}

int usage() {
    std::fputs("usage: tracee getppid N | spin | sleep | exit CODE | raise SIG default|ignore|"
               "handler | int3 | fork | vfork | thread | threads | stop | segv | segv_at HEX | "
               "change_getppid | skip_getppid | restart | exec PATH ARGS... | "
               "trace_child | region | siginfo_check raise|int3\n",
               stderr);
    return 2;
}

int set_disposition(int sig, const char* how) {
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    if (std::strcmp(how, "ignore") == 0) {
        sa.sa_handler = SIG_IGN;
    } else if (std::strcmp(how, "handler") == 0) {
        sa.sa_handler = &on_signal;
    } else {
        sa.sa_handler = SIG_DFL;
    }
    return ::sigaction(sig, &sa, nullptr);
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 2 && std::strcmp(argv[1], "gate") == 0) {
        // Wait for the test to open its handles: one byte on stdin opens the gate.
        char byte = 0;
        (void)!::read(STDIN_FILENO, &byte, 1);
        ++argv;
        --argc;
    }
    if (argc < 2) {
        return usage();
    }
    const char* mode = argv[1];
    if (std::strcmp(mode, "getppid") == 0 && argc > 2) {
        // N getppid calls (N < 0: forever), then exit 0.
        const long n = std::strtol(argv[2], nullptr, 10);
        for (long i = 0; n < 0 || i < n; ++i) {
            (void)getppid_raw();
        }
        return 0;
    }
    if (std::strcmp(mode, "spin") == 0) {
        for (;;) {
            g_counter = g_counter + 1; // a few instructions, no syscalls, ever
        }
    }
    if (std::strcmp(mode, "sleep") == 0) {
        for (;;) {
            ::pause();
        }
    }
    if (std::strcmp(mode, "exit") == 0 && argc > 2) {
        std::exit(std::atoi(argv[2]));
    }
    if (std::strcmp(mode, "raise") == 0 && argc > 3) {
        // Raise SIG with the given disposition; exit 0 if the tracee survives (or 1 if a
        // handler was expected and did not run).
        const int sig = std::atoi(argv[2]);
        if (set_disposition(sig, argv[3]) != 0) {
            return 3;
        }
        (void)getppid_raw(); // a marker syscall just before the signal
        (void)::raise(sig);
        if (std::strcmp(argv[3], "handler") == 0 && g_caught != sig) {
            return 1;
        }
        return 0;
    }
    if (std::strcmp(mode, "int3") == 0) {
        __asm__ volatile("int3");
        return 42;
    }
    if (std::strcmp(mode, "siginfo_check") == 0 && argc > 2) {
        // A SA_SIGINFO handler of SIGUSR1 that exits 0 only for a record the tracer wrote
        // (decision 27), then a raise(SIGUSR1) (SI_TKILL) or an int3 for it to write at.
        // Exit 3: the handler never ran.
        struct sigaction sa {};
        sigemptyset(&sa.sa_mask);
        sa.sa_sigaction = &on_usr1_check;
        sa.sa_flags = SA_SIGINFO;
        if (::sigaction(SIGUSR1, &sa, nullptr) != 0) {
            return 4;
        }
        if (std::strcmp(argv[2], "int3") == 0) {
            __asm__ volatile("int3");
        } else {
            (void)::raise(SIGUSR1);
        }
        return 3;
    }
    if (std::strcmp(mode, "fork") == 0) {
        const pid_t child = ::fork();
        if (child == 0) {
            ::_exit(3);
        }
        int status = 0;
        if (child < 0 || ::waitpid(child, &status, 0) != child) {
            return 100;
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) + 10 : 101; // 13 when all went well
    }
    if (std::strcmp(mode, "vfork") == 0) {
        const pid_t child = ::vfork();
        if (child == 0) {
            ::_exit(4);
        }
        int status = 0;
        if (child < 0 || ::waitpid(child, &status, 0) != child) {
            return 100;
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) + 10 : 101; // 14
    }
    if (std::strcmp(mode, "thread") == 0) {
        pthread_t t{};
        if (::pthread_create(&t, nullptr, &thread_exit_quickly, nullptr) != 0) {
            return 100;
        }
        (void)::pthread_join(t, nullptr);
        return 15;
    }
    if (std::strcmp(mode, "threads") == 0) {
        // A second thread loops on getppid; the main thread sleeps.
        pthread_t t{};
        if (::pthread_create(&t, nullptr, &thread_getppid_loop, nullptr) != 0) {
            return 100;
        }
        for (;;) {
            ::pause();
        }
    }
    if (std::strcmp(mode, "stop") == 0) {
        (void)getppid_raw();
        (void)::raise(SIGSTOP);
        return 5;
    }
    if (std::strcmp(mode, "segv") == 0) {
        volatile int* volatile p = nullptr;
        *p = 1;
        return 0;
    }
    if (std::strcmp(mode, "segv_at") == 0 && argc > 2) {
        // A write to the unmapped address HEX: SIGSEGV with si_addr HEX (decision 27's tests).
        volatile int* volatile p = reinterpret_cast<int*>(std::strtoull(argv[2], nullptr, 16));
        *p = 1;
        return 0;
    }
    if (std::strcmp(mode, "change_getppid") == 0) {
        // The tracer turns getppid into getpid at PRE (D1): exit 10 when it did.
        const long r = getppid_raw();
        return r == ::getpid() ? 10 : r == ::getppid() ? 11 : 12;
    }
    if (std::strcmp(mode, "skip_getppid") == 0) {
        // The tracer skips getppid with rax = skipped_result (E1): exit 20; 21 with the
        // number (E6).
        const long r = getppid_raw();
        return r == test_support::skipped_result ? 20
               : r == SYS_getppid                ? 21
               : r == ::getppid()                ? 22
                                                 : 23;
    }
    if (std::strcmp(mode, "restart") == 0) {
        // H6 / decision 18: block in read(2); SIGUSR1's SA_RESTART handler writes the byte
        // that the restarted read then returns.
        if (::pipe(g_pipe) != 0) {
            return 100;
        }
        struct sigaction sa {};
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = &on_signal_write;
        sa.sa_flags = SA_RESTART;
        if (::sigaction(SIGUSR1, &sa, nullptr) != 0) {
            return 101;
        }
        (void)getppid_raw(); // marker: the next read is the one to watch
        char byte = 0;
        const ssize_t n = ::read(g_pipe[0], &byte, 1);
        return n == 1 && byte == 'x' ? 30 : 31;
    }
    if (std::strcmp(mode, "exec") == 0 && argc > 2) {
        (void)getppid_raw();
        ::execv(argv[2], argv + 2);
        return 127;
    }
    if (std::strcmp(mode, "trace_child") == 0) {
        // Traces a child of its own with raw ptrace (for the "second tracer" test) and
        // prints the child's pid; then sleeps.
        const pid_t child = ::fork();
        if (child == 0) {
            for (;;) {
                ::pause();
            }
        }
        if (child < 0 || ::ptrace(PTRACE_SEIZE, child, nullptr, nullptr) != 0) {
            return 100;
        }
        std::printf("%d\n", static_cast<int>(child));
        (void)std::fflush(stdout);
        for (;;) {
            ::pause();
        }
    }
    if (std::strcmp(mode, "region") == 0) {
        // 256 KiB whose byte i is (i * 7) & 0xff: the first half readable, the second half
        // PROT_NONE, then an unmapped page. Prints the address, then sleeps.
        constexpr std::size_t half = std::size_t{128} << 10;
        const long page = ::sysconf(_SC_PAGESIZE);
        void* map = ::mmap(nullptr, 2 * half + static_cast<std::size_t>(page),
                           PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (map == MAP_FAILED) {
            return 101;
        }
        auto* bytes = static_cast<unsigned char*>(map);
        for (std::size_t i = 0; i < 2 * half; ++i) {
            bytes[i] = static_cast<unsigned char>((i * 7) & 0xff);
        }
        if (::mprotect(bytes + half, half, PROT_NONE) != 0 ||
            ::munmap(bytes + 2 * half, static_cast<std::size_t>(page)) != 0) {
            return 102;
        }
        std::printf("%p\n", map);
        (void)std::fflush(stdout);
        for (;;) {
            ::pause();
        }
    }
    return usage();
}
