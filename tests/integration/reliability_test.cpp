// SPDX-License-Identifier: MIT
// Regression tests of the shim on programs shaped like real ones: the handler probe is
// invisible (D5: no livelock in masked waits, no trap flag, no memory written), a non-leader
// thread's exec is followed (spec 3.G), a vfork child's memory handle follows its exec (K4),
// a tracee killed and then let go is never stranded (3.G), and neither is a clone child whose
// parent dies before its clone event (F1).

#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <cinttypes>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "api_support.hpp"
#include "support.hpp"

using namespace support;
using api_support::Watchdog;
using ptrace_api::Command;
using ptrace_api::NonblockTracer;
using ptrace_api::OnClose;
using ptrace_api::spawn;
using ptrace_api::Tracer;
namespace events = ptrace_api::events;

namespace {

std::string workloads_path() {
    return targets_dir() + "/workloads";
}

/// A fresh temporary directory, removed with its files at the end.
class TempDir {
public:
    TempDir() {
        char dir[] = "/tmp/ptrace-api-reliability-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        path_ = dir;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string slurp(const std::string& file) {
    std::ifstream in(file);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
}

/// The handler address a workloads program printed ("handler=0x...").
std::uint64_t printed_handler(const std::string& output) {
    const auto at = output.find("handler=");
    REQUIRE(at != std::string::npos);
    return std::stoull(output.substr(at + 8), nullptr, 16);
}

/// What a run of a workloads program gave: its output without the handler line (the address
/// differs between runs), and its wait status.
struct Run {
    std::string output;
    int status = -1;
    std::uint64_t handler = 0;
    std::vector<ptrace_api::PtraceEvent> events;
};

std::string without_handler_line(const std::string& output) {
    std::string out;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("handler=", 0) != 0) {
            out += line + "\n";
        }
    }
    return out;
}

/// Runs `args` of the workloads program without a tracer.
Run run_untraced(const TempDir& dir, std::vector<std::string> args) {
    const std::string out = dir.file("untraced.txt");
    args.insert(args.begin(), out);
    Scenario sc;
    const pid_t pid = sc.spawn(args, nullptr, nullptr, workloads_path());
    Run run;
    run.status = sc.wait_exit(pid);
    const std::string text = slurp(out);
    run.output = without_handler_line(text);
    if (text.find("handler=") != std::string::npos) {
        run.handler = printed_handler(text);
    }
    return run;
}

/// Runs `args` of the workloads program under spawn() and a Tracer that resumes every stop
/// in `flags` without FLAG_IGNORE, so the program should not notice.
Run run_traced(const TempDir& dir, std::vector<std::string> args, PtraceFlags flags) {
    const std::string out = dir.file("traced.txt");
    args.insert(args.begin(), out);
    Watchdog watchdog(std::chrono::seconds(20));
    auto spawned = spawn(Command{workloads_path(), args, {}, {}});
    REQUIRE_MESSAGE(spawned.has_value(), spawned.error().message());
    watchdog.watch(spawned->child.pid());
    Run run;
    for (int stops = 0; stops < 100000; ++stops) {
        const auto ev = spawned->tracer.next(flags);
        if (!ev) {
            CHECK(ev.error() == std::make_error_code(std::errc::no_such_process));
            break;
        }
        run.events.push_back(*ev);
    }
    CHECK(std::move(spawned->tracer).close().has_value());
    const auto status = spawned->child.wait();
    REQUIRE(status.has_value());
    run.status = static_cast<int>(status->raw);
    const std::string text = slurp(out);
    run.output = without_handler_line(text);
    if (text.find("handler=") != std::string::npos) {
        run.handler = printed_handler(text);
    }
    return run;
}

std::vector<events::Signal> signal_events(const Run& run) {
    std::vector<events::Signal> out;
    for (const auto& ev : run.events) {
        const auto meaning = view(ev);
        if (const auto* sig = std::get_if<events::Signal>(&meaning)) {
            out.push_back(*sig);
        }
    }
    return out;
}

