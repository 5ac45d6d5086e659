// SPDX-License-Identifier: MIT
// Helpers of the exec matrix: the programs, a two-stage watchdog, a launcher with pipes, what
// /proc says about a stopped task (the oracle the library is compared with), and the checks
// shared by the cases: run to the execve, the first stop after it, follow the new program to
// its exit, and nothing left behind.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/shim/proc.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/syscalls.hpp>
#include <ptrace/tracer.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "api_support.hpp"
#include "support.hpp"
#include "watchdog.hpp"

namespace exec_test {

namespace shim = ptrace_api::shim;
using namespace std::chrono_literals;
using ptrace_api::Child;
using ptrace_api::IntRegisters;
using ptrace_api::Memory;
using ptrace_api::NonblockTracer;
using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
using ptrace_api::Registers;
using ptrace_api::Tracer;
using ptrace_api::WaitStatus;

/// What every step of the matrix asks for after the exec: both syscall stops, signals, exit.
inline const PtraceFlags all_stops = PtraceFlags::STOP_PRE_SYSCALL |
                                     PtraceFlags::STOP_POST_SYSCALL | PtraceFlags::STOP_SIGNAL |
                                     PtraceFlags::STOP_EXIT;

/// How long a bounded wait for one stop may take before the case fails.
inline constexpr std::chrono::milliseconds stop_limit = 5000ms;

// ---------------------------------------------------------------------------------------
// The programs and the scratch directory

/// The directory of the exec matrix's programs, passed by meson (never the working directory).
inline std::string targets_dir() {
    const char* dir = std::getenv("PTRACE_API_EXEC_TARGETS");
    return dir != nullptr ? dir : "";
}

/// The program that execs (targets/exec_tracee.cpp).
inline std::string exec_tracee() {
    return targets_dir() + "/exec_tracee";
}

/// The program exec'd (targets/exec_target.cpp), dynamic or static.
enum class Image : std::uint8_t { Dynamic, Static };

inline std::string target(Image image) {
    return targets_dir() + (image == Image::Dynamic ? "/exec_target" : "/exec_target_static");
}

/// A directory for the files a case makes, created and removed by the runner (main.cpp).
inline std::string scratch_dir() {
    const char* dir = std::getenv("PTRACE_API_EXEC_SCRATCH");
    REQUIRE_MESSAGE(dir != nullptr, "PTRACE_API_EXEC_SCRATCH is not set: run the cases through "
                                    "the exec_matrix runner (main.cpp)");
    return dir;
}

/// A path that does not exist, unique to this case process: exec_target opens it, and the
/// tracer must read it from the new image's memory.
inline std::string marker_path(const char* tag) {
    return std::string("/nonexistent/ptrace-api-exec/") + tag + "-" + std::to_string(::getpid());
}

/// The canonical path of `path` (what /proc/<pid>/maps and /proc/<pid>/exe show).
inline std::string canonical(const std::string& path) {
    std::error_code ec;
    const auto p = std::filesystem::canonical(path, ec);
    return ec ? path : p.string();
}

// ---------------------------------------------------------------------------------------
// Skips

inline std::optional<std::string>& skip_reason() {
    static std::optional<std::string> reason;
    return reason;
}

/// Marks the running case as skipped: the runner reports it as a skip with `reason`.
/// The caller returns from the case at once.
inline void skip_case(std::string reason) {
    MESSAGE("skipped: ", reason);
    skip_reason() = std::move(reason);
}

// ---------------------------------------------------------------------------------------
// The watchdog

/// Bounds one case: after `limit` it SIGKILLs the watched processes and fails the case; if the
/// case has still not ended `grace` later (it is blocked in a call that the killed tracees
/// cannot end, such as a reap of a task held in a stop nobody serves), it writes why and ends
/// the whole case process, whose runner then reports the case failed and kills what is left.
class CaseWatchdog {
public:
    explicit CaseWatchdog(std::chrono::seconds limit = 10s, std::chrono::seconds grace = 2s)
        : dog_(limit, grace) {}
    CaseWatchdog(const CaseWatchdog&) = delete;
    CaseWatchdog& operator=(const CaseWatchdog&) = delete;
    ~CaseWatchdog() {
        dog_.disarm();
        if (dog_.fired()) {
            FAIL_CHECK("the watchdog fired: the case took too long");
        }
    }

