// SPDX-License-Identifier: MIT
// Integration tests for stop kinds, FLAG_IGNORE, signals and close (spec 2.D, 2.E, 2.H, 2.I).

#include <atomic>

#include <sys/syscall.h>

#include "skip_result.hpp"
#include "support.hpp"

using namespace support;

namespace {

/// Writes `bp` (blocking) until a PRE stop for syscall `nr` is reached; false if the tracee
/// exited or `limit` stops passed.
bool run_to_pre(int fd, int regs, std::uint64_t nr, int limit = 2000) {
    for (int i = 0; i < limit; ++i) {
        const auto w = op(fd, PtraceFlags::STOP_PRE_SYSCALL);
        if (!w) {
            return false;
        }
        const auto evs = events(fd);
        if (evs.size() == 1 && cause(evs[0]) == PtraceFlags::STOP_PRE_SYSCALL.bits() &&
            int_regs(regs).rax == nr) {
            return true;
        }
    }
    return false;
}

/// True if `addr` lies in an executable mapping of `pid` whose file name ends with `suffix`.
bool in_executable_mapping(pid_t pid, std::uint64_t addr, const std::string& suffix) {
    std::string maps;
    const std::string file = "/proc/" + std::to_string(pid) + "/maps";
    REQUIRE(shim::sys::read_small_file(file.c_str(), maps));
    std::size_t pos = 0;
    while (pos < maps.size()) {
        const std::size_t end = std::min(maps.find('\n', pos), maps.size());
        const std::string line = maps.substr(pos, end - pos);
        pos = end + 1;
        const auto dash = line.find('-');
        const auto space = line.find(' ');
        if (dash == std::string::npos || space == std::string::npos) {
            continue;
        }
        const std::uint64_t lo = std::stoull(line.substr(0, dash), nullptr, 16);
        const std::uint64_t hi = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
        if (addr >= lo && addr < hi) {
            return line.size() > space + 3 && line[space + 3] == 'x' &&
                   line.size() >= suffix.size() &&
                   line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0;
        }
    }
    return false;
}

/// A tracee started frozen (Scenario::spawn_frozen), with its trace and regs/int handles.
struct Frozen {
    pid_t pid;
    int fd;
    int regs;
};

/// Starts `args` frozen, opens its regs/int handle and runs it to the PRE stop of its first
/// getppid (the syscall under test, or the marker a program calls just before it).
Frozen at_getppid(Scenario& sc, const std::vector<std::string>& args, CallSite where = {}) {
    INFO("at_getppid() called from ", where.str());
    const auto pid_fd = sc.spawn_frozen(args);
    const int regs = sc.open(path(pid_fd.first, "regs/int"));
    REQUIRE(run_to_pre(pid_fd.second, regs, SYS_getppid));
    return {pid_fd.first, pid_fd.second, regs};
}

/// Runs the tracee to `bp` and returns the single event.
PtraceEvent stop_at(int fd, PtraceFlags bp) {
    REQUIRE(op(fd, bp).value() == 8);
    return one_event(fd);
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("D1: at PRE rax is the syscall number; writing rax changes the syscall") {
        Scenario sc;
        const auto [pid, fd, regs] = at_getppid(sc, {"change_getppid"});
        IntRegisters r = int_regs(regs);
        CHECK(r.rip != 0);
        r.rax = SYS_getpid;
        CHECK(set_int_regs(regs, r).value() == sizeof(IntRegisters));
        CHECK(int_regs(regs).rax == SYS_getpid); // read back, still presented as the number
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (10 << 8));
    }

    TEST_CASE("D2/D3: POST has the return value; requesting only POST yields only POST") {
        Scenario sc;
        const auto [pid, fd, regs] = at_getppid(sc, {"getppid", "-1"});
        CHECK(cause(stop_at(fd, PtraceFlags::STOP_POST_SYSCALL)) ==
              PtraceFlags::STOP_POST_SYSCALL.bits());
        CHECK(int_regs(regs).rax == static_cast<std::uint64_t>(::getpid()));
        for (int i = 0; i < 20; ++i) {
            CHECK(cause(stop_at(fd, PtraceFlags::STOP_POST_SYSCALL)) ==
                  PtraceFlags::STOP_POST_SYSCALL.bits());
            CHECK(int_regs(regs).rax == static_cast<std::uint64_t>(::getpid()));
        }
    }

