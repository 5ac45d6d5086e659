// SPDX-License-Identifier: MIT
// The calls that wait for file descriptors, each as strace decodes it: epoll_ctl's operations
// and events (known, unknown and no bits; EPOLL_CTL_DEL, which strace shows as an address; an
// unknown operation), epoll_wait and its p- forms (the events found, a signal mask, a timeout;
// more events than -s shows), ppoll (array, timeout, mask, what it found), select and pselect6
// (the fd sets in and out, timeouts, pselect6's mask struct, nfds 0 and negative, unreadable
// sets), and the failures that leave addresses. Nothing here waits for long: every fd waited on
// is ready, or the timeout is 0 or a microsecond. The time left that ppoll, select and
// pselect6 write back changes from run to run (tests/strace/strace_test.py masks it). And
// eventfd2's flags.
#include <array>
#include <csignal>
#include <cstdint>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

/// An address that is never mapped (the first page).
void* const unmapped = reinterpret_cast<void*>(std::uintptr_t{8});

long sys_select(long nfds, fd_set* in, fd_set* out, fd_set* except, timeval* timeout) {
    return ::syscall(SYS_select, nfds, in, out, except, timeout);
}

/// pselect6's sixth argument: the mask and its size.
struct SigmaskArg {
    const sigset_t* mask;
    std::size_t size;
};

long sys_pselect6(long nfds, fd_set* in, fd_set* out, fd_set* except, timespec* timeout,
                  void* sigmask) {
    return ::syscall(SYS_pselect6, nfds, in, out, except, timeout, sigmask);
}

} // namespace

