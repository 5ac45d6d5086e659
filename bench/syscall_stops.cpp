// SPDX-License-Identifier: MIT
// Cost per syscall stop: a tracee making getppid calls, traced with PRE|POST through the
// blocking Tracer (row 1: its loop on the tracer thread with on_tracer_thread, as the library
// recommends, and from another thread for comparison) and through nonblocking handles and epoll
// with 1, 8 and 64 tracees (row 2), each against a hand-written PTRACE_SYSCALL + waitpid loop
// doing the same work.
#include <ptrace/bytes.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

namespace {

namespace shim = ptrace_api::shim;
using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;

[[noreturn]] void getppid_loop(long calls) {
    for (long i = 0; i < calls; ++i) {
        (void)syscall(SYS_getppid);
    }
    _exit(0);
}

// ---- the baseline: what a careful hand-written tracer does ----

pid_t spawn_raw(long calls) {
    const pid_t pid = bench::fork_stopped(true, [calls] { getppid_loop(calls); });
    (void)ptrace(PTRACE_SETOPTIONS, pid, nullptr, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
    return pid;
}

/// PTRACE_SYSCALL + waitpid over `pids` until all exited; returns the syscall stops seen.
double raw_loop(const std::vector<pid_t>& pids) {
    double stops = 0;
    for (const pid_t pid : pids) {
        (void)ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr); // drops the initial SIGSTOP
    }
    std::size_t alive = pids.size();
    while (alive > 0) {
        int status = 0;
        const pid_t pid =
            pids.size() == 1 ? waitpid(pids[0], &status, __WALL) : waitpid(-1, &status, __WALL);
        if (pid < 0) {
            bench::die("raw: waitpid failed");
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            --alive;
            continue;
        }
        const int sig = WSTOPSIG(status);
        if (sig == (SIGTRAP | 0x80)) {
            ++stops;
        }
        (void)ptrace(PTRACE_SYSCALL, pid, nullptr,
                     reinterpret_cast<void*>(static_cast<long>(sig == (SIGTRAP | 0x80) ? 0 : sig)));
    }
    return stops;
}

// ---- the library: Redox trace handles ----

/// A child stopped by its own SIGSTOP, then frozen by an O_TRUNC trace handle and continued
/// (as in the RFC's example).
struct Traced {
    pid_t pid = -1;
    int fd = -1;
};

Traced spawn_traced(long calls, int extra_oflags) {
    const pid_t pid = bench::fork_stopped(false, [calls] { getppid_loop(calls); });
    const auto fd = shim::open("proc:" + std::to_string(pid) + "/trace", O_TRUNC | extra_oflags);
    if (!fd) {
        bench::die("lib: open trace: " + fd.error().message());
    }
    (void)kill(pid, SIGCONT);
    return {pid, *fd};
}

void finish(const Traced& t) {
    (void)shim::close(t.fd);
    int status = 0;
    (void)waitpid(t.pid, &status, 0);
}

constexpr auto syscall_op = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL;

/// A child stopped by its own SIGSTOP, attached by a blocking Tracer that freezes it (A5).
struct TracedChild {
    pid_t pid = -1;
    ptrace_api::Tracer tracer;
};

TracedChild spawn_tracer(long calls) {
    const pid_t pid = bench::fork_stopped(false, [calls] { getppid_loop(calls); });
    auto tracer = ptrace_api::Tracer::attach(
        pid, {ptrace_api::AttachStop::StopNow, ptrace_api::OnClose::Kill});
    if (!tracer) {
        bench::die("lib: attach: " + tracer.error().message());
    }
    (void)kill(pid, SIGCONT);
    return {pid, std::move(*tracer)};
}

/// The blocking Tracer: each next() resumes the tracee and waits for its next stop.
double tracer_loop(ptrace_api::Tracer& tracer) {
    double stops = 0;
    while (tracer.next(syscall_op)) {
        ++stops;
    }
    return stops;
}

bench::Sample measure_tracer(long calls, bool on_tracer_thread) {
    TracedChild t = spawn_tracer(calls);
    const auto s = bench::measure([&] {
        return on_tracer_thread
                   ? ptrace_api::on_tracer_thread([&] { return tracer_loop(t.tracer); })
                   : tracer_loop(t.tracer);
    });
    (void)std::move(t.tracer).close();
    int status = 0;
    (void)waitpid(t.pid, &status, 0);
    return s;
}

/// Nonblocking handles in one epoll set: on readable, read the events and write the next op.
double epoll_loop(const std::vector<Traced>& tracees) {
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < tracees.size(); ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        (void)epoll_ctl(ep, EPOLL_CTL_ADD, tracees[i].fd, &ev);
        (void)shim::write(tracees[i].fd, ptrace_api::as_bytes(syscall_op));
    }
    double stops = 0;
    std::size_t alive = tracees.size();
    std::vector<epoll_event> ready(tracees.size());
    std::array<PtraceEvent, 8> events{};
    auto buffer = std::as_writable_bytes(std::span(events));
    while (alive > 0) {
        const int n = epoll_wait(ep, ready.data(), static_cast<int>(ready.size()), -1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            bench::die("epoll_wait failed");
        }
        for (int i = 0; i < n; ++i) {
            const Traced& t = tracees[ready[static_cast<std::size_t>(i)].data.u64];
            const auto got = shim::read(t.fd, buffer);
            if (got && *got > 0) {
                stops += static_cast<double>(*got / sizeof(PtraceEvent));
                if (shim::write(t.fd, ptrace_api::as_bytes(syscall_op))) {
                    continue;
                }
            }
            // Readable with nothing queued, or a write refused: the tracee exited (C8, G1).
            (void)epoll_ctl(ep, EPOLL_CTL_DEL, t.fd, nullptr);
            --alive;
        }
    }
    (void)close(ep);
    return stops;
}

