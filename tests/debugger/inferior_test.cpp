// SPDX-License-Identifier: MIT
// Inferior's additions for the gdbserver example (issue 13 item 2): the per-signal policy
// (stop, pass, suppress), attaching to a running multi-threaded process and detaching from
// it, and the interrupt fd. Targets: `stepping signals` and `stepping spin N`
// (tests/targets/stepping.cpp). Bounded by watchdogs; nothing is left behind.
#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/syscall_set.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugger_support.hpp"
#include "inferior_support.hpp"
#include "queued_signal.hpp"
#include "watchdog.hpp"

namespace dbg = ptrace_api::debugger;

namespace {

std::string stepping() {
    return debugger_support::targets_dir() + "/stepping";
}

using inferior_support::cont;
using inferior_support::symbol_address;
using inferior_support::take_fork;
using inferior_support::wait_stop;

/// The `stepping` target with `args`, stopped before its first instruction.
dbg::Inferior launch(const std::vector<std::string>& args) {
    return inferior_support::launch(stepping(), args);
}

/// `stepping threads N M` (N threads each calling hammer() M times), watched by `watchdog`.
dbg::Inferior launch_threads(test_support::Watchdog& watchdog, int threads, int calls) {
    auto inferior = launch({"threads", std::to_string(threads), std::to_string(calls)});
    watchdog.watch(inferior.pid());
    return inferior;
}

std::size_t task_count(pid_t pid) {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        (void)entry;
        ++n;
    }
    return n;
}

/// TracerPid of /proc/<pid>/status (0: not traced).
long tracer_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("TracerPid:", 0) == 0) {
            return std::stol(line.substr(10));
        }
    }
    return -1;
}

/// The state letter of /proc/<pid>/stat (R, S, T, Z ...).
char state_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);
    const std::size_t paren = text.rfind(')');
    return paren == std::string::npos || paren + 2 >= text.size() ? '?' : text[paren + 2];
}

/// `stepping spin N` as a plain (untraced) child, once all its threads exist.
pid_t start_spinner(int threads) {
    const std::string path = stepping();
    const std::string n = std::to_string(threads);
    const pid_t pid = test_support::fork_tied_to_test();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::execl(path.c_str(), path.c_str(), "spin", n.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    for (int i = 0; i < 500 && task_count(pid) < static_cast<std::size_t>(threads) + 1; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pid;
}

/// An interrupt fd for `inferior` (set_interrupt_fd: a pipe's read end) for as long as it
/// lives: poke() makes it readable, now or after `delay` from a thread of its own; take()
/// reads the byte back and says whether it was there.
class Interrupt {
public:
    explicit Interrupt(dbg::Inferior& inferior) : inferior_(inferior) {
        REQUIRE(::pipe(fds_.data()) == 0);
        inferior_.set_interrupt_fd(fds_[0]);
    }
    Interrupt(const Interrupt&) = delete;
    Interrupt& operator=(const Interrupt&) = delete;
    ~Interrupt() {
        if (poker_.joinable()) {
            poker_.join();
        }
        inferior_.set_interrupt_fd(-1);
        ::close(fds_[0]);
        ::close(fds_[1]);
    }

    void poke(std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
        if (delay.count() == 0) {
            REQUIRE(::write(fds_[1], "\x03", 1) == 1);
            return;
        }
        poker_ = std::thread([this, delay] {
            std::this_thread::sleep_for(delay);
            (void)::write(fds_[1], "\x03", 1);
        });
    }

    [[nodiscard]] bool take() {
        if (poker_.joinable()) {
            poker_.join();
        }
        char byte = 0;
        return ::read(fds_[0], &byte, 1) == 1;
    }

private:
    dbg::Inferior& inferior_;
    std::array<int, 2> fds_{-1, -1};
    std::thread poker_;
};

void kill_and_reap(pid_t pid) {
    (void)::kill(pid, SIGKILL);
    int status = 0;
    (void)::waitpid(pid, &status, 0);
}

} // namespace

TEST_CASE("Issue 13 gdbserver: signal policies stop, pass and suppress the program's signals") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    SUBCASE("Pass (the default): delivered, never reported") {
        auto inferior = launch({"signals"});
        watchdog.watch(inferior.pid());
        const dbg::Stop stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Exited);
        CHECK(stop.status.exit_code() == 11);
        watchdog.forget(inferior.pid());
    }
    SUBCASE("Stop: reported; delivered when it goes on, or discarded") {
        auto inferior = launch({"signals"});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_signal_policy(SIGUSR1, dbg::SignalPolicy::Stop).has_value());
        REQUIRE(inferior.set_signal_policy(SIGUSR2, dbg::SignalPolicy::Stop).has_value());
        CHECK(inferior.signal_policy(SIGUSR1) == dbg::SignalPolicy::Stop);
        dbg::Stop stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Signal);
        CHECK(stop.signal == SIGUSR1);
        CHECK(stop.tid == inferior.pid());
        CHECK(inferior.pending_signal(stop.tid) == SIGUSR1);
        CHECK(stop.describe().find("SIGUSR1") != std::string::npos);
        stop = cont(inferior); // SIGUSR1 delivered
        REQUIRE(stop.reason == dbg::StopReason::Signal);
        CHECK(stop.signal == SIGUSR2);
        REQUIRE(inferior.discard_signal(stop.tid).has_value());
        CHECK(inferior.pending_signal(stop.tid) == 0);
        stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Exited);
        CHECK(stop.status.exit_code() == 10); // the handler of SIGUSR2 never ran
        watchdog.forget(inferior.pid());
    }
    SUBCASE("deliver_signal: another signal instead of the one stopped at, with no stop") {
        auto inferior = launch({"signals"});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_signal_policy(SIGUSR1, dbg::SignalPolicy::Stop).has_value());
        REQUIRE(inferior.set_signal_policy(SIGUSR2, dbg::SignalPolicy::Stop).has_value());
        dbg::Stop stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Signal);
        CHECK(stop.signal == SIGUSR1);
        // SIGUSR1 is discarded; SIGUSR2 is delivered as the thread goes on, not reported
        // although its policy is Stop.
        REQUIRE(inferior.deliver_signal(stop.tid, SIGUSR2).has_value());
        CHECK(inferior.pending_signal(stop.tid) == 0);
        stop = cont(inferior); // the program's own SIGUSR2 (raise) is reported
        REQUIRE(stop.reason == dbg::StopReason::Signal);
        CHECK(stop.signal == SIGUSR2);
        // The one it is stopped at: simply delivered.
        REQUIRE(inferior.deliver_signal(stop.tid, SIGUSR2).has_value());
        CHECK(inferior.pending_signal(stop.tid) == SIGUSR2);
        stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Exited);
        CHECK(stop.status.exit_code() == 2); // SIGUSR1's handler never ran, SIGUSR2's twice
        CHECK(inferior.deliver_signal(stop.tid, SIGUSR2).error().code ==
              std::errc::no_such_process);
        watchdog.forget(inferior.pid());
    }
    SUBCASE("deliver_signal of a signal the thread blocks: it arrives once unblocked and is "
            "reported by its policy") {
        auto inferior = launch({"signals"});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_signal_policy(SIGUSR1, dbg::SignalPolicy::Stop).has_value());
        REQUIRE(inferior.set_signal_policy(SIGUSR2, dbg::SignalPolicy::Stop).has_value());
        REQUIRE(inferior.breakpoints().set(symbol_address(inferior.pid(), "on_usr1")));
        dbg::Stop stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Signal);
        CHECK(stop.signal == SIGUSR1);
        stop = cont(inferior); // delivered: in its handler, where SIGUSR1 is blocked
        REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Breakpoint, stop.describe());
        REQUIRE(inferior.deliver_signal(stop.tid, SIGUSR1).has_value());
        // The handler returns and unblocks it: it arrives then, a signal like any other
        // (GNU gdbserver's injection is queued again by the kernel the same way).
        stop = cont(inferior);
        REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Signal, stop.describe());
        CHECK(stop.signal == SIGUSR1);
        REQUIRE(inferior.discard_signal(stop.tid).has_value());
        stop = cont(inferior);
        REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Signal, stop.describe());
        CHECK(stop.signal == SIGUSR2);
        stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Exited);
        CHECK(stop.status.exit_code() == 11); // each handler once
        watchdog.forget(inferior.pid());
    }
    SUBCASE("Suppress: thrown away without a report") {
        auto inferior = launch({"signals"});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_signal_policy(SIGUSR1, dbg::SignalPolicy::Suppress).has_value());
        const dbg::Stop stop = cont(inferior);
        REQUIRE(stop.reason == dbg::StopReason::Exited);
        CHECK(stop.status.exit_code() == 1);
        watchdog.forget(inferior.pid());
    }
    SUBCASE("bad input") {
        auto inferior = launch({"signals"});
        watchdog.watch(inferior.pid());
        CHECK(inferior.set_signal_policy(0, dbg::SignalPolicy::Stop).error().code ==
              std::errc::invalid_argument);
        CHECK(inferior.set_signal_policy(65, dbg::SignalPolicy::Stop).error().code ==
              std::errc::invalid_argument);
        CHECK(inferior.discard_signal(inferior.pid()).error().code ==
              std::errc::invalid_argument); // not stopped at a signal
        CHECK(inferior.deliver_signal(inferior.pid(), 0).error().code ==
              std::errc::invalid_argument);
        CHECK(inferior.deliver_signal(inferior.pid(), 65).error().code ==
              std::errc::invalid_argument);
        CHECK(inferior.deliver_signal(999999, SIGUSR1).error().code == std::errc::no_such_process);
        (void)inferior.kill();
        watchdog.forget(inferior.pid());
    }
}

