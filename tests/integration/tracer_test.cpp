// SPDX-License-Identifier: MIT
// Integration tests of Tracer, EventHandler and NonblockTracer against tracee processes
// (spec 2.A, 2.B, 2.C, 2.F, 2.G, 2.I, 2.M through the RAII API).

#include <ptrace/tracer.hpp>

#include <csignal>
#include <filesystem>

#include <poll.h>
#include <sys/syscall.h>

#include "api_support.hpp"
#include "queued_signal.hpp"
#include "support.hpp"

using namespace support;
using api_support::attach_ok;
using ptrace_api::AttachOptions;
using ptrace_api::AttachStop;
using ptrace_api::NonblockTracer;
using ptrace_api::OnClose;
using ptrace_api::Tracer;
namespace events = ptrace_api::events;

namespace {

/// How many fds this process has open (/proc/self/fd, the listing's own included each time).
std::size_t open_fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
        ++n;
    }
    return n;
}

/// Starts `args` behind a gate and attaches frozen (StopNow, OnClose::Detach) before opening
/// the gate, so the first breakpoint is installed before the tracee runs on.
Tracer frozen_tracer(Scenario& sc, const std::vector<std::string>& args, CallSite where = {}) {
    INFO("frozen_tracer() called from ", where.str());
    int gate = -1;
    const pid_t pid = sc.spawn(args, nullptr, &gate);
    Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
    open_gate(gate);
    return tracer;
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Tracer: next(STOP_EXIT) returns the EXIT event; then ESRCH and waitpid (D7, G1, "
              "G2, decision 8)") {
        Scenario sc;
        int gate = -1;
        const pid_t pid = sc.spawn({"exit", "7"}, nullptr, &gate);
        // Frozen first (O_TRUNC), so the breakpoint is installed before the tracee runs on.
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        CHECK(tracer.pid() == pid);
        CHECK(tracer.valid());
        open_gate(gate);
        const auto ev = tracer.next(PtraceFlags::STOP_EXIT);
        REQUIRE(ev.has_value());
        const auto meaning = view(*ev);
        const auto* exit = std::get_if<events::Exit>(&meaning);
        REQUIRE(exit != nullptr);
        CHECK(exit->status.exited());
        CHECK(exit->status.exit_code() == 7);
        CHECK(tracer.regs().get_int().has_value()); // readable at the EXIT stop (D7)
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (7 << 8)); // G2: ours to reap, at once
        CHECK_ERRC(tracer.next(PtraceFlags::STOP_EXIT), std::errc::no_such_process); // B10
        CHECK(tracer.events().value().empty());                                      // C7
        CHECK(std::move(tracer).close().has_value()); // G3: closing after the exit is fine
        CHECK_FALSE(tracer.valid());
        CHECK(tracer.pid() == 0);
    }

    TEST_CASE("Tracer: AttachStop::StopNow freezes without an event (A5); the next op resumes") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        std::this_thread::sleep_for(20ms);
        CHECK(proc_state(pid) == 't');
        CHECK(tracer.events().value().empty());
        const auto ev = tracer.next(PtraceFlags::STOP_SINGLESTEP);
        REQUIRE(ev.has_value());
        CHECK(std::holds_alternative<events::SingleStep>(view(*ev)));
        CHECK(tracer.wait().has_value()); // B8: FLAG_WAIT alone with a reached bp: at once
        CHECK(proc_state(pid) == 't');
    }

    TEST_CASE("Tracer: attach errors: dead, reaped, zero, own pid and a second tracer (A2-A4)") {
        Scenario sc;
        const pid_t zombie = sc.spawn({"exit", "0"});
        REQUIRE(eventually([&] { return proc_state(zombie) == 'Z'; }));
        CHECK_ERRC(Tracer::attach(zombie), std::errc::no_such_process);
        CHECK(sc.wait_exit(zombie) == 0);
        CHECK_ERRC(Tracer::attach(zombie), std::errc::no_such_process); // reaped
        CHECK_ERRC(Tracer::attach(0), std::errc::no_such_process);
        CHECK_ERRC(Tracer::attach(::getpid()), std::errc::operation_not_permitted);
        const pid_t pid = spinning(sc);
        Tracer first = attach_ok(pid);
        CHECK_ERRC(Tracer::attach(pid), std::errc::device_or_resource_busy);
        CHECK_ERRC(Tracer::attach(pid, {AttachStop::StopNow, OnClose::Kill}),
                   std::errc::device_or_resource_busy);
        std::this_thread::sleep_for(20ms);
        CHECK(proc_state(pid) == 'R'); // the failed attaches froze nothing
    }

    TEST_CASE("Tracer: the destructor detaches (I1) or kills with OnClose::Kill (A6)") {
        Scenario sc;
        const pid_t survivor = spinning(sc);
        const pid_t victim = spinning(sc);
        {
            Tracer a = attach_ok(survivor, {AttachStop::StopNow, OnClose::Detach});
            Tracer b = attach_ok(victim, {AttachStop::StopNow, OnClose::Kill});
            CHECK(tracer_pid(survivor) != 0);
        }
        CHECK(eventually([&] { return tracer_pid(survivor) == 0 && proc_state(survivor) == 'R'; }));
        expect_death_by(sc, victim, SIGKILL);
    }

    TEST_CASE("Tracer: detach() lets the tracee live even with OnClose::Kill (A7); close() "
              "kills it") {
        Scenario sc;
        const pid_t kept = spinning(sc);
        const pid_t killed = spinning(sc);
        Tracer a = attach_ok(kept, {AttachStop::StopNow, OnClose::Kill});
        Tracer b = attach_ok(killed, {AttachStop::StopNow, OnClose::Kill});
        CHECK(std::move(a).detach().has_value());
        CHECK(std::move(b).close().has_value());
        CHECK_FALSE(a.valid());
        CHECK(eventually([&] { return tracer_pid(kept) == 0 && proc_state(kept) == 'R'; }));
        const int status = sc.wait_exit(killed);
        CHECK(WIFSIGNALED(status));
    }

    TEST_CASE("Tracer: next() keeps the clone events it meets for events() (F1, F2, C2)") {
        Scenario sc;
        Tracer tracer = frozen_tracer(sc, {"fork"});
        const pid_t pid = tracer.pid();
        // The tracee forks a child, waits for it and exits 13: the write wakes up for the
        // clone event first, next() keeps it and waits again (FLAG_WAIT, which also releases
        // the child, F2), until the EXIT breakpoint.
        const auto ev = tracer.next(PtraceFlags::STOP_EXIT | PtraceFlags::EVENT_CLONE);
        REQUIRE(ev.has_value());
        const auto meaning = view(*ev);
        const auto* exit = std::get_if<events::Exit>(&meaning);
        REQUIRE(exit != nullptr);
        CHECK(exit->status.exit_code() == 13);
        const auto kept = tracer.events();
        REQUIRE(kept.has_value());
        REQUIRE(kept->size() == 1);
        const auto clone_meaning = view(kept->front());
        const auto* clone = std::get_if<events::Clone>(&clone_meaning);
        REQUIRE(clone != nullptr);
        CHECK(clone->pid > 0);
        CHECK(tracer.events().value().empty()); // taken
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (13 << 8));
    }

    TEST_CASE("EventHandler: dispatch() hands non-breakpoint events to the callback; retry() "
              "and breakpoint() as in the RFC loop (B7, B8)") {
        Scenario sc;
        SUBCASE("dispatch") {
            Tracer tracer = frozen_tracer(sc, {"fork"});
            const pid_t pid = tracer.pid();
            auto handler = tracer.next_event(PtraceFlags::STOP_EXIT | PtraceFlags::EVENT_CLONE);
            REQUIRE(handler.has_value());
            std::vector<PtraceEvent> seen;
            const auto ev = handler->dispatch([&](const PtraceEvent& e) { seen.push_back(e); });
            REQUIRE(ev.has_value());
            CHECK(ev->cause == PtraceFlags::STOP_EXIT);
            REQUIRE(seen.size() == 1);
            CHECK(seen[0].cause == PtraceFlags::EVENT_CLONE);
            CHECK(tracer.events().value().empty()); // dispatch keeps nothing back
            CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(sc.wait_exit(pid) == (13 << 8));
        }
        SUBCASE("retry and breakpoint, the RFC's loop") {
            Tracer tracer = frozen_tracer(sc, {"fork"});
            const pid_t pid = tracer.pid();
            auto handler = tracer.next_event(PtraceFlags::STOP_EXIT | PtraceFlags::EVENT_CLONE);
            REQUIRE(handler.has_value());
            std::size_t clones = 0;
            auto bp = handler->breakpoint();
            for (int round = 0; !bp && round < 100; ++round) {
                for (const PtraceEvent& e : *handler) {
                    clones += e.cause == PtraceFlags::EVENT_CLONE ? 1U : 0U;
                }
                REQUIRE(handler->retry().has_value());
                bp = handler->breakpoint();
            }
            REQUIRE(bp.has_value());
            CHECK(bp->cause == PtraceFlags::STOP_EXIT);
            CHECK(clones == 1);
            CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(sc.wait_exit(pid) == (13 << 8));
        }
        SUBCASE("a callback's error stops dispatch") {
            Tracer tracer = frozen_tracer(sc, {"fork"});
            const pid_t pid = tracer.pid();
            auto handler = tracer.next_event(PtraceFlags::STOP_EXIT | PtraceFlags::EVENT_CLONE);
            REQUIRE(handler.has_value());
            const auto ev = handler->dispatch([](const PtraceEvent&) -> ptrace_api::Result<void> {
                return ptrace_api::unexpected(std::errc::interrupted);
            });
            CHECK_ERRC(ev, std::errc::interrupted);
            // The tracee is still traced; ignore() gets on to the breakpoint.
            auto again = tracer.next_event(PtraceFlags::STOP_EXIT | PtraceFlags::EVENT_CLONE);
            REQUIRE(again.has_value());
            const auto bp = again->ignore();
            REQUIRE(bp.has_value());
            CHECK(bp->cause == PtraceFlags::STOP_EXIT);
            CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(sc.wait_exit(pid) == (13 << 8));
        }
    }

    TEST_CASE("Tracer: next_event() on an exiting tracee is ESRCH; ignore() too (G1)") {
        Scenario sc;
        Tracer tracer = frozen_tracer(sc, {"exit", "3"});
        const pid_t pid = tracer.pid();
        auto handler = tracer.next_event(PtraceFlags::EVENT_CLONE); // no stop bit: runs out
        if (handler) {
            CHECK_ERRC(handler->ignore(), std::errc::no_such_process);
        } else {
            CHECK(handler.error() == std::make_error_code(std::errc::no_such_process));
        }
        CHECK(sc.wait_exit(pid) == (3 << 8));
    }

    TEST_CASE("Tracer: reserved bits are EINVAL and change nothing (B2)") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        CHECK_ERRC(tracer.next(PtraceFlags::from_bits_retain(std::uint64_t{1} << 20)),
                   std::errc::invalid_argument);
        std::this_thread::sleep_for(20ms);
        CHECK(proc_state(pid) == 't');
    }

    TEST_CASE("NonblockTracer: next() returns at once, the handle polls readable, read_event; "
              "and back to blocking (M1, M2, C1, C8)") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        auto nb = std::move(tracer).into_nonblocking();
        REQUIRE(nb.has_value());
        CHECK_FALSE(tracer.valid());
        NonblockTracer& t = *nb;
        CHECK(t.pid() == pid);
        CHECK(t.read_event().value() == std::nullopt);
        CHECK_FALSE(readable(t.native_handle(), 0));
        // A breakpoint that is never reached: the write still returns at once (M1).
        REQUIRE(t.next(PtraceFlags::STOP_EXIT).has_value());
        CHECK(eventually([&] { return proc_state(pid) == 'R'; }));
        CHECK(t.read_event().value() == std::nullopt);
        // B11: a new breakpoint while it runs; the event comes later and the fd says so.
        REQUIRE(t.next(PtraceFlags::STOP_SINGLESTEP).has_value());
        CHECK(readable(t.native_handle(), 5000));
        const auto ev = t.read_event();
        REQUIRE(ev.has_value());
        REQUIRE(ev->has_value());
        CHECK((*ev)->cause == PtraceFlags::STOP_SINGLESTEP);
        CHECK(t.read_event().value() == std::nullopt);
        CHECK(t.regs().get_int().has_value());
        // FLAG_WAIT blocks even here (M2): three steps, each awaited.
        for (int i = 0; i < 3; ++i) {
            REQUIRE(t.next(PtraceFlags::STOP_SINGLESTEP | PtraceFlags::FLAG_WAIT).has_value());
            const auto evs = t.events();
            REQUIRE(evs.has_value());
            REQUIRE(evs->size() == 1);
            CHECK(evs->front().cause == PtraceFlags::STOP_SINGLESTEP);
        }
        auto back = std::move(t).into_blocking();
        REQUIRE(back.has_value());
        const auto step = back->next(PtraceFlags::STOP_SINGLESTEP);
        REQUIRE(step.has_value());
        CHECK(step->cause == PtraceFlags::STOP_SINGLESTEP);
    }

    TEST_CASE("NonblockTracer: wait() returns once the breakpoint is reached (M2, B7)") {
        Scenario sc;
        int gate = -1;
        const pid_t pid = sc.spawn({"exit", "4"}, nullptr, &gate);
        auto nb = attach_ok(pid).into_nonblocking();
        REQUIRE(nb.has_value());
        REQUIRE(nb->next(PtraceFlags::STOP_EXIT).has_value());
        open_gate(gate);
        REQUIRE(nb->wait().has_value());
        const auto evs = nb->events();
        REQUIRE(evs.has_value());
        REQUIRE(evs->size() == 1);
        CHECK(evs->front() == PtraceEvent::of(PtraceFlags::STOP_EXIT, 4 << 8));
        CHECK(nb->next(PtraceFlags{}).has_value()); // nonblocking: returns at once...
        CHECK(readable(nb->native_handle(), 5000)); // ...and the exit makes it readable (C8)
        CHECK_ERRC(nb->wait(), std::errc::no_such_process);
        CHECK(sc.wait_exit(pid) == (4 << 8));
    }

    TEST_CASE("Tracer: moved-from handles are empty; using one is a precondition failure") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        Tracer moved = std::move(tracer);
        CHECK_FALSE(tracer.valid());
        CHECK(tracer.pid() == 0);
        CHECK(moved.valid());
        CHECK(moved.pid() == pid);
        Tracer assigned = attach_ok(spinning(sc), {AttachStop::StopNow, OnClose::Detach});
        const pid_t other = assigned.pid();
        assigned = std::move(moved); // closes the handle it held (detach)
        CHECK(assigned.pid() == pid);
        CHECK(eventually([&] { return tracer_pid(other) == 0; }));
        // The precondition aborts: check it in a forked copy of this process (a fork's shim
        // state is inert, so nothing reaches the tracee).
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            // Plain SIGABRT (not doctest's crash report) and no message in the test log.
            (void)::signal(SIGABRT, SIG_DFL);
            const int null = ::open("/dev/null", O_WRONLY);
            (void)::dup2(null, STDERR_FILENO);
            (void)tracer.next(PtraceFlags::STOP_SINGLESTEP);
            ::_exit(0);
        }
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGABRT);
        CHECK(assigned.next(PtraceFlags::STOP_SINGLESTEP).has_value()); // the live one works
    }

    TEST_CASE("Decision 27: signal_info() at a SIGNAL stop: a fault's address; ENODATA at a "
              "freeze and at the exit") {
        Scenario sc;
        Tracer tracer = frozen_tracer(sc, {"segv_at", "dead000"});
        const pid_t pid = tracer.pid();
        const std::size_t fds_untouched = open_fd_count();
        CHECK_ERRC(tracer.signal_info(), std::errc::no_message_available); // frozen: no signal
        // The siginfo handle is opened at the first call and kept, not opened per call.
        CHECK(open_fd_count() == fds_untouched + 1);
        const auto ev = tracer.next(PtraceFlags::STOP_SIGNAL);
        REQUIRE(ev.has_value());
        const auto meaning = view(*ev);
        const auto* sig = std::get_if<events::Signal>(&meaning);
        REQUIRE(sig != nullptr);
        REQUIRE(sig->signal == SIGSEGV);
        const std::size_t fds_before = open_fd_count();
        const auto info = tracer.signal_info();
        REQUIRE(info.has_value());
        CHECK(info->signo() == SIGSEGV);
        CHECK(info->code() == SEGV_MAPERR);
        CHECK(info->fault_address() == 0xdead000);
        CHECK_FALSE(info->from_user());
        CHECK(tracer.signal_info().value() == *info); // reading changes nothing
        CHECK(tracer.signal_info().value() == *info);
        CHECK(open_fd_count() == fds_before); // the same handle, nothing more
        // Decision 12: the fault is SIGNAL then EXIT; the exit stop carries no signal.
        const auto exit_ev = tracer.next(PtraceFlags::STOP_EXIT);
        REQUIRE(exit_ev.has_value());
        REQUIRE(exit_ev->cause == PtraceFlags::STOP_EXIT);
        CHECK_ERRC(tracer.signal_info(), std::errc::no_message_available);
        CHECK(std::move(tracer).close().has_value());
        expect_death_by(sc, pid, SIGSEGV);
    }

    TEST_CASE("Decision 27: signal_info() at a BREAKPOINT and a SINGLESTEP breakpoint: the "
              "SIGTRAP of the int3 (SI_KERNEL) and of the step (TRAP_TRACE)") {
        Scenario sc;
        Tracer tracer = frozen_tracer(sc, {"int3"});
        const auto hit = tracer.next(PtraceFlags::STOP_BREAKPOINT);
        REQUIRE(hit.has_value());
        REQUIRE(hit->cause == PtraceFlags::STOP_BREAKPOINT);
        const auto trapped = tracer.signal_info();
        REQUIRE(trapped.has_value());
        CHECK(trapped->signo() == SIGTRAP);
        CHECK(trapped->code() == SI_KERNEL);
        CHECK_FALSE(trapped->from_user());
        // The instruction after the int3 is an ordinary one (not a syscall, whose step Linux
        // reports as TRAP_BRKPT): its step trap is TRAP_TRACE.
        const auto step = tracer.next(PtraceFlags::STOP_SINGLESTEP | PtraceFlags::FLAG_IGNORE);
        REQUIRE(step.has_value());
        REQUIRE(step->cause == PtraceFlags::STOP_SINGLESTEP);
        const auto stepped = tracer.signal_info();
        REQUIRE(stepped.has_value());
        CHECK(stepped->signo() == SIGTRAP);
        CHECK(stepped->code() == TRAP_TRACE);
        // A syscall stop's SIGTRAP is ptrace's way of stopping, not the program's: none.
        const auto entry = tracer.next(PtraceFlags::STOP_PRE_SYSCALL);
        REQUIRE(entry.has_value());
        REQUIRE(entry->cause == PtraceFlags::STOP_PRE_SYSCALL);
        CHECK_ERRC(tracer.signal_info(), std::errc::no_message_available);
    }

    TEST_CASE("Decision 27: signal_info() names the sender: kill(2) from the tracer, and a "
              "raise(3) whose handler the D5 probe found (its siginfo kept through the probe)") {
        {
            Scenario sc;
            Tracer tracer = frozen_tracer(sc, {"sleep"});
            const pid_t pid = tracer.pid();
            REQUIRE(::kill(pid, SIGUSR1) == 0); // pending while it is frozen
            const auto ev = tracer.next(PtraceFlags::STOP_SIGNAL);
            REQUIRE(ev.has_value());
            REQUIRE(ev->cause == PtraceFlags::STOP_SIGNAL);
            REQUIRE(ev->a == SIGUSR1);
            const auto info = tracer.signal_info();
            REQUIRE(info.has_value());
            CHECK(info->signo() == SIGUSR1);
            CHECK(info->code() == SI_USER);
            CHECK(info->from_user());
            CHECK(info->sender_pid() == ::getpid());
            CHECK(info->sender_uid() == ::getuid());
        }
        {
            Scenario sc;
            Tracer tracer = frozen_tracer(sc, {"raise", std::to_string(SIGUSR2), "handler"});
            const pid_t pid = tracer.pid();
            const auto ev = tracer.next(PtraceFlags::STOP_SIGNAL);
            REQUIRE(ev.has_value());
            REQUIRE(ev->a == SIGUSR2);
            CHECK(ev->b > 1); // D5: the handler's address, found by the probe
            const auto info = tracer.signal_info();
            REQUIRE(info.has_value());
            CHECK(info->signo() == SIGUSR2);
            CHECK(info->code() == SI_TKILL); // raise(3) is tgkill(2)
            CHECK(info->sender_pid() == pid);
            CHECK(info->sender_uid() == ::getuid());
            // The signal is delivered as it came: the handler runs and the tracee exits 0.
            CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(sc.wait_exit(pid) == 0);
        }
    }

    TEST_CASE("Decision 27: set_signal_info() at a SIGNAL stop and at a BREAKPOINT stop: the "
              "record written is the one the handler receives") {
        // The tracee's handler exits 0 for exactly this record (tracee siginfo_check).
        const ptrace_api::SignalInfo queued = test_support::queued_usr1();
        {
            // At the SIGNAL stop of a raise(3) (SI_TKILL from the tracee itself).
            Scenario sc;
            Tracer tracer = frozen_tracer(sc, {"siginfo_check", "raise"});
            const pid_t pid = tracer.pid();
            const auto ev = tracer.next(PtraceFlags::STOP_SIGNAL);
            REQUIRE(ev.has_value());
            REQUIRE(ev->cause == PtraceFlags::STOP_SIGNAL);
            REQUIRE(tracer.signal_info().value().code() == SI_TKILL);
            REQUIRE(tracer.set_signal_info(queued).has_value());
            CHECK(tracer.signal_info().value() == queued); // read back as written
            CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(sc.wait_exit(pid) == 0);
        }
        {
            // At an int3, whose SIGTRAP the record replaces: delivered as SIGUSR1 by a resume
            // without FLAG_IGNORE (which would otherwise kill the tracee by SIGTRAP).
            Scenario sc;
            Tracer tracer = frozen_tracer(sc, {"siginfo_check", "int3"});
            const pid_t pid = tracer.pid();
            const auto hit = tracer.next(PtraceFlags::STOP_BREAKPOINT);
            REQUIRE(hit.has_value());
            REQUIRE(hit->cause == PtraceFlags::STOP_BREAKPOINT);
            REQUIRE(tracer.set_signal_info(queued).has_value());
            CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(sc.wait_exit(pid) == 0);
        }
        {
            // Away from a held signal (a syscall stop), or with no signal named: refused.
            Scenario sc;
            Tracer tracer = frozen_tracer(sc, {"siginfo_check", "raise"});
            CHECK_ERRC(tracer.set_signal_info(queued), std::errc::no_message_available);
            const auto entry = tracer.next(PtraceFlags::STOP_PRE_SYSCALL);
            REQUIRE(entry.has_value());
            CHECK_ERRC(tracer.set_signal_info(queued), std::errc::no_message_available);
            CHECK_ERRC(tracer.set_signal_info(ptrace_api::SignalInfo{}),
                       std::errc::invalid_argument);
        }
    }

} // TEST_SUITE
