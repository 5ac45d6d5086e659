// SPDX-License-Identifier: MIT
// Tracee programs shaped like real ones (daemons waiting with a signal mask, green threads on
// heap stacks, threads that exec, vfork + exec, fork bursts), for the reliability tests. Each
// prints what it observed to the file OUT, so that a traced run can be compared with an
// untraced one; argv[1] selects the behaviour (see usage()). Built without sanitizers.

#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

volatile sig_atomic_t g_hits = 0;
FILE* g_out = nullptr;

void on_alarm(int) {
    g_hits = g_hits + 1;
}

int usage() {
    std::fputs("usage: workloads OUT sigsuspend|ppoll|pselect|altstack | OUT thread_exec PATH "
               "ARGS... | OUT vfork_exec PATH ARGS... | OUT fork_kill | OUT forks N\n",
               stderr);
    return 2;
}

/// The calling thread's signal mask as the kernel holds it (one 64-bit word).
std::uint64_t kernel_mask() {
    std::uint64_t mask = 0;
    (void)::syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &mask, sizeof mask);
    return mask;
}

void install_alarm_handler(int flags) {
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    (void)::sigaction(SIGALRM, &sa, nullptr);
    std::fprintf(g_out, "handler=%#" PRIxPTR "\n", reinterpret_cast<std::uintptr_t>(&on_alarm));
    (void)std::fflush(g_out);
}

void arm_timer(long usec) {
    itimerval t{};
    t.it_value.tv_usec = usec;
    (void)::setitimer(ITIMER_REAL, &t, nullptr);
}

/// Blocks SIGALRM and SIGUSR2, arms the timer, and waits with a mask that lets SIGALRM (only)
/// through: the way daemons and event loops wait. Prints what the wait returned, how often
/// the handler ran, and the mask before and after.
int masked_wait(const char* how) {
    install_alarm_handler(0);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigaddset(&block, SIGUSR2);
    (void)::sigprocmask(SIG_BLOCK, &block, nullptr);
    const std::uint64_t before = kernel_mask();
    sigset_t during;
    sigemptyset(&during);
    sigaddset(&during, SIGUSR1);
    arm_timer(30000);
    int r = 0;
    if (std::strcmp(how, "sigsuspend") == 0) {
        r = ::sigsuspend(&during);
    } else if (std::strcmp(how, "ppoll") == 0) {
        r = ::ppoll(nullptr, 0, nullptr, &during);
    } else {
        r = ::pselect(0, nullptr, nullptr, nullptr, nullptr, &during);
    }
    const int err = errno;
    std::fprintf(g_out, "%s=%d errno=%d hits=%d mask before=%#" PRIx64 " after=%#" PRIx64 "\n", how,
                 r, err, static_cast<int>(g_hits), before, kernel_mask());
    return 0;
}

alignas(64) unsigned char g_area[65536];
alignas(64) unsigned char g_altstack[65536];

/// A green thread's stack on the heap, with another object right below it: the thread waits
/// in pause(2) with its stack pointer 64 bytes above that object, and SIGALRM's handler runs
/// on a sigaltstack. Nothing may write below the stack pointer: prints how many bytes of the
/// neighbour changed.
int altstack() {
    stack_t ss{};
    ss.ss_sp = g_altstack;
    ss.ss_size = sizeof g_altstack;
    if (::sigaltstack(&ss, nullptr) != 0) {
        return 3;
    }
    install_alarm_handler(SA_ONSTACK);
    constexpr std::size_t neighbour = 4096;
    std::memset(g_area, 0xa5, neighbour);
    arm_timer(30000);
    long r = 0;
    unsigned char* sp = g_area + neighbour + 64;
    __asm__ volatile("mov %%rsp, %%r12\n\t"
                     "mov %[sp], %%rsp\n\t"
                     "syscall\n\t"
                     "mov %%r12, %%rsp\n\t"
                     : "=a"(r)
                     : "0"(static_cast<long>(SYS_pause)), [sp] "r"(sp)
                     : "rcx", "r11", "r12", "memory");
    int changed = 0;
    for (std::size_t i = 0; i < neighbour; ++i) {
        changed += g_area[i] != 0xa5 ? 1 : 0;
    }
    std::fprintf(g_out, "pause=%ld hits=%d neighbour bytes changed=%d\n", r,
                 static_cast<int>(g_hits), changed);
    return 0;
}

