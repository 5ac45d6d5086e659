// SPDX-License-Identifier: MIT
// Spec section C (events and reading) without a tracee: the machine (shim::Requests) is driven
// on the scripted backend (tests/support/fake_backend.hpp) by writes and synthetic wait
// statuses, as in machine_test.cpp and with its vocabulary (tests/support/scenario.hpp), and
// the handle is read through events.hpp's take_events, the read of io.hpp without its mutex.
// Unlike machine_test.cpp the queue is never cleared behind the steps' back: only a Read step
// takes events off it (EventCheck::ByReads). Each step lists the ptrace requests that act on
// the task, exactly and in order, and may check what follows it: events still queued, whether
// a blocking write would return at once (B7), whether the tracee is held at its stop (C4),
// whether the handle's eventfd polls readable (C8), and whether a write blocked meanwhile was
// woken (C5).
#include <ptrace/flags.hpp>
#include <ptrace/shim/requests.hpp>
#include <ptrace/shim/state.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <vector>

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>

#include "scenario.hpp"

namespace {

using namespace test_support::scenario;
using test_support::FakeBackend;
namespace shim = ptrace_api::shim;
using F = PtraceFlags;

constexpr pid_t child1 = 4343;
constexpr pid_t child2 = 4344;
constexpr pid_t child3 = 4345;

/// Every scenario here reads the queue as io.hpp's read does.
void run_all(const std::vector<Scenario>& scenarios) {
    test_support::scenario::run_all(scenarios, EventCheck::ByReads);
}

/// The parent's clone event naming the new task `new_tid` (F1): the parent runs on.
Step clone_of(pid_t new_tid, After after = {}) {
    return before(stop(clone_stop, {act(PTRACE_CONT)}, after), [new_tid](FakeBackend& be) {
        be.event_msg[tid] = static_cast<unsigned long>(new_tid);
    });
}

void signals_script(FakeBackend& be) {
    be.status[tid] = proc_status(); // no handler: SIGNAL events carry b = 0 (SIG_DFL)
}

/// EVENT_CLONE (decision 6: an EVENT-only write installs a bp) then three clone events, the
/// parent running on; the children's first stops hold them frozen.
std::vector<Step> three_clones(PtraceFlags bp = F::EVENT_CLONE) {
    return {write(bp, {act(PTRACE_INTERRUPT)}),
            stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
            clone_of(child1, {.queued = 1}),
            first_stop_of(child1),
            clone_of(child2, {.queued = 2}),
            first_stop_of(child2),
            clone_of(child3, {.queued = 3}),
            first_stop_of(child3)};
}

template <class... More>
std::vector<Step> then(std::vector<Step> steps, More... more) {
    (steps.push_back(std::move(more)), ...);
    return steps;
}

const Ev clone1{F::EVENT_CLONE, child1};
const Ev clone2{F::EVENT_CLONE, child2};
const Ev clone3{F::EVENT_CLONE, child3};

} // namespace

TEST_CASE("events C1: a read copies min(len/56, queued) whole events; 0 under 56 bytes") {
    run_all({
        {"C1: under 56 bytes nothing is read or removed; len = 56k + r copies k events; more "
         "room than events copies what is queued; an empty queue reads 0",
         then(three_clones(), read(0, {}, {.queued = 3}), read(ev_size - 1, {}, {.queued = 3}),
              read(ev_size + ev_size - 1, {clone1}, {.queued = 2}),
              read(2 * ev_size + 7, {clone2, clone3}, {.queued = 0}),
              read(10 * ev_size, {}, {.queued = 0}))},
        {"C1: a buffer larger than the queue copies every event, once",
         then(three_clones(), read(5 * ev_size, {clone1, clone2, clone3}, {.queued = 0}),
              read(5 * ev_size, {}, {.queued = 0}))},
        {"C1/F2: a read marks only the children whose events it copied; the next write "
         "releases those",
         then(three_clones(), read(ev_size, {clone1}),
              write(F::EVENT_CLONE, {act(PTRACE_DETACH, 0, child1)}, {.queued = 2}),
              read(ev_size + 1, {clone2}), read(ev_size - 1, {}),
              write(F::EVENT_CLONE, {act(PTRACE_DETACH, 0, child2)}, {.queued = 1}),
              write(F::EVENT_CLONE, {}, {.queued = 1}))},
    });
}

