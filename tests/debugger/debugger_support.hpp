// SPDX-License-Identifier: MIT
// Helpers of the debugger kit's tests: the debuggee programs' paths, a running debuggee that
// has printed its addresses (killed and reaped by its destructor, bounded by a watchdog), and
// the output of a command such as readelf.
#pragma once

#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watchdog.hpp"

namespace debugger_support {

/// The directory of the test programs, passed by meson (never the working directory).
inline std::string targets_dir() {
    const char* dir = std::getenv("PTRACE_API_TARGETS");
    return dir != nullptr ? dir : ".";
}

inline std::string debuggee_path() {
    return targets_dir() + "/debuggee";
}

inline std::string debuggee_nopie_path() {
    return targets_dir() + "/debuggee_nopie";
}

/// The libc this test program runs with (the one the debuggees load too), from its own maps.
inline std::string libc_path() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const std::size_t slash = line.find('/');
        if (slash != std::string::npos && line.ends_with("/libc.so.6")) {
            return line.substr(slash);
        }
    }
    return "/lib/x86_64-linux-gnu/libc.so.6";
}

/// The standard output of `command` (run by /bin/sh); fails the test case if it fails.
inline std::string run_command(const std::string& command) {
    FILE* p = ::popen(command.c_str(), "r");
    REQUIRE_MESSAGE(p != nullptr, command);
    std::string out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
        out.append(buf, n);
    }
    const int status = ::pclose(p);
    REQUIRE_MESSAGE(status == 0, command, " exited with status ", status);
    return out;
}

/// A debuggee started with a pipe on its stdin and one on its stdout, that has printed its
/// "NAME 0xADDR" lines and "ready" (check ready() first). It blocks until its stdin closes;
/// the destructor kills it and reaps it. A watchdog bounds the case to 30 s. The constructor
/// never fails a check once the child exists, so the destructor always runs after a fork.
class Debuggee {
public:
    explicit Debuggee(const std::string& path) : watchdog_(std::chrono::seconds(30)) {
        int in[2];
        int out[2];
        REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        // Killed with the test process: a debuggee left in a stop by a test that died would
        // never read its stdin's end.
        pid_ = test_support::fork_tied_to_test();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            // The child: never back into doctest.
            if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0) {
                ::_exit(126);
            }
            ::execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        watchdog_.watch(pid_);
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        std::string text;
        char buf[512];
        while (text.find("ready\n") == std::string::npos) {
            const ssize_t n = ::read(out[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            text.append(buf, static_cast<std::size_t>(n));
        }
        ::close(out[0]);
        output_ = text;
        ready_ = text.find("ready\n") != std::string::npos;
        std::istringstream lines(text);
        std::string name;
        std::string value;
        while (lines >> name >> value) {
            addresses_[name] = value.starts_with("0x") ? std::stoull(value, nullptr, 16) : 0;
        }
    }
    Debuggee(const Debuggee&) = delete;
    Debuggee& operator=(const Debuggee&) = delete;
    ~Debuggee() {
        if (stdin_ >= 0) {
            ::close(stdin_);
        }
        if (pid_ > 0) {
            (void)::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            watchdog_.forget(pid_);
        }
        watchdog_.disarm();
    }

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    /// It printed "ready": its addresses are known and its map stays still.
    [[nodiscard]] bool ready() const noexcept { return ready_; }
    /// What it printed.
    [[nodiscard]] const std::string& output() const noexcept { return output_; }

    /// The address the debuggee printed for `name` (marker, local, counter, malloc,
    /// vdso, vdso_clock_gettime).
    [[nodiscard]] std::uint64_t address(const std::string& name) const {
        const auto it = addresses_.find(name);
        REQUIRE_MESSAGE(it != addresses_.end(), "the debuggee printed no ", name);
        return it->second;
    }

private:
    test_support::Watchdog watchdog_;
    pid_t pid_ = -1;
    int stdin_ = -1;
    bool ready_ = false;
    std::string output_;
    std::map<std::string, std::uint64_t> addresses_;
};

} // namespace debugger_support
