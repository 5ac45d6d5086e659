// SPDX-License-Identifier: MIT
// Syscall-filtered stops (issue 12) on real tracees (tests/targets/syscall_sets.cpp): the
// same scenario run on the kernel path (spawn() with a set: a seccomp filter in the tracee)
// and on the shim path (the set written after a spawn without one: PTRACE_SYSCALL filtered by
// the shim) gives the same events, one by one (spec D1, D2, E1, F1, F3, decision 17, decision
// 18/H6, D7). Then changing the set while tracing, both ways.

#include <ptrace/spawn.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/tracer.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <sys/syscall.h>

#include "api_support.hpp"
#include "skip_result.hpp"
#include "support.hpp"

using namespace support;
using ptrace_api::Command;
using ptrace_api::spawn;
using ptrace_api::Spawned;
using ptrace_api::SyscallFilterPath;
using ptrace_api::SyscallSet;
using ptrace_api::Tracer;

namespace {

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) {
        out += "[" + s + "] ";
    }
    return out;
}

} // namespace

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
    static String convert(const std::vector<std::string>& v) { return joined(v).c_str(); }
};
} // namespace doctest

namespace {

std::string sets_path() {
    return targets_dir() + "/syscall_sets";
}

enum class Path { Kernel, Shim };

/// One event as the comparison sees it: what is the same on both paths and in every run
/// (pids, addresses and the results of getpid-like calls are not).
std::string describe(Tracer& tracer, const PtraceEvent& ev) {
    const std::uint64_t cause = ev.cause.bits();
    if (cause == PtraceFlags::STOP_PRE_SYSCALL.bits() ||
        cause == PtraceFlags::STOP_POST_SYSCALL.bits()) {
        const auto regs = tracer.regs().get_int();
        REQUIRE(regs.has_value());
        const auto rax = static_cast<std::int64_t>(regs->rax);
        if (cause == PtraceFlags::STOP_PRE_SYSCALL.bits()) {
            return "PRE " + std::to_string(rax); // decision 7: rax is the number
        }
        return "POST " + (rax < 0 || rax == test_support::skipped_result ? std::to_string(rax)
                                                                         : std::string("ok"));
    }
    if (cause == PtraceFlags::STOP_SIGNAL.bits()) {
        // b: 0, 1, or a handler (its address, or the sentinel where the D5 probe is skipped:
        // a tracee with a seccomp filter is never probed, kernel-shim/README.md).
        return "SIGNAL " + std::to_string(ev.a) +
               (ev.b > 1 ? std::string(" caught") : " " + std::to_string(ev.b));
    }
    if (cause == PtraceFlags::STOP_EXIT.bits()) {
        return "EXIT " + std::to_string(ev.a);
    }
    if (cause == PtraceFlags::EVENT_CLONE.bits()) {
        return "CLONE";
    }
    return "cause " + std::to_string(cause);
}

/// What a scenario does at a breakpoint: the flags of the next write (may edit registers).
using Decide = std::function<PtraceFlags(Tracer&, const PtraceEvent&, PtraceFlags)>;

PtraceFlags keep(Tracer&, const PtraceEvent&, PtraceFlags bp) {
    return bp;
}

/// Drives `tracer` with `bp` until the tracee is gone, logging every event. EVENT_CLONE
/// children are adopted (F3) and traced to their end at once, into `children`.
void drive(Tracer& tracer, PtraceFlags bp, std::vector<std::string>& log,
           std::vector<std::string>* children = nullptr, const Decide& decide = keep) {
    PtraceFlags op = bp;
    for (int round = 0; round < 200; ++round) {
        auto handler = tracer.next_event(op);
        if (!handler) {
            CHECK(handler.error() == std::errc::no_such_process);
            const auto rest = tracer.events();
            REQUIRE(rest.has_value());
            for (const PtraceEvent& ev : *rest) {
                log.push_back(describe(tracer, ev));
            }
            return;
        }
        std::optional<PtraceEvent> reached;
        for (;;) {
            for (const PtraceEvent& ev : handler->events()) {
                if (ev.cause == PtraceFlags::EVENT_CLONE) {
                    log.push_back(describe(tracer, ev));
                    REQUIRE(children != nullptr);
                    // F3: adopt the frozen child; its stops follow the set it inherited.
                    auto child = Tracer::attach(static_cast<pid_t>(ev.a));
                    REQUIRE_MESSAGE(child.has_value(), child.error().message());
                    drive(*child, bp & ~PtraceFlags::EVENT_CLONE, *children);
                    (void)std::move(*child).close();
                } else if (is_breakpoint(ev) && !reached) {
                    reached = ev;
                    log.push_back(describe(tracer, ev));
                }
            }
            if (reached) {
                break;
            }
            if (auto r = handler->retry(); !r) {
                for (const PtraceEvent& ev : handler->events()) {
                    log.push_back(describe(tracer, ev));
                }
                CHECK(r.error() == std::errc::no_such_process);
                return;
            }
        }
        op = decide(tracer, *reached, bp);
    }
    FAIL("the scenario did not end");
}

/// Spawns `cmd` with `set` on `path`: compiled into the child's seccomp filter (Kernel), or
/// written to the tracer after the spawn (Shim). `dog` watches the child.
Spawned spawn_on(Path path, Command cmd, const SyscallSet& set, api_support::Watchdog& dog) {
    if (path == Path::Kernel) {
        cmd.syscalls = set;
    }
    auto s = spawn(cmd);
    REQUIRE_MESSAGE(s.has_value(), s.error().message());
    dog.watch(s->child.pid());
    if (path == Path::Shim) {
        REQUIRE(s->tracer.set_syscalls(set).has_value());
    }
    return std::move(*s);
}

struct FilteredRun {
    std::vector<std::string> events;
    std::vector<std::string> children;
    int status = -1;
};

/// Runs `args` of syscall_sets with `set` on `path` and returns what the tracer saw.
FilteredRun run(Path path, const std::vector<std::string>& args, const SyscallSet& set,
                PtraceFlags bp, const Decide& decide = keep) {
    api_support::Watchdog dog;
    Spawned s = spawn_on(path, Command{sets_path(), args, {}, {}}, set, dog);
    auto& [child, tracer] = s;
    const auto state = tracer.syscall_filter();
    REQUIRE(state.has_value());
    CHECK(state->install_error == 0);
    CHECK(state->path ==
          (path == Path::Kernel ? SyscallFilterPath::Kernel : SyscallFilterPath::Shim));
    CHECK(tracer.syscalls().value() == set);
    FilteredRun out;
    drive(tracer, bp, out.events, &out.children, decide);
    const auto status = child.wait();
    REQUIRE(status.has_value());
    out.status = static_cast<int>(status->raw);
    return out;
}

/// The scenario on both paths: the same events, one by one, and the same end.
FilteredRun both(const std::vector<std::string>& args, const SyscallSet& set, PtraceFlags bp,
                 const Decide& decide = keep) {
    const FilteredRun kernel = run(Path::Kernel, args, set, bp, decide);
    const FilteredRun shimmed = run(Path::Shim, args, set, bp, decide);
    CHECK(kernel.events == shimmed.events);
    CHECK(kernel.children == shimmed.children);
    CHECK(kernel.status == shimmed.status);
    return kernel;
}

std::string pre(long nr) {
    return "PRE " + std::to_string(nr);
}

const PtraceFlags all_stops = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL |
                              PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT;

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Issue 12 D1/D2/D7: syscalls in and out of the set, -1 and an unknown number: the "
              "same events on the kernel and the shim path") {
        const FilteredRun r =
            both({"plain"}, SyscallSet{SYS_getppid, SYS_gettid, SYS_exit_group}, all_stops);
        // getpid, getuid and 600 pass silently; -1 (x32 bit) always stops.
        CHECK(r.events == std::vector<std::string>{pre(SYS_getppid), "POST ok", pre(SYS_gettid),
                                                   "POST ok", pre(SYS_getppid), "POST ok", "PRE -1",
                                                   "POST -38", pre(SYS_exit_group), "EXIT 1280"});
        CHECK(r.status == (5 << 8));
    }

    TEST_CASE("Issue 12 D3: PRE alone and POST alone, on both paths") {
        const SyscallSet set{SYS_getppid, SYS_exit_group};
        const FilteredRun pres = both({"plain"}, set, PtraceFlags::STOP_PRE_SYSCALL);
        CHECK(pres.events == std::vector<std::string>{pre(SYS_getppid), pre(SYS_getppid), "PRE -1",
                                                      pre(SYS_exit_group)});
        const FilteredRun posts = both({"plain"}, set, PtraceFlags::STOP_POST_SYSCALL);
        CHECK(posts.events == std::vector<std::string>{"POST ok", "POST ok", "POST -38"});
    }

    TEST_CASE("Issue 12 E1/E6: IGNORE at a PRE of the set skips the syscall on both paths") {
        // The tracee's getppid is skipped with rax = skipped_result (tracee.cpp skip_getppid:
        // exit 20).
        const Decide skip = [](Tracer& t, const PtraceEvent& ev, PtraceFlags bp) {
            if (ev.cause == PtraceFlags::STOP_PRE_SYSCALL) {
                auto regs = t.regs().get_int().value();
                if (regs.rax == SYS_getppid) {
                    regs.rax = static_cast<std::uint64_t>(test_support::skipped_result);
                    REQUIRE(t.regs().set_int(regs).has_value());
                    return bp | PtraceFlags::FLAG_IGNORE;
                }
            }
            return bp;
        };
        // Through the tracee program of the other tests: its getppid is the last syscall.
        const SyscallSet set{SYS_getppid, SYS_exit_group};
        FilteredRun k;
        FilteredRun s;
        for (const Path path : {Path::Kernel, Path::Shim}) {
            api_support::Watchdog dog;
            Spawned sp = spawn_on(path, Command{tracee_path(), {"skip_getppid"}, {}, {}}, set, dog);
            auto& [child, tracer] = sp;
            FilteredRun& out = path == Path::Kernel ? k : s;
            drive(tracer, all_stops, out.events, nullptr, skip);
            out.status = static_cast<int>(child.wait().value().raw);
        }
        CHECK(k.events == s.events);
        CHECK(k.events ==
              std::vector<std::string>{pre(SYS_getppid),
                                       "POST " + std::to_string(test_support::skipped_result),
                                       pre(SYS_exit_group), "EXIT 5120"});
        CHECK(k.status == (20 << 8));
        CHECK(s.status == (20 << 8));
    }

    TEST_CASE("Issue 12 F1/F3: a fork child inherits the set (and the filter): the same events "
              "for parent and child on both paths") {
        const FilteredRun r = both(
            {"fork"}, SyscallSet{SYS_getppid, SYS_gettid, SYS_exit_group, SYS_clone, SYS_wait4},
            all_stops | PtraceFlags::EVENT_CLONE);
        CHECK(r.events == std::vector<std::string>{pre(SYS_clone), "CLONE", "POST ok",
                                                   pre(SYS_getppid), "POST ok", pre(SYS_wait4),
                                                   "POST ok", pre(SYS_exit_group), "EXIT 1024"});
        CHECK(r.children == std::vector<std::string>{pre(SYS_getppid), "POST ok", pre(SYS_gettid),
                                                     "POST ok", pre(SYS_exit_group), "EXIT 768"});
        CHECK(r.status == (4 << 8));
    }

    TEST_CASE("Issue 12 F1/F3: clone outside the set: its event, no PRE or POST of its own, on "
              "both paths") {
        const FilteredRun r = both({"fork"}, SyscallSet{SYS_getppid, SYS_gettid, SYS_exit_group},
                                   all_stops | PtraceFlags::EVENT_CLONE);
        CHECK(r.events == std::vector<std::string>{"CLONE", pre(SYS_getppid), "POST ok",
                                                   pre(SYS_exit_group), "EXIT 1024"});
        CHECK(r.children == std::vector<std::string>{pre(SYS_getppid), "POST ok", pre(SYS_gettid),
                                                     "POST ok", pre(SYS_exit_group), "EXIT 768"});
    }

    TEST_CASE("Issue 12 F4/decision 21: a child nobody follows inherits the filter; it stays "
              "traced silently and its syscalls run (no ENOSYS)") {
        // Without EVENT_CLONE the child runs untraced as far as the tracer sees (F4); had it
        // been let go, its exit_group(3) would fail with ENOSYS and the parent exit 7.
        const FilteredRun r = both(
            {"fork"}, SyscallSet{SYS_getppid, SYS_gettid, SYS_exit_group, SYS_clone, SYS_wait4},
            all_stops);
        CHECK(r.events == std::vector<std::string>{pre(SYS_clone), "POST ok", pre(SYS_getppid),
                                                   "POST ok", pre(SYS_wait4), "POST ok",
                                                   pre(SYS_exit_group), "EXIT 1024"});
        CHECK(r.children.empty());
        CHECK(r.status == (4 << 8));
    }

    TEST_CASE("Issue 12 I1/decision 21: closing with OnClose::Detach lets a filtered tracee run "
              "on to its end, its set's syscalls working") {
        api_support::Watchdog dog;
        Command cmd{sets_path(), {"loop", "50"}, {}, {}};
        cmd.syscalls = SyscallSet{SYS_getppid, SYS_exit_group};
        auto sp = spawn(cmd, ptrace_api::OnClose::Detach);
        REQUIRE_MESSAGE(sp.has_value(), sp.error().message());
        auto& [child, tracer] = *sp;
        dog.watch(child.pid());
        const auto ev = tracer.next(PtraceFlags::STOP_PRE_SYSCALL);
        REQUIRE(ev.has_value());
        CHECK(tracer.regs().get_int().value().rax == SYS_getppid);
        REQUIRE(std::move(tracer).detach().has_value());
        CHECK(child.wait().value().raw == (9 << 8)); // exit_group(9) ran: not ENOSYS
    }

    TEST_CASE("Issue 12 decision 17: exec keeps the set (and the filter), no POST for execve") {
        const FilteredRun r =
            both({"exec", sets_path()},
                 SyscallSet{SYS_getppid, SYS_execve, SYS_gettid, SYS_exit_group}, all_stops);
        CHECK(r.events == std::vector<std::string>{pre(SYS_getppid), "POST ok", pre(SYS_execve),
                                                   pre(SYS_getppid), "POST ok", pre(SYS_gettid),
                                                   "POST ok", pre(SYS_getppid), "POST ok", "PRE -1",
                                                   "POST -38", pre(SYS_exit_group), "EXIT 1280"});
    }

    TEST_CASE("Issue 12 decision 18/H6: a signal interrupting a read of the set: PRE once, "
              "no -ERESTART POST, the handler's syscalls, then the read's POST") {
        const FilteredRun r = both(
            {"restart"}, SyscallSet{SYS_read, SYS_write, SYS_getppid, SYS_exit_group}, all_stops);
        // From the marker on (the dynamic loader reads its libraries with read(2) first).
        const auto marker = std::find(r.events.begin(), r.events.end(), pre(SYS_getppid));
        REQUIRE(marker != r.events.end());
        CHECK(std::vector<std::string>(marker, r.events.end()) ==
              std::vector<std::string>{pre(SYS_getppid), "POST ok", pre(SYS_read),
                                       "SIGNAL 14 caught", pre(SYS_write), "POST ok", "POST ok",
                                       pre(SYS_exit_group), "EXIT 7680"});
        CHECK(r.status == (30 << 8));
    }

    TEST_CASE("Issue 12: narrowing then widening the set at a stop, on both paths: the same "
              "events; the kernel path stays while the filter covers the set") {
        // loop 3: getppid, gettid, getuid three times, then exit_group(9). Narrowed to
        // {gettid, exit_group} at the first PRE (getppid's POST is still reported: its entry
        // stopped), widened to {gettid, getuid, exit_group} at the second gettid PRE.
        const SyscallSet initial{SYS_getppid, SYS_gettid, SYS_exit_group};
        const SyscallSet narrow{SYS_gettid, SYS_exit_group};
        const SyscallSet wide{SYS_gettid, SYS_getuid, SYS_exit_group};
        std::vector<std::string> logs[2];
        for (const Path path : {Path::Kernel, Path::Shim}) {
            api_support::Watchdog dog;
            Spawned sp = spawn_on(path, Command{sets_path(), {"loop", "3"}, {}, {}}, initial, dog);
            auto& [child, tracer] = sp;
            const SyscallFilterPath first =
                path == Path::Kernel ? SyscallFilterPath::Kernel : SyscallFilterPath::Shim;
            int gettids = 0;
            bool narrowed = false;
            const Decide change = [&](Tracer& t, const PtraceEvent& ev, PtraceFlags bp) {
                if (ev.cause != PtraceFlags::STOP_PRE_SYSCALL) {
                    return bp;
                }
                const auto nr = t.regs().get_int().value().rax;
                if (nr == SYS_getppid && !narrowed) {
                    narrowed = true;
                    REQUIRE(t.set_syscalls(narrow).has_value());
                    CHECK(t.syscall_filter().value().path == first); // inside the filter
                } else if (nr == SYS_gettid && ++gettids == 2) {
                    REQUIRE(t.set_syscalls(wide).has_value());
                    // getuid is not in the filter: the shim takes over (PTRACE_SYSCALL).
                    CHECK(t.syscall_filter().value().path == SyscallFilterPath::Shim);
                }
                return bp;
            };
            auto& log = logs[path == Path::Kernel ? 0 : 1];
            drive(tracer, all_stops, log, nullptr, change);
            CHECK(child.wait().value().raw == (9 << 8));
        }
        CHECK(logs[0] == logs[1]);
        CHECK(logs[0] == std::vector<std::string>{pre(SYS_getppid), "POST ok", pre(SYS_gettid),
                                                  "POST ok", pre(SYS_gettid), "POST ok",
                                                  pre(SYS_getuid), "POST ok", pre(SYS_gettid),
                                                  "POST ok", pre(SYS_getuid), "POST ok",
                                                  pre(SYS_exit_group), "EXIT 2304"});
    }

    TEST_CASE("Issue 12: where the filter cannot be installed, the shim applies the set and "
              "says why") {
        // shim_probe refuses seccomp(2) to itself and its children (EPERM), then spawns
        // syscall_sets plain with {getppid, gettid, exit_group}: the same PREs as the kernel
        // path gives (the first test), on the shim path.
        Scenario sc;
        int out = -1;
        const pid_t probe =
            sc.spawn({"filter_refused", sets_path(), "plain"}, &out, nullptr, probe_path());
        CHECK(read_all(out) == "path 2 error 1\nPRE 110\nPRE 186\nPRE 110\nPRE -1\nPRE 231\n"
                               "status 1280\n");
        CHECK(sc.wait_exit(probe) == 0);
    }

    TEST_CASE("Issue 12: a set on a tracee without a filter (spawned without one) "
              "is applied by the shim; "
              "bad sizes are EINVAL") {
        api_support::Watchdog dog;
        auto sp = spawn({sets_path(), {"loop", "2"}, {}, {}});
        REQUIRE_MESSAGE(sp.has_value(), sp.error().message());
        auto& [child, tracer] = *sp;
        dog.watch(child.pid());
        CHECK(tracer.syscall_filter().value().path == SyscallFilterPath::None);
        CHECK(tracer.syscalls().value().empty());
        REQUIRE(tracer.set_syscalls(SyscallSet{SYS_gettid}).has_value());
        CHECK(tracer.syscall_filter().value() ==
              ptrace_api::SyscallFilterState{SyscallFilterPath::Shim, 0});
        // The handle itself: 64 bytes or EINVAL.
        const auto fd = shim::open("proc:" + std::to_string(child.pid()) + "/syscalls", 0);
        REQUIRE(fd.has_value());
        std::array<std::byte, 65> buf{};
        CHECK_ERRC(shim::write(*fd, std::span(buf)), std::errc::invalid_argument);
        CHECK_ERRC(shim::write(*fd, std::span(buf).first(8)), std::errc::invalid_argument);
        CHECK(shim::read(*fd, std::span(buf)).value() == 64);
        CHECK(SyscallSet::from_bytes(std::span(buf).first(64)).value() == SyscallSet{SYS_gettid});
        CHECK(shim::fpath(*fd).value() == "proc:" + std::to_string(child.pid()) + "/syscalls");
        REQUIRE(shim::close(*fd).has_value());
        std::vector<std::string> log;
        drive(tracer, PtraceFlags::STOP_PRE_SYSCALL, log);
        CHECK(log == std::vector<std::string>{pre(SYS_gettid), pre(SYS_gettid)});
        CHECK(child.wait().value().raw == (9 << 8));
    }

} // TEST_SUITE