TEST_CASE("Issue 13 gdbserver: attach stops every thread of a running process; detach lets it "
          "run on untraced") {
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    const pid_t pid = start_spinner(3);
    watchdog.watch(pid);
    REQUIRE(task_count(pid) == 4);
    {
        auto inferior = dbg::Inferior::attach(pid);
        REQUIRE_MESSAGE(inferior.has_value(), (inferior ? "" : inferior.error().describe()));
        CHECK(inferior->attached());
        CHECK(inferior->threads().size() == 4);
        CHECK(tracer_of(pid) != 0); // the shim's tracer thread
        auto symbols = dbg::SymbolTable::load(pid, dbg::VdsoSymbols::Skip);
        REQUIRE(symbols.has_value());
        const dbg::Symbol* add_one = symbols->find("add_one");
        REQUIRE(add_one != nullptr);
        REQUIRE(inferior->breakpoints().set(add_one->address).has_value());
        for (int i = 0; i < 3; ++i) {
            const dbg::Stop stop = cont(*inferior);
            REQUIRE(stop.reason == dbg::StopReason::Breakpoint);
            CHECK(stop.address == add_one->address);
        }
        REQUIRE(inferior->detach().has_value());
        CHECK(inferior->exited());
        CHECK(inferior->threads().empty());
    }
    // Untraced, int3s gone, still running.
    for (int i = 0; i < 100 && tracer_of(pid) != 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(tracer_of(pid) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int status = 0;
    CHECK(::waitpid(pid, &status, WNOHANG) == 0); // did not die of a leftover int3
    CHECK(state_of(pid) != 'T');                  // nor sits in a stop
    kill_and_reap(pid);
    watchdog.forget(pid);
}

TEST_CASE("Issue 13 gdbserver: an attached process killed, and attach errors") {
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    SUBCASE("kill") {
        const pid_t pid = start_spinner(1);
        watchdog.watch(pid);
        auto inferior = dbg::Inferior::attach(pid);
        REQUIRE_MESSAGE(inferior.has_value(), (inferior ? "" : inferior.error().describe()));
        auto status = inferior->kill();
        REQUIRE(status.has_value());
        CHECK(status->term_signal() == SIGKILL);
        int raw = 0;
        CHECK(::waitpid(pid, &raw, 0) == pid);
        CHECK(WIFSIGNALED(raw));
        watchdog.forget(pid);
    }
    SUBCASE("no such process") {
        auto inferior = dbg::Inferior::attach(0x3ffffff0);
        REQUIRE_FALSE(inferior.has_value());
        CHECK(inferior.error().code == std::errc::no_such_process);
    }
    SUBCASE("ourselves") {
        auto inferior = dbg::Inferior::attach(::getpid());
        REQUIRE_FALSE(inferior.has_value());
        CHECK(inferior.error().code == std::errc::operation_not_permitted);
        CHECK(inferior.error().message.find("debugger itself") != std::string::npos);
    }
    SUBCASE("traced already: EBUSY, said so") {
        auto first = launch({"spin", "1"});
        watchdog.watch(first.pid());
        auto second = dbg::Inferior::attach(first.pid());
        REQUIRE_FALSE(second.has_value());
        CHECK(second.error().message.find("cannot attach to process") != std::string::npos);
        CHECK(second.error().message.find("already traced by") != std::string::npos);
        (void)first.kill();
        watchdog.forget(first.pid());
    }
}

TEST_CASE("Decision 27: signal_info() of a thread at a reported signal, also once discarded; "
          "the step's SIGTRAP at the first instruction") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"signals"});
    watchdog.watch(inferior.pid());
    // At the first instruction: spawn() left it at a SINGLESTEP breakpoint, the step over the
    // execve, which Linux reports as TRAP_BRKPT (a step over a syscall instruction).
    const auto before = inferior.signal_info(inferior.pid());
    REQUIRE_MESSAGE(before.has_value(), (before ? "" : before.error().describe()));
    CHECK(before->signo() == SIGTRAP);
    CHECK(before->code() == TRAP_BRKPT);
    REQUIRE(inferior.set_signal_policy(SIGUSR1, dbg::SignalPolicy::Stop).has_value());
    const dbg::Stop stop = cont(inferior);
    REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Signal, stop.describe());
    REQUIRE(stop.signal == SIGUSR1);
    const auto info = inferior.signal_info(stop.tid);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().describe()));
    CHECK(info->signo() == SIGUSR1);
    CHECK(info->code() == SI_TKILL); // raise(3)
    CHECK(info->sender_pid() == inferior.pid());
    REQUIRE(inferior.discard_signal(stop.tid).has_value());
    CHECK(inferior.signal_info(stop.tid).value() == *info); // still at that stop
    const dbg::Stop end = cont(inferior);
    REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
    CHECK(end.status.exit_code() == 1); // SIGUSR1 discarded, SIGUSR2 delivered
    const auto after = inferior.signal_info(stop.tid);
    REQUIRE_FALSE(after.has_value());
    CHECK(after.error().code == std::errc::no_such_process);
    watchdog.forget(inferior.pid());
}