TEST_CASE("events C2: events are read oldest first (FIFO, decision 1)") {
    const std::vector<Step> clones_then_bp = {
        write(F::EVENT_CLONE | F::STOP_BREAKPOINT, {act(PTRACE_INTERRUPT)}),
        stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
        clone_of(child1),
        first_stop_of(child1),
        clone_of(child2),
        first_stop_of(child2),
        stop(SIGTRAP, {}, {.queued = 3, .held = true}), // int3
    };
    const auto int3 = [](FakeBackend& be) { be.trap_code[tid] = SI_KERNEL; };
    run_all({
        {"C2: two clone events, then the breakpoint event, in one read",
         then(clones_then_bp, read(3 * ev_size, {clone1, clone2, {F::STOP_BREAKPOINT}})), int3},
        {"C2: the same, one event per read",
         then(clones_then_bp, read(ev_size, {clone1}), read(ev_size, {clone2}),
              read(ev_size, {{F::STOP_BREAKPOINT}}), read(ev_size, {})),
         int3},
        {"C2/C6: events of several stops and writes, read at the end, oldest first",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}, {.queued = 1}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)}), stop(SIGUSR2, {}, {.queued = 2}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR2)}), stop(SIGTERM, {}, {.queued = 3}),
          read(4 * ev_size,
               {{F::STOP_SIGNAL, SIGUSR1}, {F::STOP_SIGNAL, SIGUSR2}, {F::STOP_SIGNAL, SIGTERM}})},
         signals_script},
    });
}

TEST_CASE("events C3: only causes in the breakpoint's flags are queued; no bp, no event") {
    const auto exit0 = [](FakeBackend& be) { be.event_msg[tid] = 0; };
    run_all({
        {"C3/A10: before the first write there is no bp: a signal is delivered, not queued",
         {stop(SIGUSR1, {act(PTRACE_CONT, SIGUSR1)}, {.queued = 0})},
         signals_script},
        {"C3/A10: no bp: the exit stop queues nothing",
         {stop(exit_stop, {act(PTRACE_DETACH)}, {.queued = 0, .exited = true})},
         exit0},
        {"C3: a signal is queued under STOP_SIGNAL (the control row)",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}, {.queued = 1}),
          read(ev_size, {{F::STOP_SIGNAL, SIGUSR1}})},
         signals_script},
        {"C3: a signal is not in STOP_EXIT: delivered, not queued",
         {write(F::STOP_EXIT), stop(SIGUSR1, {act(PTRACE_CONT, SIGUSR1)}, {.queued = 0})},
         signals_script},
        {"C3: the exit is not in STOP_SIGNAL: let go, not queued",
         {write(F::STOP_SIGNAL), stop(exit_stop, {act(PTRACE_DETACH)}, {.queued = 0})},
         exit0},
        {"C3: an int3 is not in STOP_SIGNAL: it gets its SIGTRAP, not queued",
         {write(F::STOP_SIGNAL), stop(SIGTRAP, {act(PTRACE_CONT, SIGTRAP)}, {.queued = 0})},
         [](FakeBackend& be) { be.trap_code[tid] = SI_KERNEL; }},
        {"C3: a syscall's exit is not in STOP_PRE_SYSCALL: passed, not queued",
         {write(F::STOP_PRE_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {}, {.queued = 1}),
          read(ev_size, {{F::STOP_PRE_SYSCALL}}), write(F::STOP_PRE_SYSCALL, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {act(PTRACE_SYSCALL)}, {.queued = 0})}},
        {"C3/B4: a write without STOP or EVENT bits leaves no bp: nothing is queued",
         {write(F::STOP_SIGNAL), write(0),
          stop(SIGUSR1, {act(PTRACE_CONT, SIGUSR1)}, {.queued = 0})},
         signals_script},
        {"C3/B11: a clone reported after the bp lost EVENT_CLONE is not queued; the child is "
         "let go (F4)",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          write(F::STOP_EXIT, {act(PTRACE_INTERRUPT)}),
          before(stop(clone_stop, {act(PTRACE_SETOPTIONS, shim::seize_options), act(PTRACE_CONT)},
                      {.queued = 0}),
                 [](FakeBackend& be) { be.event_msg[tid] = child1; }),
          stop(interrupt, {act(PTRACE_CONT)}),
          stop(interrupt,
               {act(PTRACE_SETOPTIONS, shim::seize_options, child1), act(PTRACE_DETACH, 0, child1)},
               {.queued = 0}, child1)}},
    });
}

