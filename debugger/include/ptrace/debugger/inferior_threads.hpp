// SPDX-License-Identifier: MIT
// The debugged process's threads (inferior.hpp): the thread table and its errors, the
// per-signal policies, reading a thread's events and what each one means (absorb, on_int3),
// the stops kept to report later, and stopping running threads with SIGSTOPs of ours. Both
// modes and every operation stand on these.
#pragma once

#include <ptrace/debugger/inferior.hpp>
#include <ptrace/event.hpp>
#include <ptrace/shim/proc.hpp>
#include <ptrace/signals.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api::debugger {

// ---- the thread table ----

inline Inferior::Thread& Inferior::add_thread(pid_t tid, NonblockTracer tracer) {
    return threads_.try_emplace(tid, std::move(tracer), threads_learned_++).first->second;
}

inline std::vector<pid_t> Inferior::threads() const {
    std::vector<std::pair<std::uint64_t, pid_t>> learned;
    learned.reserve(threads_.size());
    for (const auto& [tid, t] : threads_) {
        learned.emplace_back(t.learned, tid);
    }
    std::ranges::sort(learned);
    std::vector<pid_t> out;
    out.reserve(learned.size());
    for (const auto& [order, tid] : learned) {
        out.push_back(tid);
    }
    return out;
}

inline DebugResult<IntRegisters> Inferior::registers(pid_t tid) {
    auto t = stopped(tid);
    if (!t) {
        return t.error();
    }
    return read_registers(tid, **t);
}

