// SPDX-License-Identifier: MIT
// Inferior's additions for the gdbserver example (issue 13 item 2): the per-signal policy
// (stop, pass, suppress), attaching to a running multi-threaded process and detaching from
// it, and the interrupt fd. Targets: `stepping signals` and `stepping spin N`
// (tests/targets/stepping.cpp). Bounded by watchdogs; nothing is left behind.
#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/symbols.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "debugger_support.hpp"
#include "watchdog.hpp"

namespace dbg = ptrace_api::debugger;

namespace {

std::string stepping() {
    return debugger_support::targets_dir() + "/stepping";
}

dbg::Inferior launch(const std::vector<std::string>& args) {
    ptrace_api::Command command;
    command.program = stepping();
    command.args = args;
    auto inferior = dbg::Inferior::launch(command);
    REQUIRE_MESSAGE(inferior.has_value(), (inferior ? "" : inferior.error().describe()));
    return std::move(*inferior);
}

dbg::Stop cont(dbg::Inferior& inferior) {
    auto stop = inferior.cont();
    REQUIRE_MESSAGE(stop.has_value(), (stop ? "" : stop.error().describe()));
    return *stop;
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
    const pid_t pid = ::fork();
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

TEST_CASE("Issue 13 gdbserver: a readable interrupt fd stops the running program") {
    test_support::Watchdog watchdog(std::chrono::seconds(20), std::chrono::seconds(10));
    auto inferior = launch({"spin", "2"});
    watchdog.watch(inferior.pid());
    int fds[2] = {-1, -1};
    REQUIRE(::pipe(fds) == 0);
    inferior.set_interrupt_fd(fds[0]);
    std::thread poke([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        (void)::write(fds[1], "\x03", 1);
    });
    const dbg::Stop stop = cont(inferior);
    poke.join();
    CHECK(stop.reason == dbg::StopReason::Interrupted);
    CHECK(inferior.threads().size() == 3);
    CHECK(inferior.registers(stop.tid).has_value()); // every thread is stopped
    char byte = 0;
    CHECK(::read(fds[0], &byte, 1) == 1);
    inferior.set_interrupt_fd(-1);
    ::close(fds[0]);
    ::close(fds[1]);
    (void)inferior.kill();
    watchdog.forget(inferior.pid());
}
