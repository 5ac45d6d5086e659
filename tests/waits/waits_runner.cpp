// SPDX-License-Identifier: MIT
// Runs one program of the signals x waits matrix, untraced or traced through the public API,
// and reports how it ended. Prints nothing on stdout: the program's stdout is compared.
//
//   waits_runner MODE TIMEOUT_MS PROGRAM [ARGS...]
//   waits_runner --batch      (many cases, one per line on stdin; see run_batch())
//
// MODE: untraced (fork and exec), signal (STOP_SIGNAL), syscall (STOP_PRE_SYSCALL |
// STOP_POST_SYSCALL), both (all three), attached (STOP_EXIT only). A traced program is started
// with spawn() and resumed with tracer.next(flags) at every stop, never with FLAG_IGNORE, so
// it must behave as if untraced.
//
// The last line on stderr is "waits_runner: exited N", "waits_runner: killed by signal N" or
// "waits_runner: timeout after N ms" (the program was killed then), preceded by a count of
// the stops seen. The exit code is 0 when the program ended by itself, 3 on timeout, 77 when
// tracing is not allowed here, 2 on any other error.
//
// The runner is a child subreaper: a child the program leaves behind (its wait4 helper when
// it dies) is reparented here and reaped before the runner ends, so that nothing is left.

#include <ptrace/spawn.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watchdog.hpp"

namespace {

using ptrace_api::PtraceFlags;
using Clock = std::chrono::steady_clock;

/// The pids whose parent is this process, from /proc.
std::vector<pid_t> children() {
    std::vector<pid_t> out;
    const std::string self = std::to_string(::getpid());
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) {
        return out;
    }
    while (const dirent* entry = ::readdir(proc)) {
        const std::string name = entry->d_name;
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream stat("/proc/" + name + "/stat");
        std::string line;
        std::getline(stat, line);
        const auto paren = line.rfind(')');
        if (paren == std::string::npos) {
            continue;
        }
        std::istringstream fields(line.substr(paren + 2));
        std::string state, ppid;
        fields >> state >> ppid;
        if (ppid == self) {
            out.push_back(static_cast<pid_t>(std::stol(name)));
        }
    }
    (void)::closedir(proc);
    return out;
}

/// Reaps every child reparented to us (we are a subreaper), killing those still alive after
/// a grace period of one second; bounded.
void reap_leftovers() {
    const auto grace = Clock::now() + std::chrono::seconds(1);
    bool killed = false;
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(-1, &status, WNOHANG | __WALL);
        if (r > 0) {
            continue;
        }
        if (r < 0) {
            return; // ECHILD: none left
        }
        if (Clock::now() > grace) {
            if (killed) {
                std::fputs("waits_runner: a leftover child would not die\n", stderr);
                return;
            }
            for (const pid_t pid : children()) {
                std::fprintf(stderr, "waits_runner: killing leftover child %d\n", pid);
                (void)::kill(pid, SIGKILL);
            }
            killed = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void report_status(int status) {
    if (WIFEXITED(status)) {
        std::fprintf(stderr, "waits_runner: exited %d\n", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        std::fprintf(stderr, "waits_runner: killed by signal %d\n", WTERMSIG(status));
    } else {
        std::fprintf(stderr, "waits_runner: status 0x%x\n", static_cast<unsigned>(status));
    }
}

int run_untraced(const std::vector<char*>& argv, std::chrono::milliseconds timeout) {
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("waits_runner: fork");
        return 2;
    }
    if (pid == 0) {
        sigset_t none;
        (void)::sigemptyset(&none);
        (void)::sigprocmask(SIG_SETMASK, &none, nullptr); // as spawn() does
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    bool fired = false;
    {
        test_support::Watchdog watchdog(timeout);
        watchdog.watch(pid); // unreaped until disarmed (WNOWAIT below)
        siginfo_t info{};
        // WNOWAIT: the pid stays unreaped, so valid for the watchdog, until it is disarmed.
        while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 &&
               errno == EINTR) {
        }
        watchdog.disarm();
        fired = watchdog.fired();
    }
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (fired) {
        std::fprintf(stderr, "waits_runner: timeout after %lld ms\n",
                     static_cast<long long>(timeout.count()));
        return 3;
    }
    report_status(status);
    return 0;
}

int run_traced(PtraceFlags flags, const std::vector<char*>& argv,
               std::chrono::milliseconds timeout) {
    ptrace_api::Command command{argv[0], {}, {}, {}};
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
        command.args.emplace_back(argv[i]);
    }
    auto spawned = ptrace_api::spawn(command);
    if (!spawned) {
        const std::error_code e = spawned.error();
        std::fprintf(stderr, "waits_runner: spawn: %s\n", e.message().c_str());
        return e == std::errc::operation_not_permitted ? 77 : 2;
    }
    long signals = 0, pre = 0, post = 0, exits = 0, other = 0, unknown_handler = 0;
    bool fired = false;
    int result = 0;
    {
        test_support::Watchdog watchdog(timeout);
        watchdog.watch(spawned->child.pid());
        for (;;) {
            auto event = spawned->tracer.next(flags);
            if (!event) {
                if (event.error() != std::errc::no_such_process) {
                    std::fprintf(stderr, "waits_runner: next: %s\n",
                                 event.error().message().c_str());
                    (void)spawned->child.kill();
                    result = 2;
                }
                break;
            }
            const PtraceFlags cause = event->cause;
            if (cause == PtraceFlags::STOP_SIGNAL) {
                ++signals;
                if (event->b == ~std::uint64_t{0}) {
                    ++unknown_handler; // the probe could not find a caught signal's handler
                }
            } else if (cause == PtraceFlags::STOP_PRE_SYSCALL) {
                ++pre;
            } else if (cause == PtraceFlags::STOP_POST_SYSCALL) {
                ++post;
            } else if (cause == PtraceFlags::STOP_EXIT) {
                ++exits;
            } else {
                ++other;
            }
        }
        watchdog.disarm();
        fired = watchdog.fired();
    }
    (void)spawned->tracer.events();
    (void)std::move(spawned->tracer).close();
    auto status = spawned->child.wait();
    std::fprintf(stderr,
                 "waits_runner: stops signal=%ld (handler unknown: %ld) pre=%ld post=%ld "
                 "exit=%ld other=%ld\n",
                 signals, unknown_handler, pre, post, exits, other);
    if (fired) {
        std::fprintf(stderr, "waits_runner: timeout after %lld ms\n",
                     static_cast<long long>(timeout.count()));
        return 3;
    }
    if (!status) {
        std::fprintf(stderr, "waits_runner: wait: %s\n", status.error().message().c_str());
        return 2;
    }
    report_status(static_cast<int>(status->raw));
    return result;
}

int run_case(std::string_view mode, std::chrono::milliseconds timeout,
             const std::vector<char*>& program) {
    if (mode == "untraced") {
        return run_untraced(program, timeout);
    }
    if (mode == "signal") {
        return run_traced(PtraceFlags::STOP_SIGNAL, program, timeout);
    }
    if (mode == "syscall") {
        return run_traced(PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL, program,
                          timeout);
    }
    if (mode == "both") {
        return run_traced(PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_PRE_SYSCALL |
                              PtraceFlags::STOP_POST_SYSCALL,
                          program, timeout);
    }
    if (mode == "attached") {
        return run_traced(PtraceFlags::STOP_EXIT, program, timeout);
    }
    std::fprintf(stderr, "waits_runner: unknown mode %.*s\n", static_cast<int>(mode.size()),
                 mode.data());
    return 2;
}

std::string hex(const std::string& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string read_all(int fd) {
    std::string out;
    std::array<char, 4096> buf{};
    off_t at = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buf.data(), buf.size(), at);
        if (n <= 0) {
            return out;
        }
        out.append(buf.data(), static_cast<std::size_t>(n));
        at += n;
    }
}

