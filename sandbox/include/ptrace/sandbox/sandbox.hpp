// SPDX-License-Identifier: MIT
// The sandbox runner (issue 12, item 3): runs a command under a policy that holds for it and
// every descendant. The policy, hardened (harden.hpp), is compiled into one seccomp filter
// installed before the exec, so denials are the kernel's, for every task, traced or not, and
// after the tracer is gone. The tracer is consulted only where the policy says so (Ask, Log,
// and denials when they are logged): then it follows every new task before it runs. When the
// command exits, what it left running is killed (an option). sandbox/README.md says more.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/sandbox/harden.hpp>
#include <ptrace/sandbox/policy.hpp>
#include <ptrace/sandbox/policy_bpf.hpp>
#include <ptrace/shim/syscall_filter.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::sandbox {

/// A syscall the sandbox shows its handlers: at its entry (result empty) and its exit.
struct SyscallStop {
    pid_t pid = 0;
    long nr = -1;
    std::array<std::uint64_t, 6> args{}; ///< rdi, rsi, rdx, r10, r8, r9
    std::uint64_t sp = 0;                ///< the stack pointer (for decoders that need it)
    /// What the policy decides for it: Ask, Log, or (when denials are logged) Errno or Kill.
    Action action = Action::allow();
    /// At the exit stop: the syscall's return value (-errno for a failure).
    std::optional<std::int64_t> result;
    /// The tracee's memory, to read what pointer arguments point to (valid during the call).
    Memory* memory = nullptr;
};

/// What happens to the tasks a command leaves running when it exits.
enum class Descendants : std::uint8_t {
    Kill, ///< every one is killed: no daemon outlives the sandbox
    /// They run on, bound by the filter. When the policy asks the tracer, run() keeps answering
    /// them until the last one exits (as strace -f waits); otherwise it returns at once.
    Keep,
};

/// How a sandbox runs.
struct SandboxOptions {
    /// Decides an Ask: Allow (or Log) lets the syscall run, Errno fails it, Kill kills the
    /// process. None: every asked syscall fails with EPERM (fails closed).
    std::function<Action(const SyscallStop&)> ask;
    /// Called at the entry and at the exit of every syscall the tracer stops for (Ask and Log
    /// outcomes, and denials when `log_denied`), after `ask` at the entry.
    std::function<void(const SyscallStop&)> on_syscall;
    /// Stops for denied syscalls too, to show them to on_syscall (at their entry, before the
    /// kernel filter fails them; at their exit with the filter's errno). The denial stays
    /// in the kernel; the tracer then sees every syscall, which costs what strace costs.
    bool log_denied = false;
    Descendants descendants = Descendants::Kill;
    /// For comparisons (bench/sandbox_compare.cpp): the tracer stops at every syscall
    /// (PTRACE_SYSCALL) and the shim picks the asked ones, as a sandbox without a kernel filter
    /// for its stops would; the policy's filter still does the denials.
    bool trace_every_syscall = false;
    /// Keeps the command away from every process outside it (Command::isolate_processes, a
    /// Landlock domain): without it a sandboxed program of the same user can open
    /// `/proc/PID/mem` of the sandbox's own process, or of any other process of that user
    /// where Yama allows, and write into it, which no seccomp filter sees. Where the kernel
    /// cannot (no Landlock, or older than Linux 5.19) run() fails with ENOSYS or EOPNOTSUPP
    /// and nothing runs; false runs without it.
    bool isolate_processes = true;
};

