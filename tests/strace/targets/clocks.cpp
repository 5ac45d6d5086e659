// SPDX-License-Identifier: MIT
// The clock and timer calls, with arguments whose results do not change from run to run:
// clock ids by name, a thread's and a process's CPU clocks (negative ids, which strace prints
// in hex as CLOCK_???) and an unknown one; resolutions, errors, clock_nanosleep's and
// timerfd's flags, a timerfd's settings read back once it has expired; adjtimex and
// clock_adjtime where they fail (their struct timex holds the time of day, which does).
#include <cstdint>
#include <ctime>

#include <pthread.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <unistd.h>

namespace {

long call(long nr, std::uintptr_t a = 0, std::uintptr_t b = 0, std::uintptr_t c = 0,
          std::uintptr_t d = 0) {
    return ::syscall(nr, a, b, c, d);
}

std::uintptr_t address(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}

} // namespace

int main() {
    clockid_t thread_clock = 0;
    clockid_t process_clock = 0;
    if (::pthread_getcpuclockid(::pthread_self(), &thread_clock) != 0 ||
        ::clock_getcpuclockid(::getpid(), &process_clock) != 0) {
        return 1;
    }
    const auto thread_id = static_cast<std::uintptr_t>(static_cast<std::uint32_t>(thread_clock));
    const auto process_id = static_cast<std::uintptr_t>(static_cast<std::uint32_t>(process_clock));
    timespec ts{};
    // Resolutions: by name, of the CPU clocks, none asked for; an unknown clock.
    call(SYS_clock_getres, CLOCK_MONOTONIC, address(&ts));
    call(SYS_clock_getres, CLOCK_TAI, address(&ts));
    call(SYS_clock_getres, thread_id, address(&ts));
    call(SYS_clock_getres, process_id, address(&ts));
    call(SYS_clock_getres, CLOCK_BOOTTIME, 0);
    call(SYS_clock_getres, 77, address(&ts));
    // Errors only: the time itself changes from run to run.
    call(SYS_clock_gettime, CLOCK_REALTIME, 0);
    call(SYS_clock_gettime, 77, address(&ts));
    ts = {0, 1};
    call(SYS_clock_settime, CLOCK_MONOTONIC, address(&ts));   // EINVAL: it cannot be set
    call(SYS_clock_nanosleep, thread_id, 0, address(&ts), 0); // EINVAL: a thread's own clock
    call(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, address(&ts), 0);
    call(SYS_clock_nanosleep, CLOCK_MONOTONIC, 2, address(&ts), 0); // unknown flag: ignored
    // A timerfd: flags by name and unknown; a setting in the past with its old value, read
    // back once it has fired (all zero).
    const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    call(SYS_timerfd_create, CLOCK_BOOTTIME, 0x40);
    call(SYS_timerfd_create, thread_id, 0);
    itimerspec setting{{0, 0}, {1, 5}};
    itimerspec old{};
    call(SYS_timerfd_settime, static_cast<std::uintptr_t>(fd), TFD_TIMER_ABSTIME, address(&setting),
         address(&old));
    call(SYS_timerfd_settime, static_cast<std::uintptr_t>(fd), 0x10, address(&setting), 0);
    call(SYS_timerfd_gettime, static_cast<std::uintptr_t>(fd), address(&old));
    call(SYS_timerfd_gettime, 999, address(&old));
    // adjtimex and clock_adjtime: a bad address, a clock that has no adjustment.
    timex tx{};
    call(SYS_adjtimex, 8);
    call(SYS_clock_adjtime, thread_id, address(&tx));
    call(SYS_clock_adjtime, CLOCK_REALTIME, 8);
    ::close(fd);
    return 0;
}
