// SPDX-License-Identifier: MIT
// Shared benchmark machinery: alternate A and B within one run, report the B/A ratio's median,
// min and max, so that the noise of a shared VM cancels out as far as it can.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <time.h>
#include <vector>

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

/// One measurement: wall time and the CPU time of this (tracer) process, in nanoseconds.
struct Sample {
    double wall_ns = 0;
    double cpu_ns = 0;
    double work = 0; // units of work done (stops, steps, bytes), for per-unit figures
};

inline double wall_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

/// CPU time of every thread of this process (the tracer and its helper threads; tracees are
/// other processes and are not counted).
inline double cpu_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

/// Times `fn`, which returns the units of work it did.
inline Sample measure(const std::function<double()>& fn) {
    const double w0 = wall_now_ns();
    const double c0 = cpu_now_ns();
    const double work = fn();
    Sample s;
    s.wall_ns = wall_now_ns() - w0;
    s.cpu_ns = cpu_now_ns() - c0;
    s.work = work;
    return s;
}

struct Spread {
    double median = 0, min = 0, max = 0;
};

inline Spread spread(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    Spread s;
    if (v.empty()) {
        return s;
    }
    s.min = v.front();
    s.max = v.back();
    const std::size_t n = v.size();
    s.median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

/// Number of A/B pairs, from BENCH_REPS (default `fallback`).
inline int repetitions(int fallback) {
    if (const char* env = std::getenv("BENCH_REPS")) {
        const int n = std::atoi(env);
        if (n > 0) {
            return n;
        }
    }
    return fallback;
}

/// The target of a row that is there for comparison only.
inline constexpr double no_target = std::numeric_limits<double>::quiet_NaN();

/// Runs `reps` pairs, alternating which of A (baseline) and B (measured) goes first, and prints
/// one table row: the B/A ratio of wall time per unit of work (and of CPU time per unit),
/// median [min, max], plus the median wall time per unit of each in microseconds. With
/// `lower_is_better` false the row reports A/B instead (a throughput ratio). A row is
/// tab-separated so bench/run can align it.
inline void compare_row(const std::string& row, int reps, const std::function<Sample()>& a,
                        const std::function<Sample()>& b, const char* unit, double target,
                        bool lower_is_better = true, bool with_cpu = true) {
    std::vector<double> wall_ratio, cpu_ratio, a_unit, b_unit;
    for (int i = 0; i < reps; ++i) {
        Sample sa, sb;
        if (i % 2 == 0) {
            sa = a();
            sb = b();
        } else {
            sb = b();
            sa = a();
        }
        // Per unit of work, so that runs doing slightly different amounts compare fairly.
        const double wall = (sb.wall_ns / sb.work) / (sa.wall_ns / sa.work);
        const double cpu = (sb.cpu_ns / sb.work) / (sa.cpu_ns / sa.work);
        wall_ratio.push_back(lower_is_better ? wall : 1 / wall);
        cpu_ratio.push_back(lower_is_better ? cpu : 1 / cpu);
        a_unit.push_back(sa.wall_ns / sa.work);
        b_unit.push_back(sb.wall_ns / sb.work);
    }
    const Spread w = spread(wall_ratio);
    const Spread c = spread(cpu_ratio);
    const Spread ua = spread(a_unit);
    const Spread ub = spread(b_unit);
    const bool met = lower_is_better ? w.median <= target : w.median >= target;
    char cpu_text[64] = "n/a";
    if (with_cpu) {
        std::snprintf(cpu_text, sizeof cpu_text, "%.2f [%.2f, %.2f]", c.median, c.min, c.max);
    }
    char target_text[64] = "(for comparison)";
    if (!std::isnan(target)) {
        std::snprintf(target_text, sizeof target_text, "%s %.2f: %s",
                      lower_is_better ? "<=" : ">=", target, met ? "met" : "MISSED");
    }
    std::printf("%s\t%.2f [%.2f, %.2f]\t%s\t%.2f / %.2f %s\t%s\n", row.c_str(), w.median, w.min,
                w.max, cpu_text, ua.median / 1000.0, ub.median / 1000.0, unit, target_text);
    std::fflush(stdout);
}

/// Stops the benchmark with a message when a step that must work did not.
[[noreturn]] inline void die(const std::string& what) {
    std::fprintf(stderr, "bench: %s\n", what.c_str());
    std::exit(2);
}

/// Forks a child that stops itself with SIGSTOP, then runs `body` (which must not return);
/// with `traceme` it asks to be traced by this process first (the raw baselines). Returns
/// once the child sits in that stop.
template <class Body>
pid_t fork_stopped(bool traceme, Body body) {
    const pid_t pid = fork();
    if (pid == 0) {
        if (traceme) {
            (void)ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        }
        (void)raise(SIGSTOP);
        body();
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
        die("the child did not stop");
    }
    return pid;
}

/// Runs `argv` (looked up in PATH) with stdout and stderr on /dev/null and returns its wall time.
inline Sample run_quiet(const std::vector<std::string>& argv) {
    return measure([&] {
        const pid_t pid = fork();
        if (pid == 0) {
            const int null = open("/dev/null", O_WRONLY);
            (void)dup2(null, 1);
            (void)dup2(null, 2);
            std::vector<char*> args;
            for (const auto& a : argv) {
                args.push_back(const_cast<char*>(a.c_str()));
            }
            args.push_back(nullptr);
            execvp(args[0], args.data());
            _exit(127);
        }
        int status = 0;
        (void)waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            die("command failed: " + argv.front() + " " + argv.back());
        }
        return 1.0;
    });
}

} // namespace bench
