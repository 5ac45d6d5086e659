// SPDX-License-Identifier: MIT
// The fault campaign's shared half, used by the campaign (tracer in the test process) and by
// fault_tracer (the tracer whose death is the fault): the places a tracee can be in when a
// fault hits, as a table; the handle modes; starting the tracee and driving it to a place
// through the shim, checking every event read on the way; and small /proc readers.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/proc.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd_limit.hpp"

namespace faults {

namespace shim = ptrace_api::shim;
using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// How long the campaign waits for a tracee to become reapable, to be let go, or for an event
/// (the brief's bound: a tracee must be reapable by its real parent within 2 s).
inline constexpr auto reap_limit = 2000ms;
/// How long the way to a place may take (one stop, on a loaded machine).
inline constexpr auto stop_limit = 5000ms;

// ---------------------------------------------------------------------------------------
// The dimensions of the campaign

/// Where the tracee is when the fault hits.
enum class Place : std::uint8_t {
    Pre,           // held at a PRE_SYSCALL stop (the marker getppid)
    Post,          // held at a POST_SYSCALL stop (the marker getppid)
    SignalCaught,  // held at a SIGNAL stop for SIGUSR1 with a handler
    SignalDefault, // ... with SIG_DFL (its default action terminates)
    SignalIgnored, // ... with SIG_IGN
    Breakpoint,    // held at a BREAKPOINT stop (int3)
    SingleStep,    // held at a SINGLESTEP stop (the third step)
    Exit,          // held at the EXIT stop of exit(7)
    CloneFrozen,   // a fork child frozen after its EVENT_CLONE was read, not adopted
    TruncFrozen,   // frozen by O_TRUNC and never written
    GroupStop,     // job-stopped by SIGSTOP, a write waiting (H3)
    Probe,         // a storm of caught signals, each probed for its handler (D5)
    Running,       // a busy loop without system calls, a write waiting
    Blocked,       // blocked in read(2) on a pipe, a write waiting
};

inline constexpr std::array all_places = {
    Place::Pre,           Place::Post,        Place::SignalCaught, Place::SignalDefault,
    Place::SignalIgnored, Place::Breakpoint,  Place::SingleStep,   Place::Exit,
    Place::CloneFrozen,   Place::TruncFrozen, Place::GroupStop,    Place::Probe,
    Place::Running,       Place::Blocked,
};

/// The trace handle's open flags besides O_TRUNC.
enum class Mode : std::uint8_t { Plain, Excl, Nonblock };

inline constexpr std::array all_modes = {Mode::Plain, Mode::Excl, Mode::Nonblock};

inline const char* mode_name(Mode m) {
    switch (m) {
    case Mode::Plain:
        return "plain";
    case Mode::Excl:
        return "O_EXCL";
    case Mode::Nonblock:
        return "O_NONBLOCK";
    }
    return "?";
}

inline int mode_flags(Mode m) {
    return m == Mode::Excl ? O_EXCL : m == Mode::Nonblock ? O_NONBLOCK : 0;
}

/// The wait status a tracee should end with, and how it gets there.
struct Fate {
    enum class Kind : std::uint8_t {
        Exited,     // let go: runs on to its tail and exits with `value` once told to
        Ended,      // exits with `value` by itself (its exit was under way: EXIT place)
        Killed,     // dies by signal `value`
        JobStopped, // let go but job-stopped (H1): after SIGCONT and the finish byte, exits
                    // with `value`
    };
    Kind kind = Kind::Exited;
    int value = 0;

