// SPDX-License-Identifier: MIT
// The ptrace backend: every Linux call the shim's machine (machine.hpp, requests.hpp) and its
// register and memory I/O (io.hpp, memory_io.hpp, xstate_io.hpp, debugregs_io.hpp) make about
// a traced task goes through `Backend`. `LinuxBackend` makes the real calls; the tests drive
// the machine with a scripted fake (tests/support/fake_backend.hpp), synthetic wait statuses
// and memory in, the ptrace requests, transfers and events out, without a tracee. Virtual:
// an indirect call costs nanoseconds next to a system call's microsecond.
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/handler_probe.hpp>
#include <ptrace/shim/sys.hpp>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim {

/// The Linux calls the machine makes about a traced task (see the top of this file).
class Backend {
public:
    Backend() = default;
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;
    virtual ~Backend() = default;

    /// ptrace(2) as the raw system call: -1 with errno set on failure; PEEK requests store
    /// their word through `data`.
    virtual long ptrace(long request, pid_t tid, std::uintptr_t addr,
                        std::uintptr_t data) noexcept = 0;

    /// waitid(2): 0, or -1 with errno set.
    virtual int waitid(idtype_t type, id_t id, siginfo_t* info, int options) noexcept = 0;

    /// /proc/<tid>/status, parsed (sys::proc_status).
    virtual Result<sys::ProcStatus> proc_status(pid_t tid) = 0;

    /// The state letter of /proc/<tid>/stat; '?' when unreadable (sys::proc_state).
    virtual char proc_state(pid_t tid) noexcept = 0;

    /// A pidfd for `tid`, -1 with errno set (sys::pidfd_open). The caller owns it.
    virtual int pidfd_open(pid_t tid) noexcept = 0;

    /// Signals the task a pidfd names: 0, or -1 with errno set.
    virtual int pidfd_send_signal(int pidfd, int sig) noexcept = 0;

    /// True when the task behind `pidfd` has exited, waiting up to `timeout_ms`.
    virtual bool pidfd_exited(int pidfd, int timeout_ms) noexcept = 0;

    /// kill(2), for a task without a pidfd.
    virtual int kill(pid_t pid, int sig) noexcept = 0;

    /// A stop of `tid` that no wait has reported yet, looked at without taking it
    /// (sys::stop_waiting).
    virtual std::optional<siginfo_t> stop_waiting(pid_t tid) noexcept = 0;

    /// D5: asks the stopped tracee for the handler of `sig` (handler_probe.hpp).
    virtual HandlerProbe probe_handler(pid_t tid, int sig, const sys::ProcStatus& status,
                                       ProbeSpace& space, long resume_request) = 0;

    /// /proc/<tid>/mem opened for reading and writing (sys::open_mem): an fd the caller owns
    /// (and closes with close(2)), or -1 with errno set.
    virtual int open_mem(pid_t tid) noexcept = 0;

    /// pread(2) and pwrite(2) on an fd open_mem returned: the bytes moved, 0 at EOF, or -1
    /// with errno set.
    virtual ssize_t pread(int fd, void* out, std::size_t len, off_t at) noexcept = 0;
    virtual ssize_t pwrite(int fd, const void* in, std::size_t len, off_t at) noexcept = 0;

    /// process_vm_readv(2) of one range: `len` bytes at the task's address `addr` into `out`.
    virtual ssize_t process_vm_readv(pid_t tid, void* out, std::size_t len,
                                     std::uint64_t addr) noexcept = 0;

    /// ptrace(2) with a pointer as `data`.
    template <class T>
    long ptrace_ptr(long request, pid_t tid, std::uintptr_t addr, T* data) noexcept {
        return ptrace(request, tid, addr, reinterpret_cast<std::uintptr_t>(data));
    }
};

/// The real calls.
class LinuxBackend final : public Backend {
public:
    long ptrace(long request, pid_t tid, std::uintptr_t addr,
                std::uintptr_t data) noexcept override {
        return sys::ptrace_raw(request, tid, addr, data);
    }
    int waitid(idtype_t type, id_t id, siginfo_t* info, int options) noexcept override {
        return ::waitid(type, id, info, options);
    }
    Result<sys::ProcStatus> proc_status(pid_t tid) override { return sys::proc_status(tid); }
    char proc_state(pid_t tid) noexcept override { return sys::proc_state(tid); }
    int pidfd_open(pid_t tid) noexcept override { return sys::pidfd_open(tid); }
    int pidfd_send_signal(int pidfd, int sig) noexcept override {
        return sys::pidfd_send_signal(pidfd, sig);
    }
    bool pidfd_exited(int pidfd, int timeout_ms) noexcept override {
        return sys::pidfd_exited(pidfd, timeout_ms);
    }
    int kill(pid_t pid, int sig) noexcept override { return ::kill(pid, sig); }
    std::optional<siginfo_t> stop_waiting(pid_t tid) noexcept override {
        return sys::stop_waiting(tid);
    }
    HandlerProbe probe_handler(pid_t tid, int sig, const sys::ProcStatus& status, ProbeSpace& space,
                               long resume_request) override {
        return probe_signal_handler(tid, sig, status, space, resume_request);
    }
    int open_mem(pid_t tid) noexcept override { return sys::open_mem(tid).release(); }
    ssize_t pread(int fd, void* out, std::size_t len, off_t at) noexcept override {
        return ::pread(fd, out, len, at);
    }
    ssize_t pwrite(int fd, const void* in, std::size_t len, off_t at) noexcept override {
        return ::pwrite(fd, in, len, at);
    }
    ssize_t process_vm_readv(pid_t tid, void* out, std::size_t len,
                             std::uint64_t addr) noexcept override {
        iovec local{out, len};
        iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(addr)), len};
        return ::process_vm_readv(tid, &local, 1, &remote, 1, 0);
    }
};

/// The facts classify() (classify.hpp) may ask about a stop, read through a backend at most
/// once per stop.
struct BackendStopFacts {
    Backend& backend;
    pid_t tid = 0;
    bool asked_info = false;
    bool have_info = false;
    __ptrace_syscall_info info{};

    std::optional<bool> syscall_entry() {
        if (syscall_info() == nullptr) {
            return std::nullopt;
        }
        return info.op == PTRACE_SYSCALL_INFO_ENTRY;
    }

    /// PTRACE_GET_SYSCALL_INFO, asked once; nullptr when Linux cannot tell.
    const __ptrace_syscall_info* syscall_info() {
        if (!asked_info) {
            asked_info = true;
            have_info = backend.ptrace_ptr(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info) > 0;
        }
        return have_info ? &info : nullptr;
    }

    [[nodiscard]] int trap_code() const {
        siginfo_t si{};
        return backend.ptrace_ptr(PTRACE_GETSIGINFO, tid, 0, &si) == 0 ? si.si_code : SI_USER;
    }
};

} // namespace ptrace_api::shim
