// SPDX-License-Identifier: MIT
// The shim's machine without a tracee: scenarios of writes, synthetic wait statuses and
// closes, run through shim::Requests on a scripted backend (tests/support/fake_backend.hpp).
// Each step lists the ptrace requests that act on the task (resumes, detaches, interrupts,
// register and option writes) and the events queued, exactly and in order (the vocabulary:
// tests/support/scenario.hpp, EventCheck::PerStep).
#include <ptrace/shim/requests.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/syscall_set.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <linux/audit.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "scenario.hpp"

namespace {

using namespace test_support::scenario;
using ptrace_api::SyscallSet;
using test_support::FakeBackend;
namespace shim = ptrace_api::shim;
using F = PtraceFlags;

constexpr pid_t child = 4343;

/// The leader of the thread group of `tid` when a scenario makes `tid` a non-leader thread.
constexpr pid_t leader = 4200;

/// /proc/<tid>/status of `tid` as a non-leader thread of `leader`'s process.
shim::sys::ProcStatus thread_status() {
    shim::sys::ProcStatus st = proc_status();
    st.tgid = leader;
    return st;
}

/// Issue 12: the tracee carries a seccomp filter of `kernel` (or none) and its set is `active`.
Step with_filter(std::optional<SyscallSet> kernel, SyscallSet active) {
    return call([kernel, active](shim::Requests& core, detail::Session&) {
        detail::Request a;
        detail::Request b;
        CHECK(core.set_kernel_filter(a, tid, kernel, 0));
        CHECK(core.set_syscalls(b, tid, active));
        CHECK(a.err == 0);
        CHECK(b.err == 0);
    });
}

std::vector<Scenario> scenarios() {
    using shim::rules::signal_bit;
    const auto neg = [](long v) { return static_cast<std::uint64_t>(v); };
    return {
        {"B3/C4/D1: PRE is reported and held; the write resumes with syscall stops",
         {write(F::STOP_PRE_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {}, {{F::STOP_PRE_SYSCALL}}),
          write(F::STOP_PRE_SYSCALL, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {act(PTRACE_SYSCALL)})}},
        {"D2: with POST alone the entry passes and the exit is held",
         {write(F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}}),
          write(F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)})},
         [](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getpid, tid); }},
        {"B11: a write while running interrupts only when the resume mode changes",
         {write(F::STOP_EXIT), write(F::STOP_SIGNAL | F::STOP_EXIT),
          write(F::STOP_PRE_SYSCALL, {act(PTRACE_INTERRUPT)}),
          write(F::STOP_SINGLESTEP), // an INTERRUPT is on its way already
          stop(interrupt, {act(PTRACE_SINGLESTEP)})}},
        {"E1/E6: IGNORE at PRE skips the syscall; without an edit it returns its number",
         {write(F::STOP_PRE_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {}, {{F::STOP_PRE_SYSCALL}}),
          write(F::STOP_PRE_SYSCALL | F::FLAG_IGNORE, {act(PTRACE_SETREGS), act(PTRACE_SYSCALL)})},
         [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getpid, neg(-ENOSYS)); },
         O_RDWR,
         [](Rig& rig) {
             CHECK(rig.be.regs[tid].orig_rax == ~std::uint64_t{0});
             CHECK(rig.be.regs[tid].rax == SYS_getpid);
         }},
        {"E2/D5: a signal is reported with SIG_DFL, delivered by the write, thrown away by IGNORE",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, 0}}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGUSR1)}),
          stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, 0}}),
          write(F::STOP_SIGNAL | F::FLAG_IGNORE, {act(PTRACE_CONT)})},
         [](FakeBackend& be) { be.status[tid] = proc_status(); }},
        {"D5: an ignored signal's handler value is 1",
         {write(F::STOP_SIGNAL), stop(SIGUSR2, {}, {{F::STOP_SIGNAL, SIGUSR2, 1}})},
         [](FakeBackend& be) { be.status[tid] = proc_status(0, signal_bit(SIGUSR2)); }},
        {"D5: a caught signal whose probe is skipped reports the sentinel",
         {write(F::STOP_SIGNAL),
          stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, shim::caught_handler_unknown}})},
         [](FakeBackend& be) {
             be.status[tid] = proc_status(signal_bit(SIGUSR1));
             be.probe.outcome = shim::HandlerProbe::Outcome::Skipped;
             be.probe.reason = "scripted";
         }},
        {"D5: the probe resumes the tracee; its next stop for the signal reports the handler",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}),
          stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, 0x401234}})},
         [](FakeBackend& be) {
             be.status[tid] = proc_status(signal_bit(SIGUSR1));
             be.probe.outcome = shim::HandlerProbe::Outcome::Resumed;
             be.probe.handler = 0x401234;
         },
         O_RDWR,
         [](Rig& rig) { CHECK(rig.be.probes == 1); }},
        {"spec 3.1: a signal nobody asked to see is delivered at once",
         {stop(SIGUSR1, {act(PTRACE_CONT, SIGUSR1)}), write(F::STOP_EXIT),
          stop(SIGTERM, {act(PTRACE_CONT, SIGTERM)})},
         [](FakeBackend& be) { be.status[tid] = proc_status(); }},
        {"decision 4: an int3 resumed without IGNORE gets its SIGTRAP, with IGNORE runs on",
         {write(F::STOP_BREAKPOINT), stop(SIGTRAP, {}, {{F::STOP_BREAKPOINT}}),
          write(F::STOP_BREAKPOINT, {act(PTRACE_CONT, SIGTRAP)}),
          stop(SIGTRAP, {}, {{F::STOP_BREAKPOINT}}),
          write(F::STOP_BREAKPOINT | F::FLAG_IGNORE, {act(PTRACE_CONT)})},
         [](FakeBackend& be) { be.trap_code[tid] = SI_KERNEL; }},
        {"D4: SINGLESTEP resumes by steps and reports our step's trap",
         {write(F::STOP_SINGLESTEP, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SINGLESTEP)}), stop(SIGTRAP, {}, {{F::STOP_SINGLESTEP}}),
          write(F::STOP_SINGLESTEP, {act(PTRACE_SINGLESTEP)})},
         [](FakeBackend& be) { be.trap_code[tid] = TRAP_TRACE; }},
        {"D4: the trap of a step we asked for is swallowed once SINGLESTEP is dropped",
         {write(F::STOP_SINGLESTEP, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SINGLESTEP)}), write(F::STOP_EXIT, {act(PTRACE_INTERRUPT)}),
          stop(SIGTRAP, {act(PTRACE_CONT)})},
         [](FakeBackend& be) { be.trap_code[tid] = TRAP_TRACE; }},
        {"D4: a step trap of a step nobody asked for is a SIGTRAP signal, delivered",
         {stop(SIGTRAP, {act(PTRACE_CONT, SIGTRAP)})},
         [](FakeBackend& be) {
             be.trap_code[tid] = TRAP_TRACE;
             be.status[tid] = proc_status();
         }},
        {"D4: SINGLESTEP|PRE at a syscall instruction resumes to its syscall stop",
         {write(F::STOP_SINGLESTEP | F::STOP_PRE_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {}, {{F::STOP_PRE_SYSCALL}}),
          write(F::STOP_SINGLESTEP | F::STOP_PRE_SYSCALL, {act(PTRACE_SINGLESTEP)})},
         [](FakeBackend& be) {
             be.regs[tid] = regs_with(~std::uint64_t{0}, 0);
             be.text[tid] = 0x050f;
         }},
        {"D7/B10: EXIT is reported with the wait status; the next write detaches, then ESRCH",
         {write(F::STOP_EXIT), stop(exit_stop, {}, {{F::STOP_EXIT, 3 << 8}}),
          write(F::STOP_EXIT, {act(PTRACE_DETACH)}), write(F::STOP_EXIT, {}, ESRCH)},
         [](FakeBackend& be) { be.event_msg[tid] = 3 << 8; }},
        {"spec 3.G/H5: a SIGKILL that took the tracee out of its held stop: no resume past "
         "its exit stop, which is reported",
         {write(F::STOP_SIGNAL | F::STOP_EXIT), stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, 0}}),
          before(write(F::STOP_SIGNAL | F::STOP_EXIT),
                 [](FakeBackend& be) { be.stops_waiting[tid] = {exit_stop}; }),
          before(stop(exit_stop, {}, {{F::STOP_EXIT, SIGKILL}}),
                 [](FakeBackend& be) { be.stops_waiting.erase(tid); }),
          write(F::STOP_EXIT, {act(PTRACE_DETACH)})},
         [](FakeBackend& be) {
             be.status[tid] = proc_status();
             be.event_msg[tid] = SIGKILL;
         }},
        {"spec 3.1: a stop another waiter took is found; a SIGKILL's exit stop then ends it, and "
         "the next write detaches from that exit stop",
         {write(F::STOP_EXIT), call([](shim::Requests& core, detail::Session& s) {
              core.check_stolen(s); // seen once: a suspect
              CHECK(s.error == 0);
              core.check_stolen(s); // twice: taken
              CHECK(s.error == ECHILD);
              s.error = 0;
          }),
          stop(exit_stop, {}, {{F::STOP_EXIT, SIGKILL}}),
          write(F::STOP_EXIT, {act(PTRACE_DETACH)})},
         [](FakeBackend& be) { be.event_msg[tid] = SIGKILL; }},
        {"D7: the core-dump bit is dropped",
         {write(F::STOP_EXIT), stop(exit_stop, {}, {{F::STOP_EXIT, SIGSEGV}})},
         [](FakeBackend& be) { be.event_msg[tid] = SIGSEGV | 0x80; }},
        {"D7/G2: without EXIT in the breakpoint the exit stop detaches at once",
         {write(F::STOP_SIGNAL), stop(exit_stop, {act(PTRACE_DETACH)}),
          write(F::STOP_SIGNAL, {}, ESRCH)},
         [](FakeBackend& be) { be.event_msg[tid] = 0; }},
        {"F1: EVENT_CLONE reports the new child, which is held frozen at its first stop",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}), first_stop_of(child)},
         [](FakeBackend& be) { be.event_msg[tid] = child; }},
        {"F1/F2: the next write releases a child whose EVENT_CLONE was read",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}), first_stop_of(child),
          after_read(write(F::EVENT_CLONE, {act(PTRACE_DETACH, 0, child)}))},
         [](FakeBackend& be) { be.event_msg[tid] = child; }},
        {"F2: a child whose EVENT_CLONE is unread stays frozen across writes",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}), first_stop_of(child),
          write(F::EVENT_CLONE), write(F::EVENT_CLONE | F::STOP_EXIT)},
         [](FakeBackend& be) { be.event_msg[tid] = child; }},
        {"decision 10: the close releases children whose EVENT_CLONE was never read",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}), first_stop_of(child),
          close_handle({act(PTRACE_DETACH, 0, child), act(PTRACE_INTERRUPT)})},
         [](FakeBackend& be) { be.event_msg[tid] = child; }},
        {"A5/B5: O_TRUNC holds the tracee at once, with no event, until the first write",
         {stop(interrupt, {}), write(F::STOP_PRE_SYSCALL, {act(PTRACE_SYSCALL)})},
         [](FakeBackend&) {},
         O_RDWR | O_TRUNC,
         [](Rig& rig) { CHECK(rig.attach_req.done); }},
        {"H5: a frozen tracee that is killed is not held at its exit stop",
         {stop(interrupt, {}), stop(exit_stop, {act(PTRACE_DETACH)})},
         [](FakeBackend& be) { be.event_msg[tid] = SIGKILL; },
         O_RDWR | O_TRUNC},
        {"H1/D5: SIGSTOP's delivery is a SIGNAL event; the group-stop after it is listened",
         {write(F::STOP_SIGNAL), stop(SIGSTOP, {}, {{F::STOP_SIGNAL, SIGSTOP, 0}}),
          write(F::STOP_SIGNAL, {act(PTRACE_CONT, SIGSTOP)}),
          stop(event_stop(PTRACE_EVENT_STOP, SIGSTOP), {act(PTRACE_LISTEN)})},
         [](FakeBackend& be) { be.status[tid] = proc_status(); }},
        {"H3: a group-stop is listened, never resumed",
         {stop(SIGSTOP, {act(PTRACE_CONT, SIGSTOP)}),
          stop(event_stop(PTRACE_EVENT_STOP, SIGSTOP), {act(PTRACE_LISTEN)})},
         [](FakeBackend& be) { be.status[tid] = proc_status(); }},
        {"decision 17: a successful execve has no POST",
         {write(F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          stop(exec_stop, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}})},
         [](FakeBackend& be) {
             be.event_msg[tid] = tid;
             be.regs[tid] = regs_with(SYS_getpid, tid);
         }},
        {"decision 26: STOP_EXEC reports an exec with the TID that called it and holds the "
         "tracee until the next write",
         {write(F::STOP_EXEC), stop(exec_stop, {}, {{F::STOP_EXEC, tid}}),
          write(F::STOP_EXEC | F::STOP_EXIT, {act(PTRACE_CONT)})},
         [](FakeBackend& be) { be.event_msg[tid] = tid; }},
        {"decision 26: without STOP_EXEC in the breakpoint an exec goes on unreported",
         {write(F::STOP_EXIT), stop(exec_stop, {act(PTRACE_CONT)})},
         [](FakeBackend& be) { be.event_msg[tid] = tid; }},
        {"decision 26/17: with POST too, the exec is reported and the execve has no POST",
         {write(F::STOP_POST_SYSCALL | F::STOP_EXEC, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          stop(exec_stop, {}, {{F::STOP_EXEC, tid}}),
          write(F::STOP_POST_SYSCALL | F::STOP_EXEC, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}})},
         [](FakeBackend& be) {
             be.event_msg[tid] = tid;
             be.regs[tid] = regs_with(SYS_getpid, tid);
         }},
        {"decision 26: an exec from a non-leader thread is reported under the leader's TID, "
         "`a` the thread's own",
         {write(F::STOP_EXEC), stop(exec_stop, {}, {{F::STOP_EXEC, tid}}, leader)},
         [](FakeBackend& be) {
             be.status[tid] = thread_status();
             be.event_msg[leader] = static_cast<unsigned long>(tid);
         },
         O_RDWR,
         [](Rig& rig) { CHECK(rig.s->tid == leader); }},
        {"exec from a non-leader thread: between the TID swap and the exec stop, its own TID "
         "names no task; the sweep keeps it, and the exec stop under the leader's TID goes on "
         "with its session",
         {write(F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          before(call([](shim::Requests& core, detail::Session& s) {
                     core.sweep_vanished_every(std::chrono::milliseconds(0));
                     CHECK(s.tracee != nullptr);
                 }),
                 [](FakeBackend& be) {
                     be.exited.insert(tid); // its thread pidfd polls readable
                     be.state[tid] = '?';
                     be.state[leader] = 'R';
                 }),
          stop(exec_stop, {act(PTRACE_SYSCALL, 0, leader)}, Events{}, leader)},
         [](FakeBackend& be) {
             be.status[tid] = thread_status();
             be.event_msg[leader] = static_cast<unsigned long>(tid);
             be.regs[tid] = regs_with(SYS_execve, 0);
             be.regs[leader] = regs_with(SYS_execve, 0);
         },
         O_RDWR,
         [](Rig& rig) { CHECK(rig.s->tid == leader); }},
        {"a non-leader thread that ended with its process (a zombie under its own TID) is "
         "swept although its leader lives on for a moment",
         {write(F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}),
          before(call([](shim::Requests& core, detail::Session& s) {
                     core.sweep_vanished_every(std::chrono::milliseconds(0));
                     CHECK(s.tracee == nullptr);
                 }),
                 [](FakeBackend& be) {
                     be.exited.insert(tid);
                     be.state[tid] = 'Z';
                     be.state[leader] = 'R';
                 })},
         [](FakeBackend& be) { be.status[tid] = thread_status(); }},
        {"decision 18: an interrupted syscall's exit and its restart's entry are folded",
         {write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}), stop(syscall_stop, {}, {{F::STOP_PRE_SYSCALL}}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {act(PTRACE_SYSCALL)}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_read, neg(-512)); }),
          before(stop(syscall_stop, {act(PTRACE_SYSCALL)}),
                 [](FakeBackend& be) {
                     __ptrace_syscall_info info{};
                     info.op = PTRACE_SYSCALL_INFO_ENTRY;
                     info.instruction_pointer = 0x401000;
                     info.entry.nr = SYS_read;
                     be.sys_info[tid] = info;
                 }),
          before(stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}}),
                 [](FakeBackend& be) {
                     be.regs[tid] = regs_with(SYS_read, 5);
                     be.sys_info.erase(tid);
                 })}},
        {"I1: closing at a held SIGNAL stop detaches with the signal",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, 0}}),
          close_handle({act(PTRACE_DETACH, SIGUSR1)})},
         [](FakeBackend& be) { be.status[tid] = proc_status(); }},
        {"I1: closing a running tracee stops it and detaches at that stop",
         {close_handle({act(PTRACE_INTERRUPT)}), stop(interrupt, {act(PTRACE_DETACH)})},
         [](FakeBackend&) {},
         O_RDWR,
         [](Rig& rig) {
             CHECK(rig.close_req.done);
             CHECK(rig.close_req.err == 0);
         }},
        {"A6/decision 14: closing an O_EXCL handle kills the tracee",
         {write(F::STOP_SIGNAL), stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, 0}}),
          close_handle({})},
         [](FakeBackend& be) { be.status[tid] = proc_status(); },
         O_RDWR | O_EXCL,
         [](Rig& rig) {
             REQUIRE(rig.be.killed.size() == 1);
             CHECK(rig.be.killed[0] == std::pair<pid_t, int>{tid, SIGKILL});
         }},
        // Issue 12: syscall sets, on the kernel path (seccomp stops) and the shim path.
        {"issue 12/D1/D2: a seccomp stop is PRE, resumed with PTRACE_SYSCALL for its POST; "
         "the tracee runs under PTRACE_CONT between them",
         {with_filter(SyscallSet{SYS_getppid}, SyscallSet{SYS_getppid}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_CONT)}),
          before(stop(seccomp_stop, {}, {{F::STOP_PRE_SYSCALL}}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, neg(-ENOSYS)); }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}}),
                 [](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, 1234); }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_CONT)})}},
        {"issue 12: narrowed below the filter, a seccomp stop outside the set passes silently",
         {with_filter(SyscallSet{SYS_getppid, SYS_gettid}, SyscallSet{SYS_gettid}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_CONT)}),
          before(stop(seccomp_stop, {act(PTRACE_CONT)}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, neg(-ENOSYS)); }),
          before(stop(seccomp_stop, {}, {{F::STOP_PRE_SYSCALL}}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_gettid, neg(-ENOSYS)); })}},
        {"issue 12/D1: widened past the filter, PTRACE_SYSCALL; the seccomp stop after an entry "
         "stop is folded (PRE once); a syscall outside the set passes, entry and exit",
         {with_filter(SyscallSet{SYS_getppid}, SyscallSet{SYS_getppid, SYS_gettid}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {}, {{F::STOP_PRE_SYSCALL}}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, neg(-ENOSYS)); }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)}),
          stop(seccomp_stop, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}}),
                 [](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, 1234); }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {act(PTRACE_SYSCALL)}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getpid, neg(-ENOSYS)); }),
          before(stop(syscall_stop, {act(PTRACE_SYSCALL)}),
                 [](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getpid, tid); })}},
        {"issue 12/E1: IGNORE at a seccomp PRE skips the syscall (orig_rax -1); POST follows",
         {with_filter(SyscallSet{SYS_getppid}, SyscallSet{SYS_getppid}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_CONT)}),
          stop(seccomp_stop, {}, {{F::STOP_PRE_SYSCALL}}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL | F::FLAG_IGNORE,
                {act(PTRACE_SETREGS), act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}})},
         [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, neg(-ENOSYS)); },
         O_RDWR,
         [](Rig& rig) {
             CHECK(rig.be.regs[tid].orig_rax == ~std::uint64_t{0});
             CHECK(rig.be.regs[tid].rax == SYS_getppid);
         }},
        {"issue 12/decision 18: on the kernel path the -ERESTART exit and the restart's seccomp "
         "stop are folded: PRE, SIGNAL, POST",
         {with_filter(SyscallSet{SYS_read}, SyscallSet{SYS_read}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL | F::STOP_SIGNAL,
                {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_CONT)}),
          before(stop(seccomp_stop, {}, {{F::STOP_PRE_SYSCALL}}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_read, neg(-ENOSYS)); }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL | F::STOP_SIGNAL, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {act(PTRACE_CONT)}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_read, neg(-512)); }),
          stop(SIGUSR1, {}, {{F::STOP_SIGNAL, SIGUSR1, 0}}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL | F::STOP_SIGNAL,
                {act(PTRACE_CONT, SIGUSR1)}),
          before(stop(seccomp_stop, {act(PTRACE_SYSCALL)}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_read, neg(-ENOSYS)); }),
          before(stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}}),
                 [](FakeBackend& be) { be.regs[tid] = regs_with(SYS_read, 1); })},
         [](FakeBackend& be) { be.status[tid] = proc_status(); }},
        {"issue 12: shim path: outside the set, entry and exit pass; another architecture stops",
         {with_filter(std::nullopt, SyscallSet{SYS_getppid}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {act(PTRACE_SYSCALL)}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getpid, neg(-ENOSYS)); }),
          stop(syscall_stop, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {}, {{F::STOP_PRE_SYSCALL}}),
                 [](FakeBackend& be) {
                     __ptrace_syscall_info info{};
                     info.op = PTRACE_SYSCALL_INFO_ENTRY;
                     info.arch = AUDIT_ARCH_I386;
                     info.entry.nr = 20; // getpid of int 0x80
                     be.sys_info[tid] = info;
                 }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)}),
          stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}})}},
        {"issue 12/F1: on the kernel path a clone event of a syscall outside the set is not "
         "followed to its exit (no POST): PTRACE_CONT",
         {with_filter(SyscallSet{SYS_getppid}, SyscallSet{SYS_getppid}),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_CONT)}),
          before(stop(seccomp_stop, {}, {{F::STOP_PRE_SYSCALL}}),
                 [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, neg(-ENOSYS)); }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_SYSCALL)}),
          before(stop(syscall_stop, {}, {{F::STOP_POST_SYSCALL}}),
                 [](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, 1234); }),
          write(F::STOP_PRE_SYSCALL | F::STOP_POST_SYSCALL, {act(PTRACE_CONT)}),
          before(stop(clone_stop, {act(PTRACE_CONT)}),
                 [neg](FakeBackend& be) {
                     be.regs[tid] = regs_with(SYS_clone, neg(-ENOSYS));
                     be.event_msg[tid] = child;
                 })}},
        {"issue 12/D4: with SINGLESTEP the kernel path still steps over a syscall instruction "
         "with PTRACE_SYSCALL (syscall stops first)",
         {with_filter(SyscallSet{SYS_getppid}, SyscallSet{SYS_getppid}),
          write(F::STOP_PRE_SYSCALL | F::STOP_SINGLESTEP, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_SYSCALL)})},
         [](FakeBackend& be) {
             be.regs[tid] = regs_with(0, 0);
             be.text[tid] = 0x050f; // syscall
         }},
        {"issue 12: a closed handle's filtered tracee stays traced silently until its exit",
         {with_filter(SyscallSet{SYS_getppid}, SyscallSet{SYS_getppid}),
          write(F::STOP_PRE_SYSCALL, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, kernel_opts), act(PTRACE_CONT)}),
          stop(seccomp_stop, {}, {{F::STOP_PRE_SYSCALL}}), close_handle({act(PTRACE_CONT)}),
          stop(seccomp_stop, {act(PTRACE_CONT)}), stop(exit_stop, {act(PTRACE_DETACH)})},
         [neg](FakeBackend& be) { be.regs[tid] = regs_with(SYS_getppid, neg(-ENOSYS)); }},
        {"B1/B2: a short write does nothing; bits above the op mask are EINVAL",
         {[] {
              Step s = write(F::STOP_PRE_SYSCALL);
              s.len = 4;
              return s;
          }(),
          [] {
              Step s = write(F::STOP_PRE_SYSCALL);
              s.op = std::uint64_t{1} << 20;
              s.err = EINVAL;
              return s;
          }()}},
    };
}

} // namespace

