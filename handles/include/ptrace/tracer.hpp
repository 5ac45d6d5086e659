// SPDX-License-Identifier: MIT
// Tracer, EventHandler and NonblockTracer: RAII handles over a tracee's proc:<pid>/trace.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/inject.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/signal_info.hpp>
#include <ptrace/syscall_set.hpp>

#include <array>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace ptrace_api {

/// What closing a trace handle does to the tracee (A6).
enum class OnClose : std::uint8_t {
    Detach, ///< Let it run on untraced; a pending stop takes its default action (I1).
    Kill,   ///< SIGKILL it (Redox O_EXCL), also when the tracing process dies (I2).
};

/// Whether attaching stops the tracee (A5).
enum class AttachStop : std::uint8_t {
    Running, ///< It keeps running until the first operation reaches a breakpoint.
    StopNow, ///< Freeze it at once (Redox O_TRUNC), without an event; the next operation
             ///< resumes it.
};

/// Who may attach (decision 25; kernel-shim/README.md "Who may attach").
enum class AttachAccess : std::uint8_t {
    Redox,       ///< The Redox rule first (A3, decision 16: root, or the same euid or egid and
                 ///< a strict ancestor), then Linux's checks.
    LinuxChecks, ///< Linux's checks alone (same uids where Yama's ptrace_scope permits, or
                 ///< CAP_SYS_PTRACE): shim::linux_checks_only.
};

/// How to attach.
struct AttachOptions {
    AttachStop stop = AttachStop::Running;
    OnClose on_close = OnClose::Detach;
    AttachAccess access = AttachAccess::Redox;
};

/// The message of the calling thread's last failed attach (or open of a handle, or
/// inject_syscall), naming the cause: for EPERM the Redox rule and which half of it, Yama's
/// ptrace_scope, the tracer already attached, a non-dumpable task or a missing capability.
[[nodiscard]] inline std::string last_error_message() {
    return shim::last_error_message();
}

/// True when `event` reports a breakpoint (a stop bit), false for a non-breakpoint event such
/// as EVENT_CLONE (spec 1.1: `cause & STOP_MASK`).
[[nodiscard]] constexpr bool is_breakpoint(const PtraceEvent& event) noexcept {
    return event.cause.intersects(PtraceFlags::STOP_MASK);
}

class Tracer;
class NonblockTracer;

namespace detail {

/// What Tracer and NonblockTracer share: the trace handle, the register and memory handles,
/// and the events read but not handed out yet (oldest first).
struct TraceState {
    pid_t pid = 0;
    ShimFd trace;
    std::optional<Registers> regs;
    std::optional<Memory> mem;
    /// The `proc:<pid>/siginfo` handle (decision 27), opened at the first signal_info() or
    /// set_signal_info() and kept: a tracer that reads every signal's siginfo (the strace example)
    /// opens it once.
    ShimFd siginfo;
    std::vector<PtraceEvent> pending; // oldest first

    TraceState() noexcept = default;
    // Out of line (impl/tracer.ipp): the moves of the optional handles and of the vector are
    // then compiled once per program in the separately compiled mode.
    TraceState(TraceState&& other) noexcept;
    TraceState& operator=(TraceState&& other) noexcept;
    TraceState(const TraceState&) = delete;
    TraceState& operator=(const TraceState&) = delete;
    ~TraceState();

    [[nodiscard]] bool valid() const noexcept { return trace.valid(); }

    void require_valid() const noexcept {
        PTRACE_API_ASSERT(valid(), "a tracer was used after being moved from or closed");
    }

    static Result<TraceState> open(pid_t pid, AttachOptions options);

    /// One ptrace operation (B1): the 8 native-endian bytes of `flags`.
    Result<void> write(PtraceFlags flags);

    /// Appends every event the handle holds now to `out` (C1: reads never block).
    Result<void> read_all(std::vector<PtraceEvent>& out);

    Result<void> set_nonblocking(bool on);

