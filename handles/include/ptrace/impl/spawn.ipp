// SPDX-License-Identifier: MIT
// The out-of-line functions of spawn.hpp: included by that header in the header-only mode, and
// by src/ptrace_api.cpp alone in the separately compiled mode (api.hpp).
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/shim/fd.hpp>
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/shim/syscalls_io.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/tracer.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api {

PTRACE_API_DECL Child::Child(pid_t pid) noexcept
    : pid_(pid), pidfd_(shim::sys::pidfd_open(pid)), owner_(::getpid()) {
    PTRACE_API_ASSERT(pid > 0, "Child needs a process id");
}

PTRACE_API_DECL Result<WaitStatus> Child::wait() {
    PTRACE_API_ASSERT(pid_ > 0, "Child::wait on a reaped or moved-from child");
    if (pidfd_.valid()) {
        pollfd p{pidfd_.get(), POLLIN, 0};
        while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
        }
    }
    return reap(0);
}

PTRACE_API_DECL Result<std::optional<WaitStatus>> Child::try_wait() {
    PTRACE_API_ASSERT(pid_ > 0, "Child::try_wait on a reaped or moved-from child");
    if (pidfd_.valid() && !shim::sys::pidfd_exited(pidfd_.get(), 0)) {
        return std::optional<WaitStatus>{};
    }
    auto r = reap(WNOHANG);
    if (!r) {
        return Unexpected(r.error());
    }
    if (pid_ != 0) {
        return std::optional<WaitStatus>{};
    }
    return std::optional<WaitStatus>{*r};
}

PTRACE_API_DECL Result<void> Child::kill() noexcept {
    PTRACE_API_ASSERT(pid_ > 0, "Child::kill on a reaped or moved-from child");
    if (foreign()) {
        return unexpected(std::errc::operation_not_permitted); // a forked copy is inert
    }
    const int r = pidfd_.valid() ? shim::sys::pidfd_send_signal(pidfd_.get(), SIGKILL)
                                 : ::kill(pid_, SIGKILL);
    if (r != 0) {
        return unexpected_errno(errno);
    }
    return {};
}

PTRACE_API_DECL Result<WaitStatus> Child::reap(int flags) {
    siginfo_t info{};
    int r = 0;
    do {
        r = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | flags);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        const int err = errno;
        forget();
        return unexpected_errno(err);
    }
    if (info.si_pid == 0) {
        return WaitStatus{}; // WNOHANG and still running; pid_ stays
    }
    const auto status = static_cast<std::uint64_t>(info.si_status);
    WaitStatus out;
    switch (info.si_code) {
    case CLD_EXITED:
        out.raw = (status & 0xff) << 8;
        break;
    case CLD_DUMPED:
        out.raw = (status & 0x7f) | 0x80;
        break;
    default:
        out.raw = status & 0x7f;
        break;
    }
    forget();
    return out;
}

PTRACE_API_DECL void Child::forget() noexcept {
    pid_ = 0;
    pidfd_.reset();
}

PTRACE_API_DECL bool Child::foreign() const noexcept {
    return ::getpid() != owner_;
}

PTRACE_API_DECL void Child::reap_now() noexcept {
    if (pid_ > 0 && foreign()) {
        forget(); // closes this copy's pidfd; the child stays the owner's
        return;
    }
    if (pid_ > 0) {
        (void)kill();
        try {
            (void)wait();
        } catch (...) {
            forget(); // wait() allocates nothing; kept for noexcept's sake
        }
    }
}

namespace detail {

PTRACE_API_DECL std::vector<std::string> exec_candidates(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        return {program};
    }
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    std::vector<std::string> out;
    for (;;) {
        const std::size_t colon = dirs.find(':');
        std::string dir(dirs.substr(0, colon));
        if (dir.empty()) {
            dir = "."; // POSIX: an empty entry is the working directory
        }
        out.push_back(dir + "/" + program);
        if (colon == std::string_view::npos) {
            return out;
        }
        dirs.remove_prefix(colon + 1);
    }
}

