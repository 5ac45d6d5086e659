// SPDX-License-Identifier: MIT
// Regression tests of faults and hostile conditions: a stale mem handle never reaches the
// process that got its pid (G1), the program's SIGCHLD handler never runs on the tracer
// thread, fd exhaustion gives the errno it is (not ESRCH, not SIG_DFL), a forked copy of a
// Spawned is inert, reserved MXCSR bits are discarded (J4), register handles of a task Linux
// would refuse are refused at open (A3), a stop stolen by the program's own waitpid is an
// error instead of a hang, and handles closed while in use by another thread.

#include <ptrace/shim/proc.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <atomic>
#include <sstream>

#include <sys/resource.h>
#include <sys/syscall.h>

#include "api_support.hpp"
#include "fd_limit.hpp"
#include "support.hpp"

using namespace support;
using api_support::attach_ok;
using ptrace_api::AttachStop;
using ptrace_api::OnClose;
using ptrace_api::Tracer;

namespace {

/// Exactly `spare` fds free while it lives (tests/support/fd_limit.hpp), or the test stops.
class FdLimit : public test_support::FdLimit {
public:
    explicit FdLimit(int spare) : test_support::FdLimit(spare) { REQUIRE(ok()); }
};

std::atomic<int> g_sigchld_on_tracer{0};
std::atomic<int> g_sigchld_entered{0};
std::atomic<int> g_sigchld_left{0};

void on_sigchld(int) {
    g_sigchld_entered.fetch_add(1);
    if (static_cast<pid_t>(::syscall(SYS_gettid)) == shim::detail::wake_state().tracer_tid.load()) {
        g_sigchld_on_tracer.fetch_add(1);
    }
    g_sigchld_left.fetch_add(1);
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("G1: a mem handle of a reaped process never reads or writes the process that got "
              "its pid") {
        if (::geteuid() != 0) {
            MESSAGE("skipped: forcing pid reuse needs root (a private pid namespace)");
            return;
        }
        Scenario sc;
        int out = -1;
        const pid_t probe = sc.spawn({"pid_reuse"}, &out, nullptr, probe_path());
        const std::string text = read_all(out);
        CHECK(sc.wait_exit(probe) == 0);
        if (text.rfind("skip", 0) == 0) {
            MESSAGE("skipped: " << text);
            return;
        }
        const std::string esrch = std::to_string(ESRCH);
        CHECK(text == "read " + esrch + " leaked 0 write " + esrch + " intact 1\n");
    }

    TEST_CASE("The program's SIGCHLD handler never runs on the tracer thread, and every call "
              "of it returns") {
        struct sigaction sa {};
        struct sigaction old {};
        sa.sa_handler = on_sigchld;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        REQUIRE(::sigaction(SIGCHLD, &sa, &old) == 0);
        g_sigchld_on_tracer = 0;
        g_sigchld_entered = 0;
        g_sigchld_left = 0;
        {
            Scenario sc;
            auto [pid, fd] = sc.spawn_frozen({"getppid", "3000"});
            // Every ptrace-stop sends SIGCHLD to this process: 6000 stops, 6000 chances.
            for (;;) {
                const auto r =
                    op(fd, PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL);
                if (!r) {
                    CHECK(r.error() == std::make_error_code(std::errc::no_such_process));
                    break;
                }
                (void)support::events(fd);
            }
            CHECK(sc.wait_exit(pid) == 0);
        }
        (void)::sigaction(SIGCHLD, &old, nullptr);
        CHECK(g_sigchld_entered.load() > 0);
        CHECK(g_sigchld_on_tracer.load() == 0);
        CHECK(g_sigchld_entered.load() == g_sigchld_left.load());
        sigset_t now;
        REQUIRE(::pthread_sigmask(SIG_BLOCK, nullptr, &now) == 0);
        CHECK(sigismember(&now, SIGCHLD) == 0); // not left blocked on this thread
    }

    TEST_CASE("fd exhaustion: open says EMFILE (not ESRCH) and never opens without its pidfd; a "
              "caught signal whose handler cannot be learnt is not reported as SIG_DFL") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        {
            FdLimit limit(0);
            CHECK_ERRC(shim::open(path(pid, "trace"), 0), std::errc::too_many_files_open);
            CHECK_ERRC(shim::open(path(pid, "regs/int"), 0), std::errc::too_many_files_open);
            CHECK_ERRC(shim::open(path(pid, "mem"), 0), std::errc::too_many_files_open);
        }
        {
            FdLimit limit(1); // room for the handle's fd, not for its pidfd
            CHECK_ERRC(shim::open(path(pid, "trace"), 0), std::errc::too_many_files_open);
            CHECK_ERRC(shim::open(path(pid, "mem"), 0), std::errc::too_many_files_open);
        }
        CHECK(tracer_pid(pid) == 0); // no session was left behind

        // A caught signal at a moment the tracer thread cannot read /proc.
        auto [victim, fd] = sc.spawn_frozen({"raise", std::to_string(SIGUSR1), "handler"});
        REQUIRE(op(fd, PtraceFlags::STOP_PRE_SYSCALL).has_value()); // the marker getppid
        (void)support::events(fd);
        {
            FdLimit limit(0);
            REQUIRE(op(fd, PtraceFlags::STOP_SIGNAL).has_value());
        }
        const PtraceEvent ev = one_event(fd);
        CHECK(cause(ev) == PtraceFlags::STOP_SIGNAL.bits());
        CHECK(ev.a == static_cast<std::uint64_t>(SIGUSR1));
        CHECK(ev.b == shim::caught_handler_unknown);
        CHECK_ERRC(op(fd, PtraceFlags{}), std::errc::no_such_process);
        CHECK(sc.wait_exit(victim) == 0); // the handler ran: the signal was delivered
    }