    TEST_CASE("D4: SINGLESTEP stops after one instruction") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const auto pid_fd = std::make_pair(pid, sc.open_trace(pid, O_TRUNC));
        const int fd = pid_fd.second;
        const int regs = sc.open(path(pid, "regs/int"));
        std::vector<std::uint64_t> rips;
        for (int i = 0; i < 200; ++i) {
            CHECK(cause(stop_at(fd, PtraceFlags::STOP_SINGLESTEP)) ==
                  PtraceFlags::STOP_SINGLESTEP.bits());
            rips.push_back(int_regs(regs).rip);
        }
        // The spin loop is a handful of instructions: stepping visits several distinct addresses
        // and comes back to the same ones.
        std::sort(rips.begin(), rips.end());
        const auto distinct = std::unique(rips.begin(), rips.end()) - rips.begin();
        CHECK(distinct >= 2);
        CHECK(distinct < 20);
    }

    TEST_CASE("D4: with SINGLESTEP|PRE the syscall stop wins over stepping the syscall") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"getppid", "-1"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        const int regs = sc.open(path(pid, "regs/int"));
        const int mem = sc.open(path(pid, "mem"));
        REQUIRE(run_to_pre(fd, regs, SYS_getppid)); // in the loop now
        int pres = 0;
        std::uint64_t prev_step_rip = 0;
        for (int i = 0; i < 3000 && pres < 3; ++i) {
            const PtraceEvent ev =
                stop_at(fd, PtraceFlags::STOP_SINGLESTEP | PtraceFlags::STOP_PRE_SYSCALL);
            const IntRegisters r = int_regs(regs);
            if (cause(ev) == PtraceFlags::STOP_PRE_SYSCALL.bits()) {
                ++pres;
                CHECK(r.rax == SYS_getppid);
                // The step before the PRE stopped on the `syscall` instruction itself.
                CHECK(prev_step_rip == r.rip - 2);
                std::array<std::byte, 2> insn{};
                REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(r.rip - 2), SEEK_SET));
                REQUIRE(shim::read(mem, insn).value() == 2);
                CHECK(insn[0] == std::byte{0x0f});
                CHECK(insn[1] == std::byte{0x05});
            } else {
                CHECK(cause(ev) == PtraceFlags::STOP_SINGLESTEP.bits());
                prev_step_rip = r.rip;
            }
        }
        CHECK(pres == 3);
    }

    TEST_CASE("D5: SIGNAL reports the signal and the handler value (0, 1, caught)") {
        struct Case {
            const char* how;
            std::uint64_t handler;
        };
        for (const Case c : {Case{"default", 0}, Case{"ignore", 1},
                             Case{"handler", shim::caught_handler_unknown}}) {
            CAPTURE(c.how);
            Scenario sc;
            const auto pid_fd = sc.spawn_frozen({"raise", "10", c.how});
            const pid_t pid = pid_fd.first;
            const int fd = pid_fd.second;
            const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL);
            CHECK(cause(ev) == PtraceFlags::STOP_SIGNAL.bits());
            CHECK(ev.a == SIGUSR1);
            if (c.handler == shim::caught_handler_unknown) {
                // The exact address (spec 3.D5): code in the tracee's own executable mapping.
                CHECK(ev.b != 0);
                CHECK(ev.b != 1);
                CHECK(ev.b != shim::caught_handler_unknown);
                CHECK(in_executable_mapping(pid, ev.b, "/tracee"));
            } else {
                CHECK(ev.b == c.handler);
            }
            CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
            if (c.handler == 0) {
                expect_death_by(sc, pid, SIGUSR1); // no IGNORE: the default action killed it
            } else {
                CHECK(sc.wait_exit(pid) == 0); // ignored, or the handler ran
            }
        }
    }

    TEST_CASE("D5: the step after delivery lands in the handler the SIGNAL event named") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"raise", "10", "handler"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        const int regs = sc.open(path(pid, "regs/int"));
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL);
        CHECK(cause(ev) == PtraceFlags::STOP_SIGNAL.bits());
        CHECK(ev.a == SIGUSR1);
        CHECK(ev.b > 1);
        CHECK(ev.b != shim::caught_handler_unknown);
        // Resuming without IGNORE delivers the signal, and the step that follows executes the
        // handler's first instruction: the step stop is one instruction (at most 15 bytes)
        // past `b`. (tests/shim checks the exact address against the handler's own symbol.)
        const PtraceEvent step = stop_at(fd, PtraceFlags::STOP_SINGLESTEP);
        CHECK(cause(step) == PtraceFlags::STOP_SINGLESTEP.bits());
        const std::uint64_t rip = int_regs(regs).rip;
        CHECK(rip > ev.b);
        CHECK(rip <= ev.b + 15);
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == 0); // the handler ran (the tracee checks it)
    }

    TEST_CASE("D5/E2: after the handler probe, IGNORE still suppresses the caught signal") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"raise", "10", "handler"});
        const int fd = pid_fd.second;
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL);
        CHECK(ev.a == SIGUSR1);
        CHECK(ev.b != shim::caught_handler_unknown);
        const PtraceEvent done = stop_at(fd, PtraceFlags::STOP_EXIT | PtraceFlags::FLAG_IGNORE);
        CHECK(cause(done) == PtraceFlags::STOP_EXIT.bits());
        CHECK(done.a == (1 << 8)); // the tracee noticed that its handler never ran
    }

    TEST_CASE("E2/D7: IGNORE suppresses a signal; EXIT reports deaths by signal") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"raise", "10", "default"});
        const int fd = pid_fd.second;
        CHECK(stop_at(fd, PtraceFlags::STOP_SIGNAL).a == SIGUSR1);
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_EXIT | PtraceFlags::FLAG_IGNORE);
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
        CHECK(ev.a == 0); // survived the default-fatal SIGUSR1

        Scenario sc2;
        const auto pid2_fd2 = sc2.spawn_frozen({"raise", "10", "default"});
        const pid_t pid2 = pid2_fd2.first;
        const int fd2 = pid2_fd2.second;
        const PtraceEvent death = stop_at(fd2, PtraceFlags::STOP_EXIT);
        CHECK(death.a == SIGUSR1); // wait(2) encoding of a signal death, no core bit
        CHECK_ERRC(op_bits(fd2, 0), std::errc::no_such_process);
        expect_death_by(sc2, pid2, SIGUSR1);
    }

    TEST_CASE("D6/decision 5/E3: BREAKPOINT on int3, RIP after it; IGNORE lets it continue") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"int3"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        const int regs = sc.open(path(pid, "regs/int"));
        const int mem = sc.open(path(pid, "mem"));
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_BREAKPOINT);
        CHECK(cause(ev) == PtraceFlags::STOP_BREAKPOINT.bits());
        CHECK(ev.a == 0);
        const std::uint64_t rip = int_regs(regs).rip;
        REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(rip - 1), SEEK_SET));
        std::array<std::byte, 1> byte{};
        REQUIRE(shim::read(mem, byte).value() == 1);
        CHECK(byte[0] == std::byte{0xcc});
        const PtraceEvent done = stop_at(fd, PtraceFlags::STOP_EXIT | PtraceFlags::FLAG_IGNORE);
        CHECK(done.a == (42 << 8));
    }

    TEST_CASE("Decision 4: int3 resumed without IGNORE dies by SIGTRAP") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"int3"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        CHECK(cause(stop_at(fd, PtraceFlags::STOP_BREAKPOINT)) ==
              PtraceFlags::STOP_BREAKPOINT.bits());
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_EXIT | PtraceFlags::STOP_SIGNAL);
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits()); // no SIGNAL stop for it (D6)
        CHECK(ev.a == SIGTRAP);
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        expect_death_by(sc, pid, SIGTRAP);
    }

    TEST_CASE("D6: int3 without STOP_BREAKPOINT kills by SIGTRAP, unseen by STOP_SIGNAL") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"int3"});
        const int fd = pid_fd.second;
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT);
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
        CHECK(ev.a == SIGTRAP);
    }

    TEST_CASE("Decision 12: a fault is a SIGNAL stop, then EXIT") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"segv"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        const PtraceEvent sig = stop_at(fd, PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT);
        CHECK(cause(sig) == PtraceFlags::STOP_SIGNAL.bits());
        CHECK(sig.a == SIGSEGV);
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT);
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
        CHECK(ev.a == SIGSEGV); // core bit cleared (spec 1.2)
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        expect_death_by(sc, pid, SIGSEGV);
    }

    TEST_CASE("E1/D2: IGNORE at PRE skips the syscall; the tracer's rax is the result") {
        Scenario sc;
        const auto [pid, fd, regs] = at_getppid(sc, {"skip_getppid"});
        IntRegisters r = int_regs(regs);
        r.rax = static_cast<std::uint64_t>(test_support::skipped_result);
        REQUIRE(set_int_regs(regs, r).value() == sizeof r);
        // POST still happens for a skipped syscall (D2), with the tracer's value.
        const PtraceEvent post =
            stop_at(fd, PtraceFlags::STOP_POST_SYSCALL | PtraceFlags::FLAG_IGNORE);
        CHECK(cause(post) == PtraceFlags::STOP_POST_SYSCALL.bits());
        CHECK(int_regs(regs).rax == static_cast<std::uint64_t>(test_support::skipped_result));
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (20 << 8));
    }

    TEST_CASE("E6: a skipped syscall without register edits returns the syscall number") {
        Scenario sc;
        const auto [pid, fd, regs] = at_getppid(sc, {"skip_getppid"});
        CHECK_ERRC(op(fd, PtraceFlags::FLAG_IGNORE), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (21 << 8));
    }

    TEST_CASE("Decision 6: FLAG_IGNORE without a STOP bit is honoured at the stop it resumes") {
        Scenario sc;
        const auto [pid, fd, regs] = at_getppid(sc, {"skip_getppid"});
        IntRegisters r = int_regs(regs);
        r.rax = static_cast<std::uint64_t>(test_support::skipped_result);
        REQUIRE(set_int_regs(regs, r).value() == sizeof r);
        CHECK_ERRC(op(fd, PtraceFlags::FLAG_IGNORE), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (20 << 8));
    }

    TEST_CASE("E4: IGNORE at a POST stop has no effect") {
        Scenario sc;
        const auto [pid, fd, regs] = at_getppid(sc, {"skip_getppid"});
        CHECK(cause(stop_at(fd, PtraceFlags::STOP_POST_SYSCALL)) ==
              PtraceFlags::STOP_POST_SYSCALL.bits());
        CHECK_ERRC(op(fd, PtraceFlags::FLAG_IGNORE), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (22 << 8)); // getppid ran normally
    }

    TEST_CASE("H2: SIGCONT does not resume a frozen tracee; it is seen once it runs") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"spin"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        REQUIRE(::kill(pid, SIGCONT) == 0);
        std::this_thread::sleep_for(50ms);
        CHECK(proc_state(pid) == 't');
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL);
        CHECK(ev.a == SIGCONT);
        CHECK(ev.b == 0);
    }

    TEST_CASE("H3/H4: SIGSTOP is a SIGNAL stop; the job stop outlives a resume until SIGCONT") {
        Scenario sc;
        const auto pid_fd = sc.spawn_frozen({"stop"});
        const pid_t pid = pid_fd.first;
        const int fd = pid_fd.second;
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL);
        CHECK(ev.a == SIGSTOP);
        std::atomic<std::size_t> written{0};
        std::thread writer([&] {
            written.store(op(fd, PtraceFlags::STOP_EXIT).value_or(0)); // blocks while job-stopped
        });
        std::this_thread::sleep_for(100ms);
        CHECK(written.load() == 0);
        const char state = proc_state(pid);
        CHECK((state == 't' || state == 'T'));
        REQUIRE(::kill(pid, SIGCONT) == 0);
        writer.join();
        CHECK(written == 8);
        const PtraceEvent done = one_event(fd);
        CHECK(cause(done) == PtraceFlags::STOP_EXIT.bits());
        CHECK(done.a == (5 << 8));
    }

    TEST_CASE("H5/decision 11: SIGKILL gives no SIGNAL stop, only EXIT with a = 9") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC);
        std::thread killer([&] {
            std::this_thread::sleep_for(30ms);
            (void)::kill(pid, SIGKILL);
        });
        const PtraceEvent ev = stop_at(fd, PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT);
        killer.join();
        CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
        CHECK(ev.a == SIGKILL);
        CHECK_ERRC(op_bits(fd, 0), std::errc::no_such_process);
        expect_death_by(sc, pid, SIGKILL);
    }

    TEST_CASE("Decision 17: no POST for a successful execve") {
        Scenario sc;
        // Its marker is a getppid just before the execv.
        const auto [pid, fd, regs] = at_getppid(sc, {"exec", tracee_path(), "exit", "6"});
        REQUIRE(run_to_pre(fd, regs, SYS_execve));
        // After the exec the next stop is a PRE of the new image, never a POST of execve.
        const PtraceEvent next =
            stop_at(fd, PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL);
        CHECK(cause(next) == PtraceFlags::STOP_PRE_SYSCALL.bits());
        CHECK(int_regs(regs).rax != SYS_execve);
        const PtraceEvent done = stop_at(fd, PtraceFlags::STOP_EXIT);
        CHECK(done.a == (6 << 8));
    }

    TEST_CASE("Decision 26: STOP_EXEC stops after the exec, at the new program's first "
              "instruction, with the caller's TID in a; without it the exec goes unseen") {
        for (const bool asked : {true, false}) {
            CAPTURE(asked);
            Scenario sc;
            const auto [pid, fd, regs] = at_getppid(sc, {"exec", tracee_path(), "exit", "6"});
            const auto bp =
                PtraceFlags::STOP_EXIT | (asked ? PtraceFlags::STOP_EXEC : PtraceFlags::empty());
            const PtraceEvent ev = stop_at(fd, bp);
            if (!asked) {
                CHECK(cause(ev) == PtraceFlags::STOP_EXIT.bits());
                CHECK(ev.a == (6 << 8));
                continue;
            }
            REQUIRE(cause(ev) == PtraceFlags::STOP_EXEC.bits());
            CHECK(ev.a == static_cast<std::uint64_t>(pid));
            CHECK(ptrace_api::view(ev) ==
                  ptrace_api::EventView(ptrace_api::events::Exec{static_cast<std::uint64_t>(pid)}));
            // Held before the new program's first instruction: the dynamic loader's entry,
            // with the new argument vector in place.
            CHECK(in_executable_mapping(pid, int_regs(regs).rip, "ld-linux-x86-64.so.2"));
            std::string cmdline;
            const std::string file = "/proc/" + std::to_string(pid) + "/cmdline";
            REQUIRE(shim::sys::read_small_file(file.c_str(), cmdline));
            CHECK(cmdline == tracee_path() + std::string("\0exit\0"
                                                         "6\0",
                                                         8));
            CHECK(events(fd).empty());
            const PtraceEvent done = stop_at(fd, PtraceFlags::STOP_EXIT | PtraceFlags::STOP_EXEC);
            CHECK(cause(done) == PtraceFlags::STOP_EXIT.bits());
            CHECK(done.a == (6 << 8));
        }
    }

    TEST_CASE("Decision 18/H6: a signal interrupting read(2) shows no -ERESTART POST and no "
              "duplicate PRE") {
        Scenario sc;
        const auto [pid, fd, regs] = at_getppid(sc, {"restart"}); // the marker
        REQUIRE(run_to_pre(fd, regs, SYS_read));
        std::thread killer([victim = pid] {
            std::this_thread::sleep_for(50ms);
            (void)::kill(victim, SIGUSR1);
        });
        const auto bp = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL |
                        PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT;
        int read_pres = 0;
        int signals = 0;
        std::vector<std::int64_t> posts;
        std::uint64_t exit_status = ~std::uint64_t{0};
        for (int i = 0; i < 100; ++i) {
            const PtraceEvent ev = stop_at(fd, bp);
            if (cause(ev) == PtraceFlags::STOP_EXIT.bits()) {
                exit_status = ev.a;
                break;
            }
            if (cause(ev) == PtraceFlags::STOP_SIGNAL.bits()) {
                ++signals;
                CHECK(ev.a == SIGUSR1);
                continue;
            }
            const IntRegisters r = int_regs(regs);
            if (cause(ev) == PtraceFlags::STOP_PRE_SYSCALL.bits()) {
                read_pres += r.rax == SYS_read ? 1 : 0;
            } else {
                posts.push_back(static_cast<std::int64_t>(r.rax));
            }
        }
        killer.join();
        CHECK(signals == 1);
        CHECK(read_pres == 0); // the restart's entry is folded away
        for (const std::int64_t rax : posts) {
            CHECK((rax > -512 || rax < -516));
        }
        REQUIRE(!posts.empty());
        // The interrupted read's own POST arrives after the handler, with its real result.
        CHECK(std::find(posts.begin(), posts.end(), 1) != posts.end());
        CHECK(exit_status == (30 << 8));
    }

    TEST_CASE("I2/A6: when the tracer process exits, its tracee is let go, or killed (O_EXCL)") {
        for (const char* how : {"trunc", "excl", "both"}) {
            CAPTURE(how);
            Scenario sc;
            const pid_t pid = spinning(sc);
            int out = -1;
            const pid_t probe =
                sc.spawn({"trace", std::to_string(pid), how}, &out, nullptr, probe_path());
            CHECK(read_all(out) == "open\n");
            CHECK(sc.wait_exit(probe) == 0);
            if (std::strcmp(how, "trunc") == 0) {
                // Frozen by a tracer that is gone: Linux detached it, it runs again.
                CHECK(eventually([&] { return tracer_pid(pid) == 0; }));
                CHECK(eventually([&] { return proc_state(pid) == 'R'; }));
            } else {
                expect_death_by(sc, pid, SIGKILL);
            }
        }
    }

    TEST_CASE("I1: close at each kind of stop applies the default decision and detaches") {
        SUBCASE("at PRE: the syscall runs, the tracee runs on untraced") {
            Scenario sc;
            const auto pid_fd = sc.spawn_frozen({"getppid", "-1"});
            const pid_t pid = pid_fd.first;
            const int fd = pid_fd.second;
            CHECK(cause(stop_at(fd, PtraceFlags::STOP_PRE_SYSCALL)) ==
                  PtraceFlags::STOP_PRE_SYSCALL.bits());
            sc.close(fd);
            CHECK(tracer_pid(pid) == 0);
            CHECK(eventually([&] { return proc_state(pid) == 'R' || proc_state(pid) == 'S'; }));
        }
        SUBCASE("at SIGNAL: the signal is delivered") {
            Scenario sc;
            const auto pid_fd = sc.spawn_frozen({"raise", "10", "default"});
            const pid_t pid = pid_fd.first;
            const int fd = pid_fd.second;
            CHECK(stop_at(fd, PtraceFlags::STOP_SIGNAL).a == SIGUSR1);
            sc.close(fd);
            expect_death_by(sc, pid, SIGUSR1);
        }
        SUBCASE("at BREAKPOINT: int3 continues") {
            Scenario sc;
            const auto pid_fd = sc.spawn_frozen({"int3"});
            const pid_t pid = pid_fd.first;
            const int fd = pid_fd.second;
            CHECK(cause(stop_at(fd, PtraceFlags::STOP_BREAKPOINT)) ==
                  PtraceFlags::STOP_BREAKPOINT.bits());
            sc.close(fd);
            CHECK(sc.wait_exit(pid) == (42 << 8));
        }
        SUBCASE("at EXIT: it exits") {
            Scenario sc;
            const auto pid_fd = sc.spawn_frozen({"exit", "4"});
            const pid_t pid = pid_fd.first;
            const int fd = pid_fd.second;
            CHECK(stop_at(fd, PtraceFlags::STOP_EXIT).a == (4 << 8));
            sc.close(fd);
            CHECK(sc.wait_exit(pid) == (4 << 8));
        }
        SUBCASE("at SINGLESTEP: it runs on") {
            Scenario sc;
            const auto pid_fd = sc.spawn_frozen({"spin"});
            const pid_t pid = pid_fd.first;
            const int fd = pid_fd.second;
            CHECK(cause(stop_at(fd, PtraceFlags::STOP_SINGLESTEP)) ==
                  PtraceFlags::STOP_SINGLESTEP.bits());
            sc.close(fd);
            CHECK(tracer_pid(pid) == 0);
            CHECK(eventually([&] { return proc_state(pid) == 'R'; }));
        }
        SUBCASE("job-stopped: it stays stopped, untraced, until SIGCONT") {
            Scenario sc;
            const auto pid_fd = sc.spawn_frozen({"stop"}, O_NONBLOCK);
            const pid_t pid = pid_fd.first;
            const int fd = pid_fd.second;
            CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
            REQUIRE(eventually([&] {
                const char s = proc_state(pid);
                return s == 't' || s == 'T';
            }));
            std::this_thread::sleep_for(20ms);
            sc.close(fd);
            CHECK(tracer_pid(pid) == 0);
            std::this_thread::sleep_for(20ms);
            CHECK(proc_state(pid) == 'T');
            REQUIRE(::kill(pid, SIGCONT) == 0);
            int status = 0;
            REQUIRE(eventually([&] {
                const pid_t r = ::waitpid(pid, &status, WNOHANG);
                return r == pid && WIFEXITED(status);
            }));
            CHECK(WEXITSTATUS(status) == 5);
        }
        SUBCASE("running in a blocking syscall: it keeps sleeping there, untraced") {
            Scenario sc;
            const pid_t pid = sc.spawn({"sleep"});
            const int fd = sc.open_trace(pid, O_NONBLOCK);
            CHECK(op(fd, PtraceFlags::STOP_PRE_SYSCALL).value() == 8);
            sc.close(fd);
            CHECK(tracer_pid(pid) == 0);
            CHECK(eventually([&] { return proc_state(pid) == 'S'; }));
        }
    }

} // TEST_SUITE
