// SPDX-License-Identifier: MIT
// Thin, checked wrappers over the Linux system calls and /proc files the shim uses.
#pragma once

#include <ptrace/result.hpp>
#include <ptrace/shim/fd.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim::sys {

/// What a read(2) of a fixed-size record gives (a register set, a syscall set, a siginfo): its
/// first min(out.size(), record.size()) bytes, copied to `out`. \returns how many.
inline std::size_t read_prefix(std::span<std::byte> out,
                               std::span<const std::byte> record) noexcept {
    const std::size_t n = std::min(out.size(), record.size());
    if (n != 0) {
        std::memcpy(out.data(), record.data(), n); // an empty span may have no data pointer
    }
    return n;
}

/// The calling thread's kernel id (glibc 2.36 has gettid(), but keep the raw call explicit).
inline pid_t gettid() noexcept {
    return static_cast<pid_t>(::syscall(SYS_gettid));
}

/// ptrace(2) as the raw system call, so PEEK requests store their word through `data` and
/// every request reports failure as -1/errno in the same way.
inline long ptrace_raw(long request, pid_t tid, std::uintptr_t addr, std::uintptr_t data) noexcept {
    return ::syscall(SYS_ptrace, request, static_cast<long>(tid), addr, data);
}

/// ptrace(2) with a pointer as `data`.
template <class T>
long ptrace_ptr(long request, pid_t tid, std::uintptr_t addr, T* data) noexcept {
    return ptrace_raw(request, tid, addr, reinterpret_cast<std::uintptr_t>(data));
}

/// A word of tracee memory through PTRACE_PEEKDATA (PEEKTEXT on Linux is the same request).
/// The raw call stores the word through `data`, so any value, -1 too, is a word.
inline std::optional<std::uint64_t> peek_word(pid_t tid, std::uint64_t addr) noexcept {
    std::uint64_t word = 0;
    if (ptrace_ptr(PTRACE_PEEKDATA, tid, addr, &word) != 0) {
        return std::nullopt;
    }
    return word;
}

/// Stores a word of tracee memory through PTRACE_POKEDATA; false with errno on failure.
inline bool poke_word(pid_t tid, std::uint64_t addr, std::uint64_t word) noexcept {
    return ptrace_raw(PTRACE_POKEDATA, tid, addr, word) == 0;
}

/// Sends `sig` to one thread of this process (used to wake the tracer thread).
inline int tgkill(pid_t tgid, pid_t tid, int sig) noexcept {
    return static_cast<int>(::syscall(SYS_tgkill, tgid, tid, sig));
}

/// A stop of `tid` that no wait has reported yet, looked at without taking it (one waitid(2)
/// with WNOHANG | WNOWAIT). A SIGKILL takes a tracee out of the stop it is held at to its exit
/// stop at any time; a resume issued then would pass that stop unseen (spec 3.G, H5), so
/// every resume of a stop the tracer thread may have held for a while asks first.
/// \returns the new stop's siginfo, or nothing.
inline std::optional<siginfo_t> stop_waiting(pid_t tid) noexcept {
    siginfo_t next{};
    if (::waitid(P_PID, static_cast<id_t>(tid), &next, WSTOPPED | WNOHANG | WNOWAIT | __WALL) !=
            0 ||
        next.si_pid == 0) {
        return std::nullopt;
    }
    return next;
}

/// The path `/proc/<tid>/<file>`, built in a fixed buffer (no allocation): `file` is a short
/// literal such as "status", "stat", "maps" or "mem".
class ProcPath {
public:
    template <std::size_t N>
    ProcPath(pid_t tid, const char (&file)[N]) noexcept {
        static_assert(N <= max_file, "a longer /proc file name needs a larger buffer");
        constexpr std::string_view prefix = "/proc/";
        char* at = std::copy(prefix.begin(), prefix.end(), buf_.data());
        at = std::to_chars(at, buf_.data() + buf_.size(), tid).ptr; // room for any pid_t
        *at++ = '/';
        at = std::copy(file, file + N - 1, at);
        *at = '\0';
    }

    [[nodiscard]] const char* c_str() const noexcept { return buf_.data(); }

private:
    static constexpr std::size_t max_file = 16; // with its NUL
    // "/proc/", "-2147483648", "/", the file name and its NUL.
    std::array<char, 6 + 11 + 1 + max_file> buf_{};
};

/// /proc/<tid>/mem for reading and writing (K1, K2): the fd, or an invalid one with errno set.
inline UniqueFd<> open_mem(pid_t tid) noexcept {
    return UniqueFd<>(::open(ProcPath(tid, "mem").c_str(), O_RDWR | O_CLOEXEC));
}