    /// Closes every handle; `detach` first drops O_EXCL (A7: F_SETFL replaces the flag word,
    /// so the close detaches instead of killing).
    Result<void> close(bool detach);
};

/// What Tracer and NonblockTracer have in common: it owns the TraceState, closes it as the
/// options said when destroyed or assigned over (move-only), and has the members that do not
/// depend on blocking. Both tracers inherit it privately and publish its members with
/// using-declarations, which carry their documentation.
class TracerBase {
public:
    [[nodiscard]] pid_t pid() const noexcept;
    [[nodiscard]] bool valid() const noexcept { return state_.valid(); }
    [[nodiscard]] int native_handle() const noexcept { return state_.trace.get(); }

    [[nodiscard]] Registers& regs() noexcept {
        state_.require_valid();
        return *state_.regs;
    }
    [[nodiscard]] Memory& mem() noexcept {
        state_.require_valid();
        return *state_.mem;
    }

    Result<std::vector<PtraceEvent>> events();

    Result<void> wait() { return state_.write(PtraceFlags::FLAG_WAIT); }

    Result<InjectResult> inject_syscall(const InjectCall& call);

    // Issue 12: the tracee's syscall set, through a `proc:<pid>/syscalls` handle opened for
    // the call (shim/syscalls_io.hpp).
    Result<void> set_syscalls(const SyscallSet& set);
    Result<SyscallSet> syscalls();
    Result<SyscallFilterState> syscall_filter();

    // Decision 27: the held signal's siginfo, through the `proc:<pid>/siginfo` handle
    // (TraceState::siginfo): read, and replaced (its signal becomes the held one, delivered by
    // the next resume without FLAG_IGNORE).
    Result<SignalInfo> signal_info();
    Result<void> set_signal_info(const SignalInfo& info);

    Result<void> detach() && { return state_.close(true); }
    Result<void> close() && { return state_.close(false); }

protected:
    explicit TracerBase(TraceState state) noexcept : state_(std::move(state)) {}
    TracerBase(TracerBase&&) noexcept = default;
    TracerBase& operator=(TracerBase&& other) noexcept {
        if (this != &other) {
            if (state_.valid()) {
                (void)state_.close(false);
            }
            state_ = std::move(other.state_);
        }
        return *this;
    }
    TracerBase(const TracerBase&) = delete;
    TracerBase& operator=(const TracerBase&) = delete;
    ~TracerBase() {
        if (state_.valid()) {
            (void)state_.close(false);
        }
    }

    TraceState state_;

private:
    Result<ShimFd> syscalls_handle();
    /// The kept siginfo handle's fd, opened at the first use (TraceState::siginfo).
    Result<int> siginfo_handle();
};

} // namespace detail

/// The events one blocking operation woke up with, and the ways to go on from there: handle
/// the non-breakpoint events and wait again until the breakpoint is reached (STR20's
/// `EventHandler`). Obtained from Tracer::next_event(); it refers to its Tracer, which must
/// outlive it and must not be used while it is in use.
class EventHandler {
public:
    /// The events read so far for this operation, oldest first (C2).
    [[nodiscard]] std::span<const PtraceEvent> events() const noexcept {
        return {events_.data(), events_.size()}; // not the range constructor: see xstate.hpp
    }
    [[nodiscard]] auto begin() const noexcept { return events_.begin(); }
    [[nodiscard]] auto end() const noexcept { return events_.end(); }

    /// The breakpoint event among events(), if the breakpoint was reached.
    [[nodiscard]] std::optional<PtraceEvent> breakpoint() const noexcept;

    /// Waits again without resuming anything (writes FLAG_WAIT, B3/B8), then replaces
    /// events() with the events read after it. Call it after handling the events of a wake-up
    /// that brought no breakpoint.
    /// \errors ESRCH the tracee exited before reaching the breakpoint (G1); events read
    /// before the error are in events().
    Result<void> retry();

    /// Hands each non-breakpoint event to `callback`, in order, retrying the wait until the
    /// breakpoint event arrives, and returns that. `callback` takes `const PtraceEvent&` and
    /// returns void or Result<void>; an error it returns stops the loop and is returned.
    /// \errors ESRCH the tracee exited before reaching the breakpoint; the callback's errors.
    template <class Callback>
    requires std::invocable<Callback&, const PtraceEvent&> Result<PtraceEvent>
    dispatch(Callback&& callback);

    /// Drops the non-breakpoint events and waits for the breakpoint: `dispatch` with a
    /// callback that does nothing.
    Result<PtraceEvent> ignore();

private:
    friend class Tracer;
    explicit EventHandler(Tracer& tracer) noexcept : tracer_(&tracer) {}

