// SPDX-License-Identifier: MIT
// A deterministic tracee for the strace tests: a failing open, writes, a signal handler, a
// child process and a thread, each doing the same syscalls on every run.
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

void write_all(int fd, const char* data, size_t len) {
    if (::write(fd, data, len) != static_cast<ssize_t>(len)) {
        ::_exit(10);
    }
}

void on_usr1(int /*sig*/) {
    write_all(1, "in the handler\n", 15);
}

} // namespace

int main() {
    // A failing syscall: strace prints the errno's name and message.
    (void)::open("/proc/strace-target-missing", O_RDONLY);

    // Strings: a plain one, one cut after 32 characters, and escapes.
    write_all(1, "hello from the target\n", 22);
    write_all(1, "0123456789abcdefghijklmnopqrstuvwxyz0123", 40);
    write_all(1, "\0\1\2\3\n\t\"\\\377", 9);

    // A signal with a handler that makes a syscall (SA_RESTART: nothing is interrupted).
    struct sigaction sa {};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGUSR1, &sa, nullptr);
    ::kill(::getpid(), SIGUSR1);

    // A child process that writes into a pipe and exits with 3.
    int fds[2];
    if (::pipe(fds) != 0) {
        return 11;
    }
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(fds[0]);
        write_all(fds[1], "x", 1);
        ::_exit(3);
    }
    ::close(fds[1]);
    char byte = 0;
    if (::read(fds[0], &byte, 1) != 1) {
        return 12;
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);

    // A thread.
    std::thread thread([] { write_all(1, "from the thread\n", 16); });
    thread.join();
    return 0;
}