/// The forked child: waits at the gate until the parent traces it, then execs. Only
/// async-signal-safe calls (the parent has threads). An error goes to the parent through
/// the close-on-exec pipe `err_write`; success closes that pipe.
[[noreturn]] inline void exec_child(int gate_read, int gate_write, int err_read, int err_write,
                                    const char* cwd, char* const* candidates, char* const* argv,
                                    char* const* envp, std::span<const sock_filter> filter = {},
                                    int filter_write = -1,
                                    std::span<const sock_filter> required = {},
                                    bool no_aslr = false, bool isolate = false) noexcept {
    (void)::close(gate_write);
    (void)::close(err_read);
    char byte = 0;
    while (::read(gate_read, &byte, 1) < 0 && errno == EINTR) {
    }
    if (no_aslr) {
        // Command::no_aslr: best effort (0xffffffff reads the current persona).
        const int persona = ::personality(0xffffffff);
        if (persona != -1) {
            (void)::personality(static_cast<unsigned long>(persona) | ADDR_NO_RANDOMIZE);
        }
    }
    sigset_t none;
    (void)::sigemptyset(&none);
    (void)::sigprocmask(SIG_SETMASK, &none, nullptr); // the parent's mask is not the program's
    // Command::isolate_processes and Command::seccomp_program: without them, nothing runs.
    if (const int cerr = shim::filter::confine(isolate, required); cerr != 0) {
        child_failed(err_write, cerr);
    }
    if (!filter.empty()) {
        // Issue 12: the syscall set's filter, reported to the parent (0 or the errno) through
        // a close-on-exec pipe; the exec goes on without it (the shim then filters).
        const int ferr = shim::filter::install_filter(filter);
        while (::write(filter_write, &ferr, sizeof ferr) < 0 && errno == EINTR) {
        }
    }
    child_failed(err_write, cwd != nullptr && ::chdir(cwd) != 0
                                ? errno
                                : exec_candidates_in_turn(candidates, argv, envp));
}

/// True once the child's exec succeeded: its end of the close-on-exec pipe is gone (EOF).
/// Called while the child sits at a stop right after an execve, so a failed exec has not
/// written its errno yet and the pipe is simply empty.
inline bool exec_succeeded(int err_read) noexcept {
    pollfd p{err_read, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1) {
        return false;
    }
    int err = 0;
    return ::read(err_read, &err, sizeof err) == 0;
}

} // namespace detail

