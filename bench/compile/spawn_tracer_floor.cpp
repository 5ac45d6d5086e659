// SPDX-License-Identifier: MIT
// A reference row of bench/compile_cost.cpp, no target: the standard headers that
// bench/compile/spawn_tracer.cpp includes itself, with an empty main. What row (b) costs
// before any library header or any of the program's own code. Compiled, never linked.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

int main() {}