/// Reads a whole small file (a /proc text file) into `out`; false with errno on failure.
inline bool read_small_file(const char* path, std::string& out) noexcept {
    const UniqueFd<> fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        return false;
    }
    out.clear();
    std::array<char, 4096> buf{};
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return false; // the close keeps errno
        }
        if (n == 0) {
            return true;
        }
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
}

/// The fields of /proc/<tid>/status the shim needs (A2, A3, A4, D5).
struct ProcStatus {
    char state = '?';
    pid_t tgid = 0;
    pid_t ppid = 0;
    pid_t tracer_pid = 0;
    std::array<std::uint64_t, 4> uid{}; // real, effective, saved, fs
    std::array<std::uint64_t, 4> gid{};
    std::uint64_t sig_pnd = 0; // signals pending for this thread
    std::uint64_t shd_pnd = 0; // signals pending for the whole process
    std::uint64_t sig_blk = 0; // the mask in force (a mask-swapping wait's temporary one)
    std::uint64_t sig_ign = 0;
    std::uint64_t sig_cgt = 0;
    int threads = 0;
    int seccomp = 0; // 0 none, 1 strict, 2 filter
};

namespace detail {

inline std::string_view field(std::string_view text, std::string_view key) noexcept {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        const std::string_view line = text.substr(pos, end - pos);
        if (line.size() > key.size() && line.substr(0, key.size()) == key &&
            line[key.size()] == ':') {
            std::string_view value = line.substr(key.size() + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
                value.remove_prefix(1);
            }
            return value;
        }
        pos = end + 1;
    }
    return {};
}

template <class T>
T number(std::string_view& text, int base = 10) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    T value{};
    const auto res = std::from_chars(text.data(), text.data() + text.size(), value, base);
    text.remove_prefix(static_cast<std::size_t>(res.ptr - text.data()));
    return value;
}

} // namespace detail

/// Parses the text of a /proc/<tid>/status file (fields it lacks stay zero).
inline ProcStatus parse_proc_status(std::string_view all) noexcept {
    ProcStatus st;
    if (const auto s = detail::field(all, "State"); !s.empty()) {
        st.state = s.front();
    }
    auto v = detail::field(all, "Tgid");
    st.tgid = detail::number<pid_t>(v);
    v = detail::field(all, "PPid");
    st.ppid = detail::number<pid_t>(v);
    v = detail::field(all, "TracerPid");
    st.tracer_pid = detail::number<pid_t>(v);
    v = detail::field(all, "Uid");
    for (auto& id : st.uid) {
        id = detail::number<std::uint64_t>(v);
    }
    v = detail::field(all, "Gid");
    for (auto& id : st.gid) {
        id = detail::number<std::uint64_t>(v);
    }
    v = detail::field(all, "SigPnd");
    st.sig_pnd = detail::number<std::uint64_t>(v, 16);
    v = detail::field(all, "ShdPnd");
    st.shd_pnd = detail::number<std::uint64_t>(v, 16);
    v = detail::field(all, "SigBlk");
    st.sig_blk = detail::number<std::uint64_t>(v, 16);
    v = detail::field(all, "SigIgn");
    st.sig_ign = detail::number<std::uint64_t>(v, 16);
    v = detail::field(all, "SigCgt");
    st.sig_cgt = detail::number<std::uint64_t>(v, 16);
    v = detail::field(all, "Threads");
    st.threads = detail::number<int>(v);
    v = detail::field(all, "Seccomp");
    st.seccomp = detail::number<int>(v);
    return st;
}

/// Reads and parses /proc/<tid>/status. \errors ESRCH when the task does not exist; the errno
/// of the failed open or read otherwise (EMFILE, ENFILE, ENOMEM...), which says nothing about
/// the task.
inline Result<ProcStatus> proc_status(pid_t tid) {
    std::string text;
    if (!read_small_file(ProcPath(tid, "status").c_str(), text)) {
        return unexpected_errno(errno == ENOENT || errno == ESRCH ? ESRCH : errno);
    }
    return parse_proc_status(text);
}

/// The scheduler state letter of /proc/<tid>/stat ('R', 'S', 't' for a ptrace-stop, 'Z'...),
/// or '?' when the task does not exist or the file cannot be read.
inline char proc_state(pid_t tid) noexcept {
    std::string text;
    if (!read_small_file(ProcPath(tid, "stat").c_str(), text)) {
        return '?';
    }
    const auto paren = text.rfind(')'); // the command name may hold spaces and parentheses
    return paren != std::string::npos && paren + 2 < text.size() ? text[paren + 2] : '?';
}

/// The current errno as an Unexpected.
inline Unexpected last_error() noexcept {
    return unexpected_errno(errno);
}

} // namespace ptrace_api::shim::sys
