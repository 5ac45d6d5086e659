// SPDX-License-Identifier: MIT
// A scripted ptrace backend for the shim's machine (kernel-shim/include/ptrace/shim/
// backend.hpp): it records every ptrace request and answers from tables the test fills
// (registers, event messages, siginfo, syscall info, /proc status, stops waiting, exits).
// No process is traced: the machine is driven by synthetic wait statuses.
#pragma once

#include <ptrace/shim/backend.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace test_support {

namespace shim = ptrace_api::shim;

/// One ptrace request the machine made.
struct PtraceCall {
    long request = 0;
    pid_t tid = 0;
    std::uintptr_t data = 0; ///< the value for resumes and options; a pointer otherwise

    friend bool operator==(const PtraceCall&, const PtraceCall&) = default;
};

class FakeBackend final : public shim::Backend {
public:
    // ---- the script ----
    std::map<pid_t, user_regs_struct> regs;          ///< GETREGS answers; SETREGS stores here
    std::map<pid_t, unsigned long> event_msg;        ///< GETEVENTMSG
    std::map<pid_t, int> trap_code;                  ///< GETSIGINFO's si_code
    std::map<pid_t, int> signo;                      ///< GETSIGINFO's si_signo (default SIGTRAP)
    std::map<pid_t, __ptrace_syscall_info> sys_info; ///< GET_SYSCALL_INFO
    std::map<pid_t, long> text;                      ///< PEEKTEXT at any address
    std::map<pid_t, shim::sys::ProcStatus> status;   ///< /proc/<tid>/status
    std::map<pid_t, std::deque<int>> stops_waiting;  ///< statuses a waitid would report
    std::set<pid_t> exited;                          ///< tasks whose pidfd polls readable
    std::map<pid_t, char> state; ///< /proc/<tid>/stat's state (else 'Z' if exited, else 't')
    shim::HandlerProbe probe{};  ///< what the D5 probe finds
    std::map<long, int> fail;    ///< request -> errno to fail it with

    // ---- what happened ----
    std::vector<PtraceCall> calls;             ///< every ptrace request, in order
    std::vector<std::pair<pid_t, int>> killed; ///< (tid, signal) by pidfd or kill(2)
    int probes = 0;

    FakeBackend() = default;
    FakeBackend(const FakeBackend&) = delete;
    FakeBackend& operator=(const FakeBackend&) = delete;
    ~FakeBackend() override = default; // the pidfds belong to the records (PidFd)

    long ptrace(long request, pid_t tid, std::uintptr_t addr,
                std::uintptr_t data) noexcept override {
        (void)addr;
        calls.push_back({request, tid, data});
        if (const auto f = fail.find(request); f != fail.end()) {
            errno = f->second;
            return -1;
        }
        switch (request) {
        case PTRACE_GETREGS:
            return copy_out(regs, tid, data);
        case PTRACE_SETREGS:
            std::memcpy(&regs[tid], reinterpret_cast<const void*>(data), sizeof(user_regs_struct));
            return 0;
        case PTRACE_GETEVENTMSG:
            return copy_out(event_msg, tid, data);
        case PTRACE_GETSIGINFO: {
            const auto it = trap_code.find(tid);
            if (it == trap_code.end()) {
                errno = EINVAL;
                return -1;
            }
            siginfo_t si{};
            const auto sig = signo.find(tid);
            si.si_signo = sig == signo.end() ? SIGTRAP : sig->second;
            si.si_code = it->second;
            std::memcpy(reinterpret_cast<void*>(data), &si, sizeof si);
            return 0;
        }
        case PTRACE_GET_SYSCALL_INFO: {
            const auto it = sys_info.find(tid);
            if (it == sys_info.end()) {
                return 0; // nothing known (op NONE)
            }
            std::memcpy(reinterpret_cast<void*>(data), &it->second, sizeof it->second);
            return static_cast<long>(sizeof it->second);
        }
        case PTRACE_PEEKTEXT:
            return copy_out(text, tid, data);
        case PTRACE_PEEKSIGINFO:
            return 0; // nothing queued
        default:
            return 0; // SEIZE, INTERRUPT, resumes, DETACH, LISTEN, SETOPTIONS
        }
    }

