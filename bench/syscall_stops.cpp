// SPDX-License-Identifier: MIT
// Cost per syscall stop: a tracee making getppid calls, traced with PRE|POST through blocking
// trace handles (row 1) and through nonblocking handles and epoll with 1, 8 and 64 tracees
// (row 2), each against a hand-written PTRACE_SYSCALL + waitpid loop doing the same work.
#include <ptrace/bytes.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/proc.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <fcntl.h>
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
    const pid_t pid = fork();
    if (pid == 0) {
        (void)ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        (void)raise(SIGSTOP);
        getppid_loop(calls);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
        bench::die("raw: child did not stop");
    }
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
    const pid_t pid = fork();
    if (pid == 0) {
        (void)raise(SIGSTOP);
        getppid_loop(calls);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
        bench::die("lib: child did not stop");
    }
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

/// Blocking handle: write the operation (resume, wait), read the events, until ESRCH.
double blocking_loop(const Traced& t) {
    double stops = 0;
    std::array<PtraceEvent, 8> events{};
    auto buffer = std::as_writable_bytes(std::span(events));
    while (shim::write(t.fd, ptrace_api::as_bytes(syscall_op))) {
        const auto n = shim::read(t.fd, buffer);
        if (!n) {
            bench::die("lib: read: " + n.error().message());
        }
        stops += static_cast<double>(*n / sizeof(PtraceEvent));
    }
    return stops;
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

} // namespace

int main(int argc, char** argv) {
    const long calls = argc > 1 ? std::atol(argv[1]) : 100000;
    const int reps = bench::repetitions(5);
    (void)signal(SIGCHLD, SIG_DFL);

    bench::compare_row(
        "syscall stops, blocking handle (" + std::to_string(calls) + " getppid)", reps,
        [&] {
            const pid_t pid = spawn_raw(calls);
            return bench::measure([&] { return raw_loop({pid}); });
        },
        [&] {
            const Traced t = spawn_traced(calls, 0);
            const auto s = bench::measure([&] { return blocking_loop(t); });
            finish(t);
            return s;
        },
        "us/stop", 1.0);

    for (const int tracees : {1, 8, 64}) {
        const long each = calls / tracees;
        bench::compare_row(
            "syscall stops, epoll, " + std::to_string(tracees) + " tracees", reps,
            [&] {
                std::vector<pid_t> pids;
                for (int i = 0; i < tracees; ++i) {
                    pids.push_back(spawn_raw(each));
                }
                return bench::measure([&] { return raw_loop(pids); });
            },
            [&] {
                std::vector<Traced> ts;
                for (int i = 0; i < tracees; ++i) {
                    ts.push_back(spawn_traced(each, O_NONBLOCK));
                }
                const auto s = bench::measure([&] { return epoll_loop(ts); });
                for (const auto& t : ts) {
                    finish(t);
                }
                return s;
            },
            "us/stop", 1.2);
    }
    return 0;
}
