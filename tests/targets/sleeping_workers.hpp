// SPDX-License-Identifier: MIT
// For the tests' threaded programs (gdb_threads, gdb_tls): start worker threads and wait until
// each of them sleeps (state S in /proc/self/task/<tid>/stat), blocked where it is to stay,
// before the program calls the function the tests break on (so every backtrace is the same).
#pragma once

#include <cstdio>
#include <cstring>

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

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

/// Starts `n` threads, thread i running `worker` with the argument i, and waits until each has
/// stored its TID in `tids[i]` (0 until then) and sleeps. \returns false when one cannot start.
inline bool start_sleeping_workers(pthread_t* threads, int n, void* (*worker)(void*),
                                   const volatile pid_t* tids) {
    for (long i = 0; i < n; ++i) {
        if (pthread_create(&threads[i], nullptr, worker, reinterpret_cast<void*>(i)) != 0) {
            return false;
        }
    }
    for (int i = 0; i < n; ++i) {
        while (tids[i] == 0 || !task_asleep(tids[i])) {
            usleep(1000);
        }
    }
    return true;
}
