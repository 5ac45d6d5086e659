// SPDX-License-Identifier: MIT
// The program that calls execve for the exec matrix (tests/exec): argv[1] says from where.
// Plain libc, built without sanitizers or optimisation, so that its syscalls are its own.
//
//   leader TARGET ARGS...       execv(TARGET) from the only thread; 127 if it fails
//   fail PATH                   execv(PATH) must fail; then exits with the errno it saw
//   vfork TARGET ARGS...        vfork(); the child execs TARGET; the parent reaps it
//   posix_spawn TARGET ARGS...  posix_spawn(TARGET) (glibc: clone(CLONE_VM|CLONE_VFORK))
//   group leader|thread|thread-nogate TARGET ARGS...
//                               up to three more threads: A sleeps in pause(), B in a futex
//                               wait, E (not for "leader") execs; one line "L A B E HANDLER"
//                               goes to stdout (TIDs, E = L for "leader", HANDLER the address
//                               of the SIGUSR1 handler); then the exec'ing thread (the leader,
//                               or E) reads one byte from stdin and execs TARGET. With
//                               "thread-nogate" nothing is printed or read: E execs at once
//                               (its tracer holds it where it wants)
//
// Every exec is preceded by a getppid(2) marker. vfork and posix_spawn exit with 100 + the
// child's exit code (99 when it did not exit normally).

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

volatile sig_atomic_t g_caught = 0;
int g_never = 0; // the futex word B waits on; nobody ever wakes it
pid_t g_tids[3] = {0, 0, 0};
pthread_barrier_t g_started;
bool g_gate = true;           // the exec'ing thread waits for a byte on stdin
char** g_exec_argv = nullptr; // TARGET ARGS... for the exec'ing thread

void on_usr1(int sig) {
    g_caught = sig;
}

void marker() {
    (void)::syscall(SYS_getppid);
}

pid_t gettid_raw() {
    return static_cast<pid_t>(::syscall(SYS_gettid));
}

int reap(pid_t child) {
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child) {
        return 98;
    }
    return WIFEXITED(status) ? 100 + WEXITSTATUS(status) : 99;
}

[[noreturn]] void read_gate_and_exec() {
    char byte = 0;
    while (g_gate && ::read(STDIN_FILENO, &byte, 1) < 0 && errno == EINTR) {
    }
    marker();
    ::execv(g_exec_argv[0], g_exec_argv);
    ::_exit(127);
}

void* sleeper(void* /*arg*/) {
    g_tids[0] = gettid_raw();
    (void)::pthread_barrier_wait(&g_started);
    for (;;) {
        (void)::pause();
    }
    return nullptr;
}

void* futex_waiter(void* /*arg*/) {
    g_tids[1] = gettid_raw();
    (void)::pthread_barrier_wait(&g_started);
    for (;;) {
        (void)::syscall(SYS_futex, &g_never, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
    }
    return nullptr;
}

void* execer(void* /*arg*/) {
    g_tids[2] = gettid_raw();
    (void)::pthread_barrier_wait(&g_started);
    read_gate_and_exec();
}

int group(bool from_thread, char** exec_argv) {
    g_exec_argv = exec_argv;
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = &on_usr1;
    if (::sigaction(SIGUSR1, &sa, nullptr) != 0) {
        return 90;
    }
    const unsigned count = from_thread ? 4 : 3;
    if (::pthread_barrier_init(&g_started, nullptr, count) != 0) {
        return 91;
    }
    pthread_t threads[3]{};
    if (::pthread_create(&threads[0], nullptr, &sleeper, nullptr) != 0 ||
        ::pthread_create(&threads[1], nullptr, &futex_waiter, nullptr) != 0 ||
        (from_thread && ::pthread_create(&threads[2], nullptr, &execer, nullptr) != 0)) {
        return 92;
    }
    (void)::pthread_barrier_wait(&g_started);
    if (!g_gate) {
        for (;;) {
            (void)::pause();
        }
    }
    const pid_t leader = ::getpid();
    std::printf("%d %d %d %d %ju\n", static_cast<int>(leader), static_cast<int>(g_tids[0]),
                static_cast<int>(g_tids[1]), static_cast<int>(from_thread ? g_tids[2] : leader),
                static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(&on_usr1)));
    (void)std::fflush(stdout);
    if (!from_thread) {
        read_gate_and_exec();
    }
    for (;;) {
        (void)::pause();
    }
}

int usage() {
    std::fputs("usage: exec_tracee leader|vfork|posix_spawn TARGET ARGS... | fail PATH | "
               "group leader|thread|thread-nogate TARGET ARGS...\n",
               stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        return usage();
    }
    const char* mode = argv[1];
    char** exec_argv = argv + 2;
    if (std::strcmp(mode, "leader") == 0) {
        marker();
        ::execv(exec_argv[0], exec_argv);
        return 127;
    }
    if (std::strcmp(mode, "fail") == 0) {
        marker();
        ::execv(exec_argv[0], exec_argv);
        const int err = errno;
        marker(); // the old program goes on
        return err;
    }
    if (std::strcmp(mode, "vfork") == 0) {
        marker();
        const pid_t child = ::vfork();
        if (child == 0) {
            ::execv(exec_argv[0], exec_argv);
            ::_exit(127);
        }
        return reap(child);
    }
    if (std::strcmp(mode, "posix_spawn") == 0) {
        marker();
        pid_t child = -1;
        if (::posix_spawn(&child, exec_argv[0], nullptr, nullptr, exec_argv, environ) != 0) {
            return 97;
        }
        return reap(child);
    }
    if (std::strcmp(mode, "group") == 0 && argc > 3) {
        g_gate = std::strcmp(argv[2], "thread-nogate") != 0;
        const bool from_thread = !g_gate || std::strcmp(argv[2], "thread") == 0;
        if (!from_thread && std::strcmp(argv[2], "leader") != 0) {
            return usage();
        }
        return group(from_thread, argv + 3);
    }
    return usage();
}
