// SPDX-License-Identifier: MIT
// Single-step rate: STOP_SINGLESTEP writes on a blocking trace handle against a raw
// PTRACE_SINGLESTEP + waitpid loop, over the same straight-line loop in the tracee.
#include <ptrace/bytes.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/proc.hpp>

#include <array>
#include <csignal>
#include <string>

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

namespace {

namespace shim = ptrace_api::shim;
using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;

/// A loop of a few instructions per iteration and no syscall until _exit.
[[noreturn]] void spin(long iterations) {
    volatile long sink = 0;
    for (long i = 0; i < iterations; ++i) {
        sink = sink + i;
    }
    _exit(0);
}

} // namespace

int main(int argc, char** argv) {
    const long iterations = argc > 1 ? std::atol(argv[1]) : 3000;
    const int reps = bench::repetitions(5);
    bench::compare_row(
        "single-step (" + std::to_string(iterations) + "-iteration loop)", reps,
        [&] {
            const pid_t pid = fork();
            if (pid == 0) {
                (void)ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
                (void)raise(SIGSTOP);
                spin(iterations);
            }
            int status = 0;
            (void)waitpid(pid, &status, 0);
            (void)ptrace(PTRACE_SETOPTIONS, pid, nullptr, PTRACE_O_EXITKILL);
            return bench::measure([&] {
                double steps = 0;
                for (;;) {
                    (void)ptrace(PTRACE_SINGLESTEP, pid, nullptr, nullptr);
                    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
                        return steps;
                    }
                    ++steps;
                }
            });
        },
        [&] {
            const pid_t pid = fork();
            if (pid == 0) {
                (void)raise(SIGSTOP);
                spin(iterations);
            }
            int status = 0;
            (void)waitpid(pid, &status, WUNTRACED);
            const auto fd = shim::open("proc:" + std::to_string(pid) + "/trace", O_TRUNC);
            if (!fd) {
                bench::die("open trace: " + fd.error().message());
            }
            (void)kill(pid, SIGCONT);
            const auto s = bench::measure([&] {
                double steps = 0;
                std::array<PtraceEvent, 4> events{};
                while (shim::write(*fd, ptrace_api::as_bytes(PtraceFlags::STOP_SINGLESTEP))) {
                    const auto n = shim::read(*fd, std::as_writable_bytes(std::span(events)));
                    steps += n ? static_cast<double>(*n / sizeof(PtraceEvent)) : 0;
                }
                return steps;
            });
            (void)shim::close(*fd);
            (void)waitpid(pid, &status, 0);
            return s;
        },
        "us/step", 1.1);
    return 0;
}
