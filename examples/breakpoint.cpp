// SPDX-License-Identifier: MIT
// Lesson: stop every time a program enters a function, the way debuggers do it: write an
// int3 instruction (the byte 0xCC) over the function's first byte, and step over it.
#include <ptrace/tracer.hpp>

#include <cstdint>
#include <cstdio>
#include <iostream>

#include <sys/wait.h>
#include <unistd.h>

namespace {

// The function we stop at. noinline: it must exist as a function with an address.
[[gnu::noinline]] void greet(int round) {
    std::printf("  child: hello number %d\n", round);
    std::fflush(stdout);
}

// The child is a fork of this program, so greet() is at the same address in both: no symbol
// lookup needed. It waits on a pipe until the tracer is ready, then greets three times.
[[noreturn]] void child_main(int ready) {
    char byte = 0;
    (void)!::read(ready, &byte, 1);
    for (int round = 1; round <= 3; ++round) {
        greet(round);
    }
    ::_exit(0);
}

} // namespace

int main() {
    using ptrace_api::PtraceFlags;
    std::cout << std::unitbuf; // interleave our lines with the child's in order
    int ready[2] = {-1, -1};
    if (::pipe(ready) != 0) {
        std::perror("pipe");
        return 1;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("fork");
        return 1;
    }
    if (pid == 0) {
        ::close(ready[1]);
        child_main(ready[0]);
    }
    ::close(ready[0]);

    // Attach and freeze the child (O_TRUNC); OnClose::Kill so it cannot outlive us.
    auto tracer = ptrace_api::Tracer::attach(
        pid, {ptrace_api::AttachStop::StopNow, ptrace_api::OnClose::Kill});
    if (!tracer) {
        std::cerr << "attach: " << tracer.error().message() << '\n';
        return 1;
    }
    (void)!::write(ready[1], "g", 1); // it may go on once we resume it
    ::close(ready[1]);

    // 1. Insert the breakpoint: remember the original byte, write 0xCC over it. The memory
    //    handle writes even into read-only program text (rule K2).
    const auto address = reinterpret_cast<std::uint64_t>(&greet);
    ptrace_api::Memory& mem = tracer->mem();
    const auto original = mem.read_value<std::uint8_t>(address);
    if (!original || !mem.write_value(address, std::uint8_t{0xCC})) {
        std::cerr << "cannot patch greet()\n";
        return 1;
    }
    std::cout << "breakpoint at greet() = 0x" << std::hex << address << std::dec << '\n';

    int hits = 0;
    for (;;) {
        // 2. Run until the int3 is hit (STOP_BREAKPOINT, rule D6), or the child exits.
        const auto event = tracer->next(PtraceFlags::STOP_BREAKPOINT);
        if (!event) {
            break; // ESRCH: the child exited (G1)
        }
        ++hits;
        auto regs = tracer->regs().get_int();
        if (!regs) {
            std::cerr << "registers: " << regs.error().message() << '\n';
            return 1;
        }
        // rip points just after the int3 (decision 5): the function's first instruction has
        // not run. The argument of greet(round) is in rdi.
        std::cout << "hit " << hits << ": greet(" << regs->rdi << "), rip = 0x" << std::hex
                  << regs->rip << std::dec << '\n';

        // 3. Step over the breakpoint: put the original byte back, move rip back onto it...
        regs->rip = address;
        if (!mem.write_value(address, *original) || !tracer->regs().set_int(*regs)) {
            std::cerr << "cannot restore greet()\n";
            return 1;
        }
        // ...and execute that one instruction. FLAG_IGNORE drops the int3's default action
        // (the tracee would die by SIGTRAP, decision 4 and rule E3).
        if (!tracer->next(PtraceFlags::STOP_SINGLESTEP | PtraceFlags::FLAG_IGNORE)) {
            break;
        }
        // 4. Re-insert the int3 for the next call, then continue (back to 2).
        if (!mem.write_value(address, std::uint8_t{0xCC})) {
            std::cerr << "cannot re-insert the breakpoint\n";
            return 1;
        }
    }

    // The child is ours: reap it (G2).
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) {
        std::perror("waitpid");
        return 1;
    }
    std::cout << "greet() was called " << hits << " times; the child exited with status "
              << WEXITSTATUS(status) << '\n';
    return hits == 3 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