    void watch(pid_t pid) { dog_.watch(pid); }

private:
    test_support::Watchdog dog_;
};

// ---------------------------------------------------------------------------------------
// Starting a program with pipes

/// A plain fd closed at the end.
using Fd = ptrace_api::shim::sys::UniqueFd<>;

/// An untraced child started by launch(): its stdin and stdout are pipes held here.
struct Launched {
    Child child;
    Fd to_stdin;
    Fd from_stdout;
};

/// Starts `argv` (argv[0] is the path) untraced, with pipes for stdin and stdout.
inline Launched launch(const std::vector<std::string>& argv) {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    REQUIRE(::posix_spawn_file_actions_init(&actions) == 0);
    (void)::posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    (void)::posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::vector<std::string> strings = argv;
    std::vector<char*> ptrs;
    for (std::string& s : strings) {
        ptrs.push_back(s.data());
    }
    ptrs.push_back(nullptr);
    pid_t pid = -1;
    const int r = ::posix_spawn(&pid, ptrs[0], &actions, nullptr, ptrs.data(), environ);
    (void)::posix_spawn_file_actions_destroy(&actions);
    (void)::close(in[0]);
    (void)::close(out[1]);
    Fd to_stdin(in[1]);
    Fd from_stdout(out[0]);
    REQUIRE_MESSAGE(r == 0, "posix_spawn ", argv[0], ": ", std::strerror(r));
    return Launched{Child(pid), std::move(to_stdin), std::move(from_stdout)};
}

/// One line from `fd` (without its newline), waiting at most `limit`; nothing on timeout/EOF.
inline std::optional<std::string> read_line(int fd, std::chrono::milliseconds limit = stop_limit) {
    std::string line;
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) {
            return std::nullopt;
        }
        char c = 0;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return std::nullopt;
        }
        if (c == '\n') {
            return line;
        }
        line.push_back(c);
    }
}

// ---------------------------------------------------------------------------------------
// What /proc says (the oracle)

/// /proc/<tid>/syscall of a stopped task: the syscall it is in (number, six arguments), its
/// stack pointer and instruction pointer. nr is -1 when it is not in a syscall.
struct ProcSyscall {
    long nr = -1;
    std::array<std::uint64_t, 6> args{};
    std::uint64_t sp = 0;
    std::uint64_t pc = 0;
};

inline std::optional<ProcSyscall> proc_syscall(pid_t tid) {
    std::istringstream in(api_support::proc_file(tid, "syscall"));
    ProcSyscall out;
    if (!(in >> out.nr)) {
        return std::nullopt; // "running", or gone
    }
    in >> std::hex;
    if (out.nr >= 0) {
        for (std::uint64_t& arg : out.args) {
            in >> arg;
        }
    }
    in >> out.sp >> out.pc;
    if (!in) {
        return std::nullopt;
    }
    return out;
}

/// The syscall number a thread sleeps in (/proc/<tid>/syscall), or -2 when it runs or is gone.
inline long blocked_in(pid_t tid) {
    const auto st = proc_syscall(tid);
    return st ? st->nr : -2;
}

/// One line of /proc/<pid>/maps.
struct Mapping {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::string perms;
    std::uint64_t offset = 0;
    std::string path;
};

