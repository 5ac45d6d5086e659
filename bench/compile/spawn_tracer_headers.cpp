// SPDX-License-Identifier: MIT
// A reference row of bench/compile_cost.cpp, no target: the two library headers that
// bench/compile/spawn_tracer.cpp includes, with an empty main, compiled in the separate mode.
// What the library's headers cost a translation unit before the program's own code and its
// calls: the part of row (b)'s separate mode that the library's headers decide. Compiled,
// never linked.
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

int main() {}
