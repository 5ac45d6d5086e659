// SPDX-License-Identifier: MIT
// The shim's state: what it knows of each traced task (Tracee), of each trace handle's
// session (Session) and of each open handle (Handle), and the records that carry a user call
// to the tracer thread (Request, Job). Plain data: the phases that read and change it are
// classify.hpp, rules.hpp, tracees.hpp, machine.hpp (with stop_handlers.hpp and vanished.hpp)
// and requests.hpp.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/syscall_set.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <sys/types.h>
#include <sys/user.h>

namespace ptrace_api::shim::detail {

/// What a handle fd stands for (A1).
enum class HandleKind : std::uint8_t {
    Trace,
    RegsInt,
    RegsFloat,
    RegsEnv,
    Mem,
    Syscalls,
    RegsXState, // issue 13: the XSAVE area (xstate_io.hpp)
    RegsDebug,  // issue 13: the debug registers DR0-DR7 (debugregs_io.hpp)
    Siginfo,    // decision 27: the held signal's siginfo (io.hpp read_siginfo, write_siginfo)
};

/// The Linux stop a tracee sits in, as classified by the tracer thread (spec 3.1 table).
enum class StopKind : std::uint8_t {
    None,
    Interrupt,    // PTRACE_EVENT_STOP with SIGTRAP: our INTERRUPT, a new child, group-stop end
    GroupStop,    // PTRACE_EVENT_STOP with a stop signal (H)
    SyscallEntry, // D1
    SyscallExit,  // D2
    Signal,       // signal-delivery-stop (D5)
    Breakpoint,   // int3 (D6)
    Step,         // single-step trap (D4)
    Exit,         // PTRACE_EVENT_EXIT (D7)
    Event,        // fork/vfork/clone/exec/vfork-done event stops
    Seccomp,      // PTRACE_EVENT_SECCOMP: the kernel filter's RET_TRACE (issue 12); a held
                  // one is recorded as SyscallEntry, which it is for everything that follows
};

/// How a tracee is resumed: the Linux request that serves the Redox breakpoint (spec 3.1).
enum class Mode : std::uint8_t { Cont, Syscall, Step };

/// Whether the tracee is inside a syscall, for pairing syscall stops without asking Linux.
enum class SysState : std::uint8_t { Unknown, Outside, Inside };

/// Who lets a stopped tracee go, which decides whether the resume first asks Linux if a
/// SIGKILL took it out of its stop meanwhile (Tracees::stop_left): Auto, the tracer thread
/// answering a stop it has just handled (not asked); Write, a write resuming a stop held
/// since (asked).
enum class ResumeCause : std::uint8_t { Auto, Write };

struct Session;

/// A pidfd: names one task for good (never a recycled pid), shared by everything that names
/// that task (its record, its session, its handles), closed with the last of them.
class PidFd {
public:
    explicit PidFd(int fd) noexcept : fd_(fd) {}

    [[nodiscard]] int get() const noexcept { return fd_.get(); }

