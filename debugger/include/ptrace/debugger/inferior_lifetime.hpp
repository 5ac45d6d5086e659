// SPDX-License-Identifier: MIT
// The life of a debugged process (inferior.hpp): launching it, attaching to a running one
// thread by thread, detaching (the int3s taken out, our SIGSTOPs undone), killing it, and
// reaping it when its last thread is gone.
#pragma once

#include <ptrace/debugger/inferior.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api::debugger {

inline DebugResult<Inferior> Inferior::launch(const Command& command) {
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
    inferior.add_thread(pid, std::move(*tracer));
    return inferior;
}

inline DebugResult<Inferior> Inferior::attach(pid_t pid, AttachAccess access) {
    if (pid <= 0) {
        return debug_error(std::errc::invalid_argument, "cannot attach to process " +
                                                            std::to_string(pid) +
                                                            ": not a process id");
    }
    if (pid == ::getpid()) {
        return debug_error(std::errc::operation_not_permitted, "cannot attach to process " +
                                                                   std::to_string(pid) +
                                                                   ": it is the debugger itself");
    }
    std::vector<std::pair<pid_t, NonblockTracer>> attached; // in the order of /proc/PID/task
    for (bool grew = true; grew;) {
        grew = false;
        auto tids = task_ids(pid);
        if (!tids) {
            return tids.error();
        }
        for (const pid_t tid : *tids) {
            if (std::ranges::any_of(attached, [tid](const auto& a) { return a.first == tid; })) {
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
            attached.emplace_back(tid, std::move(*nonblocking));
            grew = true;
        }
    }
    auto bps = Breakpoints::open(pid);
    if (!bps) {
        return bps.error();
    }
    Inferior inferior(pid, std::move(*bps));
    for (auto& [tid, tracer] : attached) {
        inferior.add_thread(tid, std::move(tracer));
    }
    return inferior;
}

inline DebugResult<void> Inferior::detach() {
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

inline DebugResult<WaitStatus> Inferior::kill() {
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

inline bool Inferior::job_stopped(pid_t pid) {
    auto tids = task_ids(pid);
    if (!tids) {
        return false;
    }
    for (const pid_t tid : *tids) {
        std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat");
        std::string text;
        std::getline(in, text);
        const std::size_t paren = text.rfind(')');
        if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'T') {
            return true;
        }
    }
    return false;
}

inline DebugResult<std::vector<pid_t>> Inferior::task_ids(pid_t pid) {
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
        return debug_error(std::errc::no_such_process,
                           "cannot attach to process " + std::to_string(pid) + ": no such process");
    }
    return out; // not sorted: Linux lists a process's threads in the order they were created
}

inline DebugError Inferior::attach_error(pid_t pid, pid_t tid, std::error_code code) {
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

inline DebugResult<WaitStatus> Inferior::finish_status() {
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

inline DebugResult<Stop> Inferior::finish() {
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

} // namespace ptrace_api::debugger