    Tracer* tracer_;
    std::vector<PtraceEvent> events_;
};

/// A blocking tracer of one tracee (`proc:<pid>/trace`, spec 2.A-2.I), in the shape of the
/// Redox strace crate's `Tracer` (STR20). Each operation resumes the tracee with new
/// breakpoints and blocks until one is reached (B3-B7).
///
/// Non-breakpoint events (EVENT_CLONE) met while next() waits are not lost: they are kept,
/// oldest first, and handed out by events(). Use next_event() to handle them as they come.
///
/// Move-only. The destructor closes the handle: it detaches, or kills the tracee when the
/// options said OnClose::Kill (A6); call close() or detach() to see errors. Every other
/// member requires a tracer that is neither moved-from nor closed (an abort otherwise).
/// Use a tracer from one thread at a time; any thread will do (the shim runs the ptrace
/// calls on its own thread).
class Tracer : private detail::TracerBase {
public:
    /// Starts tracing `pid`, which must be a descendant of the caller with the same user (or
    /// the caller is root; A3). Also opens its register and memory handles.
    /// \errors ESRCH no such task or a zombie (A2); EPERM not allowed (A3), or `pid` is in the
    /// caller's own process; EBUSY it is traced already (A4).
    [[nodiscard]] static Result<Tracer> attach(pid_t pid, AttachOptions options = {});

    // Move-only (detail::TracerBase deletes the copies); the destructor and the move
    // assignment close the handle held, as said above.

    /// The tracee's TID now: the attach pid, except after a non-leader thread of its process
    /// execs, when Linux gives that thread its leader's TID and its tracer follows it
    /// (kernel-shim/README.md, "Exec"). 0 once moved from or closed.
    using TracerBase::pid;
    /// False once moved from or closed.
    using TracerBase::valid;
    /// The trace handle's fd, for diagnostics (use NonblockTracer to poll).
    using TracerBase::native_handle;

    /// The tracee's registers. \pre valid().
    using TracerBase::regs;
    /// The tracee's memory. \pre valid().
    using TracerBase::mem;

    /// Resumes the tracee with the breakpoints in `flags` and waits until one is reached;
    /// \returns its event (the tracee now sits at that stop until the next operation).
    /// Non-breakpoint events read on the way are kept for events().
    /// With no stop bit in `flags` there is nothing to wait for: the tracee runs to the end
    /// and the result is ESRCH (decision 8). FLAG_IGNORE applies to the stop being left (E).
    /// \pre valid().
    /// \errors ESRCH the tracee exited (G1; reap it now if it is your child, G2); EINVAL
    /// reserved bits in `flags` (B2).
    Result<PtraceEvent> next(PtraceFlags flags);

    /// Resumes the tracee with `flags`, waits until the breakpoint is reached or a
    /// non-breakpoint event arrives (B7), and returns the events read, to handle them with
    /// the EventHandler. Events kept by earlier next() calls are not included (see events()).
    /// \pre valid().
    /// \errors ESRCH the tracee exited (the events it queued before are in events()); EINVAL
    /// reserved bits.
    Result<EventHandler> next_event(PtraceFlags flags);

    /// Takes the non-breakpoint events next() kept, then every event the handle holds now,
    /// oldest first. Never blocks (C1). \pre valid(). \errors none in practice (EBADF).
    using TracerBase::events;

    /// Waits for the current breakpoint without resuming anything (FLAG_WAIT alone, B3/B8):
    /// returns at once when it is reached already or events are unread.
    /// \pre valid(). \errors ESRCH the tracee exited.
    using TracerBase::wait;

