// SPDX-License-Identifier: MIT
// Integration tests for clone events and threads (spec 2.F, decision 10, TID attach).

#include <dirent.h>
#include <sys/syscall.h>

#include "support.hpp"

using namespace support;

namespace {

const auto clone_exit = PtraceFlags::EVENT_CLONE | PtraceFlags::STOP_EXIT;

/// The thread ids of `pid` other than the leader.
std::vector<pid_t> other_threads(pid_t pid) {
    std::vector<pid_t> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return out;
    }
    while (const dirent* e = ::readdir(d)) {
        const int tid = std::atoi(e->d_name);
        if (tid > 0 && tid != pid) {
            out.push_back(tid);
        }
    }
    (void)::closedir(d);
    return out;
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("F1/F2: a fork child is frozen until its event was read and a write follows") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"fork"});
        const pid_t pid = pf.first;
        const int fd = pf.second;
        CHECK(op(fd, clone_exit).value() == 8); // woken by the clone event (B9)
        const PtraceEvent ev = one_event(fd);
        CHECK(cause(ev) == PtraceFlags::EVENT_CLONE.bits());
        const auto child = static_cast<pid_t>(ev.a);
        REQUIRE(child > 0);
        CHECK(child != pid);
        CHECK(eventually([&] { return proc_state(child) == 't'; }));
        CHECK(tracer_pid(child) != 0);
        std::this_thread::sleep_for(30ms);
        CHECK(proc_state(child) == 't'); // still frozen: nothing released it yet
        // F2: this write releases the read child; the parent then reaps it and exits 13.
        const PtraceEvent done = [&] {
            REQUIRE(op(fd, clone_exit).value() == 8);
            return one_event(fd);
        }();
        CHECK(cause(done) == PtraceFlags::STOP_EXIT.bits());
        CHECK(done.a == (13 << 8));
    }

    TEST_CASE("F2/B7: a child whose event is unread stays frozen across writes") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"fork"});
        const int fd = pf.second;
        CHECK(op(fd, clone_exit).value() == 8);
        CHECK(op(fd, clone_exit).value() == 8); // returns at once: the event is unread
        std::this_thread::sleep_for(30ms);
        const PtraceEvent ev = one_event(fd);
        const auto child = static_cast<pid_t>(ev.a);
        CHECK(eventually([&] {
            return proc_state(child) == 't';
        })); // not released: its event was not read at the write
        CHECK(op(fd, clone_exit).value() == 8);
        const PtraceEvent done = one_event(fd);
        CHECK(done.a == (13 << 8));
    }

    TEST_CASE("F3/F5: opening the child's trace adopts it; its first stop is its own request") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"fork"}, O_NONBLOCK);
        const int fd = pf.second;
        CHECK(op(fd, clone_exit | PtraceFlags::FLAG_WAIT).value() == 8);
        const PtraceEvent ev = one_event(fd);
        REQUIRE(cause(ev) == PtraceFlags::EVENT_CLONE.bits());
        const auto child = static_cast<pid_t>(ev.a);
        const int cfd = sc.open_trace(child);
        const int cregs = sc.open(path(child, "regs/int"));
        CHECK(op(fd, clone_exit).value() == 8); // would release the child, but it is adopted
        std::this_thread::sleep_for(30ms);
        CHECK(proc_state(child) == 't');
        // F5: no POST for the clone that created it; the first stop is the child's next PRE.
        const auto first = [&] {
            REQUIRE(
                op(cfd, PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL).value() ==
                8);
            return one_event(cfd);
        }();
        CHECK(cause(first) == PtraceFlags::STOP_PRE_SYSCALL.bits());
        const std::uint64_t nr = int_regs(cregs).rax;
        CHECK(nr != SYS_clone);
        CHECK(nr != SYS_clone3);
        CHECK(op(cfd, PtraceFlags::STOP_EXIT).value() == 8);
        CHECK(one_event(cfd).a == (3 << 8));
        CHECK_ERRC(op_bits(cfd, 0), std::errc::no_such_process);
        CHECK(op(fd, PtraceFlags::FLAG_WAIT).value() == 8);
        CHECK(one_event(fd).a == (13 << 8));
    }

    TEST_CASE("F4: without EVENT_CLONE the child runs untraced") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"fork"});
        const int fd = pf.second;
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        const PtraceEvent done = one_event(fd); // no clone event before it
        CHECK(cause(done) == PtraceFlags::STOP_EXIT.bits());
        CHECK(done.a == (13 << 8));
    }

    TEST_CASE("F1: threads report EVENT_CLONE with the new thread id") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"thread"});
        const pid_t pid = pf.first;
        const int fd = pf.second;
        CHECK(op(fd, clone_exit).value() == 8);
        const PtraceEvent ev = one_event(fd);
        REQUIRE(cause(ev) == PtraceFlags::EVENT_CLONE.bits());
        const auto tid = static_cast<pid_t>(ev.a);
        const auto st = shim::sys::proc_status(tid);
        REQUIRE(st.has_value());
        CHECK(st->tgid == pid); // a thread of the tracee
        CHECK(eventually([&] { return proc_state(tid) == 't'; }));
        CHECK(op(fd, clone_exit).value() == 8);
        CHECK(one_event(fd).a == (15 << 8));
    }

    TEST_CASE("F1/F6: vfork reports EVENT_CLONE; the parent waits for the frozen child") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"vfork"});
        const pid_t pid = pf.first;
        const int fd = pf.second;
        CHECK(op(fd, clone_exit).value() == 8);
        const PtraceEvent ev = one_event(fd);
        REQUIRE(cause(ev) == PtraceFlags::EVENT_CLONE.bits());
        CHECK(eventually([&] { return proc_state(static_cast<pid_t>(ev.a)) == 't'; }));
        // The parent blocks in vfork until the frozen child runs.
        CHECK(eventually([&] { return proc_state(pid) != 'R'; }));
        std::this_thread::sleep_for(30ms);
        CHECK(proc_state(pid) != 'R');
        CHECK(op(fd, clone_exit).value() == 8);
        CHECK(one_event(fd).a == (14 << 8));
    }

    TEST_CASE("Decision 6: an EVENT_CLONE-only write installs a bp and wakes on the event") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"fork"});
        const pid_t pid = pf.first;
        const int fd = pf.second;
        CHECK(op(fd, PtraceFlags::EVENT_CLONE).value() == 8);
        CHECK(cause(one_event(fd)) == PtraceFlags::EVENT_CLONE.bits());
        sc.close(fd);
        CHECK(sc.wait_exit(pid) == (13 << 8));
    }

    TEST_CASE("Decision 10: children whose event was never read are released at close") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"fork"});
        const pid_t pid = pf.first;
        const int fd = pf.second;
        CHECK(op(fd, clone_exit).value() == 8);
        sc.close(fd); // the clone event is still queued, unread
        CHECK(sc.wait_exit(pid) == (13 << 8));
    }

    TEST_CASE("Attach to one thread of a multithreaded process by its TID") {
        Scenario sc;
        const pid_t pid = sc.spawn({"threads"});
        std::vector<pid_t> threads;
        REQUIRE(eventually([&] {
            threads = other_threads(pid);
            return threads.size() == 1;
        }));
        const pid_t tid = threads.front();
        const int fd = sc.open_trace(tid, O_TRUNC);
        const int regs = sc.open(path(tid, "regs/int"));
        CHECK(proc_state(tid) == 't');
        CHECK(eventually([&] { return proc_state(pid) == 'S'; })); // the leader: in pause()
        for (int i = 0; i < 20; ++i) { // past the thread's start-up syscalls, if caught there
            REQUIRE(op(fd, PtraceFlags::STOP_PRE_SYSCALL).value() == 8);
            REQUIRE(events(fd).size() == 1);
            if (int_regs(regs).rax == SYS_getppid) {
                break;
            }
        }
        for (int i = 0; i < 5; ++i) {
            CHECK(op(fd, PtraceFlags::STOP_PRE_SYSCALL).value() == 8);
            CHECK(cause(one_event(fd)) == PtraceFlags::STOP_PRE_SYSCALL.bits());
            CHECK(int_regs(regs).rax == SYS_getppid);
        }
        CHECK(tracer_pid(pid) == 0);
        sc.close(fd);
        CHECK(tracer_pid(tid) == 0);
        CHECK(eventually([&] { return proc_state(tid) == 'R'; }));
    }

} // TEST_SUITE
