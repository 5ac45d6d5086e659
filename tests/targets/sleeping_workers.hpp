// SPDX-License-Identifier: MIT
// For the tests' threaded programs (gdb_threads, gdb_tls): whether a thread of the calling
// process sleeps (state S in /proc/self/task/<tid>/stat), so that a program can wait until its
// workers block before it calls the function the tests break on.
#pragma once

#include <cstdio>
#include <cstring>

#include <sys/types.h>

inline bool task_asleep(pid_t tid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", static_cast<int>(tid));
    FILE* f = std::fopen(path, "r");
    if (f == nullptr) {
        return false;
    }
    char buf[512] = {};
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* paren = std::strrchr(buf, ')');
    return paren != nullptr && paren[1] == ' ' && paren[2] == 'S';
}