/// The same loop on the tracer thread: ptrace_api::poll instead of epoll (which cannot wait
/// there), every call inline.
double poll_job_loop(const std::vector<Traced>& tracees) {
    return ptrace_api::on_tracer_thread([&] {
        std::vector<pollfd> fds;
        for (const Traced& t : tracees) {
            fds.push_back(pollfd{t.fd, POLLIN, 0});
            (void)shim::write(t.fd, ptrace_api::as_bytes(syscall_op));
        }
        double stops = 0;
        std::size_t alive = tracees.size();
        std::array<PtraceEvent, 8> events{};
        auto buffer = std::as_writable_bytes(std::span(events));
        while (alive > 0) {
            if (!ptrace_api::poll(fds, -1)) {
                bench::die("poll failed");
            }
            for (pollfd& p : fds) {
                if (p.revents == 0) {
                    continue;
                }
                const auto got = shim::read(p.fd, buffer);
                if (got && *got > 0) {
                    stops += static_cast<double>(*got / sizeof(PtraceEvent));
                    if (shim::write(p.fd, ptrace_api::as_bytes(syscall_op))) {
                        continue;
                    }
                }
                p.fd = -1; // it exited (C8, G1)
                --alive;
            }
        }
        return stops;
    });
}

} // namespace

int main(int argc, char** argv) {
    const long calls = argc > 1 ? std::atol(argv[1]) : 100000;
    const int reps = bench::repetitions(5);
    (void)signal(SIGCHLD, SIG_DFL);

    const auto raw_one = [&] {
        const pid_t pid = spawn_raw(calls);
        return bench::measure([&] { return raw_loop({pid}); });
    };
    bench::compare_row(
        "1 syscall stops, Tracer on the tracer thread (" + std::to_string(calls) + " getppid)",
        reps, raw_one, [&] { return measure_tracer(calls, true); }, "us/stop", 1.0);
    bench::compare_row(
        "1b syscall stops, Tracer from another thread", std::max(1, reps - 2), raw_one,
        [&] { return measure_tracer(calls, false); }, "us/stop", bench::no_target);

    const int fewer = std::max(1, reps - 2);
    for (const int tracees : {1, 8, 64}) {
        const long each = calls / tracees;
        const auto raw_many = [&] {
            std::vector<pid_t> pids;
            for (int i = 0; i < tracees; ++i) {
                pids.push_back(spawn_raw(each));
            }
            return bench::measure([&] { return raw_loop(pids); });
        };
        const auto library = [&](bool on_tracer_thread) {
            std::vector<Traced> ts;
            for (int i = 0; i < tracees; ++i) {
                ts.push_back(spawn_traced(each, O_NONBLOCK));
            }
            const auto s = bench::measure(
                [&] { return on_tracer_thread ? poll_job_loop(ts) : epoll_loop(ts); });
            for (const auto& t : ts) {
                finish(t);
            }
            return s;
        };
        const std::string n = std::to_string(tracees) + (tracees == 1 ? " tracee" : " tracees");
        bench::compare_row(
            "2 syscall stops, epoll, " + n, fewer, raw_many, [&] { return library(false); },
            "us/stop", 1.2);
        if (tracees > 1) {
            bench::compare_row(
                "2b syscall stops, ptrace_api::poll on the tracer thread, " + n, fewer, raw_many,
                [&] { return library(true); }, "us/stop", 1.2);
        }
    }
    return 0;
}
