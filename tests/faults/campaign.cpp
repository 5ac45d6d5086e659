// SPDX-License-Identifier: MIT
// The fault campaign (meson suite 'faults'): every place a tracee can be in (campaign.hpp's
// place table) x every handle mode (plain, O_EXCL, O_NONBLOCK) x every fault (SIGKILL of the
// tracee; close; kill then close; close then kill; kill and close at once from two threads;
// SIGKILL of the tracer process; fd exhaustion), on real processes, each combination checked
// against what the spec and kernel-shim/README.md ask (expected(), below), never against what
// happened before.
//
// Each combination (a "cell"; the handler probe's cells run several rounds) runs in a process
// of its own, forked from the runner, in a process group of its own, as a child subreaper:
//   - the case process is the tracer (the shim lives there), except for the tracer-death
//     fault, where fault_tracer is the tracer and the case kills it;
//   - it checks the events read on the way (campaign.hpp, reach), the results of the calls
//     made after the fault (errnos), the waiting write's result, how the tracee ends (its wait
//     status, reaped within 2 s by its real parent or, once that is gone, by the case as
//     subreaper), that the case's own fds are what they were (/proc/self/fd), and that no
//     process it started is left (in state t, T or any other);
//   - it prints CELL (the observed outcome), FAIL and DEV (a documented deviation that Linux
//     forces) lines; exit 0 when nothing failed.
// The runner runs the cases two at a time (PTRACE_API_FAULTS_JOBS), ends a case that runs
// longer than 60 s, fails a case whose process group is not empty once it ended, prints the
// outcome tables (the ones in kernel-shim/README.md, "Fault campaign: outcomes"), and one
// doctest-style summary line that tests/summarize.py counts (one test case per cell).