namespace detail {

/// Starts `command` untraced with `program` installed before its exec (after
/// PR_SET_NO_NEW_PRIVS, and after its Landlock domain when `command.isolate_processes`): what
/// a sandbox whose policy never needs the tracer runs, at the cost of a fork and an exec. Exec
/// errors (and the filter's) come back through a close-on-exec pipe, as spawn() reports them.
/// \errors the exec's, the install's or the isolation's errno; fork's, pipe's.
inline Result<Child> launch_filtered(const Command& command, std::span<const sock_filter> program) {
    if (command.program.empty()) {
        return unexpected(std::errc::no_such_file_or_directory);
    }
    std::vector<std::string> candidates = ptrace_api::detail::exec_candidates(command.program);
    std::vector<std::string> args{command.program};
    args.insert(args.end(), command.args.begin(), command.args.end());
    std::vector<std::string> env = command.env.value_or(std::vector<std::string>{});
    auto pointers = [](std::vector<std::string>& strings) {
        std::vector<char*> out;
        for (std::string& str : strings) {
            out.push_back(str.data());
        }
        out.push_back(nullptr);
        return out;
    };
    const std::vector<char*> candidate_ptrs = pointers(candidates);
    const std::vector<char*> argv = pointers(args);
    const std::vector<char*> env_ptrs = pointers(env);
    char* const* envp = command.env ? env_ptrs.data() : environ;
    const char* cwd = command.cwd ? command.cwd->c_str() : nullptr;
    int err[2] = {-1, -1};
    if (::pipe2(err, O_CLOEXEC) != 0) {
        return unexpected_errno(errno);
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int e = errno;
        ::close(err[0]);
        ::close(err[1]);
        return unexpected_errno(e);
    }
    if (pid == 0) {
        // Only async-signal-safe calls: the parent may have threads.
        ::close(err[0]);
        sigset_t none;
        (void)::sigemptyset(&none);
        (void)::sigprocmask(SIG_SETMASK, &none, nullptr);
        // Nothing runs without the isolation (when asked) and the filter.
        if (const int e = ptrace_api::shim::filter::confine(command.isolate_processes, program);
            e != 0) {
            ptrace_api::detail::child_failed(err[1], e);
        }
        ptrace_api::detail::child_failed(
            err[1], cwd != nullptr && ::chdir(cwd) != 0
                        ? errno
                        : ptrace_api::detail::exec_candidates_in_turn(candidate_ptrs.data(),
                                                                      argv.data(), envp));
    }
    ::close(err[1]);
    Child child(pid);
    int code = 0;
    ssize_t n = 0;
    while ((n = ::read(err[0], &code, sizeof code)) < 0 && errno == EINTR) {
    }
    ::close(err[0]);
    if (n == static_cast<ssize_t>(sizeof code)) {
        (void)child.wait();
        return unexpected_errno(code);
    }
    return child;
}

} // namespace detail

/// A policy made ready to run commands: hardened and compiled once.
class Sandbox {
public:
    /// Hardens and compiles `policy`. \errors a PolicyError when the program is too large.
    [[nodiscard]] static PolicyResult<Sandbox> create(const Policy& policy,
                                                      SandboxOptions options = {}) {
        Policy hardened = harden(policy);
        const SyscallSet asked = tracer_syscalls(hardened);
        SyscallSet stops = asked;
        if (options.log_denied) {
            const SyscallSet denied = denied_syscalls(hardened);
            for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
                if (denied.contains(nr)) {
                    (void)stops.insert(nr);
                }
            }
        }
        const bool follow = !stops.empty();
        // When following, the shim also needs to see rt_sigreturn and restart_syscall to fold
        // a restarted syscall into one stop (decision 18), as with PTRACE_SYSCALL.
        BpfOptions bpf;
        if (follow) {
            bpf.quiet_traps =
                SyscallSet{static_cast<std::uint64_t>(*syscall_number("rt_sigreturn")),
                           static_cast<std::uint64_t>(*syscall_number("restart_syscall"))};
        }
        auto program = compile_bpf(hardened, bpf);
        if (!program) {
            return program.error();
        }
        SyscallSet traps = options.trace_every_syscall ? SyscallSet{} : asked;
        for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
            if (bpf.quiet_traps.contains(nr)) {
                (void)traps.insert(nr);
            }
        }
        return Sandbox(std::move(hardened), std::move(*program), traps, stops, std::move(options));
    }

    /// The policy installed: the user's, hardened.
    [[nodiscard]] const Policy& policy() const noexcept { return policy_; }
    /// The filter installed.
    [[nodiscard]] const std::vector<sock_filter>& program() const noexcept { return program_; }
    /// True when the tracer follows every task (the policy asks or logs).
    [[nodiscard]] bool follows() const noexcept { return !stops_.empty(); }

    /// Runs `command` in the sandbox until it exits. \returns its wait status.
    /// \errors spawn()'s (a filter that cannot be installed: nothing ran); ECHILD when the
    /// command's status could not be had.
    Result<WaitStatus> run(Command command) {
        command.seccomp_program = program_;
        command.isolate_processes = options_.isolate_processes;
        command.seccomp_traps = traps_;
        command.syscalls = follows() ? std::optional<SyscallSet>(stops_) : std::nullopt;
        // With Kill, orphans come to us so that they can be found; with Keep, they go to init
        // as usual (we would have to reap them).
        std::optional<Subreaper> subreaper;
        if (options_.descendants == Descendants::Kill) {
            subreaper.emplace();
        }
        std::optional<Child> child;
        if (follows()) {
            auto spawned = spawn(command, OnClose::Kill);
            if (!spawned) {
                return Unexpected(spawned.error());
            }
            auto tracer = std::move(spawned->tracer).into_nonblocking();
            if (!tracer) {
                return Unexpected(tracer.error());
            }
            Run run(*this, spawned->child.pid());
            run.add(std::move(*tracer));
            run.serve();
            child.emplace(std::move(spawned->child));
        } else {
            // Nothing to decide: the kernel does it all, and no tracer is needed.
            auto launched = detail::launch_filtered(command, program_);
            if (!launched) {
                return Unexpected(launched.error());
            }
            child.emplace(std::move(*launched));
        }
        auto status = child->wait();
        if (subreaper) {
            subreaper->kill_new_children();
        }
        if (!status) {
            return Unexpected(status.error());
        }
        return *status;
    }

