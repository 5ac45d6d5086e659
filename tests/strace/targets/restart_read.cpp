// SPDX-License-Identifier: MIT
// A read on a pipe interrupted three times by an SA_RESTART SIGALRM handler; the third
// handler writes the byte the read is waiting for. The kernel restarts the read after each
// handler (strace shows `= ? ERESTARTSYS` three times, then `read(3, "x", 16) = 1`).
#include <csignal>

#include <sys/time.h>
#include <unistd.h>

namespace {

volatile sig_atomic_t fired = 0;
int write_end = -1;

void on_alarm(int /*sig*/) {
    fired = fired + 1;
    if (fired == 3) {
        const itimerval stop{};
        ::setitimer(ITIMER_REAL, &stop, nullptr);
        (void)::write(write_end, "x", 1);
    }
}

} // namespace

int main() {
    int fds[2];
    if (::pipe(fds) != 0) {
        return 10;
    }
    write_end = fds[1];
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGALRM, &sa, nullptr);
    // First expiry after 200 ms (the read is blocked long before), then every 50 ms.
    itimerval timer{};
    timer.it_value.tv_usec = 200000;
    timer.it_interval.tv_usec = 50000;
    ::setitimer(ITIMER_REAL, &timer, nullptr);
    char buf[16];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    return n == 1 && buf[0] == 'x' && fired == 3 ? 0 : 11;
}
