// SPDX-License-Identifier: MIT
// Forks and exec (inferior.hpp): a new thread or forked process announced by EVENT_CLONE
// (adopted, let go or held by the ForkPolicy), a held child taken as an Inferior of its own
// (take_fork()), exec following (the exec stop, the threads and the breakpoint table after
// it: set_follow_exec(), on_exec()) and the syscall sets of set_caught_syscalls().
#pragma once

#include <ptrace/debugger/inferior.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <system_error>
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
    inferior.at_resume_ = at_resume_;
    inferior.follow_exec_ = follow_exec_;
    inferior.caught_ = caught_;
    inferior.syscalls_written_ = syscalls_written_; // the child inherited the set
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
    const auto it = threads_.find(parent);
    if (it == threads_.end() || it->second.in_vfork) {
        return {}; // cannot happen: the event came from a thread of ours, not in a vfork
    }
    // The child is frozen (F1) until it is detached: the int3s go out before it runs.
    if (auto r = breakpoints_.take_out(); !r) {
        (void)breakpoints_.put_back(); // those taken out go back: the child meets them all
        return r.error();
    }
    Thread& t = it->second;
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
    follow_exec_ = on; // asked for (STOP_EXEC) at each thread's next resume
    return {};
}

inline DebugResult<void> Inferior::set_caught_syscalls(std::optional<SyscallSet> set) {
    if (exit_status_) {
        return gone_error();
    }
    // Each thread's syscall set is written when it changes, and only then: gdb turns catching
    // off at every stop and on again, with the same set, before it resumes. Off, the set stays
    // (no resume asks for PRE or POST); new threads and forked children inherit it.
    if (set && set != syscalls_written_) {
        for (auto& [tid, t] : threads_) {
            if (auto r = t.tracer.set_syscalls(*set); !r) {
                syscalls_written_.reset(); // some threads have it, some not
                return thread_error(r.error(), tid, "cannot set its syscall set");
            }
        }
        syscalls_written_ = set;
    }
    // A thread at a caught entry keeps it across that off and on, and its return is reported
    // (resume() forgets the entry when the thread goes on without asking for returns).
    caught_ = set;
    return {};
}

// ---- exec ----

inline DebugResult<Inferior::Got> Inferior::on_exec(pid_t tid, std::optional<Stop>& report) {
    auto regs = read_registers(tid, threads_.at(tid), " after an exec");
    if (!regs) {
        return regs.error();
    }
    // The other threads were ended by the exec: forget them (their handles say so).
    for (auto it = threads_.begin(); it != threads_.end();) {
        if (it->first == tid) {
            ++it;
            continue;
        }
        // (A vfork's int3s taken out are not put back: that memory is gone, and its table
        // with it; a put_back() now would write them into the new program.)
        (void)std::move(it->second.tracer).detach();
        it = threads_.erase(it);
    }
    Thread& t = threads_.at(tid);
    t.stepping = false;
    t.over.reset();
    t.caught_entry.reset(); // a caught execve's return: none comes (decision 17)
    t.in_vfork = false;
    const pid_t now = t.tracer.pid(); // the leader's TID, Linux's rule
    if (now != tid && now > 0) {
        if (auto node = threads_.extract(tid); !node.empty()) {
            node.key() = now;
            threads_.insert(std::move(node));
        }
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
    std::error_code ec;
    exec.path = std::filesystem::read_symlink("/proc/" + std::to_string(pid_) + "/exe", ec);
    report = exec;
    return Got::Report;
}

} // namespace ptrace_api::debugger
