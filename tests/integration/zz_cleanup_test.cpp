// SPDX-License-Identifier: MIT
// Runs last (doctest orders by file name): nothing the suite started is left behind.

#include <dirent.h>

#include "support.hpp"

using namespace support;

namespace {

std::vector<pid_t> numeric_entries(const std::string& dir) {
    std::vector<pid_t> out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return out; // a process that exited meanwhile
    }
    while (const dirent* e = ::readdir(d)) {
        const int n = std::atoi(e->d_name);
        if (n > 0) {
            out.push_back(n);
        }
    }
    (void)::closedir(d);
    return out;
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Cleanup: no process started by the suite is left stopped, traced or zombie") {
        const pid_t self = ::getpid();
        const std::vector<pid_t> own_threads = numeric_entries("/proc/self/task");
        REQUIRE(!own_threads.empty());
        REQUIRE(!numeric_entries("/proc").empty());
        std::this_thread::sleep_for(50ms); // let detached tracees finish their last steps
        for (const pid_t pid : numeric_entries("/proc")) {
            for (const pid_t tid : numeric_entries("/proc/" + std::to_string(pid) + "/task")) {
                const auto st = shim::sys::proc_status(tid);
                if (!st) {
                    continue; // gone meanwhile
                }
                CAPTURE(tid);
                CAPTURE(st->state);
                // A child of ours (any state): every test reaps what it starts.
                CHECK_MESSAGE(st->ppid != self, "a child of the test process is left over");
                // Traced by any thread of ours (the shim's tracer thread included).
                const bool traced_by_us = std::find(own_threads.begin(), own_threads.end(),
                                                    st->tracer_pid) != own_threads.end();
                CHECK_MESSAGE(!traced_by_us, "a task is still traced by the test process");
            }
        }
    }

} // TEST_SUITE
