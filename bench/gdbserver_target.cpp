// SPDX-License-Identifier: MIT
// The program gdbserver_compare debugs: fills a 1 MiB buffer, calls ready() (where the stepi
// and memory rows stop), then calls tick() N times (the breakpoint row's breakpoint). Exits 0
// when tick() ran N times. Built without optimisation, so that every call is there.
//
//   gdbserver_target [N]   (default 1000)
#include <cstdlib>

volatile unsigned long ticks = 0;
unsigned char buffer[1 << 20];

void tick() {
    ticks = ticks + 1;
}

void ready() {
    __asm__ volatile("" ::: "memory");
}

int main(int argc, char** argv) {
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
