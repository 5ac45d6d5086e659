// SPDX-License-Identifier: MIT
// A threaded workload for the strace comparison: N threads each making M getppid calls.
#include <cstdlib>
#include <thread>
#include <vector>

#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 8;
    const long calls = argc > 2 ? std::atol(argv[2]) : 20000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([calls] {
            for (long i = 0; i < calls; ++i) {
                (void)syscall(SYS_getppid);
            }
        });
    }
    for (auto& thread : pool) {
        thread.join();
    }
    return 0;
}