/// Batch mode: one case per line on stdin ("ID MODE TIMEOUT_MS PROGRAM [ARGS...]", words
/// separated by spaces), one line per case on stdout: "ID RC STDOUT STDERR", the two outputs
/// in hex. The program's stdout and stderr are files of their own (memfd); its stdin is
/// /dev/null. One process runs many cases, so the runner starts once, not once per case.
int run_batch() {
    // The protocol keeps fds of its own; 0, 1 and 2 are the program's.
    const int requests = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 10);
    const int replies = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 10);
    const int diagnostics = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (requests < 0 || replies < 0 || diagnostics < 0 || null < 0) {
        std::perror("waits_runner: fds");
        return 2;
    }
    (void)::dup2(null, STDIN_FILENO);
    (void)::dup2(null, STDOUT_FILENO);
    std::FILE* in = ::fdopen(requests, "r");
    if (in == nullptr) {
        std::perror("waits_runner: fdopen");
        return 2;
    }
    std::string line;
    for (;;) {
        line.clear();
        int c = 0;
        while ((c = std::fgetc(in)) != EOF && c != '\n') {
            line += static_cast<char>(c);
        }
        if (c == EOF && line.empty()) {
            break;
        }
        std::istringstream words(line);
        std::vector<std::string> argv;
        for (std::string w; words >> w;) {
            argv.push_back(w);
        }
        if (argv.size() < 4) {
            const std::string bad = "waits_runner: bad request: " + line + "\n";
            (void)!::write(diagnostics, bad.data(), bad.size());
            (void)std::fclose(in);
            return 2;
        }
        std::vector<char*> program;
        for (std::size_t i = 3; i < argv.size(); ++i) {
            program.push_back(argv[i].data());
        }
        program.push_back(nullptr);

        const int out = ::memfd_create("waits-stdout", MFD_CLOEXEC);
        const int err = ::memfd_create("waits-stderr", MFD_CLOEXEC);
        if (out < 0 || err < 0) {
            std::perror("waits_runner: memfd_create");
            return 2;
        }
        std::fflush(stderr);
        (void)::dup2(out, STDOUT_FILENO);
        (void)::dup2(err, STDERR_FILENO);
        const int rc =
            run_case(argv[1], std::chrono::milliseconds(std::atol(argv[2].c_str())), program);
        reap_leftovers();
        std::fflush(stderr);
        (void)::dup2(null, STDOUT_FILENO);
        (void)::dup2(diagnostics, STDERR_FILENO);
        const std::string reply = argv[0] + " " + std::to_string(rc) + " " + hex(read_all(out)) +
                                  " " + hex(read_all(err)) + "\n";
        (void)::close(out);
        (void)::close(err);
        for (std::size_t done = 0; done < reply.size();) {
            const ssize_t n = ::write(replies, reply.data() + done, reply.size() - done);
            if (n <= 0) {
                (void)std::fclose(in);
                return 2;
            }
            done += static_cast<std::size_t>(n);
        }
    }
    (void)std::fclose(in);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (argc == 2 && std::string_view(argv[1]) == "--batch") {
        return run_batch();
    }
    if (argc < 4) {
        std::fputs("usage: waits_runner untraced|signal|syscall|both|attached TIMEOUT_MS "
                   "PROGRAM [ARGS...]\n       waits_runner --batch\n",
                   stderr);
        return 2;
    }
    std::vector<char*> program(argv + 3, argv + argc);
    program.push_back(nullptr);
    const int rc = run_case(argv[1], std::chrono::milliseconds(std::atol(argv[2])), program);
    reap_leftovers();
    return rc;
}
