// SPDX-License-Identifier: MIT
// A debugged process and its threads over the breakpoint table: continue to the next
// breakpoint hit, step one instruction, step over a call (next), run to the return address
// (finish). All-stop, as gdb by default: when a stop is reported every thread of the process
// is stopped. A hit is stepped over with every other thread stopped, so no thread can run
// through a breakpoint while its original byte is back in memory. See debugger/README.md,
// "Breakpoints and stepping".
//
// The class below is the map: its members are declared in reading order, the public API first,
// and the longer ones are defined apart, one concern per header (each included at the end of
// this file): inferior_threads.hpp (the thread table, signals, reading and keeping stops,
// SIGSTOPs), inferior_all_stop.hpp (cont, step, next, finish; call_instruction_length),
// inferior_non_stop.hpp (one thread at a time), inferior_forks.hpp (forks and exec),
// inferior_lifetime.hpp (launch, attach, detach, kill).
#pragma once

#include <ptrace/debugger/breakpoints.hpp>
#include <ptrace/debugger/error.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/signals.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>
#include <ptrace/tracer.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/types.h>

namespace ptrace_api::debugger {

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
                       ///< leader's TID, rip the new program's first instruction (the dynamic
                       ///< loader's entry), and the breakpoint table is new and empty
    SyscallEntry,      ///< thread `tid` entered the caught syscall `syscall`
                       ///< (set_caught_syscalls()): rip is after its syscall instruction, rax
                       ///< its number (rule D1); the syscall runs when the thread goes on
    SyscallExit,       ///< the caught syscall `syscall` of thread `tid` returned: rax is its
                       ///< result (a negative errno for a failure)
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

/// What a breakpoint under the resumed thread does (set_breakpoint_at_resume()).
enum class BreakpointAtResume : std::uint8_t {
    StepOver, ///< the default: stepped over, not hit (as gdb's own `continue` and `step` do)
    Hit,      ///< executed: a hit at once. For a client that steps over breakpoints itself,
              ///< taking them out first, as gdb does through a remote server
};

/// Which stops signal_info() reads the siginfo of.
enum class SignalInfoOf : std::uint8_t {
    Program, ///< the default: the program's signals, and the SIGTRAPs of breakpoints and steps
    AnyStop, ///< also the SIGSTOP of this Inferior that holds a thread it stopped (SIGSTOP,
             ///< SI_TKILL, this process's pid), as GNU gdbserver gives it for such a thread
};

/// How resume_thread() resumes a thread.
enum class ResumeKind : std::uint8_t {
    Continue, ///< until it has something to report
    Step,     ///< one instruction (reported as StopReason::Step)
};

/// What the other threads do while one is stepped (step_instruction(), step_range()).
enum class OtherThreads : std::uint8_t {
    Stay, ///< the default: they stay stopped (gdb's `set scheduler-locking step`, a remote
          ///< `vCont;s:TID` alone)
    Run,  ///< they run while it steps, and are stopped when something is reported (gdb's
          ///< default, a remote `vCont;s:TID;c`): a step that waits for another thread (a
          ///< read of a pipe it writes, a lock it holds) ends
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
    std::string path;          ///< Exec: the new program (/proc/<pid>/exe at the stop)
    std::uint64_t syscall = 0; ///< SyscallEntry, SyscallExit: the syscall's number

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
        case StopReason::SyscallEntry:
            return who + "entered syscall " + syscall_text(syscall) + " at " +
                   detail::hex_address(rip);
        case StopReason::SyscallExit:
            return who + "returned from syscall " + syscall_text(syscall) + " at " +
                   detail::hex_address(rip);
        case StopReason::Exited:
            break;
        }
        return describe_exit(status);
    }

    /// "1 (write)", or the number alone for a syscall the table does not name.
    [[nodiscard]] static std::string syscall_text(std::uint64_t nr) {
        std::string text = std::to_string(nr);
        if (const auto info = syscall_info(static_cast<long>(nr))) {
            text += " (" + std::string(info->name) + ")";
        }
        return text;
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
    [[nodiscard]] static DebugResult<Inferior> launch(const Command& command);

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
                                                      AttachAccess access = AttachAccess::Redox);

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
    DebugResult<void> set_signal_policy(int signal, SignalPolicy policy);
    [[nodiscard]] SignalPolicy signal_policy(int signal) const noexcept {
        return signal >= 1 && signal < static_cast<int>(policies_.size())
                   ? policies_[static_cast<std::size_t>(signal)]
                   : SignalPolicy::Pass;
    }

    /// The thread `tid` stopped at a reported signal (StopReason::Signal) goes on without it:
    /// the program never sees it. \errors ESRCH no such thread; EINVAL it is not stopped at a
    /// reported signal.
    DebugResult<void> discard_signal(pid_t tid);

    /// The stopped thread `tid` goes on with `signal` (1-64) instead of the one it is stopped
    /// at, if any (discarded): `signal` is sent to it now (tgkill) and delivered when it runs,
    /// without a stop for it, whatever its policy (gdb's `signal SIG`; a remote `C` or `S`
    /// with another signal). A signal the thread blocks now arrives when it unblocks it, and
    /// that arrival is reported by its policy (as the kernel queues a blocked signal a tracer
    /// injects again). The same signal the thread is stopped at is simply delivered.
    /// \errors ESRCH no such thread, or it is gone; EBUSY it runs; EINVAL a number out of
    /// range.
    DebugResult<void> deliver_signal(pid_t tid, int signal);

    /// The signal the thread `tid` is stopped at and will receive when it goes on (a reported
    /// signal not discarded), or 0.
    [[nodiscard]] int pending_signal(pid_t tid) const noexcept {
        const auto found = threads_.find(tid);
        return found == threads_.end() ? 0 : found->second.signal;
    }

    /// What the signal the thread `tid` is stopped at carries (decision 27: who sent it, the
    /// address a SIGSEGV faulted at; at a breakpoint hit, after a step and at a launched
    /// program's first instruction, the SIGTRAP the CPU raised), also after discard_signal().
    /// \errors ESRCH no such thread; EBUSY it runs; ENODATA it is stopped by this Inferior (its
    /// SIGSTOPs; SignalInfoOf::AnyStop reads that SIGSTOP's record instead) or at a syscall or
    /// exec stop.
    DebugResult<SignalInfo> signal_info(pid_t tid, SignalInfoOf of = SignalInfoOf::Program);

    /// Replaces what the signal the thread `tid` is stopped at carries with `info` (decision
    /// 27), whose signal becomes the one the thread goes on with (pending_signal()), delivered
    /// with that record, at a signal, a breakpoint hit or after a step: as gdb puts back the
    /// signal a thread was stopped at after running a function in it (`call`, `print f()`),
    /// which the function's own stops replaced. deliver_signal() of that signal then keeps the
    /// record; discard_signal() drops it. \errors ESRCH no such thread; EBUSY it runs; ENODATA
    /// it is stopped at a syscall or exec stop; EINVAL a signal number outside 1-64.
    DebugResult<void> set_signal_info(pid_t tid, const SignalInfo& info);

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
    DebugResult<void> set_stop_mode(StopMode mode);
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
    DebugResult<void> resume_thread(pid_t tid, ResumeKind kind = ResumeKind::Continue);

    /// Non-stop: stops the running thread `tid` (a SIGSTOP, caught at its stop and thrown
    /// away) while the others run on, and returns its stop: StopReason::Interrupted at its
    /// rip, or what it reached first (a breakpoint hit, a reported signal, a fork, an exec,
    /// its exit). \errors EINVAL all-stop mode; ESRCH no such thread; EALREADY it is
    /// stopped already; ETIMEDOUT it did not stop within 10 s.
    DebugResult<Stop> interrupt_thread(pid_t tid);

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
    wait_stop(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

    // ---- Forks and exec (debugger/README.md, "Forks and exec") ----

    /// What happens to a process the program forks from now on (see ForkPolicy). A vfork
    /// child (it shares the parent's memory until its exec) is always let go, and the
    /// breakpoints are out of that memory until the parent thread returns from the vfork:
    /// neither the child nor the program's other threads meet them meanwhile.
    void set_fork_policy(ForkPolicy policy) noexcept { fork_policy_ = policy; }
    [[nodiscard]] ForkPolicy fork_policy() const noexcept { return fork_policy_; }

    /// What a breakpoint at the rip of the thread an operation resumes does (the thread of
    /// the last stop shown for cont(), step_over() and step_out(); the stepped one for
    /// step_instruction(); resume_thread()'s): StepOver, the default, steps it over without
    /// a hit, whether the thread was shown stopped there or its rip was moved there since;
    /// Hit executes it, which is a hit at once (counted, reported as StopReason::Breakpoint,
    /// the thread still at the breakpoint). Hit is the remote protocol's rule: gdb takes out
    /// a breakpoint it wants a thread to pass, steps the thread, and puts it back, so one it
    /// leaves in place under a resumed thread (a `jump` to its line) is to be hit, as GNU
    /// gdbserver hits it. The other threads' breakpoints are hit in either mode, and a hit
    /// whose condition is false is stepped over in either mode.
    void set_breakpoint_at_resume(BreakpointAtResume what) noexcept { at_resume_ = what; }
    [[nodiscard]] BreakpointAtResume breakpoint_at_resume() const noexcept { return at_resume_; }

    /// The forked children held (ForkPolicy::Keep) and not taken yet.
    [[nodiscard]] std::vector<pid_t> forked() const;

    /// The held forked child `child` as an Inferior of its own, stopped before its first
    /// instruction after the fork, with a copy of this Inferior's breakpoints (their int3s
    /// are in its copy of memory; counts start at 0) and its signal policies, fork policy,
    /// exec following and stop mode. It is not our child: its exit status comes from its
    /// EXIT stop, and its parent (the program) reaps it; dropping that Inferior kills it,
    /// detach() lets it go. A child never taken is let go, without its int3s, when this
    /// Inferior ends. \errors ESRCH no such held child; the handles' errors.
    [[nodiscard]] DebugResult<Inferior> take_fork(pid_t child);

    /// Follows exec (off by default): every operation asks for the exec stop (STOP_EXEC,
    /// decision 26), which comes after a successful exec, at the new program's first
    /// instruction. Then the other threads are gone (the exec ended them), the thread that
    /// executed has the leader's TID, the kept stops are dropped, the breakpoint table is
    /// replaced by a new, empty one (the old program's addresses mean nothing now: pointers
    /// from set() are void), and StopReason::Exec is reported. A failed exec is not seen. It
    /// costs nothing while the program runs. Off: an exec goes unnoticed and the table
    /// describes the old program. \errors ESRCH the process is gone.
    DebugResult<void> set_follow_exec(bool on);
    [[nodiscard]] bool follow_exec() const noexcept { return follow_exec_; }

    /// Stops at the entry and at the return of the syscalls of `set` (gdb's `catch syscall`):
    /// StopReason::SyscallEntry, then, when the thread goes on, StopReason::SyscallExit of the
    /// same syscall (none for one that does not return: exit, exit_group, a successful
    /// execve). The empty set: every syscall; nothing: no syscall stops (the default). Every
    /// thread's syscall set becomes `set`, and the continuing operations ask for
    /// STOP_PRE_SYSCALL and STOP_POST_SYSCALL; the steps do not (a stepped syscall
    /// instruction is not caught, as under gdb). The cost: the shim stops at every syscall
    /// when the program has no seccomp filter of its set (a program launched with
    /// Command::syscalls has one), and passes on those outside the set.
    /// \errors ESRCH the process is gone; the handles'.
    DebugResult<void> set_caught_syscalls(std::optional<SyscallSet> set);
    [[nodiscard]] const std::optional<SyscallSet>& caught_syscalls() const noexcept {
        return caught_;
    }

    /// Lets the process run on untraced: every int3 of the table is taken out of memory and
    /// every thread's handle detached (a thread at a reported signal gets it). A launched
    /// process is no longer killed by the Inferior, nor reaped: it is given up (Child::
    /// release). Afterwards the Inferior holds nothing; exited() is true.
    /// \errors ESRCH the process has exited already; the memory's errors (the threads are
    /// detached anyway).
    DebugResult<void> detach();

    [[nodiscard]] Breakpoints& breakpoints() noexcept { return breakpoints_; }
    /// The process has exited (and was reaped).
    [[nodiscard]] bool exited() const noexcept { return exit_status_.has_value(); }

    /// The threads traced now, in the order the Inferior learned of them: the process's first
    /// thread, then each new one when its clone was reported (at an attach, the order of
    /// /proc/PID/task: creation order). Not by TID: TIDs wrap around at pid_max, so a later
    /// thread may have a smaller one. Debuggers number threads in this order, as GNU gdbserver
    /// lists them.
    [[nodiscard]] std::vector<pid_t> threads() const;

    /// The registers of the stopped thread `tid`. \errors ESRCH no such thread (or exited).
    DebugResult<IntRegisters> registers(pid_t tid);

    /// Writes the registers of the stopped thread `tid`. \errors as registers(); EINVAL a value
    /// Linux refuses.
    DebugResult<void> set_registers(pid_t tid, const IntRegisters& regs);

    /// Resumes every thread and returns the next reported stop: a breakpoint hit whose
    /// condition holds, the program's own int3, or the process's end. Stops that are not
    /// reported (a condition that is false, another thread's pass over a temporary
    /// breakpoint, the program's own signals, which are delivered) are handled on the way.
    /// A stop met while other threads were being stopped is kept and reported by the next
    /// call (or next/finish), before anything is resumed; a kept breakpoint hit whose
    /// breakpoint was disabled or removed in between is dropped (its hit stays counted).
    /// \errors ESRCH the process has exited already; ETIMEDOUT a thread did not stop within
    /// 10 s of its SIGSTOP; the errors of the trace, register and memory handles, named.
    DebugResult<Stop> cont();

    /// Resumes the stopped thread `tid` alone, every other thread staying stopped (gdb's `set
    /// scheduler-locking on`, a remote `vCont;c:TID`), and returns its next reported stop, as
    /// cont() does; an interrupt stops it. A stop another thread keeps (met while it was being
    /// stopped) waits for an operation that resumes that thread; threads `tid` starts
    /// meanwhile run, and are stopped with it. Its end is reported (StopReason::ThreadExited),
    /// since nothing else may run. A breakpoint at its rip is stepped over or hit as
    /// set_breakpoint_at_resume() says. \errors EINVAL non-stop mode; ESRCH no such thread, or
    /// the process has exited; then as cont().
    DebugResult<Stop> cont_thread(pid_t tid);

    /// Executes one instruction of the stopped thread `tid`; the other threads stay stopped,
    /// or run meanwhile (OtherThreads::Run; then a stop of another thread, a breakpoint hit
    /// or a reported signal, may end the step first: it is reported, and `tid` is stopped
    /// wherever it is). A breakpoint at rip is stepped over (its int3 is not executed and no
    /// hit is counted), always with the other threads stopped for that instruction (its
    /// original byte is in memory meanwhile); a step that ends on a breakpoint's address
    /// counts no hit either, and the next resume steps over it. Stepping into a signal
    /// handler stops at its first instruction. A step that blocks (a system call that waits)
    /// ends when it returns, or at an interrupt (set_interrupt_fd()).
    /// \errors as cont(); ESRCH no such thread.
    DebugResult<Stop> step_instruction(pid_t tid, OtherThreads others = OtherThreads::Stay);

    /// Steps `tid` while its rip stays in [start, end) (gdb's range stepping, a remote
    /// `vCont;r`) and returns the first stop that is not such a step: a step out of the range
    /// or onto a breakpoint's address (a Step stop, no hit counted), or what step_instruction()
    /// reports otherwise (a breakpoint hit, a signal, an interrupt, the end). The first
    /// instruction is always executed; an empty range (start == end) is one instruction.
    /// With OtherThreads::Run the others run until a stop is reported, not stopped between
    /// the steps. \errors as step_instruction(); EINVAL start above end.
    DebugResult<Stop> step_range(pid_t tid, std::uint64_t start, std::uint64_t end,
                                 OtherThreads others = OtherThreads::Stay);

    /// Steps over the instruction at rip: a `call` (the forms call_instruction_length knows)
    /// runs, with every thread, until `tid` returns to the instruction after it (a temporary
    /// breakpoint there, taken only by `tid` at the call's stack depth or shallower: recursion
    /// is handled); anything else is step_instruction(). A breakpoint hit or another reported
    /// stop on the way ends it early, as in gdb.
    /// \errors as step_instruction().
    DebugResult<Stop> step_over(pid_t tid);

    /// Runs until the function `tid` is in returns to its caller (a temporary breakpoint at
    /// the return address, taken only at a shallower stack depth). The return address is read
    /// at [rsp] when rip is at the function's first instruction (`push rbp`, or `endbr64`)
    /// or at a `ret`, at [rsp+8] right after `push rbp` (at `mov rbp, rsp`), and otherwise at
    /// [rbp+8], which needs a frame pointer (-fno-omit-frame-pointer). A frameless function
    /// past its entry has no reliable answer here (that needs unwinding tables).
    /// \errors as step_instruction(); EFAULT the return address slot is unreadable.
    DebugResult<Stop> step_out(pid_t tid);

    /// Kills the process and reaps it. \returns its wait status.
    DebugResult<WaitStatus> kill();

private:
    enum class State : std::uint8_t {
        Running,  ///< resumed; its events may come
        Stopping, ///< sent SIGSTOP, no stop seen yet
        Stopped,  ///< at a stop whose event was read
    };

    struct Thread {
        Thread(NonblockTracer t, std::uint64_t order) noexcept
            : tracer(std::move(t)), learned(order) {}
        NonblockTracer tracer;
        /// When the Inferior learned of it, counting from 0: threads() lists them so.
        std::uint64_t learned;
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
        /// Signals deliver_signal() sent, delivered without a stop when they arrive (bit N-1
        /// for signal N).
        std::uint64_t unreported = 0;
        /// Its vfork child runs untraced in our memory: the int3s are out (take_out()) until
        /// this thread's next SIGSTOP of ours, which comes once the vfork has returned.
        bool in_vfork = false;
        /// Non-stop: resumed for one instruction by resume_thread(ResumeKind::Step).
        bool stepping = false;
        /// Non-stop: a new thread, to be resumed once nothing is stopped on purpose.
        bool fresh = false;
        /// The caught syscall whose entry was reported: its return is reported next.
        std::optional<std::uint64_t> caught_entry;
    };

    /// A forked child held for take_fork(): frozen, its memory a copy of ours with the
    /// int3s of `table` in it. Let go without them when it was never taken.
    struct KeptFork {
        KeptFork(Tracer t, Breakpoints b) noexcept : tracer(std::move(t)), table(std::move(b)) {}
        KeptFork(KeptFork&&) noexcept = default;
        KeptFork& operator=(KeptFork&&) = delete;
        KeptFork(const KeptFork&) = delete;
        KeptFork& operator=(const KeptFork&) = delete;
        ~KeptFork();
        Tracer tracer;
        std::optional<Breakpoints> table;
    };

    /// What one event meant.
    enum class Got : std::uint8_t {
        Nothing,
        Step,
        OurStop,
        ProgramSignal, ///< also a syscall stop that is not reported: go on
        Report,
        Silent,
    };

    struct Target {
        pid_t tid = 0;
        std::uint64_t address = 0;
        std::uint64_t min_rsp = 0;
    };

    /// step_range() with the other threads running: its thread steps on while rip is in
    /// [start, end).
    struct SteppedRange {
        pid_t tid = 0;
        std::uint64_t start = 0;
        std::uint64_t end = 0;
    };

    /// What every resume asks for: the stops of breakpoints, signals and new threads, and
    /// of exec when it is followed.
    [[nodiscard]] PtraceFlags base_flags() const noexcept {
        PtraceFlags flags =
            PtraceFlags::STOP_BREAKPOINT | PtraceFlags::STOP_SIGNAL | PtraceFlags::EVENT_CLONE;
        if (follow_exec_) {
            flags = flags | PtraceFlags::STOP_EXEC;
        }
        return flags;
    }
    /// A continuing resume: also the caught syscalls' entries and returns.
    [[nodiscard]] PtraceFlags run_flags() const noexcept {
        return caught_
                   ? base_flags() | PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL
                   : base_flags();
    }
    [[nodiscard]] PtraceFlags step_flags() const noexcept {
        return base_flags() | PtraceFlags::STOP_SINGLESTEP;
    }
    /// Whether the syscall `nr` is caught (set_caught_syscalls()).
    [[nodiscard]] bool catches(std::uint64_t nr) const noexcept {
        return caught_ && (caught_->empty() || caught_->contains(nr));
    }

    [[nodiscard]] PtraceFlags flags_for(const Thread& t) const noexcept {
        return t.stepping ? step_flags() : run_flags();
    }
    static constexpr std::chrono::seconds stop_timeout{10};

    Inferior(Child child, Breakpoints breakpoints) noexcept
        : pid_(child.pid()), child_(std::move(child)), breakpoints_(std::move(breakpoints)) {}
    Inferior(pid_t pid, Breakpoints breakpoints) noexcept
        : pid_(pid), breakpoints_(std::move(breakpoints)), extra_(PtraceFlags::STOP_EXIT) {}

    // ---- threads, reading and keeping their stops, stopping them (inferior_threads.hpp) ----

    // the thread table:

    /// Adds the thread `tid`, learned of last.
    Thread& add_thread(pid_t tid, NonblockTracer tracer);

    /// The thread `tid` of the live process. \errors ESRCH the process is gone, or no such
    /// thread.
    DebugResult<Thread*> known_thread(pid_t tid);
    DebugResult<Thread*> stopped(pid_t tid);

    /// EINVAL with a message for a signal number outside 1-64.
    [[nodiscard]] DebugResult<void> signal_number(int signal) const;

    /// Whether the thread `tid` blocks `signal` (1-64) now (SigBlk of its /proc status).
    [[nodiscard]] bool signal_blocked(pid_t tid, int signal) const;

    /// The bit of `signal` (1-64) in a signal mask (bit N-1 for signal N).
    [[nodiscard]] static constexpr std::uint64_t signal_bit(int signal) noexcept {
        return std::uint64_t{1} << static_cast<unsigned>(signal - 1);
    }

    /// Whether a range step that ended at `rip` goes on: rip is still in [start, end) and no
    /// breakpoint is there (a step onto one ends it, as a step stop).
    [[nodiscard]] bool steps_on(std::uint64_t rip, std::uint64_t start, std::uint64_t end) const {
        return rip >= start && rip < end && !breakpoints_.inserted(rip);
    }

    /// The thread's handle says it has exited: close it and forget it.
    void forget(pid_t tid);
    static Stop thread_exited(pid_t tid);
    DebugError gone_error() const;
    DebugError thread_error(std::error_code code, pid_t tid, const std::string& what) const;

    /// The integer registers of the stopped thread `t` (`tid`). \errors the handle's, as
    /// thread_error() names them: "cannot read its registers" and then `when` (" at a
    /// signal", ...), the place in the caller.
    DebugResult<IntRegisters> read_registers(pid_t tid, Thread& t, const char* when = "");

    /// \errors EINVAL when the Inferior is not in `mode`.
    DebugResult<void> require_mode(StopMode mode, const char* operation) const;

    // reading a thread's events and what they mean:

    /// Polls the handles of the threads in `state`; \returns the readable ones (empty after
    /// `timeout_ms`, -1: no limit).
    std::vector<pid_t> poll_threads(std::optional<State> state, int timeout_ms,
                                    bool* interrupted = nullptr);

    /// Whether the handle of `tid` has something to read now.
    [[nodiscard]] bool readable_now(pid_t tid) const;

    /// Reads the events of the readable handle of `tid`. Reports are queued in pending_;
    /// \returns the most telling Got, or nothing when the thread has exited.
    DebugResult<std::optional<Got>> service(pid_t tid);

    /// Reads the queued events of the readable handle of `tid` in order, each through
    /// absorb() and then `each(got, report)`, which combines them as its caller needs (what
    /// an event means may depend on what was done with the one before). \returns false when
    /// the thread has exited (readable with nothing queued, C8, G1: it is forgotten).
    template <class Each>
    DebugResult<bool> drain(pid_t tid, const Each& each);

    /// What one event of `tid` means; the thread is Stopped after any stop event.
    DebugResult<Got> absorb(pid_t tid, const PtraceEvent& event, std::optional<Stop>& report);

    /// An int3 ran in `tid` (rip is after it). Ours: rip goes back onto it, the hit is counted
    /// and judged. Not ours: the program's own (reported, rip kept), or one of ours removed
    /// since the thread ran it (rip goes back, silently).
    DebugResult<Got> on_int3(pid_t tid, Thread& t, std::optional<Stop>& report);

    /// Resumes the stopped thread `tid` with the flags that leave its stop correctly.
    DebugResult<void> resume(pid_t tid, PtraceFlags flags);

    // stops kept to report later:

    /// Whether a stop of `tid` is kept, not reported yet.
    [[nodiscard]] bool has_pending(pid_t tid) const noexcept;

    /// A kept breakpoint hit whose breakpoint was disabled or removed before its turn.
    [[nodiscard]] bool stale(const Stop& stop) const noexcept;

    /// The oldest kept stop (stale ones are dropped: their hits stay counted).
    std::optional<Stop> take_pending();

    /// The oldest kept stop of `tid` (stale ones of it dropped; the thread stays stopped).
    std::optional<Stop> take_pending_of(pid_t tid);

    /// Whether a kept stop can be reported now (one of a thread held_ cannot).
    [[nodiscard]] bool reportable_pending() const;

    // stopping threads with SIGSTOPs of ours:

    /// Sends a SIGSTOP to the thread `tid` (by TID, to this process only).
    void send_sigstop(pid_t tid, Thread& t);

    /// Stops every running thread (see stop_some()).
    DebugResult<void> stop_all();

    /// The threads running now, but `tid`: those to stop while it is served alone.
    [[nodiscard]] std::vector<pid_t> running_except(pid_t tid) const;

    /// Stops the running threads of `which`: a SIGSTOP to each (none more while one is owed,
    /// unless it has not come within 200 ms: a SIGCONT may have thrown it away), then their
    /// stops are read. Stops to report are kept in pending_.
    DebugResult<void> stop_some(const std::vector<pid_t>& which);
    [[nodiscard]] bool any_stopping() const noexcept;

    // ---- all-stop: the run loop and the steps (inferior_all_stop.hpp) ----

    // the run loop:

    /// The loop of cont(), step_over() and step_out(): report what is pending; else resume
    /// every thread (stepping over breakpoints first), wait until one stops with something to
    /// report or a breakpoint to step over, stop the others, and start again.
    DebugResult<Stop> run();

    /// run() for cont_thread(): only `tid` (and the threads it starts) are resumed.
    DebugResult<Stop> run_alone(pid_t tid);

    /// Steps every stopped thread that sits on a breakpoint over it, one at a time with every
    /// other thread stopped, then resumes them all; resumes nothing when a step brought a
    /// stop to report.
    DebugResult<void> resume_all();

    /// The thread of the last reported stop: a breakpoint at its rip (set there since, or
    /// the one it stopped at) is stepped over at the next resume, not hit.
    DebugResult<void> over_current();

    /// Remembers the thread of a stop returned to the user (see over_current()).
    DebugResult<Stop> shown(DebugResult<Stop> stop);

    /// The stop reported for an interrupt: the thread of the last reported stop, or the
    /// leader, or any thread.
    DebugResult<Stop> interrupt_stop();

    /// StopReason::Interrupted for the stopped thread `tid`, at its rip.
    DebugResult<Stop> interrupted_at(pid_t tid);

    /// Runs every thread until `tid` reaches `address` with rsp at least `min_rsp` (a
    /// temporary breakpoint), or something else is reported first.
    DebugResult<Stop> run_to(pid_t tid, std::uint64_t address, std::uint64_t min_rsp);

    /// run() with `tid` stepping while rip is in [start, end) and the others running: the
    /// step_range() of OtherThreads::Run once no breakpoint is under `tid` to step over.
    DebugResult<Stop> run_stepping(pid_t tid, std::uint64_t start, std::uint64_t end);

    // one instruction:

    /// One instruction of the stopped thread `tid`, over the breakpoint under it if any (its
    /// int3 taken out for that instruction only: every other thread is stopped).
    DebugResult<Stop> step_one(pid_t tid, bool user);

    /// Resumes `tid` for one instruction and waits for its stop. Our SIGSTOP arriving first is
    /// thrown away and a program's signal delivered (the step then ends at its handler's first
    /// instruction), and the step is asked again. With `watch_interrupt` (the user's step),
    /// the interrupt fd is watched too: when it becomes readable before the step ends (an
    /// instruction that blocks, a system call that waits), the thread is stopped with a
    /// SIGSTOP of ours and the step ends there as StopReason::Interrupted.
    DebugResult<Stop> single_step(pid_t tid, bool watch_interrupt = false);

    // ---- non-stop: one thread at a time (inferior_non_stop.hpp) ----

    /// Non-stop: resumes the new threads, which run from their start as in gdb's non-stop.
    DebugResult<void> resume_fresh();

    /// Non-stop: a thread whose kept hit was dropped goes on (nobody was told it stopped).
    void resume_dropped(pid_t tid);

    /// Non-stop: reads the events of the readable handle of `tid` and settles the thread.
    DebugResult<void> nonstop_service(pid_t tid);

    /// Non-stop: after stops of the threads `halted` that nobody asked for (or of a thread
    /// just serviced): a thread with a stop to report stays stopped; one running with a kept
    /// report (a Fork, announced while it runs) is stopped; one at a breakpoint to step over
    /// is stepped over it with the others stopped; every other is resumed as it was (its
    /// step, or a continue); new threads start.
    DebugResult<void> settle_halted(std::vector<pid_t> halted);

    /// Non-stop: resumes each thread of `halted` that is stopped with no stop to report, as it
    /// was (its step, or a continue). One at the breakpoint
    /// it is to step over (a hit whose condition was false, met while it was being stopped)
    /// is stepped over it with the others stopped (step_over_alone()); any other forgets its
    /// breakpoint to step over.
    DebugResult<void> resume_halted(const std::vector<pid_t>& halted);

    /// Non-stop: steps the stopped thread `tid` over the breakpoint under it with every other
    /// thread stopped (so none can run through it while its original byte is in memory),
    /// then resumes the others as they were and `tid` as `kind` says (Step: its step is
    /// over, reported as a Step stop).
    DebugResult<void> step_over_alone(pid_t tid, ResumeKind kind);

    // ---- forks and exec (inferior_forks.hpp) ----

    /// A new thread or process announced by EVENT_CLONE, frozen (F1): a thread of ours is
    /// adopted before its parent's next operation (F3), stopped (non-stop: `fresh`, resumed
    /// by resume_fresh()); a forked process gets its own copy of the int3s taken out and is
    /// let go (ForkPolicy::Detach) or is held with a copy of the table and reported as a
    /// Fork stop of `parent` (ForkPolicy::Keep); a vfork child (it shares our memory) is let
    /// go, to exec, with every int3 out of that memory until its parent thread is past the
    /// vfork (vfork_started()).
    DebugResult<void> adopt(pid_t child, pid_t parent);

    /// The thread `parent` made a child that shares our memory and that we do not trace (a
    /// vfork's, posix_spawn's): the int3s go out of memory, and a SIGSTOP of ours is asked
    /// of `parent`. The kernel holds a vfork's parent until its child has exec'd or exited,
    /// and delivers the SIGSTOP only after that; at its stop, absorb() puts the int3s back.
    DebugResult<void> vfork_started(pid_t parent);

    /// The thread `t`, past its vfork, no longer keeps the int3s out.
    DebugResult<void> vfork_ended(Thread& t);

    /// The exec stop of `tid` (decision 26; the thread is at the new program's first
    /// instruction): the other threads are forgotten (the exec ended them), the thread takes
    /// the leader's TID, the kept stops and the breakpoint table are dropped (a new table over
    /// the new program), and `report` is the Exec stop.
    DebugResult<Got> on_exec(pid_t tid, std::optional<Stop>& report);

    // ---- attaching, and the end of the process (inferior_lifetime.hpp) ----

    /// Whether a thread of `pid` is in a job-control stop (state T in /proc/<pid>/task/*/stat).
    static bool job_stopped(pid_t pid);

    /// The TIDs in /proc/<pid>/task, in its order (creation order). \errors ESRCH no such
    /// process.
    static DebugResult<std::vector<pid_t>> task_ids(pid_t pid);

    /// An attach error, with the shim's account of a refusal (decision 25).
    static DebugError attach_error(pid_t pid, pid_t tid, std::error_code code);

    /// The process has no thread left: reap it.
    DebugResult<WaitStatus> finish_status();
    DebugResult<Stop> finish();

    pid_t pid_ = 0;
    std::optional<Child> child_; ///< none when attached: not our child
    Breakpoints breakpoints_;
    PtraceFlags extra_{}; ///< added to every operation: STOP_EXIT when attached
    std::optional<WaitStatus> last_exit_;
    std::array<SignalPolicy, 65> policies_{};
    int interrupt_fd_ = -1;
    std::optional<pid_t> last_shown_;
    std::map<pid_t, Thread> threads_;   // destroyed before child_: the handles close first
    std::uint64_t threads_learned_ = 0; ///< Thread::learned of the next thread added
    std::deque<Stop> pending_;
    std::optional<Target> target_;
    std::optional<SteppedRange> ranged_; ///< run_stepping()'s thread and range while it runs
    std::optional<pid_t> current_;       ///< the thread of the last stop shown to the user
    std::set<pid_t> held_;               ///< left stopped by run(): all but cont_thread()'s thread
    std::optional<pid_t> alone_; ///< cont_thread()'s thread while it runs: its end is reported
    std::optional<WaitStatus> exit_status_;
    StopMode mode_ = StopMode::AllStop;
    ForkPolicy fork_policy_ = ForkPolicy::Detach;
    BreakpointAtResume at_resume_ = BreakpointAtResume::StepOver;
    bool follow_exec_ = false;
    std::optional<SyscallSet> caught_;           ///< set_caught_syscalls()
    std::optional<SyscallSet> syscalls_written_; ///< the threads' syscall set, when written
    std::uint64_t exec_generation_ = 0;          ///< successful execs so far
    std::map<pid_t, KeptFork> forks_;            ///< destroyed first: held children let go
};

} // namespace ptrace_api::debugger

// The members declared above and defined apart; each includes this file first.
#include <ptrace/debugger/inferior_all_stop.hpp>
#include <ptrace/debugger/inferior_forks.hpp>
#include <ptrace/debugger/inferior_lifetime.hpp>
#include <ptrace/debugger/inferior_non_stop.hpp>
#include <ptrace/debugger/inferior_threads.hpp>