/// The TIDs of tasks this process traces now: TracerPid in /proc/<tid>/status names the
/// tracing thread (the shim's tracer thread), so every thread of this process counts.
std::vector<pid_t> tasks_traced_by_us() {
    std::vector<pid_t> own;
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
        own.push_back(std::stoi(task.path().filename()));
    }
    for (const auto& proc : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = proc.path().filename();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        for (const auto& task : std::filesystem::directory_iterator(proc.path() / "task", ec)) {
            const pid_t tid = std::stoi(task.path().filename());
            const auto st = shim::sys::proc_status(tid);
            if (st && std::find(own.begin(), own.end(), st->tracer_pid) != own.end()) {
                out.push_back(tid);
            }
        }
    }
    return out;
}

/// What follow_all() saw: the events of every tracer by the TID it was attached with, and
/// the tracer's pid() when it last stopped.
struct Followed {
    std::map<pid_t, std::vector<ptrace_api::PtraceEvent>> seen;
    std::map<pid_t, pid_t> pid_after;
};

/// Follows a spawned program and every task it creates, as `strace -f` does: each tracer is
/// nonblocking, poll(2) waits for them, a new task is adopted at its EVENT_CLONE (F1-F3) and
/// every tracer is resumed with `flags` (which must hold EVENT_CLONE) after each breakpoint.
Followed follow_all(Tracer first, PtraceFlags flags) {
    Followed out;
    std::map<pid_t, NonblockTracer> tracers;
    auto start = [&](pid_t tid, Tracer tracer) {
        auto nb = std::move(tracer).into_nonblocking();
        REQUIRE(nb.has_value());
        REQUIRE(nb->next(flags).has_value());
        out.seen[tid];
        tracers.emplace(tid, std::move(*nb));
    };
    start(first.pid(), std::move(first));
    while (!tracers.empty()) {
        std::vector<pollfd> fds;
        std::vector<pid_t> keys;
        for (auto& entry : tracers) {
            fds.push_back(pollfd{entry.second.native_handle(), POLLIN, 0});
            keys.push_back(entry.first);
        }
        REQUIRE(::poll(fds.data(), fds.size(), 10000) > 0);
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            NonblockTracer& t = tracers.at(keys[i]);
            auto evs = t.events();
            REQUIRE(evs.has_value());
            if (evs->empty()) { // readable and empty: gone (C8, G1)
                tracers.erase(keys[i]);
                continue;
            }
            bool at_breakpoint = false;
            for (const auto& ev : *evs) {
                out.seen[keys[i]].push_back(ev);
                const auto meaning = view(ev);
                if (const auto* clone = std::get_if<events::Clone>(&meaning)) {
                    auto child = Tracer::attach(static_cast<pid_t>(clone->pid));
                    if (child.has_value()) {
                        start(static_cast<pid_t>(clone->pid), std::move(*child));
                    } else {
                        // Gone already (killed before it ran): nothing to follow.
                        CHECK(child.error() == std::make_error_code(std::errc::no_such_process));
                    }
                } else {
                    at_breakpoint = true;
                }
            }
            out.pid_after[keys[i]] = t.pid();
            if (at_breakpoint) {
                (void)t.next(flags);
            }
        }
    }
    return out;
}

