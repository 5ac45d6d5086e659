// SPDX-License-Identifier: MIT
// Non-stop control (inferior.hpp): each thread resumed (resume_thread()), stopped
// (interrupt_thread()) and reported (wait_stop()) alone, the switch between the modes, and
// the settling of threads after stops nobody asked for: a breakpoint stepped over with the
// other threads stopped for that moment only.
#pragma once

#include <ptrace/debugger/inferior.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace ptrace_api::debugger {

// ---- the operations ----

inline DebugResult<void> Inferior::set_stop_mode(StopMode mode) {
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
        for (auto& [tid, t] : threads_) {
            t.stepping = false;
            t.fresh = false;
        }
    }
    current_.reset();
    mode_ = mode;
    return {};
}

inline DebugResult<void> Inferior::resume_thread(pid_t tid, ResumeKind kind) {
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
    auto regs = read_registers(tid, **t);
    if (!regs) {
        return regs.error();
    }
    if (at_resume_ == BreakpointAtResume::Hit) {
        (*t)->over.reset(); // a breakpoint at its rip is executed: a hit
    } else if (breakpoints_.inserted(regs->rip)) {
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

inline DebugResult<Stop> Inferior::interrupt_thread(pid_t tid) {
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
    threads_.at(tid).stepping = false;
    return interrupted_at(tid);
}

inline DebugResult<std::optional<Stop>>
Inferior::wait_stop(std::optional<std::chrono::milliseconds> timeout) {
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

// ---- settling threads after stops nobody asked for ----

inline DebugResult<void> Inferior::resume_fresh() {
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

inline void Inferior::resume_dropped(pid_t tid) {
    const auto it = threads_.find(tid);
    if (mode_ != StopMode::NonStop || it == threads_.end() || it->second.state != State::Stopped ||
        has_pending(tid)) {
        return;
    }
    it->second.over.reset(); // rip is on the removed breakpoint's address: nothing to step
    (void)resume(tid, flags_for(it->second));
}

inline DebugResult<void> Inferior::nonstop_service(pid_t tid) {
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

inline DebugResult<void> Inferior::settle_halted(std::vector<pid_t> halted) {
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
    if (auto r = resume_halted(halted); !r) {
        return r;
    }
    return resume_fresh();
}

inline DebugResult<void> Inferior::resume_halted(const std::vector<pid_t>& halted) {
    for (const pid_t tid : halted) {
        const auto it = threads_.find(tid);
        if (it == threads_.end() || it->second.state != State::Stopped || has_pending(tid)) {
            continue;
        }
        Thread& t = it->second;
        if (t.over && breakpoints_.inserted(*t.over)) {
            auto regs = t.tracer.regs().get_int();
            if (regs && regs->rip == *t.over) {
                const ResumeKind kind = t.stepping ? ResumeKind::Step : ResumeKind::Continue;
                if (auto r = step_over_alone(tid, kind); !r) {
                    return r;
                }
                continue;
            }
        }
        t.over.reset();
        if (auto r = resume(tid, flags_for(t)); !r) {
            return r;
        }
    }
    return {};
}

inline DebugResult<void> Inferior::step_over_alone(pid_t tid, ResumeKind kind) {
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

} // namespace ptrace_api::debugger
