// SPDX-License-Identifier: MIT
// Signals whose siginfo says different things (decision 27), each caught by a handler, in an
// order that does not depend on timing: faults (SIGSEGV at a known address, SIGFPE from a
// division by zero, SIGILL from ud2; the handler jumps back out), signals a process sends
// (kill: SI_USER, raise: SI_TKILL, sigqueue with a value: SI_QUEUE), a POSIX timer's (SI_TIMER,
// with its value), an interval timer's SIGALRM (SI_KERNEL) and a pipe's SIGIO (POLL_IN, with
// the band and the fd). The timers' signals are blocked until a sigsuspend waits for them.
// Exit status 0 when every handler ran once, 10 + the number of the first that did not.
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <initializer_list>

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

namespace {

sigjmp_buf back;
volatile sig_atomic_t seen[65] = {};

void on_fault(int sig) {
    seen[sig] = seen[sig] + 1;
    siglongjmp(back, 1);
}

void on_signal(int sig) {
    seen[sig] = seen[sig] + 1;
}

void handle(int sig, void (*handler)(int)) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    ::sigaction(sig, &sa, nullptr);
}

/// Waits with an empty mask until a blocked `sig` has been handled.
void wait_for(int sig) {
    sigset_t none;
    sigemptyset(&none);
    while (seen[sig] == 0) {
        (void)::sigsuspend(&none);
    }
}

} // namespace

int main() {
    for (const int sig : {SIGSEGV, SIGFPE, SIGILL}) {
        handle(sig, on_fault);
    }
    for (const int sig : {SIGUSR1, SIGUSR2, SIGRTMIN, SIGALRM, SIGIO, SIGRTMIN + 1}) {
        handle(sig, on_signal);
    }
    if (sigsetjmp(back, 1) == 0) {
        *reinterpret_cast<volatile int*>(std::uintptr_t{0x10}) = 1; // SEGV_MAPERR at 0x10
    }
    if (sigsetjmp(back, 1) == 0) {
        volatile int zero = 0;
        volatile int quotient = 100 / zero; // FPE_INTDIV at the idiv (not 1 / x: g++ folds that)
        (void)quotient;
    }
    if (sigsetjmp(back, 1) == 0) {
        __builtin_trap(); // ud2: ILL_ILLOPN
    }
    ::kill(::getpid(), SIGUSR1); // SI_USER, this process
    ::raise(SIGUSR2);            // SI_TKILL, this thread
    sigval value{};
    value.sival_ptr = reinterpret_cast<void*>(std::uintptr_t{42});
    ::sigqueue(::getpid(), SIGRTMIN, value); // SI_QUEUE, si_int=42

    sigset_t timers;
    sigemptyset(&timers);
    sigaddset(&timers, SIGRTMIN + 1);
    sigaddset(&timers, SIGALRM);
    ::sigprocmask(SIG_BLOCK, &timers, nullptr);
    sigevent ev{};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 1;
    ev.sigev_value.sival_ptr = reinterpret_cast<void*>(std::uintptr_t{7});
    timer_t timer{};
    if (::timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0) {
        itimerspec once{};
        once.it_value.tv_nsec = 1'000'000;
        ::timer_settime(timer, 0, &once, nullptr);
        wait_for(SIGRTMIN + 1); // SI_TIMER, si_int=7
        ::timer_delete(timer);
    }
    itimerval alarm_once{};
    alarm_once.it_value.tv_usec = 1000;
    ::setitimer(ITIMER_REAL, &alarm_once, nullptr);
    wait_for(SIGALRM); // SI_KERNEL

    int fds[2] = {-1, -1};
    if (::pipe(fds) == 0) {
        ::fcntl(fds[0], F_SETOWN, ::getpid());
        ::fcntl(fds[0], F_SETSIG, SIGIO);
        ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_ASYNC);
        (void)::write(fds[1], "x", 1); // POLL_IN on fds[0]
        ::close(fds[0]);
        ::close(fds[1]);
    }
    int n = 0;
    for (const int sig :
         {SIGSEGV, SIGFPE, SIGILL, SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN + 1, SIGALRM, SIGIO}) {
        ++n;
        if (seen[sig] != 1) {
            return 10 + n;
        }
    }
    return 0;
}
