// SPDX-License-Identifier: MIT
// A reference row of bench/compile_cost.cpp, no target: bench/compile/spawn_tracer.cpp's own
// code without the library. The same standard headers and the same work of its own (the
// command's argument vector, the map of syscall counts, the optional exit status, the report
// on std::cout), with plain values where the program asks the library. What row (b) costs
// before any library header and any library call. Compiled, never linked.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace {
// The stand-in for an event: the syscall number, or the exit status.
using Stop = std::variant<std::uint64_t, int>;
} // namespace

int main(int argc, char** argv) {
    std::string program = argc > 1 ? argv[1] : "/bin/true";
    std::vector<std::string> args;
    args.assign(argv + std::min(argc, 2), argv + argc);

    std::map<std::uint64_t, int> calls; // syscall number -> count
    std::optional<int> exit_status;
    for (int i = 0; i < argc; ++i) {
        const Stop stop = i + 1 < argc ? Stop(static_cast<std::uint64_t>(i)) : Stop(0);
        if (const auto* nr = std::get_if<std::uint64_t>(&stop)) {
            ++calls[*nr];
        } else if (const auto* status = std::get_if<int>(&stop)) {
            exit_status = *status;
        }
    }

    int total = 0;
    for (const auto& [nr, count] : calls) {
        total += count;
    }
    std::cout << program << ": " << total << " syscalls (" << calls.size()
              << " different), exit stop " << (exit_status ? "seen" : "not seen")
              << ", exit status " << exit_status.value_or(0) << '\n';
    return exit_status && args.size() < 2 ? 0 : 1;
}
