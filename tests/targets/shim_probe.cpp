// SPDX-License-Identifier: MIT
// A second tracer process built on the shim, for tests that need the tracer to be another
// process: "trace PID FLAGS" opens a trace handle and exits without closing it (I2);
// "nobody PID" drops to uid/gid 65534 and reports what opening PID's handles gives (A3);
// "hold_signal PROGRAM ARGS..." spawns PROGRAM traced, stops it at its first SIGNAL stop,
// prints "held PID HANDLER" and waits there to be killed (I2 with a SIGNAL stop held);
// "nobody_undumpable" drops to uid/gid 65534, forks a child that makes itself non-dumpable
// and reports what opening its handles gives (A3's Linux half); "pid_reuse" (root) checks in
// a private pid namespace that a mem handle of a reaped process never reaches the process
// that gets its pid next (G1); "filter_refused PROGRAM ARGS..." refuses seccomp(2) to itself
// and its children (a filter of its own, EPERM), spawns PROGRAM with a syscall set, prints
// how the set is applied ("path P error E") and the PRE stops ("PRE nr" each), then reaps it
// (issue 12: the shim path when the kernel filter cannot be installed); "attach PID redox|linux"
// drops to uid/gid 65534 and attaches to PID with that access rule, printing "ok" or
// "err ERRNO MESSAGE" (decision 25).

#include <ptrace/shim/proc.hpp>
#include <ptrace/spawn.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <grp.h>
#include <string>
#include <variant>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace shim = ptrace_api::shim;

/// What a forked child of pid_reuse keeps at the same address in every child: the children
/// are forks of one process, so the address space layout is the same.
volatile char g_marker[16] = "unset";

/// Forks a child that copies `text` into g_marker, tells the parent, and sleeps.
pid_t marked_child(const char* text) {
    int ready[2];
    if (::pipe(ready) != 0) {
        return -1;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        for (int i = 0; i < 15 && text[i] != 0; ++i) {
            g_marker[i] = text[i];
        }
        (void)!::write(ready[1], "r", 1);
        for (;;) {
            ::pause();
        }
    }
    char c = 0;
    (void)!::read(ready[0], &c, 1);
    (void)::close(ready[0]);
    (void)::close(ready[1]);
    return pid;
}

