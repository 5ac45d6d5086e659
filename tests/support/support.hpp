// SPDX-License-Identifier: MIT
// Integration-test helpers: spawning tracees, a per-test watchdog, guards, CHECK_ERRC, and
// the checks that end many tests.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/shim/proc.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watchdog.hpp"

/// Checks that `expr` (a Result) failed with `errc`.
#define CHECK_ERRC(expr, errc)                                                                     \
    do {                                                                                           \
        const auto check_errc_result_ = (expr);                                                    \
        CHECK_MESSAGE(!check_errc_result_.has_value(), #expr " unexpectedly succeeded");           \
        CHECK_MESSAGE(check_errc_result_.error() == std::make_error_code(errc),                    \
                      #expr " failed with: ", check_errc_result_.error().message());               \
    } while (false)

namespace support {

namespace shim = ptrace_api::shim;
using ptrace_api::FloatRegisters;
using ptrace_api::IntRegisters;
using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
using namespace std::chrono_literals;

/// The directory of the tracee programs, passed by meson (never the working directory).
inline std::string targets_dir() {
    const char* dir = std::getenv("PTRACE_API_TARGETS");
    return dir != nullptr ? dir : "";
}

inline std::string tracee_path() {
    return targets_dir() + "/tracee";
}

/// A second tracer process built on the shim (tests/targets/shim_probe.cpp).
inline std::string probe_path() {
    return targets_dir() + "/shim_probe";
}

/// The tracee of the syscall injection tests (tests/targets/injectee.cpp).
inline std::string injectee_path() {
    return targets_dir() + "/injectee";
}

/// Reads what a child printed on the pipe `fd` until EOF (bounded by the watchdog).
inline std::string read_all(int fd) {
    std::string out;
    std::array<char, 256> buf{};
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    (void)::close(fd);
    return out;
}

/// Reads one line a child printed on the pipe `fd`, without its newline (bounded by the
/// watchdog); what was read before EOF when no newline came.
inline std::string read_line(int fd) {
    std::string line;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') {
        line.push_back(c);
    }
    return line;
}

/// The cause bits of an event, whatever the field's type.
inline std::uint64_t cause(const PtraceEvent& ev) {
    return shim::rules::cause_bits(ev);
}

/// Writes a ptrace operation (8 native-endian bytes).
inline ptrace_api::Result<std::size_t> op(int fd, PtraceFlags flags) {
    std::array<std::byte, 8> bytes{};
    const std::uint64_t bits = flags.bits();
    std::memcpy(bytes.data(), &bits, sizeof bits);
    return shim::write(fd, bytes);
}

inline ptrace_api::Result<std::size_t> op_bits(int fd, std::uint64_t bits) {
    std::array<std::byte, 8> bytes{};
    std::memcpy(bytes.data(), &bits, sizeof bits);
    return shim::write(fd, bytes);
}

/// Reads every queued event.
inline std::vector<PtraceEvent> events(int fd) {
    std::vector<PtraceEvent> out;
    std::array<std::byte, sizeof(PtraceEvent) * 8> buf{};
    for (;;) {
        const auto n = shim::read(fd, buf);
        REQUIRE(n.has_value());
        if (*n == 0) {
            return out;
        }
        REQUIRE(*n % sizeof(PtraceEvent) == 0);
        for (std::size_t i = 0; i < *n; i += sizeof(PtraceEvent)) {
            PtraceEvent ev{};
            std::memcpy(&ev, buf.data() + i, sizeof ev);
            out.push_back(ev);
        }
    }
}

/// Reads exactly one event (the tracee must have stopped already).
inline PtraceEvent one_event(int fd) {
    const auto evs = events(fd);
    REQUIRE(evs.size() == 1);
    return evs.front();
}

inline IntRegisters int_regs(int fd) {
    IntRegisters regs{};
    std::array<std::byte, sizeof(IntRegisters)> buf{};
    const auto n = shim::read(fd, buf);
    REQUIRE(n.has_value());
    REQUIRE(*n == sizeof regs);
    std::memcpy(&regs, buf.data(), sizeof regs);
    return regs;
}

inline ptrace_api::Result<std::size_t> set_int_regs(int fd, const IntRegisters& regs) {
    std::array<std::byte, sizeof(IntRegisters)> buf{};
    std::memcpy(buf.data(), &regs, sizeof regs);
    return shim::write(fd, buf);
}

/// True when `fd` polls readable within `timeout_ms` (0: now), as a trace handle does when
/// events are queued or its tracee exited (C8).
inline bool readable(int fd, int timeout_ms = 0) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN) != 0;
}