int main() {
    // eventfd2's flags: the kind of fd an event loop waits on (libuv, asyncio's wake-up).
    const long efd = ::syscall(SYS_eventfd2, 0, 02004001); // SEMAPHORE, CLOEXEC, NONBLOCK
    ::syscall(SYS_eventfd2, 0, 0x40);                      // EINVAL
    std::array<int, 2> a{};
    std::array<int, 2> b{};
    if (::pipe(a.data()) != 0 || ::pipe(b.data()) != 0 || ::write(a[1], "x", 1) != 1 ||
        ::write(b[1], "y", 1) != 1) {
        return 1;
    }
    sigset_t usr1{};
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigset_t int_usr1 = usr1;
    sigaddset(&int_usr1, SIGINT);

    // epoll_ctl: named bits, none, unknown ones with known ones, unknown ones alone; the data
    // word as both of strace's views (u32 and u64).
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLPRI | EPOLLERR | EPOLLHUP | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.u64 = 0x1122334455667788;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev);
    ev.events = 0;
    ev.data.u64 = static_cast<std::uint64_t>(b[0]);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, b[0], &ev);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLET | 0x8000; // EINVAL
    ::epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev);
    ev.events = 0x1800; // no named bit
    ::epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev);
    ::epoll_ctl(ep, EPOLL_CTL_DEL, b[0], nullptr);
    ::epoll_ctl(ep, EPOLL_CTL_DEL, b[0], &ev);     // ENOENT; strace shows the address
    ::epoll_ctl(ep, 7, b[0], &ev);                 // EINVAL: an unknown operation
    ::epoll_ctl(ep, EPOLL_CTL_ADD, b[0], nullptr); // EFAULT
    ::epoll_ctl(ep, EPOLL_CTL_ADD, b[0], static_cast<epoll_event*>(unmapped)); // EFAULT
    ev.events = EPOLLOUT | 0x20 /* EPOLLNVAL */ | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM |
                EPOLLWRBAND | EPOLLMSG;
    ev.data.u64 = static_cast<std::uint64_t>(a[1]);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, a[1], &ev);

    // epoll_wait and its p- forms: what they found, the mask and the timeout.
    std::array<epoll_event, 40> found{};
    ::epoll_wait(ep, found.data(), 4, 0);
    ::epoll_wait(ep, found.data(), 1, 0);
    ::epoll_wait(99, found.data(), 4, 0);         // EBADF: the address
    ::syscall(SYS_epoll_wait, ep, nullptr, 4, 0); // EFAULT: NULL
    ::epoll_wait(ep, found.data(), 0, 0);         // EINVAL
    ::epoll_pwait(ep, found.data(), 4, 10, &usr1);
    ::epoll_pwait(ep, found.data(), 4, -1, nullptr);
    timespec second{1, 5};
    ::syscall(SYS_epoll_pwait2, ep, found.data(), 4, &second, &usr1, sizeof(std::uint64_t));
    ::syscall(SYS_epoll_pwait2, ep, found.data(), 4, nullptr, nullptr, sizeof(std::uint64_t));
    // More ready events than -s 32 elements: `, ...]`.
    for (int i = 0; i < 34; ++i) {
        std::array<int, 2> p{};
        if (::pipe(p.data()) != 0 || ::write(p[1], "z", 1) != 1) {
            return 1;
        }
        ev.events = EPOLLIN;
        ev.data.u64 = static_cast<std::uint64_t>(p[0]);
        ::epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    }
    ::epoll_wait(ep, found.data(), static_cast<int>(found.size()), 0);

    // ppoll: the array, the timeout, the mask; what it found and the time left.
    std::array<pollfd, 3> fds{{{a[0], POLLIN, 0}, {a[1], POLLOUT, 0}, {-1, POLLIN, 0}}};
    timespec ts{1, 0};
    ::ppoll(fds.data(), fds.size(), &ts, &int_usr1);
    ::ppoll(fds.data(), 1, nullptr, nullptr);
    ::syscall(SYS_ppoll, fds.data(), 1, &ts, unmapped, sizeof(std::uint64_t)); // EFAULT
    ::syscall(SYS_ppoll, fds.data(), 1, &ts, &usr1, 4);                        // EINVAL
    ::syscall(SYS_ppoll, unmapped, 1, &ts, nullptr, sizeof(std::uint64_t));    // EFAULT

    // select: three sets, the ready fds written back, the time left as a timeval.
    const int nfds = b[1] + 1;
    fd_set in{};
    fd_set out{};
    fd_set except{};
    FD_ZERO(&in);
    FD_ZERO(&out);
    FD_ZERO(&except);
    FD_SET(a[0], &in);
    FD_SET(b[0], &in);
    FD_SET(a[1], &out);
    FD_SET(b[1], &out);
    FD_SET(0, &except);
    timeval tv{2, 500};
    sys_select(nfds, &in, &out, &except, &tv);
    FD_ZERO(&in);
    FD_SET(a[0], &in);
    sys_select(nfds, &in, nullptr, nullptr, nullptr);
    tv = timeval{0, 0};                         // select wrote the time left into it
    sys_select(0, &in, nullptr, nullptr, &tv);  // nfds 0: the set's address
    sys_select(-1, &in, nullptr, nullptr, &tv); // EINVAL

    // pselect6: the mask struct (a mask, none, unreadable), the time left as a timespec.
    timespec short_wait{0, 100};
    SigmaskArg with_mask{&usr1, sizeof(std::uint64_t)};
    SigmaskArg no_mask{nullptr, sizeof(std::uint64_t)};
    FD_ZERO(&in);
    FD_SET(a[0], &in);
    sys_pselect6(nfds, &in, nullptr, nullptr, &short_wait, &with_mask);
    FD_ZERO(&in);
    FD_SET(a[0], &in);
    sys_pselect6(nfds, &in, nullptr, nullptr, &short_wait, &no_mask);
    FD_ZERO(&in);
    FD_SET(a[0], &in);
    FD_SET(b[0], &in);
    sys_pselect6(nfds, &in, nullptr, nullptr, &short_wait, unmapped); // EFAULT
    sys_pselect6(3, static_cast<fd_set*>(unmapped), nullptr, nullptr, &short_wait,
                 nullptr); // EFAULT
    FD_ZERO(&in);
    FD_SET(90, &in);
    sys_pselect6(91, &in, nullptr, nullptr, &short_wait, nullptr); // EBADF

    // Nothing ready: Timeout.
    char byte = 0;
    if (::read(a[0], &byte, 1) != 1) {
        return 1;
    }
    FD_ZERO(&in);
    FD_SET(a[0], &in);
    timespec microsecond{0, 1000};
    sys_pselect6(nfds, &in, nullptr, nullptr, &microsecond, nullptr);
    ::ppoll(fds.data(), 1, &microsecond, nullptr);
    ::epoll_ctl(ep, EPOLL_CTL_DEL, a[1], nullptr);
    ::epoll_wait(::epoll_create1(0), found.data(), 4, 0);
    ::close(static_cast<int>(efd));
    return 0;
}
