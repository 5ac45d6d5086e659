// SPDX-License-Identifier: MIT
// All-stop control (inferior.hpp): cont(), step_instruction(), step_over() (next) and
// step_out() (finish) over the run loop, which resumes every thread and stops them all at the
// first stop to report, and the single step under every step, which non-stop's step over a
// breakpoint and exec's completion use too; and call_instruction_length, with which
// step_over() knows a call.
#pragma once

#include <ptrace/debugger/inferior.hpp>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>

#include <poll.h>
#include <sys/types.h>

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

// ---- the operations ----

inline DebugResult<Stop> Inferior::cont() {
    if (exit_status_) {
        return gone_error();
    }
    if (auto r = require_mode(StopMode::AllStop, "cont"); !r) {
        return r.error();
    }
    return shown(run());
}

inline DebugResult<Stop> Inferior::cont_thread(pid_t tid) {
    if (exit_status_) {
        return gone_error();
    }
    if (auto r = require_mode(StopMode::AllStop, "cont_thread"); !r) {
        return r.error();
    }
    auto t = stopped(tid);
    if (!t) {
        return t.error();
    }
    return shown(run_alone(tid));
}

inline DebugResult<Stop> Inferior::step_instruction(pid_t tid, OtherThreads others) {
    if (auto r = require_mode(StopMode::AllStop, "step_instruction"); !r) {
        return r.error();
    }
    if (others == OtherThreads::Run) {
        return step_range(tid, 0, 0, others);
    }
    auto t = stopped(tid);
    if (!t) {
        return t.error();
    }
    return shown(step_one(tid, true));
}

inline DebugResult<Stop> Inferior::step_range(pid_t tid, std::uint64_t start, std::uint64_t end,
                                              OtherThreads others) {
    if (auto r = require_mode(StopMode::AllStop, "step_range"); !r) {
        return r.error();
    }
    if (start > end) {
        return debug_error(std::errc::invalid_argument,
                           "step_range: the range starts at " + detail::hex_address(start) +
                               ", above its end " + detail::hex_address(end));
    }
    auto t = stopped(tid);
    if (!t) {
        return t.error();
    }
    const auto goes_on = [&](const Stop& stop) {
        return stop.reason == StopReason::Step && stop.tid == tid && steps_on(stop.rip, start, end);
    };
    auto regs = read_registers(tid, **t);
    if (!regs) {
        return regs.error();
    }
    for (std::uint64_t rip = regs->rip;;) {
        // A breakpoint under the thread is stepped over with the others stopped (its
        // original byte is in memory for that instruction), as is a thread with no other.
        const bool over = at_resume_ == BreakpointAtResume::StepOver && breakpoints_.inserted(rip);
        if (others == OtherThreads::Run && !over && threads_.size() > 1) {
            return shown(run_stepping(tid, start, end));
        }
        auto stop = step_one(tid, true);
        if (!stop || !goes_on(*stop)) {
            return shown(stop);
        }
        rip = stop->rip;
    }
}

inline DebugResult<Stop> Inferior::step_over(pid_t tid) {
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

inline DebugResult<Stop> Inferior::step_out(pid_t tid) {
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
                                              detail::hex_address(slot) + ": " + r.error().message};
    }
    std::uint64_t return_address = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        return_address |= std::uint64_t{std::to_integer<std::uint8_t>(raw[i])} << (8 * i);
    }
    current_ = tid; // the user's thread: a breakpoint at its rip is stepped over
    return shown(run_to(tid, return_address, slot + 8));
}

// ---- the run loop ----

inline DebugResult<Stop> Inferior::run_alone(pid_t tid) {
    for (const pid_t other : threads()) {
        if (other != tid) {
            held_.insert(other);
        }
    }
    alone_ = tid;
    auto stop = run();
    held_.clear();
    alone_.reset();
    return stop;
}

inline DebugResult<Stop> Inferior::run() {
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
        bool stop_world = reportable_pending();
        bool interrupted = false;
        while (!stop_world && !threads_.empty()) {
            const std::vector<pid_t> ready = poll_threads(State::Running, -1, &interrupted);
            if (interrupted) {
                stop_world = true;
                break;
            }
            if (ready.empty()) {
                if (!held_.empty()) {
                    // cont_thread(): its thread and those it started are gone, unreported.
                    return debug_error(std::errc::no_such_process,
                                       "no thread left running: the others are held");
                }
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
                if (*got &&
                    (**got == Got::Report || (**got == Got::Silent && threads_.at(tid).over))) {
                    stop_world = true;
                }
            }
            if (reportable_pending()) {
                stop_world = true; // a fork held (ForkPolicy::Keep)
            }
            if (stop_world) {
                break;
            }
            // Stops with nothing to report and nothing to step over (a program's signal,
            // a late SIGSTOP of ours, a removed int3, a new thread) go on alone.
            for (const pid_t tid : threads()) {
                const Thread& t = threads_.at(tid);
                if (t.state == State::Stopped && !held_.contains(tid)) {
                    if (auto r = resume(tid, flags_for(t)); !r) {
                        return r.error();
                    }
                }
            }
        }
        if (auto r = stop_all(); !r) {
            return r.error();
        }
        if (interrupted && !threads_.empty()) {
            return interrupt_stop();
        }
    }
}