/// The one-letter state from /proc/<pid>/stat ('R', 'S', 't', 'T', 'Z', ...); '?' if gone.
inline char proc_state(pid_t pid) {
    const auto st = shim::sys::proc_status(pid);
    return st ? st->state : '?';
}

inline pid_t tracer_pid(pid_t pid) {
    const auto st = shim::sys::proc_status(pid);
    return st ? st->tracer_pid : -1;
}

/// Polls `pred` every 2 ms for up to `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 3000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) {
            return true;
        }
        std::this_thread::sleep_for(2ms);
    }
    return pred();
}

/// Where a helper below was called from. Its CHECKs and REQUIREs report the helper's own line,
/// so each helper adds this to the message of a failure (defaulted at the call).
struct CallSite {
    const char* file = __builtin_FILE();
    int line = __builtin_LINE();

    /// "file:line".
    std::string str() const { return std::string(file) + ":" + std::to_string(line); }
};

/// Owns what one test case starts: tracee processes (killed and reaped at the end), shim
/// handles (closed first, so that no reaping races the tracer thread), and a watchdog that
/// SIGKILLs the tracees and fails the test when the case runs too long.
class Scenario {
public:
    explicit Scenario(std::chrono::seconds limit = std::chrono::seconds(20)) : watchdog_(limit) {}

    Scenario(const Scenario&) = delete;
    Scenario& operator=(const Scenario&) = delete;

    ~Scenario() {
        for (const int fd : fds_) {
            (void)shim::close(fd);
        }
        watchdog_.disarm();
        std::vector<pid_t> children;
        {
            std::lock_guard<std::mutex> lk(mu_);
            children = children_;
        }
        for (const pid_t pid : children) {
            (void)::kill(pid, SIGKILL);
            int status = 0;
            while (::waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
            }
        }
        if (watchdog_.fired() && std::uncaught_exceptions() == 0) {
            FAIL_CHECK("the watchdog fired: the test case took too long");
        }
    }

    /// Starts the tracee program with `args`; with `out`, its stdout is a pipe returned there;
    /// with `gate`, it waits until open_gate(*gate) before doing anything.
    pid_t spawn(const std::vector<std::string>& args, int* out = nullptr, int* gate = nullptr,
                const std::string& program = tracee_path()) {
        const std::string path = program;
        std::vector<std::string> full{path};
        if (gate != nullptr) {
            full.emplace_back("gate");
        }
        full.insert(full.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : full) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        int p[2] = {-1, -1};
        int g[2] = {-1, -1};
        if (out != nullptr) {
            REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
        }
        if (gate != nullptr) {
            REQUIRE(::pipe2(g, O_CLOEXEC) == 0);
        }
        const pid_t pid = test_support::fork_tied_to_test();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (out != nullptr) {
                (void)::dup2(p[1], STDOUT_FILENO);
            }
            if (gate != nullptr) {
                (void)::dup2(g[0], STDIN_FILENO);
            }
            ::execv(path.c_str(), argv.data());
            ::_exit(127); // never return into doctest
        }
        if (out != nullptr) {
            (void)::close(p[1]);
            *out = p[0];
        }
        if (gate != nullptr) {
            (void)::close(g[0]);
            *gate = g[1];
        }
        watchdog_.watch(pid);
        std::lock_guard<std::mutex> lk(mu_);
        children_.push_back(pid);
        return pid;
    }

    /// Opens a shim handle that must succeed; it is closed at the end unless closed before.
    int open(const std::string& path, int flags = 0) {
        const auto fd = shim::open(path, flags);
        REQUIRE_MESSAGE(fd.has_value(), path, ": ", fd.error().message());
        fds_.push_back(*fd);
        return *fd;
    }

    int open_trace(pid_t pid, int flags = 0) {
        return open("proc:" + std::to_string(pid) + "/trace", flags);
    }

    /// Starts `args` behind a gate, waits until it sleeps there, opens its trace handle with
    /// O_TRUNC (plus `flags`) and opens the gate: the tracee is frozen before its real work.
    std::pair<pid_t, int> spawn_frozen(const std::vector<std::string>& args, int flags = 0);

    /// Closes a handle opened by open() and checks the close succeeded.
    void close(int fd) {
        CHECK(shim::close(fd).has_value());
        std::erase(fds_, fd);
    }

    /// Waits (up to 5 s) for the child to exit and reaps it; -1 on timeout.
    int wait_exit(pid_t pid) {
        int status = 0;
        const bool ok = eventually(
            [&] {
                const pid_t r = ::waitpid(pid, &status, WNOHANG);
                return r == pid;
            },
            5000ms);
        if (!ok) {
            return -1;
        }
        watchdog_.forget(pid);
        std::lock_guard<std::mutex> lk(mu_);
        std::erase(children_, pid);
        return status;
    }

    bool fired() { return watchdog_.fired(); }