    int waitid(idtype_t type, id_t id, siginfo_t* info, int options) noexcept override {
        *info = siginfo_t{};
        if ((options & WSTOPPED) == 0) {
            return 0; // exits: none scripted (WNOHANG: si_pid 0)
        }
        for (auto& [tid, queue] : stops_waiting) {
            if (queue.empty() || (type == P_PID && static_cast<id_t>(tid) != id)) {
                continue;
            }
            info->si_pid = tid;
            info->si_code = CLD_TRAPPED;
            info->si_status = queue.front();
            if ((options & WNOWAIT) == 0) {
                queue.pop_front();
            }
            return 0;
        }
        return 0;
    }

    ptrace_api::Result<shim::sys::ProcStatus> proc_status(pid_t tid) override {
        const auto it = status.find(tid);
        if (it == status.end()) {
            return ptrace_api::unexpected_errno(ESRCH);
        }
        return it->second;
    }

    char proc_state(pid_t tid) noexcept override {
        if (const auto it = state.find(tid); it != state.end()) {
            return it->second;
        }
        return exited.count(tid) != 0 ? 'Z' : 't';
    }

    int pidfd_open(pid_t tid) noexcept override {
        const int fd = ::eventfd(0, EFD_CLOEXEC); // a real fd: the records close it
        if (fd >= 0) {
            pidfds_[fd] = tid;
        }
        return fd;
    }

    int pidfd_send_signal(int pidfd, int sig) noexcept override {
        killed.emplace_back(tid_of(pidfd), sig);
        return 0;
    }

    bool pidfd_exited(int pidfd, int timeout_ms) noexcept override {
        (void)timeout_ms;
        return exited.count(tid_of(pidfd)) != 0;
    }

    int kill(pid_t pid, int sig) noexcept override {
        killed.emplace_back(pid, sig);
        return 0;
    }

    std::optional<siginfo_t> stop_waiting(pid_t tid) noexcept override {
        siginfo_t si{};
        if (waitid(P_PID, static_cast<id_t>(tid), &si, WSTOPPED | WNOHANG | WNOWAIT) == 0 &&
            si.si_pid != 0) {
            return si;
        }
        return std::nullopt;
    }

    shim::HandlerProbe probe_handler(pid_t tid, int sig, const shim::sys::ProcStatus& st,
                                     shim::ProbeSpace& space, long resume_request) override {
        (void)tid;
        (void)sig;
        (void)st;
        (void)space;
        (void)resume_request;
        ++probes;
        return probe;
    }

    /// The calls that act on a task (resumes, detaches, stops, register and option writes),
    /// leaving out the questions; then forgets all calls.
    std::vector<PtraceCall> take_actions() {
        std::vector<PtraceCall> out;
        for (const PtraceCall& c : calls) {
            switch (c.request) {
            case PTRACE_CONT:
            case PTRACE_SYSCALL:
            case PTRACE_SINGLESTEP:
            case PTRACE_LISTEN:
            case PTRACE_DETACH:
            case PTRACE_INTERRUPT:
            case PTRACE_SEIZE:
                out.push_back(c);
                break;
            case PTRACE_SETREGS:
            case PTRACE_SETOPTIONS:
                out.push_back({c.request, c.tid, c.request == PTRACE_SETOPTIONS ? c.data : 0});
                break;
            default:
                break;
            }
        }
        calls.clear();
        return out;
    }

private:
    template <class Map>
    static long copy_out(const Map& map, pid_t tid, std::uintptr_t data) noexcept {
        const auto it = map.find(tid);
        if (it == map.end()) {
            errno = ESRCH;
            return -1;
        }
        std::memcpy(reinterpret_cast<void*>(data), &it->second, sizeof it->second);
        return 0;
    }

    pid_t tid_of(int pidfd) const noexcept {
        const auto it = pidfds_.find(pidfd);
        return it == pidfds_.end() ? -1 : it->second;
    }

    std::map<int, pid_t> pidfds_;
};

} // namespace test_support