inline DebugResult<void> Inferior::resume_all() {
    for (const pid_t tid : threads()) {
        const auto it = threads_.find(tid);
        if (it == threads_.end() || it->second.state != State::Stopped || !it->second.over ||
            held_.contains(tid)) {
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
        const bool range_ended = ranged_ && ranged_->tid == tid && threads_.contains(tid) &&
                                 !threads_.at(tid).stepping; // run_stepping()'s step ended
        if ((stop->reason != StopReason::Step && stop->reason != StopReason::ThreadExited) ||
            (range_ended && stop->reason == StopReason::Step)) {
            pending_.push_back(*stop);
        }
    }
    if (reportable_pending()) {
        return {};
    }
    for (const pid_t tid : threads()) {
        const Thread& t = threads_.at(tid);
        if (t.state == State::Stopped && !held_.contains(tid)) {
            if (auto r = resume(tid, flags_for(t)); !r) {
                return r;
            }
        }
    }
    return {};
}

inline DebugResult<void> Inferior::over_current() {
    if (!current_) {
        return {};
    }
    const auto it = threads_.find(*current_);
    current_.reset();
    if (it == threads_.end() || it->second.state != State::Stopped) {
        return {};
    }
    if (at_resume_ == BreakpointAtResume::Hit) {
        it->second.over.reset(); // whatever it was shown stopped at: hit if still there
        return {};
    }
    auto regs = read_registers(it->first, it->second);
    if (!regs) {
        return regs.error();
    }
    if (breakpoints_.inserted(regs->rip)) {
        it->second.over = regs->rip;
    }
    return {};
}

inline DebugResult<Stop> Inferior::shown(DebugResult<Stop> stop) {
    if (stop && stop->reason != StopReason::Exited && stop->reason != StopReason::ThreadExited) {
        current_ = stop->tid;
        last_shown_ = stop->tid;
    }
    return stop;
}

inline DebugResult<Stop> Inferior::interrupt_stop() {
    // The thread last shown, else the main thread, else the first one learned of (as numbered).
    pid_t tid = threads_.contains(pid_) ? pid_ : threads().front();
    if (last_shown_ && threads_.contains(*last_shown_)) {
        tid = *last_shown_;
    }
    return interrupted_at(tid);
}

inline DebugResult<Stop> Inferior::interrupted_at(pid_t tid) {
    auto regs = read_registers(tid, threads_.at(tid));
    if (!regs) {
        return regs.error();
    }
    Stop stop;
    stop.reason = StopReason::Interrupted;
    stop.tid = tid;
    stop.rip = regs->rip;
    return stop;
}

inline DebugResult<Stop> Inferior::run_to(pid_t tid, std::uint64_t address, std::uint64_t min_rsp) {
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

inline DebugResult<Stop> Inferior::run_stepping(pid_t tid, std::uint64_t start, std::uint64_t end) {
    Thread& t = threads_.at(tid);
    t.over.reset(); // none to step over (step_range()); at_resume_ Hit: executed, a hit
    t.stepping = true;
    if (current_ == tid) {
        current_.reset();
    }
    ranged_ = SteppedRange{tid, start, end};
    auto stop = run();
    ranged_.reset();
    for (auto& [other, thread] : threads_) {
        thread.stepping = false;
    }
    if (stop && stop->tid != tid) {
        // Another thread's stop is reported: a step of `tid` that ended meanwhile is not a
        // stop of its own (as after cont(), the thread is simply stopped where it is).
        std::erase_if(pending_, [tid](const Stop& kept) {
            return kept.tid == tid && kept.reason == StopReason::Step;
        });
    }
    return stop;
}

// ---- one instruction ----

inline DebugResult<Stop> Inferior::step_one(pid_t tid, bool user) {
    Thread& t = threads_.at(tid);
    std::optional<std::uint64_t> lifted;
    if (user && at_resume_ == BreakpointAtResume::Hit) {
        t.over.reset(); // a breakpoint at its rip is executed: a hit
    } else if (user) {
        // The user's thread: a breakpoint at its rip is one it was shown stopped at, or
        // one set there since; either way it is stepped over, not hit (as gdb does).
        auto regs = read_registers(tid, t);
        if (!regs) {
            return regs.error();
        }
        t.over = regs->rip;
    }
    if (t.over) {
        const std::uint64_t site = *t.over;
        t.over.reset();
        auto regs = read_registers(tid, t);
        if (!regs) {
            return regs.error();
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

inline DebugResult<Stop> Inferior::single_step(pid_t tid, bool watch_interrupt) {
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
            std::array<pollfd, 2> fds{pollfd{threads_.at(tid).tracer.native_handle(), POLLIN, 0},
                                      pollfd{interrupt_fd_, POLLIN, 0}};
            while (::poll(fds.data(), watch ? 2 : 1, -1) < 0 && errno == EINTR) {
            }
            if (watch && fds[1].revents != 0 && fds[0].revents == 0) {
                send_sigstop(tid, threads_.at(tid));
                interrupting = true;
                continue;
            }
            std::optional<Got> last; // the last event that meant something
            std::optional<Stop> own; // the last report
            auto alive = drain(tid, [&](Got got, const std::optional<Stop>& report) {
                if (report) {
                    own = report;
                }
                if (got != Got::Nothing) {
                    last = got;
                }
            });
            if (!alive) {
                return alive.error();
            }
            if (!*alive) {
                return thread_exited(tid);
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
            if (own) {
                return *own;
            }
            auto regs = read_registers(tid, threads_.at(tid));
            if (!regs) {
                return regs.error();
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

} // namespace ptrace_api::debugger
