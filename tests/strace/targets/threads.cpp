// SPDX-License-Identifier: MIT
// Three threads, each doing the same few syscalls on /dev/null. Every run makes the same
// syscalls in every thread:
// - a barrier keeps all threads alive until each has done its work, so that glibc maps a
//   stack for every one of them (a thread that starts after another has exited would reuse
//   its stack: fewer mmaps, by timing);
// - a mutex around open/write/close gives every thread fd 3 (threads that open at the same
//   time would get 3 or 4, by timing);
// - the threads never allocate: a thread's first malloc or free creates an arena for it, or
//   reuses one an exited thread left behind, by timing. So pthread_create directly (a
//   std::thread frees its state on the new thread);
// - locks and the barrier wait with futex, which the comparison leaves out.
#include <array>
#include <cstdint>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

namespace {

pthread_barrier_t all_done;
pthread_mutex_t files = PTHREAD_MUTEX_INITIALIZER;

void* work(void* arg) {
    const auto index = reinterpret_cast<std::uintptr_t>(arg);
    ::pthread_mutex_lock(&files);
    const int fd = ::open("/dev/null", O_WRONLY);
    const char text[] = {'t', static_cast<char>('0' + index), '\n'};
    (void)::write(fd, text, sizeof text);
    ::close(fd);
    ::pthread_mutex_unlock(&files);
    ::pthread_barrier_wait(&all_done);
    return nullptr;
}

} // namespace

int main() {
    std::array<pthread_t, 3> threads{};
    ::pthread_barrier_init(&all_done, nullptr, threads.size());
    for (std::uintptr_t i = 0; i < threads.size(); ++i) {
        if (::pthread_create(&threads[i], nullptr, work, reinterpret_cast<void*>(i)) != 0) {
            return 10;
        }
    }
    for (const pthread_t t : threads) {
        ::pthread_join(t, nullptr);
    }
    ::pthread_barrier_destroy(&all_done);
    return 0;
}
