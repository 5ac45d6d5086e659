// SPDX-License-Identifier: MIT
// strace for the Redox ptrace design: runs a command and prints its syscalls in strace's format.
//
// Two ways to drive the same printer, as in Redox's own strace (strace-redox, 2019):
//
// - simple mode (default): one tracee and the blocking Tracer. Each `next(flags)` resumes the
//   tracee and returns when it reaches one of the breakpoints in `flags`. The loop runs on the
//   library's tracer thread (on_tracer_thread), the fastest place for it.
// - advanced mode (-f): every process and thread the command creates is traced. Each tracee
//   has its own non-blocking trace handle, a pollable fd; ptrace_api::poll waits on all of
//   them (poll(2) or epoll would do on another thread; ptrace_api::poll also works on the
//   tracer thread, where this loop runs too).
//   A new thread or process is announced by an EVENT_CLONE on its parent's handle while it is
//   held frozen (spec F1); opening its own trace handle adopts it (F3).
//
// -e trace=SET limits the stops themselves, not only the lines: a command spawned with -f gets
// the set as Command::syscalls (a seccomp filter in the child: the other syscalls never stop),
// one spawned without -f and an attached process (-p PID) get it with Tracer::set_syscalls (the
// library passes the others on without a stop). -p uses the advanced mode's loop, with or
// without -f.
//
// The program uses only the public API: spawn(), Tracer, NonblockTracer, Registers, Memory,
// on_tracer_thread().
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include <poll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "decode.hpp"
#include "format.hpp"
#include "options.hpp"
#include "printer.hpp"