TEST_CASE("events C4: one event per stop; the tracee is held until a resuming write") {
    run_all({
        {"C4/B3: a SIGNAL stop queues one event and is held; a read resumes nothing, nor "
         "does a WAIT-only write; the next write resumes it",
         {write(F::STOP_SIGNAL, {}, {.at_once = false}),
          stop(SIGUSR1, {}, {.queued = 1, .at_once = true, .held = true}),
          read(2 * ev_size, {{F::STOP_SIGNAL, SIGUSR1}},
               {.queued = 0, .at_once = true, .held = true}),
          write(F::FLAG_WAIT, {}, {.queued = 0, .at_once = true, .held = true}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)},
                {.queued = 0, .at_once = false, .held = false}),
          stop(SIGUSR2, {}, {.queued = 1, .held = true}),
          read(2 * ev_size, {{F::STOP_SIGNAL, SIGUSR2}}, {.held = true})},
         signals_script},
        {"C4: PRE and POST of one syscall are two stops: one event each, never merged",
         {write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}, {.queued = 0, .held = false}),
          stop(syscall_stop, {}, {.queued = 1, .held = true}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)},
                {.queued = 1, .held = false}),
          stop(syscall_stop, {}, {.queued = 2, .held = true}),
          read(3 * ev_size, {{F::STOP_PRE_SYSCALL}, {F::STOP_POST_SYSCALL}}, {.held = true})},
         [](FakeBackend& be) {
             user_regs_struct r{};
             r.orig_rax = SYS_getpid;
             r.rax = tid;
             be.regs[tid] = r;
         }},
        {"C4: one SINGLESTEP event per step",
         {write(F::STOP_SINGLESTEP, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SINGLESTEP)}), stop(SIGTRAP, {}, {.queued = 1, .held = true}),
          write(F::STOP_SINGLESTEP, {act(PTRACE_SINGLESTEP)}, {.queued = 1, .held = false}),
          stop(SIGTRAP, {}, {.queued = 2, .held = true}),
          read(3 * ev_size, {{F::STOP_SINGLESTEP}, {F::STOP_SINGLESTEP}})},
         [](FakeBackend& be) { be.trap_code[tid] = TRAP_TRACE; }},
    });
}

TEST_CASE("events C5: EVENT_CLONE is queued while the parent runs on; it wakes a blocked write") {
    run_all({
        {"C5/B7/B9: a clone event wakes the blocked write (which returns 8) and leaves the bp "
         "unreached; the child is held frozen (F1)",
         {write(F::EVENT_CLONE | F::STOP_EXIT, {act(PTRACE_INTERRUPT)}, {.at_once = false}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)},
               {.queued = 0, .at_once = false, .held = false}),
          // A stop the bp does not name queues nothing: a blocked write sleeps on.
          stop(SIGUSR1, {act(PTRACE_CONT, SIGUSR1)}, {.queued = 0, .at_once = false}),
          waking(clone_of(child1, {.queued = 1, .at_once = true, .held = false})),
          first_stop_of(child1),
          read(ev_size, {clone1}, {.queued = 0, .at_once = false, .held = false}),
          write(F::EVENT_CLONE | F::STOP_EXIT, {act(PTRACE_DETACH, 0, child1)}, {.at_once = false}),
          waking(clone_of(child2, {.queued = 1, .at_once = true, .held = false})),
          read(ev_size, {clone2}, {.at_once = false})},
         signals_script,
         O_RDWR,
         [](Rig& rig) {
             const detail::Tracee* c = rig.core.find_tracee(child2);
             REQUIRE(c != nullptr);
             CHECK(c->frozen); // its first stop is still to come, and will be held
             CHECK(rig.core.find_tracee(child1) == nullptr); // released by the write (F2)
         }},
    });
}