char** g_exec_argv = nullptr;
int g_block_pipe[2] = {-1, -1};

void* exec_later(void*) {
    ::usleep(30000);
    ::execv(g_exec_argv[0], g_exec_argv);
    return nullptr;
}

void* block_in_read(void*) {
    char byte = 0;
    (void)!::read(g_block_pipe[0], &byte, 1);
    return nullptr;
}

/// A second thread execs PATH while the main thread sleeps in pause(2) and a third blocks in
/// read(2).
int thread_exec(char** argv) {
    g_exec_argv = argv;
    if (::pipe(g_block_pipe) != 0) {
        return 3;
    }
    pthread_t reader{};
    pthread_t execer{};
    if (::pthread_create(&reader, nullptr, block_in_read, nullptr) != 0 ||
        ::pthread_create(&execer, nullptr, exec_later, nullptr) != 0) {
        return 4;
    }
    for (;;) {
        ::pause();
    }
}

/// vfork + exec, as posix_spawn, Python's subprocess and the gcc driver do; prints the
/// child's exit status.
int vfork_exec(char** argv) {
    const pid_t child = ::vfork();
    if (child == 0) {
        ::execv(argv[0], argv);
        ::_exit(127);
    }
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child) {
        return 3;
    }
    std::fprintf(g_out, "child status=%#x\n", status);
    return 0;
}

/// Forks a child and SIGKILLs it at once, before it can run (its first ptrace-stop, if any, is
/// its exit); prints its status.
int fork_kill() {
    const pid_t child = ::fork();
    if (child == 0) {
        for (;;) {
            ::pause();
        }
    }
    if (child < 0) {
        return 3;
    }
    (void)::kill(child, SIGKILL);
    int status = 0;
    if (::waitpid(child, &status, 0) != child) {
        return 4;
    }
    std::fprintf(g_out, "child status=%#x\n", status);
    return 0;
}

/// Forks N children that exit at once, reaping each.
int forks(long n) {
    for (long i = 0; i < n; ++i) {
        const pid_t child = ::fork();
        if (child == 0) {
            ::_exit(0);
        }
        if (child < 0) {
            return 3;
        }
        (void)::waitpid(child, nullptr, 0);
    }
    std::fprintf(g_out, "forked %ld\n", n);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        return usage();
    }
    g_out = std::fopen(argv[1], "we");
    if (g_out == nullptr) {
        return 2;
    }
    const char* mode = argv[2];
    int code = 0;
    if (std::strcmp(mode, "sigsuspend") == 0 || std::strcmp(mode, "ppoll") == 0 ||
        std::strcmp(mode, "pselect") == 0) {
        code = masked_wait(mode);
    } else if (std::strcmp(mode, "altstack") == 0) {
        code = altstack();
    } else if (std::strcmp(mode, "thread_exec") == 0 && argc > 3) {
        (void)std::fclose(g_out); // the new program must not inherit it open
        return thread_exec(argv + 3);
    } else if (std::strcmp(mode, "vfork_exec") == 0 && argc > 3) {
        code = vfork_exec(argv + 3);
    } else if (std::strcmp(mode, "fork_kill") == 0) {
        code = fork_kill();
    } else if (std::strcmp(mode, "forks") == 0 && argc > 3) {
        code = forks(std::strtol(argv[3], nullptr, 10));
    } else {
        code = usage();
    }
    (void)std::fclose(g_out);
    return code;
}
