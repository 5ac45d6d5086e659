// SPDX-License-Identifier: MIT
// Forks and exec (inferior.hpp): a new thread or forked process announced by EVENT_CLONE
// (adopted, let go or held by the ForkPolicy), a held child taken as an Inferior of its own
// (take_fork()), and exec following: an execve's entry stepped through and the breakpoint
// table replaced (set_follow_exec(), complete_exec()).
#pragma once

#include <ptrace/debugger/inferior.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api::debugger {

// ---- forks ----

inline Inferior::KeptFork::~KeptFork() {
    if (tracer.valid() && table) {
        for (const std::uint64_t site : table->inserted_sites()) {
            (void)table->lift(site);
        }
        (void)std::move(tracer).detach();
    }
}

inline std::vector<pid_t> Inferior::forked() const {
    std::vector<pid_t> out;
    out.reserve(forks_.size());
    for (const auto& [pid, fork] : forks_) {
        out.push_back(pid);
    }
    return out;
}

inline DebugResult<Inferior> Inferior::take_fork(pid_t child) {
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
        return debug_errno(nonblocking.error().value(),
                           "forked process " + std::to_string(child) + ": cannot go nonblocking");
    }
    Inferior inferior(child, std::move(table));
    inferior.add_thread(child, std::move(*nonblocking));
    inferior.policies_ = policies_;
    inferior.fork_policy_ = fork_policy_;
    inferior.follow_exec_ = follow_exec_;
    inferior.caught_ = caught_;
    inferior.mode_ = mode_;
    return inferior;
}

inline DebugResult<void> Inferior::adopt(pid_t child, pid_t parent) {
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
        DebugResult<void> result;
        if (!shares_memory) {
            std::vector<std::uint64_t> sites = breakpoints_.inserted_sites();
            for (const std::uint64_t address : sites) {
                const std::byte original = breakpoints_.original(address);
                (void)tracer->mem().write(address, std::span<const std::byte>(&original, 1));
            }
        } else {
            result = vfork_started(parent);
        }
        (void)std::move(*tracer).detach();
        return result;
    }
    auto nonblocking = std::move(*tracer).into_nonblocking();
    if (!nonblocking) {
        return thread_error(nonblocking.error(), child, "cannot go nonblocking");
    }
    add_thread(child, std::move(*nonblocking)).fresh = mode_ == StopMode::NonStop;
    return {};
}

inline DebugResult<void> Inferior::vfork_started(pid_t parent) {
    // The child is frozen (F1) until it is detached: the int3s go out before it runs.
    if (auto r = breakpoints_.take_out(); !r) {
        (void)breakpoints_.put_back();
        return r.error();
    }
    const auto it = threads_.find(parent);
    if (it == threads_.end()) {
        return breakpoints_.put_back(); // cannot happen: the event came from a thread of ours
    }
    Thread& t = it->second;
    if (t.in_vfork) {
        (void)breakpoints_.put_back(); // one take_out() per thread and vfork
        return {};
    }
    t.in_vfork = true;
    if (t.sigstops_owed == 0) {
        send_sigstop(parent, t); // one owed already (a stop_all()) comes after the vfork too
    }
    return {};
}

inline DebugResult<void> Inferior::vfork_ended(Thread& t) {
    if (!t.in_vfork) {
        return {};
    }
    t.in_vfork = false;
    return breakpoints_.put_back();
}

// ---- exec ----

inline DebugResult<void> Inferior::set_follow_exec(bool on) {
    if (exit_status_) {
        return gone_error();
    }
    if (auto r = apply_syscall_set(caught_, on); !r) {
        return r;
    }
    follow_exec_ = on;
    return {};
}

inline DebugResult<void> Inferior::set_caught_syscalls(std::optional<SyscallSet> set) {
    if (exit_status_) {
        return gone_error();
    }
    if (auto r = apply_syscall_set(set, follow_exec_); !r) {
        return r;
    }
    // A thread at a caught entry keeps it: gdb turns catching off at every stop and on
    // again before it resumes, and then expects the return (resume() forgets the entry
    // when the thread goes on without asking for it).
    caught_ = set;
    return {};
}

inline DebugResult<void> Inferior::apply_syscall_set(const std::optional<SyscallSet>& caught,
                                                     bool follow) {
    if (!caught && !follow) {
        // Nothing asks for PRE or POST now: the set stays (an empty set would mean every
        // syscall, which no resume asks for either).
        return {};
    }
    SyscallSet set; // empty: every syscall
    if (!caught || !caught->empty()) {
        if (caught) {
            set = *caught;
        }
        if (follow) {
            set.insert(SYS_execve);
            set.insert(SYS_execveat);
        }
    }
    for (auto& [tid, t] : threads_) {
        if (auto r = t.tracer.set_syscalls(set); !r) {
            return thread_error(r.error(), tid, "cannot set its syscall set");
        }
    }
    return {};
}

inline std::string Inferior::read_string(std::uint64_t address) {
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

inline DebugResult<void> Inferior::finish_execs() {
    for (const pid_t tid : threads()) {
        const auto it = threads_.find(tid);
        if (it == threads_.end() || !it->second.exec_entry) {
            continue;
        }
        auto executed = keep_exec_stop(tid, false);
        if (!executed) {
            return executed.error();
        }
        if (*executed) {
            return {}; // the other threads are gone
        }
    }
    return {};
}

inline DebugResult<bool> Inferior::keep_exec_stop(pid_t tid, bool report_step) {
    auto stop = complete_exec(tid);
    if (!stop) {
        return stop.error();
    }
    if (stop->reason == StopReason::Exec) {
        pending_.push_back(*stop);
        return true;
    }
    // A failed exec's end (its Step) is reported only when asked; a ThreadExited is kept by
    // forget() already.
    const bool keep =
        stop->reason == StopReason::Step ? report_step : stop->reason != StopReason::ThreadExited;
    if (keep) {
        pending_.push_back(*stop);
    }
    return false;
}

inline DebugResult<Stop> Inferior::complete_exec(pid_t tid) {
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
    auto regs = read_registers(tid, threads_.at(tid), " after an execve");
    if (!regs) {
        return regs.error();
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

} // namespace ptrace_api::debugger