TEST_CASE("Decision 27: signal_info() at a breakpoint hit and after a step: the int3's SIGTRAP "
          "(SI_KERNEL), the step's (TRAP_TRACE)") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"basic"});
    watchdog.watch(inferior.pid());
    const std::uint64_t add_one = symbol_address(inferior.pid(), "add_one");
    REQUIRE(inferior.breakpoints().set(add_one).has_value());
    const dbg::Stop hit = cont(inferior);
    REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
    const auto trapped = inferior.signal_info(hit.tid);
    REQUIRE_MESSAGE(trapped.has_value(), (trapped ? "" : trapped.error().describe()));
    CHECK(trapped->signo() == SIGTRAP);
    CHECK(trapped->code() == SI_KERNEL);
    // add_one's first instruction is an ordinary one (`endbr64` or a push), not a syscall.
    auto stepped = inferior.step_instruction(hit.tid);
    REQUIRE_MESSAGE(stepped.has_value(), (stepped ? "" : stepped.error().describe()));
    const auto step_info = inferior.signal_info(hit.tid);
    REQUIRE_MESSAGE(step_info.has_value(), (step_info ? "" : step_info.error().describe()));
    CHECK(step_info->signo() == SIGTRAP);
    CHECK(step_info->code() == TRAP_TRACE);
    (void)inferior.kill();
    watchdog.forget(inferior.pid());
}

TEST_CASE("Decision 27: set_signal_info() makes the thread go on with the record written, at "
          "a reported signal and at the program's own int3; discard_signal() drops it") {
    // The tracee's SIGUSR1 handler exits 0 for exactly this record, 10-12 for another, and
    // the program exits 3 when the handler never ran (tracee siginfo_check).
    const ptrace_api::SignalInfo queued = test_support::queued_usr1();
    const std::string tracee = debugger_support::targets_dir() + "/tracee";
    struct Case {
        const char* what;
        const char* at;
        bool discard;
        int exit_code;
    };
    for (const Case& c : {Case{"a reported SIGUSR1 (raise)", "raise", false, 0},
                          Case{"the program's own int3, SIGUSR1 then delivered", "int3", false, 0},
                          Case{"written, then discarded: no handler", "raise", true, 3}}) {
        INFO(std::string(c.what));
        test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
        auto inferior = inferior_support::launch(tracee, {"siginfo_check", c.at});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_signal_policy(SIGUSR1, dbg::SignalPolicy::Stop).has_value());
        const dbg::Stop stop = cont(inferior);
        REQUIRE_MESSAGE((stop.reason == dbg::StopReason::Signal ||
                         stop.reason == dbg::StopReason::ForeignBreakpoint),
                        stop.describe());
        auto written = inferior.set_signal_info(stop.tid, queued);
        REQUIRE_MESSAGE(written.has_value(), (written ? "" : written.error().describe()));
        CHECK(inferior.pending_signal(stop.tid) == SIGUSR1);
        CHECK(inferior.signal_info(stop.tid).value() == queued);
        if (c.discard) {
            REQUIRE(inferior.discard_signal(stop.tid).has_value());
        } else {
            // gdb's `continue` with the signal (a remote C): the record stays.
            REQUIRE(inferior.deliver_signal(stop.tid, SIGUSR1).has_value());
        }
        const dbg::Stop end = cont(inferior);
        REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
        CHECK(end.status.exit_code() == c.exit_code);
        watchdog.forget(inferior.pid());
    }
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = inferior_support::launch(tracee, {"siginfo_check", "raise"});
    watchdog.watch(inferior.pid());
    auto no_signal = inferior.set_signal_info(inferior.pid(), ptrace_api::SignalInfo{});
    REQUIRE_FALSE(no_signal.has_value());
    CHECK(no_signal.error().code == std::errc::invalid_argument);
    auto no_thread = inferior.set_signal_info(inferior.pid() + 100000, queued);
    REQUIRE_FALSE(no_thread.has_value());
    CHECK(no_thread.error().code == std::errc::no_such_process);
    (void)inferior.kill();
    watchdog.forget(inferior.pid());
}

TEST_CASE("Issue 13 gdbserver: a readable interrupt fd stops the running program") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"spin", "2"});
    watchdog.watch(inferior.pid());
    Interrupt interrupt(inferior);
    interrupt.poke(std::chrono::milliseconds(300));
    const dbg::Stop stop = cont(inferior);
    CHECK(stop.reason == dbg::StopReason::Interrupted);
    CHECK(inferior.threads().size() == 3);
    CHECK(inferior.registers(stop.tid).has_value()); // every thread is stopped
    for (const pid_t tid : inferior.threads()) {
        // Decision 27: stopped by the Inferior's SIGSTOPs, not at a signal of the program's.
        CAPTURE(tid);
        const auto info = inferior.signal_info(tid);
        REQUIRE_FALSE(info.has_value());
        CHECK(info.error().code == std::errc::no_message_available);
        // SignalInfoOf::AnyStop: the record of that SIGSTOP, sent by this process (tgkill).
        const auto own = inferior.signal_info(tid, dbg::SignalInfoOf::AnyStop);
        REQUIRE_MESSAGE(own.has_value(), (own ? "" : own.error().describe()));
        CHECK(own->signo() == SIGSTOP);
        CHECK(own->code() == SI_TKILL);
        CHECK(own->sender_pid() == ::getpid());
    }
    CHECK(interrupt.take());
    (void)inferior.kill();
    watchdog.forget(inferior.pid());
}

