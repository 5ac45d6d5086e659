// SPDX-License-Identifier: MIT
// The program gdbserver_compare debugs: fills a 1 MiB buffer, calls ready() (where the stepi,
// next and memory rows stop), then calls tick() N times (the breakpoint row's breakpoint). Exits 0
// when tick() ran N times. Built without optimisation, so that every call is there.
//
//   gdbserver_target [N]            (default 1000)
//   gdbserver_target syscalls N     N getppid calls (the syscalls row); exits 0
#include <cstdlib>
#include <cstring>

#include <unistd.h>

volatile unsigned long ticks = 0;
unsigned char buffer[1 << 20];

void tick() {
    ticks = ticks + 1;
}

void ready() {
    __asm__ volatile("" ::: "memory");
}

int main(int argc, char** argv) {
    if (argc > 2 && std::strcmp(argv[1], "syscalls") == 0) {
        const long calls = std::atol(argv[2]);
        for (long i = 0; i < calls; ++i) {
            (void)getppid();
        }
        return 0;
    }
    const long n = argc > 1 ? std::atol(argv[1]) : 1000;
    for (unsigned long i = 0; i < sizeof buffer; ++i) {
        buffer[i] = static_cast<unsigned char>(i * 7);
    }
    ready();
    for (long i = 0; i < n; ++i) {
        tick();
    }
    return ticks == static_cast<unsigned long>(n) ? 0 : 1;
}
