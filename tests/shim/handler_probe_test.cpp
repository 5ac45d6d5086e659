// SPDX-License-Identifier: MIT
// probe_signal_handler (spec 3.D5): the exact handler address of a caught signal, learnt at
// the signal-delivery-stop, and no trace of the question: the tracee stops again for the same
// signal with the same siginfo, registers and masks, and its delivery, suppression, syscall
// restart and saved mask are what they would have been.
#include <ptrace/shim/handler_probe.hpp>
#include <ptrace/shim/sys.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/ptrace.h>
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
using shim::HandlerProbe;
using shim::probe_signal_handler;

volatile sig_atomic_t handler_code = -1;
volatile sig_atomic_t handler_hits = 0;

void on_usr1_info(int, siginfo_t* info, void*) {
    handler_code = info->si_code;
    handler_hits = handler_hits + 1;
}
void on_usr1(int) {
    handler_hits = handler_hits + 1;
}

/// A child that installs `install`, asks to be traced and runs `body`; its exit code says
/// what it saw. The parent sets PTRACE_O_TRACESYSGOOD at its first stop (the shim's tracees
/// always have it).
template <class Install, class Body>
pid_t traced_child(Install install, Body body) {
    const pid_t pid = test_support::fork_tied_to_test(); // it may stop, or read a pipe forever
    if (pid == 0) {
        install();
        (void)ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        (void)raise(SIGSTOP);
        _exit(body());
    }
    REQUIRE(pid > 0);
    const int status = wait_bounded(pid);
    REQUIRE(WIFSTOPPED(status));
    REQUIRE(WSTOPSIG(status) == SIGSTOP);
    REQUIRE(ptrace(PTRACE_SETOPTIONS, pid, nullptr, PTRACE_O_TRACESYSGOOD) == 0);
    REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0);
    return pid;
}

void install_siginfo_handler() {
    struct sigaction sa {};
    sa.sa_sigaction = on_usr1_info;
    sa.sa_flags = SA_SIGINFO;
    (void)sigaction(SIGUSR1, &sa, nullptr);
}

/// Probes `pid` at its delivery-stop for `sig` and waits for the stop the probe resumed it
/// to: the same signal, siginfo, registers and mask. \returns the handler address.
std::uint64_t probe_and_restop(pid_t pid, int sig, shim::ProbeSpace& space) {
    const siginfo_t before = siginfo_of(pid);
    const user_regs_struct regs_before = regs_of(pid);
    const std::uint64_t mask_before = mask_of(pid);
    const auto st = shim::sys::proc_status(pid);
    REQUIRE(st.has_value());
    const HandlerProbe probe = probe_signal_handler(pid, sig, *st, space, PTRACE_CONT);
    CAPTURE(probe.reason);
    REQUIRE(probe.outcome == HandlerProbe::Outcome::Resumed);
    const int status = wait_bounded(pid);
    REQUIRE(WIFSTOPPED(status));
    CHECK(WSTOPSIG(status) == sig);
    CHECK((status >> 16) == 0);
    const siginfo_t after = siginfo_of(pid);
    CHECK(std::memcmp(&before, &after, sizeof before) == 0);
    const user_regs_struct regs_after = regs_of(pid);
    CHECK(std::memcmp(&regs_before, &regs_after, sizeof regs_before) == 0);
    CHECK((regs_after.eflags & 0x100) == 0); // no trap flag (x86 TF)
    CHECK(mask_of(pid) == mask_before);
    return probe.handler;
}

/// The bytes of the tracee's stack from `below` bytes under its stack pointer up to it.
std::string stack_below(pid_t pid, std::uint64_t below) {
    const std::uint64_t sp = regs_of(pid).rsp;
    const std::string path = "/proc/" + std::to_string(pid) + "/mem";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string bytes(below, '\0');
    const ssize_t n = ::pread(fd, bytes.data(), below, static_cast<off_t>(sp - below));
    (void)::close(fd);
    REQUIRE(n == static_cast<ssize_t>(below));
    return bytes;
}

} // namespace

