// SPDX-License-Identifier: MIT
// A long-running program for the gdbserver tests' attach scenario (tests/gdbserver, issue 13):
// sleeps in 200 ms steps until `stop` becomes nonzero (gdb sets it) or 60 s have passed, then
// writes "rounds>0=R stop=S\n" to FILE and exits 0. Prints nothing.
//
//   gdb_sleeper FILE
#include <cstdio>

#include <unistd.h>

volatile int stop = 0;
volatile int rounds = 0;

int main(int argc, char** argv) {
    if (argc < 2) {
        return 2;
    }
    while (stop == 0 && rounds < 300) {
        usleep(200000);
        rounds = rounds + 1;
    }
    if (FILE* f = std::fopen(argv[1], "w")) {
        std::fprintf(f, "rounds>0=%d stop=%d\n", rounds > 0 ? 1 : 0, stop);
        std::fclose(f);
    }
    return 0;
}
