// SPDX-License-Identifier: MIT
// A scripted ptrace backend for the shim's machine (kernel-shim/include/ptrace/shim/
// backend.hpp): it records every ptrace request and answers from tables the test fills
// (registers, float registers, event messages, siginfo, syscall info, /proc status, stops
// waiting, exits), and models the tasks' address spaces for the mem handle's
// /proc/<tid>/mem and process_vm_readv transfers (FakeSpace). No process is traced: the
// machine is driven by synthetic wait statuses.
#pragma once

#include <ptrace/shim/backend.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace test_support {

namespace shim = ptrace_api::shim;

/// A fake address space: mapped pages, some read-only. /proc/<tid>/mem and process_vm_readv
/// act on it as Linux does (spec 3.K): a transfer stops at the first unmapped page (or, for a
/// write through /proc/<tid>/mem with forced writes refused, the first read-only one) and
/// returns the bytes moved before it, or fails when that is none.
struct FakeSpace {
    static constexpr std::uint64_t page = 4096;
    std::map<std::uint64_t, std::vector<std::byte>> pages; ///< page address -> its bytes
    std::set<std::uint64_t> read_only;                     ///< page addresses

    /// Maps `count` pages from `addr` (page-aligned), filled with `fill`.
    void map(std::uint64_t addr, std::size_t count, std::byte fill = std::byte{0},
             bool writable = true) {
        for (std::size_t i = 0; i < count; ++i) {
            pages[addr + i * page].assign(page, fill);
            if (!writable) {
                read_only.insert(addr + i * page);
            }
        }
    }

    std::byte at(std::uint64_t addr) const { return pages.at(addr & ~(page - 1))[addr % page]; }

    /// Moves up to `len` bytes at `addr` (out of the space, or into it when `in` is set);
    /// `force`: writes ignore read-only pages. \returns the bytes moved.
    std::size_t move(std::uint64_t addr, std::byte* out, const std::byte* in, std::size_t len,
                     bool force) {
        std::size_t done = 0;
        while (done < len) {
            const std::uint64_t at = addr + done;
            const auto it = pages.find(at & ~(page - 1));
            if (it == pages.end() || (in != nullptr && !force && read_only.count(it->first) != 0)) {
                break;
            }
            const std::size_t n = std::min<std::size_t>(len - done, page - at % page);
            if (in != nullptr) {
                std::memcpy(it->second.data() + at % page, in + done, n);
            } else {
                std::memcpy(out + done, it->second.data() + at % page, n);
            }
            done += n;
        }
        return done;
    }
};

/// One ptrace request the machine made.
struct PtraceCall {
    long request = 0;
    pid_t tid = 0;
    std::uintptr_t data = 0; ///< the value for resumes and options; a pointer otherwise

    friend bool operator==(const PtraceCall&, const PtraceCall&) = default;
};

/// `calls` as text, for the message of a failed comparison.
inline std::string text(const std::vector<PtraceCall>& calls) {
    std::string out;
    for (const PtraceCall& c : calls) {
        out += "(" + std::to_string(c.request) + " tid " + std::to_string(c.tid) + " data " +
               std::to_string(c.data) + ") ";
    }
    return out;
}

class FakeBackend final : public shim::Backend {
public:
    // ---- the script ----
    std::map<pid_t, user_regs_struct> regs;   ///< GETREGS answers; SETREGS stores here
    std::map<pid_t, unsigned long> event_msg; ///< GETEVENTMSG
    std::map<pid_t, int> trap_code;           ///< GETSIGINFO's si_code
    std::map<pid_t, int> signo;               ///< GETSIGINFO's si_signo (default SIGTRAP)
    std::map<pid_t, siginfo_t> siginfo; ///< GETSIGINFO's whole answer (before trap_code/signo)
    std::map<pid_t, __ptrace_syscall_info> sys_info; ///< GET_SYSCALL_INFO
    std::map<pid_t, long> text;                      ///< PEEKTEXT at any address
    std::map<pid_t, shim::sys::ProcStatus> status;   ///< /proc/<tid>/status
    std::map<pid_t, std::deque<int>> stops_waiting;  ///< statuses a waitid would report
    std::set<pid_t> exited;                          ///< tasks whose pidfd polls readable
    std::map<pid_t, char> state; ///< /proc/<tid>/stat's state (else 'Z' if exited, else 't')
    shim::HandlerProbe probe{};  ///< what the D5 probe finds
    std::map<long, int> fail;    ///< request -> errno to fail it with
    std::map<pid_t, user_fpregs_struct> fpregs; ///< GETFPREGS answers; SETFPREGS stores here
    std::set<pid_t> reaped; ///< tasks whose pidfd names a reaped task: signals fail with ESRCH

