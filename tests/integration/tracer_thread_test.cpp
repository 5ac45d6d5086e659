// SPDX-License-Identifier: MIT
// Integration tests of on_tracer_thread: tracing loops run on the shim's tracer thread, where
// every call runs inline and the blocking waits serve the stops themselves
// (kernel-shim/README.md, "Jobs").

#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>

#include <poll.h>
#include <sys/syscall.h>

#include "api_support.hpp"
#include "support.hpp"

using namespace support;
using api_support::attach_ok;
using ptrace_api::AttachOptions;
using ptrace_api::AttachStop;
using ptrace_api::NonblockTracer;
using ptrace_api::on_tracer_thread;
using ptrace_api::OnClose;
using ptrace_api::Tracer;
namespace events = ptrace_api::events;

namespace {

/// A tracee that runs `args` once its gate opens, frozen (O_TRUNC) before that. Callers name
/// the parts with plain variables: clang 14 cannot capture structured bindings in lambdas.
std::pair<pid_t, Tracer> frozen(Scenario& sc, const std::vector<std::string>& args,
                                OnClose on_close = OnClose::Detach) {
    int gate = -1;
    const pid_t pid = sc.spawn(args, nullptr, &gate);
    REQUIRE(eventually([&] { return at_gate(pid); }));
    Tracer tracer = attach_ok(pid, {AttachStop::StopNow, on_close});
    open_gate(gate);
    return {pid, std::move(tracer)};
}

struct SyscallCounts {
    int pre_getppid = 0;
    int post_getppid = 0;
    int other = 0;
    ptrace_api::Result<ptrace_api::PtraceEvent> last = ptrace_api::PtraceEvent{};
};

/// Traces PRE|POST until the tracee is gone, reading the registers at each stop.
SyscallCounts count_getppid(Tracer& tracer) {
    SyscallCounts counts;
    bool in_getppid = false;
    for (;;) {
        counts.last = tracer.next(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL);
        if (!counts.last) {
            return counts;
        }
        const auto regs = tracer.regs().get_int();
        REQUIRE(regs.has_value());
        const auto meaning = view(*counts.last);
        if (std::holds_alternative<events::PreSyscall>(meaning)) {
            in_getppid = regs->rax == SYS_getppid; // decision 7: rax is the number at PRE
            counts.pre_getppid += in_getppid ? 1 : 0;
        } else if (std::holds_alternative<events::PostSyscall>(meaning)) {
            if (in_getppid) {
                CHECK(regs->rax == static_cast<std::uint64_t>(::getpid())); // its parent: us
                ++counts.post_getppid;
            }
            in_getppid = false;
        } else {
            ++counts.other;
        }
    }
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("on_tracer_thread: a blocking Tracer loop sees every PRE and POST stop (B3-B7, "
              "D1, D2, G1)") {
        Scenario sc;
        auto frozen_tracer = frozen(sc, {"getppid", "300"});
        const pid_t pid = frozen_tracer.first;
        Tracer& tracer = frozen_tracer.second;
        const auto outer = std::this_thread::get_id();
        std::thread::id inner;
        std::thread::id nested;
        const SyscallCounts counts = on_tracer_thread([&] {
            inner = std::this_thread::get_id();
            on_tracer_thread([&] { nested = std::this_thread::get_id(); }); // runs inline
            return count_getppid(tracer);
        });
        CHECK(inner != outer);
        CHECK(nested == inner);
        CHECK(counts.pre_getppid == 300);
        CHECK(counts.post_getppid == 300);
        CHECK(counts.other == 0);
        CHECK_ERRC(counts.last, std::errc::no_such_process); // G1
        CHECK(sc.wait_exit(pid) == 0);                       // G2: reapable at once
    }

    TEST_CASE("on_tracer_thread: returns the function's value and rethrows its exception") {
        CHECK(on_tracer_thread([] { return 42; }) == 42);
        int calls = 0;
        on_tracer_thread([&] { ++calls; });
        CHECK(calls == 1);
        CHECK_THROWS_AS(on_tracer_thread([]() -> int { throw std::runtime_error("from the job"); }),
                        std::runtime_error);
        // The tracer thread survived the exception: it still serves jobs and other calls.
        CHECK(on_tracer_thread([] { return 7; }) == 7);
    }

    TEST_CASE("on_tracer_thread: other threads' calls are served while the job waits") {
        Scenario sc;
        auto frozen_waiting = frozen(sc, {"sleep"});
        const pid_t waiting_pid = frozen_waiting.first;
        Tracer& waiting = frozen_waiting.second;
        std::atomic<bool> job_started{false};
        // job_result is read only after the join; job_done says meanwhile whether it is set
        // (the kill below orders the job's return through the kernel, which is no
        // happens-before edge of the C++ memory model: ThreadSanitizer at -O0 reported it).
        std::atomic<bool> job_done{false};
        std::optional<ptrace_api::Result<ptrace_api::PtraceEvent>> job_result;
        std::thread job([&, &tracer = waiting] {
            job_result = on_tracer_thread([&] {
                job_started = true;
                return tracer.next(PtraceFlags::STOP_EXIT); // blocks until it dies
            });
            job_done = true;
        });
        REQUIRE(eventually([&] { return job_started.load(); }));
        std::this_thread::sleep_for(20ms); // let the job reach its wait
        // Meanwhile this thread attaches another tracee and traces it to its end: every one of
        // these calls is served by the job's wait.
        {
            auto frozen_tracer = frozen(sc, {"getppid", "50"});
            const pid_t pid = frozen_tracer.first;
            Tracer& tracer = frozen_tracer.second;
            const SyscallCounts counts = count_getppid(tracer);
            CHECK(counts.pre_getppid == 50);
            CHECK(counts.post_getppid == 50);
            CHECK_ERRC(counts.last, std::errc::no_such_process);
            CHECK(sc.wait_exit(pid) == 0);
        }
        CHECK_FALSE(job_done.load()); // the job still waits for its tracee
        CHECK(::kill(waiting_pid, SIGTERM) == 0);
        job.join();
        REQUIRE(job_result.has_value());
        REQUIRE(job_result->has_value());
        const auto meaning = view(**job_result);
        const auto* exit = std::get_if<events::Exit>(&meaning);
        REQUIRE(exit != nullptr);
        CHECK(exit->status.signaled());
        CHECK(exit->status.term_signal() == SIGTERM);
        CHECK_ERRC(waiting.next(PtraceFlags{}), std::errc::no_such_process);
        const int status = sc.wait_exit(waiting_pid);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGTERM);
    }