#include "campaign.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace faults {
namespace {

// ---------------------------------------------------------------------------------------
// The faults and what the spec asks of each combination

enum class Fault : std::uint8_t {
    Kill,         // SIGKILL the tracee (at CloneFrozen: the frozen child)
    Close,        // close the trace handle
    KillClose,    // SIGKILL, then close at once
    CloseKill,    // close, then SIGKILL at once
    Concurrent,   // SIGKILL and close at the same moment, from two threads
    TracerDeath,  // SIGKILL the tracer process (fault_tracer)
    FdExhaustion, // RLIMIT_NOFILE at the limit: open, read, write, close
};

constexpr std::array all_faults = {Fault::Kill,        Fault::Close,      Fault::KillClose,
                                   Fault::CloseKill,   Fault::Concurrent, Fault::TracerDeath,
                                   Fault::FdExhaustion};

const char* fault_name(Fault f) {
    switch (f) {
    case Fault::Kill:
        return "kill";
    case Fault::Close:
        return "close";
    case Fault::KillClose:
        return "kill, close";
    case Fault::CloseKill:
        return "close, kill";
    case Fault::Concurrent:
        return "kill ‖ close";
    case Fault::TracerDeath:
        return "tracer killed";
    case Fault::FdExhaustion:
        return "fd exhaustion";
    }
    return "?";
}

/// The handler probe's cells run this many rounds (the fault lands inside the probe only
/// sometimes); the others once.
constexpr int probe_rounds = 6;

/// What the spec (and the shim's README where the spec leaves room) asks of one combination.
struct Expect {
    /// How the handle's tracee may end (more than one where two orders of events race).
    std::vector<Fate> fates;
    /// CloneFrozen: how the frozen child may end.
    std::vector<Fate> child_fates;
    /// The waiting write's result (blocking modes at a place with a waiting write): 8 or
    /// minus the errno.
    std::vector<int> waited = {8};
    /// Kill: what a read returns once the SIGKILL was handled, and the results of the writes
    /// that follow (8 or minus the errno; O_NONBLOCK polls the handle between two writes).
    std::vector<std::string> kill_events;
    std::vector<int> kill_writes;
    /// Kill of a frozen tracee: it must die at once, with no further call (H5).
    bool dies_at_once = false;
    /// Probe: the errno that ends the storm loop, and its EXIT event (Kill).
    int storm_err = 0;
    std::optional<std::string> storm_exit;
    /// Where this comes from.
    std::string rules;
    /// A documented deviation (forced by Linux, or a limitation kernel-shim/README.md states):
    /// the fates it allows instead, and why. A cell that ends so is marked (DEV), not failed.
    std::vector<Fate> deviant_fates;
    std::string deviation;
    /// Probe, tracer death: the documented outcome of a fault that lands inside the probe
    /// (any fate, marked), when the tracee was sampled there just before.
    std::string stranded;
};

bool has_wait_op(Place p) {
    return row(p).wait_op.has_value();
}

/// The expectation table, by rule. Places come from campaign.hpp (`detach` is each place's
/// I1 outcome); faults combine them as below.
Expect expected(Place place, Mode mode, Fault fault) {
    const PlaceRow& pr = row(place);
    const bool excl = mode == Mode::Excl;
    const bool nb = mode == Mode::Nonblock;
    const Fate sigkill = killed(SIGKILL);
    // D7: at its EXIT stop the tracee's exit cannot be aborted; a SIGKILL changes nothing.
    const Fate kill_end = place == Place::Exit ? ended(7) : sigkill;
    Expect e;
    if (place == Place::CloneFrozen) {
        // The handle's tracee is the parent; a SIGKILL goes to the frozen child (H5). The
        // parent exits 0 when its child exited 3, 100 + signal when it was killed.
        const Fate parent_runs = exits(0);
        const Fate parent_sees_kill = exits(100 + SIGKILL);
        switch (fault) {
        case Fault::Kill:
        case Fault::KillClose:
            e.fates = {excl ? sigkill : parent_sees_kill}; // A6 at the close; H5
            e.child_fates = {sigkill};
            e.dies_at_once = fault == Fault::Kill;
            e.rules = "H5 (a frozen tracee dies at once), A6, G3";
            break;
        case Fault::Close:
        case Fault::FdExhaustion:
            e.fates = {excl ? sigkill : parent_runs};
            e.child_fates = {ended(3)}; // decision 10 (released at close), F2 (at the write)
            e.rules = fault == Fault::Close ? "I1, decision 10, A6" : "F2, I1, A6";
            break;
        case Fault::CloseKill:
        case Fault::Concurrent:
            e.fates = excl ? std::vector<Fate>{sigkill}
                           : std::vector<Fate>{parent_runs, parent_sees_kill};
            e.child_fates = {ended(3), sigkill}; // released, then killed: either comes first
            e.rules = "I1, decision 10, A6, H5";
            break;
        case Fault::TracerDeath:
            e.fates = {excl ? sigkill : parent_runs};
            // Even with O_EXCL: the child's first stop, where the EXITKILL Linux copied from
            // its parent is dropped, is handled before the clone event can be read
            // (kernel-shim/README.md, defect 2).
            e.child_fates = {ended(3)};
            e.rules = "I2 = I1 at the tracer's death: decision 10 releases the child, A6";
            break;
        }
        return e;
    }
    switch (fault) {
    case Fault::Kill:
        e.fates = {kill_end};
        e.rules = "H5, D7, B10, G1, G2, C7, G3";
        if (place == Place::TruncFrozen) {
            // H5: a frozen tracee dies at once; no event (no breakpoint, A10); ESRCH (B10).
            e.dies_at_once = true;
            e.kill_writes = {-ESRCH};
        } else if (place == Place::Exit) {
            // Already at its EXIT stop (read before): nothing new; the write lets it exit.
            e.kill_writes = nb ? std::vector<int>{8, -ESRCH} : std::vector<int>{-ESRCH};
        } else {
            // H5: EXIT(9) is reported (every breakpoint of the campaign has STOP_EXIT) and the
            // tracee is held there (D7); the next write lets it go: ESRCH, or 8 for a
            // nonblocking write (M1) and ESRCH for the one after.
            e.kill_events = {"EXIT(0x9)"};
            e.kill_writes = nb ? std::vector<int>{8, -ESRCH} : std::vector<int>{-ESRCH};
        }
        e.storm_err = ESRCH;
        e.storm_exit = "EXIT(0x9)";
        break;
    case Fault::Close:
        // I1: detach with the pending stop's default; A6/decision 14: O_EXCL kills. A write
        // waiting meanwhile is woken by the close (B7): 8, or ESRCH if the tracee it kills is
        // already gone when it looks. Every later call on the fd: EBADF.
        e.fates = {excl ? kill_end : pr.detach};
        e.rules = excl ? "A6, decision 14, B7" : "I1, B7";
        break;
    case Fault::KillClose:
        e.fates = {kill_end};
        e.rules = "H5, I1 after a SIGKILL (spec 3.G), B7";
        break;
    case Fault::CloseKill:
    case Fault::Concurrent:
        // After the detach, the SIGKILL kills whatever runs on; a delivered SIGUSR1 (default
        // action) may have killed it first.
        if (excl || pr.detach.kind != Fate::Kind::Killed) {
            e.fates = {kill_end};
        } else {
            e.fates = {pr.detach, sigkill};
        }
        e.rules = "I1, H5, A6";
        break;
    case Fault::TracerDeath:
        // I2: the tracer's death closes its handles: I1, or A6 (EXITKILL) for O_EXCL.
        e.fates = {excl ? kill_end : pr.detach};
        e.rules = excl ? "I2, A6" : "I2 = I1";
        if (!excl && (place == Place::SignalCaught || place == Place::SignalDefault)) {
            e.deviant_fates = {place == Place::SignalCaught ? exits(20) : exits(0)};
            e.deviation = "Linux drops the signal of a delivery-stop whose tracer dies (the "
                          "handler never runs / the default action never happens); I1 would "
                          "deliver it (kernel-shim/README.md, The handler probe)";
        }
        if (!excl && place == Place::SingleStep) {
            e.deviant_fates = {killed(SIGTRAP)};
            e.deviation = "Linux leaves the trap flag set when the tracer dies (only "
                          "PTRACE_DETACH clears it): the tracee dies by SIGTRAP one instruction "
                          "later, as under a raw ptrace tracer; I1 would let it run on";
        }
        if (!excl && place == Place::Probe) {
            e.stranded = "the tracer died while the tracee was inside the handler probe: it is "
                         "left in the call the probe injected through its vDSO, every signal "
                         "blocked, and runs on from there (the vDSO's leave; ret returns from "
                         "the frame rbp names: here from main, exit 0 without finishing) "
                         "(kernel-shim/README.md, The handler probe)";
            e.deviant_fates = {exits(30)};
            e.deviation = "Linux drops the signal of a delivery-stop whose tracer dies: one "
                          "SIGUSR1 of the storm is never handled";
        }
        break;
    case Fault::FdExhaustion:
        // Under the limit: open fails with EMFILE (no pidfd); read, write and close work (the
        // shim needs no new fd for them); the next caught signal's handler is the sentinel.
        // From the place the write led to, the close acts as I1/A6.
        if (excl) {
            e.fates = {place == Place::SignalDefault ? killed(SIGUSR1) : kill_end};
        } else {
            e.fates = {pr.detach};
        }
        e.rules = "A2/G1 (EMFILE, not ESRCH), D5 sentinel, I1, A6";
        break;
    }
    if (has_wait_op(place) && mode != Mode::Nonblock && fault != Fault::Kill) {
        e.waited = excl ? std::vector<int>{8, -ESRCH} : std::vector<int>{8};
    }
    if (place == Place::Probe && fault != Fault::Kill) {
        e.storm_err = EBADF; // the storm's next call after the close
        if (fault != Fault::TracerDeath) {
            // B7/B10: a storm write in flight at the close (it found the handle before the
            // close took it out of the table) runs after the session lost its tracee, to the
            // detach (I1) or to the kill (A6): ESRCH. Any later call: EBADF.
            e.storm_err = 0;
        }
    }
    if (place == Place::Probe && (fault == Fault::KillClose || fault == Fault::Concurrent)) {
        e.storm_err = 0; // EBADF, or ESRCH if the EXIT(9) came before the close
    }
    return e;
}

// ---------------------------------------------------------------------------------------
// One case

/// What a case found; printed as CELL / DETAIL / FAIL / DEV / INSIDE lines.
struct Report {
    std::vector<std::string> fails;
    std::vector<std::string> devs;
    std::vector<std::string> details;
    std::string cell;
    std::optional<bool> inside;

    void fail(const std::string& s) { fails.push_back(s); }
    void detail(const std::string& s) { details.push_back(s); }