    /// Limits PRE and POST stops to the syscalls of `set` (issue 12; the empty set: every
    /// syscall again). Applied by the tracee's seccomp filter where spawn() installed one that
    /// covers `set`, else by the shim (syscall_filter() tells which); the events are the same
    /// either way. Takes effect at once, also for a running tracee. \pre valid().
    /// \errors ESRCH the tracee is gone.
    using TracerBase::set_syscalls;
    /// The syscall set (empty: none, every syscall stops). \pre valid().
    using TracerBase::syscalls;
    /// How the syscall set is applied now (kernel filter, shim, none) and why a filter that
    /// spawn() tried to install is missing. \pre valid().
    using TracerBase::syscall_filter;
    /// Issue 13 (decision 24): runs `call` in the tracee held at a stop (a breakpoint's event
    /// reached, or frozen by AttachStop::StopNow) and puts back its registers, the stack bytes
    /// of the buffers, its signal mask and the stop itself (shim::inject_syscall).
    /// \errors EBUSY not held at a stop; ESRCH gone or killed meanwhile; last_error_message()
    /// says why. \pre valid().
    using TracerBase::inject_syscall;
    /// The siginfo of the signal the tracee is held at (decision 27): at a reached STOP_SIGNAL
    /// breakpoint who sent it, or the faulting address of a SIGSEGV; at a STOP_BREAKPOINT or
    /// STOP_SINGLESTEP one the SIGTRAP of the int3 or the step. \pre valid().
    /// \errors ENODATA held at another stop, or running; ESRCH the tracee is gone.
    using TracerBase::signal_info;
    /// Replaces the siginfo of the signal the tracee is held at, at the same stops (decision
    /// 27): its signal becomes the held one, which the next resume without FLAG_IGNORE delivers
    /// with this record, also from a STOP_BREAKPOINT or STOP_SINGLESTEP breakpoint (as a
    /// debugger puts back a signal it saved before running code in the tracee). \pre valid().
    /// \errors EINVAL a signal number outside 1-64; ENODATA and ESRCH as signal_info().
    using TracerBase::set_signal_info;

    /// Switches the handle to nonblocking mode (O_NONBLOCK, M); the registers, memory and kept
    /// events move along. \pre valid().
    Result<NonblockTracer> into_nonblocking() &&;

    /// Closes the handle and detaches, even when the options said OnClose::Kill (A7 lets the
    /// flag go before the close). A pending stop takes its default action (I1).
    /// \pre valid(). \errors what the shim reports; the handle is closed in any case.
    using TracerBase::detach;

    /// Closes the handle as the options said: detach, or kill for OnClose::Kill (I1, A6).
    /// \pre valid(). \errors what the shim reports; the handle is closed in any case.
    using TracerBase::close;

private:
    friend class NonblockTracer;
    friend class EventHandler;
    explicit Tracer(detail::TraceState state) noexcept : TracerBase(std::move(state)) {}
};

/// A nonblocking tracer (O_NONBLOCK, spec 2.M): operations install breakpoints and resume
/// without waiting (M1); the events arrive later, and native_handle() polls readable when
/// some are queued or the tracee exited (C8). Several tracers can be multiplexed with
/// poll(2) (M3): wait until readable, read all events, issue the next operation.
///
/// Ownership and closing as for Tracer.
class NonblockTracer : private detail::TracerBase {
public:
    // Move-only, as Tracer.

    /// The tracee's TID now: the attach pid, except after a non-leader thread of its process
    /// execs, when Linux gives that thread its leader's TID and its tracer follows it
    /// (kernel-shim/README.md, "Exec"). 0 once moved from or closed.
    using TracerBase::pid;
    /// False once moved from or closed.
    using TracerBase::valid;
    /// The pollable fd: readable iff events are queued or the tracee exited (C8).
    using TracerBase::native_handle;

    /// The tracee's registers. \pre valid().
    using TracerBase::regs;
    /// The tracee's memory. \pre valid().
    using TracerBase::mem;

    /// Installs the breakpoints in `flags` and resumes the tracee without waiting (M1, B11:
    /// also while it runs). With FLAG_WAIT it blocks like Tracer's operations (M2).
    /// \pre valid(). \errors ESRCH the tracee exited (B10); EINVAL reserved bits.
    Result<void> next(PtraceFlags flags) { return state_.write(flags); }

    /// The oldest unread event, or nothing when none is queued now (C1). \pre valid().
    Result<std::optional<PtraceEvent>> read_event();

    /// Every event queued now, oldest first (empty when none). \pre valid().
    using TracerBase::events;

    /// Blocks until the current breakpoint is reached or events are unread, resuming nothing
    /// (FLAG_WAIT alone, M2/B8). \pre valid(). \errors ESRCH the tracee exited.
    using TracerBase::wait;

