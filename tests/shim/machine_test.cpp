// SPDX-License-Identifier: MIT
// The shim's machine without a tracee: scenarios of writes, synthetic wait statuses and
// closes, run through shim::Requests on a scripted backend (tests/support/fake_backend.hpp).
// Each step lists the ptrace requests that act on the task (resumes, detaches, interrupts,
// register and option writes) and the events queued, exactly and in order.
#include <ptrace/shim/requests.hpp>
#include <ptrace/shim/rules.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <linux/audit.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_backend.hpp"

namespace {

using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
using ptrace_api::SyscallSet;
using test_support::FakeBackend;
using test_support::PtraceCall;
namespace shim = ptrace_api::shim;
namespace detail = ptrace_api::shim::detail;
using F = PtraceFlags;

constexpr pid_t tid = 4242;
constexpr pid_t child = 4343;

constexpr int event_stop(int event, int sig = SIGTRAP) {
    return sig | (event << 8);
}
constexpr int interrupt = event_stop(PTRACE_EVENT_STOP);
constexpr int syscall_stop = SIGTRAP | 0x80;
constexpr int exit_stop = event_stop(PTRACE_EVENT_EXIT);
constexpr int clone_stop = event_stop(PTRACE_EVENT_CLONE);
constexpr int exec_stop = event_stop(PTRACE_EVENT_EXEC);

/// An expected event: cause, a, b (the other fields are zero, spec 1.2).
struct Ev {
    PtraceFlags cause;
    std::uint64_t a = 0;
    std::uint64_t b = 0;
};

PtraceCall act(long request, long data = 0, pid_t who = tid) {
    return {request, who, static_cast<std::uintptr_t>(data)};
}

/// One step of a scenario.
struct Step {
    enum class Kind { Write, Stop, Close, Call } kind = Kind::Stop;
    std::uint64_t op = 0; ///< Write: the 8 bytes
    std::size_t len = 8;  ///< Write: the length
    int status = 0;       ///< Stop: waitid's si_status for CLD_TRAPPED
    pid_t who = tid;      ///< Stop: the task
    std::vector<PtraceCall> actions;
    std::vector<Ev> events;
    int err = 0;                                ///< Write: the errno
    std::function<void(FakeBackend&)> before;   ///< changes the script first
    std::function<void(detail::Session&)> read; ///< what a read of the handle does first
    std::function<void(shim::Requests&, detail::Session&)> call; ///< Call: what runs
};

Step write(PtraceFlags flags, std::vector<PtraceCall> actions = {}, int err = 0) {
    Step s;
    s.kind = Step::Kind::Write;
    s.op = flags.bits();
    s.actions = std::move(actions);
    s.err = err;
    return s;
}

Step stop(int status, std::vector<PtraceCall> actions, std::vector<Ev> events = {},
          pid_t who = tid) {
    Step s;
    s.status = status;
    s.actions = std::move(actions);
    s.events = std::move(events);
    s.who = who;
    return s;
}

Step close_handle(std::vector<PtraceCall> actions) {
    Step s;
    s.kind = Step::Kind::Close;
    s.actions = std::move(actions);
    return s;
}

template <class Fn>
Step call(Fn fn) {
    Step s;
    s.kind = Step::Kind::Call;
    s.call = fn;
    return s;
}

template <class Fn>
Step before(Step s, Fn fn) {
    s.before = fn;
    return s;
}

/// `s`, after a read of every queued event (what proc.hpp's read does for F2): the children
/// those events named are now read.
Step after_read(Step s) {
    s.read = [](detail::Session& session) {
        session.read_children.insert(session.read_children.end(), session.unread_children.begin(),
                                     session.unread_children.end());
        session.unread_children.clear();
    };
    return s;
}

std::string text(const std::vector<PtraceCall>& calls) {
    std::string out;
    for (const PtraceCall& c : calls) {
        out += "(" + std::to_string(c.request) + " tid " + std::to_string(c.tid) + " data " +
               std::to_string(c.data) + ") ";
    }
    return out;
}

/// A session attached to `tid` through the machine, as proc.hpp's open does.
struct Rig {
    FakeBackend be;
    shim::Requests core{be, ::getpid(), false};
    std::shared_ptr<detail::Session> s = std::make_shared<detail::Session>();
    detail::Request attach_req;
    detail::Request close_req;

    explicit Rig(int oflags) {
        s->tid = tid;
        s->oflags = oflags;
        const bool stop_now = (oflags & O_TRUNC) != 0; // A5
        const bool completed = core.attach(attach_req, s, stop_now, (oflags & O_EXCL) != 0);
        const long options = shim::seize_options | ((oflags & O_EXCL) != 0 ? PTRACE_O_EXITKILL : 0);
        const auto seized = be.take_actions();
        REQUIRE(!seized.empty());
        CHECK(seized[0] == act(PTRACE_SEIZE, options));
        if (stop_now) {
            CHECK_FALSE(completed); // completes at the first stop
            CHECK(seized == std::vector{act(PTRACE_SEIZE, options), act(PTRACE_INTERRUPT)});
        } else {
            CHECK(completed);
            CHECK(attach_req.done);
            CHECK(attach_req.err == 0);
            CHECK(seized.size() == 1);
        }
    }