inline std::vector<Mapping> maps(pid_t pid) {
    std::vector<Mapping> out;
    std::istringstream in(api_support::proc_file(pid, "maps"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        Mapping m;
        char dash = 0;
        std::string dev;
        std::uint64_t inode = 0;
        fields >> std::hex >> m.start >> dash >> m.end >> m.perms >> m.offset >> dev >> std::dec >>
            inode;
        std::getline(fields >> std::ws, m.path);
        out.push_back(m);
    }
    return out;
}

/// The mapping that holds `address`, if any.
inline std::optional<Mapping> mapping_of(pid_t pid, std::uint64_t address) {
    for (const Mapping& m : maps(pid)) {
        if (address >= m.start && address < m.end) {
            return m;
        }
    }
    return std::nullopt;
}

/// The start of the mapping of `file` at file offset 0: where its ELF header is.
inline std::optional<std::uint64_t> image_base(pid_t pid, const std::string& file) {
    for (const Mapping& m : maps(pid)) {
        if (m.path == file && m.offset == 0) {
            return m.start;
        }
    }
    return std::nullopt;
}

inline std::string exe_of(pid_t pid) {
    std::error_code ec;
    const auto p = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    return ec ? std::string() : p.string();
}

/// The TIDs of the threads of `pid`, sorted.
inline std::vector<pid_t> task_ids(pid_t pid) {
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& e :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        out.push_back(static_cast<pid_t>(std::atoi(e.path().filename().c_str())));
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The first `n` bytes of a file.
inline std::vector<std::byte> file_head(const std::string& path, std::size_t n) {
    std::vector<std::byte> out(n);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return {};
    }
    const ssize_t got = ::pread(fd, out.data(), n, 0);
    (void)::close(fd);
    out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return out;
}

/// The program interpreter named by an ELF file (PT_INTERP), canonical; empty when static.
inline std::string interpreter_of(const std::string& path) {
    const auto head = file_head(path, 4096);
    Elf64_Ehdr eh{};
    if (head.size() < sizeof eh) {
        return {};
    }
    std::memcpy(&eh, head.data(), sizeof eh);
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        const std::size_t at = eh.e_phoff + std::size_t{i} * eh.e_phentsize;
        if (at + sizeof ph > head.size()) {
            break;
        }
        std::memcpy(&ph, head.data() + at, sizeof ph);
        if (ph.p_type == PT_INTERP && ph.p_offset + ph.p_filesz <= head.size()) {
            const auto* first = reinterpret_cast<const char*>(head.data() + ph.p_offset);
            return canonical(std::string(first, ::strnlen(first, ph.p_filesz)));
        }
    }
    return {};
}

/// The entry point of an ELF file (e_entry).
inline std::uint64_t entry_of(const std::string& path) {
    const auto head = file_head(path, sizeof(Elf64_Ehdr));
    Elf64_Ehdr eh{};
    if (head.size() < sizeof eh) {
        return 0;
    }
    std::memcpy(&eh, head.data(), sizeof eh);
    return eh.e_entry;
}