namespace {

using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
using ptrace_api::WaitStatus;
using strace_example::Filter;
using strace_example::Options;
using strace_example::Output;
using strace_example::ReadMemory;
using strace_example::TraceePrinter;

/// The syscalls whose stops the tracer asks for with -e trace=SET: the set, plus the few the
/// printer follows without printing them (each at most a few times per process): a handler's
/// rt_sigreturn tells whether the syscall it interrupted ended with EINTR; execve and execveat,
/// clone and clone3, exit and exit_group tell -f which tracee became which. Every other
/// syscall then runs without a stop. The printer's Filter prints only the set.
ptrace_api::SyscallSet stopping_syscalls(const ptrace_api::SyscallSet& printed) {
    ptrace_api::SyscallSet set = printed;
    for (const char* name :
         {"rt_sigreturn", "execve", "execveat", "clone", "clone3", "exit", "exit_group"}) {
        (void)set.insert(static_cast<std::uint64_t>(*ptrace_api::syscall_number(name)));
    }
    return set;
}

Filter filter_for(const Options& opts) {
    return opts.trace ? Filter(*opts.trace) : Filter();
}

/// The breakpoints every operation asks for: stop before and after each syscall, before each
/// signal is acted on, and before the tracee exits. The tracee runs to the first one reached.
constexpr PtraceFlags syscall_stops = PtraceFlags::STOP_PRE_SYSCALL |
                                      PtraceFlags::STOP_POST_SYSCALL | PtraceFlags::STOP_SIGNAL |
                                      PtraceFlags::STOP_EXIT;

void complain(const std::string& message) {
    std::fprintf(stderr, "strace: %s\n", message.c_str());
}

/// The tracee's memory as the printer reads it: all or nothing, like the mem handle.
ReadMemory reader_for(ptrace_api::Memory& mem) {
    return [&mem](std::uint64_t addr, std::span<std::byte> out) {
        return mem.read(addr, out).has_value();
    };
}

/// Which netlink protocol the tracee's descriptor `fd` is a socket of, found as strace finds it:
/// the socket's protocol name (the `system.sockprotoname` attribute of /proc/PID/fd/FD), then
/// its inode in the netlink table of the tracee's network namespace. nullopt: not a netlink
/// socket; netlink_unknown: one that table does not list (not bound yet).
std::optional<int> netlink_protocol(pid_t pid, int fd) {
    const std::string path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    std::array<char, 16> proto{};
    const ssize_t n =
        ::getxattr(path.c_str(), "system.sockprotoname", proto.data(), proto.size() - 1);
    if (n <= 0 || std::strcmp(proto.data(), "NETLINK") != 0) {
        return std::nullopt;
    }
    std::array<char, 64> link{};
    unsigned long inode = 0;
    if (::readlink(path.c_str(), link.data(), link.size() - 1) <= 0 ||
        std::sscanf(link.data(), "socket:[%lu]", &inode) != 1) {
        return strace_example::netlink_unknown;
    }
    std::FILE* table = std::fopen(("/proc/" + std::to_string(pid) + "/net/netlink").c_str(), "re");
    if (table == nullptr) {
        return strace_example::netlink_unknown;
    }
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    std::array<char, 256> line{};
    std::optional<int> found;
    while (!found && std::fgets(line.data(), static_cast<int>(line.size()), table) != nullptr) {
        int protocol = 0;
        unsigned long row_inode = 0;
        if (std::sscanf(line.data(), "%*s %d %*s %*s %*s %*s %*s %*s %*s %lu", &protocol,
                        &row_inode) == 2 &&
            row_inode == inode) {
            found = protocol;
        }
    }
    std::fclose(table);
    return found.value_or(strace_example::netlink_unknown);
}

/// The six syscall arguments of the x86_64 ABI, in order.
std::array<std::uint64_t, 6> syscall_args(const ptrace_api::IntRegisters& r) {
    return {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9};
}

/// Feeds one breakpoint event to the printer. This is all a syscall tracer needs:
/// - PRE_SYSCALL: rax holds the syscall number (decision 7), the arguments are in their
///   registers, and strings are read from memory now, before the call can change them;
/// - POST_SYSCALL: rax holds the result;
/// - SIGNAL: the signal is about to be acted on (the next operation delivers it, as it does
///   not carry FLAG_IGNORE); its siginfo says who sent it or where it faulted (decision 27);
/// - EXIT: the tracee is about to exit with a wait(2) status. Its pending syscalls never
///   return (`= ?`); the caller prints the exit line, because what it says depends on the
///   mode (see run_simple() and FollowSession::on_exit()).
/// \returns the exit status at an EXIT stop.
/// `AnyTracer` is Tracer or NonblockTracer.
template <class AnyTracer>
std::optional<WaitStatus> on_stop(const PtraceEvent& event, AnyTracer& tracer,
                                  TraceePrinter& printer) {
    ptrace_api::Registers& regs = tracer.regs();
    const ReadMemory read = reader_for(tracer.mem());
    const auto view = ptrace_api::view(event);
    if (std::holds_alternative<ptrace_api::events::PreSyscall>(view)) {
        if (const auto r = regs.get_int()) {
            const strace_example::NetlinkLookup netlink = [pid = tracer.pid()](int fd) {
                return netlink_protocol(pid, fd);
            };
            printer.syscall_entry(static_cast<long>(r->rax), syscall_args(*r), read, r->rsp,
                                  netlink);
        }
    } else if (std::holds_alternative<ptrace_api::events::PostSyscall>(view)) {
        if (const auto r = regs.get_int()) {
            printer.syscall_exit(static_cast<std::int64_t>(r->rax), read);
        }
    } else if (const auto* sig = std::get_if<ptrace_api::events::Signal>(&view)) {
        const auto info = tracer.signal_info();
        printer.signal(sig->signal, info ? std::optional(*info) : std::nullopt, read);
    } else if (const auto* exit = std::get_if<ptrace_api::events::Exit>(&view)) {
        printer.flush(read);
        return exit->status;
    }
    return std::nullopt;
}

/// The execve line. spawn() runs the command's execve itself and hands the program over at
/// its first instruction, so no tracer stop ever shows that execve: we print it from what
/// we asked spawn() to run (the path it finds in PATH, our argv, our environment, which the
/// forked child passes on unchanged).
void print_execve(const Options& opts, const std::string& path, const std::string& prefix,
                  const Filter& filter, Output& out) {
    if (!filter.wants(*ptrace_api::syscall_number("execve"))) {
        return;
    }
    std::size_t vars = 0;
    while (environ[vars] != nullptr) {
        ++vars;
    }
    const std::string call = "execve(" + strace_example::quote(path) + ", " +
                             strace_example::string_list_text(opts.command, opts.string_limit) +
                             ", " + strace_example::hex(reinterpret_cast<std::uintptr_t>(environ)) +
                             " /* " + std::to_string(vars) + " vars */)";
    out.line(strace_example::syscall_line(prefix, call, "0"));
}

/// strace's exit status: the tracee's exit code, or 128 + the signal that killed it (strace
/// itself re-raises that signal; a teaching example need not kill itself).
int exit_code_for(WaitStatus status) {
    return status.signaled() ? 128 + status.term_signal() : status.exit_code();
}

/// What spawn() runs, with -e trace=SET limited to the set's stops in the kernel when -f
/// follows every child (as strace's --seccomp-bpf implies -f): a filter cannot be removed, so
/// the library keeps the children of a filtered tracee traced even when nobody follows them,
/// and a child that calls PTRACE_TRACEME (a debugger's) would then fail. Without -f the set is
/// applied by the library (run_simple) and children run untraced, as with strace. Its default
/// OnClose::Kill also means that if this tracer dies (Ctrl-C), the tracee dies with it
/// instead of running on untraced (strace would detach instead).
ptrace_api::Command command_for(const Options& opts) {
    ptrace_api::Command command;
    command.program = opts.command.front(); // as typed: it becomes argv[0], as with strace
    command.args.assign(opts.command.begin() + 1, opts.command.end());
    if (opts.trace && opts.follow) {
        command.syscalls = stopping_syscalls(*opts.trace); // the kernel path: seccomp
    }
    return command;
}

/// Simple mode: one tracee, one blocking Tracer, one loop.
int run_simple(const Options& opts, const std::string& path, Output& out) {
    auto spawned = ptrace_api::spawn(command_for(opts));
    if (!spawned) {
        complain("spawn " + opts.command.front() + ": " + spawned.error().message());
        return 1;
    }
    ptrace_api::Tracer& tracer = spawned->tracer;
    if (opts.trace) {
        // The shim path: every syscall stops in Linux, the library resumes the others.
        if (const auto set = tracer.set_syscalls(stopping_syscalls(*opts.trace)); !set) {
            complain("syscall set: " + set.error().message());
            return 1;
        }
    }
    const Filter filter = filter_for(opts);
    TraceePrinter printer("", filter, out, opts.string_limit);
    print_execve(opts, path, "", filter, out);

    // The whole tracer: resume to the next stop, print it, repeat. After the EXIT stop the
    // next operation lets the tracee die and fails with ESRCH (rule G1). The loop runs on the
    // library's tracer thread, where a stop costs what it costs a hand-written ptrace loop
    // instead of two thread wake-ups.
    std::optional<WaitStatus> exit_status;
    ptrace_api::on_tracer_thread([&] {
        for (;;) {
            const auto event = tracer.next(syscall_stops);
            if (!event) {
                if (event.error() != std::errc::no_such_process) {
                    complain("trace: " + event.error().message());
                }
                return;
            }
            if (auto status = on_stop(*event, tracer, printer)) {
                exit_status = status;
            }
        }
    });

    // Close the trace handle before reaping the child (a tracer could hold it at a stop).
    (void)std::move(tracer).close();
    // The exit line and our exit code come from the child's wait status, as strace's do, not
    // from the EXIT event: they differ when a thread other than the leader calls execve. The
    // leader's EXIT event (status 0) is real, it is the leader thread's end (Linux kills it),
    // but the process lives on in the new program, under the same pid, until it exits.
    const auto reaped = spawned->child.wait();
    if (reaped) {
        exit_status = *reaped;
    }
    if (!exit_status) {
        return 1;
    }
    printer.flush([](std::uint64_t, std::span<std::byte>) { return false; });
    printer.note(strace_example::exit_line(*exit_status));
    return exit_code_for(*exit_status);
}

/// One tracee of the advanced mode: its non-blocking handle, its printer, and the pid of its
/// thread group (its process).
struct Tracee {
    ptrace_api::NonblockTracer tracer;
    TraceePrinter printer;
    pid_t tgid = 0;
    bool ended = false; ///< its EXIT stop was printed
};

std::string pid_prefix(pid_t pid) {
    return "[pid " + std::to_string(pid) + "] ";
}

constexpr std::uint64_t clone_thread = 0x10000; // CLONE_THREAD

/// Advanced mode (-f): every thread and process, multiplexed with ptrace_api::poll.
class FollowSession {
public:
    FollowSession(const Options& opts, Output& out)
        : opts_(opts), out_(&out), filter_(filter_for(opts)) {}
    FollowSession(const FollowSession&) = delete;
    FollowSession& operator=(const FollowSession&) = delete;
    ~FollowSession() {
        tracees_.clear(); // close every trace handle first (kills what still runs)
    }

