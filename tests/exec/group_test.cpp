// SPDX-License-Identifier: MIT
// The exec matrix, multithreaded rows: an execve while other threads of the process block in
// pause() and in a futex wait, from the leader (case 1) or from another thread (case 2), with
// and without sessions for the other threads, and while one of them is held at a SIGNAL stop
// (case 8).
//
// Linux ends every other thread of the group at the exec (each traced one stops at its
// PTRACE_EVENT_EXIT with status 0 first, and the exec waits for those stops to be left); an
// exec'ing non-leader takes the leader's TID. The sessions are expected to follow
// (kernel-shim/README.md, "Exec from a non-leader thread"): the exec'ing thread's session goes
// on with the new program under the leader's TID (Tracer::pid(), shim::fpath, its register
// and memory handles), every other thread's session reports EXIT (status 0) if asked for and
// then ESRCH, and the program's wait status is the new program's.

#include <list>

#include "exec_support.hpp"

using namespace exec_test;

namespace {

enum class Execer : std::uint8_t { Leader, Thread };

/// What the thread A (in pause()) is doing when the exec starts.
enum class Hold : std::uint8_t {
    None,           ///< nothing: it sleeps in pause()
    SignalThenExit, ///< held at a SIGNAL stop (SIGUSR1) under the bp SIGNAL|EXIT
    SignalOnly,     ///< held at a SIGNAL stop (SIGUSR1) under the bp SIGNAL
};

struct GroupRow {
    Execer execer;
    bool trace_leader;   ///< (Execer::Thread) the leader has a session of its own
    bool trace_siblings; ///< A (pause) and B (futex) have sessions of their own
    Hold hold;
    const char* tag;
    bool trace_execer = true; ///< the exec'ing thread has a session (else nobody follows it)
};

const auto signal_exit = PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT;

/// The session of a thread that does not exec: nonblocking, waiting for SIGNAL|EXIT.
struct Watcher {
    std::string who;
    pid_t tid = 0;
    NonblockTracer tracer;
    std::vector<PtraceEvent> expected; // what it must read from the exec on
    std::vector<PtraceEvent> seen;     // what it read from the exec on
    bool gone = false; // its handle polled readable without an event: the tracee is gone
};

/// Starts a watcher's session for `tid` (attached now, or adopted: F3) with the bp `bp`.
Watcher& watch(std::list<Watcher>& watchers, std::string who, pid_t tid, PtraceFlags bp) {
    auto nb = attach(tid).into_nonblocking();
    REQUIRE_MESSAGE(nb.has_value(), nb.error().message());
    REQUIRE(nb->next(bp).has_value());
    // Ended by the exec: EXIT with status 0 when the bp asks for it.
    std::vector<PtraceEvent> expected;
    if (bp.contains(PtraceFlags::STOP_EXIT)) {
        expected.push_back(PtraceEvent::of(PtraceFlags::STOP_EXIT, 0));
    }
    return watchers.emplace_back(Watcher{std::move(who), tid, std::move(*nb), expected, {}});
}

/// Sends SIGUSR1 to `w`'s thread and checks that it is held at the SIGNAL stop (D5: b is the
/// handler's address).
void hold_at_signal(Watcher& w, pid_t tgid, std::uint64_t handler) {
    REQUIRE(shim::sys::tgkill(tgid, w.tid, SIGUSR1) == 0);
    REQUIRE_MESSAGE(readable_within(w.tracer.native_handle()), "no SIGNAL stop for SIGUSR1");
    const auto evs = drain(w.tracer);
    const std::vector<PtraceEvent> want{
        PtraceEvent::of(PtraceFlags::STOP_SIGNAL, SIGUSR1, handler)};
    CHECK_MESSAGE(evs == want, "read ", describe(evs), ", expected ", describe(want));
    CHECK(support::eventually([&] { return support::proc_state(w.tid) == 't'; }));
}

/// What crossing the exec brought.
struct Crossed {
    std::vector<PtraceEvent> first; // the exec'ing thread's events (its first stop after it)
    std::string log;                // what every session read, in arrival order
};

/// Resumes the exec'ing thread's session `ex` (at its execve's PRE) with all_stops and, without
/// blocking, answers the watchers' stops (the exec waits for their EXIT stops to be left)
/// until `ex` reports its first stop after the exec. Without `ex` (nobody traces the exec'ing
/// thread), until every watcher's session reported its tracee gone. Bounded by stop_limit.
Crossed cross(NonblockTracer* ex, std::list<Watcher>& watchers) {
    Crossed out;
    if (ex != nullptr) {
        REQUIRE(ex->next(all_stops).has_value());
    }
    const auto deadline = std::chrono::steady_clock::now() + stop_limit;
    for (;;) {
        const bool all_gone =
            std::all_of(watchers.begin(), watchers.end(), [](const Watcher& w) { return w.gone; });
        if ((ex != nullptr && !out.first.empty()) || (ex == nullptr && all_gone)) {
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        std::vector<pollfd> fds;
        std::vector<Watcher*> polled;
        for (Watcher& w : watchers) {
            if (!w.gone) {
                fds.push_back({w.tracer.native_handle(), POLLIN, 0});
                polled.push_back(&w);
            }
        }
        if (ex != nullptr) {
            fds.push_back({ex->native_handle(), POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0) {
            continue;
        }
        for (std::size_t i = 0; i < polled.size(); ++i) {
            if ((fds[i].revents & POLLIN) == 0) {
                continue;
            }
            Watcher& w = *polled[i];
            const auto evs = drain(w.tracer);
            out.log += " " + w.who + ": " + (evs.empty() ? "gone" : describe(evs)) + ";";
            if (evs.empty()) {
                w.gone = true;
                continue;
            }
            w.seen.insert(w.seen.end(), evs.begin(), evs.end());
            // Answer the stop (an EXIT cannot be aborted; anything else goes on as it was).
            CHECK(w.tracer.next(signal_exit).has_value());
        }
        if (ex != nullptr && (fds.back().revents & POLLIN) != 0) {
            out.first = drain(*ex);
            out.log += " the exec'ing thread: " + describe(out.first) + ";";
            if (out.first.empty()) {
                FAIL_CHECK("the exec'ing thread's session reports its tracee gone");
                break;
            }
        }
    }
    return out;
}

/// Opens `path`, which must fail with `errc` (a handle opened by mistake is closed again).
void expect_open_fails(const std::string& path, std::errc errc, support::CallSite where = {}) {
    INFO("expect_open_fails(", path, ") called from ", where.str());
    const auto fd = shim::open(path, 0);
    if (fd) {
        (void)shim::close(*fd);
    }
    CHECK_ERRC(fd, errc);
}

/// The checks after the exec that every row shares: every watcher read what it was expected
/// to and then reports its tracee gone (ESRCH); the exec'ing thread's old TID is gone.
void expect_watchers_done(std::list<Watcher>& watchers) {
    for (Watcher& w : watchers) {
        INFO("session of ", w.who, " (TID ", w.tid, ")");
        CHECK_MESSAGE(w.seen == w.expected, "read ", describe(w.seen), ", expected ",
                      describe(w.expected));
        expect_session_gone(w.tracer, w.who);
    }
}

/// The exec'ing thread's session after the exec: its first stop is the new program's (under
/// the leader's TID), the process has one thread, the old TID is gone and its session holds
/// the leader's TID; the register handle opened before the exec reads what the tracer's
/// reads. Then it follows the new program to its exit.
void expect_execer_follows(NonblockTracer& ex, const Crossed& crossed, const ExecExpect& x,
                           pid_t old_tid, Registers& early_regs, const std::string& marker,
                           int code) {
    expect_first_stop_after_exec(ex, crossed.first, x);
    CHECK(task_ids(x.pid) == std::vector<pid_t>{x.pid});
    if (old_tid != x.pid) {
        CHECK_MESSAGE(support::proc_state(old_tid) == '?',
                      "the exec'ing thread's old TID lives on");
        expect_open_fails(support::path(old_tid, "trace"), std::errc::no_such_process);
    }
    expect_open_fails(support::path(x.pid, "trace"), std::errc::device_or_resource_busy); // A4
    const auto early = early_regs.get_int();
    CHECK_MESSAGE(early.has_value(), "a register handle opened before the exec: ",
                  early ? std::string() : early.error().message());
    if (early) {
        CHECK(*early == ex.regs().get_int().value());
    }
    auto blocking = std::move(ex).into_blocking();
    REQUIRE_MESSAGE(blocking.has_value(), blocking.error().message());
    const Followed f = follow_to_exit(*blocking, crossed.first.front(), marker, x);
    INFO("new program's stops: ", f.trail);
    REQUIRE(f.exit.has_value());
    CHECK(f.exit->exit_code() == code);
}

/// The program is started untraced; its threads are attached by TID (A) once they block.
void group_exec(const GroupRow& row) {
    CaseWatchdog dog;
    const std::string tgt = canonical(target(Image::Dynamic));
    const std::string marker = marker_path(row.tag);
    const int code = 9;
    const bool from_thread = row.execer == Execer::Thread;
    Launched prog = launch({exec_tracee(), "group", from_thread ? "thread" : "leader", tgt, marker,
                            std::to_string(code)});
    const pid_t pid = prog.child.pid();
    dog.watch(pid);

    // "L A B E HANDLER": the TIDs (E = L when the leader execs) and SIGUSR1's handler.
    const auto line = read_line(prog.from_stdout.get());
    REQUIRE_MESSAGE(line.has_value(), "exec_tracee printed no TIDs");
    std::istringstream fields(*line);
    pid_t leader = 0;
    pid_t a = 0;
    pid_t b = 0;
    pid_t e = 0;
    std::uint64_t handler = 0;
    fields >> leader >> a >> b >> e >> handler;
    REQUIRE(fields);
    CHECK(leader == pid);
    CHECK(task_ids(pid).size() == (from_thread ? 4U : 3U));
    REQUIRE_MESSAGE(support::eventually([&] {
                        return blocked_in(a) == SYS_pause && blocked_in(b) == SYS_futex &&
                               blocked_in(e) == SYS_read &&
                               (!from_thread || blocked_in(leader) == SYS_pause);
                    }),
                    "the threads never all blocked where they should");

    // Sessions of the threads that do not exec: nonblocking, so that their EXIT stops can be
    // answered while the exec'ing thread waits in its execve.
    std::list<Watcher> watchers;
    if (from_thread && row.trace_leader) {
        (void)watch(watchers, "the old leader", leader, signal_exit);
    }
    Watcher* held = nullptr;
    if (row.trace_siblings || row.hold != Hold::None) {
        Watcher& w = watch(watchers, "A (pause)", a,
                           row.hold == Hold::SignalOnly ? PtraceFlags(PtraceFlags::STOP_SIGNAL)
                                                        : signal_exit);
        held = row.hold == Hold::None ? nullptr : &w;
    }
    if (row.trace_siblings) {
        (void)watch(watchers, "B (futex)", b, signal_exit);
    }
    // Every watched thread's registers, read while it blocks (J1 on a running tracee). The
    // read is also a barrier: it runs on the tracer thread after the watcher's nonblocking
    // write, so that write's bp is in force from here on. (A nonblocking write returns before
    // the tracer thread installs its bp, and a stop in between is judged without it: a race
    // of the shim's posted writes against B11, reported separately. Without the barrier a
    // signal or an exec right after the write is missed now and then.)
    for (Watcher& w : watchers) {
        const auto regs = w.tracer.regs().get_int();
        CHECK_MESSAGE(regs.has_value(), w.who,
                      "'s registers: ", regs ? std::string() : regs.error().message());
    }
    if (held != nullptr) {
        hold_at_signal(*held, leader, handler);
    }

    const ExecExpect x{leader, tgt, canonical(exec_tracee()), {}};
    if (!row.trace_execer) {
        // Nobody follows the exec'ing thread: Linux does not trace the new program. The other
        // sessions end (EXIT, ESRCH) and the program's status is the new program's.
        REQUIRE(::write(prog.to_stdin.get(), "g", 1) == 1);
        const Crossed crossed = cross(nullptr, watchers);
        INFO("events read while crossing the exec:", crossed.log);
        expect_watchers_done(watchers);
        expect_exit_code(prog.child, code);
        expect_nothing_left({leader, a, b, e});
        return;
    }

    // The exec'ing thread: frozen in its read of the gate, then followed to its execve, where
    // handles of its own are opened to be used after the exec.
    Tracer execer = attach(e, ptrace_api::AttachStop::StopNow);
    REQUIRE(::write(prog.to_stdin.get(), "g", 1) == 1);
    (void)run_to_execve(execer, tgt);
    if (row.hold != Hold::None) {
        CHECK_MESSAGE(support::proc_state(a) == 't', "A is no longer held at its SIGNAL stop");
    }
    auto early_mem = Memory::open(e);
    REQUIRE_MESSAGE(early_mem.has_value(), early_mem.error().message());
    auto early_regs = Registers::open(e);
    REQUIRE_MESSAGE(early_regs.has_value(), early_regs.error().message());
    ExecExpect xe = x;
    xe.extra_mem = {&*early_mem};

    auto nb = std::move(execer).into_nonblocking();
    REQUIRE_MESSAGE(nb.has_value(), nb.error().message());
    const Crossed crossed = cross(&*nb, watchers);
    INFO("events read while crossing the exec:", crossed.log);
    REQUIRE_MESSAGE(!crossed.first.empty(), "the exec'ing thread reported no stop within ",
                    stop_limit.count(), " ms of resuming its execve");
    expect_watchers_done(watchers);
    expect_execer_follows(*nb, crossed, xe, e, *early_regs, marker, code);
    expect_exit_code(prog.child, code);
    expect_nothing_left({leader, a, b, e});
}

/// The program is started traced by spawn(); its threads are adopted from the leader's
/// EVENT_CLONE events (F1-F3), as strace -f follows them, and E execs.
void group_exec_adopted(const char* tag) {
    CaseWatchdog dog;
    const std::string tgt = canonical(target(Image::Dynamic));
    const std::string marker = marker_path(tag);
    const int code = 11;
    auto spawned = ptrace_api::spawn(
        {exec_tracee(), {"group", "thread-nogate", tgt, marker, std::to_string(code)}, {}, {}});
    REQUIRE_MESSAGE(spawned.has_value(), spawned.error().message());
    Child& child = spawned->child;
    const pid_t leader = child.pid();
    dog.watch(leader);

    // Three clone events (A, B, E, in that order); each child is adopted before the next
    // write on the leader's handle, which would release it (F2).
    std::list<Watcher> watchers;
    std::optional<Tracer> execer;
    std::vector<pid_t> tids;
    {
        auto woke = spawned->tracer.next_event(PtraceFlags::EVENT_CLONE | signal_exit);
        REQUIRE_MESSAGE(woke.has_value(), woke.error().message());
        for (int round = 0; tids.size() < 3 && round < 10; ++round) {
            if (round > 0) {
                REQUIRE_MESSAGE(woke->retry().has_value(), "fewer than three clone events");
            }
            for (const PtraceEvent& ev : *woke) {
                REQUIRE_MESSAGE(is(ev, PtraceFlags::EVENT_CLONE), describe(ev));
                const auto tid = static_cast<pid_t>(ev.a);
                tids.push_back(tid);
                if (tids.size() == 1) {
                    (void)watch(watchers, "A (pause)", tid, signal_exit);
                } else if (tids.size() == 2) {
                    (void)watch(watchers, "B (futex)", tid, signal_exit);
                } else {
                    execer = attach(tid);
                }
            }
        }
    }
    REQUIRE(tids.size() == 3);
    REQUIRE(execer.has_value());
    const pid_t a = tids[0];
    const pid_t b = tids[1];
    const pid_t e = tids[2];
    for (const pid_t tid : tids) {
        const auto st = shim::sys::proc_status(tid);
        REQUIRE(st.has_value());
        CHECK(st->tgid == leader); // threads of the program
    }

    // E runs to its execve; meanwhile the others settle in pause() and the futex wait.
    (void)run_to_execve(*execer, tgt);
    REQUIRE_MESSAGE(support::eventually([&] {
                        return blocked_in(a) == SYS_pause && blocked_in(b) == SYS_futex &&
                               blocked_in(leader) == SYS_pause;
                    }),
                    "the other threads never all blocked where they should");
    // The leader's session (spawn's tracer) becomes a watcher too.
    {
        auto nb = std::move(spawned->tracer).into_nonblocking();
        REQUIRE_MESSAGE(nb.has_value(), nb.error().message());
        REQUIRE(nb->next(signal_exit).has_value());
        watchers.emplace_back(Watcher{"the old leader (spawn's tracer)",
                                      leader,
                                      std::move(*nb),
                                      {PtraceEvent::of(PtraceFlags::STOP_EXIT, 0)},
                                      {}});
    }
    auto early_mem = Memory::open(e);
    REQUIRE_MESSAGE(early_mem.has_value(), early_mem.error().message());
    auto early_regs = Registers::open(e);
    REQUIRE_MESSAGE(early_regs.has_value(), early_regs.error().message());
    const ExecExpect x{leader, tgt, canonical(exec_tracee()), {&*early_mem}};

    auto nb = std::move(*execer).into_nonblocking();
    REQUIRE_MESSAGE(nb.has_value(), nb.error().message());
    const Crossed crossed = cross(&*nb, watchers);
    INFO("events read while crossing the exec:", crossed.log);
    REQUIRE_MESSAGE(!crossed.first.empty(), "the exec'ing thread reported no stop within ",
                    stop_limit.count(), " ms of resuming its execve");
    expect_watchers_done(watchers);
    expect_execer_follows(*nb, crossed, x, e, *early_regs, marker, code);
    expect_exit_code(child, code);
    expect_nothing_left({leader, a, b, e});
}

} // namespace

TEST_SUITE("exec") {

    TEST_CASE("1: leader exec while two other threads block - neither traced") {
        group_exec({Execer::Leader, false, false, Hold::None, "1-group-untraced"});
    }

    TEST_CASE("1: leader exec while two other threads block - both traced") {
        group_exec({Execer::Leader, false, true, Hold::None, "1-group-traced"});
    }

    TEST_CASE("2: non-leader exec - no other thread traced") {
        group_exec({Execer::Thread, false, false, Hold::None, "2-none"});
    }

    TEST_CASE("2: non-leader exec - the leader traced") {
        group_exec({Execer::Thread, true, false, Hold::None, "2-leader"});
    }

    TEST_CASE("2: non-leader exec - the two other threads traced") {
        group_exec({Execer::Thread, false, true, Hold::None, "2-siblings"});
    }

    TEST_CASE("2: non-leader exec - the leader and the two other threads traced") {
        group_exec({Execer::Thread, true, true, Hold::None, "2-all"});
    }

    TEST_CASE("2: non-leader exec - every thread traced from its creation (spawn and adoption)") {
        group_exec_adopted("2-adopted");
    }

    TEST_CASE("2: non-leader exec by an untraced thread - the leader and the others traced") {
        group_exec({Execer::Thread, true, true, Hold::None, "2-untraced-execer", false});
    }

    TEST_CASE("8: leader exec while another thread is held at a SIGNAL stop (bp SIGNAL and EXIT)") {
        group_exec({Execer::Leader, false, false, Hold::SignalThenExit, "8-leader-exit"});
    }

    TEST_CASE("8: leader exec while another thread is held at a SIGNAL stop (bp SIGNAL only)") {
        group_exec({Execer::Leader, false, false, Hold::SignalOnly, "8-leader-signal"});
    }

    TEST_CASE("8: non-leader exec while another thread is held at a SIGNAL stop (leader traced)") {
        group_exec({Execer::Thread, true, false, Hold::SignalThenExit, "8-thread"});
    }

} // TEST_SUITE