TEST_SUITE("shim") {

    TEST_CASE("D5: the probe finds the handler; the signal then arrives with its siginfo") {
        handler_hits = 0;
        const pid_t pid = traced_child(install_siginfo_handler, [] {
            (void)raise(SIGUSR1);
            return handler_code == SI_TKILL && handler_hits == 1 ? 42 : 1;
        });
        int status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        REQUIRE(WSTOPSIG(status) == SIGUSR1);
        shim::ProbeSpace space;
        const std::string stack = stack_below(pid, 4096);
        CHECK(probe_and_restop(pid, SIGUSR1, space) ==
              reinterpret_cast<std::uintptr_t>(&on_usr1_info));
        CHECK(space.page != 0);
        CHECK(stack_below(pid, 4096) == stack); // the probe wrote nothing on the stack
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
        status = wait_bounded(pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 42);
    }

    TEST_CASE("E2: at the stop after the probe, resuming without the signal suppresses it") {
        handler_hits = 0;
        const pid_t pid = traced_child(install_siginfo_handler, [] {
            (void)raise(SIGUSR1);
            return handler_hits == 0 ? 43 : 1;
        });
        int status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        shim::ProbeSpace space;
        (void)probe_and_restop(pid, SIGUSR1, space);
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0);
        status = wait_bounded(pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 43);
    }

    TEST_CASE("an interrupted syscall restarts, or fails with EINTR, as it would have") {
        for (const int flags : {SA_RESTART, 0}) {
            CAPTURE(flags);
            handler_hits = 0;
            int pipe_fds[2];
            REQUIRE(pipe(pipe_fds) == 0);
            const pid_t pid = traced_child(
                [flags] {
                    struct sigaction sa {};
                    sa.sa_handler = on_usr1;
                    sa.sa_flags = flags;
                    (void)sigaction(SIGUSR1, &sa, nullptr);
                },
                [&] {
                    char c = 0;
                    const ssize_t r = read(pipe_fds[0], &c, 1);
                    if (r == 1 && handler_hits == 1) {
                        return 44; // restarted after the handler
                    }
                    if (r < 0 && errno == EINTR && handler_hits == 1) {
                        return 45;
                    }
                    return 1;
                });
            usleep(50000); // let the child block in read(2)
            REQUIRE(kill(pid, SIGUSR1) == 0);
            int status = wait_bounded(pid);
            REQUIRE(WIFSTOPPED(status));
            shim::ProbeSpace space;
            CHECK(probe_and_restop(pid, SIGUSR1, space) ==
                  reinterpret_cast<std::uintptr_t>(&on_usr1));
            REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
            usleep(50000);
            REQUIRE(write(pipe_fds[1], "x", 1) == 1);
            status = wait_bounded(pid);
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == (flags == SA_RESTART ? 44 : 45));
            (void)close(pipe_fds[0]);
            (void)close(pipe_fds[1]);
        }
    }

    TEST_CASE("D5: a signal that interrupts sigsuspend keeps the saved mask (no livelock)") {
        // The classic pattern: block the signal, then wait for it with sigsuspend. Linux
        // keeps the caller's mask saved while the temporary one is in force; after the
        // handler the caller's mask is back. The probe must leave that saved state intact.
        handler_hits = 0;
        const pid_t pid = traced_child(
            [] {
                struct sigaction sa {};
                sa.sa_handler = on_usr1;
                (void)sigaction(SIGUSR1, &sa, nullptr);
            },
            [] {
                sigset_t block;
                sigemptyset(&block);
                sigaddset(&block, SIGUSR1);
                sigaddset(&block, SIGUSR2);
                (void)sigprocmask(SIG_BLOCK, &block, nullptr);
                sigset_t wait_mask;
                sigemptyset(&wait_mask);
                sigaddset(&wait_mask, SIGTERM);
                const int r = sigsuspend(&wait_mask);
                sigset_t now;
                (void)sigprocmask(SIG_SETMASK, nullptr, &now);
                const bool exact = r == -1 && errno == EINTR && handler_hits == 1 &&
                                   sigismember(&now, SIGUSR1) == 1 &&
                                   sigismember(&now, SIGUSR2) == 1 &&
                                   sigismember(&now, SIGTERM) == 0;
                return exact ? 47 : 1;
            });
        // Wait until it sleeps in sigsuspend (state S with the temporary mask in force).
        for (int i = 0; i < 500; ++i) {
            const auto st = shim::sys::proc_status(pid);
            REQUIRE(st.has_value());
            if (st->state == 'S' && st->sig_blk == (std::uint64_t{1} << (SIGTERM - 1))) {
                break;
            }
            usleep(10000);
        }
        REQUIRE(kill(pid, SIGUSR1) == 0);
        int status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        REQUIRE(WSTOPSIG(status) == SIGUSR1);
        // PTRACE_GETSIGMASK reports the saved mask, /proc the temporary one.
        const std::uint64_t usr =
            (std::uint64_t{1} << (SIGUSR1 - 1)) | (std::uint64_t{1} << (SIGUSR2 - 1));
        CHECK((mask_of(pid) & usr) == usr);
        shim::ProbeSpace space;
        CHECK(probe_and_restop(pid, SIGUSR1, space) == reinterpret_cast<std::uintptr_t>(&on_usr1));
        const auto st = shim::sys::proc_status(pid);
        REQUIRE(st.has_value());
        CHECK(st->sig_blk == (std::uint64_t{1} << (SIGTERM - 1))); // the temporary mask
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
        for (;;) { // the handler's syscalls may stop it; deliver whatever else comes
            status = wait_bounded(pid);
            if (!WIFSTOPPED(status)) {
                break;
            }
            REQUIRE(WSTOPSIG(status) != SIGUSR1); // the same stop coming back: the livelock
            REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0);
        }
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 47);
    }

    TEST_CASE("the probe is skipped, changing nothing, where asking would change the delivery") {
        SUBCASE("another instance of a real-time signal is queued behind it") {
            handler_hits = 0;
            const int rt = SIGRTMIN + 2;
            const pid_t pid = traced_child(
                [rt] {
                    struct sigaction sa {};
                    sa.sa_handler = on_usr1;
                    (void)sigaction(rt, &sa, nullptr);
                },
                [rt] {
                    sigset_t block;
                    sigemptyset(&block);
                    sigaddset(&block, rt);
                    (void)sigprocmask(SIG_BLOCK, &block, nullptr);
                    (void)raise(rt);
                    (void)raise(rt);
                    (void)sigprocmask(SIG_UNBLOCK, &block, nullptr);
                    return handler_hits == 2 ? 48 : 1;
                });
            int status = wait_bounded(pid);
            REQUIRE(WIFSTOPPED(status));
            REQUIRE(WSTOPSIG(status) == rt);
            const auto st = shim::sys::proc_status(pid);
            REQUIRE(st.has_value());
            shim::ProbeSpace space;
            const HandlerProbe probe = probe_signal_handler(pid, rt, *st, space, PTRACE_CONT);
            CHECK(probe.outcome == HandlerProbe::Outcome::Skipped);
            REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(rt)) == 0);
            status = wait_bounded(pid);
            REQUIRE(WIFSTOPPED(status));
            REQUIRE(WSTOPSIG(status) == rt);
            REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(rt)) == 0);
            status = wait_bounded(pid);
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 48);
        }
        SUBCASE("the tracee does not sit at a delivery-stop for that signal") {
            handler_hits = 0;
            const pid_t pid = traced_child(install_siginfo_handler, [] {
                (void)raise(SIGUSR1);
                return handler_hits == 1 ? 46 : 1;
            });
            int status = wait_bounded(pid);
            REQUIRE(WIFSTOPPED(status));
            const auto st = shim::sys::proc_status(pid);
            REQUIRE(st.has_value());
            shim::ProbeSpace space;
            CHECK(probe_signal_handler(pid, SIGUSR2, *st, space, PTRACE_CONT).outcome ==
                  HandlerProbe::Outcome::Skipped);
            REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
            status = wait_bounded(pid);
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 46);
        }
    }

    TEST_CASE("the library's page is mapped once per address space and checked before use") {
        handler_hits = 0;
        const pid_t pid = traced_child(install_siginfo_handler, [] {
            (void)raise(SIGUSR1);
            (void)raise(SIGUSR1);
            return handler_hits == 2 ? 49 : 1;
        });
        shim::ProbeSpace space;
        std::uint64_t first_page = 0;
        for (int round = 0; round < 2; ++round) {
            CAPTURE(round);
            int status = wait_bounded(pid);
            REQUIRE(WIFSTOPPED(status));
            REQUIRE(WSTOPSIG(status) == SIGUSR1);
            CHECK(probe_and_restop(pid, SIGUSR1, space) ==
                  reinterpret_cast<std::uintptr_t>(&on_usr1_info));
            if (round == 0) {
                first_page = space.page;
            }
            CHECK(space.page == first_page);
            REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
        }
        const int status = wait_bounded(pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 49);
    }

} // TEST_SUITE