/// The NUL-terminated string at `address` in `tid`'s address space as a fresh open of
/// /proc/<tid>/mem sees it now (nothing: unreadable). Opened per call, so it always follows
/// the task's current address space: the reference for the library's Memory handles.
inline std::optional<std::string> fresh_c_string(pid_t tid, std::uint64_t address,
                                                 std::size_t max_len = 4096) {
    const std::string file = "/proc/" + std::to_string(tid) + "/mem";
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        return std::nullopt;
    }
    std::string out;
    while (out.size() < max_len) {
        char c = 0;
        if (::pread(fd.get(), &c, 1, static_cast<off_t>(address + out.size())) != 1) {
            return std::nullopt;
        }
        if (c == '\0') {
            return out;
        }
        out.push_back(c);
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Describing events

/// "0x1f": a number in hex, for messages.
inline std::string hex(std::uint64_t value) {
    std::ostringstream out;
    out << "0x" << std::hex << value;
    return out.str();
}

/// A syscall's result as strace shows it: errors and small numbers in decimal, else hex.
inline std::string result_text(std::uint64_t rax) {
    const auto value = static_cast<std::int64_t>(rax);
    return value < 0x10000 ? std::to_string(value) : hex(rax);
}

/// An event's typed meaning as the library prints it ("PreSyscall", "Exit { status: 0x700 }").
inline std::string describe(const PtraceEvent& ev) {
    std::ostringstream out;
    out << ptrace_api::to_string(ptrace_api::view(ev));
    return out.str();
}

inline std::string describe(const std::vector<PtraceEvent>& evs) {
    std::string out = "[";
    for (const PtraceEvent& ev : evs) {
        out += (out.size() > 1 ? ", " : "") + describe(ev);
    }
    return out + "]";
}

inline bool is(const PtraceEvent& ev, PtraceFlags cause) {
    return ev.cause == cause;
}

/// The name of syscall `nr` as strace spells it, or its number.
inline std::string syscall_name(std::uint64_t nr) {
    const auto info = ptrace_api::syscall_info(static_cast<long>(nr));
    return info ? std::string(info->name) : "syscall_" + std::to_string(nr);
}

/// Attaches a Tracer that must succeed and kills its tracee when closed (OnClose::Kill), so
/// that a failing case leaves nothing running.
inline Tracer attach(pid_t pid, ptrace_api::AttachStop stop = ptrace_api::AttachStop::Running) {
    return api_support::attach_ok(pid, {stop, ptrace_api::OnClose::Kill});
}

// ---------------------------------------------------------------------------------------
// Bounded waits on nonblocking tracers

/// True once `fd` (a trace handle) polls readable within `limit`: events are queued or the
/// tracee is gone (C8).
inline bool readable_within(int fd, std::chrono::milliseconds limit = stop_limit) {
    return support::readable(fd, static_cast<int>(limit.count()));
}

/// Every event the nonblocking tracer holds now, oldest first.
inline std::vector<PtraceEvent> drain(NonblockTracer& t) {
    const auto evs = t.events();
    REQUIRE_MESSAGE(evs.has_value(), evs.error().message());
    return *evs;
}

/// Checks that the session of `t` reports its tracee gone: the handle polls readable with no
/// event queued, and a wait (FLAG_WAIT) is ESRCH (G1).
inline void expect_session_gone(NonblockTracer& t, const std::string& who,
                                support::CallSite where = {}) {
    INFO("expect_session_gone(", who, ") called from ", where.str());
    CHECK_MESSAGE(readable_within(t.native_handle()), who,
                  "'s session never reported its tracee gone");
    const auto left = drain(t);
    CHECK_MESSAGE(left.empty(), who, "'s session has more events: ", describe(left));
    CHECK_ERRC(t.wait(), std::errc::no_such_process);
}

// ---------------------------------------------------------------------------------------
// The steps every case shares

/// Follows `t`'s syscalls (PRE only) to its next execve and checks the path it is about to
/// exec, read through the tracer's Memory. \returns the registers at that PRE stop.
inline IntRegisters run_to_execve(Tracer& t, const std::string& path,
                                  support::CallSite where = {}) {
    INFO("run_to_execve() called from ", where.str());
    for (int i = 0; i < 300; ++i) {
        const auto ev = t.next(PtraceFlags::STOP_PRE_SYSCALL);
        REQUIRE_MESSAGE(ev.has_value(),
                        "no execve before the program ended: ", ev.error().message());
        REQUIRE_MESSAGE(is(*ev, PtraceFlags::STOP_PRE_SYSCALL), describe(*ev));
        const auto regs = t.regs().get_int();
        REQUIRE_MESSAGE(regs.has_value(), regs.error().message());
        if (regs->rax != SYS_execve) {
            continue;
        }
        const auto arg = t.mem().read_c_string(regs->rdi, 4096);
        REQUIRE_MESSAGE(arg.has_value(), "execve's path: ", arg.error().message());
        CHECK(arg->text == path);
        return *regs;
    }
    FAIL("no execve within 300 syscalls");
    return {};
}

/// What a case knows about the exec it watches.
struct ExecExpect {
    pid_t pid = 0;                  // the TID after the exec (the process's pid)
    std::string target;             // the program exec'd (canonical)
    std::string old_program;        // the program that called execve (canonical)
    std::vector<Memory*> extra_mem; // Memory handles opened before the exec, used after it
};

/// Checks that `mem` reads the new image: the ELF header at the new program's base equals the
/// file's, and a string the kernel put on the new stack (argv[0]) reads as a fresh
/// /proc/<pid>/mem reads it.
inline void expect_reads_new_image(Memory& mem, const ExecExpect& x, const std::string& which,
                                   support::CallSite where = {}) {
    INFO("expect_reads_new_image(", which, ") called from ", where.str());
    const auto base = image_base(x.pid, x.target);
    REQUIRE_MESSAGE(base.has_value(), x.target, " is not mapped in ", x.pid);
    const auto want = file_head(x.target, 64);
    REQUIRE(want.size() == 64);
    std::vector<std::byte> got(64);
    const auto r = mem.read(*base, got);
    CHECK_MESSAGE(r.has_value(), which, " cannot read the new ELF header at ", hex(*base), ": ",
                  r ? std::string() : r.error().message());
    if (r) {
        CHECK_MESSAGE(got == want, which,
                      " reads other bytes than the new ELF header (the old "
                      "address space?)");
    }
}

/// Checks the first stop after a successful exec: a PRE stop (decision 17: no POST for the
/// execve), in the new image, with the TID the process now has, registers as the kernel
/// sees them (decision 7: rax is the syscall number), and memory handles reading the new
/// image (K4), including those opened before the exec.
template <class AnyTracer>
void expect_first_stop_after_exec(AnyTracer& t, const std::vector<PtraceEvent>& events,
                                  const ExecExpect& x, support::CallSite where = {}) {
    INFO("expect_first_stop_after_exec() called from ", where.str());
    INFO("events read after the execve's PRE: ", describe(events));
    REQUIRE_MESSAGE(events.size() == 1, "expected exactly one event after the execve's PRE");
    REQUIRE_MESSAGE(is(events.front(), PtraceFlags::STOP_PRE_SYSCALL),
                    "decision 17: the first stop after a successful execve is the new "
                    "program's first PRE, not the execve's POST");
    CHECK(t.pid() == x.pid);
    const auto path = shim::fpath(t.native_handle());
    REQUIRE(path.has_value());
    CHECK(*path == "proc:" + std::to_string(x.pid) + "/trace");

    const auto regs = t.regs().get_int();
    REQUIRE_MESSAGE(regs.has_value(), regs.error().message());
    const auto kernel = proc_syscall(x.pid);
    REQUIRE_MESSAGE(kernel.has_value(), "/proc/", x.pid, "/syscall unreadable");
    CHECK_MESSAGE(regs->rax == static_cast<std::uint64_t>(kernel->nr),
                  "decision 7: rax at PRE is the syscall number ", kernel->nr);
    CHECK(regs->rax != static_cast<std::uint64_t>(-ENOSYS));
    CHECK(regs->rax != SYS_execve);
    CHECK(regs->rdi == kernel->args[0]);
    CHECK(regs->rsi == kernel->args[1]);
    CHECK(regs->rdx == kernel->args[2]);
    CHECK(regs->r10 == kernel->args[3]);
    CHECK(regs->rip == kernel->pc);
    CHECK(regs->rsp == kernel->sp);

    // The new image: /proc/<pid>/exe, rip in its text (or its interpreter's), the old one gone.
    CHECK(exe_of(x.pid) == x.target);
    const auto m = mapping_of(x.pid, regs->rip);
    REQUIRE_MESSAGE(m.has_value(), "rip ", hex(regs->rip), " is not mapped");
    CHECK(m->perms.find('x') != std::string::npos);
    const std::string interp = interpreter_of(x.target);
    CHECK_MESSAGE((m->path == x.target || (!interp.empty() && m->path == interp)), "rip is in ",
                  m->path, ", not in ", x.target, " or its interpreter");
    for (const Mapping& old : maps(x.pid)) {
        CHECK_MESSAGE(old.path != x.old_program, "the old program is still mapped");
    }

    expect_reads_new_image(t.mem(), x, "the tracer's Memory");
    for (Memory* extra : x.extra_mem) {
        expect_reads_new_image(*extra, x, "a Memory opened before the exec");
    }
}

/// Checks the first stop after a successful exec crossed with STOP_SINGLESTEP: the new
/// program's very first instruction (the interpreter's entry, or the program's for a static
/// one), with nothing of it run (rsp points at argc).
template <class AnyTracer>
void expect_first_instruction(AnyTracer& t, const std::vector<PtraceEvent>& events,
                              const ExecExpect& x, std::uint64_t argc,
                              support::CallSite where = {}) {
    INFO("expect_first_instruction() called from ", where.str());
    INFO("events read after the execve's PRE: ", describe(events));
    REQUIRE(events.size() == 1);
    REQUIRE(is(events.front(), PtraceFlags::STOP_SINGLESTEP));
    CHECK(t.pid() == x.pid);
    const auto regs = t.regs().get_int();
    REQUIRE_MESSAGE(regs.has_value(), regs.error().message());
    const std::string interp = interpreter_of(x.target);
    std::uint64_t first = 0;
    if (interp.empty()) {
        first = api_support::auxv(x.pid, AT_ENTRY).value_or(0);
        CHECK(first == entry_of(x.target)); // a static program is not relocated here
    } else {
        first = api_support::auxv(x.pid, AT_BASE).value_or(0) + entry_of(interp);
    }
    CHECK_MESSAGE(regs->rip == first, "rip ", hex(regs->rip), " is not the entry ", hex(first));
    const auto top = t.mem().template read_value<std::uint64_t>(regs->rsp);
    REQUIRE_MESSAGE(top.has_value(), top.error().message());
    CHECK_MESSAGE(*top == argc, "nothing may have run: rsp points at argc");
    CHECK(exe_of(x.pid) == x.target);
    expect_reads_new_image(t.mem(), x, "the tracer's Memory");
    for (Memory* extra : x.extra_mem) {
        expect_reads_new_image(*extra, x, "a Memory opened before the exec");
    }
}

/// The syscalls whose first path argument the follower reads, and which register holds it.
inline std::optional<std::uint64_t> path_argument(const IntRegisters& regs) {
    switch (regs.rax) {
    case SYS_open:
    case SYS_access:
    case SYS_stat:
    case SYS_lstat:
    case SYS_readlink:
    case SYS_execve:
        return regs.rdi;
    case SYS_openat:
    case SYS_faccessat:
    case SYS_faccessat2:
    case SYS_newfstatat:
    case SYS_readlinkat:
    case SYS_statx:
    case SYS_execveat:
        return regs.rsi;
    default:
        return std::nullopt;
    }
}

/// What follow_to_exit() saw.
struct Followed {
    bool marker_seen = false;       // openat(marker) was read at PRE and failed with ENOENT
    int paths_read = 0;             // path arguments compared with /proc
    std::optional<WaitStatus> exit; // the EXIT event's status
    std::string trail;              // the stops, for messages
};

/// Follows the new program from the stop `t` is at (whose event was `current`) to its exit
/// with PRE|POST|SIGNAL|EXIT,
/// checking at every stop what the tracer reads against /proc: syscall numbers at PRE and
/// POST (decision 7), the pairing of PRE and POST, every path argument (read through the
/// tracer's Memory and through `x.extra_mem`, K4), the marker's openat and its ENOENT, no
/// signal, and an EXIT after exit_group; then the next operation is ESRCH (G1).
inline Followed follow_to_exit(Tracer& t, const PtraceEvent& current, const std::string& marker,
                               const ExecExpect& x, support::CallSite where = {}) {
    Followed out;
    INFO("follow_to_exit() called from ", where.str());
    INFO("stops so far: ", out.trail);
    long in_syscall = -1; // the syscall whose PRE was the last stop
    if (is(current, PtraceFlags::STOP_PRE_SYSCALL)) {
        const auto regs = t.regs().get_int();
        REQUIRE_MESSAGE(regs.has_value(), regs.error().message());
        in_syscall = static_cast<long>(regs->rax);
        out.trail = syscall_name(regs->rax);
    }
    bool marker_pending = false;
    for (int i = 0; i < 2000; ++i) {
        const auto ev = t.next(all_stops);
        REQUIRE_MESSAGE(ev.has_value(),
                        "the program ended without an EXIT event: ", ev.error().message());
        const auto other = t.events();
        REQUIRE(other.has_value());
        CHECK_MESSAGE(other->empty(), "unexpected events: ", describe(*other));
        if (is(*ev, PtraceFlags::STOP_EXIT)) {
            out.trail += " EXIT";
            out.exit = std::get<ptrace_api::events::Exit>(ptrace_api::view(*ev)).status;
            CHECK_MESSAGE((in_syscall == SYS_exit_group || in_syscall == SYS_exit),
                          "EXIT without exit_group");
            break;
        }
        REQUIRE_MESSAGE(
            (is(*ev, PtraceFlags::STOP_PRE_SYSCALL) || is(*ev, PtraceFlags::STOP_POST_SYSCALL)),
            "unexpected stop ", describe(*ev));
        const auto regs = t.regs().get_int();
        REQUIRE_MESSAGE(regs.has_value(), regs.error().message());
        const auto kernel = proc_syscall(x.pid);
        REQUIRE(kernel.has_value());
        if (is(*ev, PtraceFlags::STOP_PRE_SYSCALL)) {
            CHECK_MESSAGE(in_syscall < 0, "PRE after PRE (", syscall_name(regs->rax), ")");
            CHECK_MESSAGE(regs->rax == static_cast<std::uint64_t>(kernel->nr),
                          "decision 7: rax at PRE is the number");
            in_syscall = static_cast<long>(regs->rax);
            out.trail += " " + syscall_name(regs->rax);
            if (const auto at = path_argument(*regs)) {
                const auto fresh = fresh_c_string(x.pid, *at);
                const auto mine = t.mem().read_c_string(*at, 4096);
                CHECK_MESSAGE(fresh.has_value(), "the kernel cannot read the path either");
                CHECK_MESSAGE(mine.has_value(), "the tracer's Memory cannot read the path of ",
                              syscall_name(regs->rax), ": ",
                              mine ? std::string() : mine.error().message());
                if (fresh && mine) {
                    ++out.paths_read;
                    out.trail += "(\"" + mine->text + "\")";
                    CHECK_MESSAGE(mine->text == *fresh, "the tracer's Memory read \"", mine->text,
                                  "\" where the program has \"", *fresh, "\"");
                }
                for (Memory* extra : x.extra_mem) {
                    const auto theirs = extra->read_c_string(*at, 4096);
                    CHECK_MESSAGE(theirs.has_value(),
                                  "a Memory opened before the exec cannot "
                                  "read the path: ",
                                  theirs ? std::string() : theirs.error().message());
                    if (fresh && theirs) {
                        CHECK_MESSAGE(theirs->text == *fresh,
                                      "a Memory opened before the exec read \"", theirs->text,
                                      "\" where the program has \"", *fresh, "\"");
                    }
                }
                if (regs->rax == SYS_openat && fresh && *fresh == marker) {
                    marker_pending = true;
                }
            }
        } else {
            CHECK_MESSAGE(in_syscall >= 0, "POST without PRE");
            CHECK_MESSAGE(kernel->nr == in_syscall, "POST of another syscall than the PRE");
            const auto result = static_cast<std::int64_t>(regs->rax);
            out.trail += " = " + result_text(regs->rax);
            if (marker_pending) {
                CHECK(result == -ENOENT);
                out.marker_seen = true;
                marker_pending = false;
            }
            in_syscall = -1;
        }
    }
    CHECK_MESSAGE(out.exit.has_value(), "no EXIT within 2000 stops");
    CHECK_MESSAGE(out.marker_seen, "the new program's openat(\"", marker,
                  "\") was never read at its PRE");
    CHECK(out.paths_read > 0);
    CHECK_ERRC(t.next(PtraceFlags{}), std::errc::no_such_process);
    return out;
}

/// Checks that the program exited with `code` (Child::wait: its real wait status, G2).
inline void expect_exit_code(Child& child, int code, support::CallSite where = {}) {
    INFO("expect_exit_code() called from ", where.str());
    const auto status = child.wait();
    REQUIRE_MESSAGE(status.has_value(), status.error().message());
    CHECK_MESSAGE(status->exited(), "wait status ", hex(status->raw));
    CHECK(status->exit_code() == code);
}

/// Checks that no task of `tids` is left: none may still exist as a zombie, stopped, traced
/// or running task (their parents reaped them), and the case has no child left to reap.
inline void expect_nothing_left(const std::vector<pid_t>& tids, support::CallSite where = {}) {
    INFO("expect_nothing_left() called from ", where.str());
    for (const pid_t tid : tids) {
        if (tid <= 0) {
            continue;
        }
        const bool gone =
            support::eventually([&] { return support::proc_state(tid) == '?'; }, 2000ms);
        CHECK_MESSAGE(gone, "task ", tid, " is left in state ", support::proc_state(tid));
    }
    CHECK_MESSAGE(api_support::no_children(), "a child of the case is left unreaped");
}

} // namespace exec_test
