// SPDX-License-Identifier: MIT
// Compile-cost row (b) (bench/compile_cost.cpp): a small user program of the library, compiled
// in the header-only mode and in the separately compiled one. It starts a program traced, stops
// it before each of its syscalls and at its exit, counts the syscalls, and reaps it.
// bench/meson.build also builds it, so that it keeps compiling as the API changes:
//
//     compile_spawn_tracer [PROGRAM [ARGS...]]     (default: /bin/true)
#if !defined(PTRACE_API_BENCH_DECLARATIONS_ONLY) // spawn_tracer_declarations.cpp: no library
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>
#endif

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

int main(int argc, char** argv) {
    using ptrace_api::PtraceFlags;
    ptrace_api::Command command;
    command.program = argc > 1 ? argv[1] : "/bin/true";
    command.args.assign(argv + std::min(argc, 2), argv + argc);

    // Traced from its first instruction, which has not run yet.
    auto spawned = ptrace_api::spawn(command);
    if (!spawned) {
        std::cerr << command.program << ": " << spawned.error().message() << '\n';
        return 1;
    }
    auto& [child, tracer] = *spawned;

    // Write the breakpoints (stop before each syscall, and before the exit) and read the
    // event that ends each wait, until the tracee is gone (ESRCH, G1).
    std::map<std::uint64_t, int> calls; // syscall number -> count
    std::optional<ptrace_api::WaitStatus> exit_status;
    for (;;) {
        const auto event = tracer.next(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_EXIT);
        if (!event) {
            break;
        }
        const auto view = ptrace_api::view(*event);
        if (std::holds_alternative<ptrace_api::events::PreSyscall>(view)) {
            if (const auto regs = tracer.regs().get_int()) {
                ++calls[regs->rax]; // at a PRE stop rax is the syscall number (decision 7)
            }
        } else if (const auto* exit = std::get_if<ptrace_api::events::Exit>(&view)) {
            exit_status = exit->status;
        }
    }

    // Close the trace handle, then reap the child (G2).
    (void)std::move(tracer).close();
    const auto status = child.wait();
    if (!status) {
        std::cerr << "wait: " << status.error().message() << '\n';
        return 1;
    }
    int total = 0;
    for (const auto& [nr, count] : calls) {
        total += count;
    }
    std::cout << command.program << ": " << total << " syscalls (" << calls.size()
              << " different), exit stop " << (exit_status ? "seen" : "not seen")
              << ", exit status " << status->exit_code() << '\n';
    return status->exited() && status->exit_code() == 0 && exit_status ? 0 : 1;
}