    void print(int fd) const {
        std::ostringstream out;
        out << "CELL " << cell << '\n';
        for (const auto& d : details) {
            out << "DETAIL " << d << '\n';
        }
        for (const auto& d : devs) {
            out << "DEV " << d << '\n';
        }
        for (const auto& f : fails) {
            out << "FAIL " << f << '\n';
        }
        if (inside) {
            out << "INSIDE " << (*inside ? 1 : 0) << '\n';
        }
        const std::string text = out.str();
        (void)!::write(fd, text.data(), text.size());
    }
};

std::string result_text(int r) {
    return r >= 0 ? std::to_string(r) : errno_text(-r);
}

std::string results_text(const std::vector<int>& rs) {
    std::vector<std::string> parts;
    for (const int r : rs) {
        parts.push_back(result_text(r));
    }
    return join(parts, " then ");
}

/// Reaps `pid` (a child of this process) within `limit`; nothing when it did not end.
std::optional<int> reap(pid_t pid, std::chrono::milliseconds limit) {
    int status = 0;
    std::optional<int> out;
    (void)eventually(
        [&] {
            const pid_t r = ::waitpid(pid, &status, WNOHANG | __WALL);
            if (r == pid) {
                out = status;
                return true;
            }
            return r < 0 && errno == ECHILD;
        },
        limit);
    return out;
}

/// The fate a wait status tells: `let_go` when the tracee was alive and untraced before it
/// was told to finish, `job` when it was job-stopped then.
Fate fate_of(int status, bool let_go, bool job) {
    if (WIFSIGNALED(status)) {
        return killed(WTERMSIG(status));
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return job ? job_stopped(code) : let_go ? exits(code) : ended(code);
}

/// How a tracee ended: let go and told to finish, or dead, and reaped by this process (its
/// parent, or its subreaper once the parent died).
struct End {
    std::optional<Fate> fate;
    std::string how; // "dead", "let go (S)", ...
};

/// Waits (2 s) until `pid` is dead or let go (not traced, running or sleeping or
/// job-stopped), then lets it finish (SIGCONT if job-stopped, the finish byte, SIGTERM for
/// the spin loop) and reaps it (2 s). A tracee still traced or held is reported and killed.
End finish(pid_t pid, int gate, Place place, const std::vector<Fate>& expect, Report& rep) {
    End end;
    char state = '?';
    pid_t tracer = -1;
    // A tracee on its way to its end passes through R: when it should be job-stopped (or
    // dead), wait for that first, so that a passing R is not taken for "let go".
    const bool job = std::any_of(expect.begin(), expect.end(),
                                 [](const Fate& f) { return f.kind == Fate::Kind::JobStopped; });
    const bool dies = std::all_of(expect.begin(), expect.end(), [](const Fate& f) {
        return f.kind == Fate::Kind::Ended || f.kind == Fate::Kind::Killed;
    });
    if (job || dies) {
        (void)eventually(
            [&] {
                state = proc_state(pid);
                return state == 'Z' || state == '?' || (job && state == 'T');
            },
            reap_limit);
    }
    const bool settled = eventually(
        [&] {
            state = proc_state(pid);
            tracer = tracer_of(pid);
            return state == 'Z' || state == '?' ||
                   (tracer == 0 && (state == 'S' || state == 'R' || state == 'T'));
        },
        reap_limit);
    if (!settled) {
        rep.fail(std::string("the tracee was neither dead nor let go within 2 s (state ") + state +
                 ", TracerPid " + std::to_string(tracer) + ")");
        (void)::kill(pid, SIGKILL);
        if (const auto st = reap(pid, reap_limit)) {
            end.how = "killed by the campaign";
        }
        return end;
    }
    const bool stopped = state == 'T';
    end.how = state == 'Z' || state == '?' ? "dead" : std::string("let go (") + state + ")";
    if (state != 'Z' && state != '?') {
        if (state == 'T') {
            (void)::kill(pid, SIGCONT);
        }
        const char byte = 'f';
        (void)!::write(gate, &byte, 1);
        if (place == Place::Running) {
            (void)::kill(pid, SIGTERM);
        }
    }
    const auto status = reap(pid, reap_limit);
    if (!status) {
        rep.fail("the tracee was not reapable within 2 s (" + end.how + ", state now " +
                 std::string(1, proc_state(pid)) + ")");
        (void)::kill(pid, SIGKILL);
        (void)reap(pid, reap_limit);
        return end;
    }
    end.fate = fate_of(*status, end.how != "dead", stopped);
    return end;
}

/// The short outcome of a tracee's end, for the tables.
std::string fate_words(Place place, const End& end) {
    if (!end.fate) {
        return "not reapable";
    }
    const Fate& f = *end.fate;
    if (f.kind == Fate::Kind::Killed) {
        if (f.value == SIGKILL) {
            return "killed";
        }
        if (f.value == SIGUSR1) {
            return end.how == "dead" ? "SIGUSR1 delivered" : "let go, SIGUSR1 delivered";
        }
        return fate_text(f);
    }
    if (f.kind == Fate::Kind::JobStopped) {
        return "let go, job-stopped";
    }
    if (f.kind == Fate::Kind::Ended) {
        return "exited " + std::to_string(f.value) + " by itself";
    }
    std::string w = "let go, ran on";
    if (place == Place::CloneFrozen && (f.value == 0 || f.value == 100 + SIGKILL)) {
        return w; // its exit code tells how its child ended: in the child's words
    }
    if (f.value == 20 && place == Place::SignalCaught) {
        return w + ", handler never ran";
    }
    if (f.value == 30 && place == Place::Probe) {
        return w + ", a signal lost";
    }
    if (f.value != 0) {
        w += " (exit " + std::to_string(f.value) + ")";
    }
    return w;
}

bool contains(const std::vector<Fate>& v, const Fate& f) {
    return std::find(v.begin(), v.end(), f) != v.end();
}

std::string fates_text(const std::vector<Fate>& v) {
    std::vector<std::string> parts;
    for (const Fate& f : v) {
        parts.push_back(fate_text(f));
    }
    return join(parts, " or ");
}

void check_fate(const Expect& e, const End& end, const char* who, Report& rep) {
    if (!end.fate) {
        return; // reported already
    }
    if (contains(e.fates, *end.fate)) {
        return;
    }
    if (contains(e.deviant_fates, *end.fate)) {
        rep.devs.push_back(std::string(who) + " " + fate_text(*end.fate) + ": " + e.deviation);
        return;
    }
    if (rep.inside.value_or(false) && !e.stranded.empty()) {
        // The tracer died while the tracee was in a call the probe injected.
        rep.devs.push_back(std::string(who) + " " + fate_text(*end.fate) + ": " + e.stranded);
        return;
    }
    rep.fail(std::string(who) + " ended " + fate_text(*end.fate) + " (" + end.how + "), expected " +
             fates_text(e.fates) + " [" + e.rules + "]");
}

/// The outcome of the clone child: reaped here (this process is the case's subreaper, and the
/// parent leaves its child a zombie, fault_tracee.cpp), else told by its parent's exit code.
std::optional<Fate> child_fate(pid_t child, const End& parent, Report& rep) {
    if (child <= 0) {
        return std::nullopt;
    }
    // Once its parent's handle is closed the child is let go (decision 10); a wait for it
    // while it is still traced would take its stop from the shim.
    const bool free = eventually(
        [&] {
            const char s = proc_state(child);
            return s == '?' || s == 'Z' || tracer_of(child) == 0;
        },
        reap_limit);
    if (!free) {
        rep.fail("the clone child is still traced 2 s after its parent's handle was closed "
                 "(state " +
                 std::string(1, proc_state(child)) + "; decision 10)");
        return std::nullopt; // left for check_left, which reports and kills it
    }
    if (const auto st = reap(child, reap_limit)) {
        return fate_of(*st, false, false);
    }
    if (parent.fate && parent.fate->kind == Fate::Kind::Exited) {
        if (parent.fate->value == 0) {
            return ended(3);
        }
        if (parent.fate->value > 100) {
            return killed(parent.fate->value - 100);
        }
    }
    return std::nullopt; // reaped by its parent, which was killed before telling
}

/// The tracer side of one in-process case: the shim is in this process.
class Case {
public:
    Case(Place place, Mode mode, Fault fault)
        : place_(place), mode_(mode), fault_(fault), exp_(expected(place, mode, fault)) {}

    Report run() {
        const std::set<int> fds_before = open_fds();
        int p[2] = {-1, -1};
        if (::pipe2(p, O_CLOEXEC) != 0) {
            rep_.fail("pipe2 failed");
            return rep_;
        }
        gate_ = p[1];
        std::string why = reach(place_, mode_, p[0], p[1], r_);
        (void)::close(p[0]);
        Driver driver(place_, mode_, r_);
        if (why.empty()) {
            why = driver.start();
        }
        if (why.empty()) {
            why = settle(place_, r_);
        }
        if (why.empty() && driver.has_waiting_write() && mode_ != Mode::Nonblock &&
            !driver.write_under_way()) {
            why = "the waiting write never started";
        }
        if (!why.empty()) {
            rep_.fail("on the way to the place: " + why);
            rep_.cell = "did not reach the place";
            abandon();
            return rep_;
        }
        fd_ = r_.fd;
        rep_.detail("events before the fault: [" + join(r_.events) + "]");
        if (place_ == Place::Probe) {
            sample_inside(r_.pid);
        }
        switch (fault_) {
        case Fault::Kill:
            kill_fault(driver);
            break;
        case Fault::Close:
        case Fault::KillClose:
        case Fault::CloseKill:
        case Fault::Concurrent:
            close_fault(driver);
            break;
        case Fault::FdExhaustion:
            exhaustion_fault(driver);
            break;
        case Fault::TracerDeath:
            break; // TracerCase
        }
        check_driver(driver);
        if (!driver.done()) {
            abort_case();
        }
        if (place_ == Place::Probe && fault_ == Fault::FdExhaustion) {
            cell_prefix_ += driver.sentinels_exhausted() > 0 ? "SIGNAL with the sentinel; "
                                                             : "no SIGNAL under the limit; ";
        }
        if (fd_ >= 0) {
            close_handle("the last close");
        }
        const End end = reaped_ ? *reaped_ : finish(r_.pid, gate_, place_, exp_.fates, rep_);
        check_fate(exp_, end, "the tracee", rep_);
        const auto child = child_fate(r_.child, end, rep_);
        check_child(child);
        rep_.cell = cell_prefix_ + fate_words(place_, end) + child_words(child);
        (void)::close(r_.out);
        (void)::close(gate_);
        check_fds(fds_before);
        check_left({r_.pid, r_.child});
        return rep_;
    }

private:
    /// Samples /proc until the tracee sits at a call the handler probe injected (or 1 s
    /// passed): the fault follows at once.
    void sample_inside(pid_t pid) {
        const auto vdso = vdso_range(pid);
        rep_.inside = eventually([&] { return inside_probe(pid, vdso); }, 1000ms);
    }

    pid_t victim() const { return place_ == Place::CloneFrozen ? r_.child : r_.pid; }

    void kill_fault(Driver& driver) {
        (void)::kill(victim(), SIGKILL);
        std::vector<std::string> parts;
        if (exp_.dies_at_once) {
            const bool died = eventually(
                [&] {
                    const char s = proc_state(victim());
                    return s == 'Z' || s == '?';
                },
                reap_limit);
            parts.push_back(died ? "died at once" : "held in its exit stop");
            if (!died) {
                rep_.fail("the frozen tracee, SIGKILLed, is still in state " +
                          std::string(1, proc_state(victim())) +
                          " after 2 s (H5: a frozen tracee dies at once)");
            }
        }
        if (place_ == Place::Probe) {
            (void)driver.join(stop_limit);
            cell_prefix_ = "";
            return;
        }
        if (driver.has_waiting_write() && mode_ != Mode::Nonblock) {
            (void)driver.join(stop_limit);
        }
        if (place_ == Place::CloneFrozen) {
            // The parent lives on: nothing for its handle; its close ends the case.
            const auto evs = read_events(r_.fd);
            if (!evs || !evs->empty()) {
                rep_.fail("after the child's SIGKILL the parent's handle read " +
                          (evs ? std::to_string(evs->size()) + " events"
                               : errno_text(evs.error().value())));
            }
            cell_prefix_ = join(parts) + (parts.empty() ? "" : "; ");
            return;
        }
        if (!exp_.kill_events.empty() || exp_.dies_at_once) {
            (void)readable(r_.fd, reap_limit); // C8: events queued, or exited
        }
        auto evs = read_events(r_.fd);
        std::vector<std::string> got;
        if (!evs) {
            rep_.fail("read after the SIGKILL: " + errno_text(evs.error().value()));
        } else {
            for (const PtraceEvent& ev : *evs) {
                got.push_back(event_text(ev, r_.handler));
            }
        }
        if (got != exp_.kill_events) {
            rep_.fail("events after the SIGKILL [" + join(got) + "], expected [" +
                      join(exp_.kill_events) + "] (H5, D7)");
        }
        parts.push_back(got.empty() ? "no event" : join(got));
        std::vector<int> writes;
        for (std::size_t i = 0; i < exp_.kill_writes.size() || i == 0; ++i) {
            const auto w = bounded_write(r_.fd, exit_bp, stop_limit);
            if (!w) {
                rep_.fail("a write after the SIGKILL never returned");
                abort_case();
            }
            writes.push_back(*w);
            if (*w < 0) {
                break;
            }
            if (mode_ == Mode::Nonblock) {
                (void)readable(r_.fd, reap_limit); // C8: the tracee it let go exited
                const auto more = read_events(r_.fd);
                if (!more || !more->empty()) {
                    rep_.fail("a read after the nonblocking write did not return 0");
                }
            }
        }
        if (writes != exp_.kill_writes) {
            rep_.fail("writes after the SIGKILL returned " + results_text(writes) + ", expected " +
                      results_text(exp_.kill_writes) + " (B10, G1, M1)");
        }
        parts.push_back(results_text(writes));
        const auto after = read_events(r_.fd);
        if (!after || !after->empty()) {
            rep_.fail("a read after ESRCH did not return 0 (C7)");
        }
        // G2: after ESRCH the parent reaps the tracee at once; the handle is closed after.
        End end;
        end.how = "dead";
        if (const auto st = reap(r_.pid, reap_limit)) {
            end.fate = fate_of(*st, false, false);
        } else {
            rep_.fail("not reapable within 2 s after ESRCH (G2), state " +
                      std::string(1, proc_state(r_.pid)));
            (void)::kill(r_.pid, SIGKILL);
            (void)reap(r_.pid, reap_limit);
        }
        reaped_ = end;
        close_handle("the close after the exit (G3)");
        cell_prefix_ = join(parts) + "; ";
    }

    void close_fault(Driver& driver) {
        switch (fault_) {
        case Fault::Close:
            close_handle("the close");
            break;
        case Fault::KillClose:
            (void)::kill(victim(), SIGKILL);
            close_handle("the close");
            break;
        case Fault::CloseKill:
            close_handle("the close");
            (void)::kill(victim(), SIGKILL);
            break;
        default: {
            std::atomic<int> ready{0};
            std::atomic<bool> go{false};
            std::optional<int> closed;
            std::thread killer([&] {
                ready.fetch_add(1);
                while (!go.load()) {
                }
                (void)::kill(victim(), SIGKILL);
            });
            std::thread closer([&] {
                ready.fetch_add(1);
                while (!go.load()) {
                }
                closed = bounded_close(r_.fd, stop_limit);
            });
            while (ready.load() < 2) {
            }
            go = true;
            killer.join();
            closer.join();
            fd_ = -1;
            check_closed(closed, "the close");
            break;
        }
        }
        after_close("");
        (void)driver;
    }

    /// Closes the trace handle (bounded) and checks that the close succeeded.
    void close_handle(const char* what) {
        const auto c = bounded_close(r_.fd, stop_limit);
        fd_ = -1;
        check_closed(c, what);
    }

    void check_closed(const std::optional<int>& c, const char* what) {
        if (!c) {
            rep_.fail(std::string(what) + " never returned");
            abort_case();
        }
        if (*c != 0) {
            rep_.fail(std::string(what) + " failed: " + errno_text(-*c));
        }
    }

    /// A shim call that never returns: nothing more can be checked in this process. The
    /// tracee and the child are killed (the runner reaps what is left of the group).
    [[noreturn]] void abort_case() {
        if (r_.child > 0) {
            (void)::kill(r_.child, SIGKILL);
        }
        (void)::kill(r_.pid, SIGKILL);
        if (rep_.cell.empty()) {
            rep_.cell = cell_prefix_ + "a call hangs";
        }
        rep_.print(STDOUT_FILENO);
        ::_exit(1);
    }

    /// Every call on a closed handle is EBADF.
    void after_close(const std::string& prefix) {
        const int w = err_of(write_op(r_.fd, exit_bp));
        std::array<std::byte, sizeof(PtraceEvent)> buf{};
        const int rd = err_of(shim::read(r_.fd, buf));
        const int c = -bounded_close(r_.fd, stop_limit).value_or(-EBADF);
        if (w != EBADF || rd != EBADF || c != EBADF) {
            rep_.fail("after the close: write " + errno_text(w) + ", read " + errno_text(rd) +
                      ", close " + errno_text(c) + ", expected EBADF each");
        }
        cell_prefix_ = prefix;
    }

    void exhaustion_fault(Driver& driver) {
        const PlaceRow& pr = row(place_);
        std::vector<std::string> parts;
        driver.exhausted = true;
        // One fd free: room for a register handle's own fd; it shares the pidfd of its
        // tracee's record (G1: no handle exists without one). None at all during the storm
        // (the tracer thread's own /proc reads must fail too).
        FdLimit limit(place_ == Place::Probe ? 0 : 1);
        if (!limit.ok()) {
            rep_.fail("setrlimit failed");
        }
        const std::string regs_path = "proc:" + std::to_string(r_.pid) + "/regs/int";
        if (place_ != Place::Probe) {
            const auto one = shim::open(regs_path, 0);
            if (one) {
                (void)shim::close(*one);
                parts.push_back("open with one fd free ok");
            } else {
                rep_.fail("open with one fd free: " + errno_text(err_of(one)) +
                          ", expected a handle (it shares its tracee's pidfd)");
            }
        }
        // The tracer thread opens and closes /proc files meanwhile (the storm's probes): a
        // slot it frees can be taken by this open. Each attempt takes every free slot first.
        limit.take_spare();
        auto opened = shim::open(regs_path, 0);
        for (int attempt = 1; attempt < 3 && opened; ++attempt) {
            (void)shim::close(*opened);
            limit.take_spare();
            opened = shim::open(regs_path, 0);
        }
        if (opened) {
            (void)shim::close(*opened);
        }
        const int open_err = err_of(opened);
        parts.push_back("open " + errno_text(open_err));
        if (open_err != EMFILE) {
            rep_.fail("open with no fd free: " + errno_text(open_err) + ", expected EMFILE");
        }
        if (place_ != Place::Probe) {
            limit.give_back(1); // the calls below need no new fd; the tracer thread's do
        }
        if (place_ == Place::Probe) {
            std::this_thread::sleep_for(50ms); // some signals of the storm under the limit
        } else {
            const auto evs = read_events(r_.fd);
            if (!evs || !evs->empty()) {
                rep_.fail("read under fd exhaustion: " +
                          (evs ? std::to_string(evs->size()) + " events"
                               : errno_text(evs.error().value())));
            }
            std::optional<PtraceFlags> op = pr.next_op;
            std::vector<int> want_w = {8};
            if (place_ == Place::Exit) {
                op = exit_bp; // lets the exit happen: ESRCH, or 8 (nonblocking, M1)
                want_w = {mode_ == Mode::Nonblock ? 8 : -ESRCH};
            } else if (!op && mode_ == Mode::Nonblock) {
                op = pr.wait_op; // the waiting places: one more nonblocking write
            }
            if (op) {
                const auto w = bounded_write(r_.fd, *op, stop_limit);
                const int res = w.value_or(0);
                if (!w) {
                    rep_.fail("the write under fd exhaustion never returned (expected " +
                              result_text(want_w.front()) + ")");
                } else if (res != want_w.front()) {
                    rep_.fail("write under fd exhaustion returned " + result_text(res) +
                              ", expected " + result_text(want_w.front()));
                }
                std::vector<std::string> got;
                if (res == 8 && !pr.next_events.empty()) {
                    if (mode_ == Mode::Nonblock) {
                        (void)readable(r_.fd, stop_limit);
                    }
                    if (const auto evs2 = read_events(r_.fd)) {
                        for (const PtraceEvent& ev : *evs2) {
                            got.push_back(event_text(ev, r_.handler));
                        }
                    }
                    if (got != pr.next_events) {
                        rep_.fail("events under fd exhaustion [" + join(got) + "], expected [" +
                                  join(pr.next_events) + "]");
                    }
                }
                const bool wanted = res == 8 && !pr.next_events.empty();
                parts.push_back(!w ? std::string("write hangs")
                                   : "write " + result_text(res) +
                                         (!got.empty() ? " " + join(got)
                                          : wanted     ? ", no event"
                                                       : ""));
            }
        }
        const auto c = bounded_close(r_.fd, stop_limit);
        fd_ = -1;
        parts.push_back(c && *c == 0 ? "closes" : "close " + errno_text(-c.value_or(0)));
        check_closed(c, "the close under fd exhaustion");
        limit.restore();
        driver.exhausted = place_ == Place::Probe; // the storm may still read sentinels
        after_close(join(parts) + "; ");
    }

    void check_driver(Driver& driver) {
        if (!driver.join(stop_limit)) {
            rep_.fail(place_ == Place::Probe ? "the storm loop's call never returned"
                                             : "the waiting write never returned");
            return;
        }
        if (place_ == Place::Probe) {
            rep_.detail("storm: " + std::to_string(driver.signals()) + " SIGNAL events (" +
                        std::to_string(driver.sentinels()) + " + " +
                        std::to_string(driver.sentinels_exhausted()) +
                        " with the sentinel handler, outside + during fd exhaustion), ended by " +
                        errno_text(driver.last_err()) +
                        (driver.storm_exit() ? " after " + *driver.storm_exit() : ""));
            // D5: the sentinel only where the shim cannot ask: /proc unreadable (fd
            // exhaustion), or a tracee that a SIGKILL took out of its stop.
            const bool kill_races =
                fault_ == Fault::Kill || fault_ == Fault::KillClose || fault_ == Fault::Concurrent;
            if (driver.sentinels() > (kill_races ? 1 : 0)) {
                rep_.fail(std::to_string(driver.sentinels()) +
                          " SIGNAL events with the sentinel handler outside fd exhaustion");
            }
            for (const std::string& odd : driver.storm_odd()) {
                rep_.fail("the storm read an unexpected event: " + odd);
            }
            if (driver.signals() == 0) {
                rep_.fail("the storm read no SIGNAL event");
            }
            const bool err_ok = exp_.storm_err != 0
                                    ? driver.last_err() == exp_.storm_err
                                    : driver.last_err() == EBADF || driver.last_err() == ESRCH;
            if (!err_ok) {
                rep_.fail("the storm ended with " + errno_text(driver.last_err()) + ", expected " +
                          errno_text(exp_.storm_err));
            }
            if (exp_.storm_exit && driver.storm_exit() != exp_.storm_exit) {
                rep_.fail("the storm's EXIT event: " + driver.storm_exit().value_or("none") +
                          ", expected " + *exp_.storm_exit);
            }
            return;
        }
        if (driver.has_waiting_write() && mode_ != Mode::Nonblock) {
            const bool ok = std::find(exp_.waited.begin(), exp_.waited.end(), driver.waited()) !=
                            exp_.waited.end();
            rep_.detail("the waiting write returned " + result_text(driver.waited()));
            if (!ok) {
                rep_.fail("the waiting write returned " + result_text(driver.waited()) +
                          ", expected " + results_text(exp_.waited) + " (B7)");
            }
        }
    }

    void check_child(const std::optional<Fate>& child) {
        if (place_ != Place::CloneFrozen) {
            return;
        }
        if (!child) {
            rep_.detail("the child was reaped by its parent before the parent died");
            return;
        }
        if (!contains(exp_.child_fates, *child)) {
            rep_.fail("the clone child ended " + fate_text(*child) + ", expected " +
                      fates_text(exp_.child_fates) + " [" + exp_.rules + "]");
        }
    }

    std::string child_words(const std::optional<Fate>& child) const {
        if (place_ != Place::CloneFrozen || !child) {
            return "";
        }
        return child->kind == Fate::Kind::Killed ? "; child killed" : "; child exited 3";
    }

    /// The case's fds must be those it started with (2 s for a tracee record that is let go
    /// at its exit stop).
    void check_fds(const std::set<int>& before) {
        std::set<int> now;
        (void)eventually(
            [&] {
                now = open_fds();
                return now == before;
            },
            reap_limit);
        if (now != before) {
            std::vector<std::string> extra;
            for (const int fd : now) {
                if (before.count(fd) == 0) {
                    extra.push_back(std::to_string(fd) + " -> " + fd_target(fd));
                }
            }
            for (const int fd : before) {
                if (now.count(fd) == 0) {
                    extra.push_back(std::to_string(fd) + " closed");
                }
            }
            rep_.fail("fds leaked: " + join(extra));
        }
    }

    void check_left(std::initializer_list<pid_t> pids) {
        for (const pid_t pid : pids) {
            if (pid <= 0) {
                continue;
            }
            const char s = proc_state(pid);
            if (s != '?') {
                rep_.fail("process " + std::to_string(pid) + " left behind in state " +
                          std::string(1, s));
                (void)::kill(pid, SIGKILL);
                (void)reap(pid, reap_limit);
            }
        }
    }

    /// Ends a case that could not reach its place: everything killed, nothing checked.
    void abandon() {
        if (r_.child > 0) {
            (void)::kill(r_.child, SIGKILL);
        }
        if (r_.pid > 0) {
            (void)::kill(r_.pid, SIGKILL);
        }
        if (r_.fd >= 0) {
            (void)bounded_close(r_.fd, stop_limit);
        }
        if (r_.pid > 0) {
            (void)reap(r_.pid, reap_limit);
        }
        if (r_.child > 0) {
            (void)reap(r_.child, reap_limit);
        }
    }

    Place place_;
    Mode mode_;
    Fault fault_;
    Expect exp_;
    Report rep_;
    Reached r_;
    int gate_ = -1;
    int fd_ = -1; // the trace handle while this case has it open
    std::optional<End> reaped_;
    std::string cell_prefix_;
};

/// The tracer-death case: fault_tracer is the tracer; this process kills it and watches
/// what Linux does with the tracee (I2).
Report run_tracer_case(Place place, Mode mode) {
    Report rep;
    const Expect exp = expected(place, mode, Fault::TracerDeath);
    int p[2] = {-1, -1};
    int report[2] = {-1, -1};
    if (::pipe2(p, O_CLOEXEC) != 0 || ::pipe2(report, O_CLOEXEC) != 0) {
        rep.fail("pipe2 failed");
        return rep;
    }
    const auto place_index = static_cast<std::size_t>(
        std::find(all_places.begin(), all_places.end(), place) - all_places.begin());
    const auto mode_index = static_cast<std::size_t>(
        std::find(all_modes.begin(), all_modes.end(), mode) - all_modes.begin());
    std::string program = programs_dir() + "/fault_tracer";
    std::string a1 = std::to_string(place_index);
    std::string a2 = std::to_string(mode_index);
    char* argv[] = {program.data(), a1.data(), a2.data(), nullptr};
    const pid_t tracer = ::fork();
    if (tracer == 0) {
        (void)::dup2(p[0], STDIN_FILENO);
        (void)::dup2(report[1], STDOUT_FILENO);
        (void)::dup2(p[1], 3);
        ::execv(argv[0], argv);
        ::_exit(127);
    }
    (void)::close(p[0]);
    (void)::close(report[1]);
    std::string line;
    const auto end_time = Clock::now() + 15s;
    while (Clock::now() < end_time && line.find('\n') == std::string::npos) {
        pollfd pf{report[0], POLLIN, 0};
        if (::poll(&pf, 1, 100) == 1) {
            char c = 0;
            if (::read(report[0], &c, 1) != 1) {
                break;
            }
            line.push_back(c);
        }
    }
    (void)::close(report[0]);
    pid_t pid = -1;
    pid_t child = 0;
    std::istringstream in(line);
    std::string word;
    in >> word;
    if (word != "ready" || !(in >> pid >> child)) {
        rep.fail("the tracer program did not reach the place: " + line);
        rep.cell = "did not reach the place";
        rep.print(STDOUT_FILENO);
        (void)::kill(0, SIGKILL); // everything of this case, this process too
        return rep;
    }
    if (place == Place::Probe) {
        const auto vdso = vdso_range(pid);
        rep.inside = eventually([&] { return inside_probe(pid, vdso); }, 1000ms);
    }
    (void)::kill(tracer, SIGKILL);
    const auto tst = reap(tracer, reap_limit);
    if (!tst || !WIFSIGNALED(*tst) || WTERMSIG(*tst) != SIGKILL) {
        rep.fail("the tracer program did not die by SIGKILL");
    }
    const End end = finish(pid, p[1], place, exp.fates, rep);
    check_fate(exp, end, "the tracee", rep);
    const auto cf = child_fate(child, end, rep);
    if (place == Place::CloneFrozen && cf && !contains(exp.child_fates, *cf)) {
        rep.fail("the clone child ended " + fate_text(*cf) + ", expected " +
                 fates_text(exp.child_fates) + " [" + exp.rules + "]");
    }
    rep.cell = fate_words(place, end);
    if (place == Place::CloneFrozen && cf) {
        rep.cell += cf->kind == Fate::Kind::Killed ? "; child killed" : "; child exited 3";
    }
    (void)::close(p[1]);
    for (const pid_t left : {tracer, pid, child}) {
        if (left > 0 && proc_state(left) != '?') {
            rep.fail("process " + std::to_string(left) + " left behind in state " +
                     std::string(1, proc_state(left)));
            (void)::kill(left, SIGKILL);
            (void)reap(left, reap_limit);
        }
    }
    return rep;
}

/// One case process: its report on stdout, exit 0 when nothing failed.
[[noreturn]] void case_main(Place place, Mode mode, Fault fault) {
    (void)::signal(SIGPIPE, SIG_IGN);
    Report rep;
    if (fault == Fault::TracerDeath) {
        rep = run_tracer_case(place, mode);
    } else {
        Case c(place, mode, fault);
        rep = c.run();
    }
    rep.print(STDOUT_FILENO);
    ::_exit(rep.fails.empty() ? 0 : 1);
}

// ---------------------------------------------------------------------------------------
// The runner

struct Job {
    Place place;
    Mode mode;
    Fault fault;
    int round = 0;
    pid_t pid = -1;
    int pidfd = -1;
    int out = -1;
    std::string text;
    Clock::time_point start;
};

struct Cell {
    int rounds = 0;
    int failed_rounds = 0;
    int inside = 0;
    int inside_known = 0;
    std::map<std::string, int> outcomes;
    std::vector<std::string> fails;
    std::vector<std::string> devs;
};

constexpr auto case_limit = 60s;

std::string cell_key(Place p, Mode m, Fault f) {
    return std::string(row(p).name) + " | " + mode_name(m) + " | " + fault_name(f);
}

/// The pids in process group `pgid` (and their state), from /proc.
std::vector<std::pair<pid_t, char>> group_members(pid_t pgid) {
    std::vector<std::pair<pid_t, char>> out;
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) {
        return out;
    }
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') {
            continue;
        }
        const pid_t pid = std::atoi(e->d_name);
        const std::string stat = proc_file(pid, "stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos) {
            continue;
        }
        std::istringstream rest(stat.substr(close + 1));
        char state = '?';
        long ppid = 0;
        long pgrp = 0;
        rest >> state >> ppid >> pgrp;
        if (pgrp == pgid) {
            out.emplace_back(pid, state);
        }
    }
    (void)::closedir(dir);
    return out;
}

