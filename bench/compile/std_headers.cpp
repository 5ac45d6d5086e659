// SPDX-License-Identifier: MIT
// The baseline of the compile-cost rows (bench/compile_cost.cpp): an empty main that includes
// five common standard headers. Compiled, never linked.
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

int main() {}