    TEST_CASE("on_tracer_thread: events a job leaves unread poll readable afterwards (C8)") {
        Scenario sc;
        auto frozen_blocking = frozen(sc, {"getppid", "5"});
        const pid_t pid = frozen_blocking.first;
        Tracer& blocking = frozen_blocking.second;
        auto tracer = std::move(blocking).into_nonblocking();
        REQUIRE(tracer.has_value());
        CHECK_FALSE(readable(tracer->native_handle(), 0));
        on_tracer_thread([&] {
            REQUIRE(tracer->next(PtraceFlags::STOP_PRE_SYSCALL).has_value()); // M1: no wait
            REQUIRE(tracer->wait().has_value()); // M2: FLAG_WAIT blocks; the event is unread
        });
        CHECK(readable(tracer->native_handle(), 0));
        const auto ev = tracer->read_event();
        REQUIRE(ev.has_value());
        REQUIRE(ev->has_value());
        CHECK(std::holds_alternative<events::PreSyscall>(view(**ev)));
        CHECK_FALSE(readable(tracer->native_handle(), 0)); // C8: nothing queued any more
        CHECK(std::move(*tracer).close().has_value());     // detaches: it runs to its end
        CHECK(sc.wait_exit(pid) == 0);
    }

    TEST_CASE("on_tracer_thread: attach with StopNow, registers of a running tracee and a "
              "killing close work inside a job (A5, J1, A6)") {
        Scenario sc;
        const pid_t pid = sc.spawn({"spin"});
        REQUIRE(eventually([&] { return in_spin_loop(pid); }));
        on_tracer_thread([&] {
            auto tracer = Tracer::attach(pid, {AttachStop::StopNow, OnClose::Kill});
            REQUIRE(tracer.has_value());
            CHECK(proc_state(pid) == 't'); // A5: frozen when attach returns
            auto running = std::move(*tracer).into_nonblocking();
            REQUIRE(running.has_value());
            REQUIRE(running->next(PtraceFlags::STOP_EXIT).has_value()); // runs on (M1)
            REQUIRE(eventually([&] { return proc_state(pid) == 'R'; }));
            const auto regs = running->regs().get_int(); // J1: stops it briefly
            REQUIRE(regs.has_value());
            CHECK(regs->rip != 0);
            CHECK(std::move(*running).close().has_value()); // A6: kills it
        });
        const int status = sc.wait_exit(pid);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
    }

    TEST_CASE("on_tracer_thread: a tracee killed while the job waits ends the wait with ESRCH "
              "(G1)") {
        Scenario sc;
        auto frozen_tracer = frozen(sc, {"sleep"});
        const pid_t pid = frozen_tracer.first;
        Tracer& tracer = frozen_tracer.second;
        std::thread killer([pid = pid] {
            std::this_thread::sleep_for(100ms);
            (void)::kill(pid, SIGKILL);
        });
        // Its syscalls are reported until it sleeps in pause(2); SIGKILL ends that wait.
        const auto last = on_tracer_thread([&] {
            auto ev = tracer.next(PtraceFlags::STOP_PRE_SYSCALL);
            while (ev) {
                ev = tracer.next(PtraceFlags::STOP_PRE_SYSCALL);
            }
            return ev;
        });
        killer.join();
        CHECK_ERRC(last, std::errc::no_such_process);
        const int status = sc.wait_exit(pid);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
    }