TEST_CASE("Issue 13 non-stop: threads through one breakpoint, each stop its thread's, none "
          "missed while another thread is stepped over it") {
    constexpr int threads = 4;
    constexpr int calls = 50;
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    auto inferior = launch_threads(watchdog, threads, calls);
    const std::uint64_t hammer = symbol_address(inferior.pid(), "hammer");
    auto bp = inferior.breakpoints().set(hammer);
    REQUIRE(bp.has_value());
    REQUIRE(inferior.set_stop_mode(dbg::StopMode::NonStop).has_value());
    CHECK(inferior.stop_mode() == dbg::StopMode::NonStop);
    REQUIRE(inferior.resume_thread(inferior.pid()).has_value());
    int hits = 0;
    int exits = 0;
    int most_stopped = 0; // threads seen stopped at the breakpoint at one time
    std::set<pid_t> held;
    std::set<pid_t> tids;
    for (;;) {
        const dbg::Stop stop = wait_stop(inferior);
        if (stop.reason == dbg::StopReason::Exited) {
            CHECK(stop.status.exited());
            CHECK(stop.status.exit_code() == 0); // every call ran, nothing crashed
            break;
        }
        if (stop.reason == dbg::StopReason::ThreadExited) {
            ++exits;
            continue;
        }
        REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Breakpoint, stop.describe());
        CHECK(stop.address == hammer);
        CHECK(stop.rip == hammer);
        CHECK_FALSE(inferior.running(stop.tid));
        ++hits;
        tids.insert(stop.tid);
        // The first hits are held until two threads sit at the breakpoint together: the
        // others ran on meanwhile, through the same int3.
        held.insert(stop.tid);
        most_stopped = std::max(most_stopped, static_cast<int>(held.size()));
        if (hits < 3 && held.size() < 2) {
            continue;
        }
        for (const pid_t tid : held) {
            auto r = inferior.resume_thread(tid);
            REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().describe()));
        }
        held.clear();
    }
    CHECK(hits == threads * calls);
    CHECK((*bp)->hits == static_cast<std::uint64_t>(threads * calls));
    CHECK(tids.size() == static_cast<std::size_t>(threads));
    CHECK(most_stopped >= 2);
    CHECK(exits >= threads - 1);
    watchdog.forget(inferior.pid());
}

TEST_CASE("Issue 13 scheduler locking: cont_thread() runs one thread, the others stay where "
          "they are; their kept stops wait") {
    constexpr int threads = 3;
    constexpr int calls = 20;
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    auto inferior = launch_threads(watchdog, threads, calls);
    const std::uint64_t hammer = symbol_address(inferior.pid(), "hammer");
    auto bp = inferior.breakpoints().set(hammer);
    REQUIRE(bp.has_value());
    const dbg::Stop first = cont(inferior);
    REQUIRE_MESSAGE(first.reason == dbg::StopReason::Breakpoint, first.describe());
    const pid_t alone = first.tid;
    const auto rdi = [&](pid_t tid) {
        auto regs = inferior.registers(tid);
        REQUIRE_MESSAGE(regs.has_value(), (regs ? "" : regs.error().describe()));
        return regs->rdi;
    };
    CHECK(rdi(alone) == 0);              // hammer(i) for i = 0, 1, 2, ...
    std::map<pid_t, std::uint64_t> rips; // the other threads', which must not move
    for (const pid_t tid : inferior.threads()) {
        if (tid != alone) {
            rips[tid] = inferior.registers(tid)->rip;
        }
    }
    for (std::uint64_t i = 1; i <= 5; ++i) {
        auto stop = inferior.cont_thread(alone);
        REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
        REQUIRE_MESSAGE(stop->reason == dbg::StopReason::Breakpoint, stop->describe());
        CHECK(stop->tid == alone);
        CHECK(rdi(alone) == i);
        for (const auto& [tid, rip] : rips) {
            CHECK(inferior.registers(tid)->rip == rip);
        }
    }
    // Through its last call: its end is reported (the others still held), then nothing of
    // it is left to run.
    std::uint64_t alone_hits = 6;
    for (;;) {
        auto stop = inferior.cont_thread(alone);
        REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
        if (stop->reason != dbg::StopReason::Breakpoint) {
            CHECK(stop->reason == dbg::StopReason::ThreadExited);
            CHECK(stop->tid == alone);
            break;
        }
        ++alone_hits;
    }
    CHECK(alone_hits == static_cast<std::uint64_t>(calls));
    for (const auto& [tid, rip] : rips) {
        CHECK(inferior.registers(tid)->rip == rip);
    }
    CHECK(inferior.cont_thread(alone).error().code == std::errc::no_such_process);
    auto missing = inferior.cont_thread(999999);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == std::errc::no_such_process);
    // All of them again: every call is hit once, the kept stops of the others included.
    std::uint64_t hits = alone_hits;
    for (;;) {
        const dbg::Stop stop = cont(inferior);
        if (stop.reason == dbg::StopReason::Exited) {
            CHECK(stop.status.exit_code() == 0);
            break;
        }
        if (stop.reason == dbg::StopReason::Breakpoint) {
            ++hits;
        }
    }
    CHECK(hits == static_cast<std::uint64_t>(threads * calls));
    CHECK((*bp)->hits == static_cast<std::uint64_t>(threads * calls));
    watchdog.forget(inferior.pid());
}

