// SPDX-License-Identifier: MIT
// Fuzzes the debugger kit's /proc/<pid>/maps parser (debugger/include/ptrace/debugger/maps.hpp).
//
// Input: the text of a maps file.
//
// Properties:
// - exactly one outcome: a map, or an EINVAL error whose message names a line of the input
//   ("maps line N: expected ...", N within the input's lines);
// - a map written back in the kernel's format parses again into an equal map, and an entry's
//   line parses into that entry;
// - every entry's range is ordered, and find() on a non-empty entry's first and last byte
//   returns a mapping containing them.
#include <ptrace/debugger/maps.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"

namespace dbg = ptrace_api::debugger;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    const auto map = dbg::parse_maps(text);
    if (!map) {
        const std::string& message = map.error().message;
        FUZZ_CHECK(map.error().code == std::errc::invalid_argument, map.error().describe());
        FUZZ_CHECK(message.starts_with("maps line "), fuzz::escaped(message));
        const std::size_t line = std::stoul(message.substr(10));
        const std::size_t lines =
            static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
        FUZZ_CHECK(line >= 1 && line <= lines, fuzz::escaped(message));
        FUZZ_CHECK(message.find(": expected ") != std::string::npos, fuzz::escaped(message));
        return 0;
    }
    const std::string written = map->to_string();
    const auto again = dbg::parse_maps(written);
    FUZZ_CHECK(again.has_value(), fuzz::escaped(written));
    FUZZ_CHECK(again->entries() == map->entries(), fuzz::escaped(written));
    for (const dbg::MapEntry& e : map->entries()) {
        const auto one = dbg::parse_maps_line(e.to_string());
        FUZZ_CHECK(one.has_value() && *one == e, fuzz::escaped(e.to_string()));
        FUZZ_CHECK(e.start <= e.end, fuzz::escaped(e.to_string()));
        if (e.start < e.end) {
            const dbg::MapEntry* first = map->find(e.start);
            const dbg::MapEntry* last = map->find(e.end - 1);
            FUZZ_CHECK(first != nullptr && first->contains(e.start), fuzz::escaped(e.to_string()));
            FUZZ_CHECK(last != nullptr && last->contains(e.end - 1), fuzz::escaped(e.to_string()));
        }
        (void)e.kind();
        (void)map->load_base(e.path);
    }
    return 0;
}
