// SPDX-License-Identifier: MIT
// The scenario vocabulary of the shim's rule tests without a tracee (tests/shim/
// machine_test.cpp, events_test.cpp): a session attached to one task through the machine
// (shim::Requests) on the scripted backend (fake_backend.hpp), driven step by step by writes,
// synthetic wait statuses, closes, reads of the handle and calls. Each step lists the ptrace
// requests that act on the task (resumes, detaches, interrupts, register and option writes),
// exactly and in order, and may check what follows it. Two ways to look at the event queue
// (EventCheck): each step's events taken off it as they are queued (the machine's rules),
// or the queue left alone and read only by Read steps as io.hpp's read does (section C).
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/events.hpp>
#include <ptrace/shim/fd.hpp>
#include <ptrace/shim/requests.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_backend.hpp"

namespace test_support::scenario {

using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
namespace detail = ptrace_api::shim::detail;

/// The task every scenario attaches to.
constexpr pid_t tid = 4242;
constexpr std::size_t ev_size = sizeof(PtraceEvent);

// ---- wait statuses (waitid's si_status for CLD_TRAPPED) ----

constexpr int event_stop(int event, int sig = SIGTRAP) {
    return sig | (event << 8);
}
constexpr int interrupt = event_stop(PTRACE_EVENT_STOP);
constexpr int syscall_stop = SIGTRAP | 0x80;
constexpr int exit_stop = event_stop(PTRACE_EVENT_EXIT);
constexpr int clone_stop = event_stop(PTRACE_EVENT_CLONE);
constexpr int exec_stop = event_stop(PTRACE_EVENT_EXEC);
constexpr int seccomp_stop = event_stop(PTRACE_EVENT_SECCOMP);

// ---- the options the machine sets ----

const long clone_opts = shim::seize_options | shim::clone_options;
const long kernel_opts = clone_opts | PTRACE_O_TRACESECCOMP; // issue 12: with a filter

/// An expected event: cause, a, b (the other fields are zero, spec 1.2).
struct Ev {
    PtraceFlags cause;
    std::uint64_t a = 0;
    std::uint64_t b = 0;
};

/// An expected ptrace request of `who`.
inline PtraceCall act(long request, long data = 0, pid_t who = tid) {
    return {request, who, static_cast<std::uintptr_t>(data)};
}

/// /proc/<tid>/status of `tid` stopped, a process of its own, with these signal masks.
inline shim::sys::ProcStatus proc_status(std::uint64_t caught = 0, std::uint64_t ignored = 0) {
    shim::sys::ProcStatus st{};
    st.state = 't';
    st.tgid = tid;
    st.ppid = 1;
    st.sig_cgt = caught;
    st.sig_ign = ignored;
    return st;
}

inline user_regs_struct regs_with(std::uint64_t orig_rax, std::uint64_t rax,
                                  std::uint64_t rip = 0x401000) {
    user_regs_struct r{};
    r.orig_rax = orig_rax;
    r.rax = rax;
    r.rip = rip;
    return r;
}

/// How a scenario looks at the events its steps queue.
enum class EventCheck {
    /// Each step's `events` are exactly the events it queued, taken off the queue after it.
    PerStep,
    /// The queue is only taken by Read steps (their `events`: exactly what is read); the
    /// other steps check it through After.
    ByReads,
};

/// What must hold after a step; unset members are not checked. (The default member
/// initializers keep GCC 12's -Wmissing-field-initializers quiet about designated ones.)
struct After {
    std::optional<std::size_t> queued = std::nullopt; ///< events still queued
    std::optional<bool> at_once = std::nullopt; ///< a blocking write would return at once (B7)
    std::optional<bool> held = std::nullopt;    ///< the tracee sits at a reported stop (C4)
    std::optional<bool> ready = std::nullopt;   ///< the handle's eventfd polls readable (C8)
    std::optional<bool> exited = std::nullopt;  ///< the session saw its tracee's end (G1)
};

struct Rig;

/// One step of a scenario.
struct Step {
    enum class Kind { Write, Stop, Close, Call, Read, Publish } kind = Kind::Stop;
    std::uint64_t op = 0;      ///< Write: the 8 bytes
    std::size_t len = 8;       ///< Write: the length; Read: the buffer's length
    int err = 0;               ///< Write: the errno
    int status = 0;            ///< Stop: waitid's si_status for CLD_TRAPPED
    pid_t who = tid;           ///< Stop: the task
    bool wakes_writer = false; ///< Stop: a write blocked before it must be woken (C5, B7)
    std::vector<PtraceCall> actions;
    /// PerStep: the events the step queued; ByReads: Read, exactly the events read.
    std::vector<Ev> events;
    After after;
    std::function<void(FakeBackend&)> before;         ///< changes the script first
    std::function<void(detail::Session&)> read_first; ///< what a read of the handle does first
    std::function<void(shim::Requests&, detail::Session&)> call; ///< Call: what runs
};

inline Step write(std::uint64_t op, std::vector<PtraceCall> actions = {}, int err = 0) {
    Step s;
    s.kind = Step::Kind::Write;
    s.op = op;
    s.actions = std::move(actions);
    s.err = err;
    return s;
}

inline Step write(PtraceFlags op, std::vector<PtraceCall> actions = {}, int err = 0) {
    return write(op.bits(), std::move(actions), err);
}

inline Step write(std::uint64_t op, std::vector<PtraceCall> actions, After after, int err = 0) {
    Step s = write(op, std::move(actions), err);
    s.after = after;
    return s;
}

inline Step write(PtraceFlags op, std::vector<PtraceCall> actions, After after, int err = 0) {
    return write(op.bits(), std::move(actions), after, err);
}

/// The events a step is expected to queue, in order (EventCheck::PerStep). A class, not a
/// vector, so that a braced list of Ev and a designated After never make two stop() overloads
/// ambiguous under GCC 12 (an empty list still does: write Events{} then).
struct Events {
    Events() = default;
    Events(std::initializer_list<Ev> events) : list(events) {}
    std::vector<Ev> list;
};

/// A stop of `who` with the wait status `status`.
inline Step stop(int status, std::vector<PtraceCall> actions, Events events = {}, pid_t who = tid) {
    Step s;
    s.status = status;
    s.actions = std::move(actions);
    s.events = std::move(events.list);
    s.who = who;
    return s;
}

inline Step stop(int status, std::vector<PtraceCall> actions, After after, pid_t who = tid) {
    Step s = stop(status, std::move(actions), Events{}, who);
    s.after = after;
    return s;
}

/// The first stop of an auto-attached child held frozen (F1): its options are set there.
inline Step first_stop_of(pid_t child) {
    return stop(interrupt, {act(PTRACE_SETOPTIONS, shim::seize_options, child)}, Events{}, child);
}

inline Step close_handle(std::vector<PtraceCall> actions) {
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

/// Reads `len` bytes: exactly `events`, and no ptrace request (reading resumes nothing, C4).
inline Step read(std::size_t len, std::vector<Ev> events, After after = {}) {
    Step s;
    s.kind = Step::Kind::Read;
    s.len = len;
    s.events = std::move(events);
    s.after = after;
    return s;
}

/// The tracer thread is about to wait again: it raises the eventfds of unread events (the
/// runtime's publish hook, Tracees::flush_ready).
inline Step publish(After after) {
    Step s;
    s.kind = Step::Kind::Publish;
    s.after = after;
    return s;
}

template <class Fn>
Step before(Step s, Fn fn) {
    s.before = fn;
    return s;
}

/// `s`, after a read of every queued event (what proc.hpp's read does for F2): the children
/// those events named are now read.
inline Step after_read(Step s) {
    s.read_first = [](detail::Session& session) {
        session.read_children.insert(session.read_children.end(), session.unread_children.begin(),
                                     session.unread_children.end());
        session.unread_children.clear();
    };
    return s;
}

/// `s`, a stop that comes while a blocking write waits: it must wake that write.
inline Step waking(Step s) {
    s.wakes_writer = true;
    return s;
}

/// A session attached to `tid` through the machine, as proc.hpp's open does (with the
/// eventfd it gives a trace handle).
struct Rig {
    FakeBackend be;
    shim::Requests core{be, ::getpid(), false};
    std::shared_ptr<detail::Session> s = std::make_shared<detail::Session>();
    detail::Request attach_req;
    detail::Request close_req;
    shim::sys::UniqueFd<> efd{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
    std::mutex mu; ///< the Shim's mutex: held by the tracer thread and by a waiting write
    EventCheck check;

    Rig(int oflags, EventCheck how) : check(how) {
        REQUIRE(efd.get() >= 0);
        s->tid = tid;
        s->oflags = oflags;
        s->efd = efd.get();
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

    /// io.hpp's read_events without its mutex: take_events, then the eventfd drained once the
    /// handle is not readable any more (C8). The buffer is followed by a guard that a read
    /// ignoring `len` would overwrite (C1).
    std::vector<PtraceEvent> read_events(std::size_t len) {
        constexpr std::size_t guard = 8 * ev_size;
        std::vector<std::byte> buf(len + guard, std::byte{0xa5});
        const detail::TakenEvents taken =
            detail::take_events(*s, std::span<std::byte>(buf.data(), len));
        if (!taken.still_readable) {
            shim::Requests::drain_ready(*s);
        }
        CHECK(taken.bytes <= len);
        CHECK(taken.bytes % ev_size == 0);
        CHECK(taken.still_readable == detail::readable(*s));
        const auto past = buf.begin() + static_cast<std::ptrdiff_t>(len);
        CHECK(std::all_of(past, buf.end(), [](std::byte b) { return b == std::byte{0xa5}; }));
        std::vector<PtraceEvent> out(std::min(taken.bytes, len) / ev_size);
        if (!out.empty()) {
            std::memcpy(out.data(), buf.data(), out.size() * ev_size);
        }
        return out;
    }

    bool polls_readable() const {
        pollfd p{efd.get(), POLLIN, 0};
        return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
    }

    /// Dispatches the stop while another thread waits as io.hpp's blocking write does (the
    /// mutex, the session's condition variable, write_wait_over). \returns true when that
    /// thread was woken with its wait over; false when it still waited 2 s later (nobody
    /// notified it).
    bool stop_waking_writer(const Step& step) {
        bool waiting = false;
        bool woken = false;
        std::thread writer([&] {
            std::unique_lock<std::mutex> lk(mu);
            waiting = true;
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
            while (!detail::write_wait_over(*s)) {
                if (s->cv.wait_until(lk, deadline) == std::cv_status::timeout) {
                    return;
                }
            }
            woken = true;
        });
        for (;;) {
            std::unique_lock<std::mutex> lk(mu);
            if (waiting) { // the writer holds the mutex until it sleeps on the cv
                core.dispatch(step.who, CLD_TRAPPED, step.status);
                break;
            }
            lk.unlock();
            std::this_thread::yield();
        }
        writer.join();
        return woken;
    }

    static void check_event(const PtraceEvent& got, const Ev& want) {
        CHECK(shim::rules::cause_bits(got) == want.cause.bits());
        CHECK(got.a == want.a);
        CHECK(got.b == want.b);
        CHECK(got.c == 0);
    }

    void run(const Step& step, std::size_t index) {
        CAPTURE(index);
        if (step.before) {
            step.before(be);
        }
        if (step.read_first) {
            step.read_first(*s);
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
            if (step.wakes_writer) {
                REQUIRE_FALSE(detail::write_wait_over(*s)); // the write would sleep first
                CHECK(stop_waking_writer(step));
                CHECK_FALSE(detail::write_wait_exited(*s)); // B9: the write returns 8
            } else {
                core.dispatch(step.who, CLD_TRAPPED, step.status);
            }
            break;
        case Step::Kind::Call:
            step.call(core, *s);
            break;
        case Step::Kind::Close:
            // A close may complete at a later stop: its request outlives the step.
            (void)core.close_session(close_req, *s);
            break;
        case Step::Kind::Read: {
            const std::vector<PtraceEvent> got = read_events(step.len);
            CHECK(got.size() == step.events.size());
            for (std::size_t i = 0; i < got.size() && i < step.events.size(); ++i) {
                CAPTURE(i);
                check_event(got[i], step.events[i]);
                CHECK(got[i].d == 0);
                CHECK(got[i].e == 0);
                CHECK(got[i].f == 0);
            }
            break;
        }
        case Step::Kind::Publish:
            core.flush_ready();
            // Whenever the tracer thread waits, the eventfd says what C8's level says.
            CHECK(polls_readable() == detail::readable(*s));
            break;
        }
        const auto got = be.take_actions();
        CHECK_MESSAGE(got == step.actions, "got " << text(got) << "want " << text(step.actions));
        if (check == EventCheck::PerStep) {
            CHECK(s->queue.size() == step.events.size());
            for (std::size_t i = 0; i < step.events.size() && !s->queue.empty(); ++i) {
                const PtraceEvent ev = s->queue.front();
                s->queue.pop_front();
                check_event(ev, step.events[i]);
            }
            s->queue.clear();
        }
        check_after(step.after);
    }

    void check_after(const After& a) {
        if (a.queued) {
            CHECK(s->queue.size() == *a.queued);
        }
        if (a.at_once) {
            CHECK(detail::write_wait_over(*s) == *a.at_once);
        }
        if (a.held) {
            const detail::Tracee* t = core.find_tracee(tid);
            CHECK((t != nullptr && t->run == detail::Run::Held) == *a.held);
        }
        if (a.ready) {
            CHECK(polls_readable() == *a.ready);
        }
        if (a.exited) {
            CHECK(s->exited == *a.exited);
        }
    }
};

struct Scenario {
    const char* what;
    std::vector<Step> steps;
    std::function<void(FakeBackend&)> script = [](FakeBackend&) {};
    int oflags = O_RDWR;
    std::function<void(Rig&)> check = [](Rig&) {};
};

/// Runs each scenario on a rig of its own: the script, the steps in order, the final check.
inline void run_all(const std::vector<Scenario>& scenarios, EventCheck how) {
    for (const Scenario& sc : scenarios) {
        CAPTURE(std::string(sc.what));
        Rig rig(sc.oflags, how);
        sc.script(rig.be);
        for (std::size_t i = 0; i < sc.steps.size(); ++i) {
            rig.run(sc.steps[i], i);
        }
        sc.check(rig);
    }
}

} // namespace test_support::scenario
