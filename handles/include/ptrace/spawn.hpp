// SPDX-License-Identifier: MIT
// spawn(): start a program traced from its first instruction; Child: reap it exactly once.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/shim/fd.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/tracer.hpp>

#include <cerrno>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <linux/filter.h>
#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api {

/// A child process of the caller, reaped exactly once: by wait(), or else by the destructor,
/// which kills it first. Exits are awaited through a pidfd, so waiting never consumes a
/// ptrace stop that the shim's tracer thread must see (spec 3.1 "User waitpid
/// interference"). Move-only. A copy in a forked process is inert: its destructor closes
/// its pidfd and nothing else, and kill() fails with EPERM there.
///
/// \pre When the child is also traced, reaping it (wait() or the destructor) needs the
/// tracee to be able to exit: close its Tracer first, or wait after the tracer saw ESRCH
/// (G2). A tracer that holds it at a stop would make the wait block.
class Child {
public:
    /// Takes ownership of the child `pid` of the calling process. \pre pid > 0.
    explicit Child(pid_t pid) noexcept;

    Child(Child&& other) noexcept
        : pid_(std::exchange(other.pid_, 0)), pidfd_(std::move(other.pidfd_)),
          owner_(other.owner_) {}
    Child& operator=(Child&& other) noexcept {
        if (this != &other) {
            reap_now();
            pid_ = std::exchange(other.pid_, 0);
            pidfd_ = std::move(other.pidfd_);
            owner_ = other.owner_;
        }
        return *this;
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    /// Kills (SIGKILL) and reaps the child unless wait() did already.
    ~Child() { reap_now(); }

    /// The child's pid; 0 once reaped or moved from.
    [[nodiscard]] pid_t pid() const noexcept { return pid_; }

    /// Blocks until the child exits, reaps it and returns its wait(2) status.
    /// \pre not reaped and not moved from (pid() != 0).
    /// \errors ECHILD someone else reaped it.
    Result<WaitStatus> wait();

    /// Reaps the child if it has exited; nothing if it still runs.
    /// \pre pid() != 0. \errors ECHILD someone else reaped it.
    Result<std::optional<WaitStatus>> try_wait();

    /// Sends SIGKILL (through the pidfd: never to a recycled pid). \pre pid() != 0.
    /// \errors ESRCH it is gone already.
    Result<void> kill() noexcept;

    /// Gives the child up without killing or reaping it (a debugger that detaches and lets
    /// the program run on): this object forgets it and its destructor does nothing. The
    /// caller still is its parent; when the caller exits, init reaps it.
    /// \returns the pid it held (0 when reaped or moved from).
    pid_t release() noexcept {
        const pid_t pid = pid_;
        forget();
        return pid;
    }

private:
    /// waitid(WEXITED) with `flags`; on success the child is reaped and forgotten. Only
    /// called once the child exited (or with WNOHANG), so no ptrace stop is consumed.
    Result<WaitStatus> reap(int flags);

    void forget() noexcept;

    /// True in a process forked from the owner: its copy is inert (it is not the parent of
    /// the child, and killing it there would kill the owner's program).
    [[nodiscard]] bool foreign() const noexcept;

    void reap_now() noexcept;

    pid_t pid_ = 0;
    shim::sys::UniqueFd<> pidfd_;
    pid_t owner_ = 0; // the process that created this Child (its parent)
};

/// A program to start: what execve(2) gets.
struct Command {
    /// A path, or a bare name looked up in PATH (like execvp, but without its /bin/sh retry:
    /// a file that is not a program is ENOEXEC).
    std::string program;
    /// argv[1..]; argv[0] is `program`.
    std::vector<std::string> args;
    /// The environment as "NAME=value" entries; nothing: the caller's environment.
    std::optional<std::vector<std::string>> env;
    /// The working directory; nothing: the caller's.
    std::optional<std::string> cwd;
    /// Limits PRE and POST stops to these syscalls (issue 12), applied by a seccomp-bpf
    /// filter installed in the child before its exec (`PR_SET_NO_NEW_PRIVS`, then
    /// `seccomp(SECCOMP_SET_MODE_FILTER)`): only those syscalls stop in the kernel. Because of
    /// `PR_SET_NO_NEW_PRIVS`, set-user-ID, set-group-ID and file-capability programs then run
    /// without their privileges. Where the filter cannot be installed the shim applies the set
    /// itself (`Tracer::syscall_filter()` says which, and why); the events are the same.
    /// Nothing or the empty set: no filter, every syscall stops.
    std::optional<SyscallSet> syscalls{};
    /// A seccomp-bpf program that must hold in the child and everything it starts (a sandbox
    /// policy, <ptrace/sandbox/policy_bpf.hpp>): installed before the exec, after
    /// `PR_SET_NO_NEW_PRIVS`, and never optional: when it cannot be installed nothing is
    /// executed and spawn() fails with the install's errno. Installed before the filter of
    /// `syscalls`, if any. Empty: none.
    std::vector<sock_filter> seccomp_program{};
    /// The syscalls `seccomp_program` may stop for this tracer (SECCOMP_RET_TRACE): the shim
    /// then resumes with PTRACE_CONT when the tracee's syscall set (`syscalls`) lies within
    /// them, as for its own filter (kernel-shim/README.md, "Syscall filter").
    SyscallSet seccomp_traps{};
    /// Runs the program with address space randomisation off (`personality(ADDR_NO_RANDOMIZE)`
    /// in the child before its exec), as gdb and gdbserver do for the programs they start, so
    /// that addresses repeat from run to run. When the personality cannot be changed (a
    /// seccomp policy of the caller's forbids it) the program runs randomised: it is a
    /// convenience, not a guarantee.
    bool no_aslr = false;
    /// Puts the program and everything it starts in a Landlock domain of their own before the
    /// exec (`shim::filter::isolate_processes`): none of them can then trace, read or write the
    /// memory of, or take descriptors from, any process outside (this one included), even of
    /// the same user and where Yama allows it; this process still traces them. File access is
    /// unchanged. Never optional: where the kernel cannot do it (no Landlock, or older than
    /// Linux 5.19) nothing is executed and spawn() fails with ENOSYS or EOPNOTSUPP. Sets
    /// `PR_SET_NO_NEW_PRIVS`, with its effect on set-user-ID programs (see `syscalls`).
    bool isolate_processes = false;
};

/// A traced program: its Child and its Tracer. The tracer is declared last so that it is
/// destroyed first: the trace handle is closed before the child is reaped.
struct Spawned {
    Child child;
    Tracer tracer;
};

namespace detail {

/// The paths execve tries for `program`: itself when it holds a '/', else PATH's entries.
PTRACE_API_DECL std::vector<std::string> exec_candidates(const std::string& program);

/// Ends a forked child that could not run its program: `err` to the parent through the
/// close-on-exec pipe `err_write`, then exit 127. Async-signal-safe.
[[noreturn]] inline void child_failed(int err_write, int err) noexcept {
    while (::write(err_write, &err, sizeof err) < 0 && errno == EINTR) {
    }
    ::_exit(127);
}

/// execve of each of the NULL-terminated `candidates` in turn, as execvp searches PATH (an
/// EACCES is remembered while the search goes on; any error but ENOENT, ENOTDIR and EACCES
/// ends it). Returns only when none could be executed: the errno to report.
/// Async-signal-safe: it runs in a forked child.
inline int exec_candidates_in_turn(char* const* candidates, char* const* argv,
                                   char* const* envp) noexcept {
    int err = ENOENT;
    bool denied = false;
    for (char* const* c = candidates; *c != nullptr; ++c) {
        ::execve(*c, argv, envp);
        err = errno;
        if (err == EACCES) {
            denied = true;
        } else if (err != ENOENT && err != ENOTDIR) {
            break;
        }
    }
    return denied && (err == ENOENT || err == ENOTDIR) ? EACCES : err;
}

} // namespace detail

/// Starts `command` traced from its first instruction. The child is forked, waits on a pipe
/// while the caller opens its trace handle (frozen, A5), and then execs; the tracer follows
/// its syscalls to the execve and single-steps over it. On success the new program sits at
/// a reached SINGLESTEP breakpoint on its very first instruction (the dynamic loader's entry
/// for a dynamic program, `_start` for a static one), with nothing of it executed; the next
/// operation (`tracer.next(...)`) resumes it from there. Its SINGLESTEP event is consumed.
///
/// The child is the caller's child: `Spawned::child` reaps it (Child::wait, or its
/// destructor kills and reaps). `on_close` says what closing the tracer does to it; the
/// default kills it, so that nothing outlives a failing caller.
/// \errors the exec's errno (ENOENT, EACCES, ENOEXEC, E2BIG, ...) or chdir's for `cwd`, in
/// which case the failed child is already reaped; fork's and pipe's errors; the attach's
/// (ESRCH, EPERM).
[[nodiscard]] PTRACE_API_DECL Result<Spawned> spawn(const Command& command,
                                                    OnClose on_close = OnClose::Kill);

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/spawn.ipp>
#endif
