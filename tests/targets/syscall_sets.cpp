// SPDX-License-Identifier: MIT
// A tracee for the syscall-set tests (issue 12): argv[1] selects a fixed sequence of raw
// syscalls, some in the sets the tests use and some not, so that the kernel path (seccomp
// filter) and the shim path can be compared event by event. Built without sanitizers and
// optimisation. Sets the tests use: getppid (110), gettid (186), exit_group (231), clone (56),
// wait4 (61), execve (59), read (0), write (1).

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

int g_pipe[2] = {-1, -1};

long raw(long nr) {
    return ::syscall(nr);
}

void on_alarm(int /*sig*/) {
    const char byte = 'x';
    (void)!::syscall(SYS_write, g_pipe[1], &byte, 1);
}

[[noreturn]] void exit_group(int code) {
    ::syscall(SYS_exit_group, code);
    __builtin_unreachable();
}

/// getpid, getppid, getuid, gettid, getppid, an unknown number, -1, then exit_group(5).
[[noreturn]] void plain() {
    (void)raw(SYS_getpid);
    const long ppid = raw(SYS_getppid);
    (void)raw(SYS_getuid);
    (void)raw(SYS_gettid);
    (void)raw(SYS_getppid);
    const long unknown = raw(600);
    const long minus_one = ::syscall(-1);
    exit_group(ppid > 0 && unknown == -1 && minus_one == -1 ? 5 : 6);
}

int usage() {
    std::fputs("usage: syscall_sets plain | fork | exec PATH | restart | loop N\n", stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        return usage();
    }
    const char* mode = argv[1];
    if (std::strcmp(mode, "plain") == 0) {
        plain();
    }
    if (std::strcmp(mode, "fork") == 0) {
        // clone (fork), the child: getppid, gettid, exit_group(3); the parent: getppid,
        // wait4, exit_group(4 if the child exited 3). SIGCHLD is blocked, so that its
        // signal-delivery-stop never races the parent's syscalls (H7: no stop while blocked).
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        (void)::sigprocmask(SIG_BLOCK, &chld, nullptr);
        const pid_t child = ::fork();
        if (child == 0) {
            (void)raw(SYS_getppid);
            (void)raw(SYS_gettid);
            exit_group(3);
        }
        (void)raw(SYS_getppid);
        int status = 0;
        const long r = ::syscall(SYS_wait4, child, &status, 0, nullptr);
        exit_group(r == child && WIFEXITED(status) && WEXITSTATUS(status) == 3 ? 4 : 7);
    }
    if (std::strcmp(mode, "exec") == 0 && argc > 2) {
        // getppid, then execve(PATH, {PATH, "plain"}).
        (void)raw(SYS_getppid);
        char plain_arg[] = "plain";
        char* const args[] = {argv[2], plain_arg, nullptr};
        ::syscall(SYS_execve, argv[2], args, environ);
        exit_group(127);
    }
    if (std::strcmp(mode, "restart") == 0) {
        // H6 / decision 18: block in read(2) on a pipe; SIGALRM's SA_RESTART handler writes
        // the byte that the restarted read returns: exit_group(30).
        if (::pipe(g_pipe) != 0) {
            return 100;
        }
        struct sigaction sa {};
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = &on_alarm;
        sa.sa_flags = SA_RESTART;
        if (::sigaction(SIGALRM, &sa, nullptr) != 0) {
            return 101;
        }
        itimerval t{};
        t.it_value.tv_usec = 200000;
        (void)::setitimer(ITIMER_REAL, &t, nullptr);
        (void)raw(SYS_getppid); // marker
        char byte = 0;
        const long n = ::syscall(SYS_read, g_pipe[0], &byte, 1);
        exit_group(n == 1 && byte == 'x' ? 30 : 31);
    }
    if (std::strcmp(mode, "loop") == 0 && argc > 2) {
        // N rounds of getppid, gettid, getuid, then exit_group(9).
        const int n = std::atoi(argv[2]);
        for (int i = 0; i < n; ++i) {
            (void)raw(SYS_getppid);
            (void)raw(SYS_gettid);
            (void)raw(SYS_getuid);
        }
        exit_group(9);
    }
    return usage();
}
