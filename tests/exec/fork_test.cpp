// SPDX-License-Identifier: MIT
// The exec matrix, vfork rows: the child of vfork() (case 3) or of posix_spawn() (case 4,
// glibc's clone(CLONE_VM|CLONE_VFORK)) execs while it shares its parent's address space. The
// tracer adopts the child from its parent's EVENT_CLONE (F1-F3), opens a Memory for it before
// its exec and uses it after: spec 3.K K4 says why EOF on the old /proc/<pid>/mem fd is not
// enough (before the exec that fd is the parent's address space, which lives on).

#include "exec_support.hpp"

using namespace exec_test;

namespace {

enum class Fork : std::uint8_t { Vfork, PosixSpawn };

struct ForkRow {
    Fork how;
    Image image;
    const char* tag;
};

void fork_exec(const ForkRow& row) {
    CaseWatchdog dog;
    const std::string tgt = canonical(target(row.image));
    const std::string old = canonical(exec_tracee());
    const std::string marker = marker_path(row.tag);
    const int code = 5;
    auto spawned = ptrace_api::spawn(
        {exec_tracee(),
         {row.how == Fork::Vfork ? "vfork" : "posix_spawn", tgt, marker, std::to_string(code)},
         {},
         {}});
    REQUIRE_MESSAGE(spawned.has_value(), spawned.error().message());
    Child& child = spawned->child;
    Tracer& parent = spawned->tracer;
    const pid_t pid = child.pid();
    dog.watch(pid);

    // F1: the parent's clone wakes the wait (B7); the child is frozen before its first
    // instruction, and the parent waits in its vfork for it (F6).
    auto woke = parent.next_event(PtraceFlags::EVENT_CLONE | PtraceFlags::STOP_EXIT);
    REQUIRE_MESSAGE(woke.has_value(), woke.error().message());
    const std::vector<PtraceEvent> clone_events(woke->begin(), woke->end());
    REQUIRE_MESSAGE((clone_events.size() == 1 && is(clone_events[0], PtraceFlags::EVENT_CLONE)),
                    describe(clone_events));
    const auto c = static_cast<pid_t>(clone_events[0].a);
    dog.watch(c);
    const auto st = shim::sys::proc_status(c);
    REQUIRE(st.has_value());
    CHECK(st->tgid == c); // a process of its own, not a thread
    CHECK(st->ppid == pid);
    CHECK(support::eventually([&] { return support::proc_state(c) == 't'; }));

    // F3: adopt it; open a Memory for it while it still shares its parent's address space.
    Tracer ct = attach(c);
    CHECK(ct.pid() == c);
    auto early = Memory::open(c);
    REQUIRE_MESSAGE(early.has_value(), early.error().message());
    const auto at_start = ct.regs().get_int();
    REQUIRE(at_start.has_value());
    CHECK(early->read_value<std::uint64_t>(at_start->rsp).has_value());

    (void)run_to_execve(ct, tgt);
    const ExecExpect x{c, tgt, old, {&*early}};
    const auto ev = ct.next(all_stops);
    REQUIRE_MESSAGE(ev.has_value(), "no stop after the execve: ", ev.error().message());
    std::vector<PtraceEvent> events{*ev};
    const auto more = ct.events();
    REQUIRE(more.has_value());
    events.insert(events.end(), more->begin(), more->end());
    expect_first_stop_after_exec(ct, events, x);
    CHECK(exe_of(pid) == old); // the parent is still the old program

    // Every path the new program passes to the kernel reads right, through both handles.
    const Followed f = follow_to_exit(ct, events.front(), marker, x);
    INFO("new program's stops: ", f.trail);
    REQUIRE(f.exit.has_value());
    CHECK(f.exit->exit_code() == code);

    // The parent got its child's status and exits with 100 + code: EXIT, then ESRCH.
    REQUIRE_MESSAGE(woke->retry().has_value(), "the parent never reached its EXIT");
    const std::vector<PtraceEvent> parent_events(woke->begin(), woke->end());
    const std::vector<PtraceEvent> want{
        PtraceEvent::of(PtraceFlags::STOP_EXIT, static_cast<std::uint64_t>(100 + code) << 8)};
    CHECK_MESSAGE(parent_events == want, "the parent read ", describe(parent_events));
    CHECK_ERRC(parent.next(PtraceFlags{}), std::errc::no_such_process);
    expect_exit_code(child, 100 + code);
    expect_nothing_left({pid, c});
}

} // namespace

TEST_SUITE("exec") {

    TEST_CASE("3: vfork child exec (adopted) - dynamic program") {
        fork_exec({Fork::Vfork, Image::Dynamic, "3-vfork-dynamic"});
    }

    TEST_CASE("3: vfork child exec (adopted) - static program") {
        fork_exec({Fork::Vfork, Image::Static, "3-vfork-static"});
    }

    TEST_CASE("4: posix_spawn child exec (adopted)") {
        fork_exec({Fork::PosixSpawn, Image::Dynamic, "4-posix-spawn"});
    }

} // TEST_SUITE