private:
    std::mutex mu_;
    std::vector<pid_t> children_;
    std::vector<int> fds_;
    test_support::Watchdog watchdog_; // last: its thread starts once the rest is initialised
};

/// True once a gated tracee has exec'd and sleeps in its read(2) of the gate.
inline bool at_gate(pid_t pid) {
    std::string text;
    const std::string file = "/proc/" + std::to_string(pid) + "/syscall";
    const std::string comm = "/proc/" + std::to_string(pid) + "/comm";
    std::string name;
    if (!shim::sys::read_small_file(comm.c_str(), name) || name != "tracee\n") {
        return false;
    }
    return shim::sys::read_small_file(file.c_str(), text) && text.rfind("0 0x0 ", 0) == 0;
}

/// True once a "spin" tracee has exec'd and spends its time in its loop (no syscalls).
inline bool in_spin_loop(pid_t pid) {
    std::string name;
    const std::string comm = "/proc/" + std::to_string(pid) + "/comm";
    if (!shim::sys::read_small_file(comm.c_str(), name) || name != "tracee\n") {
        return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    std::string text;
    const std::string file = "/proc/" + std::to_string(pid) + "/syscall";
    return shim::sys::read_small_file(file.c_str(), text) && text.rfind("running", 0) == 0;
}

/// Starts a "spin" tracee (a loop without syscalls) and waits until it runs that loop.
inline pid_t spinning(Scenario& sc, CallSite where = {}) {
    INFO("spinning() called from ", where.str());
    const pid_t pid = sc.spawn({"spin"});
    REQUIRE(eventually([&] { return in_spin_loop(pid); }));
    return pid;
}

/// Reaps the tracee `pid` (Scenario::wait_exit) and checks that the signal `sig` killed it.
inline void expect_death_by(Scenario& sc, pid_t pid, int sig, CallSite where = {}) {
    INFO("expect_death_by() called from ", where.str());
    const int status = sc.wait_exit(pid);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
}

/// Lets a gated tracee go on (see Scenario::spawn).
inline void open_gate(int& gate) {
    const char byte = 'g';
    CHECK(::write(gate, &byte, 1) == 1);
    (void)::close(gate);
    gate = -1;
}

inline std::pair<pid_t, int> Scenario::spawn_frozen(const std::vector<std::string>& args,
                                                    int flags) {
    int gate = -1;
    const pid_t pid = spawn(args, nullptr, &gate);
    REQUIRE(eventually([&] { return at_gate(pid); }));
    const int fd = open_trace(pid, O_TRUNC | flags);
    open_gate(gate);
    return {pid, fd};
}

/// "proc:<pid>/<kind>".
inline std::string path(pid_t pid, const char* kind) {
    return "proc:" + std::to_string(pid) + "/" + kind;
}

} // namespace support