    int run(const std::string& path) {
        auto spawned = ptrace_api::spawn(command_for(opts_));
        if (!spawned) {
            complain("spawn " + opts_.command.front() + ": " + spawned.error().message());
            return 1;
        }
        const pid_t main_pid = spawned->child.pid();
        auto tracer = std::move(spawned->tracer).into_nonblocking();
        if (!tracer) {
            complain("O_NONBLOCK: " + tracer.error().message());
            return 1;
        }
        print_execve(opts_, path, prefix_for(main_pid), filter_, *out_);
        raise_open_files_limit();
        add(std::move(*tracer), main_pid);
        if (!serve(-1)) {
            return 1;
        }
        // Our exit code is the command's, from its wait status (as strace's is).
        const auto reaped = spawned->child.wait();
        return reaped ? exit_code_for(*reaped) : 1;
    }

    /// -p PID: attaches to the running thread `pid` (OnClose::Detach: whatever happens to
    /// us, it runs on), and follows it, and with -f what it creates, until it exits or a
    /// signal arrives on `signal_fd` (SIGINT, SIGTERM, SIGHUP): then every tracee is
    /// detached and left running, as strace does. \returns strace's exit code: 0, or
    /// 128 + the signal that made us detach.
    int attach(pid_t pid, int signal_fd) {
        // Held at a stop while the set is written: no syscall slips through unfiltered.
        auto tracer = ptrace_api::Tracer::attach(
            pid, {ptrace_api::AttachStop::StopNow, ptrace_api::OnClose::Detach});
        if (!tracer) {
            complain("attach: " + std::to_string(pid) + ": " + tracer.error().message());
            return 1;
        }
        if (opts_.trace) {
            // The shim path: every syscall stops in Linux, the library resumes the others.
            if (const auto set = tracer->set_syscalls(stopping_syscalls(*opts_.trace)); !set) {
                complain("syscall set of " + std::to_string(pid) + ": " + set.error().message());
                return 1;
            }
        }
        auto nonblocking = std::move(*tracer).into_nonblocking();
        if (!nonblocking) {
            complain("O_NONBLOCK: " + nonblocking.error().message());
            return 1;
        }
        std::fprintf(stderr, "strace: Process %d attached\n", static_cast<int>(pid));
        raise_open_files_limit();
        add(std::move(*nonblocking), pid);
        if (!serve(signal_fd)) {
            return 1;
        }
        if (detach_signal_ == 0) {
            return 0;
        }
        // Detach: each tracee's pending syscalls end its trace, then it runs on untraced.
        for (auto& [tracee_pid, tracee] : tracees_) {
            tracee->printer.detach(reader_for(tracee->tracer.mem()));
            if (const auto done = std::move(tracee->tracer).detach(); !done) {
                complain("detach " + std::to_string(tracee_pid) + ": " + done.error().message());
            }
            std::fprintf(stderr, "strace: Process %d detached\n", static_cast<int>(tracee_pid));
        }
        tracees_.clear();
        return 128 + detach_signal_;
    }

private:
    /// Every followed task costs a few file descriptors here (its trace, register and memory
    /// handles), so the soft limit on open files is raised to the hard one, once the
    /// command runs with its own limits (it was spawned before; its children inherit from it).
    static void raise_open_files_limit() {
        rlimit limit{};
        if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
            limit.rlim_cur = limit.rlim_max;
            (void)::setrlimit(RLIMIT_NOFILE, &limit);
        }
    }