TEST_CASE("Steps while the others run (OtherThreads::Run): a step that waits for another "
          "thread ends when it has run; with the others stopped, only at the interrupt") {
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    auto inferior =
        inferior_support::launch(debugger_support::targets_dir() + "/gdb_threads", {"handoff"});
    const pid_t pid = inferior.pid();
    watchdog.watch(pid);
    const std::uint64_t before = symbol_address(pid, "handoff_before"); // nop
    const std::uint64_t read_at = symbol_address(pid, "handoff_read");  // syscall (read)
    const std::uint64_t release = symbol_address(pid, "handoff_release");
    const std::uint64_t writing = symbol_address(pid, "handoff_writing");
    REQUIRE(read_at == before + 1);
    const auto release_round = [&](int round) {
        std::array<std::byte, sizeof(int)> bytes{};
        std::memcpy(bytes.data(), &round, sizeof round);
        auto r = inferior.breakpoints().write_memory(release, bytes);
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().describe()));
    };
    const auto expect_step = [&](const dbg::DebugResult<dbg::Stop>& stop, std::uint64_t rip) {
        REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
        CHECK_MESSAGE(stop->reason == dbg::StopReason::Step, stop->describe());
        CHECK(stop->tid == pid);
        CHECK(stop->rip == rip);
    };
    REQUIRE(inferior.breakpoints().set(before).has_value());
    const dbg::Stop first = cont(inferior);
    REQUIRE_MESSAGE(first.reason == dbg::StopReason::Breakpoint, first.describe());
    CHECK(first.tid == pid);
    REQUIRE(inferior.threads().size() == 2);
    const pid_t writer = inferior.threads().back();
    release_round(1);
    auto hit = inferior.breakpoints().set(writing);
    REQUIRE(hit.has_value());

    // The nop under the breakpoint is stepped over with the writer stopped, even with Run.
    expect_step(inferior.step_instruction(pid, dbg::OtherThreads::Run), read_at);
    CHECK((*hit)->hits == 0);

    // The read with the writer stopped (the default): it waits until the interrupt.
    {
        Interrupt interrupt(inferior);
        interrupt.poke(std::chrono::milliseconds(300));
        const auto waited = inferior.step_instruction(pid);
        REQUIRE_MESSAGE(waited.has_value(), (waited ? "" : waited.error().describe()));
        CHECK_MESSAGE(waited->reason == dbg::StopReason::Interrupted, waited->describe());
        CHECK(waited->tid == pid);
        CHECK((*hit)->hits == 0); // the writer did not run
        CHECK(interrupt.take());
    }

    // With the writer running: it reaches handoff_writing before it writes, and that hit is
    // what is reported (the read has not returned; the main thread is stopped in it).
    const auto other = inferior.step_instruction(pid, dbg::OtherThreads::Run);
    REQUIRE_MESSAGE(other.has_value(), (other ? "" : other.error().describe()));
    CHECK_MESSAGE(other->reason == dbg::StopReason::Breakpoint, other->describe());
    CHECK(other->tid == writer);
    CHECK(other->address == writing);
    CHECK((*hit)->hits == 1);
    // Then it writes, and the read returns: the step of the syscall instruction ends after it.
    expect_step(inferior.step_instruction(pid, dbg::OtherThreads::Run), read_at + 2);
    CHECK(inferior.registers(pid)->rax == 1);

    // Round 2, one step_range() from the breakpoint to the instruction after the read: the
    // nop alone, then the read with the writer running.
    REQUIRE(inferior.breakpoints().remove(writing).has_value());
    const dbg::Stop second = cont(inferior);
    REQUIRE_MESSAGE(second.reason == dbg::StopReason::Breakpoint, second.describe());
    CHECK(second.tid == pid);
    release_round(2);
    expect_step(inferior.step_range(pid, before, read_at + 2, dbg::OtherThreads::Run), read_at + 2);
    CHECK(inferior.registers(pid)->rax == 1);

    const auto reversed = inferior.step_range(pid, read_at, before, dbg::OtherThreads::Run);
    REQUIRE_FALSE(reversed.has_value());
    CHECK(reversed.error().code == std::errc::invalid_argument);
    const auto missing = inferior.step_range(999999, 0, 0, dbg::OtherThreads::Run);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == std::errc::no_such_process);
    const dbg::Stop end = cont(inferior);
    REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
    CHECK(end.status.exit_code() == 0); // both bytes came, in order
    watchdog.forget(pid);
}

TEST_CASE("Issue 13 non-stop: interrupt one thread, the others run on; step it; timeout, the "
          "interrupt fd; back to all-stop") {
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    auto inferior = launch({"spin", "3"});
    watchdog.watch(inferior.pid());
    const std::uint64_t add_one = symbol_address(inferior.pid(), "add_one");
    REQUIRE(inferior.set_stop_mode(dbg::StopMode::NonStop).has_value());
    // The all-stop operations say which mode it is in.
    auto refused = inferior.cont();
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == std::errc::invalid_argument);
    CHECK(refused.error().message.find("non-stop") != std::string::npos);
    auto nothing = inferior.wait_stop(std::chrono::milliseconds(10));
    REQUIRE_FALSE(nothing.has_value()); // nothing runs
    CHECK(nothing.error().code == std::errc::no_child_process);
    REQUIRE(inferior.resume_thread(inferior.pid()).has_value());
    // New threads run at once; wait_stop() adopts them while it waits.
    for (int i = 0; i < 100 && inferior.threads().size() < 4; ++i) {
        auto none = inferior.wait_stop(std::chrono::milliseconds(20));
        REQUIRE_MESSAGE(none.has_value(), (none ? "" : none.error().describe()));
        REQUIRE_FALSE(none->has_value());
    }
    REQUIRE(inferior.threads().size() == 4);
    const pid_t leader = inferior.pid();
    CHECK(inferior.running(leader));
    auto busy = inferior.registers(leader);
    REQUIRE_FALSE(busy.has_value());
    CHECK(busy.error().code == std::errc::device_or_resource_busy);

    auto interrupted = inferior.interrupt_thread(leader);
    REQUIRE_MESSAGE(interrupted.has_value(), (interrupted ? "" : interrupted.error().describe()));
    CHECK(interrupted->reason == dbg::StopReason::Interrupted);
    CHECK(interrupted->tid == leader);
    CHECK_FALSE(inferior.running(leader));
    const std::uint64_t rip = inferior.registers(leader).value().rip;
    CHECK(inferior.interrupt_thread(leader).error().code ==
          std::errc::connection_already_in_progress);
    // The other threads run: they hit a breakpoint, the leader stays where it was.
    REQUIRE(inferior.breakpoints().set(add_one).has_value());
    const dbg::Stop hit = wait_stop(inferior);
    REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
    CHECK(hit.tid != leader);
    CHECK(inferior.registers(leader).value().rip == rip);
    // A step of the thread at the breakpoint: over it (one instruction later, not a hit),
    // while the others go on and hit it (their stops are reported for them).
    REQUIRE(inferior.resume_thread(hit.tid, dbg::ResumeKind::Step).has_value());
    std::optional<dbg::Stop> stepped;
    for (int i = 0; i < 200 && !stepped; ++i) {
        const dbg::Stop stop = wait_stop(inferior);
        if (stop.tid == hit.tid) {
            stepped = stop;
        } else {
            REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Breakpoint, stop.describe());
            CHECK(stop.tid != leader);
            REQUIRE(inferior.resume_thread(stop.tid).has_value());
        }
    }
    REQUIRE(stepped.has_value());
    CHECK(stepped->reason == dbg::StopReason::Step);
    CHECK(stepped->rip > add_one);
    CHECK(stepped->rip <= add_one + 15);
    REQUIRE(inferior.breakpoints().remove(add_one).has_value());
    REQUIRE(inferior.resume_thread(hit.tid).has_value());
    // One instruction of the leader, while the others run.
    REQUIRE(inferior.resume_thread(leader, dbg::ResumeKind::Step).has_value());
    const dbg::Stop step = wait_stop(inferior);
    REQUIRE_MESSAGE(step.reason == dbg::StopReason::Step, step.describe());
    CHECK(step.tid == leader);
    CHECK_FALSE(inferior.running(leader));
    // Nothing stops now: the wait times out.
    auto quiet = inferior.wait_stop(std::chrono::milliseconds(100));
    REQUIRE(quiet.has_value());
    CHECK_FALSE(quiet->has_value());
    // A readable interrupt fd ends the wait, stopping nothing.
    {
        Interrupt interrupt(inferior);
        interrupt.poke();
        const dbg::Stop poked = wait_stop(inferior);
        CHECK(poked.reason == dbg::StopReason::Interrupted);
        CHECK(poked.tid == 0);
        CHECK(interrupt.take());
    }
    // Back to all-stop: every thread is stopped, cont() works again.
    REQUIRE(inferior.set_stop_mode(dbg::StopMode::AllStop).has_value());
    for (const pid_t tid : inferior.threads()) {
        CHECK_FALSE(inferior.running(tid));
    }
    auto refused_wait = inferior.wait_stop(std::chrono::milliseconds(10));
    REQUIRE_FALSE(refused_wait.has_value());
    CHECK(refused_wait.error().code == std::errc::invalid_argument);
    REQUIRE(inferior.breakpoints().set(add_one).has_value());
    const dbg::Stop again = cont(inferior);
    CHECK(again.reason == dbg::StopReason::Breakpoint);
    (void)inferior.kill();
    watchdog.forget(inferior.pid());
}