private:
    Sandbox(Policy policy, std::vector<sock_filter> program, SyscallSet traps, SyscallSet stops,
            SandboxOptions options)
        : policy_(std::move(policy)), program_(std::move(program)), traps_(traps), stops_(stops),
          options_(std::move(options)) {}

    /// The caller as a child subreaper for the length of a run, and what it can then kill: the
    /// children it gained (the command's orphans), and theirs, until none are left.
    class Subreaper {
    public:
        Subreaper() {
            int was = 0;
            if (::prctl(PR_GET_CHILD_SUBREAPER, &was) == 0) {
                was_ = was;
                (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
            }
            before_ = children();
        }
        Subreaper(const Subreaper&) = delete;
        Subreaper& operator=(const Subreaper&) = delete;
        ~Subreaper() {
            if (was_) {
                (void)::prctl(PR_SET_CHILD_SUBREAPER, *was_);
            }
        }

        /// SIGKILLs and reaps every child the caller gained since, round after round (a
        /// killed process's children come to the caller next).
        void kill_new_children() const {
            for (int round = 0; round < 1000; ++round) {
                std::vector<pid_t> fresh;
                for (const pid_t pid : children()) {
                    if (before_.count(pid) == 0) {
                        fresh.push_back(pid);
                    }
                }
                if (fresh.empty()) {
                    return;
                }
                for (const pid_t pid : fresh) {
                    (void)::kill(pid, SIGKILL);
                }
                for (const pid_t pid : fresh) {
                    siginfo_t info{};
                    (void)::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | __WALL);
                }
            }
        }

    private:
        /// The caller's children, from /proc/self/task/*/children.
        static std::set<pid_t> children() {
            std::set<pid_t> out;
            DIR* dir = ::opendir("/proc/self/task");
            if (dir == nullptr) {
                return out;
            }
            while (const dirent* entry = ::readdir(dir)) {
                if (entry->d_name[0] == '.') {
                    continue;
                }
                std::ifstream in(std::string("/proc/self/task/") + entry->d_name + "/children");
                long pid = 0;
                while (in >> pid) {
                    out.insert(static_cast<pid_t>(pid));
                }
            }
            ::closedir(dir);
            return out;
        }

        std::optional<int> was_;
        std::set<pid_t> before_;
    };

    /// One run of the follow loop: every task of the command, each with its own nonblocking
    /// trace handle, multiplexed with poll (spec M3), as the strace example does.
    class Run {
    public:
        Run(Sandbox& box, pid_t main_pid) : box_(box), main_pid_(main_pid) {}

        void add(NonblockTracer tracer) {
            const pid_t pid = tracer.pid();
            auto& t = tracees_[pid];
            t = std::make_unique<Tracee>(Tracee{std::move(tracer), std::nullopt});
            (void)t->tracer.next(resume_flags());
        }

        void serve() {
            on_tracer_thread([this] {
                std::vector<pollfd> fds;
                std::vector<pid_t> pids;
                while (!tracees_.empty()) {
                    if (main_gone_ && box_.options_.descendants == Descendants::Kill) {
                        tracees_.clear(); // OnClose::Kill: every one is killed
                        return;
                    }
                    fds.clear();
                    pids.clear();
                    for (const auto& [pid, t] : tracees_) {
                        fds.push_back(pollfd{t->tracer.native_handle(), POLLIN, 0});
                        pids.push_back(pid);
                    }
                    if (!ptrace_api::poll(fds, -1)) {
                        return;
                    }
                    for (std::size_t i = 0; i < pids.size(); ++i) {
                        if (fds[i].revents != 0) {
                            service(pids[i]);
                        }
                    }
                }
            });
            tracees_.clear(); // poll failed: OnClose::Kill ends what is left
        }

    private:
        struct Tracee {
            NonblockTracer tracer;
            std::optional<SyscallStop> pending; // shown at its entry, waiting for its exit
        };

        [[nodiscard]] PtraceFlags resume_flags() const {
            PtraceFlags flags = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::EVENT_CLONE;
            if (box_.options_.on_syscall) {
                flags = flags | PtraceFlags::STOP_POST_SYSCALL;
            }
            return flags;
        }

        void forget(pid_t pid) {
            tracees_.erase(pid);
            if (pid == main_pid_) {
                main_gone_ = true;
            }
        }

        void service(pid_t pid) {
            const auto found = tracees_.find(pid);
            if (found == tracees_.end()) {
                return;
            }
            Tracee& t = *found->second;
            auto events = t.tracer.events();
            if (!events || events->empty()) {
                forget(pid); // readable with nothing queued: the tracee is gone (C8, G1)
                return;
            }
            bool at_breakpoint = false;
            PtraceFlags extra;
            for (const PtraceEvent& event : *events) {
                const EventView view = ptrace_api::view(event);
                if (const auto* clone = std::get_if<events::Clone>(&view)) {
                    adopt(static_cast<pid_t>(clone->pid));
                    continue;
                }
                at_breakpoint = true;
                if (std::holds_alternative<events::PreSyscall>(view)) {
                    extra = on_entry(pid, t);
                } else if (std::holds_alternative<events::PostSyscall>(view)) {
                    on_exit(t);
                }
            }
            if (t.tracer.pid() != pid && t.tracer.pid() > 0) {
                // A non-leader thread exec'd and took its leader's pid (kernel-shim/README.md,
                // "Exec"): the old leader's handle has ended or will.
                auto moved = std::move(found->second);
                tracees_.erase(found);
                tracees_[moved->tracer.pid()] = std::move(moved);
                if (pid == main_pid_) {
                    main_pid_ = t.tracer.pid();
                }
            }
            if (at_breakpoint) {
                (void)t.tracer.next(resume_flags() | extra);
            }
        }

        /// F1/F3: the child is frozen before its first instruction; opening its handle now,
        /// before its parent's next operation, adopts it (else F2 would release it).
        void adopt(pid_t child) {
            auto tracer = Tracer::attach(child, {AttachStop::StopNow, OnClose::Kill});
            std::optional<NonblockTracer> nonblocking;
            if (tracer) {
                if (auto n = std::move(*tracer).into_nonblocking()) {
                    nonblocking.emplace(std::move(*n));
                }
            }
            if (!nonblocking) {
                // A task the sandbox cannot follow (fds exhausted, say) would be released at
                // its parent's next operation (F2) with nobody to answer its questions: it is
                // killed instead (it is frozen, its pid cannot be reused yet). Fails closed.
                (void)::kill(child, SIGKILL);
                return;
            }
            add(std::move(*nonblocking));
        }

        /// A PRE stop: what the policy decides, and the ask. \returns FLAG_IGNORE when the
        /// syscall is not to run.
        PtraceFlags on_entry(pid_t pid, Tracee& t) {
            auto regs = t.tracer.regs().get_int();
            if (!regs) {
                return {};
            }
            SyscallStop stop;
            stop.pid = pid;
            stop.nr = static_cast<long>(regs->rax); // at PRE rax is the number (decision 7)
            stop.args = {regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9};
            stop.sp = regs->rsp;
            stop.memory = &t.tracer.mem();
            stop.action = box_.policy_.decide(static_cast<std::uint32_t>(regs->rax), stop.args);
            PtraceFlags extra;
            if (stop.action.kind() == ActionKind::Ask) {
                const Action answer =
                    box_.options_.ask ? box_.options_.ask(stop) : Action::fail(detail::eperm);
                if (answer.kind() == ActionKind::Errno) {
                    regs->rax =
                        static_cast<std::uint64_t>(-static_cast<std::int64_t>(answer.error()));
                    if (t.tracer.regs().set_int(*regs)) {
                        extra = PtraceFlags::FLAG_IGNORE;
                    }
                    stop.action = answer;
                } else if (answer.kind() == ActionKind::Kill) {
                    (void)::kill(pid, SIGKILL);
                    stop.action = answer;
                }
            } else if (stop.action.kind() == ActionKind::Allow) {
                return {}; // not for the tracer: a quiet trap, or a filter of the program's own
            }
            if (box_.options_.on_syscall) {
                box_.options_.on_syscall(stop);
                t.pending = stop;
            }
            return extra;
        }

        void on_exit(Tracee& t) {
            if (!t.pending) {
                return;
            }
            SyscallStop stop = *std::exchange(t.pending, std::nullopt);
            if (auto regs = t.tracer.regs().get_int()) {
                stop.result = static_cast<std::int64_t>(regs->rax);
            }
            stop.memory = &t.tracer.mem();
            box_.options_.on_syscall(stop);
        }

        Sandbox& box_;
        pid_t main_pid_;
        bool main_gone_ = false;
        std::map<pid_t, std::unique_ptr<Tracee>> tracees_;
    };

    Policy policy_;
    std::vector<sock_filter> program_;
    SyscallSet traps_;
    SyscallSet stops_;
    SandboxOptions options_;
};

} // namespace ptrace_api::sandbox