    /// `[pid N] ` with -f, nothing without (one tracee, attached with -p).
    std::string prefix_for(pid_t pid) const { return opts_.follow ? pid_prefix(pid) : ""; }

    /// What each resume asks for: EVENT_CLONE too with -f.
    PtraceFlags resume_flags() const {
        return opts_.follow ? syscall_stops | PtraceFlags::EVENT_CLONE : syscall_stops;
    }

    /// The event loop: wait until some trace handles are readable, read their events, print
    /// them, and resume each tracee that sits at a breakpoint (spec M3). It ends when every
    /// tracee is gone, or when `signal_fd` (a signalfd, or -1) is readable: detach_signal_
    /// says which signal came. Without a signal fd it runs on the tracer thread, where a stop
    /// costs no thread wake-ups; with one (-p) it runs here, because ptrace_api::poll on the
    /// tracer thread polls trace handles only (elsewhere it is poll(2) on any fd).
    /// \returns false when poll failed.
    bool serve(int signal_fd) {
        auto loop = [&] {
            std::vector<pollfd> fds;
            std::vector<pid_t> pids;
            while (!tracees_.empty()) {
                fds.clear();
                pids.clear();
                for (const auto& [pid, tracee] : tracees_) {
                    fds.push_back(pollfd{tracee->tracer.native_handle(), POLLIN, 0});
                    pids.push_back(pid);
                }
                if (signal_fd >= 0) {
                    fds.push_back(pollfd{signal_fd, POLLIN, 0});
                }
                if (const auto n = ptrace_api::poll(fds, -1); !n) {
                    complain("poll: " + n.error().message());
                    return false;
                }
                if (signal_fd >= 0 && fds.back().revents != 0) {
                    signalfd_siginfo info{};
                    if (::read(signal_fd, &info, sizeof info) == sizeof info) {
                        detach_signal_ = static_cast<int>(info.ssi_signo);
                        return true;
                    }
                }
                for (std::size_t i = 0; i < pids.size(); ++i) {
                    if (fds[i].revents != 0) {
                        service(pids[i], fds[i].fd);
                    }
                }
            }
            return true;
        };
        return signal_fd >= 0 ? loop() : ptrace_api::on_tracer_thread(loop);
    }

