// SPDX-License-Identifier: MIT
// Lesson: forbid a syscall. The program runs normally, except that each call of the chosen
// syscall fails with EPERM ("Operation not permitted") without ever reaching the kernel.
//
//     deny_syscall SYSCALL[,SYSCALL...] PROGRAM [ARGS...]
//     deny_syscall mkdir /bin/mkdir /tmp/new-directory
#include <ptrace/spawn.hpp>
#include <ptrace/syscalls.hpp>
#include <ptrace/tracer.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    using ptrace_api::PtraceFlags;
    std::cout << std::unitbuf;
    if (argc < 3) {
        std::cerr << "usage: deny_syscall SYSCALL[,SYSCALL...] PROGRAM [ARGS...]\n";
        return 2;
    }

    // The syscall numbers to deny, from their names (the x86_64 table).
    std::vector<std::uint64_t> denied;
    std::string_view names = argv[1];
    while (!names.empty()) {
        const std::string_view name = names.substr(0, names.find(','));
        names.remove_prefix(std::min(names.size(), name.size() + 1));
        const auto nr = ptrace_api::syscall_number(name);
        if (!nr) {
            std::cerr << "unknown syscall: " << name << '\n';
            return 2;
        }
        denied.push_back(static_cast<std::uint64_t>(*nr));
    }

    ptrace_api::Command command{argv[2], std::vector<std::string>(argv + 3, argv + argc), {}, {}};
    auto spawned = ptrace_api::spawn(command);
    if (!spawned) {
        std::cerr << argv[2] << ": " << spawned.error().message() << '\n';
        return 1;
    }
    auto& [child, tracer] = *spawned;

    // Stop before every syscall (STOP_PRE_SYSCALL, rule D1). How we leave each stop decides
    // whether the syscall runs: FLAG_IGNORE in the resuming operation skips it (rule E1).
    int count = 0;
    PtraceFlags resume = PtraceFlags::STOP_PRE_SYSCALL;
    for (;;) {
        if (!tracer.next(resume)) {
            break; // ESRCH: the program exited (G1)
        }
        resume = PtraceFlags::STOP_PRE_SYSCALL;
        auto regs = tracer.regs().get_int();
        if (!regs) {
            break;
        }
        // At this stop rax holds the syscall number (decision 7).
        if (std::find(denied.begin(), denied.end(), regs->rax) == denied.end()) {
            continue; // allowed: the next operation lets it run
        }
        ++count;
        const auto nr = static_cast<long>(regs->rax);
        std::cout << "denied " << ptrace_api::syscall_name(nr);
        // When the first argument is a path, read it from the program's memory (rule K3:
        // no extra stop needed); a string longer than 256 bytes is cut.
        const auto info = ptrace_api::syscall_info(nr);
        if (info && info->args[0] == ptrace_api::ArgKind::Path) {
            const auto path = tracer.mem().read_c_string(regs->rdi, 256);
            if (path) {
                std::cout << "(\"" << path->text << (path->truncated ? "\"..." : "\"") << ")";
            }
        }
        std::cout << '\n';
        // A skipped syscall "returns" whatever rax holds when the tracee resumes (E1): put
        // the error there, as the kernel would, negated.
        regs->rax = static_cast<std::uint64_t>(-EPERM);
        if (!tracer.regs().set_int(*regs)) {
            break;
        }
        resume = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::FLAG_IGNORE;
    }

    const auto status = child.wait(); // the program is our child: reap it (G2)
    if (!status) {
        std::cerr << "wait: " << status.error().message() << '\n';
        return 1;
    }
    std::cout << "denied " << count << " call(s); " << argv[2] << " exited with status "
              << status->exit_code() << '\n';
    return 0;
}
