// SPDX-License-Identifier: MIT
// A debugged process and its threads over the breakpoint table: continue to the next
// breakpoint hit, step one instruction, step over a call (next), run to the return address
// (finish). All-stop, as gdb by default: when a stop is reported every thread of the process
// is stopped. A hit is stepped over with every other thread stopped, so no thread can run
// through a breakpoint while its original byte is back in memory. See debugger/README.md,
// "Breakpoints and stepping".
#pragma once

#include <ptrace/debugger/breakpoints.hpp>
#include <ptrace/debugger/error.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/signals.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <linux/kcmp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api::debugger {

/// The length of the `call` instruction at the start of `code`, or nothing when it does not
/// start with one. The subset decoded: `e8 rel32` (near relative call) and `ff /2` (near
/// indirect call through a register or memory: every ModRM form, SIB, disp8/disp32 and
/// rip-relative), each after an optional REX prefix (0x40-0x4f) and up to four segment, `3e`
/// (notrack), `67` (address size) or `f2` (bnd) prefixes. Far calls (`ff /3`, `9a`) are not
/// recognised.
[[nodiscard]] constexpr std::optional<std::size_t>
call_instruction_length(std::span<const std::byte> code) noexcept {
    std::size_t i = 0;
    const auto at = [&](std::size_t k) { return std::to_integer<unsigned>(code[k]); };
    while (i < code.size() && i < 4) {
        const unsigned b = at(i);
        if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
            b == 0x67 || b == 0xf2) {
            ++i;
            continue;
        }
        break;
    }
    if (i < code.size() && (at(i) & 0xf0U) == 0x40) {
        ++i; // REX
    }
    if (i >= code.size()) {
        return std::nullopt;
    }
    if (at(i) == 0xe8) {
        return i + 5 <= code.size() ? std::optional<std::size_t>(i + 5) : std::nullopt;
    }
    if (at(i) != 0xff || i + 1 >= code.size()) {
        return std::nullopt;
    }
    const unsigned modrm = at(i + 1);
    if (((modrm >> 3U) & 7U) != 2) {
        return std::nullopt; // not /2
    }
    const unsigned mod = modrm >> 6U;
    const unsigned rm = modrm & 7U;
    std::size_t length = i + 2;
    if (mod != 3 && rm == 4) {
        if (length >= code.size()) {
            return std::nullopt;
        }
        const unsigned base = at(length) & 7U;
        ++length; // SIB
        if (mod == 0 && base == 5) {
            length += 4;
        }
    }
    if (mod == 0 && rm == 5) {
        length += 4; // rip-relative disp32
    } else if (mod == 1) {
        length += 1;
    } else if (mod == 2) {
        length += 4;
    }
    return length <= code.size() ? std::optional<std::size_t>(length) : std::nullopt;
}

/// Why Inferior's continue or step operation returned.
enum class StopReason : std::uint8_t {
    Breakpoint,        ///< a user's breakpoint was hit: rip is moved back onto its address
    ForeignBreakpoint, ///< the program's own int3 (not of the table): rip is after it
    Step,              ///< a step, next or finish ended: rip is where it ended
    ThreadExited,      ///< the thread being stepped exited (the process goes on); non-stop:
                       ///< any thread's end but the last
    Exited,            ///< the process is gone: `status`
    Signal,            ///< a signal whose policy is SignalPolicy::Stop arrived: `signal`
    Interrupted,       ///< the interrupt fd became readable (set_interrupt_fd): all stopped;
                       ///< non-stop: interrupt_thread() stopped `tid`, or (tid 0) wait_stop()
                       ///< saw the interrupt fd readable and stopped nothing
    Fork,              ///< ForkPolicy::Keep: thread `tid` forked the process `child`, which is
                       ///< held for take_fork()
    Exec,              ///< the process executed `path` (set_follow_exec(true)): `tid` is the
                       ///< leader's TID, rip the new program's first instruction, and the
                       ///< breakpoint table is new and empty
};

/// How the threads of an Inferior are run (set_stop_mode()).
enum class StopMode : std::uint8_t {
    AllStop, ///< the default: between two operations every thread is stopped (cont(), ...)
    NonStop, ///< each thread is resumed, stopped and reported alone (resume_thread(),
             ///< interrupt_thread(), wait_stop())
};

/// What Inferior does with a process the program forks (set_fork_policy()).
enum class ForkPolicy : std::uint8_t {
    Detach, ///< the default: the child's copy of the int3s is taken out and it runs untraced
    Keep,   ///< the child is held, reported (StopReason::Fork), and take_fork() makes it an
            ///< Inferior of its own
};

/// How resume_thread() resumes a thread.
enum class ResumeKind : std::uint8_t {
    Continue, ///< until it has something to report
    Step,     ///< one instruction (reported as StopReason::Step)
};

/// What Inferior does with a signal the program receives (set_signal_policy()).
enum class SignalPolicy : std::uint8_t {
    Pass,     ///< delivered to the program without a report (the default for every signal)
    Stop,     ///< reported as StopReason::Signal; delivered when the thread goes on, unless
              ///< discard_signal() says otherwise
    Suppress, ///< thrown away without a report: the program never sees it
};

/// A reported stop: which thread, why and where.
struct Stop {
    StopReason reason = StopReason::Step;
    pid_t tid = 0;
    std::uint64_t rip = 0;     ///< the thread's rip now
    std::uint64_t address = 0; ///< Breakpoint: its address; ForeignBreakpoint: the int3's
    WaitStatus status{};       ///< Exited: how the process ended
    int signal = 0;            ///< Signal: its number
    pid_t child = 0;           ///< Fork: the new process
    std::string path;          ///< Exec: the program's path as the program gave it to execve

    /// "thread 42: breakpoint at 0x401136", "process exited with status 0", ...
    [[nodiscard]] std::string describe() const {
        const std::string who = "thread " + std::to_string(tid) + ": ";
        switch (reason) {
        case StopReason::Breakpoint:
            return who + "breakpoint at " + detail::hex_address(address);
        case StopReason::ForeignBreakpoint:
            return who + "the program's own int3 at " + detail::hex_address(address);
        case StopReason::Step:
            return who + "step ended at " + detail::hex_address(rip);
        case StopReason::ThreadExited:
            return who + "exited";
        case StopReason::Signal:
            return who + "signal " + std::string(signal_name(signal)) + " at " +
                   detail::hex_address(rip);
        case StopReason::Interrupted:
            return tid == 0 ? std::string("interrupt requested")
                            : who + "interrupted at " + detail::hex_address(rip);
        case StopReason::Fork:
            return who + "forked process " + std::to_string(child);
        case StopReason::Exec:
            return who + "executed " + path + ", now at " + detail::hex_address(rip);
        case StopReason::Exited:
            break;
        }
        return describe_exit(status);
    }

    /// How a process ended, naming the usual cause of a SIGTRAP death.
    [[nodiscard]] static std::string describe_exit(WaitStatus status) {
        if (status.exited()) {
            return "process exited with status " + std::to_string(status.exit_code());
        }
        std::string text = "process killed by " + std::string(signal_name(status.term_signal()));
        if (status.term_signal() == SIGTRAP) {
            text += ": an int3 was resumed without FLAG_IGNORE (decision 4, rule E3) or ran "
                    "while STOP_BREAKPOINT was not requested (rule D6)";
        }
        return text;
    }
};

/// A process under the debugger's control: its threads (each with a nonblocking trace
/// handle; new threads are adopted from their EVENT_CLONE before their parent's next
/// operation, rules F1-F3), its Breakpoints, and the operations of a debugger's command
/// line: cont(), step_instruction(), step_over(), step_out().
///
/// All-stop: between two operations every thread is stopped, and every operation resumes the
/// threads it needs with the right flags: FLAG_IGNORE whenever a thread leaves an int3 (so
/// the int3 never kills the program, decision 4), and a step over the breakpoint under
/// a thread whose rip was moved back onto one, with every other thread stopped. Threads are
/// stopped with a SIGSTOP sent to each (tgkill) and caught at its SIGNAL stop, where it is
/// thrown away (FLAG_IGNORE, rule E2): a running thread and one asleep in a syscall alike.
///
/// Non-stop (set_stop_mode(StopMode::NonStop)): each thread is resumed (resume_thread()),
/// stopped (interrupt_thread()) and reported (wait_stop()) alone; a breakpoint is stepped over
/// with the other threads stopped for that one instruction. Forks are let go or held
/// (set_fork_policy()); exec is followed on request (set_follow_exec()).
///
/// Not thread-safe; use it from one thread. Move-only; the destructor kills the process.
class Inferior {
public:
    /// Starts `command` traced, stopped at its first instruction (spawn()). Breakpoints can
    /// be set in the program at once (its text is mapped; libraries are not, yet).
    /// \errors spawn's (ENOENT, EACCES ...), with the program's name.
    [[nodiscard]] static DebugResult<Inferior> launch(const Command& command) {
        auto spawned = spawn(command, OnClose::Kill);
        if (!spawned) {
            return debug_errno(spawned.error().value(), "cannot start " + command.program);
        }
        const pid_t pid = spawned->child.pid();
        auto bps = Breakpoints::open(pid);
        if (!bps) {
            return bps.error();
        }
        auto tracer = std::move(spawned->tracer).into_nonblocking();
        if (!tracer) {
            return debug_errno(tracer.error().value(),
                               "process " + std::to_string(pid) + ": cannot go nonblocking");
        }
        Inferior inferior(std::move(spawned->child), std::move(*bps));
        inferior.threads_.emplace(pid, Thread{std::move(*tracer)});
        return inferior;
    }