    /// Starts following a tracee of thread group `tgid`: poll its handle, then resume it with
    /// the breakpoints (it is held at a stop until this first operation: spawn's first
    /// instruction, or the clone freeze of F1).
    void add(ptrace_api::NonblockTracer tracer, pid_t tgid) {
        const pid_t pid = tracer.pid();
        auto [it, inserted] = tracees_.emplace(
            pid, std::make_unique<Tracee>(Tracee{
                     std::move(tracer),
                     TraceePrinter(prefix_for(pid), filter_, *out_, opts_.string_limit), tgid}));
        (void)inserted;
        (void)it->second->tracer.next(resume_flags());
    }

    /// EVENT_CLONE: `child` (a thread or a process) is frozen before its first instruction.
    /// Opening its trace handle adopts it (F3); this must happen before the parent's next
    /// operation, which would otherwise release it untraced (F2). It is already stopped, so
    /// StopNow changes nothing but says so; OnClose::Kill as for the spawned command.
    /// The parent is inside clone or clone3: their flags say whether the child is a thread
    /// of the parent's process (CLONE_THREAD) or a process of its own.
    /// \returns false when the child could not be followed (then it stays frozen until its
    /// parent's next operation lets it go, F2).
    bool adopt(pid_t child, const Tracee& parent) {
        const strace_example::PendingCall* call = parent.printer.pending();
        const bool thread =
            call != nullptr && call->clone_flags && (*call->clone_flags & clone_thread) != 0;
        auto tracer = ptrace_api::Tracer::attach(
            child, {ptrace_api::AttachStop::StopNow, ptrace_api::OnClose::Kill});
        if (!tracer) {
            complain("attach " + std::to_string(child) + ": " + tracer.error().message());
            return false;
        }
        auto nonblocking = std::move(*tracer).into_nonblocking();
        if (!nonblocking) {
            complain("O_NONBLOCK: " + nonblocking.error().message());
            return false;
        }
        add(std::move(*nonblocking), thread ? parent.tgid : child);
        return true;
    }

