// SPDX-License-Identifier: MIT
// A program for the debugger kit's tests (tests/debugger/): it prints the runtime addresses of
// some of its own symbols, of libc's malloc and of the vDSO on stdout, one "NAME 0xADDR" line
// each and "ready" last, then blocks reading stdin until EOF, so its memory map stays still
// while the test reads it. Built twice: as a PIE and with -no-pie (tests/targets/meson.build).
#include <cstdint>
#include <cstdio>
#include <dlfcn.h>

#include <sys/auxv.h>
#include <unistd.h>

extern "C" {

/// A function the test finds by name and by address (name+offset).
__attribute__((noinline, used)) int debuggee_marker(int x) {
    return x * 3 + 1;
}

/// A data symbol (OBJECT) of the program.
__attribute__((used)) int debuggee_counter = 7;

/// A local function: in .symtab only (never exported); C linkage keeps its name unmangled.
static __attribute__((noinline, used)) int debuggee_local(int x) {
    return x + debuggee_counter;
}
}

namespace {

void print(const char* name, const void* address) {
    std::printf("%s %p\n", name, address);
}

} // namespace

int main() {
    print("marker", reinterpret_cast<const void*>(&debuggee_marker));
    print("local", reinterpret_cast<const void*>(&debuggee_local));
    print("counter", &debuggee_counter);
    // dlsym gives the definition itself (&malloc in a non-PIE program may be a PLT stub or a
    // canonical address in the program).
    print("malloc", dlsym(RTLD_DEFAULT, "malloc"));
    print("vdso", reinterpret_cast<const void*>(getauxval(AT_SYSINFO_EHDR)));
    void* vdso = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
    print("vdso_clock_gettime", vdso != nullptr ? dlsym(vdso, "__vdso_clock_gettime") : nullptr);
    std::printf("ready\n");
    std::fflush(stdout);
    char c = 0;
    while (read(0, &c, 1) > 0) {
    }
    return debuggee_local(debuggee_marker(c)) == 0 ? 1 : 0;
}