    // ---- memory (K1-K4) ----
    /// Each task's current address space; tasks may share one (a vfork child and its parent).
    /// An fd of open_mem names the space the task had at the open; once no task has that space
    /// any more (exec() replaced it everywhere) the fd reads and writes EOF, as Linux's does.
    std::map<pid_t, std::shared_ptr<FakeSpace>> spaces;
    std::map<pid_t, int> open_fails; ///< open_mem of the task fails with this errno
    bool force_refused = false;      ///< proc_mem.force_override=never: no writes to read-only
    std::size_t chunk = 0;           ///< pread/pwrite move at most this many bytes a call (0: all)
    int eintr_once = 0;              ///< the next that many preads/pwrites fail with EINTR

    // ---- what happened ----
    std::vector<PtraceCall> calls;             ///< every ptrace request, in order
    std::vector<std::pair<pid_t, int>> killed; ///< (tid, signal) by pidfd or kill(2)
    int probes = 0;
    /// The memory calls: 'o' open_mem, 'r' pread, 'w' pwrite, 'v' process_vm_readv, 'e'
    /// PTRACE_PEEKDATA, 'p' PTRACE_POKEDATA (`len` 8; `result` 0 or -1).
    struct MemCall {
        char what = 0;
        pid_t tid = 0;
        std::uint64_t at = 0;
        std::size_t len = 0;
        long result = 0;
    };
    std::vector<MemCall> mem_calls;

    FakeBackend() = default;
    FakeBackend(const FakeBackend&) = delete;
    FakeBackend& operator=(const FakeBackend&) = delete;
    ~FakeBackend() override = default; // the pidfds belong to the records (PidFd)

