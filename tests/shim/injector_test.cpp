// SPDX-License-Identifier: MIT
// detail::Injector (decision 24) in a tracee held inside rt_sigsuspend, seen with raw ptrace:
// after a call injected at an INTERRUPT stop and at the SIGNAL stop of a signal that
// interrupted the wait, the kernel's saved-mask state is back (PTRACE_GETSIGMASK shows the
// program's mask, /proc SigBlk the wait's temporary one), and the program sees its wait end
// as it would have.
#include <ptrace/shim/injector.hpp>
#include <ptrace/shim/sys.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "raw_tracee.hpp"
#include "watchdog.hpp"

using raw_tracee::mask_of;
using raw_tracee::regs_of;
using raw_tracee::siginfo_of;
using raw_tracee::wait_bounded;

namespace {

namespace shim = ptrace_api::shim;

volatile sig_atomic_t usr1_hits = 0;

void count_usr1(int) {
    usr1_hits = usr1_hits + 1;
}

constexpr std::uint64_t bit(int sig) {
    return std::uint64_t{1} << (sig - 1);
}

/// The program's mask, and the temporary one of its rt_sigsuspend.
constexpr std::uint64_t own_mask = bit(SIGUSR1) | bit(SIGUSR2);
constexpr std::uint64_t wait_mask = bit(SIGUSR2) | bit(SIGTERM);

/// Kills and reaps a child the test left behind (a failed REQUIRE).
struct Reaper {
    pid_t pid = 0;
    explicit Reaper(pid_t child) : pid(child) {}
    Reaper(const Reaper&) = delete;
    Reaper& operator=(const Reaper&) = delete;
    ~Reaper() {
        if (pid > 0) {
            (void)kill(pid, SIGKILL);
            (void)waitpid(pid, nullptr, __WALL);
        }
    }
};

/// True while `pid` sleeps with the temporary mask in force: inside its rt_sigsuspend.
bool in_wait(pid_t pid) {
    const auto st = shim::sys::proc_status(pid);
    return st && st->state == 'S' && st->sig_blk == wait_mask;
}

/// True once `pid` is inside its rt_sigsuspend, looked at every 10 ms for up to 5 s.
bool reaches_wait(pid_t pid) {
    for (int i = 0; i < 500; ++i) {
        if (in_wait(pid)) {
            return true;
        }
        usleep(10000);
    }
    return false;
}

/// Runs getpid in `pid` with the Injector at a stop of kind `stop`; checks the registers and
/// both masks around it.
void inject_getpid(pid_t pid, shim::detail::StopKind stop, int sig, shim::ProbeSpace& space) {
    const user_regs_struct before = regs_of(pid);
    CHECK(mask_of(pid) == own_mask); // the saved mask, while the wait's is in force
    shim::detail::Injector injector(pid, stop, sig, space);
    ptrace_api::InjectResult out;
    const shim::detail::InjectError e = injector.run(ptrace_api::InjectCall(SYS_getpid, {}), out);
    CAPTURE(e.why);
    REQUIRE(e.err == 0);
    CHECK(out.ret == pid);
    const user_regs_struct after = regs_of(pid);
    CHECK(std::memcmp(&before, &after, sizeof before) == 0);
    CHECK(mask_of(pid) == own_mask); // saved again (PTRACE_SETSIGMASK had dropped it)
    const auto st = shim::sys::proc_status(pid);
    REQUIRE(st.has_value());
    CHECK(st->sig_blk == wait_mask); // and the temporary mask in force
}

} // namespace

TEST_SUITE("shim") {

    TEST_CASE("decision 24: calls injected at an INTERRUPT stop and a SIGNAL stop inside "
              "rt_sigsuspend leave its saved mask saved and its temporary mask in force") {
        usr1_hits = 0;
        const pid_t pid = test_support::fork_tied_to_test(); // it waits in sigsuspend
        if (pid == 0) {
            struct sigaction sa {};
            sa.sa_handler = count_usr1;
            (void)sigaction(SIGUSR1, &sa, nullptr);
            sigset_t block;
            sigemptyset(&block);
            sigaddset(&block, SIGUSR1);
            sigaddset(&block, SIGUSR2);
            (void)sigprocmask(SIG_BLOCK, &block, nullptr);
            sigset_t temporary;
            sigemptyset(&temporary);
            sigaddset(&temporary, SIGUSR2);
            sigaddset(&temporary, SIGTERM);
            const int r = sigsuspend(&temporary);
            sigset_t now;
            (void)sigprocmask(SIG_SETMASK, nullptr, &now);
            const bool exact = r == -1 && errno == EINTR && usr1_hits == 1 &&
                               sigismember(&now, SIGUSR1) == 1 && sigismember(&now, SIGUSR2) == 1 &&
                               sigismember(&now, SIGTERM) == 0;
            _exit(exact ? 47 : 1);
        }
        REQUIRE(pid > 0);
        Reaper reaper(pid);
        REQUIRE(reaches_wait(pid));
        REQUIRE(ptrace(PTRACE_SEIZE, pid, nullptr, PTRACE_O_TRACESYSGOOD) == 0);
        REQUIRE(ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) == 0);
        int status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        REQUIRE((status >> 16) == PTRACE_EVENT_STOP);
        shim::ProbeSpace space;
        inject_getpid(pid, shim::detail::StopKind::Interrupt, 0, space);
        // The wait restarts with its temporary mask; SIGUSR1 (blocked by the program's own
        // mask only) ends it.
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0);
        REQUIRE(reaches_wait(pid));
        REQUIRE(kill(pid, SIGUSR1) == 0);
        status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        REQUIRE(WSTOPSIG(status) == SIGUSR1);
        const siginfo_t info = siginfo_of(pid);
        inject_getpid(pid, shim::detail::StopKind::Signal, SIGUSR1, space);
        const siginfo_t again = siginfo_of(pid);
        CHECK(std::memcmp(&info, &again, sizeof info) == 0);
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
        status = wait_bounded(pid);
        reaper.pid = 0;
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 47);
    }

} // TEST_SUITE
