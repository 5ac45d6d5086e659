// SPDX-License-Identifier: MIT
// Syscall injection (issue 13, decision 24) into programs people use, not built for the tests:
// coreutils' sleep and a Python interpreter, each frozen inside its sleep (clock_nanosleep),
// made to run calls of ours, and let go: each must finish as if nothing had happened (the
// interrupted sleep restarted with the time it had left, its output and exit status its own).

#include <ptrace/tracer.hpp>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <sys/syscall.h>
#include <unistd.h>

#include "api_support.hpp"
#include "support.hpp"

using namespace support;
using api_support::attach_ok;
using ptrace_api::AttachStop;
using ptrace_api::InjectCall;
using ptrace_api::OnClose;
using ptrace_api::Tracer;

namespace {

/// The first of `paths` that can be executed, or "".
std::string first_program(const std::vector<std::string>& paths) {
    for (const auto& p : paths) {
        if (::access(p.c_str(), X_OK) == 0) {
            return p;
        }
    }
    return {};
}

/// True once `pid` sits in clock_nanosleep (syscall 230) or nanosleep (35).
bool in_sleep(pid_t pid) {
    const std::string line = api_support::proc_file(pid, "syscall");
    return line.rfind("230 ", 0) == 0 || line.rfind("35 ", 0) == 0;
}
} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Issue 13/decision 24: calls injected into coreutils' sleep, frozen in its "
              "clock_nanosleep; it still sleeps its whole time and exits 0") {
        const std::string sleep_path = first_program({"/usr/bin/sleep", "/bin/sleep"});
        if (sleep_path.empty()) {
            MESSAGE("skipped: no sleep(1) on this machine");
            return;
        }
        Scenario sc;
        const auto start = std::chrono::steady_clock::now();
        const pid_t pid = sc.spawn({"0.6"}, nullptr, nullptr, sleep_path);
        REQUIRE(eventually([&] { return in_sleep(pid); }));
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        const auto regs = tracer.regs().get_int().value();
        const auto parent = tracer.inject_syscall(InjectCall(SYS_getppid, {}));
        REQUIRE_MESSAGE(parent.has_value(), ptrace_api::last_error_message());
        CHECK(parent->ret == ::getpid());
        // Its own view of its time: clock_gettime into a buffer of ours.
        InjectCall now(SYS_clock_gettime, {CLOCK_MONOTONIC, 0});
        now.buffer(1, std::size_t{16});
        const auto got = tracer.inject_syscall(now);
        REQUIRE_MESSAGE(got.has_value(), ptrace_api::last_error_message());
        CHECK(got->ret == 0);
        REQUIRE(got->buffers.size() == 1);
        timespec ts{};
        std::memcpy(&ts, got->buffers[0].data(), sizeof ts);
        CHECK(ts.tv_sec > 0);
        const auto regs_after = tracer.regs().get_int().value();
        CHECK(std::memcmp(&regs, &regs_after, sizeof regs) == 0);
        CHECK(std::move(tracer).detach().has_value());
        CHECK(sc.wait_exit(pid) == 0);
        CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(600));
    }

    TEST_CASE("Issue 13/decision 24: a line written through a Python program's own stdout by an "
              "injected write while it sleeps; the program's output goes on around it") {
        const std::string python = first_program({"/usr/bin/python3"});
        if (python.empty()) {
            MESSAGE("skipped: no /usr/bin/python3 on this machine");
            return;
        }
        Scenario sc;
        int out = -1;
        const pid_t pid = sc.spawn({"-c", "import sys, time\n"
                                          "print('ready', flush=True)\n"
                                          "time.sleep(0.5)\n"
                                          "print('done', flush=True)\n"},
                                   &out, nullptr, python);
        CHECK(read_line(out) == "ready");
        REQUIRE(eventually([&] { return in_sleep(pid); }));
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        const char line[] = "injected\n";
        InjectCall write(SYS_write, {1, 0, sizeof line - 1});
        write.buffer(1, std::as_bytes(std::span(line, sizeof line - 1)));
        const auto wrote = tracer.inject_syscall(write);
        REQUIRE_MESSAGE(wrote.has_value(), ptrace_api::last_error_message());
        CHECK(wrote->ret == static_cast<std::int64_t>(sizeof line - 1));
        CHECK(std::move(tracer).detach().has_value());
        CHECK(read_line(out) == "injected");
        CHECK(read_line(out) == "done");
        CHECK(sc.wait_exit(pid) == 0);
        CHECK(read_all(out).empty());
    }
}
