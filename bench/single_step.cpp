// SPDX-License-Identifier: MIT
// Single-step rate: Tracer::next(STOP_SINGLESTEP) on the tracer thread against a raw
// PTRACE_SINGLESTEP + waitpid loop, over the same straight-line loop in the tracee.
#include <ptrace/flags.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>

#include <csignal>
#include <string>

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

namespace {

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
            const pid_t pid = bench::fork_stopped(true, [&] { spin(iterations); });
            int status = 0;
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
            const pid_t pid = bench::fork_stopped(false, [&] { spin(iterations); });
            int status = 0;
            auto tracer = ptrace_api::Tracer::attach(
                pid, {ptrace_api::AttachStop::StopNow, ptrace_api::OnClose::Kill});
            if (!tracer) {
                bench::die("attach: " + tracer.error().message());
            }
            (void)kill(pid, SIGCONT);
            const auto s = bench::measure([&] {
                return ptrace_api::on_tracer_thread([&] {
                    double steps = 0;
                    while (tracer->next(PtraceFlags::STOP_SINGLESTEP)) {
                        ++steps;
                    }
                    return steps;
                });
            });
            (void)std::move(*tracer).close();
            (void)waitpid(pid, &status, 0);
            return s;
        },
        "us/step", 1.1);
    return 0;
}
