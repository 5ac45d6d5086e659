// SPDX-License-Identifier: MIT
// Helpers for the tests of the RAII API: a watchdog for processes spawn() starts, and readers
// of a tracee's /proc files (auxv, maps).
#pragma once

#include <ptrace/tracer.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "support.hpp"
#include "watchdog.hpp"

namespace api_support {

/// SIGKILLs the watched processes when the test case runs longer than `limit`, so that a hung
/// tracee ends the case instead of the whole run (reaping stays with their owners), and fails
/// the case.
class Watchdog {
public:
    explicit Watchdog(std::chrono::seconds limit = std::chrono::seconds(30)) : dog_(limit) {}
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog() {
        dog_.disarm();
        if (dog_.fired()) {
            FAIL_CHECK("the watchdog fired: the test case took too long");
        }
    }

    void watch(pid_t pid) { dog_.watch(pid); }

private:
    test_support::Watchdog dog_;
};

/// Attaches a Tracer that must succeed.
inline ptrace_api::Tracer attach_ok(pid_t pid, ptrace_api::AttachOptions options = {}) {
    auto tracer = ptrace_api::Tracer::attach(pid, options);
    REQUIRE_MESSAGE(tracer.has_value(), tracer.error().message());
    return std::move(*tracer);
}

/// The whole text of a /proc file of `pid` (empty if it cannot be opened).
inline std::string proc_file(pid_t pid, const char* name) {
    const std::string file = "/proc/" + std::to_string(pid) + "/" + name;
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    return fd < 0 ? std::string() : support::read_all(fd);
}

/// Yama's kernel.yama.ptrace_scope, -1 without Yama.
inline int yama_scope() {
    const int fd = ::open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    const std::string value = support::read_all(fd);
    return value.empty() ? -1 : value[0] - '0';
}

/// One auxiliary vector entry of `pid` (AT_ENTRY, AT_BASE...), or nothing.
inline std::optional<std::uint64_t> auxv(pid_t pid, std::uint64_t type) {
    const std::string data = proc_file(pid, "auxv");
    for (std::size_t at = 0; at + sizeof(Elf64_auxv_t) <= data.size(); at += sizeof(Elf64_auxv_t)) {
        Elf64_auxv_t entry{};
        std::memcpy(&entry, data.data() + at, sizeof entry);
        if (entry.a_type == type) {
            return entry.a_un.a_val;
        }
    }
    return std::nullopt;
}

/// The end address of the mapping named `name` (e.g. "[stack]") in /proc/<pid>/maps.
inline std::optional<std::uint64_t> mapping_end(pid_t pid, const std::string& name) {
    std::istringstream in(proc_file(pid, "maps"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() >= name.size() &&
            line.compare(line.size() - name.size(), name.size(), name) == 0) {
            const auto dash = line.find('-');
            const auto space = line.find(' ');
            return std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
        }
    }
    return std::nullopt;
}

/// True when the test process has no child left to reap (every test reaps what it starts).
inline bool no_children() {
    siginfo_t info{};
    const int r = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
    return r != 0 && errno == ECHILD;
}

} // namespace api_support