TEST_CASE("Issue 13 forks: a child forked under breakpoints runs without them, untraced "
          "(the default)") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"fork", "untraced"});
    watchdog.watch(inferior.pid());
    CHECK(inferior.fork_policy() == dbg::ForkPolicy::Detach);
    const std::uint64_t add_one = symbol_address(inferior.pid(), "add_one");
    REQUIRE(inferior.breakpoints().set(add_one).has_value());
    // The child's add_one(1) never stops; it checks its own TracerPid (0) and exits 0, or the
    // parent exits 1.
    const dbg::Stop hit = cont(inferior);
    REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
    CHECK(hit.tid == inferior.pid());
    CHECK(inferior.registers(hit.tid).value().rdi == 2);
    CHECK(inferior.forked().empty());
    const dbg::Stop end = cont(inferior);
    REQUIRE(end.reason == dbg::StopReason::Exited);
    CHECK(end.status.exit_code() == 0);
    watchdog.forget(inferior.pid());
}

// `stepping signals` raises SIGUSR1 then SIGUSR2 (glibc's raise: a tgkill each), then exits.
TEST_CASE("Caught syscalls: each caught syscall's entry then its return, the others not; off "
          "again, the program runs to its end") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"signals"});
    watchdog.watch(inferior.pid());
    REQUIRE(inferior.set_caught_syscalls(ptrace_api::SyscallSet{SYS_tgkill}).has_value());
    for (const int signal : {SIGUSR1, SIGUSR2}) {
        CAPTURE(signal);
        const dbg::Stop entry = cont(inferior);
        REQUIRE_MESSAGE(entry.reason == dbg::StopReason::SyscallEntry, entry.describe());
        CHECK(entry.syscall == SYS_tgkill);
        CHECK(entry.tid == inferior.pid());
        const auto at_entry = inferior.registers(entry.tid).value();
        CHECK(at_entry.rax == SYS_tgkill); // the number at an entry stop (D1)
        CHECK(at_entry.rdx == static_cast<std::uint64_t>(signal));
        CHECK(entry.rip == at_entry.rip);
        CHECK(entry.describe().find("entered syscall 234 (tgkill)") != std::string::npos);
        // Off and on again at the entry stop (gdb does so at every stop and before it
        // resumes): the return is still reported.
        REQUIRE(inferior.set_caught_syscalls(std::nullopt).has_value());
        REQUIRE(inferior.set_caught_syscalls(ptrace_api::SyscallSet{SYS_tgkill}).has_value());
        const dbg::Stop exit = cont(inferior);
        REQUIRE_MESSAGE(exit.reason == dbg::StopReason::SyscallExit, exit.describe());
        CHECK(exit.syscall == SYS_tgkill);
        CHECK(exit.rip == entry.rip);
        CHECK(inferior.registers(exit.tid).value().rax == 0);
    }
    REQUIRE(inferior.set_caught_syscalls(std::nullopt).has_value());
    const dbg::Stop end = cont(inferior);
    REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
    CHECK(end.status.exit_code() == 11); // both handlers ran
    watchdog.forget(inferior.pid());
}

TEST_CASE("Caught syscalls: every syscall (the empty set), exit_group's entry has no return; "
          "a stepped syscall is not caught") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"basic"});
    watchdog.watch(inferior.pid());
    REQUIRE(inferior.set_caught_syscalls(ptrace_api::SyscallSet{}).has_value());
    const dbg::Stop first = cont(inferior);
    REQUIRE_MESSAGE(first.reason == dbg::StopReason::SyscallEntry, first.describe());
    const std::uint64_t nr = first.syscall; // the dynamic loader's first syscall (brk)
    CHECK(nr == SYS_brk);
    // A step from the entry stop runs the syscall without reporting its return.
    const dbg::Stop stepped = inferior.step_instruction(first.tid).value();
    CHECK_MESSAGE(stepped.reason == dbg::StopReason::Step, stepped.describe());
    std::uint64_t entries = 1;
    std::uint64_t exits = 0;
    dbg::Stop stop;
    for (;;) {
        stop = cont(inferior);
        if (stop.reason == dbg::StopReason::SyscallEntry) {
            ++entries;
            if (stop.syscall == SYS_exit_group) {
                break;
            }
        } else if (stop.reason == dbg::StopReason::SyscallExit) {
            ++exits;
        } else if (stop.reason != dbg::StopReason::ForeignBreakpoint) {
            FAIL_CHECK(stop.describe());
            break;
        }
    }
    CHECK(stop.syscall == SYS_exit_group);
    CHECK(entries > 10);
    CHECK(exits == entries - 2); // the stepped one and exit_group return nothing
    const dbg::Stop end = cont(inferior);
    REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
    CHECK(end.status.exit_code() == 0);
    watchdog.forget(inferior.pid());
}