    friend bool operator==(const Fate&, const Fate&) = default;
};

inline Fate exits(int code) {
    return {Fate::Kind::Exited, code};
}
inline Fate ended(int code) {
    return {Fate::Kind::Ended, code};
}
inline Fate killed(int sig) {
    return {Fate::Kind::Killed, sig};
}
inline Fate job_stopped(int code) {
    return {Fate::Kind::JobStopped, code};
}

inline std::string fate_text(const Fate& f) {
    switch (f.kind) {
    case Fate::Kind::Exited:
        return "let go, exit " + std::to_string(f.value);
    case Fate::Kind::Ended:
        return "exit " + std::to_string(f.value) + " by itself";
    case Fate::Kind::Killed:
        return std::string("killed by ") + (f.value == SIGKILL   ? "SIGKILL"
                                            : f.value == SIGUSR1 ? "SIGUSR1"
                                            : f.value == SIGSEGV ? "SIGSEGV"
                                            : f.value == SIGTRAP ? "SIGTRAP"
                                                                 : std::to_string(f.value));
    case Fate::Kind::JobStopped:
        return "job-stopped, then exit " + std::to_string(f.value);
    }
    return "?";
}

/// One step on the way to a place: a write of `op` and the events it must produce.
struct Step {
    PtraceFlags op;
    /// The events, in order, as text (event_text): "PRE", "SIGNAL(10,handler)"...
    std::vector<std::string> events;
};

/// One row of the place table: what the tracee runs, how the tracer brings it to the place,
/// and what the spec says of it. Every write includes STOP_EXIT, so that a SIGKILL shows as
/// EXIT(9) (H5, D7).
struct PlaceRow {
    Place place;
    const char* name;
    std::vector<std::string> args;
    std::vector<Step> steps;
    /// After the steps, a write of `wait_op` is left waiting (blocking modes) or posted
    /// (O_NONBLOCK) while the tracee runs or is job-stopped; none for a place held at a stop.
    std::optional<PtraceFlags> wait_op;
    /// I1: how the tracee ends when its handle is closed without O_EXCL (the syscall runs,
    /// the signal is delivered, int3 continues, a job-stop persists).
    Fate detach;
    /// What a blocking write of PRE|EXIT (IGNORE at a breakpoint) brings from this place
    /// (the write made under fd exhaustion); nothing where a write is already waiting.
    std::optional<PtraceFlags> next_op;
    std::vector<std::string> next_events;
    /// The tracee is frozen (A5, F1): a SIGKILL must end it at once (H5).
    bool frozen = false;
};

inline const PtraceFlags exit_bp = PtraceFlags::STOP_EXIT;
inline const PtraceFlags pre_exit = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_EXIT;

/// The place table.
inline const std::vector<PlaceRow>& place_table() {
    using F = PtraceFlags;
    static const std::vector<PlaceRow> rows = {
        {Place::Pre,
         "PRE",
         {"marker"},
         {{pre_exit, {"PRE"}}},
         std::nullopt,
         exits(0),
         pre_exit,
         {"PRE"}},
        {Place::Post,
         "POST",
         {"marker"},
         {{F::STOP_POST_SYSCALL | exit_bp, {"POST"}}, {F::STOP_POST_SYSCALL | exit_bp, {"POST"}}},
         std::nullopt,
         exits(0),
         pre_exit,
         {"PRE"}},
        {Place::SignalCaught,
         "SIGNAL caught",
         {"raise", "handler"},
         {{F::STOP_SIGNAL | exit_bp, {"SIGNAL(10,handler)"}}},
         std::nullopt,
         exits(0), // the handler ran once
         pre_exit,
         {"PRE"}}, // rt_sigreturn
        {Place::SignalDefault,
         "SIGNAL default",
         {"raise", "default"},
         {{F::STOP_SIGNAL | exit_bp, {"SIGNAL(10,0)"}}},
         std::nullopt,
         killed(SIGUSR1),
         pre_exit,
         {"EXIT(0xa)"}},
        {Place::SignalIgnored,
         "SIGNAL ignored",
         {"raise", "ignore"},
         {{F::STOP_SIGNAL | exit_bp, {"SIGNAL(10,1)"}}},
         std::nullopt,
         exits(0),
         pre_exit,
         {"PRE"}},
        {Place::Breakpoint,
         "BREAKPOINT",
         {"int3"},
         {{F::STOP_BREAKPOINT | exit_bp, {"BREAKPOINT"}}},
         std::nullopt,
         exits(0),
         pre_exit | F::FLAG_IGNORE,
         {"PRE"}},
        {Place::SingleStep,
         "SINGLESTEP",
         {"marker"},
         {{F::STOP_SINGLESTEP | exit_bp, {"SINGLESTEP"}},
          {F::STOP_SINGLESTEP | exit_bp, {"SINGLESTEP"}},
          {F::STOP_SINGLESTEP | exit_bp, {"SINGLESTEP"}}},
         std::nullopt,
         exits(0),
         pre_exit,
         {"PRE"}},
        {Place::Exit,
         "EXIT",
         {"exit7"},
         {{exit_bp, {"EXIT(0x700)"}}},
         std::nullopt,
         ended(7),
         std::nullopt,
         {}},
        {Place::CloneFrozen,
         "clone child frozen",
         {"fork"},
         {{F::EVENT_CLONE | exit_bp, {"CLONE(child)"}}},
         std::nullopt,
         exits(0), // the parent, once its child (released, decision 10) exited 3
         pre_exit,
         {"PRE"},
         true},
        {Place::TruncFrozen,
         "O_TRUNC frozen",
         {"marker"},
         {},
         std::nullopt,
         exits(0),
         pre_exit,
         {"PRE"},
         true},
        {Place::GroupStop,
         "group-stop",
         {"stop"},
         {{F::STOP_SIGNAL | exit_bp, {"SIGNAL(19,0)"}}},
         F::STOP_SIGNAL | exit_bp,
         job_stopped(0),
         std::nullopt,
         {}},
        {Place::Probe,
         "handler probe",
         {"storm", "20000"},
         {}, // the storm loop (Driver) is the way there
         std::nullopt,
         exits(0), // every signal handled exactly once
         std::nullopt,
         {}},
        {Place::Running, "running", {"spin"}, {}, exit_bp, exits(0), std::nullopt, {}},
        {Place::Blocked, "blocked in read", {"marker"}, {}, exit_bp, exits(0), std::nullopt, {}},
    };
    return rows;
}

inline const PlaceRow& row(Place p) {
    for (const PlaceRow& r : place_table()) {
        if (r.place == p) {
            return r;
        }
    }
    std::abort();
}

// ---------------------------------------------------------------------------------------
// Small readers and helpers

/// The directory of the campaign's programs, passed by meson.
inline std::string programs_dir() {
    const char* dir = std::getenv("PTRACE_API_FAULTS_DIR");
    return dir != nullptr ? dir : ".";
}

inline std::string read_file(const std::string& path) {
    std::string text;
    return shim::sys::read_small_file(path.c_str(), text) ? text : std::string();
}

inline std::string proc_file(pid_t pid, const char* name) {
    return read_file("/proc/" + std::to_string(pid) + "/" + name);
}

/// The state letter of /proc/<pid>/stat, '?' when the process is gone (reaped).
inline char proc_state(pid_t pid) {
    return shim::sys::proc_state(pid);
}

/// TracerPid of /proc/<pid>/status; -1 when gone.
inline pid_t tracer_of(pid_t pid) {
    const auto st = shim::sys::proc_status(pid);
    return st ? st->tracer_pid : -1;
}

/// The open fds of this process, from /proc/self/fd (the directory's own fd left out).
inline std::set<int> open_fds() {
    std::set<int> fds;
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) {
        return fds;
    }
    const int own = ::dirfd(dir);
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') {
            const int fd = std::atoi(e->d_name);
            if (fd != own) {
                fds.insert(fd);
            }
        }
    }
    (void)::closedir(dir);
    return fds;
}

