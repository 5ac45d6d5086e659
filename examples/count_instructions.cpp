// SPDX-License-Identifier: MIT
// Lesson: count the instructions a program executes, by single-stepping it from its first
// instruction to its exit.
//
//     count_instructions PROGRAM [ARGS...]
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    using ptrace_api::PtraceFlags;
    if (argc < 2) {
        std::cerr << "usage: count_instructions PROGRAM [ARGS...]\n";
        return 2;
    }

    // spawn() starts the program under our control. It stops before the program's very
    // first instruction: nothing has run yet, so every instruction will be counted.
    ptrace_api::Command command{argv[1], std::vector<std::string>(argv + 2, argv + argc), {}, {}};
    auto spawned = ptrace_api::spawn(command);
    if (!spawned) {
        std::cerr << argv[1] << ": " << spawned.error().message() << '\n';
        return 1;
    }
    auto& [child, tracer] = *spawned;

    // STOP_SINGLESTEP asks for a stop after exactly one instruction (rule D4). Each call
    // resumes the program, which runs one instruction and stops again.
    std::uint64_t steps = 0;
    for (;;) {
        const auto event = tracer.next(PtraceFlags::STOP_SINGLESTEP);
        if (!event) {
            // ESRCH: the program is gone (G1). The instruction that ended it (the exit
            // syscall) ran too, but no stop came after it.
            break;
        }
        ++steps;
    }
    const std::uint64_t instructions = steps + 1;

    // The program is our child: reap it (G2) and pass its exit status on.
    const auto status = child.wait();
    if (!status) {
        std::cerr << "wait: " << status.error().message() << '\n';
        return 1;
    }
    std::cout << argv[1] << " executed " << instructions << " instructions";
    if (status->exited()) {
        std::cout << " and exited with status " << status->exit_code() << '\n';
        return status->exit_code();
    }
    std::cout << " and was killed by signal " << status->term_signal() << '\n';
    return 1;
}