// A vfork child runs in its parent's memory, untraced: an int3 there would kill it by SIGTRAP
// (the target then exits with 10 + 5 without calling add_one(2)). The int3s are out of memory
// until the parent is past the vfork, and back for its add_one(2).
TEST_CASE("Issue 13 forks: a vfork child runs without the breakpoints; they are back once its "
          "parent returns") {
    for (const auto policy : {dbg::ForkPolicy::Detach, dbg::ForkPolicy::Keep}) {
        CAPTURE(static_cast<int>(policy));
        test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
        auto inferior = launch({"vfork", "/bin/true"});
        watchdog.watch(inferior.pid());
        inferior.set_fork_policy(policy);
        const std::uint64_t add_one = symbol_address(inferior.pid(), "add_one");
        REQUIRE(inferior.breakpoints().set(add_one).has_value());
        const dbg::Stop hit = cont(inferior);
        REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
        CHECK(hit.tid == inferior.pid());
        CHECK(inferior.registers(hit.tid).value().rdi == 2);
        CHECK(inferior.breakpoints().inserted(add_one));
        CHECK(inferior.breakpoints().find(add_one)->hits == 1);
        CHECK(inferior.forked().empty());
        const dbg::Stop end = cont(inferior);
        REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
        CHECK(end.status.exit_code() == 0);
        watchdog.forget(inferior.pid());
    }
}

TEST_CASE("Issue 13 forks: a vfork in non-stop mode: the child runs without the breakpoints, "
          "the parent meets them after") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"vfork", "/bin/true"});
    watchdog.watch(inferior.pid());
    REQUIRE(inferior.set_stop_mode(dbg::StopMode::NonStop).has_value());
    REQUIRE(inferior.breakpoints().set(symbol_address(inferior.pid(), "add_one")).has_value());
    REQUIRE(inferior.resume_thread(inferior.pid()).has_value());
    const dbg::Stop hit = wait_stop(inferior);
    REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
    CHECK(inferior.registers(hit.tid).value().rdi == 2);
    REQUIRE(inferior.resume_thread(hit.tid).has_value());
    const dbg::Stop end = wait_stop(inferior);
    REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
    CHECK(end.status.exit_code() == 0);
    watchdog.forget(inferior.pid());
}

TEST_CASE("Issue 13 forks: ForkPolicy::Keep reports the fork; the child is an Inferior of its "
          "own with the breakpoints") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"fork"});
    watchdog.watch(inferior.pid());
    inferior.set_fork_policy(dbg::ForkPolicy::Keep);
    const std::uint64_t add_one = symbol_address(inferior.pid(), "add_one");
    REQUIRE(inferior.breakpoints().set(add_one).has_value());
    const dbg::Stop fork = cont(inferior);
    REQUIRE_MESSAGE(fork.reason == dbg::StopReason::Fork, fork.describe());
    CHECK(fork.tid == inferior.pid());
    REQUIRE(fork.child > 0);
    CHECK(inferior.forked() == std::vector<pid_t>{fork.child});
    CHECK(inferior.take_fork(fork.child + 100000).error().code == std::errc::no_such_process);
    auto child = take_fork(inferior, fork.child);
    CHECK(inferior.forked().empty());
    CHECK(child.pid() == fork.child);
    CHECK(child.attached()); // not our child: the program reaps it
    REQUIRE(child.breakpoints().list().size() == 1);
    CHECK(child.breakpoints().list()[0]->hits == 0);
    const dbg::Stop child_hit = cont(child);
    REQUIRE_MESSAGE(child_hit.reason == dbg::StopReason::Breakpoint, child_hit.describe());
    CHECK(child_hit.tid == fork.child);
    CHECK(child.registers(fork.child).value().rdi == 1);
    const dbg::Stop child_end = cont(child);
    REQUIRE_MESSAGE(child_end.reason == dbg::StopReason::Exited, child_end.describe());
    CHECK(child_end.status.exit_code() == 0);
    const dbg::Stop hit = cont(inferior);
    REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
    CHECK(inferior.registers(hit.tid).value().rdi == 2);
    const dbg::Stop end = cont(inferior);
    REQUIRE(end.reason == dbg::StopReason::Exited);
    CHECK(end.status.exit_code() == 0); // the child exited 0 and the parent's call went right
    watchdog.forget(inferior.pid());
}

TEST_CASE("Issue 13 exec: reported with the path, the old breakpoints dropped, new ones hit") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    const std::string program = stepping();
    SUBCASE("from the main thread") {
        auto inferior = launch({"exec", program, "basic"});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_follow_exec(true).has_value());
        CHECK(inferior.follow_exec());
        REQUIRE(inferior.breakpoints().set(symbol_address(inferior.pid(), "add_one")).has_value());
        const dbg::Stop hit = cont(inferior);
        REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
        CHECK(inferior.registers(hit.tid).value().rdi == 0);
        const dbg::Stop exec = cont(inferior);
        REQUIRE_MESSAGE(exec.reason == dbg::StopReason::Exec, exec.describe());
        CHECK(exec.path == std::filesystem::canonical(program));
        CHECK(exec.tid == inferior.pid());
        CHECK(inferior.breakpoints().list().empty());
        CHECK(inferior.threads() == std::vector<pid_t>{inferior.pid()});
        // The new program: its own symbols, a breakpoint there, hit by `basic`'s calls.
        const std::uint64_t add_one = symbol_address(inferior.pid(), "add_one");
        auto bp = inferior.breakpoints().set(add_one);
        REQUIRE(bp.has_value());
        const dbg::Stop again = cont(inferior);
        REQUIRE_MESSAGE(again.reason == dbg::StopReason::Breakpoint, again.describe());
        CHECK(inferior.registers(again.tid).value().rdi == 0);
        REQUIRE(inferior.breakpoints().remove(add_one).has_value());
        dbg::Stop end = cont(inferior);
        if (end.reason == dbg::StopReason::ForeignBreakpoint) {
            end = cont(inferior); // basic's own int3
        }
        REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
        CHECK(end.status.exit_code() == 0);
        watchdog.forget(inferior.pid());
    }
    SUBCASE("from another thread, in non-stop mode") {
        auto inferior = launch({"threadexec", program, "basic"});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_follow_exec(true).has_value());
        REQUIRE(inferior.set_stop_mode(dbg::StopMode::NonStop).has_value());
        REQUIRE(inferior.resume_thread(inferior.pid()).has_value());
        dbg::Stop exec = wait_stop(inferior);
        while (exec.reason == dbg::StopReason::ThreadExited) {
            exec = wait_stop(inferior);
        }
        REQUIRE_MESSAGE(exec.reason == dbg::StopReason::Exec, exec.describe());
        CHECK(exec.path == std::filesystem::canonical(program));
        CHECK(exec.tid == inferior.pid()); // the leader's TID (Linux)
        CHECK(inferior.threads() == std::vector<pid_t>{inferior.pid()});
        REQUIRE(inferior.resume_thread(exec.tid).has_value());
        dbg::Stop end = wait_stop(inferior);
        if (end.reason == dbg::StopReason::ForeignBreakpoint) {
            REQUIRE(inferior.resume_thread(end.tid).has_value());
            end = wait_stop(inferior);
        }
        REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
        CHECK(end.status.exit_code() == 0);
        watchdog.forget(inferior.pid());
    }
    SUBCASE("a failed exec goes on unreported") {
        auto inferior = launch({"exec", "/nonexistent/program"});
        watchdog.watch(inferior.pid());
        REQUIRE(inferior.set_follow_exec(true).has_value());
        const dbg::Stop end = cont(inferior);
        REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
        CHECK(end.status.exit_code() == 4);
        watchdog.forget(inferior.pid());
    }
}

