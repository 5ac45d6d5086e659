// SPDX-License-Identifier: MIT
// A tracee for the syscall injection tests (issue 13, decision 24): argv[1] selects one
// behaviour. "read": makes a pipe, prints "fds R W" and blocks in read(R); prints
// "read N TEXT" with what it got, then exits 0. "int3": prints "ready", stops at an int3, and
// exits 0 after it (42 if a word on its stack below the red zone changed: nothing may write
// there but the library, which puts it back); "int3_usr1" the same with a SIGUSR1 handler that
// prints "usr1"; "raise_usr1" raises SIGUSR1 with that handler and exits 0. "getppid": calls
// getppid and prints "getppid OK" when it returned its parent's pid. "seccomp errno|trap|kill":
// installs a filter that makes getppid fail with EPERM, trap (SIGSYS, whose handler prints
// "sigsys") or kill the process, then does as "int3". "sleep" prints "ready" and waits;
// "ptracer_any" first lets any process trace it (prctl PR_SET_PTRACER, for Yama's ptrace_scope 1).
// "wait ppoll|pselect|sigsuspend|epoll": blocks SIGUSR1 and SIGUSR2 (SIGUSR1 caught), prints
// "ready" and waits in that mask-swapping call with the temporary mask {SIGUSR2, SIGTERM}
// (again after an EINTR that ran no handler); then prints what it returned and which of the
// three signals its mask blocks, e.g. "ppoll r=-1 errno=4 hits=1 usr1=1 usr2=1 term=0".
// Plain libc, no sanitizers, no optimisation.

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

void on_sigusr1(int /*sig*/) {
    (void)!::write(STDOUT_FILENO, "usr1\n", 5);
}

volatile sig_atomic_t usr1_hits = 0;

void count_usr1(int /*sig*/) {
    usr1_hits = usr1_hits + 1;
}

/// Waits in a mask-swapping call (see the file comment).
int masked_wait(const char* kind) {
    struct sigaction sa {};
    sa.sa_handler = count_usr1;
    sigemptyset(&sa.sa_mask);
    (void)::sigaction(SIGUSR1, &sa, nullptr);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    (void)::sigprocmask(SIG_BLOCK, &block, nullptr);
    sigset_t temporary;
    sigemptyset(&temporary);
    sigaddset(&temporary, SIGUSR2);
    sigaddset(&temporary, SIGTERM);
    const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
    std::printf("ready\n");
    (void)std::fflush(stdout);
    int r = 0;
    do {
        if (std::strcmp(kind, "ppoll") == 0) {
            r = ::ppoll(nullptr, 0, nullptr, &temporary);
        } else if (std::strcmp(kind, "pselect") == 0) {
            r = ::pselect(0, nullptr, nullptr, nullptr, nullptr, &temporary);
        } else if (std::strcmp(kind, "sigsuspend") == 0) {
            r = ::sigsuspend(&temporary);
        } else if (std::strcmp(kind, "epoll") == 0) {
            epoll_event ev{};
            r = ::epoll_pwait(epfd, &ev, 1, -1, &temporary);
        } else {
            return 2;
        }
    } while (r < 0 && errno == EINTR && usr1_hits == 0);
    const int err = r < 0 ? errno : 0;
    sigset_t now;
    (void)::sigprocmask(SIG_SETMASK, nullptr, &now);
    std::printf("%s r=%d errno=%d hits=%d usr1=%d usr2=%d term=%d\n", kind, r, err,
                static_cast<int>(usr1_hits), sigismember(&now, SIGUSR1), sigismember(&now, SIGUSR2),
                sigismember(&now, SIGTERM));
    return 0;
}

void on_sigsys(int /*sig*/) {
    (void)!::write(STDOUT_FILENO, "sigsys\n", 7);
}

int install_filter(const char* how) {
    unsigned action = SECCOMP_RET_ERRNO | EPERM;
    if (std::strcmp(how, "trap") == 0) {
        action = SECCOMP_RET_TRAP;
        struct sigaction sa {};
        sa.sa_handler = on_sigsys;
        sigemptyset(&sa.sa_mask);
        (void)::sigaction(SIGSYS, &sa, nullptr);
    } else if (std::strcmp(how, "kill") == 0) {
        action = SECCOMP_RET_KILL_PROCESS;
    }
    sock_filter code[] = {
        {BPF_LD | BPF_W | BPF_ABS, 0, 0, 0}, // seccomp_data.nr
        {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, SYS_getppid},
        {BPF_RET | BPF_K, 0, 0, action},
        {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW},
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        return 3;
    }
    return 0;
}

/// Stops at an int3 with a known word on the stack just below the red zone; 42 when that word
/// changed across the stop.
int int3_stop() {
    std::printf("ready\n");
    (void)std::fflush(stdout);
    int changed = 0;
    __asm__ volatile("movabs $0x1122334455667788, %%rax\n\t"
                     "mov %%rax, -200(%%rsp)\n\t"
                     "int3\n\t"
                     "xor %%eax, %%eax\n\t"
                     "movabs $0x1122334455667788, %%rdx\n\t"
                     "cmp %%rdx, -200(%%rsp)\n\t"
                     "setne %%al\n\t"
                     "mov %%eax, %0"
                     : "=r"(changed)
                     :
                     : "rax", "rdx", "memory", "cc");
    return changed != 0 ? 42 : 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        return 2;
    }
    if (std::strcmp(argv[1], "gate") == 0 && argc > 2) {
        char c = 0;
        (void)!::read(STDIN_FILENO, &c, 1); // the test opens the gate once it is attached
        ++argv;
        --argc;
    }
    const char* mode = argv[1];
    if (std::strcmp(mode, "read") == 0) {
        int p[2];
        if (::pipe(p) != 0) {
            return 3;
        }
        std::printf("fds %d %d\n", p[0], p[1]);
        (void)std::fflush(stdout);
        char buf[64] = {};
        const ssize_t n = ::read(p[0], buf, sizeof buf - 1);
        std::printf("read %zd %s\n", n, n > 0 ? buf : std::strerror(errno));
        return 0;
    }
    if (std::strcmp(mode, "sleep") == 0 || std::strcmp(mode, "ptracer_any") == 0) {
        if (mode[0] == 'p') {
            (void)::prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); // Yama only
        }
        std::printf("ready\n");
        (void)std::fflush(stdout);
        for (;;) {
            ::pause();
        }
    }
    if (std::strcmp(mode, "int3") == 0) {
        return int3_stop();
    }
    if (std::strcmp(mode, "wait") == 0 && argc > 2) {
        return masked_wait(argv[2]);
    }
    if (std::strcmp(mode, "raise_usr1") == 0) {
        struct sigaction sa {};
        sa.sa_handler = on_sigusr1;
        sigemptyset(&sa.sa_mask);
        (void)::sigaction(SIGUSR1, &sa, nullptr);
        (void)::raise(SIGUSR1);
        return 0;
    }
    if (std::strcmp(mode, "int3_usr1") == 0) {
        struct sigaction sa {};
        sa.sa_handler = on_sigusr1;
        sigemptyset(&sa.sa_mask);
        (void)::sigaction(SIGUSR1, &sa, nullptr);
        return int3_stop();
    }
    if (std::strcmp(mode, "getppid") == 0) {
        const long got = ::syscall(SYS_getppid);
        std::printf("getppid %s\n", got == ::getppid() ? "OK" : "WRONG");
        return 0;
    }
    if (std::strcmp(mode, "seccomp") == 0 && argc > 2) {
        if (const int err = install_filter(argv[2]); err != 0) {
            return err;
        }
        return int3_stop();
    }
    return 2;
}