/// What an fd is (the /proc/self/fd link), for reports of a leak.
inline std::string fd_target(int fd) {
    std::array<char, 256> buf{};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size() - 1);
    return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : "?";
}

inline std::string errno_text(int err) {
    switch (err) {
    case 0:
        return "ok";
    case ESRCH:
        return "ESRCH";
    case EBADF:
        return "EBADF";
    case EMFILE:
        return "EMFILE";
    case ENFILE:
        return "ENFILE";
    case EINVAL:
        return "EINVAL";
    case ECHILD:
        return "ECHILD";
    case EBUSY:
        return "EBUSY";
    default:
        return "errno " + std::to_string(err);
    }
}

inline std::string status_text(int status) {
    if (WIFEXITED(status)) {
        return "exit " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return fate_text(killed(WTERMSIG(status)));
    }
    return "status " + std::to_string(status);
}

/// "PRE", "POST", "SIGNAL(10,handler)", "EXIT(0x900)", "CLONE(child)"... `handler` is the
/// tracee's SIGUSR1 handler and `child` its clone child, named instead of their values.
inline std::string event_text(const PtraceEvent& ev, std::uint64_t handler, pid_t child = 0) {
    const std::uint64_t cause = shim::rules::cause_bits(ev);
    std::ostringstream out;
    if (cause == PtraceFlags::STOP_PRE_SYSCALL.bits()) {
        out << "PRE";
    } else if (cause == PtraceFlags::STOP_POST_SYSCALL.bits()) {
        out << "POST";
    } else if (cause == PtraceFlags::STOP_SINGLESTEP.bits()) {
        out << "SINGLESTEP";
    } else if (cause == PtraceFlags::STOP_BREAKPOINT.bits()) {
        out << "BREAKPOINT";
    } else if (cause == PtraceFlags::STOP_SIGNAL.bits()) {
        out << "SIGNAL(" << ev.a << ",";
        if (ev.b == handler && handler != 0) {
            out << "handler";
        } else if (ev.b == shim::caught_handler_unknown) {
            out << "unknown";
        } else {
            out << std::hex << "0x" << ev.b << std::dec;
        }
        out << ")";
        if (ev.b <= 1) { // 0 and 1 read better as numbers
            out.str("");
            out << "SIGNAL(" << ev.a << "," << ev.b << ")";
        }
    } else if (cause == PtraceFlags::STOP_EXIT.bits()) {
        out << "EXIT(0x" << std::hex << ev.a << ")";
    } else if (cause == PtraceFlags::EVENT_CLONE.bits()) {
        if (child != 0 && ev.a == static_cast<std::uint64_t>(child)) {
            out << "CLONE(child)";
        } else {
            out << "CLONE(" << ev.a << ")";
        }
    } else {
        out << "cause 0x" << std::hex << cause;
    }
    return out.str();
}

