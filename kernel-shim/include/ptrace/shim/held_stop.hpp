// SPDX-License-Identifier: MIT
// The stops met while calls are injected into a tracee held at a stop (injector.hpp): waited
// for, and settled so that the held stop can be rebuilt (the held signal queued again, a
// trapping filter's SIGSYS thrown away, another signal thrown away and sent again afterwards).
// Tracer thread only.
#pragma once

#include <ptrace/shim/remote_syscalls.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/sys.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim::detail {

/// An errno and the sentence that says why.
struct InjectError {
    int err = 0;
    std::string why;
};

/// Where the held stop is in the kernel, which decides how it is left and how it is rebuilt.
enum class HeldAt : std::uint8_t {
    Entry,    // a syscall-entry stop (PRE): left by skipping the call, rebuilt by running the
              // same `syscall` instruction again
    Delivery, // a signal-delivery-stop (SIGNAL, BREAKPOINT, SINGLESTEP): the signal is queued
              // again while blocked, and rebuilt by letting it be dequeued again
    Trap,     // a syscall-exit stop (POST) or a PTRACE_EVENT_STOP (freeze, clone child):
              // rebuilt as a PTRACE_INTERRUPT stop, which resumes exactly as they do
};

/// The tracee `tid` held at a stop while calls are injected, and the stops met on the way.
class HeldStop {
protected:
    HeldStop(pid_t tid, int stop_sig) noexcept : tid_(tid), sig_(stop_sig) {}

    /// Resumes with `request` and waits until a stop whose status `want` accepts; the stops
    /// met on the way are settled (take_other_stop). False when the tracee left for its exit.
    template <class Want>
    bool resume_until(long request, Want want) {
        long data = 0;
        for (int rounds = 0; rounds < 64; ++rounds) {
            if (sys::stop_waiting(tid_) ||
                sys::ptrace_raw(request, tid_, 0, static_cast<std::uintptr_t>(data)) != 0) {
                exiting_ = true;
                return false;
            }
            siginfo_t si{};
            if (!peek_stop(si)) {
                return false;
            }
            if (want(si.si_status)) {
                return true;
            }
            data = take_other_stop(si.si_status);
            if (data < 0) {
                return false;
            }
        }
        return false;
    }

    /// Waits for the tracee's next stop and consumes it, unless it is the exit stop (or the
    /// task is gone), which is left for the tracer thread: then false.
    bool peek_stop(siginfo_t& si) {
        long rc = -1;
        do {
            rc = ::syscall(SYS_waitid, P_PID, tid_, &si, WSTOPPED | WEXITED | WNOWAIT | __WALL,
                           nullptr);
        } while (rc < 0 && errno == EINTR);
        if (rc < 0 || si.si_code != CLD_TRAPPED ||
            si.si_status == (SIGTRAP | PTRACE_EVENT_EXIT << 8)) {
            exiting_ = true;
            return false;
        }
        siginfo_t taken{};
        (void)::syscall(SYS_waitid, P_PID, tid_, &taken, WSTOPPED | WNOHANG | __WALL, nullptr);
        return true;
    }

    /// A stop that is not the one awaited, left for the caller to resume with the signal this
    /// returns (-1: the tracee is gone). A seccomp stop goes on. A signal-delivery-stop: the
    /// held signal itself is queued again (Linux dequeues the first synchronous signal of the
    /// queue whenever any unblocked one is pending, blocked or not: the queued SIGTRAP of an
    /// int3 comes out before a SIGSYS); SIGSYS of a trapping filter is noted and thrown away;
    /// another signal (an unblockable one, or one a masked wait's temporary mask lets through)
    /// is thrown away and sent again after the restore. A group-stop is passed.
    long take_other_stop(int status) {
        if (status == seccomp_stop_status || (status >> 8) == PTRACE_EVENT_STOP) {
            return 0; // a group-stop is passed (a limitation)
        }
        if ((status >> 8) == 0 && status > 0 && status < 65) {
            siginfo_t si{};
            if (sys::ptrace_ptr(PTRACE_GETSIGINFO, tid_, 0, &si) != 0) {
                return -1;
            }
            if (held_ == HeldAt::Delivery && si.si_signo == sig_) {
                return sig_; // blocked: queued again, siginfo and all
            }
            if (si.si_signo == SIGSYS && si.si_code == 1 /* SYS_SECCOMP */) {
                trapped_ = true;
            } else {
                resend_.push_back(si.si_signo);
            }
        }
        return 0;
    }

    InjectError gone_or(InjectError e) {
        if (exiting_ || sys::stop_waiting(tid_)) {
            exiting_ = true;
            return {ESRCH, "the tracee was killed during the injected call"};
        }
        return e;
    }

    pid_t tid_;
    pid_t tgid_ = 0;
    int sig_;
    HeldAt held_ = HeldAt::Trap;
    bool exiting_ = false;
    bool trapped_ = false; // a trapping filter's SIGSYS was thrown away
    int exit_status_ = 0;
    std::vector<int> resend_; // signals thrown away, sent again after the restore
};

} // namespace ptrace_api::shim::detail
