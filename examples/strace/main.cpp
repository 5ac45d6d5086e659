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
// The program uses only the public API: spawn(), Tracer, NonblockTracer, Registers, Memory,
// on_tracer_thread().
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>

#include <array>
#include <cerrno>
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

/// The six syscall arguments of the x86_64 ABI, in order.
std::array<std::uint64_t, 6> syscall_args(const ptrace_api::IntRegisters& r) {
    return {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9};
}

/// Feeds one breakpoint event to the printer. This is all a syscall tracer needs:
/// - PRE_SYSCALL: rax holds the syscall number (decision 7), the arguments are in their
///   registers, and strings are read from memory now, before the call can change them;
/// - POST_SYSCALL: rax holds the result;
/// - SIGNAL: the signal is about to be acted on (the next operation delivers it, as it does
///   not carry FLAG_IGNORE);
/// - EXIT: the tracee is about to exit with a wait(2) status.
/// \returns the exit status at an EXIT stop.
std::optional<WaitStatus> on_stop(const PtraceEvent& event, ptrace_api::Registers& regs,
                                  ptrace_api::Memory& mem, TraceePrinter& printer) {
    const ReadMemory read = reader_for(mem);
    const auto view = ptrace_api::view(event);
    if (std::holds_alternative<ptrace_api::events::PreSyscall>(view)) {
        if (const auto r = regs.get_int()) {
            printer.syscall_entry(static_cast<long>(r->rax), syscall_args(*r), read);
        }
    } else if (std::holds_alternative<ptrace_api::events::PostSyscall>(view)) {
        if (const auto r = regs.get_int()) {
            printer.syscall_exit(static_cast<std::int64_t>(r->rax), read);
        }
    } else if (const auto* sig = std::get_if<ptrace_api::events::Signal>(&view)) {
        printer.signal(sig->signal);
    } else if (const auto* exit = std::get_if<ptrace_api::events::Exit>(&view)) {
        printer.exit(exit->status, read);
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

/// What spawn() runs. Its default OnClose::Kill also means that if this tracer dies (Ctrl-C),
/// the tracee dies with it instead of running on untraced (strace would detach instead).
ptrace_api::Command command_for(const Options& opts) {
    ptrace_api::Command command;
    command.program = opts.command.front(); // as typed: it becomes argv[0], as with strace
    command.args.assign(opts.command.begin() + 1, opts.command.end());
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
    const Filter filter = opts.trace.empty() ? Filter() : Filter(opts.trace);
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
            if (auto status = on_stop(*event, tracer.regs(), tracer.mem(), printer)) {
                exit_status = status;
            }
        }
    });

    // Close the trace handle before reaping the child (a tracer could hold it at a stop).
    (void)std::move(tracer).close();
    const auto reaped = spawned->child.wait();
    if (!exit_status && reaped) {
        // Gone without an EXIT stop: print what its parent saw.
        printer.exit(*reaped, [](std::uint64_t, std::span<std::byte>) { return false; });
        exit_status = *reaped;
    }
    return exit_status ? exit_code_for(*exit_status) : 1;
}

/// One tracee of the advanced mode: its non-blocking handle and its printer.
struct Tracee {
    ptrace_api::NonblockTracer tracer;
    TraceePrinter printer;
};

std::string pid_prefix(pid_t pid) {
    return "[pid " + std::to_string(pid) + "] ";
}

/// Advanced mode (-f): every thread and process, multiplexed with ptrace_api::poll.
class FollowSession {
public:
    FollowSession(const Options& opts, Output& out)
        : opts_(opts), out_(&out), filter_(opts.trace.empty() ? Filter() : Filter(opts.trace)) {}
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
        main_pid_ = main_pid;
        auto tracer = std::move(spawned->tracer).into_nonblocking();
        if (!tracer) {
            complain("O_NONBLOCK: " + tracer.error().message());
            return 1;
        }
        print_execve(opts_, path, pid_prefix(main_pid), filter_, *out_);
        add(std::move(*tracer));