    /// Traces the running process `pid` and every thread of it, all stopped: the threads in
    /// `/proc/<pid>/task` are attached (A5, stopped at once) pass after pass until a pass finds
    /// no new one (a thread not stopped yet may start another meanwhile). The process is not
    /// our child: closing the Inferior (or detach()) lets it run on untraced, kill() kills it,
    /// and its exit status comes from its EXIT stop (STOP_EXIT is added to every operation).
    /// `access` says who may be attached (decision 25): the Redox rule (a strict descendant
    /// of the same user, or root) then Linux's checks, or Linux's checks alone, as gdb -p.
    /// \errors ESRCH no such process; EPERM not allowed, the message naming why (the shim's
    /// last_error_message(): the Redox rule, another user, Yama's ptrace_scope, a non-dumpable
    /// process, or our own process); EBUSY traced already (by whom); the handles' errors.
    [[nodiscard]] static DebugResult<Inferior> attach(pid_t pid,
                                                      AttachAccess access = AttachAccess::Redox) {
        if (pid <= 0) {
            return debug_error(std::errc::invalid_argument, "cannot attach to process " +
                                                                std::to_string(pid) +
                                                                ": not a process id");
        }
        if (pid == ::getpid()) {
            return debug_error(std::errc::operation_not_permitted,
                               "cannot attach to process " + std::to_string(pid) +
                                   ": it is the debugger itself");
        }
        std::map<pid_t, Thread> threads;
        for (bool grew = true; grew;) {
            grew = false;
            auto tids = task_ids(pid);
            if (!tids) {
                return tids.error();
            }
            for (const pid_t tid : *tids) {
                if (threads.contains(tid)) {
                    continue;
                }
                auto tracer = Tracer::attach(tid, {AttachStop::StopNow, OnClose::Detach, access});
                if (!tracer) {
                    if (tracer.error() == std::errc::no_such_process && tid != pid) {
                        continue; // the thread exited meanwhile
                    }
                    return attach_error(pid, tid, tracer.error());
                }
                auto nonblocking = std::move(*tracer).into_nonblocking();
                if (!nonblocking) {
                    return debug_errno(nonblocking.error().value(),
                                       "thread " + std::to_string(tid) + ": cannot go nonblocking");
                }
                threads.emplace(tid, Thread{std::move(*nonblocking)});
                grew = true;
            }
        }
        auto bps = Breakpoints::open(pid);
        if (!bps) {
            return bps.error();
        }
        Inferior inferior(pid, std::move(*bps));
        inferior.threads_ = std::move(threads);
        return inferior;
    }

    Inferior(Inferior&&) noexcept = default;
    // No move assignment: the process assigned over would be reaped while its threads are
    // still held at their stops.
    Inferior& operator=(Inferior&&) = delete;
    Inferior(const Inferior&) = delete;
    Inferior& operator=(const Inferior&) = delete;
    ~Inferior() = default; // threads_ first (their handles kill the process), then child_ reaps

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    /// The process was attached (attach()), not started by launch().
    [[nodiscard]] bool attached() const noexcept { return !child_.has_value(); }

    /// What happens to `signal` (1-64) when the program receives it: see SignalPolicy. The
    /// debugger's own SIGSTOPs are never reported. \errors EINVAL a number out of range.
    DebugResult<void> set_signal_policy(int signal, SignalPolicy policy) {
        if (signal < 1 || signal >= static_cast<int>(policies_.size())) {
            return debug_error(std::errc::invalid_argument,
                               "signal " + std::to_string(signal) + " is out of range (1-64)");
        }
        policies_[static_cast<std::size_t>(signal)] = policy;
        return {};
    }
    [[nodiscard]] SignalPolicy signal_policy(int signal) const noexcept {
        return signal >= 1 && signal < static_cast<int>(policies_.size())
                   ? policies_[static_cast<std::size_t>(signal)]
                   : SignalPolicy::Pass;
    }

    /// The thread `tid` stopped at a reported signal (StopReason::Signal) goes on without it:
    /// the program never sees it. \errors ESRCH no such thread; EINVAL it is not stopped at a
    /// reported signal.
    DebugResult<void> discard_signal(pid_t tid) {
        auto t = stopped(tid);
        if (!t) {
            return t.error();
        }
        if ((*t)->signal == 0) {
            return debug_error(std::errc::invalid_argument,
                               "thread " + std::to_string(tid) + " is not stopped at a signal");
        }
        (*t)->leave = PtraceFlags::FLAG_IGNORE;
        (*t)->signal = 0;
        return {};
    }

    /// The signal the thread `tid` is stopped at and will receive when it goes on (a reported
    /// signal not discarded), or 0.
    [[nodiscard]] int pending_signal(pid_t tid) const noexcept {
        const auto found = threads_.find(tid);
        return found == threads_.end() ? 0 : found->second.signal;
    }

    /// While cont(), step_over() or step_out() wait for the program, they also watch `fd`
    /// (-1: nothing): when it becomes readable (a debugger's interrupt request, or its
    /// connection closing) every thread is stopped and the operation returns
    /// StopReason::Interrupted, for the thread of the last reported stop (or the leader).
    /// Reading the fd is the caller's business. step_instruction() watches it too: a step
    /// that blocks (a system call that waits) ends as StopReason::Interrupted when it becomes
    /// readable, the thread stopped where it was.
    void set_interrupt_fd(int fd) noexcept { interrupt_fd_ = fd; }

    // ---- Non-stop mode (debugger/README.md, "Non-stop mode") ----

    /// Chooses all-stop (the default) or non-stop control. To non-stop: the threads stay
    /// stopped (resume_thread() each), and stops kept from all-stop are reported by
    /// wait_stop(). Back to all-stop: every running thread is stopped first (a SIGSTOP each,
    /// as cont() does); the stops met meanwhile, and those not reported yet, are reported by
    /// the next cont(); a step resume_thread() started and that has not ended is dropped.
    /// \errors ESRCH the process is gone; ETIMEDOUT a thread did not stop.
    DebugResult<void> set_stop_mode(StopMode mode) {
        if (exit_status_) {
            return gone_error();
        }
        if (mode == mode_) {
            return {};
        }
        if (mode == StopMode::AllStop) {
            if (auto r = stop_all(); !r) {
                return r;
            }
            if (auto r = finish_execs(); !r) {
                return r;
            }
            for (auto& [tid, t] : threads_) {
                t.stepping = false;
                t.fresh = false;
            }
        }
        current_.reset();
        mode_ = mode;
        return {};
    }
    [[nodiscard]] StopMode stop_mode() const noexcept { return mode_; }

    /// Whether the thread `tid` runs now (non-stop mode; in all-stop never, between two
    /// operations).
    [[nodiscard]] bool running(pid_t tid) const noexcept {
        const auto found = threads_.find(tid);
        return found != threads_.end() && found->second.state != State::Stopped;
    }

    /// Non-stop: resumes the stopped thread `tid` alone (the others stay as they are),
    /// until it has something to report (ResumeKind::Continue) or for one instruction
    /// (ResumeKind::Step); its stop is reported by wait_stop(). A breakpoint at its rip is
    /// stepped over, not hit (as gdb does for the thread it resumes); that step over is made
    /// with every other thread stopped for the one instruction (a SIGSTOP each), so none
    /// can run through the breakpoint while its original byte is in memory; they go on at
    /// once afterwards. \errors EINVAL all-stop mode (use cont()); ESRCH no such thread or
    /// the process is gone; EBUSY it runs, or it has a stop wait_stop() has not reported yet;
    /// the handles' errors.
    DebugResult<void> resume_thread(pid_t tid, ResumeKind kind = ResumeKind::Continue) {
        if (auto r = require_mode(StopMode::NonStop, "resume_thread"); !r) {
            return r;
        }
        auto t = stopped(tid);
        if (!t) {
            return t.error();
        }
        if (has_pending(tid)) {
            return debug_error(std::errc::device_or_resource_busy,
                               "thread " + std::to_string(tid) +
                                   " has a stop not reported yet: wait_stop() reports it first");
        }
        auto regs = (*t)->tracer.regs().get_int();
        if (!regs) {
            return thread_error(regs.error(), tid, "cannot read its registers");
        }
        if (breakpoints_.inserted(regs->rip)) {
            (*t)->over = regs->rip;
        }
        if ((*t)->over && *(*t)->over == regs->rip && breakpoints_.inserted(regs->rip)) {
            return step_over_alone(tid, kind);
        }
        (*t)->over.reset();
        (*t)->stepping = kind == ResumeKind::Step;
        if (auto r = resume(tid, flags_for(**t)); !r) {
            return r;
        }
        return resume_fresh();
    }

    /// Non-stop: stops the running thread `tid` (a SIGSTOP, caught at its stop and thrown
    /// away) while the others run on, and returns its stop: StopReason::Interrupted at its
    /// rip, or what it reached first (a breakpoint hit, a reported signal, a fork, an exec,
    /// its exit). \errors EINVAL all-stop mode; ESRCH no such thread; EALREADY it is
    /// stopped already; ETIMEDOUT it did not stop within 10 s.
    DebugResult<Stop> interrupt_thread(pid_t tid) {
        if (auto r = require_mode(StopMode::NonStop, "interrupt_thread"); !r) {
            return r.error();
        }
        auto found = known_thread(tid);
        if (!found) {
            return found.error();
        }
        if ((*found)->state == State::Stopped) {
            return debug_error(std::errc::connection_already_in_progress,
                               "thread " + std::to_string(tid) + " is stopped already");
        }
        const std::uint64_t exec_generation = exec_generation_;
        if (auto r = stop_some({tid}); !r) {
            return r.error();
        }
        if (auto r = settle_halted({}); !r) {
            return r.error();
        }
        if (exec_generation != exec_generation_) {
            if (auto stop = take_pending()) {
                return *stop; // the thread (or another) executed a program: Exec
            }
        }
        if (auto stop = take_pending_of(tid)) {
            return *stop;
        }
        if (!threads_.contains(tid)) {
            if (threads_.empty()) {
                return finish();
            }
            return thread_exited(tid);
        }
        auto regs = threads_.at(tid).tracer.regs().get_int();
        if (!regs) {
            return thread_error(regs.error(), tid, "cannot read its registers");
        }
        threads_.at(tid).stepping = false;
        Stop stop;
        stop.reason = StopReason::Interrupted;
        stop.tid = tid;
        stop.rip = regs->rip;
        return stop;
    }