    /// The handle `fd` of `pid` is readable: it holds events, or the tracee is gone (C8).
    void service(pid_t pid, int fd) {
        const auto found = tracees_.find(pid);
        if (found == tracees_.end() || found->second->tracer.native_handle() != fd) {
            return; // forgotten, or its pid went to a thread that exec'd (see follow_exec)
        }
        Tracee& t = *found->second;
        auto events = t.tracer.events();
        if (!events || events->empty()) {
            // Readable with nothing queued: the tracee has exited (C8, G1).
            forget(pid);
            return;
        }
        bool at_breakpoint = false;
        bool unfollowed = false;
        for (const PtraceEvent& event : *events) {
            const auto view = ptrace_api::view(event);
            if (const auto* clone = std::get_if<ptrace_api::events::Clone>(&view)) {
                unfollowed = !adopt(static_cast<pid_t>(clone->pid), t) || unfollowed;
                continue;
            }
            at_breakpoint = true;
            if (t.printer.exec_pending()) {
                pid = follow_exec(pid);
            }
            const pid_t superseded_by =
                std::holds_alternative<ptrace_api::events::Exit>(view) ? exec_thread_of(pid, t) : 0;
            if (auto status = on_stop(event, t.tracer, t.printer)) {
                t.printer.note(superseded_by != 0 ? superseded_line(superseded_by)
                                                  : strace_example::exit_line(*status));
                t.ended = true;
            }
        }
        // Resume only a tracee that sits at a breakpoint; one that only announced a clone is
        // running already. After an EXIT stop this lets it die; its handle then polls
        // readable with nothing queued. A child that could not be followed must be let go
        // now: any operation on its parent's handle does that (F2), and a running parent
        // just keeps its breakpoints (B11). A vfork parent would otherwise wait for it
        // forever.
        if (at_breakpoint || unfollowed) {
            (void)t.tracer.next(resume_flags());
        }
    }

    /// A tracee that was inside execve has stopped again: its execve succeeded (it has no
    /// exit stop, decision 17) and this is the new program. If the tracee was not its
    /// process's leader, Linux gave it the leader's pid, and tracer.pid() says so now; its
    /// lines continue under that pid, as strace's do. The old leader's session has ended
    /// already (Linux killed that thread before the exec completed).
    /// \returns the pid the tracee is known by from now on.
    pid_t follow_exec(pid_t pid) {
        const auto found = tracees_.find(pid);
        const pid_t now = found->second->tracer.pid();
        if (now == pid || now <= 0) {
            return pid;
        }
        forget(now); // the old leader, if its handle has not reported its end yet
        auto tracee = std::move(found->second);
        tracees_.erase(found);
        tracee->printer.set_prefix(prefix_for(now));
        tracee->tgid = now;
        tracees_.emplace(now, std::move(tracee));
        return now;
    }