    TEST_CASE("poll inside a job multiplexes nonblocking tracers to their ends (M3, C8)") {
        Scenario sc;
        std::vector<pid_t> pids;
        std::vector<NonblockTracer> tracers;
        for (const char* calls : {"20", "35"}) {
            auto frozen_tracer = frozen(sc, {"getppid", calls});
            const pid_t pid = frozen_tracer.first;
            Tracer& tracer = frozen_tracer.second;
            auto nonblocking = std::move(tracer).into_nonblocking();
            REQUIRE(nonblocking.has_value());
            pids.push_back(pid);
            tracers.push_back(std::move(*nonblocking));
        }
        const auto ops = PtraceFlags::STOP_PRE_SYSCALL;
        std::vector<int> getppid_calls(tracers.size(), 0);
        on_tracer_thread([&] {
            std::vector<bool> alive(tracers.size(), true);
            for (auto& t : tracers) {
                REQUIRE(t.next(ops).has_value());
            }
            while (std::find(alive.begin(), alive.end(), true) != alive.end()) {
                std::vector<pollfd> fds;
                for (std::size_t i = 0; i < tracers.size(); ++i) {
                    fds.push_back(pollfd{alive[i] ? tracers[i].native_handle() : -1, POLLIN, 0});
                }
                const auto n = ptrace_api::poll(fds, -1);
                REQUIRE(n.has_value());
                REQUIRE(*n > 0);
                for (std::size_t i = 0; i < fds.size(); ++i) {
                    if (fds[i].revents == 0) {
                        continue;
                    }
                    CHECK(fds[i].revents == POLLIN);
                    const auto evs = tracers[i].events();
                    REQUIRE(evs.has_value());
                    if (evs->empty()) {
                        alive[i] = false; // readable with nothing queued: it exited (C8)
                        continue;
                    }
                    const auto regs = tracers[i].regs().get_int();
                    REQUIRE(regs.has_value());
                    getppid_calls[i] += regs->rax == SYS_getppid ? 1 : 0;
                    REQUIRE(tracers[i].next(ops).has_value());
                }
            }
        });
        CHECK(getppid_calls[0] == 20);
        CHECK(getppid_calls[1] == 35);
        for (const pid_t pid : pids) {
            CHECK(sc.wait_exit(pid) == 0);
        }
    }

    TEST_CASE("poll inside a job: a timeout returns 0; fds that are not trace handles are "
              "EINVAL") {
        Scenario sc;
        auto frozen_blocking = frozen(sc, {"sleep"});
        const pid_t pid = frozen_blocking.first;
        Tracer& blocking = frozen_blocking.second;
        auto tracer = std::move(blocking).into_nonblocking();
        REQUIRE(tracer.has_value());
        int pipe_fds[2] = {-1, -1};
        REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
        const int regs_fd = sc.open(path(pid, "regs/int"));
        on_tracer_thread([&] {
            // Up to the entry of its pause(2); after that no syscall stop comes.
            REQUIRE(tracer->next(PtraceFlags::STOP_PRE_SYSCALL).has_value());
            REQUIRE(tracer->wait().has_value());
            REQUIRE(tracer->events().value().size() == 1);
            REQUIRE(tracer->next(PtraceFlags::STOP_PRE_SYSCALL).has_value());
            std::vector<pollfd> fds{pollfd{tracer->native_handle(), POLLIN, 0}};
            const auto start = std::chrono::steady_clock::now();
            const auto n = ptrace_api::poll(fds, 100);
            const auto waited = std::chrono::steady_clock::now() - start;
            REQUIRE(n.has_value());
            CHECK(*n == 0);
            CHECK(fds[0].revents == 0);
            CHECK(waited >= 100ms);
            CHECK(waited < 5s);
            std::vector<pollfd> mixed{pollfd{tracer->native_handle(), POLLIN, 0},
                                      pollfd{pipe_fds[0], POLLIN, 0}};
            CHECK_ERRC(ptrace_api::poll(mixed, 0), std::errc::invalid_argument);
            std::vector<pollfd> regs{pollfd{regs_fd, POLLIN, 0}};
            CHECK_ERRC(ptrace_api::poll(regs, 0), std::errc::invalid_argument);
        });
        // Elsewhere it is poll(2): any fd, trace handles included.
        CHECK(::write(pipe_fds[1], "x", 1) == 1);
        std::vector<pollfd> mixed{pollfd{tracer->native_handle(), POLLIN, 0},
                                  pollfd{pipe_fds[0], POLLIN, 0}};
        const auto n = ptrace_api::poll(mixed, 1000);
        REQUIRE(n.has_value());
        CHECK(*n == 1);
        CHECK(mixed[0].revents == 0);
        CHECK(mixed[1].revents == POLLIN);
        (void)::close(pipe_fds[0]);
        (void)::close(pipe_fds[1]);
        CHECK(::kill(pid, SIGKILL) == 0);
        const auto gone = ptrace_api::poll(std::span(mixed).first(1), 5000);
        REQUIRE(gone.has_value());
        CHECK(*gone == 1); // C8: readable once the tracee is gone
        const int status = sc.wait_exit(pid);
        CHECK(WIFSIGNALED(status));
    }
}