    /// Non-stop: waits for the next stop of any thread and returns it (the thread stays
    /// stopped; the others go on): a breakpoint hit, a step's end, the program's own int3, a
    /// reported signal, a fork or exec, a thread's exit (ThreadExited; the process's end is
    /// Exited). Stops that are not reported (a false condition, the program's signals that
    /// are passed, a new thread, which runs at once) are handled on the way. Kept stops are
    /// returned first, one per call. Nothing after `timeout` (none: no limit). A readable
    /// interrupt fd (set_interrupt_fd) returns StopReason::Interrupted with tid 0: nothing
    /// was stopped; the caller reads the fd and decides (interrupt_thread() ...).
    /// \errors EINVAL all-stop mode; ESRCH the process is gone; ECHILD no thread runs and
    /// no stop is kept: nothing to wait for; the handles' errors.
    DebugResult<std::optional<Stop>>
    wait_stop(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
        using steady = std::chrono::steady_clock;
        if (auto r = require_mode(StopMode::NonStop, "wait_stop"); !r) {
            return r.error();
        }
        if (exit_status_) {
            return gone_error();
        }
        const auto deadline = steady::now() + timeout.value_or(std::chrono::milliseconds(0));
        for (;;) {
            if (auto stop = take_pending()) {
                return std::optional<Stop>(*stop);
            }
            if (threads_.empty()) {
                auto end = finish();
                if (!end) {
                    return end.error();
                }
                return std::optional<Stop>(*end);
            }
            bool any = false;
            for (const auto& [tid, t] : threads_) {
                any = any || t.state == State::Running;
            }
            if (!any) {
                return debug_error(std::errc::no_child_process,
                                   "process " + std::to_string(pid_) +
                                       ": no thread runs and no stop is kept: nothing to wait "
                                       "for (resume_thread() first)");
            }
            int wait_ms = -1;
            if (timeout) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
                wait_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
            }
            bool interrupted = false;
            const std::vector<pid_t> ready = poll_threads(std::nullopt, wait_ms, &interrupted);
            if (interrupted) {
                Stop stop;
                stop.reason = StopReason::Interrupted;
                return std::optional<Stop>(stop);
            }
            if (ready.empty()) {
                if (timeout && steady::now() >= deadline) {
                    return std::optional<Stop>();
                }
                continue;
            }
            for (const pid_t tid : ready) {
                // Servicing one thread may stop and read the others (a step over a
                // breakpoint): a readiness seen before is looked at again.
                if (!readable_now(tid)) {
                    continue;
                }
                if (auto r = nonstop_service(tid); !r) {
                    return r.error();
                }
            }
        }
    }

    // ---- Forks and exec (debugger/README.md, "Forks and exec") ----

    /// What happens to a process the program forks from now on (see ForkPolicy). A vfork
    /// child (it shares the parent's memory until its exec) is always let go as it is.
    void set_fork_policy(ForkPolicy policy) noexcept { fork_policy_ = policy; }
    [[nodiscard]] ForkPolicy fork_policy() const noexcept { return fork_policy_; }

    /// The forked children held (ForkPolicy::Keep) and not taken yet.
    [[nodiscard]] std::vector<pid_t> forked() const {
        std::vector<pid_t> out;
        for (const auto& [pid, kept] : forks_) {
            out.push_back(pid);
        }
        return out;
    }

    /// The held forked child `child` as an Inferior of its own, stopped before its first
    /// instruction after the fork, with a copy of this Inferior's breakpoints (their int3s
    /// are in its copy of memory; counts start at 0) and its signal policies, fork policy,
    /// exec following and stop mode. It is not our child: its exit status comes from its
    /// EXIT stop, and its parent (the program) reaps it; dropping that Inferior kills it,
    /// detach() lets it go. A child never taken is let go, without its int3s, when this
    /// Inferior ends. \errors ESRCH no such held child; the handles' errors.
    [[nodiscard]] DebugResult<Inferior> take_fork(pid_t child) {
        const auto found = forks_.find(child);
        if (found == forks_.end()) {
            return debug_error(std::errc::no_such_process, "process " + std::to_string(pid_) +
                                                               " has no held forked child " +
                                                               std::to_string(child));
        }
        Tracer tracer = std::move(found->second.tracer);
        Breakpoints table = std::move(*found->second.table);
        forks_.erase(found);
        auto nonblocking = std::move(tracer).into_nonblocking();
        if (!nonblocking) {
            return debug_errno(nonblocking.error().value(), "forked process " +
                                                                std::to_string(child) +
                                                                ": cannot go nonblocking");
        }
        Inferior inferior(child, std::move(table));
        inferior.threads_.emplace(child, Thread{std::move(*nonblocking)});
        inferior.policies_ = policies_;
        inferior.fork_policy_ = fork_policy_;
        inferior.follow_exec_ = follow_exec_;
        inferior.mode_ = mode_;
        return inferior;
    }

    /// Follows exec (off by default): every thread's syscall set becomes {execve, execveat}
    /// and every operation asks for their entry stop (STOP_PRE_SYSCALL). At an execve's entry
    /// the path is read, the thread is stepped through the call with the others stopped;
    /// when it succeeds the breakpoint table is replaced by a new, empty one (the old
    /// program's addresses mean nothing now: pointers from set() are void) and
    /// StopReason::Exec is reported; a failed execve goes on silently. The cost: without a
    /// seccomp filter every syscall of the program makes two extra stops in the shim
    /// (kernel-shim/README.md, "Syscall filter"). Off: an exec goes unnoticed and the
    /// table describes the old program. \errors ESRCH the process is gone; the handles'.
    DebugResult<void> set_follow_exec(bool on) {
        if (exit_status_) {
            return gone_error();
        }
        if (on) {
            const SyscallSet execs{SYS_execve, SYS_execveat};
            for (auto& [tid, t] : threads_) {
                if (auto r = t.tracer.set_syscalls(execs); !r) {
                    return thread_error(r.error(), tid, "cannot set its syscall set");
                }
            }
        }
        // Off: the set stays (an empty set would mean every syscall); PRE is no longer asked.
        follow_exec_ = on;
        return {};
    }
    [[nodiscard]] bool follow_exec() const noexcept { return follow_exec_; }

    /// Lets the process run on untraced: every int3 of the table is taken out of memory and
    /// every thread's handle detached (a thread at a reported signal gets it). A launched
    /// process is no longer killed by the Inferior, nor reaped: it is given up (Child::
    /// release). Afterwards the Inferior holds nothing; exited() is true.
    /// \errors ESRCH the process has exited already; the memory's errors (the threads are
    /// detached anyway).
    DebugResult<void> detach() {
        if (exit_status_) {
            return gone_error();
        }
        DebugResult<void> result;
        if (mode_ == StopMode::NonStop) {
            // A running thread may sit at an int3 whose stop is unread (rip after it): every
            // thread is stopped first, so each hit has rip moved back before the int3 goes.
            result = stop_all();
        }
        for (const std::uint64_t site : breakpoints_.inserted_sites()) {
            if (auto r = breakpoints_.lift(site); !r && result) {
                result = r.error();
            }
        }
        bool sigstopped = false;
        for (auto& [tid, t] : threads_) {
            sigstopped = sigstopped || t.at_our_sigstop || t.sigstops_owed > 0;
            (void)std::move(t.tracer).detach();
        }
        threads_.clear();
        forks_.clear(); // held forked children: let go without the int3s
        if (sigstopped) {
            // Our SIGSTOPs must not stop the program after we are gone. One still queued is
            // thrown away by a SIGCONT; a thread detached at our SIGSTOP's stop gets it on the
            // way out (the detach delivers a signal stop's signal) when it next runs, perhaps
            // after that SIGCONT, and the process then enters a job-control stop: it is watched
            // for half a second and ended by a SIGCONT each time it is seen (a test saw it
            // come later than a first look 200 ms long).
            (void)::kill(pid_, SIGCONT);
            for (int i = 0; i < 50; ++i) {
                ::usleep(10000);
                if (job_stopped(pid_)) {
                    (void)::kill(pid_, SIGCONT);
                }
            }
        }
        if (child_) {
            (void)child_->release();
        }
        exit_status_ = WaitStatus{};
        return result;
    }

    [[nodiscard]] Breakpoints& breakpoints() noexcept { return breakpoints_; }
    /// The process has exited (and was reaped).
    [[nodiscard]] bool exited() const noexcept { return exit_status_.has_value(); }

    /// The threads traced now, by TID.
    [[nodiscard]] std::vector<pid_t> threads() const {
        std::vector<pid_t> out;
        for (const auto& [tid, t] : threads_) {
            out.push_back(tid);
        }
        return out;
    }

    /// The registers of the stopped thread `tid`. \errors ESRCH no such thread (or exited).
    DebugResult<IntRegisters> registers(pid_t tid) {
        auto t = stopped(tid);
        if (!t) {
            return t.error();
        }
        auto regs = (*t)->tracer.regs().get_int();
        if (!regs) {
            return debug_errno(regs.error().value(),
                               "thread " + std::to_string(tid) + ": cannot read its registers");
        }
        return *regs;
    }

    /// Writes the registers of the stopped thread `tid`. \errors as registers(); EINVAL a value
    /// Linux refuses.
    DebugResult<void> set_registers(pid_t tid, const IntRegisters& regs) {
        auto t = stopped(tid);
        if (!t) {
            return t.error();
        }
        if (auto r = (*t)->tracer.regs().set_int(regs); !r) {
            return debug_errno(r.error().value(),
                               "thread " + std::to_string(tid) + ": cannot write its registers");
        }
        return {};
    }

    /// Resumes every thread and returns the next reported stop: a breakpoint hit whose
    /// condition holds, the program's own int3, or the process's end. Stops that are not
    /// reported (a condition that is false, another thread's pass over a temporary
    /// breakpoint, the program's own signals, which are delivered) are handled on the way.
    /// A stop met while other threads were being stopped is kept and reported by the next
    /// call (or next/finish), before anything is resumed; a kept breakpoint hit whose
    /// breakpoint was disabled or removed in between is dropped (its hit stays counted).
    /// \errors ESRCH the process has exited already; ETIMEDOUT a thread did not stop within
    /// 10 s of its SIGSTOP; the errors of the trace, register and memory handles, named.
    DebugResult<Stop> cont() {
        if (exit_status_) {
            return gone_error();
        }
        if (auto r = require_mode(StopMode::AllStop, "cont"); !r) {
            return r.error();
        }
        return shown(run());
    }

    /// Executes one instruction of the stopped thread `tid`; the other threads stay stopped.
    /// A breakpoint at rip is stepped over (its int3 is not executed and no hit is counted);
    /// a step that ends on a breakpoint's address counts no hit either, and the next resume
    /// steps over it. Stepping into a signal handler stops at its first instruction.
    /// \errors as cont(); ESRCH no such thread.
    DebugResult<Stop> step_instruction(pid_t tid) {
        if (auto r = require_mode(StopMode::AllStop, "step_instruction"); !r) {
            return r.error();
        }
        auto t = stopped(tid);
        if (!t) {
            return t.error();
        }
        return shown(step_one(tid, true));
    }

    /// Steps over the instruction at rip: a `call` (the forms call_instruction_length knows)
    /// runs, with every thread, until `tid` returns to the instruction after it (a temporary
    /// breakpoint there, taken only by `tid` at the call's stack depth or shallower: recursion
    /// is handled); anything else is step_instruction(). A breakpoint hit or another reported
    /// stop on the way ends it early, as in gdb.
    /// \errors as step_instruction().
    DebugResult<Stop> step_over(pid_t tid) {
        if (auto r = require_mode(StopMode::AllStop, "step_over"); !r) {
            return r.error();
        }
        auto regs = registers(tid);
        if (!regs) {
            return regs.error();
        }
        std::array<std::byte, 16> code{};
        std::optional<std::size_t> length;
        if (breakpoints_.read_memory(regs->rip, code)) {
            length = call_instruction_length(code);
        }
        if (!length) {
            return step_instruction(tid);
        }
        current_ = tid; // the user's thread: a breakpoint at its rip is stepped over
        return shown(run_to(tid, regs->rip + *length, regs->rsp));
    }

    /// Runs until the function `tid` is in returns to its caller (a temporary breakpoint at
    /// the return address, taken only at a shallower stack depth). The return address is read
    /// at [rsp] when rip is at the function's first instruction (`push rbp`, or `endbr64`)
    /// or at a `ret`, at [rsp+8] right after `push rbp` (at `mov rbp, rsp`), and otherwise at
    /// [rbp+8], which needs a frame pointer (-fno-omit-frame-pointer). A frameless function
    /// past its entry has no reliable answer here (that needs unwinding tables).
    /// \errors as step_instruction(); EFAULT the return address slot is unreadable.
    DebugResult<Stop> step_out(pid_t tid) {
        if (auto r = require_mode(StopMode::AllStop, "step_out"); !r) {
            return r.error();
        }
        auto regs = registers(tid);
        if (!regs) {
            return regs.error();
        }
        std::array<std::byte, 4> code{};
        if (auto r = breakpoints_.read_memory(regs->rip, code); !r) {
            return r.error();
        }
        const auto b = [&](std::size_t i) { return std::to_integer<unsigned>(code[i]); };
        std::uint64_t slot = regs->rbp + 8;
        if (b(0) == 0x55 || b(0) == 0xc3 ||
            (b(0) == 0xf3 && b(1) == 0x0f && b(2) == 0x1e && b(3) == 0xfa)) {
            slot = regs->rsp; // at the entry (or the ret): nothing pushed yet
        } else if (b(0) == 0x48 && b(1) == 0x89 && b(2) == 0xe5) {
            slot = regs->rsp + 8; // after push rbp
        }
        std::array<std::byte, 8> raw{};
        if (auto r = breakpoints_.read_memory(slot, raw); !r) {
            return DebugError{r.error().code, "finish: cannot read the return address of thread " +
                                                  std::to_string(tid) + " at " +
                                                  detail::hex_address(slot) + ": " +
                                                  r.error().message};
        }
        std::uint64_t return_address = 0;
        for (std::size_t i = 0; i < 8; ++i) {
            return_address |= std::uint64_t{std::to_integer<std::uint8_t>(raw[i])} << (8 * i);
        }
        current_ = tid; // the user's thread: a breakpoint at its rip is stepped over
        return shown(run_to(tid, return_address, slot + 8));
    }

    /// Kills the process and reaps it. \returns its wait status.
    DebugResult<WaitStatus> kill() {
        if (exit_status_) {
            return *exit_status_;
        }
        if (!child_) {
            // Not our child: kill it, let the handles see it go, and report SIGKILL.
            (void)::kill(pid_, SIGKILL);
            for (auto& [tid, t] : threads_) {
                pollfd fd{t.tracer.native_handle(), POLLIN, 0};
                (void)::poll(&fd, 1, 1000);
            }
            threads_.clear();
            exit_status_ = WaitStatus{SIGKILL};
            return *exit_status_;
        }
        threads_.clear(); // each handle closes with OnClose::Kill
        return finish_status();
    }

