// SPDX-License-Identifier: MIT
// The breakpoint and stepping tests' program (issue 13): small C functions with known shapes,
// built -O0 -fno-omit-frame-pointer so that each has a frame and its calls are plain
// `e8 rel32` or `ff /2` instructions. It checks its own results and exits 1 when one is
// wrong, so a breakpoint stepped over badly shows in the exit status.
//   stepping basic           add_one, add_two, call_through, own_int3, recurse, then exit 0
//   stepping threads N M     N threads call hammer() M times each; exit 0 when all N*M ran
//   stepping fork [untraced] a child calls add_one(1) and exits with 0 when it got 2 (and,
//                            with "untraced", when its TracerPid is 0); then the parent calls
//                            add_one(2) and exits with 0 when both went right
//   stepping vfork PATH ARG.. a vfork child calls add_one(1), then executes PATH with ARG..
//                            (exits with 1 when add_one(1) was not 2, 4 when the exec fails);
//                            then the parent calls add_one(2) and exits with 0 when the child
//                            exited 0 and add_one(2) was 3, 10 + the signal that killed it
//   stepping exec PATH ARG.. calls add_one(0), then executes PATH with ARG..; exits with 4
//                            when the exec fails
//   stepping threadexec PATH ARG..  as exec, but from a second thread (the main thread sleeps)
//   stepping signals         raises SIGUSR1 then SIGUSR2 (both caught); exits with
//                            10 * (SIGUSR1 handler runs) + (SIGUSR2 handler runs)
//   stepping spin N          N threads and main call add_one() in a loop with short sleeps,
//                            forever (the attach tests' target)
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {

volatile int sink = 0;
std::atomic<long> hammered{0};

__attribute__((noinline)) int add_one(int x) {
    return x + 1;
}

__attribute__((noinline)) int add_two(int x) {
    const int a = add_one(x);
    return add_one(a);
}

__attribute__((noinline)) int call_through(int (*f)(int), int x) {
    return f(x);
}

__attribute__((noinline)) void own_int3() {
    __asm__ volatile("int3");
}

__attribute__((noinline)) int recurse(int n) {
    if (n == 0) {
        return 0;
    }
    return 1 + recurse(n - 1);
}

__attribute__((noinline)) long hammer(long i) {
    return hammered.fetch_add(1, std::memory_order_relaxed) + i;
}

static long calls_per_thread = 0;

__attribute__((noinline)) void* hammer_thread(void*) {
    for (long i = 0; i < calls_per_thread; ++i) {
        sink = static_cast<int>(hammer(i));
    }
    return nullptr;
}

volatile sig_atomic_t usr1_seen = 0;
volatile sig_atomic_t usr2_seen = 0;

void on_usr1(int) {
    usr1_seen = usr1_seen + 1;
}
void on_usr2(int) {
    usr2_seen = usr2_seen + 1;
}

/// TracerPid of /proc/self/status (-1: unreadable).
static long tracer_pid() {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) {
        return -1;
    }
    char line[256];
    long pid = -1;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::strncmp(line, "TracerPid:", 10) == 0) {
            pid = std::atol(line + 10);
        }
    }
    std::fclose(f);
    return pid;
}

static char** exec_argv = nullptr;

__attribute__((noinline)) void* exec_thread(void*) {
    execv(exec_argv[0], exec_argv);
    _exit(4);
}

__attribute__((noinline)) void* spin_thread(void*) {
    for (int i = 0;; i = add_one(i) % 1000) {
        usleep(1000);
    }
    return nullptr;
}

} // extern "C"

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "basic") == 0) {
        bool ok = true;
        for (int i = 0; i < 4; ++i) {
            ok = ok && add_one(i) == i + 1;
        }
        ok = ok && add_two(10) == 12;
        ok = ok && call_through(add_one, 5) == 6;
        own_int3();
        ok = ok && recurse(3) == 3;
        return ok ? 0 : 1;
    }
    if (argc >= 4 && std::strcmp(argv[1], "threads") == 0) {
        const long n = std::atol(argv[2]);
        calls_per_thread = std::atol(argv[3]);
        pthread_t threads[64];
        if (n < 1 || n > 64) {
            return 2;
        }
        for (long i = 0; i < n; ++i) {
            if (pthread_create(&threads[i], nullptr, hammer_thread, nullptr) != 0) {
                return 3;
            }
        }
        for (long i = 0; i < n; ++i) {
            pthread_join(threads[i], nullptr);
        }
        return hammered.load() == n * calls_per_thread ? 0 : 1;
    }
    if (argc >= 2 && std::strcmp(argv[1], "fork") == 0) {
        const pid_t child = fork();
        if (child == 0) {
            const bool untraced =
                argc < 3 || std::strcmp(argv[2], "untraced") != 0 || tracer_pid() == 0;
            _exit(add_one(1) == 2 && untraced ? 0 : 1);
        }
        int status = 0;
        if (child < 0 || waitpid(child, &status, 0) != child) {
            return 3;
        }
        const bool child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        return child_ok && add_one(2) == 3 ? 0 : 1;
    }
    if (argc >= 3 && std::strcmp(argv[1], "vfork") == 0) {
        const pid_t child = vfork();
        if (child == 0) {
            if (add_one(1) != 2) {
                _exit(1);
            }
            execv(argv[2], argv + 2);
            _exit(4);
        }
        int status = 0;
        if (child < 0 || waitpid(child, &status, 0) != child) {
            return 3;
        }
        if (WIFSIGNALED(status)) {
            return 10 + WTERMSIG(status);
        }
        const bool child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        return child_ok && add_one(2) == 3 ? 0 : 1;
    }
    if (argc >= 2 && std::strcmp(argv[1], "signals") == 0) {
        signal(SIGUSR1, on_usr1);
        signal(SIGUSR2, on_usr2);
        raise(SIGUSR1);
        raise(SIGUSR2);
        return 10 * usr1_seen + usr2_seen;
    }
    if (argc >= 3 && std::strcmp(argv[1], "exec") == 0) {
        sink = add_one(0);
        execv(argv[2], argv + 2);
        return 4;
    }
    if (argc >= 3 && std::strcmp(argv[1], "threadexec") == 0) {
        sink = add_one(0);
        exec_argv = argv + 2;
        pthread_t t;
        if (pthread_create(&t, nullptr, exec_thread, nullptr) != 0) {
            return 3;
        }
        for (;;) {
            pause();
        }
    }
    if (argc >= 3 && std::strcmp(argv[1], "spin") == 0) {
        const long n = std::atol(argv[2]);
        for (long i = 0; i < n && i < 64; ++i) {
            pthread_t t;
            if (pthread_create(&t, nullptr, spin_thread, nullptr) != 0) {
                return 3;
            }
        }
        spin_thread(nullptr);
    }
    return 2;
}
