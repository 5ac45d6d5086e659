// SPDX-License-Identifier: MIT
// A tracee for the regs/debug tests (issue 13): stops at an int3 with the address of a variable
// in rdi and of a function in rsi, so that the tracer can watch them; then writes the variable,
// calls the function, and stops at a second int3 with the variable's value in rdi and the
// number of calls in rsi. Exits 0. With hardware debug registers that fire, a write
// watchpoint on the variable traps after the store and an execution breakpoint on the function
// traps before its first instruction; where they never fire (some hypervisors), the program
// goes straight to the second int3.
#include <cstdint>

namespace {

volatile std::uint64_t g_watched = 0;
volatile std::uint64_t g_calls = 0;

__attribute__((noinline)) void watched_function() {
    g_calls = g_calls + 1;
}

} // namespace

int main() {
    const auto variable = reinterpret_cast<std::uintptr_t>(&g_watched);
    const auto function = reinterpret_cast<std::uintptr_t>(&watched_function);
    __asm__ volatile("int3" : : "D"(variable), "S"(function) : "memory");
    g_watched = 42;
    watched_function();
    const std::uint64_t value = g_watched;
    const std::uint64_t calls = g_calls;
    __asm__ volatile("int3" : : "D"(value), "S"(calls) : "memory");
    return 0;
}
