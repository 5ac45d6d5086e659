// SPDX-License-Identifier: MIT
// The debugger example's program (examples/debugger; tests/debugger/debugger_example_test.py):
// known data to examine and functions with known shapes, built -O0 -fno-omit-frame-pointer so
// that every function has a frame (for bt and finish) and its calls are plain call
// instructions (for next).
//   lesson            tick(0) ... tick(4) in a loop, then factorial(5) (recursive), then
//                     prints "factorial(5) = 120" and exits 0 when both results are right
//   lesson exit N     exits with status N
//   lesson crash      writes through a null pointer (SIGSEGV)
//   lesson threads N  N threads and main meet at a barrier; main then calls all_started()
//                     while the threads wait at a second one; then each thread calls
//                     worker_done(i); exits 0 once all are joined
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <pthread.h>
#include <unistd.h>

extern "C" {

// Data the tests examine: a string (x/s), bytes (x/8xb), 64-bit values (x/xg, x/dg). The
// tests never read past the end of one of them: the compiler chooses their order.
extern const char greeting[]; // extern: a const object has internal linkage otherwise
const char greeting[] = "hello, debugger";
unsigned char pattern[8] = {0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0};
unsigned long long big_value = 0x1122334455667788ULL;
unsigned long long words[2] = {0x1122334455667788ULL, 0x99aabbccddeeff00ULL};
volatile long total = 0;

__attribute__((noinline)) long tick(long i) {
    total = total + i;
    return total;
}

__attribute__((noinline)) long factorial(long n) {
    if (n <= 1) {
        return 1;
    }
    return n * factorial(n - 1);
}

static pthread_barrier_t started;   // all threads exist
static pthread_barrier_t announced; // main has called all_started()

__attribute__((noinline)) void all_started(long n) {
    total = n;
}

__attribute__((noinline)) void worker_done(long i) {
    total = total + i;
}

__attribute__((noinline)) void* worker(void* arg) {
    pthread_barrier_wait(&started);
    pthread_barrier_wait(&announced);
    worker_done(reinterpret_cast<long>(arg));
    return nullptr;
}

} // extern "C"

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "exit") == 0) {
        return std::atoi(argv[2]);
    }
    if (argc >= 2 && std::strcmp(argv[1], "crash") == 0) {
        *static_cast<volatile int*>(nullptr) = 1;
        return 0;
    }
    if (argc >= 3 && std::strcmp(argv[1], "threads") == 0) {
        const long n = std::atol(argv[2]);
        if (n < 1 || n > 16) {
            return 2;
        }
        pthread_t threads[16];
        pthread_barrier_init(&started, nullptr, static_cast<unsigned>(n + 1));
        pthread_barrier_init(&announced, nullptr, static_cast<unsigned>(n + 1));
        for (long i = 0; i < n; ++i) {
            if (pthread_create(&threads[i], nullptr, worker, reinterpret_cast<void*>(i)) != 0) {
                return 3;
            }
        }
        pthread_barrier_wait(&started);
        all_started(n + 1);
        pthread_barrier_wait(&announced);
        for (long i = 0; i < n; ++i) {
            pthread_join(threads[i], nullptr);
        }
        return 0;
    }
    long sum = 0;
    for (long i = 0; i < 5; ++i) {
        sum = tick(i);
    }
    const long f = factorial(5);
    char line[64];
    const int len = std::snprintf(line, sizeof line, "factorial(5) = %ld\n", f);
    (void)!write(1, line, static_cast<std::size_t>(len));
    return sum == 10 && f == 120 ? 0 : 1;
}