    void run(const Step& step, std::size_t index) {
        CAPTURE(index);
        if (step.before) {
            step.before(be);
        }
        if (step.read) {
            step.read(*s);
        }
        detail::Request req;
        switch (step.kind) {
        case Step::Kind::Write: {
            const bool completed = core.write_op(req, *s, step.len, step.op);
            CHECK(completed);
            CHECK(req.done);
            CHECK(req.err == step.err);
            if (step.err == 0) {
                CHECK(req.value == (step.len < 8 ? 0U : 8U));
            }
            break;
        }
        case Step::Kind::Stop:
            core.dispatch(step.who, CLD_TRAPPED, step.status);
            break;
        case Step::Kind::Call:
            step.call(core, *s);
            break;
        case Step::Kind::Close:
            // A close may complete at a later stop: its request outlives the step.
            (void)core.close_session(close_req, *s);
            break;
        }
        const auto got = be.take_actions();
        CHECK_MESSAGE(got == step.actions, "got " << text(got) << "want " << text(step.actions));
        std::vector<Ev> events;
        CHECK(s->queue.size() == step.events.size());
        for (std::size_t i = 0; i < step.events.size() && !s->queue.empty(); ++i) {
            const PtraceEvent ev = s->queue.front();
            s->queue.pop_front();
            CHECK(shim::rules::cause_bits(ev) == step.events[i].cause.bits());
            CHECK(ev.a == step.events[i].a);
            CHECK(ev.b == step.events[i].b);
            CHECK(ev.c == 0);
        }
        s->queue.clear();
    }
};

struct Scenario {
    const char* what;
    std::vector<Step> steps;
    std::function<void(FakeBackend&)> script = [](FakeBackend&) {};
    int oflags = O_RDWR;
    std::function<void(Rig&)> check = [](Rig&) {};
};

user_regs_struct regs_with(std::uint64_t orig_rax, std::uint64_t rax,
                           std::uint64_t rip = 0x401000) {
    user_regs_struct r{};
    r.orig_rax = orig_rax;
    r.rax = rax;
    r.rip = rip;
    return r;
}

shim::sys::ProcStatus proc_status(std::uint64_t caught = 0, std::uint64_t ignored = 0) {
    shim::sys::ProcStatus st{};
    st.state = 't';
    st.tgid = tid;
    st.ppid = 1;
    st.sig_cgt = caught;
    st.sig_ign = ignored;
    return st;
}

/// The leader of the thread group of `tid` when a scenario makes `tid` a non-leader thread.
constexpr pid_t leader = 4200;

/// /proc/<tid>/status of `tid` as a non-leader thread of `leader`'s process.
shim::sys::ProcStatus thread_status() {
    shim::sys::ProcStatus st = proc_status();
    st.tgid = leader;
    return st;
}

const long clone_opts = shim::seize_options | shim::clone_options;
const long kernel_opts = clone_opts | PTRACE_O_TRACESECCOMP;
constexpr int seccomp_stop = event_stop(PTRACE_EVENT_SECCOMP);

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
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, shim::seize_options, child)}, {}, child)},
         [](FakeBackend& be) { be.event_msg[tid] = child; }},
        {"F1/F2: the next write releases a child whose EVENT_CLONE was read",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, shim::seize_options, child)}, {}, child),
          after_read(write(F::EVENT_CLONE, {act(PTRACE_DETACH, 0, child)}))},
         [](FakeBackend& be) { be.event_msg[tid] = child; }},
        {"F2: a child whose EVENT_CLONE is unread stays frozen across writes",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, shim::seize_options, child)}, {}, child),
          write(F::EVENT_CLONE), write(F::EVENT_CLONE | F::STOP_EXIT)},
         [](FakeBackend& be) { be.event_msg[tid] = child; }},
        {"decision 10: the close releases children whose EVENT_CLONE was never read",
         {write(F::EVENT_CLONE, {act(PTRACE_INTERRUPT)}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, clone_opts), act(PTRACE_CONT)}),
          stop(clone_stop, {act(PTRACE_CONT)}, {{F::EVENT_CLONE, child}}),
          stop(interrupt, {act(PTRACE_SETOPTIONS, shim::seize_options, child)}, {}, child),
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
          stop(exec_stop, {act(PTRACE_SYSCALL, 0, leader)}, {}, leader)},
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
    for (const Scenario& sc : scenarios()) {
        CAPTURE(std::string(sc.what));
        Rig rig(sc.oflags);
        sc.script(rig.be);
        for (std::size_t i = 0; i < sc.steps.size(); ++i) {
            rig.run(sc.steps[i], i);
        }
        sc.check(rig);
    }
}
