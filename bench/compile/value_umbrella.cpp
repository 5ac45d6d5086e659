// SPDX-License-Identifier: MIT
// Compile-cost row (a) (bench/compile_cost.cpp): an empty main that includes the value layer's
// umbrella header. Compiled, never linked.
#include <ptrace/ptrace.hpp>

int main() {}
