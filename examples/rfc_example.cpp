// SPDX-License-Identifier: MIT
// The example of the Redox ptrace RFC (text/0004-ptrace.md), ported line for line to the
// RAII API: a child stops itself, the parent attaches, catches the child's first syscall
// and turns it into exit(0).
#include <ptrace/ptrace.hpp>
#include <ptrace/tracer.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

/// The RFC uses Rust's `?`; here a failed call prints why and ends the example.
template <class T>
T must(ptrace_api::Result<T> result, const char* what) {
    if (!result) {
        std::cerr << what << ": " << result.error().message() << '\n';
        std::exit(1);
    }
    return std::move(*result);
}

void must(const ptrace_api::Result<void>& result, const char* what) {
    if (!result) {
        std::cerr << what << ": " << result.error().message() << '\n';
        std::exit(1);
    }
}

} // namespace

int main() {
    using ptrace_api::PtraceFlags;

    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("fork");
        return 1;
    }
    if (pid == 0) {
        // This is the child.

        // Wait until the parent is ready to trace.
        (void)::raise(SIGSTOP);

        // None of this should run: the tracer replaces the first syscall after the stop by
        // exit(0). If it did not, the child says so and exits with 42.
        std::printf("Some prints here\n");
        std::printf("Some other syscalls\n");
        std::fprintf(stderr, "One can even print to STDERR\n");
        std::fflush(stdout);
        ::_exit(42);
    }
    // This is the parent.
    int status = 0;

    // Wait for the child-initiated SIGSTOP to complete.
    if (::waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
        std::perror("waitpid");
        return 1;
    }
    std::cout << "child " << pid << " stopped itself with SIGSTOP\n";

    // ptrace attach: stop the process using the internal ptrace mechanism (O_TRUNC, not
    // SIGSTOP!). The tracer also holds the register handle (`tracer.regs()`).
    auto tracer = must(ptrace_api::Tracer::attach(
                           pid, {ptrace_api::AttachStop::StopNow, ptrace_api::OnClose::Detach}),
                       "attach");
    std::cout << "attached with O_TRUNC\n";

    // It is safe to schedule a continuation of the child process, because it is still
    // stopped by ptrace (H2: SIGCONT does not resume a ptrace-stopped tracee).
    if (::kill(pid, SIGCONT) != 0) {
        std::perror("kill");
        return 1;
    }

    auto handler = must(tracer.next_event(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::EVENT_CLONE),
                        "next_event");
    // Mostly ignore events... usually you can get some interesting data from them.
    auto event = handler.breakpoint();
    while (!event) {
        // In reality you will want to handle these events, or it makes no sense to listen for
        // them at all. This just shows how to get past non-breakpoint events: wait again
        // (FLAG_WAIT) and read.
        must(handler.retry(), "retry");
        event = handler.breakpoint();
    }
    // This is safe because if the process exits, the wait returns ESRCH.
    if (event->cause != PtraceFlags::STOP_PRE_SYSCALL) {
        std::cerr << "unexpected event " << *event << '\n';
        return 1;
    }
    std::cout << "event: " << *event << '\n';

    auto registers = must(tracer.regs().get_int(), "read registers");

    // Decision 7: the Redox IntRegisters have no orig_rax; at PRE_SYSCALL, rax holds the
    // number (where the RFC text says orig_rax).
    std::cout << "System call: "
              << ptrace_api::syscall_display_name(static_cast<long>(registers.rax)) << " ("
              << registers.rax << ")\n";
    std::cout << "Replacing with exit!\n";

    registers.rax = SYS_exit; // Linux's number; the RFC's SYS_EXIT is Redox's
    registers.rdi = 0;

    must(tracer.regs().set_int(registers), "write registers");

    // tracer.next(PtraceFlags::STOP_POST_SYSCALL); // wait for the completion of the syscall

    // Don't set any stops, rather run the program to the end, which is like right now. The
    // blocking write returns ESRCH once the tracee exited (decision 8).
    const auto end = tracer.next(PtraceFlags{});
    std::cout << "run to the end: " << (end ? "ok" : end.error().message()) << '\n';
    if (end || end.error() != std::make_error_code(std::errc::no_such_process)) {
        return 1;
    }

    // Reap the zombie process (G2: ptrace never reaps).
    if (::waitpid(pid, &status, 0) != pid) {
        std::perror("waitpid");
        return 1;
    }
    std::cout << "child exited with status " << WEXITSTATUS(status) << '\n';

    // The tracer is dropped here: tracing detached, and the process implicitly resumed if it
    // had not already been, you know, killed.
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