    TEST_CASE("A forked copy of a Spawned is inert: destroying it there kills nothing") {
        auto spawned = ptrace_api::spawn({tracee_path(), {"sleep"}, {}, {}});
        REQUIRE(spawned.has_value());
        const pid_t program = spawned->child.pid();
        auto copy = std::make_unique<ptrace_api::Spawned>(std::move(*spawned));
        const pid_t forked = ::fork();
        REQUIRE(forked >= 0);
        if (forked == 0) {
            copy.reset(); // the copy's Tracer and Child are destroyed here
            ::_exit(0);
        }
        int status = 0;
        REQUIRE(::waitpid(forked, &status, 0) == forked);
        CHECK(WIFEXITED(status));
        std::this_thread::sleep_for(50ms);
        CHECK(::kill(program, 0) == 0);
        CHECK(proc_state(program) != 'Z');
        copy.reset(); // here it kills and reaps the program
        CHECK(::kill(program, 0) != 0);
    }

    TEST_CASE("J4: a regs/float write discards reserved MXCSR bits and keeps mxcsr_mask") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        auto f = tracer.regs().get_float();
        REQUIRE(f.has_value());
        const std::uint32_t mask = f->mxcsr_mask != 0 ? f->mxcsr_mask : 0xffbfU;
        ptrace_api::FloatRegisters want = *f;
        want.mxcsr = 0x1f80U | 0x6000U | ~mask; // round toward zero, plus every reserved bit
        want.mxcsr_mask = 0;                    // read-only: ignored
        CHECK(tracer.regs().set_float(want).has_value());
        const auto back = tracer.regs().get_float();
        REQUIRE(back.has_value());
        CHECK(back->mxcsr == ((0x1f80U | 0x6000U) & mask));
        CHECK(back->mxcsr_mask == f->mxcsr_mask);
    }

    TEST_CASE("A3: register handles of a task that Linux would not let us trace are EPERM at "
              "open") {
        if (::geteuid() != 0) {
            MESSAGE("skipped: the probe drops from root to uid 65534");
            return;
        }
        Scenario sc;
        int out = -1;
        const pid_t probe = sc.spawn({"nobody_undumpable"}, &out, nullptr, probe_path());
        const std::string text = read_all(out);
        CHECK(sc.wait_exit(probe) == 0);
        const std::string eperm = std::to_string(EPERM);
        CHECK(text == "trace " + eperm + "\nregs/int " + eperm + "\nregs/float " + eperm +
                          "\nmem " + eperm + "\n");
    }

    TEST_CASE("A stop taken by the program's own waitpid is an error (ECHILD), not a hang; the "
              "handle still closes") {
        Scenario sc;
        auto [pid, fd] = sc.spawn_frozen({"getppid", "-1"});
        REQUIRE(shim::fcntl(fd, F_SETFL, O_NONBLOCK).has_value());
        // Another thread of this process waits for the tracee, as a careless SIGCHLD handler
        // with waitpid(-1) would: Linux hands it the tracee's next ptrace-stop. To make sure
        // it gets it, the tracer thread is kept busy meanwhile: a job resumes the tracee and
        // then does nothing for a while.
        std::atomic<bool> stolen{false};
        std::thread thief([&, pid = pid] {
            int status = 0;
            if (::waitpid(pid, &status, __WALL) == pid && WIFSTOPPED(status)) {
                stolen = true;
            }
        });
        auto job = [&, fd = fd] {
            REQUIRE(op(fd, PtraceFlags::STOP_PRE_SYSCALL).has_value()); // resumes, no wait
            std::this_thread::sleep_for(300ms);
        };
        REQUIRE(shim::run_on_tracer_thread(job).has_value());
        thief.join();
        REQUIRE(stolen.load());
        // The breakpoint's stop went to the thief: a blocking wait for it must not hang.
        const auto start = std::chrono::steady_clock::now();
        CHECK_ERRC(op(fd, PtraceFlags::FLAG_WAIT), std::errc::no_child_process);
        CHECK(std::chrono::steady_clock::now() - start < 5s);
        // The tracer thread took the stop over: the handle resumes and closes as usual.
        REQUIRE(shim::fcntl(fd, F_SETFL, 0).has_value());
        CHECK(op(fd, PtraceFlags::STOP_PRE_SYSCALL).has_value());
        CHECK(cause(one_event(fd)) == PtraceFlags::STOP_PRE_SYSCALL.bits());
        sc.close(fd);
        CHECK(eventually([&, pid = pid] { return tracer_pid(pid) == 0; }));
    }

    TEST_CASE("A handle closed by one thread while another uses it: each call succeeds or says "
              "EBADF, nothing else") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int trace = sc.open_trace(pid, O_TRUNC);
        (void)trace;
        // Under ThreadSanitizer every wake-up of the tracer thread is slow: fewer rounds.
        const int rounds = ptrace_api::shim::detail::thread_sanitizer ? 10 : 100;
        for (int round = 0; round < rounds; ++round) {
            const auto regs = shim::open(path(pid, "regs/int"), 0);
            const auto mem = shim::open(path(pid, "mem"), 0);
            REQUIRE_MESSAGE(regs.has_value(), regs.error().message());
            REQUIRE_MESSAGE(mem.has_value(), mem.error().message());
            std::atomic<int> odd{0};
            std::atomic<int> odd_errno{0}; // the last unexpected error, for the report
            std::thread user([&] {
                std::array<std::byte, sizeof(IntRegisters)> buf{};
                for (int i = 0; i < 50; ++i) {
                    for (const int fd : {*regs, *mem}) {
                        const auto n = shim::read(fd, buf);
                        if (!n &&
                            n.error() != std::make_error_code(std::errc::bad_file_descriptor) &&
                            n.error() != std::make_error_code(std::errc::bad_address)) {
                            odd.fetch_add(1);
                            odd_errno.store(n.error().value());
                        }
                    }
                }
            });
            std::this_thread::sleep_for(std::chrono::microseconds(round * 10));
            CHECK(shim::close(*regs).has_value());
            CHECK(shim::close(*mem).has_value());
            user.join();
            CAPTURE(std::string(std::strerror(odd_errno.load())));
            CHECK(odd.load() == 0);
        }
    }

} // TEST_SUITE