    /// Whether the leader `pid` is ending because another thread of its process called
    /// execve: Linux then kills every other thread, the leader too, and the exec'ing thread
    /// goes on under the leader's pid (see follow_exec()). strace prints
    /// `+++ superseded by execve in pid T +++` for the leader then, not an exit line.
    /// \returns T, the exec'ing thread, or 0 (a leader inside exit or exit_group is ending
    /// by itself).
    pid_t exec_thread_of(pid_t pid, const Tracee& t) const {
        if (pid != t.tgid) {
            return 0;
        }
        if (const strace_example::PendingCall* call = t.printer.pending()) {
            const std::string_view name = ptrace_api::syscall_name(call->nr);
            if (name == "exit" || name == "exit_group") {
                return 0;
            }
        }
        for (const auto& [other_pid, other] : tracees_) {
            if (other_pid != pid && other->tgid == t.tgid && other->printer.exec_pending()) {
                return other_pid;
            }
        }
        return 0;
    }

    static std::string superseded_line(pid_t exec_thread) {
        return "+++ superseded by execve in pid " + std::to_string(exec_thread) + " +++";
    }

    /// The tracee is gone: stop polling its handle and close it.
    void forget(pid_t pid) {
        const auto found = tracees_.find(pid);
        if (found == tracees_.end()) {
            return;
        }
        Tracee& t = *found->second;
        // A tracee that died without an EXIT stop leaves its pending syscalls unfinished.
        const pid_t superseded_by = t.ended ? 0 : exec_thread_of(pid, t);
        t.printer.flush([](std::uint64_t, std::span<std::byte>) { return false; });
        if (superseded_by != 0) {
            t.printer.note(superseded_line(superseded_by));
        }
        tracees_.erase(found);
    }

    const Options& opts_;
    Output* out_;
    Filter filter_;
    int detach_signal_ = 0; ///< the signal that ended attach(), or 0
    // unique_ptr: a Tracee stays at one address while the map grows during service().
    std::map<pid_t, std::unique_ptr<Tracee>> tracees_;
};

} // namespace

int main(int argc, char** argv) {
    const auto parsed =
        strace_example::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (parsed.help) {
        std::fputs(strace_example::usage.data(), stdout);
        return 0;
    }
    if (!parsed.options) {
        complain(parsed.error);
        std::fputs(strace_example::usage.data(), stderr);
        return 1;
    }
    const Options& opts = *parsed.options;

    // -p: SIGINT, SIGTERM and SIGHUP detach instead of killing us. They are blocked before
    // the library starts its thread (which inherits the mask) and read from a signalfd.
    int signal_fd = -1;
    if (opts.attach != 0) {
        sigset_t detach_signals;
        sigemptyset(&detach_signals);
        for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
            sigaddset(&detach_signals, sig);
        }
        if (::sigprocmask(SIG_BLOCK, &detach_signals, nullptr) != 0 ||
            (signal_fd = ::signalfd(-1, &detach_signals, SFD_CLOEXEC)) < 0) {
            complain(std::string("signalfd: ") + std::strerror(errno));
            return 1;
        }
    }

    // Like strace, find the program in PATH first: the execve line shows the path found.
    std::optional<std::string> path;
    if (opts.attach == 0) {
        path = strace_example::find_in_path(opts.command.front(), std::getenv("PATH"));
        if (!path) {
            complain("Can't stat '" + opts.command.front() + "': No such file or directory");
            return 1;
        }
    }

    std::FILE* file = stderr;
    if (!opts.output.empty()) {
        file = std::fopen(opts.output.c_str(), "we");
        if (file == nullptr) {
            complain("Can't fopen '" + opts.output + "': " + std::strerror(errno));
            return 1;
        }
    }
    Output out(file);
    int code = 0;
    if (opts.attach != 0) {
        FollowSession session(opts, out);
        code = session.attach(opts.attach, signal_fd);
    } else if (opts.follow) {
        FollowSession session(opts, out);
        code = session.run(*path);
    } else {
        code = run_simple(opts, *path, out);
    }
    if (file != stderr) {
        (void)std::fclose(file);
    }
    return code;
}