inline std::string join(const std::vector<std::string>& parts, const char* sep = ", ") {
    std::string out;
    for (const std::string& p : parts) {
        if (!out.empty()) {
            out += sep;
        }
        out += p;
    }
    return out;
}

/// Writes a ptrace operation (8 native-endian bytes) on a trace handle.
inline ptrace_api::Result<std::size_t> write_op(int fd, PtraceFlags flags) {
    std::array<std::byte, 8> bytes{};
    const std::uint64_t bits = flags.bits();
    std::memcpy(bytes.data(), &bits, sizeof bits);
    return shim::write(fd, bytes);
}

/// The errno of a failed Result, 0 for a success.
template <class T>
int err_of(const ptrace_api::Result<T>& r) {
    return r ? 0 : r.error().value();
}

/// Runs `call` (which returns an int) on a thread of its own, so that a shim call that never
/// returns is reported instead of hanging the case. \returns its result, or nothing when it
/// had not returned after `limit` (the thread is left behind; the case reports and ends).
template <class Call>
std::optional<int> bounded(Call call, std::chrono::milliseconds limit) {
    constexpr int pending = std::numeric_limits<int>::min();
    auto result = std::make_shared<std::atomic<int>>(pending);
    std::thread([result, call] { result->store(call()); }).detach();
    const auto end = Clock::now() + limit;
    while (result->load() == pending && Clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const int r = result->load();
    return r == pending ? std::nullopt : std::optional<int>(r);
}

/// A write of `op`, bounded: 8 (or the count) / minus the errno, or nothing (never returned;
/// a close of the handle wakes it, B7).
inline std::optional<int> bounded_write(int fd, PtraceFlags op, std::chrono::milliseconds limit) {
    return bounded(
        [fd, op] {
            const auto w = write_op(fd, op);
            return w ? static_cast<int>(*w) : -w.error().value();
        },
        limit);
}

/// A close of the handle, bounded: 0 / minus the errno, or nothing (never returned).
inline std::optional<int> bounded_close(int fd, std::chrono::milliseconds limit) {
    return bounded([fd] { return -err_of(shim::close(fd)); }, limit);
}

/// Reads every queued event; the errno of the first failed read.
inline ptrace_api::Result<std::vector<PtraceEvent>> read_events(int fd) {
    std::vector<PtraceEvent> out;
    std::array<std::byte, sizeof(PtraceEvent) * 8> buf{};
    for (;;) {
        const auto n = shim::read(fd, buf);
        if (!n) {
            return ptrace_api::unexpected_errno(n.error().value());
        }
        if (*n == 0) {
            return out;
        }
        for (std::size_t i = 0; i + sizeof(PtraceEvent) <= *n; i += sizeof(PtraceEvent)) {
            PtraceEvent ev{};
            std::memcpy(&ev, buf.data() + i, sizeof ev);
            out.push_back(ev);
        }
    }
}

/// True when the handle polls readable within `limit` (C8: events queued or tracee exited).
/// Polls in slices of 50 ms and gives up when the handle is closed meanwhile (a poll(2) in
/// progress does not notice a close by another thread).
inline bool readable(int fd, std::chrono::milliseconds limit) {
    const auto end = Clock::now() + limit;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int n = ::poll(&p, 1, 50);
        if (n == 1) {
            return (p.revents & POLLIN) != 0;
        }
        if ((n < 0 && errno != EINTR) || Clock::now() >= end ||
            !shim::fcntl(fd, F_GETFD).has_value()) {
            return false;
        }
    }
}