const PtraceFlags signal_stops = PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT;
const PtraceFlags syscall_stops = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL |
                                  PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT;

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("D5: a caught signal that interrupts a masked wait: same output, mask and status "
              "as untraced, and the exact handler address (no livelock)") {
        TempDir dir;
        for (const char* wait : {"sigsuspend", "ppoll", "pselect"}) {
            for (const PtraceFlags flags : {signal_stops, syscall_stops}) {
                CAPTURE(wait);
                CAPTURE(flags);
                const Run plain = run_untraced(dir, {wait});
                REQUIRE(WIFEXITED(plain.status));
                CHECK(plain.output.find("hits=1") != std::string::npos);
                const Run traced = run_traced(dir, {wait}, flags);
                CHECK(traced.output == plain.output);
                CHECK(traced.status == plain.status);
                const auto signals = signal_events(traced);
                REQUIRE(signals.size() == 1);
                CHECK(signals[0].signal == SIGALRM);
                CHECK(signals[0].handler == traced.handler);
            }
        }
    }

    TEST_CASE("D5: the handler probe writes no tracee memory: a green thread's neighbour below "
              "its stack pointer stays intact") {
        TempDir dir;
        const Run plain = run_untraced(dir, {"altstack"});
        REQUIRE(WIFEXITED(plain.status));
        CHECK(plain.output.find("neighbour bytes changed=0") != std::string::npos);
        const Run traced = run_traced(dir, {"altstack"}, signal_stops);
        CHECK(traced.output == plain.output);
        CHECK(traced.status == plain.status);
        const auto signals = signal_events(traced);
        REQUIRE(signals.size() == 1);
        CHECK(signals[0].handler == traced.handler);
    }

    TEST_CASE("D5/I2: a tracer killed while it holds a SIGNAL stop leaves its tracee as a raw "
              "ptrace tracer would: alive, no trap flag, its masked wait intact") {
        // Linux drops the signal of a delivery-stop when the tracer dies there (any tracer:
        // checked with a raw PTRACE_SEIZE tracer on Linux 6.18): the tracee goes back into its
        // wait. What must not happen is what the single-stepping probe did: a trap flag left
        // set, and death by SIGTRAP one instruction later. The signal sent again must then
        // find the wait exactly as the program left it (same output as untraced).
        TempDir dir;
        const Run plain = run_untraced(dir, {"sigsuspend"});
        // The tracee is the holder's child: become its parent when the holder dies, to reap it.
        REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
        struct Unset {
            ~Unset() { (void)::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0); }
        } unset;
        for (int round = 0; round < 5; ++round) {
            CAPTURE(round);
            const std::string out = dir.file("held" + std::to_string(round) + ".txt");
            Scenario sc;
            int pipe_out = -1;
            const pid_t holder = sc.spawn({"hold_signal", workloads_path(), out, "sigsuspend"},
                                          &pipe_out, nullptr, probe_path());
            // The holder prints "held PID HANDLER" once it sits at the SIGNAL stop.
            std::string line;
            char c = 0;
            while (::read(pipe_out, &c, 1) == 1 && c != '\n') {
                line += c;
            }
            (void)::close(pipe_out);
            REQUIRE_MESSAGE(line.rfind("held ", 0) == 0, line);
            std::istringstream fields(line.substr(5));
            pid_t tracee = 0;
            std::string handler;
            fields >> tracee >> handler;
            REQUIRE(tracee > 0);
            CHECK(proc_state(tracee) == 't');
            REQUIRE(::kill(holder, SIGKILL) == 0);
            CHECK(WTERMSIG(sc.wait_exit(holder)) == SIGKILL);
            // The orphan (our child now) waits in sigsuspend again, untraced.
            CHECK(eventually([&] { return tracer_pid(tracee) == 0 && proc_state(tracee) == 'S'; }));
            REQUIRE(::kill(tracee, SIGALRM) == 0);
            int status = -1;
            CHECK(
                eventually([&] { return ::waitpid(tracee, &status, WNOHANG) == tracee; }, 5000ms));
            CHECK(status == 0);
            const std::string text = slurp(out);
            CHECK(without_handler_line(text) == plain.output);
            CHECK(std::stoull(handler, nullptr, 16) == printed_handler(text));
        }
    }

    TEST_CASE("Exec from a non-leader thread: the exec'ing thread's session goes on under the "
              "leader's TID; the old leader and the other threads exit (spec 3.G)") {
        TempDir dir;
        Watchdog watchdog(std::chrono::seconds(20));
        auto spawned =
            spawn(Command{workloads_path(),
                          {dir.file("out.txt"), "thread_exec", tracee_path(), "exit", "7"},
                          {},
                          {}});
        REQUIRE(spawned.has_value());
        const pid_t leader = spawned->child.pid();
        watchdog.watch(leader);
        const PtraceFlags follow =
            PtraceFlags::EVENT_CLONE | PtraceFlags::STOP_EXIT | PtraceFlags::STOP_PRE_SYSCALL;
        const Followed followed = follow_all(std::move(spawned->tracer), follow);
        const auto& seen = followed.seen;
        const auto& pid_after = followed.pid_after;
        const auto status = spawned->child.wait();
        REQUIRE(status.has_value());
        CHECK(status->exited());
        CHECK(status->exit_code() == 7); // the new program's status, under the leader's pid
        // Three threads were traced: the leader, the reader and the exec'ing thread.
        REQUIRE(seen.size() == 3);
        int went_on = 0;
        for (const auto& entry : seen) {
            const pid_t tid = entry.first;
            const auto& evs = entry.second;
            CAPTURE(tid);
            REQUIRE(!evs.empty());
            const auto last = view(evs.back());
            const auto* exit = std::get_if<events::Exit>(&last);
            REQUIRE(exit != nullptr);
            if (exit->status.exit_code() == 7) {
                // The exec'ing thread: its tracer names the leader's TID now.
                ++went_on;
                CHECK(tid != leader);
                CHECK(pid_after.at(tid) == leader);
            } else {
                CHECK(exit->status.exited());
                CHECK(exit->status.exit_code() == 0); // ended by the exec
            }
        }
        CHECK(went_on == 1);
    }

    TEST_CASE("Exec from a non-leader thread that nobody traces: the leader's session ends with "
              "EXIT(0); the program's status is the new program's") {
        TempDir dir;
        Watchdog watchdog(std::chrono::seconds(20));
        auto spawned =
            spawn(Command{workloads_path(),
                          {dir.file("out.txt"), "thread_exec", tracee_path(), "exit", "7"},
                          {},
                          {}});
        REQUIRE(spawned.has_value());
        watchdog.watch(spawned->child.pid());
        std::vector<events::Exit> exits;
        for (;;) {
            const auto ev = spawned->tracer.next(signal_stops);
            if (!ev) {
                CHECK(ev.error() == std::make_error_code(std::errc::no_such_process));
                break;
            }
            const auto meaning = view(*ev);
            if (const auto* exit = std::get_if<events::Exit>(&meaning)) {
                exits.push_back(*exit);
            }
        }
        REQUIRE(exits.size() == 1);
        CHECK(exits[0].status.exit_code() == 0);
        const auto status = spawned->child.wait();
        REQUIRE(status.has_value());
        CHECK(status->exit_code() == 7);
    }

    TEST_CASE("F1: a child killed before its first stop is let go at its exit stop; its parent's "
              "wait returns") {
        TempDir dir;
        for (int round = 0; round < 10; ++round) {
            CAPTURE(round);
            Watchdog watchdog(std::chrono::seconds(20));
            auto spawned =
                spawn(Command{workloads_path(), {dir.file("out.txt"), "fork_kill"}, {}, {}});
            REQUIRE(spawned.has_value());
            watchdog.watch(spawned->child.pid());
            (void)follow_all(std::move(spawned->tracer), PtraceFlags::EVENT_CLONE |
                                                             PtraceFlags::STOP_EXIT |
                                                             PtraceFlags::STOP_PRE_SYSCALL);
            const auto status = spawned->child.wait();
            REQUIRE(status.has_value());
            CHECK(status->exit_code() == 0);
            CHECK(slurp(dir.file("out.txt")) == "child status=0x9\n");
        }
        CHECK(eventually([] { return tasks_traced_by_us().empty(); }));
    }

    TEST_CASE("K4: a vfork child's memory handle, opened before its exec, reads the new program "
              "after it") {
        TempDir dir;
        Watchdog watchdog(std::chrono::seconds(20));
        auto spawned =
            spawn(Command{workloads_path(),
                          {dir.file("out.txt"), "vfork_exec", tracee_path(), "exit", "5"},
                          {},
                          {}});
        REQUIRE(spawned.has_value());
        watchdog.watch(spawned->child.pid());
        Tracer& parent = spawned->tracer;
        const PtraceFlags flags = PtraceFlags::EVENT_CLONE | PtraceFlags::STOP_EXIT;
        // The vfork parent waits for its frozen child (F6): take the clone event as it comes.
        std::optional<Tracer> child;
        {
            auto woken = parent.next_event(flags);
            REQUIRE(woken.has_value());
            for (const auto& ev : *woken) {
                const auto meaning = view(ev);
                if (const auto* clone = std::get_if<events::Clone>(&meaning)) {
                    child = api_support::attach_ok(static_cast<pid_t>(clone->pid));
                }
            }
        }
        REQUIRE(child.has_value()); // adopted while it shares its parent's address space
        const pid_t child_pid = child->pid();
        // Run the child to its first syscall after the exec (decision 17: no POST for execve).
        bool exec_seen = false;
        std::optional<ptrace_api::IntRegisters> after_exec;
        for (int i = 0; i < 1000 && !after_exec; ++i) {
            const auto ev = child->next(PtraceFlags::STOP_PRE_SYSCALL);
            REQUIRE(ev.has_value());
            const auto regs = child->regs().get_int();
            REQUIRE(regs.has_value());
            if (exec_seen) {
                after_exec = *regs;
            } else if (regs->rax == SYS_execve) {
                exec_seen = true;
            }
        }
        REQUIRE(after_exec.has_value());
        // The kept handle against a fresh one: the same bytes of the new program's stack.
        std::array<std::byte, 256> kept{};
        std::array<std::byte, 256> fresh{};
        REQUIRE(child->mem().read(after_exec->rsp, kept).has_value());
        auto fresh_mem = ptrace_api::Memory::open(child_pid);
        REQUIRE(fresh_mem.has_value());
        REQUIRE(fresh_mem->read(after_exec->rsp, fresh).has_value());
        CHECK(kept == fresh);
        CHECK(std::move(*child).close().has_value());
        for (;;) {
            const auto ev = parent.next(flags);
            if (!ev) {
                break;
            }
        }
        const auto status = spawned->child.wait();
        REQUIRE(status.has_value());
        CHECK(status->exit_code() == 0);
        CHECK(slurp(dir.file("out.txt")) == "child status=0x500\n");
    }

    TEST_CASE("G3: SIGKILL a tracee held at a stop, then close its handle: its parent reaps it "
              "at once, nothing stays traced") {
        for (const PtraceFlags stop :
             {PtraceFlags::STOP_PRE_SYSCALL, PtraceFlags::STOP_POST_SYSCALL,
              PtraceFlags::STOP_SINGLESTEP}) {
            for (int round = 0; round < 10; ++round) {
                CAPTURE(stop);
                CAPTURE(round);
                Scenario sc;
                int gate = -1;
                const pid_t pid = sc.spawn({"getppid", "-1"}, nullptr, &gate);
                REQUIRE(eventually([&] { return at_gate(pid); }));
                Tracer tracer =
                    api_support::attach_ok(pid, {ptrace_api::AttachStop::StopNow, OnClose::Detach});
                open_gate(gate);
                REQUIRE(tracer.next(stop).has_value());
                REQUIRE(proc_state(pid) == 't');
                REQUIRE(::kill(pid, SIGKILL) == 0);
                CHECK(std::move(tracer).close().has_value());
                const int status = sc.wait_exit(pid);
                CHECK(WIFSIGNALED(status));
                CHECK(WTERMSIG(status) == SIGKILL);
            }
        }
        CHECK(eventually([] { return tasks_traced_by_us().empty(); }));
    }

    TEST_CASE("F1: a clone child whose parent is killed before its clone event is not held "
              "forever") {
        TempDir dir;
        std::mt19937 rng(12345);
        for (int round = 0; round < 30; ++round) {
            CAPTURE(round);
            Watchdog watchdog(std::chrono::seconds(20));
            auto spawned =
                spawn(Command{workloads_path(), {dir.file("out.txt"), "forks", "100000"}, {}, {}});
            REQUIRE(spawned.has_value());
            const pid_t pid = spawned->child.pid();
            watchdog.watch(pid);
            std::thread killer([pid, delay = std::uniform_int_distribution<int>(0, 3000)(rng)] {
                std::this_thread::sleep_for(std::chrono::microseconds(delay));
                (void)::kill(pid, SIGKILL);
            });
            // Follow the clone events, letting each child go at the next write (F2).
            for (;;) {
                const auto ev =
                    spawned->tracer.next(PtraceFlags::EVENT_CLONE | PtraceFlags::STOP_EXIT);
                if (!ev) {
                    break;
                }
            }
            killer.join();
            CHECK(std::move(spawned->tracer).close().has_value());
            const auto status = spawned->child.wait();
            REQUIRE(status.has_value());
            CHECK(status->signaled());
            // Every child is let go: none stays traced (and so stopped) by this process.
            CHECK(eventually([] { return tasks_traced_by_us().empty(); }));
        }
    }

} // TEST_SUITE
