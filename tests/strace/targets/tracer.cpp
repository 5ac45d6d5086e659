// SPDX-License-Identifier: MIT
// A small tracer, as debuggers and test harnesses write them: a child that asks to be traced
// (PTRACE_TRACEME) and stops itself; then ptrace's requests on it, each as strace decodes it,
// with arguments whose values do not change from run to run (no register holds an address or a
// pid where it is printed): options, a word peeked and poked, the user area's offsets, the
// extended register set's size, the signal mask, a syscall stop and an exit stop as wait4
// reports them, the exit status the exit stop carries, a detach with a signal; and requests
// that fail (bad addresses, no such process, an unknown request). Exits 1 if the child could not be
// traced: under a tracer that kept the child traced itself, PTRACE_TRACEME fails and the child's
// stop is not this program's to see.
#include <array>
#include <csignal>
#include <cstddef>
#include <cstdint>

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

long word = 0x1122334455667788;

} // namespace

int main() {
    const pid_t child = ::fork();
    if (child == 0) {
        if (::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) {
            ::_exit(1);
        }
        ::raise(SIGSTOP);
        ::_exit(3);
    }
    int status = 0;
    // WUNTRACED: a child that could not be traced still reports its stop here.
    if (::waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status)) {
        return 1;
    }
    ::ptrace(PTRACE_SETOPTIONS, child, nullptr,
             PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL);
    ::ptrace(PTRACE_PEEKDATA, child, &word, nullptr);
    ::ptrace(PTRACE_POKEDATA, child, &word, 5);
    ::ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, u_debugreg) + 7 * 8, nullptr);
    ::ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, regs.orig_rax), nullptr);
    std::array<char, 16384> xstate{};
    iovec iov{xstate.data(), xstate.size()};
    ::ptrace(PTRACE_GETREGSET, child, NT_X86_XSTATE, &iov);
    ::ptrace(PTRACE_GETREGSET, child, NT_PRSTATUS, reinterpret_cast<void*>(8)); // EFAULT
    ::ptrace(PTRACE_GETREGS, child, nullptr, reinterpret_cast<void*>(8));       // EFAULT
    std::uint64_t mask = 0;
    ::ptrace(PTRACE_GETSIGMASK, child, sizeof mask, &mask);
    mask |= std::uint64_t{1} << (SIGUSR1 - 1);
    ::ptrace(PTRACE_SETSIGMASK, child, sizeof mask, &mask);
    ::ptrace(static_cast<__ptrace_request>(0x4300), child, nullptr, nullptr); // unknown: EIO
    ::ptrace(PTRACE_SYSCALL, child, nullptr, 0); // a syscall stop: SIGTRAP | 0x80
    if (::waitpid(child, &status, 0) != child) {
        return 1;
    }
    ::ptrace(PTRACE_CONT, child, nullptr, 0);
    if (::waitpid(child, &status, 0) != child) { // its exit stop: PTRACE_EVENT_EXIT
        return 1;
    }
    unsigned long message = 0;
    ::ptrace(PTRACE_GETEVENTMSG, child, nullptr, &message);
    ::ptrace(PTRACE_DETACH, child, nullptr, SIGCONT);
    ::waitpid(child, &status, 0);
    ::ptrace(PTRACE_SEIZE, 0x7fffffff, nullptr, PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC); // ESRCH
    ::ptrace(PTRACE_ATTACH, 0x7fffffff, nullptr, nullptr);
    return WIFEXITED(status) && WEXITSTATUS(status) == 3 ? 0 : 1;
}