/// Polls `pred` every millisecond for up to `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
        if (pred()) {
            return true;
        }
        std::this_thread::sleep_for(1ms);
    }
    return pred();
}

/// /proc/<pid>/syscall split in words ("running", or nr, six arguments, sp, pc).
inline std::vector<std::string> syscall_words(pid_t pid) {
    std::istringstream in(proc_file(pid, "syscall"));
    std::vector<std::string> words;
    for (std::string w; in >> w;) {
        words.push_back(w);
    }
    return words;
}

/// True once the tracee sleeps in read(2) on its stdin (the gate or the tail).
inline bool in_stdin_read(pid_t pid) {
    const auto w = syscall_words(pid);
    return w.size() >= 2 && w[0] == "0" && w[1] == "0x0" && proc_state(pid) == 'S';
}

inline bool is_fault_tracee(pid_t pid) {
    return proc_file(pid, "comm") == "fault_tracee\n";
}

/// The address range of the tracee's vDSO, from /proc/<pid>/maps.
inline std::pair<std::uint64_t, std::uint64_t> vdso_range(pid_t pid) {
    std::istringstream in(proc_file(pid, "maps"));
    for (std::string line; std::getline(in, line);) {
        if (line.ends_with("[vdso]")) {
            std::string_view range = line;
            const auto start = shim::sys::detail::number<std::uint64_t>(range, 16);
            range.remove_prefix(1); // '-'
            return {start, shim::sys::detail::number<std::uint64_t>(range, 16)};
        }
    }
    return {0, 0};
}

/// True when the tracee sits at a stop of a system call the handler probe injected: mmap,
/// rt_sigaction or ppoll entered through the `syscall` instruction of its vDSO (the program
/// itself never enters the vDSO, see fault_tracee.cpp).
inline bool inside_probe(pid_t pid, std::pair<std::uint64_t, std::uint64_t> vdso) {
    const auto w = syscall_words(pid);
    if (w.size() < 9 || (w[0] != "9" && w[0] != "13" && w[0] != "271")) {
        return false;
    }
    std::uint64_t pc = 0;
    std::string_view text = w[8];
    if (text.starts_with("0x")) {
        text.remove_prefix(2);
    }
    pc = shim::sys::detail::number<std::uint64_t>(text, 16);
    return pc >= vdso.first && pc < vdso.second;
}

using test_support::FdLimit;

// ---------------------------------------------------------------------------------------
// The tracee and the way to a place