PTRACE_API_DECL Result<Spawned> spawn(const Command& command, OnClose on_close) {
    if (command.program.empty()) {
        return unexpected(std::errc::no_such_file_or_directory);
    }
    // Everything the child needs is built before fork: after it, only async-signal-safe
    // calls are allowed.
    std::vector<std::string> candidates = detail::exec_candidates(command.program);
    std::vector<std::string> args;
    args.reserve(command.args.size() + 1);
    args.push_back(command.program);
    args.insert(args.end(), command.args.begin(), command.args.end());
    auto pointers = [](std::vector<std::string>& strings) {
        std::vector<char*> out;
        out.reserve(strings.size() + 1);
        for (std::string& s : strings) {
            out.push_back(s.data());
        }
        out.push_back(nullptr);
        return out;
    };
    const std::vector<char*> candidate_ptrs = pointers(candidates);
    const std::vector<char*> argv = pointers(args);
    std::vector<std::string> env_strings = command.env.value_or(std::vector<std::string>{});
    const std::vector<char*> env_ptrs = pointers(env_strings);
    char* const* envp = command.env ? env_ptrs.data() : environ;
    const char* cwd = command.cwd ? command.cwd->c_str() : nullptr;
    // Issue 12: the filter of the syscall set, built here unless a required program traps
    // for the tracer instead (Command::seccomp_program); the shim learns below which one.
    const bool required = !command.seccomp_program.empty();
    const bool filtered = !required && command.syscalls && !command.syscalls->empty();
    const std::vector<sock_filter> program =
        filtered ? shim::filter::build_program(*command.syscalls) : std::vector<sock_filter>{};

    int gate[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (::pipe2(gate, O_CLOEXEC) != 0) {
        return unexpected_errno(errno);
    }
    shim::sys::UniqueFd<> gate_read(gate[0]);
    shim::sys::UniqueFd<> gate_write(gate[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) {
        return unexpected_errno(errno);
    }
    shim::sys::UniqueFd<> err_read(err[0]);
    shim::sys::UniqueFd<> err_write(err[1]);
    int fpipe[2] = {-1, -1};
    if (filtered && ::pipe2(fpipe, O_CLOEXEC) != 0) {
        return unexpected_errno(errno);
    }
    shim::sys::UniqueFd<> filter_read(fpipe[0]);
    shim::sys::UniqueFd<> filter_write(fpipe[1]);

    const pid_t pid = ::fork();
    if (pid < 0) {
        return unexpected_errno(errno);
    }
    if (pid == 0) {
        (void)::close(fpipe[0]);
        detail::exec_child(gate[0], gate[1], err[0], err[1], cwd, candidate_ptrs.data(),
                           argv.data(), envp, program, fpipe[1], command.seccomp_program,
                           command.no_aslr, command.isolate_processes);
    }
    gate_read.reset();
    err_write.reset();
    filter_write.reset();
    Child child(pid); // from here on, every way out reaps it

    // A5: frozen wherever it is (normally in its read of the gate, which Linux restarts).
    auto tracer = Tracer::attach(pid, AttachOptions{AttachStop::StopNow, on_close});
    if (!tracer) {
        return Unexpected(tracer.error());
    }
    detail::ShimFd syscalls_fd;
    if (required && !command.seccomp_traps.empty()) {
        // The required program's traps: the shim expects its seccomp stops from the start
        // (a program that traps nothing needs nothing from the shim).
        auto fd = detail::ShimFd::open(pid, "syscalls", 0);
        if (!fd) {
            return Unexpected(fd.error());
        }
        syscalls_fd = std::move(*fd);
        if (auto r = shim::detail::set_kernel_filter(syscalls_fd.get(), command.seccomp_traps, 0);
            !r) {
            return Unexpected(r.error());
        }
    } else if (filtered) {
        // Issue 12: the shim must expect the filter's stops before the child installs it
        // (PTRACE_O_TRACESECCOMP; without it the set's syscalls would fail with ENOSYS). Until
        // the exec the set is not applied: the loop below sees every syscall (the filter's
        // seccomp stops are folded into the entry stops before them).
        auto fd = detail::ShimFd::open(pid, "syscalls", 0);
        if (!fd) {
            return Unexpected(fd.error());
        }
        syscalls_fd = std::move(*fd);
        if (auto r = shim::detail::set_kernel_filter(syscalls_fd.get(), command.syscalls, 0); !r) {
            return Unexpected(r.error());
        }
    }
    const char go = 'g';
    if (::write(gate_write.get(), &go, 1) != 1) {
        return unexpected_errno(errno);
    }
    gate_write.reset();

    // Follow the child's syscalls to each execve (decision 7: rax is the number at PRE) and
    // single-step over it: after a successful exec the step stops before the new program's
    // first instruction (Linux reports the step trap at the execve's return); after a failed
    // one, right behind the syscall in the old image. The close-on-exec pipe tells them
    // apart. A failing child writes its errno and exits: then the wait ends with ESRCH.
    for (;;) {
        auto ev = tracer->next(PtraceFlags::STOP_PRE_SYSCALL);
        if (!ev) {
            break;
        }
        const auto regs = tracer->regs().get_int();
        if (!regs) {
            break;
        }
        if (regs->rax != SYS_execve && regs->rax != SYS_execveat) {
            continue;
        }
        ev = tracer->next(PtraceFlags::STOP_SINGLESTEP);
        if (!ev) {
            break;
        }
        if (detail::exec_succeeded(err_read.get())) {
            if (filtered) {
                // The child reported its install before the exec: on failure the shim
                // forgets the filter and applies the set itself.
                int ferr = 0;
                ssize_t got = 0;
                while ((got = ::read(filter_read.get(), &ferr, sizeof ferr)) < 0 &&
                       errno == EINTR) {
                }
                if (got != static_cast<ssize_t>(sizeof ferr)) {
                    ferr = EIO;
                }
                if (ferr != 0) {
                    if (auto r =
                            shim::detail::set_kernel_filter(syscalls_fd.get(), std::nullopt, ferr);
                        !r) {
                        return Unexpected(r.error());
                    }
                }
                if (auto r = tracer->set_syscalls(*command.syscalls); !r) {
                    return Unexpected(r.error());
                }
            }
            if (required && command.syscalls && !command.syscalls->empty()) {
                if (auto r = tracer->set_syscalls(*command.syscalls); !r) {
                    return Unexpected(r.error());
                }
            }
            return Spawned{std::move(child), std::move(*tracer)};
        }
    }
    // The exec failed (or tracing did): let the child finish, collect its errno, reap it.
    (void)std::move(*tracer).detach();
    int code = 0;
    ssize_t n = 0;
    while ((n = ::read(err_read.get(), &code, sizeof code)) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof code) || code == 0) {
        (void)child.kill(); // tracing failed without an exec error: do not leave it running
        code = ECHILD;
    }
    (void)child.wait();
    return unexpected_errno(code);
}

} // namespace ptrace_api
