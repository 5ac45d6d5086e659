// SPDX-License-Identifier: MIT
// qXfer:libraries-svr4:read: the program's shared libraries as the dynamic linker lists them
// (its `r_debug` and link map, read by the debugger kit's LinkMap), in the XML gdb asks for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rsp.hpp"
#include "target.hpp"

namespace gdbserver {

/// The document for the annex `annex` (`start=LM;prev=LM;`: the list from the link map entry
/// LM on, whose predecessor must be PREV; empty: the whole list). Nothing (E01) when the
/// program has no dynamic section or no DT_DEBUG entry (a static program: gdb then reads
/// memory itself). Until the dynamic linker has filled in DT_DEBUG the list is empty. The
/// first entry is the program itself (`main-lm`); entries without a name (the vDSO has one,
/// gdb drops it) are left out. A broken chain (an l_prev that does not point back) ends the
/// list. Each library's `lmid` (its link map namespace, which gdb 13 requires) is the address
/// of `r_debug`, as GNU gdbserver gives it; only the first namespace is listed.
[[nodiscard]] inline std::optional<std::string> libraries_svr4(Target& target,
                                                               std::string_view annex) {
    std::uint64_t start = 0;
    std::uint64_t prev = 0;
    for (const auto item : rsp::split(annex, ';')) {
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        const auto value = rsp::parse_hex(item.substr(eq + 1));
        if (item.substr(0, eq) == "start" && value) {
            start = *value;
        } else if (item.substr(0, eq) == "prev" && value) {
            prev = *value;
        }
    }
    const auto link_map = target.link_map();
    std::vector<dbg::LinkMapEntry> entries;
    if (start != 0) {
        entries = dbg::LinkMap::entries_from(target.memory(), start, prev);
    } else if (link_map) {
        if (auto all = link_map->entries(target.memory())) {
            entries = std::move(*all);
        }
    } else if (link_map.error().code != std::errc::resource_unavailable_try_again) {
        return std::nullopt;
    }
    const std::uint64_t lmid = link_map ? link_map->r_debug() : 0;
    std::string head = "<library-list-svr4 version=\"1.0\"";
    std::string body;
    for (const dbg::LinkMapEntry& entry : entries) {
        if (entry.address == entries.front().address && prev == 0) {
            head += " main-lm=\"0x" + rsp::hex_number(entry.address) + "\"";
        } else if (!entry.name.empty()) {
            body += "<library name=\"" + rsp::xml_escape(entry.name) + "\" lm=\"0x" +
                    rsp::hex_number(entry.address) + "\" l_addr=\"0x" +
                    rsp::hex_number(entry.bias) + "\" l_ld=\"0x" + rsp::hex_number(entry.dynamic) +
                    "\" lmid=\"0x" + rsp::hex_number(lmid) + "\"/>";
        }
    }
    if (body.empty()) {
        return head + "/>";
    }
    return head + ">" + body + "</library-list-svr4>";
}

} // namespace gdbserver