/// Runs inside a fresh pid and mount namespace (pid 1 there, its own /proc).
int pid_reuse_inside() {
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("proc", "/proc", "proc", 0, nullptr) != 0) {
        std::printf("skip mount %d\n", errno);
        return 0;
    }
    const pid_t first = marked_child("first");
    const auto mem = shim::open("proc:" + std::to_string(first) + "/mem", 0);
    if (!mem) {
        std::printf("error open %d\n", mem.error().value());
        return 1;
    }
    const auto addr = reinterpret_cast<std::uintptr_t>(&g_marker);
    std::array<std::byte, 5> buf{};
    auto read_marker = [&]() -> int {
        if (auto r = shim::lseek(*mem, static_cast<std::int64_t>(addr), SEEK_SET); !r) {
            return r.error().value();
        }
        const auto n = shim::read(*mem, buf);
        return n ? 0 : n.error().value();
    };
    if (read_marker() != 0 || std::memcmp(buf.data(), "first", 5) != 0) {
        std::printf("error first read\n");
        return 1;
    }
    (void)::kill(first, SIGKILL);
    (void)::waitpid(first, nullptr, 0);
    // The next fork gets the same pid: ns_last_pid is the pid last given out.
    const int last = ::open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
    const std::string prev = std::to_string(first - 1);
    if (last < 0 || ::write(last, prev.data(), prev.size()) != static_cast<ssize_t>(prev.size())) {
        std::printf("skip ns_last_pid %d\n", errno);
        return 0;
    }
    (void)::close(last);
    const pid_t second = marked_child("other");
    if (second != first) {
        std::printf("skip pid %d not reused (%d)\n", first, second);
        (void)::kill(second, SIGKILL);
        return 0;
    }
    buf.fill(std::byte{0});
    const int read_err = read_marker();
    const bool leaked = std::memcmp(buf.data(), "other", 5) == 0;
    int write_err = 0;
    if (auto r = shim::lseek(*mem, static_cast<std::int64_t>(addr), SEEK_SET); r) {
        const std::array<std::byte, 5> evil{std::byte{'E'}, std::byte{'V'}, std::byte{'I'},
                                            std::byte{'L'}, std::byte{'!'}};
        const auto w = shim::write(*mem, evil);
        write_err = w ? 0 : w.error().value();
    }
    // What the second process holds now, read through a handle opened for it.
    const auto fresh = shim::open("proc:" + std::to_string(second) + "/mem", 0);
    std::array<std::byte, 5> now{};
    if (fresh && shim::lseek(*fresh, static_cast<std::int64_t>(addr), SEEK_SET)) {
        (void)shim::read(*fresh, now);
    }
    std::printf("read %d leaked %d write %d intact %d\n", read_err, leaked ? 1 : 0, write_err,
                std::memcmp(now.data(), "other", 5) == 0 ? 1 : 0);
    (void)::kill(second, SIGKILL);
    (void)::waitpid(second, nullptr, 0);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("usage: shim_probe trace PID excl|trunc|both | nobody PID | hold_signal "
                   "PROGRAM ARGS... | nobody_undumpable | pid_reuse\n",
                   stderr);
        return 2;
    }
    if (std::strcmp(argv[1], "pid_reuse") == 0) {
        // A child in new pid and mount namespaces (needs root), whose output is ours.
        (void)std::fflush(stdout);
        const pid_t inside = ::fork();
        if (inside == 0) {
            if (::unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) {
                std::printf("skip unshare %d\n", errno);
                ::_exit(0);
            }
            const pid_t init = ::fork(); // pid 1 of the new namespace
            if (init == 0) {
                const int code = pid_reuse_inside();
                (void)std::fflush(stdout);
                ::_exit(code);
            }
            int status = 0;
            (void)::waitpid(init, &status, 0);
            ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 9);
        }
        int status = 0;
        (void)::waitpid(inside, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 9;
    }
    if (std::strcmp(argv[1], "nobody_undumpable") == 0) {
        if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
            return 3;
        }
        int ready[2];
        if (::pipe(ready) != 0) {
            return 4;
        }
        const pid_t child = ::fork();
        if (child == 0) {
            (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
            (void)!::write(ready[1], "r", 1);
            for (;;) {
                ::pause();
            }
        }
        char c = 0;
        (void)!::read(ready[0], &c, 1);
        for (const char* kind : {"trace", "regs/int", "regs/float", "mem"}) {
            const auto fd = shim::open("proc:" + std::to_string(child) + "/" + kind, 0);
            std::printf("%s %d\n", kind, fd ? 0 : fd.error().value());
            if (fd) {
                (void)shim::close(*fd);
            }
        }
        (void)std::fflush(stdout);
        (void)::kill(child, SIGKILL);
        (void)::waitpid(child, nullptr, 0);
        return 0;
    }
    if (std::strcmp(argv[1], "filter_refused") == 0 && argc > 2) {
        // Before the shim starts a thread: seccomp(2) fails with EPERM here and in every
        // child, so spawn's child cannot install the set's filter.
        std::array<sock_filter, 4> refuse{{
            {BPF_LD | BPF_W | BPF_ABS, 0, 0, 0}, // seccomp_data.nr
            {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, SYS_seccomp},
            {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | EPERM},
            {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW},
        }};
        sock_fprog prog{static_cast<unsigned short>(refuse.size()), refuse.data()};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
            return 4;
        }
        ptrace_api::Command command{argv[2], {argv + 3, argv + argc}, {}, {}};
        command.syscalls = ptrace_api::SyscallSet{SYS_getppid, SYS_gettid, SYS_exit_group};
        auto spawned = ptrace_api::spawn(command);
        if (!spawned) {
            std::printf("error %d\n", spawned.error().value());
            return 1;
        }
        const auto state = spawned->tracer.syscall_filter();
        if (!state) {
            return 5;
        }
        std::printf("path %d error %d\n", static_cast<int>(state->path), state->install_error);
        while (spawned->tracer.next(ptrace_api::PtraceFlags::STOP_PRE_SYSCALL)) {
            const auto regs = spawned->tracer.regs().get_int();
            std::printf("PRE %lld\n", regs ? static_cast<long long>(regs->rax) : 0LL);
        }
        const auto status = spawned->child.wait();
        std::printf("status %d\n", status ? static_cast<int>(status->raw) : -1);
        (void)std::fflush(stdout);
        return 0;
    }
    if (std::strcmp(argv[1], "hold_signal") == 0 && argc > 2) {
        ptrace_api::Command command{argv[2], {argv + 3, argv + argc}, {}, {}};
        auto spawned = ptrace_api::spawn(command, ptrace_api::OnClose::Detach);
        if (!spawned) {
            std::printf("error %d\n", spawned.error().value());
            return 1;
        }
        for (;;) {
            const auto ev = spawned->tracer.next(ptrace_api::PtraceFlags::STOP_SIGNAL);
            if (!ev) {
                std::printf("error %d\n", ev.error().value());
                return 1;
            }
            const auto view = ptrace_api::view(*ev);
            if (const auto* sig = std::get_if<ptrace_api::events::Signal>(&view)) {
                std::printf("held %d %#llx\n", static_cast<int>(spawned->child.pid()),
                            static_cast<unsigned long long>(sig->handler));
                (void)std::fflush(stdout);
                for (;;) {
                    ::pause(); // killed here, holding the stop
                }
            }
        }
    }
    if (argc < 3) {
        return 2;
    }
    const std::string path = std::string("proc:") + argv[2] + "/trace";
    if (std::strcmp(argv[1], "trace") == 0 && argc > 3) {
        int flags = 0;
        if (std::strcmp(argv[3], "trunc") == 0 || std::strcmp(argv[3], "both") == 0) {
            flags |= O_TRUNC;
        }
        if (std::strcmp(argv[3], "excl") == 0 || std::strcmp(argv[3], "both") == 0) {
            flags |= O_EXCL;
        }
        const auto fd = shim::open(path, flags);
        if (!fd) {
            std::printf("error %d\n", fd.error().value());
            return 1;
        }
        std::printf("open\n");
        (void)std::fflush(stdout);
        // Exit with the handle open: Linux detaches (or, with O_EXCL, kills) the tracee.
        ::_exit(0);
    }
    if (std::strcmp(argv[1], "attach") == 0 && argc > 3) {
        // Decision 25: attach as uid/gid 65534 with the Redox rule or Linux's checks alone.
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0) {
            return 3;
        }
        ptrace_api::AttachOptions options;
        options.access = std::strcmp(argv[3], "linux") == 0 ? ptrace_api::AttachAccess::LinuxChecks
                                                            : ptrace_api::AttachAccess::Redox;
        auto tracer = ptrace_api::Tracer::attach(static_cast<pid_t>(std::atoi(argv[2])), options);
        if (tracer) {
            std::printf("ok\n");
        } else {
            std::printf("err %d %s\n", tracer.error().value(),
                        ptrace_api::last_error_message().c_str());
        }
        (void)std::fflush(stdout);
        return 0;
    }
    if (std::strcmp(argv[1], "nobody") == 0) {
        if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
            return 3;
        }
        for (const char* kind : {"trace", "regs/int", "mem"}) {
            const auto fd = shim::open(std::string("proc:") + argv[2] + "/" + kind, 0);
            std::printf("%s %d\n", kind, fd ? 0 : fd.error().value());
        }
        (void)std::fflush(stdout);
        return 0;
    }
    return 2;
}