/// A tracee started by spawn_tracee, and what was learnt on the way to the place.
struct Reached {
    pid_t pid = -1;
    int fd = -1;                     // the trace handle
    int out = -1;                    // the tracee's stdout (read end)
    pid_t child = 0;                 // CloneFrozen: the frozen child
    std::uint64_t handler = 0;       // the tracee's SIGUSR1 handler
    std::vector<std::string> events; // every event read on the way, as text
};

/// Starts fault_tracee with `args`, its stdin the read end `stdin_fd` (the gate, then the
/// tail), its stdout a pipe whose read end is returned in `out`. \returns the pid or -1.
inline pid_t spawn_tracee(const std::vector<std::string>& args, int stdin_fd, int& out) {
    std::vector<std::string> full{programs_dir() + "/fault_tracee"};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int p[2] = {-1, -1};
    if (::pipe2(p, O_CLOEXEC) != 0) {
        return -1;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        (void)::dup2(stdin_fd, STDIN_FILENO);
        (void)::dup2(p[1], STDOUT_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    (void)::close(p[1]);
    if (pid < 0) {
        (void)::close(p[0]);
        return -1;
    }
    out = p[0];
    return pid;
}

/// Reads the tracee's "handler <address>" line (bounded).
inline std::optional<std::uint64_t> read_handler_line(int out) {
    std::string line;
    const auto end = Clock::now() + stop_limit;
    while (Clock::now() < end && line.find('\n') == std::string::npos) {
        pollfd p{out, POLLIN, 0};
        if (::poll(&p, 1, 100) == 1) {
            char c = 0;
            if (::read(out, &c, 1) != 1) {
                break;
            }
            line.push_back(c);
        }
    }
    if (line.rfind("handler 0x", 0) != 0) {
        return std::nullopt;
    }
    std::string_view text = line;
    text.remove_prefix(10);
    return shim::sys::detail::number<std::uint64_t>(text, 16);
}

/// Writes the op of one step and reads its events: blocking modes wait in the write,
/// O_NONBLOCK polls the handle (C8). \returns "" or what went wrong.
inline std::string do_step(Reached& r, Mode mode, const Step& step) {
    const auto w = bounded_write(r.fd, step.op, stop_limit);
    if (!w) {
        return "the write of " + std::to_string(step.op.bits()) + " never returned";
    }
    if (*w != 8) {
        return "the write of " + std::to_string(step.op.bits()) + " returned " +
               (*w >= 0 ? std::to_string(*w) : errno_text(-*w));
    }
    std::vector<std::string> got;
    const auto end = Clock::now() + stop_limit;
    while (got.size() < step.events.size() && Clock::now() < end) {
        if (mode == Mode::Nonblock && !readable(r.fd, 100ms)) {
            continue;
        }
        const auto evs = read_events(r.fd);
        if (!evs) {
            return "read: " + errno_text(evs.error().value());
        }
        for (const PtraceEvent& ev : *evs) {
            if (shim::rules::cause_bits(ev) == PtraceFlags::EVENT_CLONE.bits() && r.child == 0) {
                r.child = static_cast<pid_t>(ev.a);
            }
            got.push_back(event_text(ev, r.handler, r.child));
        }
        if (mode != Mode::Nonblock && got.size() < step.events.size()) {
            break; // a blocking write returned: everything it waited for is queued (B7)
        }
    }
    r.events.insert(r.events.end(), got.begin(), got.end());
    if (got != step.events) {
        return "events [" + join(got) + "], expected [" + join(step.events) + "]";
    }
    return "";
}

/// Starts the tracee of `place` behind its gate (stdin `stdin_fd`, whose write end
/// `gate_fd` opens the gate), opens its trace handle with O_TRUNC and the mode's flags, and
/// drives it to the place through the steps of the table. A place with a waiting write is
/// completed by the caller (Driver). \returns "" or what went wrong (r.pid is set as soon as
/// the tracee exists, so the caller can clean up).
inline std::string reach(Place place, Mode mode, int stdin_fd, int gate_fd, Reached& r) {
    const PlaceRow& row_ = row(place);
    r.pid = spawn_tracee(row_.args, stdin_fd, r.out);
    if (r.pid < 0) {
        return "cannot start the tracee";
    }
    const auto handler = read_handler_line(r.out);
    if (!handler) {
        return "the tracee did not start";
    }
    r.handler = *handler;
    if (!eventually([&] { return is_fault_tracee(r.pid) && in_stdin_read(r.pid); }, stop_limit)) {
        return "the tracee never reached its gate";
    }
    const std::string path = "proc:" + std::to_string(r.pid) + "/trace";
    const auto fd = shim::open(path, O_TRUNC | mode_flags(mode));
    if (!fd) {
        return "open " + path + ": " + errno_text(fd.error().value());
    }
    r.fd = *fd;
    const char byte = 'g';
    if (::write(gate_fd, &byte, 1) != 1) {
        return "cannot open the gate";
    }
    for (const Step& s : row_.steps) {
        if (std::string why = do_step(r, mode, s); !why.empty()) {
            return why;
        }
    }
    if (place == Place::CloneFrozen &&
        !eventually([&] { return r.child > 0 && proc_state(r.child) == 't'; }, stop_limit)) {
        return "the clone child is not frozen";
    }
    if (place == Place::TruncFrozen && proc_state(r.pid) != 't') {
        return "the tracee is not frozen";
    }
    return "";
}

/// The tracer's side of a place that has a write waiting or a loop running while the fault
/// hits: a thread that makes the waiting write (blocking modes), or runs the storm of the
/// Probe place (write SIGNAL|EXIT, read, check, again) until a call fails.
class Driver {
public:
    Driver(Place place, Mode mode, const Reached& r) : place_(place), mode_(mode), r_(r) {}
    Driver(const Driver&) = delete;
    Driver& operator=(const Driver&) = delete;
    ~Driver() {
        if (thread_.joinable()) {
            thread_.detach(); // join() timed out: the caller reports it and exits
        }
    }

    /// Starts the waiting write or the storm. The Probe place is reached once the first
    /// SIGNAL event was read (started() then). \returns "" or what went wrong.
    std::string start() {
        const PlaceRow& pr = row(place_);
        if (place_ == Place::Probe) {
            thread_ = std::thread([this] { storm(); });
            if (!eventually([&] { return signals_.load() > 0 || done_.load(); }, stop_limit)) {
                return "the storm never reported a signal";
            }
            return done_.load() ? "the storm ended at once: " + errno_text(last_err_) : "";
        }
        if (!pr.wait_op) {
            done_ = true; // held at a stop: nothing runs
            return "";
        }
        if (mode_ == Mode::Nonblock) {
            const auto w = write_op(r_.fd, *pr.wait_op);
            waited_ = w ? static_cast<int>(*w) : -w.error().value();
            done_ = true;
            return waited_ == 8 ? "" : "the nonblocking write returned " + std::to_string(waited_);
        }
        thread_ = std::thread([this, op = *pr.wait_op] {
            tid_ = static_cast<pid_t>(::syscall(SYS_gettid));
            const auto w = write_op(r_.fd, op);
            waited_ = w ? static_cast<int>(*w) : -w.error().value();
            done_ = true;
        });
        return "";
    }

    /// Waits up to `limit` for the thread to end. \returns false when it did not.
    bool join(std::chrono::milliseconds limit) {
        if (!eventually([&] { return done_.load(); }, limit)) {
            return false;
        }
        if (thread_.joinable()) {
            thread_.join();
        }
        return true;
    }

    bool done() const { return done_.load(); }

    /// Whether the waiting write is under way: its thread has called it and sleeps in the
    /// kernel (three looks 10 ms apart), or it has returned already. A fault that came before
    /// the call would find the handle closed (EBADF) and test nothing of B7: on a loaded
    /// machine a thread just made can take that long to run.
    bool write_under_way() const {
        int seen = 0;
        return eventually(
            [&] {
                if (done_.load()) {
                    return true;
                }
                const pid_t tid = tid_.load();
                seen = tid != 0 && proc_state(tid) == 'S' ? seen + 1 : 0;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                return seen >= 3;
            },
            stop_limit);
    }
    /// The waiting write's result: 8, or minus its errno (blocking modes and O_NONBLOCK).
    int waited() const { return waited_; }
    bool has_waiting_write() const {
        return place_ != Place::Probe && row(place_).wait_op.has_value();
    }

    // The storm's record.
    long signals() const { return signals_.load(); }
    const std::vector<std::string>& storm_odd() const { return odd_; }
    int last_err() const { return last_err_; }
    std::optional<std::string> storm_exit() const { return exit_event_; }
    /// SIGNAL events whose handler was the sentinel (D5: the shim could not ask), outside and
    /// during fd exhaustion.
    int sentinels() const { return sentinels_; }
    int sentinels_exhausted() const { return sentinels_exhausted_; }
    /// While set, a SIGNAL event may carry the sentinel (the shim cannot read /proc).
    std::atomic<bool> exhausted{false};

private:
    void storm() {
        const PtraceFlags op = PtraceFlags::STOP_SIGNAL | exit_bp;
        for (;;) {
            const auto w = write_op(r_.fd, op);
            if (!w) {
                last_err_ = w.error().value();
                break;
            }
            if (mode_ == Mode::Nonblock && !readable(r_.fd, stop_limit)) {
                if (const auto more = read_events(r_.fd); !more) {
                    last_err_ = more.error().value(); // closed while polled
                } else {
                    odd_.push_back("no event within 5 s");
                }
                break;
            }
            const auto evs = read_events(r_.fd);
            if (!evs) {
                last_err_ = evs.error().value();
                break;
            }
            for (const PtraceEvent& ev : *evs) {
                const std::uint64_t cause = shim::rules::cause_bits(ev);
                const bool sentinel = ev.b == shim::caught_handler_unknown;
                if (cause == PtraceFlags::STOP_SIGNAL.bits() && ev.a == SIGUSR1 &&
                    (ev.b == r_.handler || sentinel) && !exit_event_) {
                    signals_.fetch_add(1);
                    if (sentinel) {
                        ++(exhausted.load() ? sentinels_exhausted_ : sentinels_);
                    }
                } else if (cause == PtraceFlags::STOP_EXIT.bits() && !exit_event_) {
                    exit_event_ = event_text(ev, r_.handler);
                } else if (odd_.size() < 8) {
                    odd_.push_back(event_text(ev, r_.handler) +
                                   (exit_event_ ? " after the EXIT event" : ""));
                }
            }
        }
        done_ = true;
    }

    Place place_;
    Mode mode_;
    const Reached& r_;
    std::thread thread_;
    std::atomic<pid_t> tid_{0}; ///< the waiting write's thread, once it runs
    std::atomic<bool> done_{false};
    int waited_ = 0;
    std::atomic<long> signals_{0};
    std::vector<std::string> odd_;
    int last_err_ = 0;
    int sentinels_ = 0;
    int sentinels_exhausted_ = 0;
    std::optional<std::string> exit_event_;
};

/// Waits until the place of a waiting write is really there: the tracee spins (Running),
/// sleeps in its read (Blocked), or is job-stopped (GroupStop). \returns "" or why not.
inline std::string settle(Place place, const Reached& r) {
    switch (place) {
    case Place::Running: {
        int seen = 0; // three looks in a row, 10 ms apart
        const bool ok = eventually(
            [&] {
                const auto w = syscall_words(r.pid);
                seen = !w.empty() && w[0] == "running" ? seen + 1 : 0;
                std::this_thread::sleep_for(10ms);
                return seen >= 3;
            },
            stop_limit);
        return ok ? "" : "the tracee does not spin";
    }
    case Place::Blocked:
        return eventually([&] { return in_stdin_read(r.pid); }, stop_limit)
                   ? ""
                   : "the tracee is not blocked in its read";
    case Place::GroupStop: {
        // Job-stopped under PTRACE_LISTEN: a ptrace-stop ('t') that lasts, with no event.
        std::this_thread::sleep_for(50ms);
        const bool ok = eventually([&] { return proc_state(r.pid) == 't' && tracer_of(r.pid) > 0; },
                                   stop_limit);
        return ok ? "" : "the tracee is not job-stopped";
    }
    default:
        return "";
    }
}

} // namespace faults
