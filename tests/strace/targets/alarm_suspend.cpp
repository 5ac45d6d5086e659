// SPDX-License-Identifier: MIT
// alarm() and sigsuspend(): SIGALRM is blocked, then sigsuspend() waits with an empty mask
// until the alarm's handler has run, and fails with EINTR (the kernel's -ERESTARTNOHAND
// becomes EINTR because a handler ran).
#include <cerrno>
#include <csignal>

#include <unistd.h>

namespace {

void on_alarm(int /*sig*/) {
    (void)::write(1, "alarm\n", 6);
}

} // namespace

int main() {
    struct sigaction sa {};
    sa.sa_handler = on_alarm; // no SA_RESTART: nothing would restart sigsuspend anyway
    ::sigaction(SIGALRM, &sa, nullptr);
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    sigset_t old;
    ::sigprocmask(SIG_BLOCK, &alarm_only, &old);
    ::alarm(1);
    sigset_t none;
    sigemptyset(&none);
    const int r = ::sigsuspend(&none);
    const bool interrupted = r == -1 && errno == EINTR;
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    return interrupted ? 0 : 10;
}