TEST_CASE("Issue 13 non-stop: a conditional breakpoint judges every pass, the false ones stepped "
          "over with the others stopped") {
    constexpr int threads = 3;
    constexpr int calls = 40;
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    auto inferior = launch_threads(watchdog, threads, calls);
    auto bp = inferior.breakpoints().set(
        symbol_address(inferior.pid(), "hammer"),
        [](pid_t, const ptrace_api::IntRegisters& regs) { return regs.rdi % 4 == 0; });
    REQUIRE(bp.has_value());
    REQUIRE(inferior.set_stop_mode(dbg::StopMode::NonStop).has_value());
    REQUIRE(inferior.resume_thread(inferior.pid()).has_value());
    int stops = 0;
    for (;;) {
        const dbg::Stop stop = wait_stop(inferior);
        if (stop.reason == dbg::StopReason::Exited) {
            CHECK(stop.status.exit_code() == 0);
            break;
        }
        if (stop.reason == dbg::StopReason::ThreadExited) {
            continue;
        }
        REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Breakpoint, stop.describe());
        CHECK(inferior.registers(stop.tid).value().rdi % 4 == 0);
        ++stops;
        REQUIRE(inferior.resume_thread(stop.tid).has_value());
    }
    CHECK(stops == threads * calls / 4);
    CHECK((*bp)->hits == static_cast<std::uint64_t>(threads * calls / 4));
    CHECK((*bp)->filtered == static_cast<std::uint64_t>(threads * calls * 3 / 4));
    watchdog.forget(inferior.pid());
}

TEST_CASE("Issue 13 non-stop: an attached process, one thread held at a breakpoint, detached "
          "while the others run") {
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    const pid_t pid = start_spinner(3);
    watchdog.watch(pid);
    REQUIRE(task_count(pid) == 4);
    {
        auto inferior = dbg::Inferior::attach(pid);
        REQUIRE_MESSAGE(inferior.has_value(), (inferior ? "" : inferior.error().describe()));
        REQUIRE(inferior->set_stop_mode(dbg::StopMode::NonStop).has_value());
        REQUIRE(inferior->breakpoints().set(symbol_address(pid, "add_one")).has_value());
        for (const pid_t tid : inferior->threads()) {
            REQUIRE(inferior->resume_thread(tid).has_value());
        }
        const dbg::Stop hit = wait_stop(*inferior);
        REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
        CHECK_FALSE(inferior->running(hit.tid));
        // Another thread's hit comes while the first one stays stopped.
        const dbg::Stop other = wait_stop(*inferior);
        REQUIRE_MESSAGE(other.reason == dbg::StopReason::Breakpoint, other.describe());
        CHECK(other.tid != hit.tid);
        REQUIRE(inferior->resume_thread(other.tid).has_value());
        REQUIRE(inferior->detach().has_value());
        CHECK(inferior->exited());
    }
    for (int i = 0; i < 100 && tracer_of(pid) != 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(tracer_of(pid) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int status = 0;
    CHECK(::waitpid(pid, &status, WNOHANG) == 0); // no leftover int3 killed it
    CHECK(state_of(pid) != 'T');
    kill_and_reap(pid);
    watchdog.forget(pid);
}

TEST_CASE("Issue 13 forks: ForkPolicy::Keep in non-stop mode: the parent stopped for the Fork "
          "stop, the child run as a non-stop Inferior") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"fork"});
    watchdog.watch(inferior.pid());
    inferior.set_fork_policy(dbg::ForkPolicy::Keep);
    REQUIRE(inferior.set_stop_mode(dbg::StopMode::NonStop).has_value());
    REQUIRE(inferior.breakpoints().set(symbol_address(inferior.pid(), "add_one")).has_value());
    REQUIRE(inferior.resume_thread(inferior.pid()).has_value());
    const dbg::Stop fork = wait_stop(inferior);
    REQUIRE_MESSAGE(fork.reason == dbg::StopReason::Fork, fork.describe());
    CHECK(fork.tid == inferior.pid());
    CHECK_FALSE(inferior.running(fork.tid));
    auto child = take_fork(inferior, fork.child);
    CHECK(child.stop_mode() == dbg::StopMode::NonStop);
    REQUIRE(child.resume_thread(fork.child).has_value());
    const dbg::Stop child_hit = wait_stop(child);
    REQUIRE_MESSAGE(child_hit.reason == dbg::StopReason::Breakpoint, child_hit.describe());
    CHECK(child.registers(fork.child).value().rdi == 1);
    REQUIRE(child.resume_thread(fork.child).has_value());
    const dbg::Stop child_end = wait_stop(child);
    REQUIRE_MESSAGE(child_end.reason == dbg::StopReason::Exited, child_end.describe());
    CHECK(child_end.status.exit_code() == 0);
    REQUIRE(inferior.resume_thread(fork.tid).has_value());
    const dbg::Stop hit = wait_stop(inferior);
    REQUIRE_MESSAGE(hit.reason == dbg::StopReason::Breakpoint, hit.describe());
    CHECK(inferior.registers(hit.tid).value().rdi == 2);
    REQUIRE(inferior.resume_thread(hit.tid).has_value());
    const dbg::Stop end = wait_stop(inferior);
    REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
    CHECK(end.status.exit_code() == 0);
    watchdog.forget(inferior.pid());
}
