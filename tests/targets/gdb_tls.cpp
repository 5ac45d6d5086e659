// SPDX-License-Identifier: MIT
// Thread-local storage for the gdbserver tests and the debugger kit's TlsLayout (tests/gdbserver
// scenario tls, tests/debugger/tls_test.cpp): `tls_index`, the program's own thread_local, is
// 100 in the main thread and 1, 2 in the two workers; the workers also set `module_value` of
// the library dlopen()ed from argv[1] (tls_module.cpp, dynamic TLS) to 10 and 20, which the
// main thread never touches, so its block is not allocated for the main thread. Once both
// workers block in read() on a pipe, the main thread sets errno to E2BIG (7) and calls
// all_ready(), where the tests break; then it closes the pipe, joins them and exits 0.
#include <cerrno>
#include <cstdio>
#include <dlfcn.h>

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sleeping_workers.hpp"

namespace {

constexpr int workers = 2;
int pipe_fds[2];
volatile pid_t worker_tids[workers];
void (*set_module_value)(int) = nullptr;

} // namespace

thread_local int tls_index = 100;

void* worker(void* arg) {
    const long index = reinterpret_cast<long>(arg);
    tls_index = static_cast<int>(index) + 1;
    set_module_value(10 * (static_cast<int>(index) + 1));
    worker_tids[index] = static_cast<pid_t>(syscall(SYS_gettid));
    char byte = 0;
    const ssize_t got = read(pipe_fds[0], &byte, 1);
    return reinterpret_cast<void*>(got);
}

extern "C" void all_ready() {
    __asm__ volatile("" ::: "memory");
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("usage: gdb_tls MODULE.so\n", stderr);
        return 2;
    }
    void* module = dlopen(argv[1], RTLD_NOW);
    if (module == nullptr) {
        std::fprintf(stderr, "gdb_tls: %s\n", dlerror());
        return 2;
    }
    set_module_value = reinterpret_cast<void (*)(int)>(dlsym(module, "set_module_value"));
    if (set_module_value == nullptr || pipe(pipe_fds) != 0) {
        return 2;
    }
    pthread_t threads[workers];
    if (!start_sleeping_workers(threads, workers, worker, worker_tids)) {
        return 3;
    }
    errno = E2BIG;
    all_ready();
    close(pipe_fds[1]);
    for (int i = 0; i < workers; ++i) {
        pthread_join(threads[i], nullptr);
    }
    return tls_index == 100 ? 0 : 4;
}