private:
    enum class State : std::uint8_t {
        Running,  ///< resumed; its events may come
        Stopping, ///< sent SIGSTOP, no stop seen yet
        Stopped,  ///< at a stop whose event was read
    };

    struct Thread {
        explicit Thread(NonblockTracer t) noexcept : tracer(std::move(t)) {}
        NonblockTracer tracer;
        State state = State::Stopped;
        /// What the next operation adds to leave this stop: FLAG_IGNORE after an int3 or our
        /// SIGSTOP, nothing at a program's signal (delivered) or a step.
        PtraceFlags leave{};
        /// SIGSTOPs sent and not seen yet (standard signals do not queue: two sent while one
        /// is pending arrive once, and a SIGCONT to the process throws pending ones away).
        unsigned sigstops_owed = 0;
        std::chrono::steady_clock::time_point sigstop_sent{};
        /// rip was moved back onto this site (or a step ended on it): step over it first.
        std::optional<std::uint64_t> over;
        /// The reported signal this thread is stopped at (delivered when it goes on), or 0.
        int signal = 0;
        /// Stopped at one of our SIGSTOPs (thrown away when it goes on).
        bool at_our_sigstop = false;
        /// Non-stop: resumed for one instruction by resume_thread(ResumeKind::Step).
        bool stepping = false;
        /// Non-stop: a new thread, to be resumed once nothing is stopped on purpose.
        bool fresh = false;
        /// At an execve's entry stop (follow_exec_): `exec_path`, rip then `exec_rip`.
        bool exec_entry = false;
        std::string exec_path;
        std::uint64_t exec_rip = 0;
    };

    /// A forked child held for take_fork(): frozen, its memory a copy of ours with the
    /// int3s of `table` in it. Let go without them when it was never taken.
    struct KeptFork {
        KeptFork(Tracer t, Breakpoints b) noexcept : tracer(std::move(t)), table(std::move(b)) {}
        KeptFork(KeptFork&&) noexcept = default;
        KeptFork& operator=(KeptFork&&) = delete;
        KeptFork(const KeptFork&) = delete;
        KeptFork& operator=(const KeptFork&) = delete;
        ~KeptFork() {
            if (tracer.valid() && table) {
                for (const std::uint64_t site : table->inserted_sites()) {
                    (void)table->lift(site);
                }
                (void)std::move(tracer).detach();
            }
        }
        Tracer tracer;
        std::optional<Breakpoints> table;
    };

    /// What one event meant.
    enum class Got : std::uint8_t {
        Nothing,
        Step,
        OurStop,
        ProgramSignal, ///< also a syscall entry that is not an exec: go on
        Report,
        Silent,
        ExecEntry, ///< an execve's entry (follow_exec_): complete_exec() next
    };

    struct Target {
        pid_t tid = 0;
        std::uint64_t address = 0;
        std::uint64_t min_rsp = 0;
    };

    [[nodiscard]] PtraceFlags run_flags() const noexcept {
        PtraceFlags flags =
            PtraceFlags::STOP_BREAKPOINT | PtraceFlags::STOP_SIGNAL | PtraceFlags::EVENT_CLONE;
        if (follow_exec_) {
            flags = flags | PtraceFlags::STOP_PRE_SYSCALL;
        }
        return flags;
    }
    [[nodiscard]] PtraceFlags step_flags() const noexcept {
        return run_flags() | PtraceFlags::STOP_SINGLESTEP;
    }
    [[nodiscard]] PtraceFlags flags_for(const Thread& t) const noexcept {
        return t.stepping ? step_flags() : run_flags();
    }
    static constexpr std::chrono::seconds stop_timeout{10};

    Inferior(Child child, Breakpoints breakpoints) noexcept
        : pid_(child.pid()), child_(std::move(child)), breakpoints_(std::move(breakpoints)) {}
    Inferior(pid_t pid, Breakpoints breakpoints) noexcept
        : pid_(pid), breakpoints_(std::move(breakpoints)), extra_(PtraceFlags::STOP_EXIT) {}

    /// Whether a thread of `pid` is in a job-control stop (state T in /proc/<pid>/task/*/stat).
    static bool job_stopped(pid_t pid) {
        auto tids = task_ids(pid);
        if (!tids) {
            return false;
        }
        for (const pid_t tid : *tids) {
            std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) +
                             "/stat");
            std::string text;
            std::getline(in, text);
            const std::size_t paren = text.rfind(')');
            if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'T') {
                return true;
            }
        }
        return false;
    }

    /// The TIDs in /proc/<pid>/task. \errors ESRCH no such process.
    static DebugResult<std::vector<pid_t>> task_ids(pid_t pid) {
        std::vector<pid_t> out;
        const std::string dir = "/proc/" + std::to_string(pid) + "/task";
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
                out.push_back(static_cast<pid_t>(std::stol(name)));
            }
        }
        if (ec || out.empty()) {
            return debug_error(std::errc::no_such_process, "cannot attach to process " +
                                                               std::to_string(pid) +
                                                               ": no such process");
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    /// An attach error, with the shim's account of a refusal (decision 25).
    static DebugError attach_error(pid_t pid, pid_t tid, std::error_code code) {
        std::string message = "cannot attach to process " + std::to_string(pid);
        if (tid != pid) {
            message += " (thread " + std::to_string(tid) + ")";
        }
        if (code == std::errc::no_such_process) {
            message += ": no such process (or a zombie)";
        } else if (std::string why = last_error_message(); !why.empty()) {
            message += ": " + why;
        } else {
            message += ": " + code.message();
        }
        return DebugError{code, std::move(message)};
    }

    DebugError gone_error() const {
        return debug_error(std::errc::no_such_process,
                           "process " + std::to_string(pid_) + " is gone (" +
                               Stop::describe_exit(*exit_status_) + ")");
    }

    DebugError thread_error(std::error_code code, pid_t tid, const std::string& what) const {
        std::string message =
            "thread " + std::to_string(tid) + " of process " + std::to_string(pid_) + ": " + what;
        if (code == std::errc::no_such_process) {
            message += ": it has exited";
        }
        return DebugError{code, std::move(message)};
    }

    /// The thread `tid` of the live process. \errors ESRCH the process is gone, or no such
    /// thread.
    DebugResult<Thread*> known_thread(pid_t tid) {
        if (exit_status_) {
            return gone_error();
        }
        const auto found = threads_.find(tid);
        if (found == threads_.end()) {
            return debug_error(std::errc::no_such_process, "no thread " + std::to_string(tid) +
                                                               " in process " +
                                                               std::to_string(pid_));
        }
        return &found->second;
    }

    DebugResult<Thread*> stopped(pid_t tid) {
        auto found = known_thread(tid);
        if (!found) {
            return found;
        }
        if ((*found)->state != State::Stopped) {
            return debug_error(
                std::errc::device_or_resource_busy,
                "thread " + std::to_string(tid) +
                    (mode_ == StopMode::NonStop
                         ? " is running (non-stop mode): interrupt_thread() it first"
                         : " is not stopped (an earlier operation failed half-way)"));
        }
        return found;
    }

    /// The process has no thread left: reap it.
    DebugResult<WaitStatus> finish_status() {
        threads_.clear();
        if (!child_) {
            // Not our child: the status of its EXIT stop (or a SIGKILL that left none).
            exit_status_ = last_exit_.value_or(WaitStatus{SIGKILL});
            return *exit_status_;
        }
        auto status = child_->wait();
        if (!status) {
            return debug_errno(status.error().value(),
                               "process " + std::to_string(pid_) + ": cannot reap it");
        }
        exit_status_ = *status;
        return *status;
    }

    DebugResult<Stop> finish() {
        auto status = finish_status();
        if (!status) {
            return status.error();
        }
        Stop stop;
        stop.reason = StopReason::Exited;
        stop.tid = pid_;
        stop.status = *status;
        return stop;
    }

    /// The thread's handle says it has exited: close it and forget it.
    void forget(pid_t tid) {
        const auto found = threads_.find(tid);
        if (found != threads_.end()) {
            (void)std::move(found->second.tracer).detach();
            threads_.erase(found);
        }
        if ((target_ && target_->tid == tid) || (mode_ == StopMode::NonStop && !threads_.empty())) {
            // The thread a next/finish waits for; non-stop: every thread's end but the last.
            pending_.push_back(thread_exited(tid));
        }
    }

    /// A new thread or process announced by EVENT_CLONE, frozen (F1): a thread of ours is
    /// adopted before its parent's next operation (F3), stopped (non-stop: `fresh`, resumed
    /// by resume_fresh()); a forked process gets its own copy of the int3s taken out and is
    /// let go (ForkPolicy::Detach) or is held with a copy of the table and reported as a
    /// Fork stop of `parent` (ForkPolicy::Keep); a vfork child (it shares our memory) is let
    /// go as it is, to exec.
    DebugResult<void> adopt(pid_t child, pid_t parent) {
        auto tracer = Tracer::attach(child, {AttachStop::StopNow, OnClose::Kill});
        if (!tracer) {
            return debug_errno(tracer.error().value(), "cannot trace new thread or process " +
                                                           std::to_string(child) + " of process " +
                                                           std::to_string(pid_));
        }
        const bool thread = ::syscall(SYS_tgkill, pid_, child, 0) == 0;
        if (!thread) {
            const bool shares_memory = ::syscall(SYS_kcmp, pid_, child, KCMP_VM, 0, 0) == 0;
            if (!shares_memory && fork_policy_ == ForkPolicy::Keep) {
                auto memory = Memory::open(child);
                if (memory) {
                    Breakpoints table = breakpoints_.forked_copy(std::move(*memory));
                    forks_.emplace(child, KeptFork(std::move(*tracer), std::move(table)));
                    Stop stop;
                    stop.reason = StopReason::Fork;
                    stop.tid = parent;
                    stop.child = child;
                    pending_.push_back(stop);
                    return {};
                }
                // No memory handle: it cannot be held safely; let go as with Detach.
            }
            if (!shares_memory) {
                std::vector<std::uint64_t> sites = breakpoints_.inserted_sites();
                for (const std::uint64_t address : sites) {
                    const std::byte original = breakpoints_.original(address);
                    (void)tracer->mem().write(address, std::span<const std::byte>(&original, 1));
                }
            }
            (void)std::move(*tracer).detach();
            return {};
        }
        auto nonblocking = std::move(*tracer).into_nonblocking();
        if (!nonblocking) {
            return thread_error(nonblocking.error(), child, "cannot go nonblocking");
        }
        const auto added = threads_.emplace(child, Thread{std::move(*nonblocking)}).first;
        added->second.fresh = mode_ == StopMode::NonStop;
        return {};
    }

    /// An int3 ran in `tid` (rip is after it). Ours: rip goes back onto it, the hit is counted
    /// and judged. Not ours: the program's own (reported, rip kept), or one of ours removed
    /// since the thread ran it (rip goes back, silently).
    DebugResult<Got> on_int3(pid_t tid, Thread& t, std::optional<Stop>& report) {
        t.state = State::Stopped;
        t.leave = PtraceFlags::FLAG_IGNORE;
        auto regs = t.tracer.regs().get_int();
        if (!regs) {
            return thread_error(regs.error(), tid, "cannot read its registers at an int3");
        }
        const std::uint64_t address = regs->rip - 1;
        Stop stop;
        stop.tid = tid;
        if (breakpoints_.inserted(address)) {
            regs->rip = address;
            if (auto r = t.tracer.regs().set_int(*regs); !r) {
                return thread_error(r.error(), tid, "cannot move rip back onto a breakpoint");
            }
            t.over = address;
            stop.rip = address;
            stop.address = address;
            if (const Breakpoint* bp = breakpoints_.enabled_at(address)) {
                const bool stops = !bp->condition || bp->condition(tid, *regs);
                breakpoints_.count(address, stops);
                if (stops) {
                    stop.reason = StopReason::Breakpoint;
                    report = stop;
                    return Got::Report;
                }
            }
            if (target_ && target_->tid == tid && target_->address == address &&
                regs->rsp >= target_->min_rsp) {
                stop.reason = StopReason::Step;
                report = stop;
                return Got::Report;
            }
            return Got::Silent;
        }
        std::array<std::byte, 2> before{};
        const bool readable = static_cast<bool>(breakpoints_.memory().read(regs->rip - 2, before));
        if (readable && (before[1] == int3_opcode ||
                         (before[0] == std::byte{0xcd} && before[1] == std::byte{0x03}))) {
            stop.reason = StopReason::ForeignBreakpoint;
            stop.rip = regs->rip;
            stop.address = before[1] == int3_opcode ? address : regs->rip - 2;
            report = stop;
            return Got::Report;
        }
        regs->rip = address; // an int3 of ours, removed or disabled since it ran
        if (auto r = t.tracer.regs().set_int(*regs); !r) {
            return thread_error(r.error(), tid, "cannot move rip back onto a removed breakpoint");
        }
        return Got::Silent;
    }

    /// What one event of `tid` means; the thread is Stopped after any stop event.
    DebugResult<Got> absorb(pid_t tid, const PtraceEvent& event, std::optional<Stop>& report) {
        Thread& t = threads_.at(tid);
        const EventView v = view(event);
        if (const auto* clone = std::get_if<events::Clone>(&v)) {
            if (auto r = adopt(static_cast<pid_t>(clone->pid), tid); !r) {
                return r.error();
            }
            return Got::Nothing;
        }
        if (std::holds_alternative<events::Breakpoint>(v)) {
            return on_int3(tid, t, report);
        }
        if (!is_breakpoint(event)) {
            return Got::Nothing;
        }
        t.state = State::Stopped;
        t.leave = PtraceFlags{};
        t.signal = 0;
        t.at_our_sigstop = false;
        if (const auto* exit = std::get_if<events::Exit>(&v)) {
            last_exit_ = exit->status;
            return Got::Nothing;
        }
        if (std::holds_alternative<events::PreSyscall>(v)) {
            // Asked only to follow exec; any other syscall (an empty set, a foreign
            // architecture's number) goes on as a passed signal does.
            auto regs = t.tracer.regs().get_int();
            if (!regs) {
                return thread_error(regs.error(), tid, "cannot read its registers at a syscall");
            }
            const std::uint64_t nr = regs->rax; // at PRE, rax is the number (D1)
            if (!follow_exec_ || (nr != SYS_execve && nr != SYS_execveat)) {
                return Got::ProgramSignal;
            }
            t.exec_entry = true;
            t.exec_rip = regs->rip;
            t.exec_path = read_string(nr == SYS_execve ? regs->rdi : regs->rsi);
            return Got::ExecEntry;
        }
        if (const auto* sig = std::get_if<events::Signal>(&v)) {
            if (sig->signal == SIGSTOP && t.sigstops_owed > 0) {
                --t.sigstops_owed;
                t.leave = PtraceFlags::FLAG_IGNORE; // ours: throw it away (E2)
                t.at_our_sigstop = true;
                return Got::OurStop;
            }
            switch (signal_policy(sig->signal)) {
            case SignalPolicy::Pass:
                return Got::ProgramSignal; // delivered when the thread goes on
            case SignalPolicy::Suppress:
                t.leave = PtraceFlags::FLAG_IGNORE;
                return Got::ProgramSignal;
            case SignalPolicy::Stop:
                break;
            }
            auto regs = t.tracer.regs().get_int();
            if (!regs) {
                return thread_error(regs.error(), tid, "cannot read its registers at a signal");
            }
            t.signal = sig->signal;
            Stop stop;
            stop.reason = StopReason::Signal;
            stop.tid = tid;
            stop.rip = regs->rip;
            stop.signal = sig->signal;
            report = stop;
            return Got::Report;
        }
        if (std::holds_alternative<events::SingleStep>(v)) {
            if (!t.stepping) {
                return Got::Step;
            }
            // Non-stop: the end of resume_thread(tid, ResumeKind::Step).
            t.stepping = false;
            auto regs = t.tracer.regs().get_int();
            if (!regs) {
                return thread_error(regs.error(), tid, "cannot read its registers at a step");
            }
            if (breakpoints_.inserted(regs->rip)) {
                t.over = regs->rip; // landed on a breakpoint: not a hit
            }
            Stop stop;
            stop.tid = tid;
            stop.rip = regs->rip;
            report = stop;
            return Got::Report;
        }
        return Got::Nothing;
    }

    /// The NUL-terminated string at `address` in the program (up to 4 KiB), or "" when it
    /// cannot be read.
    std::string read_string(std::uint64_t address) {
        std::string out;
        std::array<std::byte, 256> chunk{};
        while (out.size() < 4096) {
            // Read up to the end of the page only: the next one may be unmapped.
            const std::uint64_t room = 4096 - (address + out.size()) % 4096;
            const std::size_t n = std::min<std::uint64_t>(chunk.size(), room);
            if (!breakpoints_.read_memory(address + out.size(), std::span(chunk.data(), n))) {
                break;
            }
            for (std::size_t i = 0; i < n; ++i) {
                if (chunk[i] == std::byte{0}) {
                    return out;
                }
                out.push_back(static_cast<char>(chunk[i]));
            }
        }
        return out;
    }

    /// Reads the events of the readable handle of `tid`. Reports are queued in pending_;
    /// \returns the most telling Got, or nothing when the thread has exited.
    DebugResult<std::optional<Got>> service(pid_t tid) {
        auto queued = threads_.at(tid).tracer.events();
        if (!queued || queued->empty()) {
            forget(tid); // readable with nothing queued: it has exited (C8, G1)
            return std::optional<Got>();
        }
        Got most = Got::Nothing;
        for (const PtraceEvent& event : *queued) {
            std::optional<Stop> report;
            auto got = absorb(tid, event, report);
            if (!got) {
                return got.error();
            }
            if (report) {
                pending_.push_back(*report);
                if (const auto it = threads_.find(tid); it != threads_.end()) {
                    it->second.stepping = false;
                }
            }
            if (*got == Got::Report || *got == Got::ExecEntry ||
                (*got == Got::Silent && most != Got::Report && most != Got::ExecEntry) ||
                most == Got::Nothing) {
                most = *got;
            }
        }
        return std::optional<Got>(most);
    }

    /// Polls the handles of the threads in `state`; \returns the readable ones (empty after
    /// `timeout_ms`, -1: no limit).
    std::vector<pid_t> poll_threads(std::optional<State> state, int timeout_ms,
                                    bool* interrupted = nullptr) {
        std::vector<pollfd> fds;
        std::vector<pid_t> tids;
        if (interrupted != nullptr && interrupt_fd_ >= 0) {
            fds.push_back(pollfd{interrupt_fd_, POLLIN, 0});
            tids.push_back(0);
        }
        for (const auto& [tid, t] : threads_) {
            if (!state || t.state == *state) {
                fds.push_back(pollfd{t.tracer.native_handle(), POLLIN, 0});
                tids.push_back(tid);
            }
        }
        std::vector<pid_t> ready;
        if (fds.empty()) {
            return ready;
        }
        int n = 0;
        do {
            n = ::poll(fds.data(), fds.size(), timeout_ms);
        } while (n < 0 && errno == EINTR);
        for (std::size_t i = 0; n > 0 && i < fds.size(); ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            if (tids[i] == 0) {
                *interrupted = true;
            } else {
                ready.push_back(tids[i]);
            }
        }
        return ready;
    }

    /// Resumes the stopped thread `tid` with the flags that leave its stop correctly.
    DebugResult<void> resume(pid_t tid, PtraceFlags flags) {
        Thread& t = threads_.at(tid);
        auto r = t.tracer.next(flags | t.leave | extra_);
        t.leave = PtraceFlags{};
        t.signal = 0;
        t.at_our_sigstop = false;
        if (!r) {
            if (r.error() == std::errc::no_such_process) {
                forget(tid);
                return {};
            }
            return thread_error(r.error(), tid, "cannot resume it");
        }
        t.state = State::Running;
        return {};
    }

    /// \errors EINVAL when the Inferior is not in `mode`.
    DebugResult<void> require_mode(StopMode mode, const char* operation) const {
        if (mode_ == mode) {
            return {};
        }
        return debug_error(std::errc::invalid_argument,
                           std::string(operation) + ": process " + std::to_string(pid_) +
                               (mode_ == StopMode::NonStop
                                    ? " is in non-stop mode (resume_thread(), interrupt_thread(), "
                                      "wait_stop())"
                                    : " is in all-stop mode (cont(), step_instruction(), ...)"));
    }

    /// Whether a stop of `tid` is kept, not reported yet.
    [[nodiscard]] bool has_pending(pid_t tid) const noexcept {
        return std::any_of(pending_.begin(), pending_.end(),
                           [tid](const Stop& stop) { return stop.tid == tid; });
    }

    /// A kept breakpoint hit whose breakpoint was disabled or removed before its turn.
    [[nodiscard]] bool stale(const Stop& stop) const noexcept {
        return stop.reason == StopReason::Breakpoint &&
               breakpoints_.enabled_at(stop.address) == nullptr;
    }

    /// The oldest kept stop (stale ones are dropped: their hits stay counted).
    std::optional<Stop> take_pending() {
        while (!pending_.empty()) {
            const Stop stop = pending_.front();
            pending_.pop_front();
            if (!stale(stop)) {
                return stop;
            }
            resume_dropped(stop.tid);
        }
        return std::nullopt;
    }

    /// Non-stop: a thread whose kept hit was dropped goes on (nobody was told it stopped).
    void resume_dropped(pid_t tid) {
        const auto it = threads_.find(tid);
        if (mode_ != StopMode::NonStop || it == threads_.end() ||
            it->second.state != State::Stopped || has_pending(tid)) {
            return;
        }
        it->second.over.reset(); // rip is on the removed breakpoint's address: nothing to step
        (void)resume(tid, flags_for(it->second));
    }

    /// The oldest kept stop of `tid` (stale ones of it dropped; the thread stays stopped).
    std::optional<Stop> take_pending_of(pid_t tid) {
        for (auto it = pending_.begin(); it != pending_.end();) {
            if (it->tid != tid) {
                ++it;
                continue;
            }
            const Stop stop = *it;
            it = pending_.erase(it);
            if (!stale(stop)) {
                return stop;
            }
        }
        return std::nullopt;
    }

    /// Non-stop: resumes the new threads, which run from their start as in gdb's non-stop.
    DebugResult<void> resume_fresh() {
        if (mode_ != StopMode::NonStop) {
            return {};
        }
        for (const pid_t tid : threads()) {
            const auto it = threads_.find(tid);
            if (it == threads_.end() || !it->second.fresh || it->second.state != State::Stopped) {
                continue;
            }
            it->second.fresh = false;
            if (auto r = resume(tid, run_flags()); !r) {
                return r;
            }
        }
        return {};
    }

    /// Whether the handle of `tid` has something to read now.
    [[nodiscard]] bool readable_now(pid_t tid) const {
        const auto it = threads_.find(tid);
        if (it == threads_.end()) {
            return false;
        }
        pollfd fd{it->second.tracer.native_handle(), POLLIN, 0};
        return ::poll(&fd, 1, 0) > 0 && fd.revents != 0;
    }

    /// Non-stop: reads the events of the readable handle of `tid` and settles the thread.
    DebugResult<void> nonstop_service(pid_t tid) {
        if (!threads_.contains(tid)) {
            return {};
        }
        auto got = service(tid);
        if (!got) {
            return got.error();
        }
        if (!*got) {
            return {}; // it has exited: forget() kept its ThreadExited (unless it was the last)
        }
        return settle_halted({tid});
    }

    /// Non-stop: after stops of the threads `halted` that nobody asked for (or of a thread
    /// just serviced): an exec entry is completed with the others stopped; a thread with a
    /// stop to report stays stopped; one running with a kept report (a Fork, announced while
    /// it runs) is stopped; one at a breakpoint to step over is stepped over it with the
    /// others stopped; every other is resumed as it was (its step, or a continue); new
    /// threads start.
    DebugResult<void> settle_halted(std::vector<pid_t> halted) {
        for (bool again = true; again;) {
            again = false;
            for (const auto& [tid, t] : threads_) {
                if (t.exec_entry) {
                    if (auto r = exec_alone(tid); !r) {
                        return r;
                    }
                    again = true; // the list may have changed: look again
                    break;
                }
            }
        }
        // A fork reported while its parent runs: stop the parent, so that the report is of a
        // stopped thread.
        std::vector<pid_t> parents;
        for (const Stop& stop : pending_) {
            const auto it = threads_.find(stop.tid);
            if (it != threads_.end() && it->second.state == State::Running) {
                parents.push_back(stop.tid);
            }
        }
        if (!parents.empty()) {
            if (auto r = stop_some(parents); !r) {
                return r;
            }
            halted.insert(halted.end(), parents.begin(), parents.end());
        }
        for (const pid_t tid : halted) {
            const auto it = threads_.find(tid);
            if (it == threads_.end() || it->second.state != State::Stopped || has_pending(tid) ||
                it->second.exec_entry) {
                continue;
            }
            if (it->second.over && breakpoints_.inserted(*it->second.over)) {
                auto regs = it->second.tracer.regs().get_int();
                if (regs && regs->rip == *it->second.over) {
                    if (auto r = step_over_alone(tid, it->second.stepping ? ResumeKind::Step
                                                                          : ResumeKind::Continue);
                        !r) {
                        return r;
                    }
                    continue;
                }
            }
            it->second.over.reset();
            if (auto r = resume(tid, flags_for(it->second)); !r) {
                return r;
            }
        }
        return resume_fresh();
    }

    /// Non-stop: steps the stopped thread `tid` over the breakpoint under it with every other
    /// thread stopped (so none can run through it while its original byte is in memory),
    /// then resumes the others as they were and `tid` as `kind` says (Step: its step is
    /// over, reported as a Step stop).
    DebugResult<void> step_over_alone(pid_t tid, ResumeKind kind) {
        std::vector<pid_t> halted = running_except(tid);
        if (auto r = stop_some(halted); !r) {
            return r;
        }
        threads_.at(tid).stepping = false;
        auto stop = step_one(tid, false);
        if (!stop) {
            return stop.error();
        }
        if (stop->reason == StopReason::Exec) {
            pending_.push_back(*stop); // the others are gone
            return {};
        }
        if (stop->reason == StopReason::Step) {
            if (threads_.contains(tid) && breakpoints_.inserted(stop->rip)) {
                threads_.at(tid).over = stop->rip; // landed on a breakpoint: not a hit
            }
            if (kind == ResumeKind::Step) {
                pending_.push_back(*stop);
            } else if (threads_.contains(tid)) {
                halted.push_back(tid); // goes on with the others (over a next breakpoint too)
            }
        } else if (stop->reason != StopReason::ThreadExited) {
            pending_.push_back(*stop); // (a ThreadExited is kept by forget())
        }
        return settle_halted(std::move(halted));
    }

    /// Non-stop: the thread `tid` is at an execve's entry; the others are stopped and it is
    /// stepped through the call (complete_exec()). After a failed exec it goes on as it was
    /// and the others too.
    DebugResult<void> exec_alone(pid_t tid) {
        std::vector<pid_t> halted = running_except(tid);
        if (auto r = stop_some(halted); !r) {
            return r;
        }
        const bool was_stepping = threads_.at(tid).stepping;
        auto stop = complete_exec(tid);
        if (!stop) {
            return stop.error();
        }
        if (stop->reason == StopReason::Exec) {
            pending_.push_back(*stop);
            return {};
        }
        if (stop->reason == StopReason::Step) {
            if (was_stepping) {
                pending_.push_back(*stop);
            } else {
                halted.push_back(tid);
            }
        } else if (stop->reason != StopReason::ThreadExited) {
            pending_.push_back(*stop); // (a ThreadExited is kept by forget())
        }
        for (const pid_t other : halted) {
            const auto it = threads_.find(other);
            if (it == threads_.end() || it->second.state != State::Stopped || has_pending(other) ||
                it->second.exec_entry) {
                continue;
            }
            if (auto r = resume(other, flags_for(it->second)); !r) {
                return r;
            }
        }
        return {};
    }

    /// All-stop, after stop_all(): completes the exec of a thread stopped at an execve's
    /// entry; its Exec report replaces every kept stop (those were of the old program).
    DebugResult<void> finish_execs() {
        for (const pid_t tid : threads()) {
            const auto it = threads_.find(tid);
            if (it == threads_.end() || !it->second.exec_entry) {
                continue;
            }
            auto stop = complete_exec(tid);
            if (!stop) {
                return stop.error();
            }
            if (stop->reason == StopReason::Exec) {
                pending_.push_back(*stop);
                return {};
            }
            if (stop->reason != StopReason::Step && stop->reason != StopReason::ThreadExited) {
                pending_.push_back(*stop);
            }
        }
        return {};
    }

    /// The thread `tid` is at an execve's entry (every other thread stopped): steps it
    /// through the call. The step ends at the new program's first instruction when it
    /// succeeded (Linux reports the step trap at the execve's return, as spawn() relies on),
    /// right behind the syscall with rax a negative errno when it failed. After a success the
    /// other threads are gone (the exec ended them), the thread has the leader's TID, the
    /// kept stops and the breakpoint table are dropped (a new table over the new program),
    /// and the Exec stop is returned; after a failure, the step's Step stop.
    DebugResult<Stop> complete_exec(pid_t tid) {
        Thread& t = threads_.at(tid);
        t.exec_entry = false;
        t.stepping = false;
        t.over.reset();
        const std::string path = std::move(t.exec_path);
        const std::uint64_t entry_rip = t.exec_rip;
        auto stop = single_step(tid);
        if (!stop || stop->reason != StopReason::Step) {
            return stop;
        }
        auto regs = threads_.at(tid).tracer.regs().get_int();
        if (!regs) {
            return thread_error(regs.error(), tid, "cannot read its registers after an execve");
        }
        const auto rax = static_cast<std::int64_t>(regs->rax);
        if (regs->rip == entry_rip && rax < 0 && rax >= -4095) {
            return stop; // the execve failed: the old program goes on
        }
        // The other threads were ended by the exec: forget them (their handles say so).
        for (auto it = threads_.begin(); it != threads_.end();) {
            if (it->first == tid) {
                ++it;
                continue;
            }
            (void)std::move(it->second.tracer).detach();
            it = threads_.erase(it);
        }
        const pid_t now = threads_.at(tid).tracer.pid();
        if (now != tid && now > 0) {
            auto node = threads_.extract(tid);
            node.key() = now;
            threads_.insert(std::move(node));
        }
        pending_.clear();
        target_.reset();
        current_.reset();
        auto table = Breakpoints::open(pid_);
        if (!table) {
            return table.error();
        }
        breakpoints_ = std::move(*table);
        ++exec_generation_;
        Stop exec;
        exec.reason = StopReason::Exec;
        exec.tid = now > 0 ? now : tid;
        exec.rip = regs->rip;
        exec.path = path;
        return exec;
    }

    /// Sends a SIGSTOP to the thread `tid` (by TID, to this process only).
    void send_sigstop(pid_t tid, Thread& t) {
        // A thread exiting now gives ESRCH here; its handle will say it exited.
        if (::syscall(SYS_tgkill, pid_, tid, SIGSTOP) == 0) {
            ++t.sigstops_owed;
        }
        t.sigstop_sent = std::chrono::steady_clock::now();
    }

    /// Stops every running thread (see stop_some()).
    DebugResult<void> stop_all() { return stop_some(threads()); }

    /// The threads running now, but `tid`: those to stop while it is served alone.
    [[nodiscard]] std::vector<pid_t> running_except(pid_t tid) const {
        std::vector<pid_t> running;
        for (const auto& [other, t] : threads_) {
            if (other != tid && t.state == State::Running) {
                running.push_back(other);
            }
        }
        return running;
    }

    /// Stops the running threads of `which`: a SIGSTOP to each (none more while one is owed,
    /// unless it has not come within 200 ms: a SIGCONT may have thrown it away), then their
    /// stops are read. Stops to report are kept in pending_.
    DebugResult<void> stop_some(const std::vector<pid_t>& which) {
        using std::chrono::milliseconds;
        constexpr milliseconds resend_after{200};
        for (const pid_t tid : which) {
            const auto found = threads_.find(tid);
            if (found == threads_.end() || found->second.state != State::Running) {
                continue;
            }
            Thread& t = found->second;
            if (t.sigstops_owed == 0) {
                send_sigstop(tid, t);
            }
            t.state = State::Stopping;
        }
        const auto deadline = std::chrono::steady_clock::now() + stop_timeout;
        for (;;) {
            const auto now = std::chrono::steady_clock::now();
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
            if (!any_stopping()) {
                return {};
            }
            if (left.count() <= 0) {
                std::string tids;
                for (const auto& [tid, t] : threads_) {
                    if (t.state == State::Stopping) {
                        tids += " " + std::to_string(tid);
                    }
                }
                return debug_error(std::errc::timed_out,
                                   "process " + std::to_string(pid_) + ": threads" + tids +
                                       " did not stop within 10 s of a SIGSTOP");
            }
            for (auto& [tid, t] : threads_) {
                if (t.state == State::Stopping && now - t.sigstop_sent >= resend_after) {
                    send_sigstop(tid, t);
                }
            }
            const auto wait = std::min(left, resend_after);
            for (const pid_t tid : poll_threads(State::Stopping, static_cast<int>(wait.count()))) {
                if (auto r = service(tid); !r) {
                    return r.error();
                }
            }
        }
    }

    [[nodiscard]] bool any_stopping() const noexcept {
        for (const auto& [tid, t] : threads_) {
            if (t.state == State::Stopping) {
                return true;
            }
        }
        return false;
    }

    /// The loop of cont(), step_over() and step_out(): report what is pending; else resume
    /// every thread (stepping over breakpoints first), wait until one stops with something to
    /// report or a breakpoint to step over, stop the others, and start again.
    DebugResult<Stop> run() {
        for (;;) {
            if (auto stop = take_pending()) {
                return *stop;
            }
            if (threads_.empty()) {
                return finish();
            }
            if (auto r = over_current(); !r) {
                return r.error();
            }
            if (auto r = resume_all(); !r) {
                return r.error();
            }
            bool stop_world = !pending_.empty();
            bool interrupted = false;
            while (!stop_world && !threads_.empty()) {
                const std::vector<pid_t> ready = poll_threads(State::Running, -1, &interrupted);
                if (interrupted) {
                    stop_world = true;
                    break;
                }
                if (ready.empty()) {
                    break; // nothing runs (cannot happen: every thread was resumed)
                }
                for (const pid_t tid : ready) {
                    if (!threads_.contains(tid)) {
                        continue;
                    }
                    auto got = service(tid);
                    if (!got) {
                        return got.error();
                    }
                    if (*got && (**got == Got::Report || **got == Got::ExecEntry ||
                                 (**got == Got::Silent && threads_.at(tid).over))) {
                        stop_world = true;
                    }
                }
                if (!pending_.empty()) {
                    stop_world = true; // a fork held (ForkPolicy::Keep)
                }
                if (stop_world) {
                    break;
                }
                // Stops with nothing to report and nothing to step over (a program's signal,
                // a late SIGSTOP of ours, a removed int3, a new thread) go on alone.
                for (const pid_t tid : threads()) {
                    if (threads_.at(tid).state == State::Stopped) {
                        if (auto r = resume(tid, run_flags()); !r) {
                            return r.error();
                        }
                    }
                }
            }
            if (auto r = stop_all(); !r) {
                return r.error();
            }
            if (auto r = finish_execs(); !r) {
                return r.error();
            }
            if (interrupted && !threads_.empty()) {
                return interrupt_stop();
            }
        }
    }

    /// The stop reported for an interrupt: the thread of the last reported stop, or the
    /// leader, or any thread.
    DebugResult<Stop> interrupt_stop() {
        pid_t tid = threads_.contains(pid_) ? pid_ : threads_.begin()->first;
        if (last_shown_ && threads_.contains(*last_shown_)) {
            tid = *last_shown_;
        }
        return interrupted_at(tid);
    }

    /// The thread of the last reported stop: a breakpoint at its rip (set there since, or
    /// the one it stopped at) is stepped over at the next resume, not hit.
    DebugResult<void> over_current() {
        if (!current_) {
            return {};
        }
        const auto it = threads_.find(*current_);
        current_.reset();
        if (it == threads_.end() || it->second.state != State::Stopped) {
            return {};
        }
        auto regs = it->second.tracer.regs().get_int();
        if (!regs) {
            return thread_error(regs.error(), it->first, "cannot read its registers");
        }
        if (breakpoints_.inserted(regs->rip)) {
            it->second.over = regs->rip;
        }
        return {};
    }

    /// Remembers the thread of a stop returned to the user (see over_current()).
    DebugResult<Stop> shown(DebugResult<Stop> stop) {
        if (stop && stop->reason != StopReason::Exited &&
            stop->reason != StopReason::ThreadExited) {
            current_ = stop->tid;
            last_shown_ = stop->tid;
        }
        return stop;
    }

    /// Steps every stopped thread that sits on a breakpoint over it, one at a time with every
    /// other thread stopped, then resumes them all; resumes nothing when a step brought a
    /// stop to report.
    DebugResult<void> resume_all() {
        for (const pid_t tid : threads()) {
            const auto it = threads_.find(tid);
            if (it == threads_.end() || it->second.state != State::Stopped || !it->second.over) {
                continue;
            }
            if (!breakpoints_.inserted(*it->second.over)) {
                it->second.over.reset(); // disabled or removed since: nothing to step over
                continue;
            }
            auto stop = step_one(tid, false);
            if (!stop) {
                return stop.error();
            }
            if (stop->reason != StopReason::Step && stop->reason != StopReason::ThreadExited) {
                pending_.push_back(*stop);
            }
        }
        if (!pending_.empty()) {
            return {};
        }
        for (const pid_t tid : threads()) {
            if (threads_.at(tid).state == State::Stopped) {
                if (auto r = resume(tid, run_flags()); !r) {
                    return r;
                }
            }
        }
        return {};
    }

    /// One instruction of the stopped thread `tid`, over the breakpoint under it if any (its
    /// int3 taken out for that instruction only: every other thread is stopped).
    DebugResult<Stop> step_one(pid_t tid, bool user) {
        Thread& t = threads_.at(tid);
        std::optional<std::uint64_t> lifted;
        if (user) {
            // The user's thread: a breakpoint at its rip is one it was shown stopped at, or
            // one set there since; either way it is stepped over, not hit (as gdb does).
            auto regs = t.tracer.regs().get_int();
            if (!regs) {
                return thread_error(regs.error(), tid, "cannot read its registers");
            }
            t.over = regs->rip;
        }
        if (t.over) {
            const std::uint64_t site = *t.over;
            t.over.reset();
            auto regs = t.tracer.regs().get_int();
            if (!regs) {
                return thread_error(regs.error(), tid, "cannot read its registers");
            }
            if (regs->rip == site && breakpoints_.inserted(site)) {
                if (auto r = breakpoints_.lift(site); !r) {
                    return r.error();
                }
                lifted = site;
            }
        }
        auto stop = single_step(tid, user);
        if (lifted) {
            auto r = breakpoints_.lower(*lifted);
            if (!r && stop && !exit_status_ && !threads_.empty()) {
                return r.error();
            }
        }
        if (stop && user && stop->reason == StopReason::Step && breakpoints_.inserted(stop->rip)) {
            threads_.at(tid).over = stop->rip; // landed on a breakpoint: not a hit
        }
        return stop;
    }

    /// StopReason::Interrupted for the stopped thread `tid`, at its rip.
    DebugResult<Stop> interrupted_at(pid_t tid) {
        auto regs = threads_.at(tid).tracer.regs().get_int();
        if (!regs) {
            return thread_error(regs.error(), tid, "cannot read its registers");
        }
        Stop stop;
        stop.reason = StopReason::Interrupted;
        stop.tid = tid;
        stop.rip = regs->rip;
        return stop;
    }

    static Stop thread_exited(pid_t tid) {
        Stop stop;
        stop.reason = StopReason::ThreadExited;
        stop.tid = tid;
        return stop;
    }

    /// Resumes `tid` for one instruction and waits for its stop. Our SIGSTOP arriving first is
    /// thrown away and a program's signal delivered (the step then ends at its handler's first
    /// instruction), and the step is asked again. With `watch_interrupt` (the user's step),
    /// the interrupt fd is watched too: when it becomes readable before the step ends (an
    /// instruction that blocks, a system call that waits), the thread is stopped with a
    /// SIGSTOP of ours and the step ends there as StopReason::Interrupted.
    DebugResult<Stop> single_step(pid_t tid, bool watch_interrupt = false) {
        bool interrupting = false; // our SIGSTOP is on its way to end the step
        for (;;) {
            if (auto r = resume(tid, step_flags()); !r) {
                return r.error();
            }
            bool again = false;
            while (!again) {
                if (!threads_.contains(tid)) {
                    return thread_exited(tid);
                }
                const bool watch = watch_interrupt && !interrupting && interrupt_fd_ >= 0;
                std::array<pollfd, 2> fds{
                    pollfd{threads_.at(tid).tracer.native_handle(), POLLIN, 0},
                    pollfd{interrupt_fd_, POLLIN, 0}};
                while (::poll(fds.data(), watch ? 2 : 1, -1) < 0 && errno == EINTR) {
                }
                if (watch && fds[1].revents != 0 && fds[0].revents == 0) {
                    send_sigstop(tid, threads_.at(tid));
                    interrupting = true;
                    continue;
                }
                auto queued = threads_.at(tid).tracer.events();
                if (!queued || queued->empty()) {
                    forget(tid); // it has exited (C8)
                    return thread_exited(tid);
                }
                std::optional<Got> last;
                std::optional<Stop> own;
                for (const PtraceEvent& event : *queued) {
                    std::optional<Stop> report;
                    auto got = absorb(tid, event, report);
                    if (!got) {
                        return got.error();
                    }
                    if (report) {
                        own = report;
                    }
                    if (*got != Got::Nothing) {
                        last = *got;
                    }
                }
                if (!last) {
                    continue; // only a new thread announced: the step goes on
                }
                if (*last == Got::OurStop && interrupting) {
                    return interrupted_at(tid);
                }
                if (*last == Got::OurStop || *last == Got::ProgramSignal) {
                    again = true;
                    continue;
                }
                if (*last == Got::ExecEntry) {
                    return complete_exec(tid);
                }
                if (own) {
                    return *own;
                }
                auto regs = threads_.at(tid).tracer.regs().get_int();
                if (!regs) {
                    return thread_error(regs.error(), tid, "cannot read its registers");
                }
                Stop stop;
                stop.tid = tid;
                stop.rip = regs->rip;
                if (interrupting) {
                    // Our SIGSTOP ended a blocking system call, and the step trap came as it
                    // returned (before the SIGSTOP, which stays owed): the interrupt's stop.
                    stop.reason = StopReason::Interrupted;
                }
                return stop;
            }
        }
    }

    /// Runs every thread until `tid` reaches `address` with rsp at least `min_rsp` (a
    /// temporary breakpoint), or something else is reported first.
    DebugResult<Stop> run_to(pid_t tid, std::uint64_t address, std::uint64_t min_rsp) {
        if (auto r = breakpoints_.add_internal(address); !r) {
            return r.error();
        }
        target_ = Target{tid, address, min_rsp};
        const pid_t before = pid_;
        const std::uint64_t exec_generation = exec_generation_;
        auto stop = run();
        target_.reset();
        if (exec_generation != exec_generation_ || before != pid_) {
            return stop; // an exec replaced the table (and its temporary breakpoint)
        }
        auto removed = breakpoints_.remove_internal(address);
        if (stop && !removed && !exit_status_) {
            return removed.error();
        }
        return stop;
    }

    pid_t pid_ = 0;
    std::optional<Child> child_; ///< none when attached: not our child
    Breakpoints breakpoints_;
    PtraceFlags extra_{}; ///< added to every operation: STOP_EXIT when attached
    std::optional<WaitStatus> last_exit_;
    std::array<SignalPolicy, 65> policies_{};
    int interrupt_fd_ = -1;
    std::optional<pid_t> last_shown_;
    std::map<pid_t, Thread> threads_; // destroyed before child_: the handles close first
    std::deque<Stop> pending_;
    std::optional<Target> target_;
    std::optional<pid_t> current_; ///< the thread of the last stop shown to the user
    std::optional<WaitStatus> exit_status_;
    StopMode mode_ = StopMode::AllStop;
    ForkPolicy fork_policy_ = ForkPolicy::Detach;
    bool follow_exec_ = false;
    std::uint64_t exec_generation_ = 0; ///< successful execs so far
    std::map<pid_t, KeptFork> forks_;   ///< destroyed first: held children let go
};

} // namespace ptrace_api::debugger
