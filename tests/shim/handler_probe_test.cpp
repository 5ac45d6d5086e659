// SPDX-License-Identifier: MIT
// probe_signal_handler (spec 3.D5): the exact handler address of a caught signal, learnt at
// the signal-delivery-stop without losing the signal, its siginfo or a syscall restart.
#include <ptrace/shim/handler_probe.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>

#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using ptrace_api::shim::HandlerProbe;
using ptrace_api::shim::probe_signal_handler;

volatile sig_atomic_t handler_code = -1;
volatile sig_atomic_t handler_hits = 0;

void on_usr1_info(int, siginfo_t* info, void*) {
    handler_code = info->si_code;
    handler_hits = handler_hits + 1;
}
void on_usr1(int) {
    handler_hits = handler_hits + 1;
}

/// Waits for `pid` with a bound: a tracee that does not stop or exit in time is killed, so a
/// broken probe fails the test instead of hanging it.
int wait_bounded(pid_t pid) {
    for (int i = 0; i < 500; ++i) {
        int status = 0;
        const pid_t got = waitpid(pid, &status, __WALL | WNOHANG);
        if (got == pid) {
            return status;
        }
        usleep(10000);
    }
    (void)kill(pid, SIGKILL);
    int status = 0;
    (void)waitpid(pid, &status, __WALL);
    FAIL("tracee did not stop or exit within 5 s");
    return status;
}

/// A child that installs `install`, asks to be traced and raises SIGUSR1; its exit code says
/// what its handler saw.
template <class Install, class Body>
pid_t traced_child(Install install, Body body) {
    const pid_t pid = fork();
    if (pid == 0) {
        install();
        (void)ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        _exit(body());
    }
    REQUIRE(pid > 0);
    return pid;
}

void install_siginfo_handler() {
    struct sigaction sa {};
    sa.sa_sigaction = on_usr1_info;
    sa.sa_flags = SA_SIGINFO;
    (void)sigaction(SIGUSR1, &sa, nullptr);
}

} // namespace

TEST_SUITE("shim") {

    TEST_CASE("D5: the probe finds the handler address and the signal arrives with its siginfo") {
        const pid_t pid = traced_child(install_siginfo_handler, [] {
            (void)raise(SIGUSR1);
            return handler_code == SI_TKILL && handler_hits == 1 ? 42 : 1;
        });
        int status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        REQUIRE(WSTOPSIG(status) == SIGUSR1);
        const HandlerProbe probe = probe_signal_handler(pid, SIGUSR1);
        CHECK(probe.outcome == HandlerProbe::Outcome::Found);
        CHECK(probe.handler == reinterpret_cast<std::uintptr_t>(&on_usr1_info));
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
        status = wait_bounded(pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 42);
    }

    TEST_CASE("E2: after the probe, resuming with no signal still suppresses it") {
        const pid_t pid = traced_child(install_siginfo_handler, [] {
            (void)raise(SIGUSR1);
            return handler_hits == 0 ? 43 : 1;
        });
        int status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        CHECK(probe_signal_handler(pid, SIGUSR1).outcome == HandlerProbe::Outcome::Found);
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0);
        status = wait_bounded(pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 43);
    }

    TEST_CASE("an interrupted syscall restarts, or fails with EINTR, as it would have") {
        for (const int flags : {SA_RESTART, 0}) {
            CAPTURE(flags);
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
            const HandlerProbe probe = probe_signal_handler(pid, SIGUSR1);
            CHECK(probe.outcome == HandlerProbe::Outcome::Found);
            CHECK(probe.handler == reinterpret_cast<std::uintptr_t>(&on_usr1));
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

    TEST_CASE("a probe at the wrong stop changes nothing") {
        const pid_t pid = traced_child(install_siginfo_handler, [] {
            (void)raise(SIGUSR1);
            return handler_hits == 1 ? 46 : 1;
        });
        int status = wait_bounded(pid);
        REQUIRE(WIFSTOPPED(status));
        // The stop is for SIGUSR1; asking about SIGUSR2 is refused before anything is touched.
        CHECK(probe_signal_handler(pid, SIGUSR2).outcome == HandlerProbe::Outcome::Failed);
        REQUIRE(ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(SIGUSR1)) == 0);
        status = wait_bounded(pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 46);
    }

} // TEST_SUITE
