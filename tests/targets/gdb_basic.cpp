// SPDX-License-Identifier: MIT
// The gdbserver tests' main program (tests/gdbserver, issue 13): functions to break on and step
// through, a loop, globals to watch, read and set, a function gdb calls (`print add(2, 3)`), a
// string, and known values in ymm0 (loaded by an AVX function, when the CPU has AVX, right
// before vector_loaded() is called). Prints nothing: gdb's transcript is the test's subject.
//
//   gdb_basic [FILE]   when FILE is given, writes "counter=C total=T\n" to it at the end (the
//                      detach scenario checks that the program went on after gdb left)
//
// Exits with total % 256 (14 when nobody changed anything).
#include <cstdio>

char greeting[] = "hello, gdb";
unsigned char pattern[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
int counter = 0;
long total = 0;
alignas(32) unsigned char ymm_bytes[32];

int add(int a, int b) {
    const int sum = a + b;
    return sum;
}

int square(int x) {
    const int result = x * x;
    return result;
}

int compute(int n) {
    int value = add(n, 1);
    value = square(value);
    return value;
}

void bump() {
    counter = counter + 1;
}

__attribute__((target("avx"))) void load_ymm0() {
    __asm__ volatile("vmovdqa %0, %%ymm0" : : "m"(ymm_bytes) : "xmm0");
}

void vector_loaded() {
    __asm__ volatile("" ::: "memory");
}

int main(int argc, char** argv) {
    for (int i = 0; i < 32; ++i) {
        ymm_bytes[i] = static_cast<unsigned char>(i + 1);
    }
    if (__builtin_cpu_supports("avx")) {
        load_ymm0();
    }
    vector_loaded();
    for (int i = 0; i < 3; ++i) {
        total += compute(i);
        bump();
    }
    if (argc > 1) {
        if (FILE* f = std::fopen(argv[1], "w")) {
            std::fprintf(f, "counter=%d total=%ld\n", counter, total);
            std::fclose(f);
        }
    }
    return static_cast<int>(total % 256);
}