        // The event loop: wait until some trace handles are readable, read their events,
        // print them, and resume each tracee that sits at a breakpoint (spec M3). It runs on
        // the tracer thread, so a stop costs no thread wake-ups.
        const bool served = ptrace_api::on_tracer_thread([&] {
            std::vector<pollfd> fds;
            std::vector<pid_t> pids;
            while (!tracees_.empty()) {
                fds.clear();
                pids.clear();
                for (const auto& [pid, tracee] : tracees_) {
                    fds.push_back(pollfd{tracee->tracer.native_handle(), POLLIN, 0});
                    pids.push_back(pid);
                }
                if (const auto n = ptrace_api::poll(fds, -1); !n) {
                    complain("poll: " + n.error().message());
                    return false;
                }
                for (std::size_t i = 0; i < fds.size(); ++i) {
                    if (fds[i].revents != 0) {
                        service(pids[i]);
                    }
                }
            }
            return true;
        });
        if (!served) {
            return 1;
        }

        const auto reaped = spawned->child.wait();
        if (main_status_) {
            return exit_code_for(*main_status_);
        }
        return reaped ? exit_code_for(*reaped) : 1;
    }

private:
    /// Starts following a tracee: poll its handle, then resume it with the breakpoints
    /// (it is held at a stop until this first operation: spawn's first instruction, or the
    /// clone freeze of F1).
    void add(ptrace_api::NonblockTracer tracer) {
        const pid_t pid = tracer.pid();
        auto [it, inserted] = tracees_.emplace(
            pid, std::make_unique<Tracee>(
                     Tracee{std::move(tracer),
                            TraceePrinter(pid_prefix(pid), filter_, *out_, opts_.string_limit)}));
        (void)inserted;
        (void)it->second->tracer.next(syscall_stops | PtraceFlags::EVENT_CLONE);
    }

    /// EVENT_CLONE: `child` (a thread or a process) is frozen before its first instruction.
    /// Opening its trace handle adopts it (F3); this must happen before the parent's next
    /// operation, which would otherwise release it untraced (F2). It is already stopped, so
    /// StopNow changes nothing but says so; OnClose::Kill as for the spawned command.
    void adopt(pid_t child) {
        auto tracer = ptrace_api::Tracer::attach(
            child, {ptrace_api::AttachStop::StopNow, ptrace_api::OnClose::Kill});
        if (!tracer) {
            complain("attach " + std::to_string(child) + ": " + tracer.error().message());
            return;
        }
        auto nonblocking = std::move(*tracer).into_nonblocking();
        if (!nonblocking) {
            complain("O_NONBLOCK: " + nonblocking.error().message());
            return;
        }
        add(std::move(*nonblocking));
    }

    /// The handle of `pid` is readable: it holds events, or the tracee is gone (C8).
    void service(pid_t pid) {
        const auto found = tracees_.find(pid);
        if (found == tracees_.end()) {
            return;
        }
        Tracee& t = *found->second;
        auto events = t.tracer.events();
        if (!events || events->empty()) {
            // Readable with nothing queued: the tracee has exited (C8, G1).
            forget(pid);
            return;
        }
        bool at_breakpoint = false;
        for (const PtraceEvent& event : *events) {
            const auto view = ptrace_api::view(event);
            if (const auto* clone = std::get_if<ptrace_api::events::Clone>(&view)) {
                adopt(static_cast<pid_t>(clone->pid));
                continue;
            }
            at_breakpoint = true;
            if (auto status = on_stop(event, t.tracer.regs(), t.tracer.mem(), t.printer)) {
                if (pid == main_pid_) {
                    main_status_ = status;
                }
            }
        }
        // Resume only a tracee that sits at a breakpoint; one that only announced a clone is
        // running already. After an EXIT stop this lets it die; its handle then polls
        // readable with nothing queued.
        if (at_breakpoint) {
            (void)t.tracer.next(syscall_stops | PtraceFlags::EVENT_CLONE);
        }
    }

    /// The tracee is gone: stop polling its handle and close it.
    void forget(pid_t pid) {
        const auto found = tracees_.find(pid);
        if (found == tracees_.end()) {
            return;
        }
        Tracee& t = *found->second;
        // A tracee that died without an EXIT stop leaves its pending syscalls unfinished.
        t.printer.flush([](std::uint64_t, std::span<std::byte>) { return false; });
        tracees_.erase(found);
    }

    const Options& opts_;
    Output* out_;
    Filter filter_;
    pid_t main_pid_ = 0;
    std::optional<WaitStatus> main_status_;
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

    // Like strace, find the program in PATH first: the execve line shows the path found.
    const auto path =
        strace_example::find_in_path(opts.command.front(), std::getenv("PATH")); // NOLINT
    if (!path) {
        complain("Can't stat '" + opts.command.front() + "': No such file or directory");
        return 1;
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
    if (opts.follow) {
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
