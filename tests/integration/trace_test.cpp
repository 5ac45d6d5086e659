// SPDX-License-Identifier: MIT
// Integration tests for writes and reads on trace handles (spec 2.B, 2.C, 2.G, 2.M).

#include <poll.h>

#include "support.hpp"

using namespace support;

TEST_SUITE("integration") {

    TEST_CASE("B1: fewer than 8 bytes return 0 and do nothing; extra bytes are ignored") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC);
        const std::array<std::byte, 4> small{};
        CHECK(shim::write(fd, small).value() == 0);
        CHECK(shim::write(fd, std::span<const std::byte>{}).value() == 0);
        std::this_thread::sleep_for(20ms);
        CHECK(proc_state(pid) == 't'); // still frozen: nothing happened
        std::array<std::byte, 16> big{};
        std::fill(big.begin(), big.end(), std::byte{0xff});
        const std::uint64_t bits = PtraceFlags::STOP_SINGLESTEP.bits();
        std::memcpy(big.data(), &bits, sizeof bits);
        CHECK(shim::write(fd, big).value() == 8);
        CHECK(cause(one_event(fd)) == PtraceFlags::STOP_SINGLESTEP.bits());
    }

    TEST_CASE("B2: reserved bits are EINVAL; unassigned bits inside the masks are accepted") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"exit", "0"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        CHECK_ERRC(op_bits(fd, std::uint64_t{1} << 16), std::errc::invalid_argument);
        CHECK_ERRC(op_bits(fd, ~std::uint64_t{0}), std::errc::invalid_argument);
        // 0x80 is an unassigned stop bit: it installs a bp that never fires (B2), so the blocking
        // write runs the tracee to completion.
        CHECK_ERRC(op_bits(fd, 0x80), std::errc::no_such_process);
        CHECK(events(fd).empty());
        const int status = sc.wait_exit(pid);
        CHECK(WIFEXITED(status));
    }

    TEST_CASE("B8/decision 8/G2: blocking write(0) runs to completion, ESRCH, then waitpid") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"exit", "7"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        // G2: the zombie is the user's to reap, right away (no reaping by the shim).
        int status = 0;
        CHECK(::waitpid(pid, &status, WNOHANG) == pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 7);
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process); // B10
    }

    TEST_CASE("D7/C7/B10/G3: EXIT carries the wait status; afterwards ESRCH, read returns 0") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"exit", "7"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        const int regs = sc.open(path(pid, "regs/int"));
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        const PtraceEvent ev = one_event(fd);
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
        CHECK(ev.a == 0x700);
        CHECK(ev.b == 0);
        CHECK(int_regs(regs).rip != 0); // registers are readable at the EXIT stop
        CHECK(proc_state(pid) == 't');
        CHECK_ERRC(op(fd, PtraceFlags::STOP_EXIT), std::errc::no_such_process); // G1
        CHECK_ERRC(op(fd, PtraceFlags::STOP_EXIT), std::errc::no_such_process); // B10
        std::array<std::byte, 56> buf{};
        CHECK(shim::read(fd, buf).value() == 0); // decision 13
        CHECK(sc.wait_exit(pid) == (7 << 8));
        CHECK_ERRC(op(fd, PtraceFlags::STOP_EXIT), std::errc::no_such_process);
        sc.close(fd); // G3: harmless
    }

    TEST_CASE("B7: unread events make a blocking write return at once") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC);
        CHECK(op(fd, PtraceFlags::STOP_SINGLESTEP).value() == 8);
        // The step event is unread: this write resumes the tracee with a bp that is never
        // reached (spin never exits), yet returns at once instead of blocking forever.
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        const auto evs = events(fd);
        REQUIRE(evs.size() == 1);
        CHECK(cause(evs[0]) == PtraceFlags::STOP_SINGLESTEP.bits());
        CHECK(eventually([&] { return proc_state(pid) == 'R'; })); // B3: it was resumed
    }

    TEST_CASE("B3/B8: a FLAG_WAIT-only write keeps a reached bp and resumes nothing") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC);
        const int regs = sc.open(path(pid, "regs/int"));
        CHECK(op(fd, PtraceFlags::STOP_SINGLESTEP).value() == 8);
        CHECK(cause(one_event(fd)) == PtraceFlags::STOP_SINGLESTEP.bits());
        const std::uint64_t rip = int_regs(regs).rip;
        CHECK(op(fd, PtraceFlags::FLAG_WAIT).value() == 8); // reached: returns at once
        std::this_thread::sleep_for(20ms);
        CHECK(proc_state(pid) == 't');
        CHECK(int_regs(regs).rip == rip);
        CHECK(events(fd).empty());
    }

    TEST_CASE("B9/M1/M2: nonblocking writes return 8 at once; FLAG_WAIT makes one block") {
        Scenario sc;
        int gate = -1;
        const pid_t pid = sc.spawn({"exit", "3"}, nullptr, &gate);
        const int fd = sc.open_trace(pid, O_NONBLOCK);
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8); // M1: the tracee is still gated
        CHECK(events(fd).empty());
        std::thread opener([&] {
            std::this_thread::sleep_for(50ms);
            open_gate(gate);
        });
        const auto start = std::chrono::steady_clock::now();
        CHECK(op(fd, PtraceFlags::FLAG_WAIT).value() == 8); // M2: waits for the EXIT stop
        opener.join();
        CHECK(std::chrono::steady_clock::now() - start >= 40ms);
        const PtraceEvent ev = one_event(fd);
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
        CHECK(ev.a == (3 << 8));
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8); // nonblocking resume of the exit
        CHECK(sc.wait_exit(pid) == (3 << 8));
    }

    TEST_CASE("C1: reads copy whole 56-byte events only; short buffers read 0") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"exit", "1"});
        const int fd = pid_fd.second;
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        std::array<std::byte, 55> small{};
        CHECK(shim::read(fd, small).value() == 0);
        std::array<std::byte, 111> mid{};
        CHECK(shim::read(fd, mid).value() == 56);
        CHECK(shim::read(fd, mid).value() == 0);
        PtraceEvent ev{};
        std::memcpy(&ev, mid.data(), sizeof ev);
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
        CHECK(ev.a == 0x100);
        CHECK(ev.c == 0);
        CHECK(ev.f == 0);
    }

    TEST_CASE("C2/C5/B9: events are FIFO; a clone event wakes a blocking write with 8") {
        Scenario sc;
        int gate = -1;
        const pid_t pid = sc.spawn({"fork"}, nullptr, &gate);
        REQUIRE(eventually([&] { return at_gate(pid); }));
        const int fd = sc.open_trace(pid);
        const int regs = sc.open(path(pid, "regs/int"));
        std::thread opener([&] {
            std::this_thread::sleep_for(20ms);
            open_gate(gate);
        });
        const auto bp = PtraceFlags::EVENT_CLONE | PtraceFlags::STOP_PRE_SYSCALL;
        std::vector<PtraceEvent> batch;
        std::uint64_t last_pre_nr = 0;
        for (int i = 0; i < 50; ++i) {
            // Returns at a PRE stop, or at the clone event while the parent runs on (B9).
            REQUIRE(op(fd, bp).value() == 8);
            std::this_thread::sleep_for(50ms); // let the parent reach its next PRE stop
            batch = events(fd);
            REQUIRE(!batch.empty());
            if (cause(batch.front()) == PtraceFlags::EVENT_CLONE.bits()) {
                break;
            }
            last_pre_nr = int_regs(regs).rax;
        }
        opener.join();
        CHECK((last_pre_nr == SYS_clone || last_pre_nr == SYS_clone3)); // PRE(clone) first
        // Both events were queued before the read: the clone event, then the parent's next
        // syscall entry (wait4), oldest first.
        REQUIRE(batch.size() == 2);
        CHECK(cause(batch[0]) == PtraceFlags::EVENT_CLONE.bits());
        CHECK(cause(batch[1]) == PtraceFlags::STOP_PRE_SYSCALL.bits());
        CHECK(int_regs(regs).rax == SYS_wait4);
        const auto child = static_cast<pid_t>(batch[0].a);
        CHECK(child > 0);
        CHECK(proc_state(child) == 't'); // F1: frozen until released
        sc.close(fd);
        CHECK(sc.wait_exit(pid) == (13 << 8));
    }

    TEST_CASE("C3: events outside the written mask are not queued") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"raise", "10", "handler"});
        const int fd = pid_fd.second;
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        const auto evs = events(fd);
        REQUIRE(evs.size() == 1); // no SIGNAL event: only EXIT was asked for
        CHECK(cause(evs[0]) == PtraceFlags::STOP_EXIT.bits());
        CHECK(evs[0].a == 0); // the handler ran, the tracee exited 0
    }

    TEST_CASE("C8/M3: the handle polls readable iff events are queued or the tracee exited") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC | O_NONBLOCK);
        CHECK_FALSE(readable(fd));
        CHECK(op(fd, PtraceFlags::STOP_SINGLESTEP).value() == 8);
        pollfd p{fd, POLLIN, 0};
        CHECK(::poll(&p, 1, 3000) == 1);
        CHECK(readable(fd));
        CHECK(cause(one_event(fd)) == PtraceFlags::STOP_SINGLESTEP.bits());
        CHECK_FALSE(readable(fd)); // drained by the read that emptied the queue
        CHECK(::kill(pid, SIGKILL) == 0);
        CHECK(::poll(&p, 1, 3000) == 1); // exit makes it readable, with an empty queue
        CHECK(events(fd).empty());
        CHECK(readable(fd));
    }

    TEST_CASE("B11/M1: a nonblocking write replaces the bp of a running tracee") {
        Scenario sc;
        const pid_t pid = sc.spawn({"getppid", "-1"});
        const int fd = sc.open_trace(pid, O_NONBLOCK);
        const int regs = sc.open(path(pid, "regs/int"));
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        std::this_thread::sleep_for(20ms);
        CHECK(events(fd).empty());
        CHECK(op(fd, PtraceFlags::STOP_PRE_SYSCALL).value() == 8); // now needs PTRACE_SYSCALL
        pollfd p{fd, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 3000) == 1);
        const PtraceEvent ev = one_event(fd);
        CHECK(cause(ev) == PtraceFlags::STOP_PRE_SYSCALL.bits());
        // On a loaded machine the program may still be starting (the loader's calls) when the
        // bp changes: its PRE stops lead to its getppid loop within a few hundred calls.
        std::uint64_t nr = int_regs(regs).rax;
        for (int n = 0; n < 500 && nr != SYS_getppid; ++n) {
            REQUIRE(op(fd, PtraceFlags::STOP_PRE_SYSCALL).value() == 8);
            REQUIRE(::poll(&p, 1, 3000) == 1);
            REQUIRE(cause(one_event(fd)) == PtraceFlags::STOP_PRE_SYSCALL.bits());
            nr = int_regs(regs).rax;
        }
        CHECK(nr == SYS_getppid);
    }

    TEST_CASE("Unrequested stops are serviced while no library call is in progress") {
        // No write at all (A10): the tracer thread alone must deliver the signal to the
        // handler, let the job stop happen and end, and let the tracee exit.
        Scenario sc2;
        int gate = -1;
        const pid_t pid = sc2.spawn({"raise", "10", "handler"}, nullptr, &gate);
        REQUIRE(eventually([&] { return at_gate(pid); }));
        const int fd = sc2.open_trace(pid);
        open_gate(gate);
        REQUIRE(eventually([&] { return proc_state(pid) == 'Z'; }));
        CHECK(events(fd).empty());
        sc2.close(fd);
        CHECK(sc2.wait_exit(pid) == 0); // the handler ran (exit 1 otherwise)

        int gate2 = -1;
        const pid_t stopper = sc2.spawn({"stop"}, nullptr, &gate2);
        REQUIRE(eventually([&] { return at_gate(stopper); }));
        const int fd2 = sc2.open_trace(stopper);
        open_gate(gate2);
        std::this_thread::sleep_for(50ms);
        CHECK(proc_state(stopper) != 'R'); // job-stopped by its own SIGSTOP (H4)
        REQUIRE(::kill(stopper, SIGCONT) == 0);
        REQUIRE(eventually([&] { return proc_state(stopper) == 'Z'; }));
        sc2.close(fd2);
        CHECK(sc2.wait_exit(stopper) == (5 << 8));
    }

    TEST_CASE("Any thread of the tracer may use any handle") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"exit", "9"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        std::size_t written = 0;
        std::thread writer([&] { written = op(fd, PtraceFlags::STOP_EXIT).value_or(0); });
        std::this_thread::sleep_for(20ms);
        writer.join();
        CHECK(written == 8);
        const PtraceEvent ev = one_event(fd);
        CHECK(ev.a == (9 << 8));
        std::thread closer([&] { sc.close(fd); });
        closer.join();
        CHECK(sc.wait_exit(pid) == (9 << 8));
    }

    TEST_CASE("G1: after the exit regs are ESRCH, mem is EFAULT (zombie) then ESRCH (reaped)") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"exit", "0"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        const int regs = sc.open(path(pid, "regs/int"));
        const int fregs = sc.open(path(pid, "regs/float"));
        const int env = sc.open(path(pid, "regs/env"));
        const int mem = sc.open(path(pid, "mem"));
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        CHECK(cause(one_event(fd)) == PtraceFlags::STOP_EXIT.bits());
        const IntRegisters at_exit = int_regs(regs);
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        REQUIRE(eventually([&] { return proc_state(pid) == 'Z'; }));
        std::array<std::byte, sizeof(FloatRegisters)> fbuf{};
        std::array<std::byte, sizeof(IntRegisters)> ibuf{};
        std::array<std::byte, 16> ebuf{};
        CHECK_ERRC(shim::read(regs, ibuf), std::errc::no_such_process);
        CHECK_ERRC(shim::write(regs, ibuf), std::errc::no_such_process);
        CHECK_ERRC(shim::read(fregs, fbuf), std::errc::no_such_process);
        CHECK_ERRC(shim::write(fregs, fbuf), std::errc::no_such_process);
        CHECK_ERRC(shim::read(env, ebuf), std::errc::no_such_process);
        CHECK_ERRC(shim::write(env, ebuf), std::errc::no_such_process);
        CHECK(shim::lseek(mem, static_cast<std::int64_t>(at_exit.rsp), SEEK_SET).has_value());
        std::array<std::byte, 8> word{};
        CHECK_ERRC(shim::read(mem, word), std::errc::bad_address);
        CHECK_ERRC(shim::write(mem, word), std::errc::bad_address);
        CHECK(shim::lseek(mem, 0, SEEK_CUR).value() == at_exit.rsp); // nothing advanced
        CHECK(events(fd).empty());
        CHECK(sc.wait_exit(pid) == 0);
        CHECK_ERRC(shim::read(mem, word), std::errc::no_such_process);
        CHECK_ERRC(shim::read(regs, ibuf), std::errc::no_such_process);
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
    }

    TEST_CASE("Bad fds and double close are EBADF, never a crash") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        std::array<std::byte, 56> buf{};
        CHECK_ERRC(shim::read(-1, buf), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::write(123456, buf), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::close(123456), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::lseek(123456, 0, SEEK_SET), std::errc::bad_file_descriptor);
        const auto fd = shim::open(path(pid, "trace"), 0);
        REQUIRE(fd.has_value());
        CHECK(shim::close(*fd).has_value());
        CHECK_ERRC(shim::close(*fd), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::read(*fd, buf), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::write(*fd, buf), std::errc::bad_file_descriptor);
        CHECK_ERRC(shim::fcntl(*fd, F_GETFL), std::errc::bad_file_descriptor);
        const int trace = sc.open_trace(pid);
        CHECK_ERRC(shim::lseek(trace, 0, SEEK_SET), std::errc::bad_file_descriptor); // not mem
    }

} // TEST_SUITE