    /// Takes ownership of `fd` (from Backend::pidfd_open): nothing when it is negative.
    static std::shared_ptr<const PidFd> adopt(int fd) {
        return fd < 0 ? nullptr : std::make_shared<const PidFd>(fd);
    }

private:
    sys::UniqueFd<> fd_;
};

using PidRef = std::shared_ptr<const PidFd>;

/// The fd of a shared pidfd, -1 for none.
inline int fd_of(const PidRef& pidfd) noexcept {
    return pidfd ? pidfd->get() : -1;
}

/// Where a task the shim holds a record of stands before it is an ordinary tracee (F1).
enum class Birth : std::uint8_t {
    Known,             // an ordinary tracee
    FirstStopPending,  // an auto-attached child whose first stop has not arrived
    CloneEventPending, // a child that stopped before its parent's clone event named it
};

/// Decision 18: an interrupted syscall that Linux restarts unseen; its duplicate entry stop
/// is folded away when it comes.
struct PendingRestart {
    std::uint64_t nr = 0;        // the syscall number
    std::uint64_t ip = 0;        // the instruction pointer it restarts from
    bool sigreturn_seen = false; // a handler ran and returned: the restart comes next or never
    bool traced = true;          // its entry was let stop by the syscall set (issue 12)
};

/// D5: the handler probe resumed the tracee to stop again for `sig`, whose handler this is.
struct ProbedHandler {
    int sig = 0;
    std::uint64_t handler = 0;
};

/// Where a traced task is, as the tracer thread knows it.
enum class Run : std::uint8_t {
    Running, // resumed, or not stopped since the attach
    Stopped, // in a ptrace-stop that was waited for and not resumed, not reported (Held)
    /// In a ptrace-stop that was reported to its session as the breakpoint (C4): held until
    /// a write or close lets it go (not resumed automatically as a Stopped one may be).
    Held,
    Listening, // resumed with PTRACE_LISTEN from a group-stop (job-stopped, H3)
    /// In a ptrace-stop that another waiter of this process consumed (a waitpid of the
    /// program): found by check_stolen, taken over by take_stolen_stop on the tracer thread.
    Stolen,
};

/// Our PTRACE_INTERRUPT of a task, as far as its stops tell.
enum class Interrupt : std::uint8_t {
    None,
    Pending,         // sent; the stop it causes has not come yet
    CameWithThisStop // one was pending when the current (or last) stop came
};

/// One Linux task this process traces.
struct Tracee {
    pid_t tid = 0;
    pid_t tgid = 0;   // its thread group (process); 0 unknown
    pid_t origin = 0; // CloneEventPending: the thread group whose clone event must name it
    PidRef pidfd;
    Session* session = nullptr;     // the trace handle's state, if any
    Session* clone_owner = nullptr; // the session whose EVENT_CLONE named this child (F1/F2)
    Run run = Run::Running;
    bool stolen_suspect = false; // check_stolen saw it once; a second look confirms
    Birth birth = Birth::Known;
    bool detach_at_stop = false; // let it go at its next stop (F4, F2, I1)
    /// O_TRUNC or clone freeze (A5, F1): its stops are held until a write or close lifts it
    /// (an exit stop never is, H5). Set while the task may still run (its stop asked for, or
    /// its first stop still to come): an intent of its own, not a Run state.
    bool frozen = false;
    Interrupt interrupt = Interrupt::None;
    bool job_stopped = false;
    bool exitkill = false;
    long options = -1; // the options Linux has for it; -1 unknown (inherited by a child)
    std::optional<ProbedHandler> probed; // until the signal's next stop
    StopKind stop = StopKind::None;
    int stop_sig = 0;
    Mode mode = Mode::Cont;
    bool step_armed = false; // resumed with PTRACE_SINGLESTEP; its trap not yet seen
    SysState sys = SysState::Unknown;
    /// Issue 12: the syscall the tracee is inside (sys == Inside) stops under its set; its
    /// exit stop is reported (or folded) as today. False: both of its stops pass silently.
    bool traced_syscall = true;
    /// Issue 12: the set PRE and POST stops are limited to (empty: every syscall), and the set
    /// compiled into the seccomp filter the task carries (kernel path; inherited by clone
    /// children, kept across exec), with the errno of a failed install.
    SyscallSet syscalls;
    std::optional<SyscallSet> kernel_set;
    int filter_error = 0;
    bool exec_exit_pending = false;
    std::optional<PendingRestart> restart; // an -ERESTART* exit was folded away
    std::optional<user_regs_struct> regs;  // fetched once per stop; none while it runs (3.J)
    bool entry_regs_written = false;       // the tracer wrote them at this entry stop (E1)
    std::vector<std::function<void(Tracee&)>> at_stop; // served at the next stop

    /// Whether it sits in a ptrace-stop (Stopped or Held).
    [[nodiscard]] bool stopped() const noexcept { return run == Run::Stopped || run == Run::Held; }
};

/// The state behind one trace handle (Redox: the session).
struct Session {
    int efd = -1; // the handle's fd: an eventfd, readable iff events are queued or exited (C8)
    pid_t tid = 0;
    PidRef pidfd; // the tracee's (G1, G2)
    int oflags = 0;
    bool user_child = false; // the tracee is a child process of this process (G2)
    Tracee* tracee = nullptr;
    /// The breakpoint: none before the first write, nor after one without a STOP or EVENT
    /// flag (B3, decision 6).
    std::optional<PtraceFlags> bp;
    bool reached = false;
    bool exited = false;
    bool closed = false;
    bool efd_set = false;
    int error = 0; // an errno for the next blocking write to return (a stolen stop: ECHILD)
    bool ready_pending = false; // events queued but the eventfd not raised yet (flush_ready)
    std::deque<PtraceEvent> queue;
    std::vector<pid_t> unread_children;
    std::vector<pid_t> read_children;
    std::condition_variable cv;
};

/// One open handle.
struct Handle {
    HandleKind kind = HandleKind::Trace;
    int fd = -1;
    pid_t tid = 0; // the task's current TID (changes when a non-leader thread execs)
    int oflags = 0;
    PidRef pidfd; // names the task; shared with its record when this process traces it
    std::shared_ptr<Session> session;
    std::mutex mem_mu; // guards memfd, offset and, for mem handles, tid and pidfd
    sys::UniqueFd<> memfd;
    std::uint64_t offset = 0;
    /// Set by the tracer thread when the task execs: memfd names the old address space, which
    /// may live on (a vfork child's is its parent's, spec 3.K K4), so EOF would never tell.
    std::atomic<bool> mem_stale{false};

    Handle() = default;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
};

/// A user call handed to the tracer thread; `invoke(ctx, req)` returns true when it completed
/// at once, false when it completes later (at a stop) by calling Tracees::complete. The callable
/// lives in the caller's frame, which waits for completion: no allocation per call.
struct Request {
    bool (*invoke)(void* ctx, Request& req) = nullptr;
    void* ctx = nullptr;
    void (*dispose)(void* ctx) = nullptr; // set for a posted request: frees it once run
    bool done = false;
    int err = 0;
    std::uint64_t value = 0;
    std::condition_variable cv;

    bool run() { return invoke(ctx, *this); }
};

/// User code run on the tracer thread with the mutex released (Runtime::run_job): it may make
/// every shim call, which then runs inline, without a cross-thread hop per stop.
struct Job {
    void (*invoke)(void* ctx) = nullptr;
    void* ctx = nullptr;
    bool done = false;
    std::condition_variable cv;
};

} // namespace ptrace_api::shim::detail
