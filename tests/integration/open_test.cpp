// SPDX-License-Identifier: MIT
// Integration tests for opening handles (spec 2.A: paths, liveness, security, flags).

#include <atomic>

#include <sys/syscall.h>

#include "support.hpp"

using namespace support;

TEST_SUITE("integration") {

    TEST_CASE("A1: malformed paths and unknown kinds are EINVAL") {
        const pid_t self_parent = ::getppid();
        const std::string pid = std::to_string(self_parent);
        const std::vector<std::string> paths = {std::string(""),
                                                std::string("proc:"),
                                                std::string("proc:/trace"),
                                                std::string("proc:abc/trace"),
                                                std::string("proc:12x/trace"),
                                                "proc:" + pid,
                                                "proc:" + pid + "/",
                                                "proc:" + pid + "/foo",
                                                "proc:" + pid + "/regs",
                                                "proc:" + pid + "/regs/",
                                                "proc:" + pid + "/trace/",
                                                "proc:-1/trace",
                                                "proc:+1/trace",
                                                "proc:99999999999/trace",
                                                "file:" + pid + "/trace",
                                                "proc:" + pid + "/TRACE",
                                                "/proc/" + pid + "/mem"};
        for (const std::string& bad : paths) {
            CAPTURE(bad);
            CHECK_ERRC(shim::open(bad, 0), std::errc::invalid_argument);
        }
    }

    TEST_CASE("A2: unknown pids, reaped and zombie tracees are ESRCH for every kind") {
        Scenario sc;
        const pid_t zombie = sc.spawn({"exit", "0"});
        REQUIRE(eventually([&] { return proc_state(zombie) == 'Z'; }));
        const pid_t reaped = sc.spawn({"exit", "0"});
        REQUIRE(sc.wait_exit(reaped) == 0);
        for (const pid_t pid : {zombie, reaped, pid_t{0}}) {
            for (const char* kind : {"trace", "regs/int", "regs/float", "regs/env", "regs/xstate",
                                     "regs/debug", "mem", "siginfo"}) {
                CAPTURE(pid);
                CAPTURE(kind);
                CHECK_ERRC(shim::open(path(pid, kind), 0), std::errc::no_such_process);
            }
        }
        CHECK(sc.wait_exit(zombie) == 0);
    }

    TEST_CASE("A3: opening one's own thread group is EPERM (process and thread ids)") {
        const pid_t self = ::getpid();
        CHECK_ERRC(shim::open(path(self, "trace"), 0), std::errc::operation_not_permitted);
        CHECK_ERRC(shim::open(path(self, "regs/int"), 0), std::errc::operation_not_permitted);
        pid_t tid = 0;
        std::thread([&] { tid = static_cast<pid_t>(::syscall(SYS_gettid)); }).join();
        std::atomic<pid_t> other_tid{0};
        std::mutex m;
        std::condition_variable cv;
        bool go = false;
        std::thread t([&] {
            other_tid.store(static_cast<pid_t>(::syscall(SYS_gettid)));
            std::unique_lock<std::mutex> lk(m);
            cv.wait(lk, [&] { return go; });
        });
        REQUIRE(eventually([&] { return other_tid.load() != 0; }));
        CHECK_ERRC(shim::open(path(other_tid.load(), "trace"), 0),
                   std::errc::operation_not_permitted);
        CHECK_ERRC(shim::open(path(other_tid.load(), "mem"), 0),
                   std::errc::operation_not_permitted);
        {
            std::lock_guard<std::mutex> lk(m);
            go = true;
        }
        cv.notify_all();
        t.join();
        (void)tid;
    }

    TEST_CASE("A3: without root, a task that is not a descendant (or another user's) is EPERM") {
        Scenario sc;
        const pid_t target = sc.spawn({"sleep"}); // root's, and not the probe's descendant
        int out = -1;
        const pid_t probe =
            sc.spawn({"nobody", std::to_string(target)}, &out, nullptr, probe_path());
        const std::string text = read_all(out);
        CHECK(sc.wait_exit(probe) == 0);
        const std::string eperm = std::to_string(EPERM);
        CHECK(text == "trace " + eperm + "\nregs/int " + eperm + "\nmem " + eperm + "\n");
        CHECK(tracer_pid(target) == 0);
    }

    TEST_CASE("A4: a second trace handle is EBUSY, regs and mem may be opened many times") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid);
        CHECK_ERRC(shim::open(path(pid, "trace"), 0), std::errc::device_or_resource_busy);
        CHECK_ERRC(shim::open(path(pid, "trace"), O_TRUNC), std::errc::device_or_resource_busy);
        const int r1 = sc.open(path(pid, "regs/int"));
        const int r2 = sc.open(path(pid, "regs/int"));
        const int m1 = sc.open(path(pid, "mem"));
        const int m2 = sc.open(path(pid, "mem"));
        CHECK(r1 != r2);
        CHECK(m1 != m2);
        sc.close(fd);
        // Once closed, the tracee can be traced again.
        const int again = sc.open_trace(pid);
        CHECK(again >= 0);
    }

    TEST_CASE("A4: a tracee traced by another process is EBUSY") {
        Scenario sc;
        int out = -1;
        const pid_t parent = sc.spawn({"trace_child"}, &out);
        char buf[32] = {};
        ssize_t n = 0;
        REQUIRE(eventually([&] {
            n = ::read(out, buf, sizeof buf - 1);
            return n > 0;
        }));
        (void)::close(out);
        const pid_t grandchild = static_cast<pid_t>(std::atoi(buf));
        REQUIRE(grandchild > 0);
        CHECK(tracer_pid(grandchild) == parent);
        CHECK_ERRC(shim::open(path(grandchild, "trace"), 0), std::errc::device_or_resource_busy);
        (void)::kill(grandchild, SIGKILL);
    }

    TEST_CASE("A5: O_TRUNC stops the tracee at once and keeps it stopped until a write") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC);
        CHECK(proc_state(pid) == 't');
        std::this_thread::sleep_for(50ms);
        CHECK(proc_state(pid) == 't');
        CHECK(events(fd).empty()); // no event for the freeze
        sc.close(fd);              // I1: close clears the freeze
        CHECK(eventually([&] { return proc_state(pid) == 'R'; }));
        CHECK(tracer_pid(pid) == 0);
    }

    TEST_CASE("A5/B5: a nonblocking write releases an O_TRUNC freeze") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC | O_NONBLOCK);
        REQUIRE(proc_state(pid) == 't');
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        CHECK(eventually([&] { return proc_state(pid) == 'R'; }));
        CHECK(tracer_pid(pid) != 0);
        sc.close(fd);
        CHECK(eventually([&] { return tracer_pid(pid) == 0; }));
    }

    TEST_CASE("A6: closing an O_EXCL handle kills the tracee") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_EXCL);
        sc.close(fd);
        const int status = sc.wait_exit(pid);
        REQUIRE(status != -1);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
    }

    TEST_CASE("A6/decision 14: O_EXCL kills a tracee frozen by O_TRUNC and never written") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_EXCL | O_TRUNC);
        REQUIRE(proc_state(pid) == 't');
        sc.close(fd);
        const int status = sc.wait_exit(pid);
        REQUIRE(status != -1);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
    }

    TEST_CASE("A7: F_GETFL/F_SETFL replace the whole word; dropping O_EXCL disables the kill") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_EXCL | O_NONBLOCK);
        CHECK(shim::fcntl(fd, F_GETFL).value() == (O_EXCL | O_NONBLOCK));
        CHECK(shim::fcntl(fd, F_SETFL, O_NONBLOCK).value() == 0);
        CHECK(shim::fcntl(fd, F_GETFL).value() == O_NONBLOCK);
        CHECK((shim::fcntl(fd, F_GETFD).value() & FD_CLOEXEC) != 0);
        CHECK_ERRC(shim::fcntl(fd, F_DUPFD, 0), std::errc::invalid_argument);
        CHECK_ERRC(shim::fcntl(fd, F_GETLK, 0), std::errc::invalid_argument);
        CHECK_ERRC(shim::fcntl(12345, F_GETFL), std::errc::bad_file_descriptor);
        // The options change reaches Linux at the next stop: make one happen.
        CHECK(op(fd, PtraceFlags::STOP_SINGLESTEP).value() == 8);
        sc.close(fd);
        std::this_thread::sleep_for(50ms);
        CHECK(proc_state(pid) != 'Z');
        int status = 0;
        const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
        CAPTURE(status);
        CHECK(reaped == 0); // still alive
        CHECK(eventually([&] { return tracer_pid(pid) == 0; }));
    }

    TEST_CASE("A8: regs and mem handles need no session and do not stop the tracee") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int regs = sc.open(path(pid, "regs/int"));
        const IntRegisters a = int_regs(regs);
        const IntRegisters b = int_regs(regs);
        CHECK(a.rip != 0);
        CHECK(a.cs == 0x33);
        (void)b;
        const int mem = sc.open(path(pid, "mem"));
        CHECK(shim::lseek(mem, static_cast<std::int64_t>(a.rip), SEEK_SET).value() == a.rip);
        std::array<std::byte, 4> code{};
        CHECK(shim::read(mem, code).value() == 4);
        CHECK(tracer_pid(pid) == 0); // the temporary attachment is gone
        CHECK(eventually([&] { return proc_state(pid) == 'R'; }));
    }

    TEST_CASE("A9: dup opens a sibling handle of the same task; fpath names a handle") {
        Scenario sc;
        const pid_t pid = sc.spawn({"spin"});
        const int trace = sc.open(path(pid, "trace"));
        CHECK(shim::fpath(trace).value() == path(pid, "trace"));
        const auto regs = shim::dup(trace, "regs/int");
        REQUIRE(regs.has_value());
        CHECK(shim::fpath(*regs).value() == path(pid, "regs/int"));
        CHECK(int_regs(*regs).cs == 0x33);
        const auto mem = shim::dup(*regs, "mem");
        REQUIRE(mem.has_value());
        CHECK(shim::fpath(*mem).value() == path(pid, "mem"));
        CHECK_ERRC(shim::dup(trace, ""), std::errc::invalid_argument);
        CHECK_ERRC(shim::dup(trace, "regs"), std::errc::invalid_argument);
        CHECK_ERRC(shim::dup(trace, "/trace"), std::errc::invalid_argument);
        CHECK_ERRC(shim::dup(trace, "trace"), std::errc::device_or_resource_busy); // A4
        CHECK_ERRC(shim::dup(*regs, "trace"), std::errc::device_or_resource_busy);
        CHECK(shim::close(*mem).has_value());
        CHECK(shim::close(*regs).has_value());
        CHECK_ERRC(shim::dup(*regs, "mem"), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::fpath(*regs), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::dup(-1, "mem"), std::errc::bad_file_descriptor);
    }

    TEST_CASE("A10: opening a trace handle installs no breakpoint and queues nothing") {
        Scenario sc;
        int gate = -1;
        const pid_t pid = sc.spawn({"fork"}, nullptr, &gate);
        const int fd = sc.open_trace(pid);
        open_gate(gate);
        // No waitpid while it is traced (it would take the tracer's stops): watch /proc.
        REQUIRE(eventually([&] { return proc_state(pid) == 'Z'; }));
        CHECK(events(fd).empty());
        sc.close(fd);
        const int status = sc.wait_exit(pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 13); // the child ran free and exited 3
    }

} // TEST_SUITE