TEST_CASE("events C6: writes never drain the queue; unread events make writes return at once") {
    run_all({
        {"C6/B7: unread events survive resuming, WAIT-only, running and invalid writes, and "
         "make each blocking write return at once until they are read",
         {write(F::STOP_SIGNAL, {}, {.at_once = false}),
          stop(SIGUSR1, {}, {.queued = 1, .at_once = true, .held = true}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)},
                {.queued = 1, .at_once = true, .held = false}),
          write(F::FLAG_WAIT, {}, {.queued = 1, .at_once = true}),
          write(F::STOP_SIGNAL | F::STOP_EXIT, {}, {.queued = 1, .at_once = true}),
          write(std::uint64_t{1} << 20, {}, {.queued = 1, .at_once = true}, EINVAL),
          stop(SIGUSR2, {}, {.queued = 2, .held = true}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR2)},
                {.queued = 2, .at_once = true, .held = false}),
          read(3 * ev_size, {{F::STOP_SIGNAL, SIGUSR1}, {F::STOP_SIGNAL, SIGUSR2}},
               {.queued = 0, .at_once = false}),
          write(F::STOP_SIGNAL, {}, {.queued = 0, .at_once = false})},
         signals_script},
    });
}

TEST_CASE("events C7: events queued before the exit stay readable after it, then 0") {
    run_all({
        {"C7/decision 13/B10: SIGNAL and EXIT events outlive the exit and the ESRCH write",
         {write(F::STOP_SIGNAL | F::STOP_EXIT), stop(SIGUSR1, {}, {.queued = 1}),
          write(F::STOP_SIGNAL | F::STOP_EXIT, {act(PTRACE_CONT, SIGUSR1)}, {.queued = 1}),
          stop(exit_stop, {}, {.queued = 2, .held = true}),
          write(F::STOP_SIGNAL | F::STOP_EXIT, {act(PTRACE_DETACH)}, {.queued = 2, .exited = true}),
          write(F::STOP_SIGNAL | F::STOP_EXIT, {}, {.queued = 2}, ESRCH),
          read(ev_size, {{F::STOP_SIGNAL, SIGUSR1}}, {.queued = 1}),
          read(4 * ev_size, {{F::STOP_EXIT, 3 << 8}}, {.queued = 0}),
          read(4 * ev_size, {}, {.queued = 0, .exited = true})},
         [](FakeBackend& be) {
             signals_script(be);
             be.event_msg[tid] = 3 << 8;
         }},
        {"C7: an exit nobody asked to see: the events before it stay readable",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}, {.queued = 1}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)}, {.queued = 1}),
          stop(exit_stop, {act(PTRACE_DETACH)}, {.queued = 1, .exited = true}),
          read(2 * ev_size, {{F::STOP_SIGNAL, SIGUSR1}}), read(2 * ev_size, {})},
         [](FakeBackend& be) {
             signals_script(be);
             be.event_msg[tid] = 0;
         }},
    });
}

TEST_CASE("events C8: the eventfd polls readable iff events are queued or the tracee exited") {
    const auto script = [](FakeBackend& be) {
        signals_script(be);
        be.event_msg[tid] = 0;
    };
    run_all({
        {"C8: raised when the tracer thread publishes unread events, kept while some remain, "
         "drained by the read that empties the queue; an event read before the publish never "
         "raises it; the exit raises it with nothing queued, and reads do not drain it then",
         {publish({.ready = false}), write(F::STOP_SIGNAL),
          stop(SIGUSR1, {}, {.queued = 1, .ready = false}), // raised at the publish
          publish({.ready = true}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)}, {.ready = true}),
          stop(SIGUSR2, {}, {.queued = 2, .ready = true}), publish({.ready = true}),
          read(ev_size, {{F::STOP_SIGNAL, SIGUSR1}}, {.queued = 1, .ready = true}),
          read(ev_size, {{F::STOP_SIGNAL, SIGUSR2}}, {.queued = 0, .ready = false}),
          publish({.ready = false}), read(ev_size, {}, {.ready = false}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR2)}),
          stop(SIGUSR1, {}, {.queued = 1, .ready = false}),
          read(ev_size, {{F::STOP_SIGNAL, SIGUSR1}}, {.ready = false}), // a job reads at once
          publish({.ready = false}), write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)}),
          stop(exit_stop, {act(PTRACE_DETACH)}, {.queued = 0, .ready = true, .exited = true}),
          read(ev_size, {}, {.ready = true}), publish({.ready = true})},
         script},
        {"C8/C7: events queued before the exit: readable, and still once they are read",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}, {.queued = 1}), publish({.ready = true}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)}),
          stop(exit_stop, {act(PTRACE_DETACH)}, {.ready = true, .exited = true}),
          read(2 * ev_size, {{F::STOP_SIGNAL, SIGUSR1}}, {.queued = 0, .ready = true}),
          publish({.ready = true})},
         script},
    });
}