TEST_CASE("machine: rules B to I on a scripted backend, scenario by scenario") {
    run_all(scenarios(), EventCheck::PerStep);
}

TEST_CASE("decision 26: an exec stop asks Linux once for the TID that called exec") {
    // From the leader (the TID stays) and from a non-leader thread (the record is re-keyed
    // to the leader's TID): one PTRACE_GETEVENTMSG either way, and `a` is that TID.
    for (const pid_t who : {tid, leader}) {
        CAPTURE(who);
        Rig rig(O_RDWR, EventCheck::PerStep);
        if (who == leader) {
            rig.be.status[tid] = thread_status();
        }
        rig.be.event_msg[who] = static_cast<unsigned long>(tid);
        rig.run(write(F::STOP_EXEC), 0);
        rig.core.dispatch(who, CLD_TRAPPED, exec_stop);
        std::size_t asked = 0;
        for (const test_support::PtraceCall& c : rig.be.calls) {
            asked += c.request == PTRACE_GETEVENTMSG && c.tid == who ? 1 : 0;
        }
        CHECK(asked == 1);
        CHECK(rig.s->tid == who);
        REQUIRE(rig.s->queue.size() == 1);
        CHECK(shim::rules::cause_bits(rig.s->queue.front()) == F::STOP_EXEC.bits());
        CHECK(rig.s->queue.front().a == static_cast<std::uint64_t>(tid));
    }
}
