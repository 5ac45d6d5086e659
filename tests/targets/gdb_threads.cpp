// SPDX-License-Identifier: MIT
// Threads for the gdbserver tests (tests/gdbserver, issue 13): the main thread starts three
// workers, each of which blocks in read() on a pipe nobody writes to until the main thread
// closes it; once /proc shows all three asleep (so that every backtrace is the same in any
// run), the main thread calls all_ready(), where the scenarios break. Then it releases the
// workers, joins them and exits 0. Prints nothing.
//
//   gdb_threads spin   one worker counts in `spins` without end; the main thread waits until it
//                      has counted, calls tick() five times (`ticks` counts them) and exits 0
//                      (scheduler locking: while gdb runs the main thread alone, `spins` stays)
//   gdb_threads handoff
//                      two rounds: the main thread reads a byte from a pipe with a syscall
//                      instruction of its own (labels handoff_before, a nop, and handoff_read),
//                      which a second thread writes in round N once the debugger has set
//                      `handoff_release` to N or more, calling handoff_writing() just before;
//                      exits 0 when both bytes came. Untraced it waits for ever: a step of the
//                      read ends only if the writer runs meanwhile (vCont;s:TID;c)
#include <cstdio>
#include <cstring>

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sleeping_workers.hpp"

namespace {

constexpr int workers = 3;
int pipe_fds[2];
volatile pid_t worker_tids[workers];

} // namespace

void* worker(void* arg) {
    const long index = reinterpret_cast<long>(arg);
    worker_tids[index] = static_cast<pid_t>(syscall(SYS_gettid));
    char byte = 0;
    const ssize_t got = read(pipe_fds[0], &byte, 1);
    return reinterpret_cast<void*>(got);
}

void all_ready() {
    __asm__ volatile("" ::: "memory");
}

volatile long spins = 0;
volatile long ticks = 0;

void* spinner(void*) {
    for (;;) {
        spins = spins + 1;
    }
    return nullptr;
}

void tick() {
    ticks = ticks + 1;
}

int spin_mode() {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, spinner, nullptr) != 0) {
        return 3;
    }
    while (spins < 1000) {
        usleep(1000);
    }
    for (int i = 0; i < 5; ++i) {
        tick();
    }
    return 0; // exit_group ends the spinner too
}

volatile int handoff_release = 0;

extern "C" void handoff_writing() {
    __asm__ volatile("" ::: "memory");
}

void* handoff_writer(void*) {
    for (int round = 1; round <= 2; ++round) {
        while (handoff_release < round) {
            usleep(1000);
        }
        handoff_writing();
        const char byte = static_cast<char>(round);
        if (write(pipe_fds[1], &byte, 1) != 1) {
            return nullptr;
        }
    }
    return nullptr;
}

/// One byte from the pipe, read by the syscall instruction at handoff_read. \returns it, or -1.
__attribute__((noinline)) int handoff_read_byte() {
    char byte = 0;
    long result = 0;
    __asm__ volatile(".globl handoff_before\nhandoff_before:\n\tnop\n"
                     ".globl handoff_read\nhandoff_read:\n\tsyscall"
                     : "=a"(result)
                     : "a"(long{SYS_read}), "D"(long{pipe_fds[0]}), "S"(&byte), "d"(1L)
                     : "rcx", "r11", "memory");
    return result == 1 ? byte : -1;
}

int handoff_mode() {
    if (pipe(pipe_fds) != 0) {
        return 2;
    }
    pthread_t thread;
    if (pthread_create(&thread, nullptr, handoff_writer, nullptr) != 0) {
        return 3;
    }
    const int first = handoff_read_byte();
    const int second = handoff_read_byte();
    pthread_join(thread, nullptr);
    return first == 1 && second == 2 ? 0 : 4;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "spin") == 0) {
        return spin_mode();
    }
    if (argc > 1 && std::strcmp(argv[1], "handoff") == 0) {
        return handoff_mode();
    }
    if (pipe(pipe_fds) != 0) {
        return 2;
    }
    pthread_t threads[workers];
    if (!start_sleeping_workers(threads, workers, worker, worker_tids)) {
        return 3;
    }
    all_ready();
    close(pipe_fds[1]);
    for (int i = 0; i < workers; ++i) {
        pthread_join(threads[i], nullptr);
    }
    return 0;
}
