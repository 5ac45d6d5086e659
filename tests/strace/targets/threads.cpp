// SPDX-License-Identifier: MIT
// Three threads, each doing the same few syscalls on /dev/null. A barrier keeps them all alive
// until each has done its work, so that glibc maps a stack for every one of them (a thread
// that starts after another has exited would reuse its stack: fewer mmaps, by timing). The
// barrier waits with futex only (std::barrier may spin and call sched_yield, by timing).
#include <array>
#include <thread>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

int main() {
    pthread_barrier_t all_done;
    ::pthread_barrier_init(&all_done, nullptr, 3);
    std::array<std::thread, 3> threads;
    for (std::size_t i = 0; i < threads.size(); ++i) {
        threads[i] = std::thread([i, &all_done] {
            const int fd = ::open("/dev/null", O_WRONLY);
            const char text[] = {'t', static_cast<char>('0' + i), '\n'};
            (void)::write(fd, text, sizeof text);
            ::close(fd);
            ::pthread_barrier_wait(&all_done);
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    ::pthread_barrier_destroy(&all_done);
    return 0;
}