inline DebugResult<void> Inferior::set_registers(pid_t tid, const IntRegisters& regs) {
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

inline DebugResult<Inferior::Thread*> Inferior::known_thread(pid_t tid) {
    if (exit_status_) {
        return gone_error();
    }
    const auto found = threads_.find(tid);
    if (found == threads_.end()) {
        return debug_error(std::errc::no_such_process, "no thread " + std::to_string(tid) +
                                                           " in process " + std::to_string(pid_));
    }
    return &found->second;
}

inline DebugResult<Inferior::Thread*> Inferior::stopped(pid_t tid) {
    auto found = known_thread(tid);
    if (!found) {
        return found;
    }
    if ((*found)->state != State::Stopped) {
        return debug_error(std::errc::device_or_resource_busy,
                           "thread " + std::to_string(tid) +
                               (mode_ == StopMode::NonStop
                                    ? " is running (non-stop mode): interrupt_thread() it first"
                                    : " is not stopped (an earlier operation failed half-way)"));
    }
    return found;
}

inline void Inferior::forget(pid_t tid) {
    const auto found = threads_.find(tid);
    if (found != threads_.end()) {
        // A thread still in a vfork (its int3s out) is not put back: only the end of the
        // process (a fatal signal, exit_group) or another thread's exec ends a thread the
        // kernel holds in a vfork, and the exec's memory is the new program's.
        (void)std::move(found->second.tracer).detach();
        threads_.erase(found);
    }
    if ((target_ && target_->tid == tid) || alone_ == tid || (ranged_ && ranged_->tid == tid) ||
        (mode_ == StopMode::NonStop && !threads_.empty())) {
        // The thread a next/finish waits for, the one cont_thread() runs or the one stepped
        // while the others run; non-stop: every thread's end but the last.
        pending_.push_back(thread_exited(tid));
    }
}

inline Stop Inferior::thread_exited(pid_t tid) {
    Stop stop;
    stop.reason = StopReason::ThreadExited;
    stop.tid = tid;
    return stop;
}

inline DebugError Inferior::gone_error() const {
    return debug_error(std::errc::no_such_process, "process " + std::to_string(pid_) +
                                                       " is gone (" +
                                                       Stop::describe_exit(*exit_status_) + ")");
}

inline DebugError Inferior::thread_error(std::error_code code, pid_t tid,
                                         const std::string& what) const {
    std::string message =
        "thread " + std::to_string(tid) + " of process " + std::to_string(pid_) + ": " + what;
    if (code == std::errc::no_such_process) {
        message += ": it has exited";
    }
    return DebugError{code, std::move(message)};
}

inline DebugResult<IntRegisters> Inferior::read_registers(pid_t tid, Thread& t, const char* when) {
    auto regs = t.tracer.regs().get_int();
    if (!regs) {
        return thread_error(regs.error(), tid, std::string("cannot read its registers") + when);
    }
    return *regs;
}

inline DebugResult<void> Inferior::require_mode(StopMode mode, const char* operation) const {
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

// ---- signals ----

inline DebugResult<void> Inferior::signal_number(int signal) const {
    if (signal < 1 || signal >= static_cast<int>(policies_.size())) {
        return debug_error(std::errc::invalid_argument,
                           "signal " + std::to_string(signal) + " is out of range (1-64)");
    }
    return {};
}

inline DebugResult<void> Inferior::set_signal_policy(int signal, SignalPolicy policy) {
    if (auto r = signal_number(signal); !r) {
        return r;
    }
    policies_[static_cast<std::size_t>(signal)] = policy;
    return {};
}

inline DebugResult<void> Inferior::discard_signal(pid_t tid) {
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

inline DebugResult<void> Inferior::deliver_signal(pid_t tid, int signal) {
    if (auto r = signal_number(signal); !r) {
        return r;
    }
    auto t = stopped(tid);
    if (!t) {
        return t.error();
    }
    if ((*t)->signal == signal) {
        return {}; // it goes on with that one already
    }
    // A signal the thread blocks now (in a handler of its own, say) stays pending until it
    // unblocks it, and its arrival then is a new one, reported by its policy: the kernel does
    // the same with a signal a tracer injects while it is blocked (it queues it again), which
    // is how GNU gdbserver delivers one.
    const bool blocked = signal_blocked(tid, signal);
    if (::syscall(SYS_tgkill, pid_, tid, signal) != 0) {
        return debug_errno(errno, "cannot send signal " + std::to_string(signal) + " to thread " +
                                      std::to_string(tid));
    }
    if (!blocked) {
        (*t)->unreported |= signal_bit(signal);
    }
    if ((*t)->signal != 0) {
        (*t)->leave = PtraceFlags::FLAG_IGNORE; // the one it was stopped at: not delivered
        (*t)->signal = 0;
    }
    return {};
}

inline bool Inferior::signal_blocked(pid_t tid, int signal) const {
    const auto status = shim::sys::proc_status(tid);
    return status && (status->sig_blk & signal_bit(signal)) != 0;
}

inline DebugResult<SignalInfo> Inferior::signal_info(pid_t tid, SignalInfoOf of) {
    auto t = stopped(tid);
    if (!t) {
        return t.error();
    }
    const auto not_at_signal = [tid] {
        return debug_error(std::errc::no_message_available,
                           "thread " + std::to_string(tid) + " is not stopped at a signal");
    };
    if ((*t)->at_our_sigstop && of == SignalInfoOf::Program) {
        // Held at a SIGNAL stop, but for the SIGSTOP that stopped it: not the program's.
        return not_at_signal();
    }
    auto info = (*t)->tracer.signal_info();
    if (!info) {
        return info.error() == std::errc::no_message_available
                   ? not_at_signal()
                   : debug_errno(info.error().value(),
                                 "thread " + std::to_string(tid) + ": cannot read its siginfo");
    }
    return *info;
}

inline DebugResult<void> Inferior::set_signal_info(pid_t tid, const SignalInfo& info) {
    if (auto r = signal_number(info.signo()); !r) {
        return r;
    }
    auto t = stopped(tid);
    if (!t) {
        return t.error();
    }
    if (auto r = (*t)->tracer.set_signal_info(info); !r) {
        return r.error() == std::errc::no_message_available
                   ? debug_error(std::errc::no_message_available,
                                 "thread " + std::to_string(tid) +
                                     " is not stopped at a signal, a breakpoint or a step")
                   : debug_errno(r.error().value(),
                                 "thread " + std::to_string(tid) + ": cannot write its siginfo");
    }
    (*t)->signal = info.signo();
    (*t)->leave = PtraceFlags{}; // delivered when it goes on, as a reported signal is
    (*t)->at_our_sigstop = false;
    return {};
}

// ---- reading a thread's events and what they mean ----

inline std::vector<pid_t> Inferior::poll_threads(std::optional<State> state, int timeout_ms,
                                                 bool* interrupted) {
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

inline bool Inferior::readable_now(pid_t tid) const {
    const auto it = threads_.find(tid);
    if (it == threads_.end()) {
        return false;
    }
    pollfd fd{it->second.tracer.native_handle(), POLLIN, 0};
    return ::poll(&fd, 1, 0) > 0 && fd.revents != 0;
}

inline DebugResult<std::optional<Inferior::Got>> Inferior::service(pid_t tid) {
    if (!threads_.contains(tid)) {
        return std::optional<Got>(); // ended by another thread's exec since it was polled
    }
    Got most = Got::Nothing;
    auto alive = drain(tid, [&](Got got, const std::optional<Stop>& report) {
        if (report) {
            pending_.push_back(*report);
            if (const auto it = threads_.find(tid); it != threads_.end()) {
                it->second.stepping = false;
            }
        }
        if (got == Got::Report || (got == Got::Silent && most != Got::Report) ||
            most == Got::Nothing) {
            most = got;
        }
    });
    if (!alive) {
        return alive.error();
    }
    return *alive ? std::optional<Got>(most) : std::nullopt;
}

template <class Each>
DebugResult<bool> Inferior::drain(pid_t tid, const Each& each) {
    auto queued = threads_.at(tid).tracer.events();
    if (!queued || queued->empty()) {
        forget(tid); // readable with nothing queued: it has exited (C8, G1)
        return false;
    }
    for (const PtraceEvent& event : *queued) {
        if (!threads_.contains(tid)) {
            break; // its exec stop gave it the leader's TID (on_exec): it is held there
        }
        std::optional<Stop> report;
        auto got = absorb(tid, event, report);
        if (!got) {
            return got.error();
        }
        each(*got, report);
    }
    return true;
}

inline DebugResult<Inferior::Got> Inferior::absorb(pid_t tid, const PtraceEvent& event,
                                                   std::optional<Stop>& report) {
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
    if (std::holds_alternative<events::Exec>(v)) {
        return on_exec(tid, report); // decision 26 (follow_exec_)
    }
    if (std::holds_alternative<events::PreSyscall>(v)) {
        // Asked for the caught syscalls; any other (a foreign architecture's number) goes
        // on as a passed signal does.
        auto regs = read_registers(tid, t, " at a syscall");
        if (!regs) {
            return regs.error();
        }
        const std::uint64_t nr = regs->rax; // at PRE, rax is the number (D1)
        if (!catches(nr)) {
            return Got::ProgramSignal; // a syscall of another architecture, say: go on
        }
        t.caught_entry = nr;
        Stop stop;
        stop.reason = StopReason::SyscallEntry;
        stop.tid = tid;
        stop.rip = regs->rip;
        stop.syscall = nr;
        report = stop;
        return Got::Report;
    }
    if (std::holds_alternative<events::PostSyscall>(v)) {
        const std::optional<std::uint64_t> entered = t.caught_entry;
        t.caught_entry.reset();
        if (!entered || !catches(*entered)) {
            return Got::ProgramSignal; // one whose entry was not reported: go on
        }
        auto regs = read_registers(tid, t, " at a syscall's return");
        if (!regs) {
            return regs.error();
        }
        Stop stop;
        stop.reason = StopReason::SyscallExit;
        stop.tid = tid;
        stop.rip = regs->rip;
        stop.syscall = *entered;
        report = stop;
        return Got::Report;
    }
    if (const auto* sig = std::get_if<events::Signal>(&v)) {
        if (sig->signal == SIGSTOP && t.sigstops_owed > 0) {
            --t.sigstops_owed;
            t.leave = PtraceFlags::FLAG_IGNORE; // ours: throw it away (E2)
            t.at_our_sigstop = true;
            if (auto r = vfork_ended(t); !r) {
                return r.error();
            }
            return Got::OurStop;
        }
        if (sig->signal >= 1 && sig->signal <= 64) {
            const std::uint64_t bit = signal_bit(sig->signal);
            if ((t.unreported & bit) != 0) {
                t.unreported &= ~bit;
                return Got::ProgramSignal; // deliver_signal()'s: delivered, not reported
            }
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
        auto regs = read_registers(tid, t, " at a signal");
        if (!regs) {
            return regs.error();
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
        // Non-stop: the end of resume_thread(tid, ResumeKind::Step); all-stop: a step of
        // run_stepping(), which goes on while rip is in its range.
        auto regs = read_registers(tid, t, " at a step");
        if (!regs) {
            return regs.error();
        }
        if (ranged_ && ranged_->tid == tid && steps_on(regs->rip, ranged_->start, ranged_->end)) {
            return Got::Step; // resumed with step_flags() again
        }
        t.stepping = false;
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

inline DebugResult<Inferior::Got> Inferior::on_int3(pid_t tid, Thread& t,
                                                    std::optional<Stop>& report) {
    t.state = State::Stopped;
    t.leave = PtraceFlags::FLAG_IGNORE;
    auto regs = read_registers(tid, t, " at an int3");
    if (!regs) {
        return regs.error();
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

inline DebugResult<void> Inferior::resume(pid_t tid, PtraceFlags flags) {
    Thread& t = threads_.at(tid);
    if (!flags.contains(PtraceFlags::STOP_POST_SYSCALL)) {
        t.caught_entry.reset(); // its return will not stop
    }
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

// ---- stops kept to report later ----

inline bool Inferior::has_pending(pid_t tid) const noexcept {
    return std::any_of(pending_.begin(), pending_.end(),
                       [tid](const Stop& stop) { return stop.tid == tid; });
}

inline bool Inferior::stale(const Stop& stop) const noexcept {
    return stop.reason == StopReason::Breakpoint &&
           breakpoints_.enabled_at(stop.address) == nullptr;
}

inline std::optional<Stop> Inferior::take_pending() {
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (held_.contains(it->tid)) {
            ++it; // cont_thread(): a stop of a thread left stopped waits
            continue;
        }
        const Stop stop = *it;
        it = pending_.erase(it);
        if (!stale(stop)) {
            return stop;
        }
        resume_dropped(stop.tid);
    }
    return std::nullopt;
}

inline bool Inferior::reportable_pending() const {
    return std::any_of(pending_.begin(), pending_.end(),
                       [this](const Stop& stop) { return !held_.contains(stop.tid); });
}

inline std::optional<Stop> Inferior::take_pending_of(pid_t tid) {
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

// ---- stopping threads with SIGSTOPs of ours ----

inline void Inferior::send_sigstop(pid_t tid, Thread& t) {
    // A thread exiting now gives ESRCH here; its handle will say it exited.
    if (::syscall(SYS_tgkill, pid_, tid, SIGSTOP) == 0) {
        ++t.sigstops_owed;
    }
    t.sigstop_sent = std::chrono::steady_clock::now();
}

inline DebugResult<void> Inferior::stop_all() {
    return stop_some(threads());
}

inline std::vector<pid_t> Inferior::running_except(pid_t tid) const {
    std::vector<pid_t> running;
    for (const auto& [other, t] : threads_) {
        if (other != tid && t.state == State::Running) {
            running.push_back(other);
        }
    }
    return running;
}

inline DebugResult<void> Inferior::stop_some(const std::vector<pid_t>& which) {
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
            return debug_error(std::errc::timed_out, "process " + std::to_string(pid_) +
                                                         ": threads" + tids +
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

inline bool Inferior::any_stopping() const noexcept {
    for (const auto& [tid, t] : threads_) {
        if (t.state == State::Stopping) {
            return true;
        }
    }
    return false;
}

} // namespace ptrace_api::debugger