    /// Limits PRE and POST stops to the syscalls of `set` (issue 12; the empty set: every
    /// syscall again). Applied by the tracee's seccomp filter where spawn() installed one that
    /// covers `set`, else by the shim (syscall_filter() tells which); the events are the same
    /// either way. Takes effect at once, also for a running tracee. \pre valid().
    /// \errors ESRCH the tracee is gone.
    using TracerBase::set_syscalls;
    /// The syscall set (empty: none, every syscall stops). \pre valid().
    using TracerBase::syscalls;
    /// How the syscall set is applied now (kernel filter, shim, none) and why a filter that
    /// spawn() tried to install is missing. \pre valid().
    using TracerBase::syscall_filter;
    /// Issue 13 (decision 24): runs `call` in the tracee held at a stop (a breakpoint's event
    /// reached, or frozen by AttachStop::StopNow) and puts back its registers, the stack bytes
    /// of the buffers, its signal mask and the stop itself (shim::inject_syscall).
    /// \errors EBUSY not held at a stop; ESRCH gone or killed meanwhile; last_error_message()
    /// says why. \pre valid().
    using TracerBase::inject_syscall;
    /// The siginfo of the signal the tracee is held at (decision 27): at a reached STOP_SIGNAL
    /// breakpoint who sent it, or the faulting address of a SIGSEGV; at a STOP_BREAKPOINT or
    /// STOP_SINGLESTEP one the SIGTRAP of the int3 or the step. \pre valid().
    /// \errors ENODATA held at another stop, or running; ESRCH the tracee is gone.
    using TracerBase::signal_info;
    /// Replaces the siginfo of the signal the tracee is held at, at the same stops (decision
    /// 27): its signal becomes the held one, which the next resume without FLAG_IGNORE delivers
    /// with this record, also from a STOP_BREAKPOINT or STOP_SINGLESTEP breakpoint (as a
    /// debugger puts back a signal it saved before running code in the tracee). \pre valid().
    /// \errors EINVAL a signal number outside 1-64; ENODATA and ESRCH as signal_info().
    using TracerBase::set_signal_info;

    /// Switches back to blocking mode; registers, memory and unread events move along.
    /// \pre valid().
    Result<Tracer> into_blocking() &&;

    /// Closes the handle and detaches (even with OnClose::Kill). \pre valid().
    using TracerBase::detach;
    /// Closes the handle as the options said (I1, A6). \pre valid().
    using TracerBase::close;

private:
    friend class Tracer;
    explicit NonblockTracer(detail::TraceState state) noexcept : TracerBase(std::move(state)) {}
};

static_assert(std::is_nothrow_move_constructible_v<Tracer> &&
              std::is_nothrow_move_assignable_v<Tracer> && !std::is_copy_constructible_v<Tracer> &&
              !std::is_copy_assignable_v<Tracer>);
static_assert(std::is_nothrow_move_constructible_v<NonblockTracer> &&
              std::is_nothrow_move_assignable_v<NonblockTracer> &&
              !std::is_copy_constructible_v<NonblockTracer> &&
              !std::is_copy_assignable_v<NonblockTracer>);

template <class Callback>
requires std::invocable<Callback&, const PtraceEvent&> Result<PtraceEvent>
EventHandler::dispatch(Callback&& callback) {
    using R = std::invoke_result_t<Callback&, const PtraceEvent&>;
    Result<void> waited;
    for (;;) {
        std::optional<PtraceEvent> reached;
        for (const PtraceEvent& ev : events_) {
            if (is_breakpoint(ev) && !reached) {
                reached = ev;
                continue;
            }
            // Non-breakpoint events, in order (C2), including any behind the breakpoint.
            if constexpr (std::is_void_v<R>) {
                callback(ev);
            } else {
                if (auto r = callback(ev); !r) {
                    events_.clear();
                    return Unexpected(r.error());
                }
            }
        }
        events_.clear();
        if (reached) {
            return *reached;
        }
        if (!waited) {
            return Unexpected(waited.error()); // the tracee exited first (G1)
        }
        // Woken by non-breakpoint events only (B7): wait again, resuming nothing (RFC
        // "Events": read them all, then retry with FLAG_WAIT). On an error, the events
        // read with it are still handed out by the next round.
        waited = retry();
    }
}

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/tracer.ipp>
#endif