    long ptrace(long request, pid_t tid, std::uintptr_t addr,
                std::uintptr_t data) noexcept override {
        calls.push_back({request, tid, data});
        if (const auto f = fail.find(request); f != fail.end()) {
            errno = f->second;
            return -1;
        }
        switch (request) {
        case PTRACE_PEEKDATA:
        case PTRACE_POKEDATA:
            return peek_poke(request, tid, addr, data);
        case PTRACE_GETREGS:
            return copy_out(regs, tid, data);
        case PTRACE_GETFPREGS:
            return copy_out(fpregs, tid, data);
        case PTRACE_SETFPREGS:
            std::memcpy(&fpregs[tid], reinterpret_cast<const void*>(data),
                        sizeof(user_fpregs_struct));
            return 0;
        case PTRACE_SETREGS:
            std::memcpy(&regs[tid], reinterpret_cast<const void*>(data), sizeof(user_regs_struct));
            return 0;
        case PTRACE_GETEVENTMSG:
            return copy_out(event_msg, tid, data);
        case PTRACE_GETSIGINFO: {
            if (const auto whole = siginfo.find(tid); whole != siginfo.end()) {
                std::memcpy(reinterpret_cast<void*>(data), &whole->second, sizeof whole->second);
                return 0;
            }
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
        case PTRACE_SETSIGINFO:
            std::memcpy(&siginfo[tid], reinterpret_cast<const void*>(data), sizeof(siginfo_t));
            return 0;
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
        if (reaped.count(tid_of(pidfd)) != 0) {
            errno = ESRCH;
            return -1;
        }
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

    int open_mem(pid_t tid) noexcept override {
        mem_calls.push_back({'o', tid, 0, 0, 0});
        if (const auto f = open_fails.find(tid); f != open_fails.end()) {
            errno = f->second;
            return -1;
        }
        const auto it = spaces.find(tid);
        if (it == spaces.end()) {
            errno = ENOENT;
            return -1;
        }
        const int fd = ::eventfd(0, EFD_CLOEXEC); // a real fd: the handle closes it
        if (fd >= 0) {
            mem_fds_[fd] = {tid, it->second};
        }
        return fd;
    }

    ssize_t pread(int fd, void* out, std::size_t len, off_t at) noexcept override {
        return mem_io('r', fd, static_cast<std::byte*>(out), nullptr, len, at);
    }

    ssize_t pwrite(int fd, const void* in, std::size_t len, off_t at) noexcept override {
        return mem_io('w', fd, nullptr, static_cast<const std::byte*>(in), len, at);
    }

    ssize_t process_vm_readv(pid_t tid, void* out, std::size_t len,
                             std::uint64_t addr) noexcept override {
        const auto it = spaces.find(tid);
        ssize_t n = -1;
        if (it == spaces.end()) {
            errno = ESRCH;
        } else if (const std::size_t done =
                       it->second->move(addr, static_cast<std::byte*>(out), nullptr, len, false);
                   done > 0) {
            n = static_cast<ssize_t>(done);
        } else {
            errno = EFAULT;
        }
        mem_calls.push_back({'v', tid, addr, len, n});
        return n;
    }

    /// The task execs: a new, empty address space (the old one lives on while another task,
    /// a vfork parent, still has it).
    void exec(pid_t tid) { spaces[tid] = std::make_shared<FakeSpace>(); }

    /// The memory calls of kind `what` so far.
    std::size_t mem_count(char what) const {
        std::size_t n = 0;
        for (const MemCall& c : mem_calls) {
            n += c.what == what ? 1 : 0;
        }
        return n;
    }

    /// The calls of the requests in `whole` and in `without_data`, in order, the latter with
    /// `data` zeroed (a pointer, or a value the test does not compare); then forgets all calls.
    std::vector<PtraceCall> take(std::initializer_list<long> whole,
                                 std::initializer_list<long> without_data) {
        const auto in = [](std::initializer_list<long> set, long request) {
            return std::find(set.begin(), set.end(), request) != set.end();
        };
        std::vector<PtraceCall> out;
        for (const PtraceCall& c : calls) {
            if (in(whole, c.request)) {
                out.push_back(c);
            } else if (in(without_data, c.request)) {
                out.push_back({c.request, c.tid, 0});
            }
        }
        calls.clear();
        return out;
    }

    /// The calls that act on a task (resumes, detaches, stops, register and option writes),
    /// leaving out the questions; then forgets all calls.
    std::vector<PtraceCall> take_actions() {
        return take({PTRACE_CONT, PTRACE_SYSCALL, PTRACE_SINGLESTEP, PTRACE_LISTEN, PTRACE_DETACH,
                     PTRACE_INTERRUPT, PTRACE_SEIZE, PTRACE_SETOPTIONS},
                    {PTRACE_SETREGS});
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

    /// PTRACE_PEEKDATA and POKEDATA on the task's address space: one word, through read-only
    /// pages (Linux's FOLL_FORCE for the tracer), EIO when any of its bytes is unmapped.
    long peek_poke(long request, pid_t tid, std::uintptr_t addr, std::uintptr_t data) noexcept {
        const auto it = spaces.find(tid);
        long rc = -1;
        if (it == spaces.end()) {
            errno = ESRCH;
        } else {
            std::array<std::byte, sizeof(long)> word{};
            const bool poke = request == PTRACE_POKEDATA;
            if (poke) {
                std::memcpy(word.data(), &data, word.size());
            }
            // All or nothing: a poke half into an unmapped page writes nothing.
            std::array<std::byte, sizeof(long)> now{};
            if (it->second->move(addr, now.data(), nullptr, word.size(), true) != word.size()) {
                errno = EIO;
            } else {
                if (poke) {
                    (void)it->second->move(addr, nullptr, word.data(), word.size(), true);
                } else {
                    std::memcpy(reinterpret_cast<void*>(data), now.data(), now.size());
                }
                rc = 0;
            }
        }
        mem_calls.push_back({request == PTRACE_POKEDATA ? 'p' : 'e', tid, addr, sizeof(long), rc});
        return rc;
    }

    pid_t tid_of(int pidfd) const noexcept {
        const auto it = pidfds_.find(pidfd);
        return it == pidfds_.end() ? -1 : it->second;
    }

    ssize_t mem_io(char what, int fd, std::byte* out, const std::byte* in, std::size_t len,
                   off_t at) noexcept {
        const auto it = mem_fds_.find(fd);
        if (it == mem_fds_.end()) {
            errno = EBADF;
            return -1;
        }
        const auto& [tid, fd_space] = it->second;
        ssize_t n = 0;
        if (eintr_once > 0) {
            --eintr_once;
            errno = EINTR;
            n = -1;
        } else if (!space_in_use(fd_space)) {
            n = 0; // the address space is gone: EOF (spec 3.K4, verified)
        } else {
            const std::size_t want = chunk != 0 ? std::min(chunk, len) : len;
            const std::size_t done =
                fd_space->move(static_cast<std::uint64_t>(at), out, in, want, !force_refused);
            if (done == 0) {
                errno = EIO; // Linux's answer for an unmapped page (spec 3.K1, verified)
                n = -1;
            } else {
                n = static_cast<ssize_t>(done);
            }
        }
        mem_calls.push_back({what, tid, static_cast<std::uint64_t>(at), len, n});
        return n;
    }

    bool space_in_use(const std::shared_ptr<FakeSpace>& s) const {
        for (const auto& [tid, current] : spaces) {
            if (current == s) {
                return true;
            }
        }
        return false;
    }

    std::map<int, pid_t> pidfds_;
    std::map<int, std::pair<pid_t, std::shared_ptr<FakeSpace>>> mem_fds_;
};

} // namespace test_support