/// After a case ended: nothing of its process group may remain. Orphans that came to the
/// runner (a subreaper) are reaped and reported.
std::vector<std::string> leftovers(pid_t pgid) {
    std::vector<std::string> out;
    const auto end = Clock::now() + 1s;
    auto members = group_members(pgid);
    while (!members.empty() && Clock::now() < end) {
        for (const auto& [pid, state] : members) {
            if (state == 'Z') {
                (void)::waitpid(pid, nullptr, WNOHANG | __WALL);
            }
        }
        std::this_thread::sleep_for(10ms);
        members = group_members(pgid);
    }
    for (const auto& [pid, state] : members) {
        out.push_back(std::to_string(pid) + " in state " + std::string(1, state));
    }
    if (!members.empty()) {
        (void)::kill(-pgid, SIGKILL);
        const auto stop = Clock::now() + 3s;
        while (!group_members(pgid).empty() && Clock::now() < stop) {
            for (const auto& [pid, state] : group_members(pgid)) {
                (void)::waitpid(pid, nullptr, WNOHANG | __WALL);
            }
            std::this_thread::sleep_for(10ms);
        }
    }
    return out;
}

void start_job(Job& job) {
    int p[2] = {-1, -1};
    if (::pipe2(p, O_CLOEXEC) != 0) {
        std::perror("pipe2");
        std::exit(1);
    }
    std::cout.flush();
    const pid_t pid = ::fork();
    if (pid == 0) {
        (void)::setpgid(0, 0);
        (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
        (void)::dup2(p[1], STDOUT_FILENO);
        case_main(job.place, job.mode, job.fault);
    }
    (void)::setpgid(pid, pid); // also here: no race with the child's own call
    (void)::close(p[1]);
    job.pid = pid;
    job.out = p[0];
    job.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    job.start = Clock::now();
}

/// Reads what the case printed so far (the pipe never fills: a case prints a few lines).
void drain(Job& job) {
    std::array<char, 4096> buf{};
    for (;;) {
        pollfd p{job.out, POLLIN, 0};
        if (::poll(&p, 1, 0) != 1) {
            return;
        }
        const ssize_t n = ::read(job.out, buf.data(), buf.size());
        if (n <= 0) {
            return;
        }
        job.text.append(buf.data(), static_cast<std::size_t>(n));
    }
}

void finish_job(Job& job, bool timed_out, Cell& cell) {
    if (timed_out) {
        (void)::kill(-job.pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(job.pid, &status, 0) < 0 && errno == EINTR) {
    }
    drain(job);
    (void)::close(job.out);
    if (job.pidfd >= 0) {
        (void)::close(job.pidfd);
    }
    const auto left = leftovers(job.pid);
    std::vector<std::string> fails;
    std::vector<std::string> devs;
    std::vector<std::string> details;
    std::string outcome;
    std::optional<bool> inside;
    std::istringstream in(job.text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("CELL ", 0) == 0) {
            outcome = line.substr(5);
        } else if (line.rfind("FAIL ", 0) == 0) {
            fails.push_back(line.substr(5));
        } else if (line.rfind("DEV ", 0) == 0) {
            devs.push_back(line.substr(4));
        } else if (line.rfind("DETAIL ", 0) == 0) {
            details.push_back(line.substr(7));
        } else if (line.rfind("INSIDE ", 0) == 0) {
            inside = line.substr(7) == "1";
        }
    }
    if (timed_out) {
        fails.push_back("the case ran longer than 60 s");
    } else if (!WIFEXITED(status)) {
        fails.push_back("the case process died: " + status_text(status));
    } else if (WEXITSTATUS(status) != 0 && fails.empty()) {
        fails.push_back("the case process exited " + std::to_string(WEXITSTATUS(status)));
    }
    for (const std::string& l : left) {
        fails.push_back("left behind: " + l);
    }
    if (outcome.empty()) {
        outcome = "no outcome";
    }
    const std::chrono::duration<double> took = Clock::now() - job.start;
    std::ostringstream line;
    line.precision(2);
    line << std::fixed << "[faults] " << cell_key(job.place, job.mode, job.fault);
    if (job.place == Place::Probe) {
        line << " round " << job.round + 1;
        if (inside) {
            line << (*inside ? " (inside the probe)" : " (outside the probe)");
        }
    }
    line << ": " << (fails.empty() ? (devs.empty() ? "ok" : "ok, deviation") : "FAILED") << " ("
         << took.count() << " s): " << outcome;
    std::cout << line.str() << '\n';
    for (const std::string& d : details) {
        std::cout << "[faults]     " << d << '\n';
    }
    for (const std::string& d : devs) {
        std::cout << "[faults]     deviation: " << d << '\n';
    }
    for (const std::string& f : fails) {
        std::cout << "[faults]     FAIL: " << f << '\n';
    }
    std::cout.flush();
    ++cell.rounds;
    cell.outcomes[outcome] += 1;
    if (!fails.empty()) {
        ++cell.failed_rounds;
        for (const std::string& f : fails) {
            if (std::find(cell.fails.begin(), cell.fails.end(), f) == cell.fails.end()) {
                cell.fails.push_back(f);
            }
        }
    }
    for (const std::string& d : devs) {
        if (std::find(cell.devs.begin(), cell.devs.end(), d) == cell.devs.end()) {
            cell.devs.push_back(d);
        }
    }
    if (inside) {
        ++cell.inside_known;
        cell.inside += *inside ? 1 : 0;
    }
}

/// The outcome tables, one per mode (markdown), with the marks explained below them.
void print_tables(const std::map<std::string, Cell>& cells) {
    std::vector<std::string> notes;
    auto note = [&](const std::string& text) {
        const auto it = std::find(notes.begin(), notes.end(), text);
        if (it != notes.end()) {
            return static_cast<int>(it - notes.begin()) + 1;
        }
        notes.push_back(text);
        return static_cast<int>(notes.size());
    };
    std::cout << "\n[faults] outcome tables (" << probe_rounds
              << " rounds for the handler probe row)\n";
    for (const Mode m : all_modes) {
        std::cout << "\n**" << mode_name(m) << "**\n\n| place |";
        for (const Fault f : all_faults) {
            std::cout << ' ' << fault_name(f) << " |";
        }
        std::cout << "\n|---|";
        for (std::size_t i = 0; i < all_faults.size(); ++i) {
            std::cout << "---|";
        }
        std::cout << '\n';
        for (const Place p : all_places) {
            std::cout << "| " << row(p).name << " |";
            for (const Fault f : all_faults) {
                const auto it = cells.find(cell_key(p, m, f));
                if (it == cells.end()) {
                    std::cout << " (not run) |";
                    continue;
                }
                const Cell& c = it->second;
                std::vector<std::string> outs;
                for (const auto& [text, n] : c.outcomes) {
                    outs.push_back(c.rounds > 1 ? text + " (" + std::to_string(n) + ")" : text);
                }
                std::string text = join(outs, "; ");
                if (c.inside_known > 0) {
                    text += "; inside " + std::to_string(c.inside) + "/" +
                            std::to_string(c.inside_known);
                }
                for (const std::string& d : c.devs) {
                    text += " †" + std::to_string(note("† " + d));
                }
                for (const std::string& fl : c.fails) {
                    text += " ✗" + std::to_string(note("✗ " + fl));
                }
                std::cout << ' ' << text << " |";
            }
            std::cout << '\n';
        }
    }
    std::cout << '\n';
    for (std::size_t i = 0; i < notes.size(); ++i) {
        std::cout << i + 1 << ". " << notes[i] << '\n';
    }
}

/// Whether this machine lets the campaign trace at all (a seize of a child of ours).
std::optional<std::string> cannot_trace() {
    const pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    std::optional<std::string> why;
    if (::syscall(SYS_ptrace, PTRACE_SEIZE, child, 0, 0) != 0) {
        why = std::string("PTRACE_SEIZE of a child fails: ") + std::strerror(errno);
    }
    (void)::kill(child, SIGKILL);
    (void)::waitpid(child, nullptr, __WALL);
    if (::access((programs_dir() + "/fault_tracee").c_str(), X_OK) != 0) {
        why = "fault_tracee not found in " + programs_dir() + " (PTRACE_API_FAULTS_DIR)";
    }
    return why;
}

int run_all(const std::string& filter) {
    if (const auto why = cannot_trace()) {
        std::cout << "[faults] skipped: " << *why << std::endl;
        return 77;
    }
    (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
    (void)::signal(SIGPIPE, SIG_IGN);
    std::vector<Job> jobs;
    for (const Place p : all_places) {
        for (const Mode m : all_modes) {
            for (const Fault f : all_faults) {
                if (!filter.empty() && cell_key(p, m, f).find(filter) == std::string::npos) {
                    continue;
                }
                const int rounds = p == Place::Probe ? probe_rounds : 1;
                for (int r = 0; r < rounds; ++r) {
                    jobs.push_back({p, m, f, r, -1, -1, -1, {}, {}});
                }
            }
        }
    }
    const char* env_jobs = std::getenv("PTRACE_API_FAULTS_JOBS");
    const std::size_t parallel =
        static_cast<std::size_t>(std::max(1, env_jobs != nullptr ? std::atoi(env_jobs) : 2));
    std::map<std::string, Cell> cells;
    std::vector<Job*> running;
    std::size_t next = 0;
    const auto start = Clock::now();
    while (next < jobs.size() || !running.empty()) {
        while (running.size() < parallel && next < jobs.size()) {
            start_job(jobs[next]);
            running.push_back(&jobs[next]);
            ++next;
        }
        std::vector<pollfd> fds;
        for (Job* j : running) {
            fds.push_back({j->pidfd, POLLIN, 0});
        }
        (void)::poll(fds.data(), fds.size(), 100);
        for (std::size_t i = 0; i < running.size();) {
            Job* j = running[i];
            drain(*j);
            const bool ended = (fds[i].revents & POLLIN) != 0;
            const bool late = Clock::now() - j->start > case_limit;
            if (ended || late) {
                finish_job(*j, !ended, cells[cell_key(j->place, j->mode, j->fault)]);
                running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
                fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
            } else {
                ++i;
            }
        }
    }
    print_tables(cells);
    std::size_t passed = 0;
    std::size_t failed = 0;
    for (const auto& [key, c] : cells) {
        if (c.failed_rounds == 0) {
            ++passed;
        } else {
            ++failed;
            std::cout << "[faults] FAILED: " << key << '\n';
        }
    }
    const std::chrono::duration<double> took = Clock::now() - start;
    std::cout << "[faults] " << jobs.size() << " cases in " << static_cast<int>(took.count())
              << " s\n"
              << "===============================================================================\n"
              << "[doctest] test cases: " << cells.size() << " | " << passed << " passed | "
              << failed << " failed | 0 skipped\n"
              << "[doctest] Status: " << (failed == 0 ? "SUCCESS!" : "FAILURE!") << std::endl;
    return failed == 0 ? 0 : 1;
}

} // namespace
} // namespace faults

int main(int argc, char** argv) {
    // An optional argument selects the cells whose "place | mode | fault" contains it.
    return faults::run_all(argc > 1 ? argv[1] : "");
}
