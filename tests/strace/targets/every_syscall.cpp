// SPDX-License-Identifier: MIT
// Calls every syscall of ptrace_api::syscall_table (but two, below) once, in ascending order, with
// six zero arguments, none of which runs: the program first installs its own seccomp filter that
// fails every syscall with ENOSYS except exit_group(42), its last call. A tracer still sees each
// call: ptrace's syscall-entry stop comes before seccomp (Linux 4.8 and later), so strace(1)
// prints every one as `NAME(...) = -1 ENOSYS (Function not implemented)`, and the lines with
// that result are exactly the calls of the loop (the C library's start-up makes none that
// fails with ENOSYS). tests/strace/strace_test.py `classes` compares the names that strace
// -e trace=%CLASS and the example print for it.
//
// With `--wait`, the program first waits (up to 20 s) for a SIGUSR1 before the filter and the
// loop: the test attaches the example with -p, sends the signal once the example says it is
// attached, and every call of the loop happens under the tracer.
// Exit status: 42 after the loop; 3 when no SIGUSR1 came; 4 when the filter was refused.
#include <ptrace/syscalls.hpp>

#include <array>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <ctime>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

constexpr unsigned exit_code = 42;

bool wait_for_usr1() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
        return false;
    }
    // A tracer's attach may interrupt the wait (EINTR): wait again, 20 s in all.
    for (int second = 0; second < 20; ++second) {
        const timespec limit{1, 0};
        if (sigtimedwait(&set, nullptr, &limit) == SIGUSR1) {
            return true;
        }
    }
    return false;
}

bool install_filter() {
    constexpr auto nr_offset = static_cast<unsigned>(offsetof(seccomp_data, nr));
    constexpr auto arch_offset = static_cast<unsigned>(offsetof(seccomp_data, arch));
    constexpr auto arg0_offset = static_cast<unsigned>(offsetof(seccomp_data, args));
    constexpr unsigned enosys = SECCOMP_RET_ERRNO | static_cast<unsigned>(ENOSYS);
    // Allowed: exit_group with a first argument of 42 (its low 32 bits), nothing else.
    std::array<sock_filter, 9> code{{
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arch_offset),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, nr_offset),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg0_offset),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, exit_code, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, enosys),
        BPF_STMT(BPF_RET | BPF_K, enosys),
    }};
    const sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--wait") == 0 && !wait_for_usr1()) {
        return 3;
    }
    if (!install_filter()) {
        return 4;
    }
    for (const ptrace_api::SyscallInfo& info : ptrace_api::syscall_table) {
        // uretprobe and uprobe bypass seccomp (Linux 6.11) and send SIGILL to a caller that
        // is not the kernel's probe trampoline: never called.
        if (info.name != "uretprobe" && info.name != "uprobe") {
            syscall(info.number, 0, 0, 0, 0, 0, 0);
        }
    }
    syscall(SYS_exit_group, exit_code);
    return 5;
}
