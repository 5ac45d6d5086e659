// SPDX-License-Identifier: MIT
// qXfer:libraries-svr4:read: the program's shared libraries as the dynamic linker lists them
// (its `r_debug` and link map, read from the program's memory), in the XML gdb asks for. The
// way to `r_debug` is the one a debugger follows by hand: the program headers (auxv AT_PHDR,
// AT_PHNUM) give the load address (PT_PHDR) and the dynamic section (PT_DYNAMIC), whose
// DT_DEBUG entry the dynamic linker fills in with the address of `r_debug`.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <elf.h>

#include "rsp.hpp"

namespace gdbserver {

class LinkMap {
public:
    /// Reads `size` bytes at `address` of the program; nothing when not all are readable.
    using ReadMemory = std::function<std::optional<std::string>(std::uint64_t, std::size_t)>;

    /// `auxv`: the program's auxiliary vector (/proc/PID/auxv).
    LinkMap(ReadMemory read, std::string auxv) : read_(std::move(read)), auxv_(std::move(auxv)) {}

    /// The document for the annex `annex` (`start=LM;prev=LM;`: the list from the link map
    /// entry LM on, whose predecessor must be PREV; empty: the whole list). Nothing (E01)
    /// when the program has no dynamic section or no DT_DEBUG entry (a static program). Until
    /// the dynamic linker has filled in DT_DEBUG the list is empty. The first entry is the
    /// program itself (`main-lm`); entries without a name (the vDSO has one, gdb drops it)
    /// are left out. A broken chain (an l_prev that does not point back) ends the list. Each
    /// library's `lmid` (its link map namespace, which gdb 13 requires) is the address of
    /// `r_debug`, as GNU gdbserver gives it; only the first namespace is listed.
    std::optional<std::string> document(std::string_view annex) {
        std::uint64_t lm = 0;
        std::uint64_t expected_prev = 0;
        for (const auto item : rsp::split(annex, ';')) {
            const std::size_t eq = item.find('=');
            if (eq == std::string_view::npos) {
                continue;
            }
            const auto value = rsp::parse_hex(item.substr(eq + 1));
            if (item.substr(0, eq) == "start" && value) {
                lm = *value;
            } else if (item.substr(0, eq) == "prev" && value) {
                expected_prev = *value;
            }
        }
        if (lm == 0) {
            if (r_debug_ == 0) {
                const auto found = find_r_debug();
                if (!found) {
                    return std::nullopt;
                }
                r_debug_ = *found;
            }
            if (r_debug_ != 0) {
                const auto version = word(r_debug_, 4);
                if (version && *version >= 1) {
                    lm = word(r_debug_ + 8).value_or(0); // r_map
                }
            }
        }
        std::string head = "<library-list-svr4 version=\"1.0\"";
        std::string body;
        for (int guard = 0; lm != 0 && guard < 100000; ++guard) {
            // struct link_map: l_addr, l_name, l_ld, l_next, l_prev (8 bytes each).
            const auto raw = read_(lm, 40);
            if (!raw) {
                break;
            }
            const auto field = [&](std::size_t i) { return little(raw->data() + 8 * i, 8); };
            if (field(4) != expected_prev) {
                break; // not the chain we were asked to follow
            }
            if (expected_prev == 0) {
                head += " main-lm=\"0x" + rsp::hex_number(lm) + "\"";
            } else if (const std::string name = c_string(field(1)); !name.empty()) {
                body += "<library name=\"" + rsp::xml_escape(name) + "\" lm=\"0x" +
                        rsp::hex_number(lm) + "\" l_addr=\"0x" + rsp::hex_number(field(0)) +
                        "\" l_ld=\"0x" + rsp::hex_number(field(2)) + "\" lmid=\"0x" +
                        rsp::hex_number(r_debug_) + "\"/>";
            }
            expected_prev = lm;
            lm = field(3);
        }
        if (body.empty()) {
            return head + "/>";
        }
        return head + ">" + body + "</library-list-svr4>";
    }

private:
    static std::uint64_t little(const char* p, std::size_t size) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < size; ++i) {
            v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
        }
        return v;
    }

    std::optional<std::uint64_t> word(std::uint64_t address, std::size_t size = 8) {
        const auto raw = read_(address, size);
        if (!raw) {
            return std::nullopt;
        }
        return little(raw->data(), size);
    }

    std::optional<std::uint64_t> auxv_value(std::uint64_t type) const {
        for (std::size_t at = 0; at + 16 <= auxv_.size(); at += 16) {
            if (little(auxv_.data() + at, 8) == type) {
                return little(auxv_.data() + at + 8, 8);
            }
        }
        return std::nullopt;
    }

    /// The value of DT_DEBUG (0 while the dynamic linker has not filled it in); nothing when
    /// the program has no dynamic section or it has no DT_DEBUG.
    std::optional<std::uint64_t> find_r_debug() {
        const auto phdr = auxv_value(AT_PHDR);
        const auto phnum = auxv_value(AT_PHNUM);
        if (!phdr || !phnum || *phnum == 0 || *phnum > 4096) {
            return std::nullopt;
        }
        const auto table = read_(*phdr, *phnum * sizeof(Elf64_Phdr));
        if (!table) {
            return std::nullopt;
        }
        std::vector<Elf64_Phdr> headers(*phnum);
        std::memcpy(headers.data(), table->data(), table->size());
        std::uint64_t load_bias = 0;
        for (const auto& h : headers) {
            if (h.p_type == PT_PHDR) {
                load_bias = *phdr - h.p_vaddr;
            }
        }
        for (const auto& h : headers) {
            if (h.p_type != PT_DYNAMIC) {
                continue;
            }
            for (std::uint64_t at = h.p_vaddr + load_bias, end = at + h.p_memsz;
                 at + sizeof(Elf64_Dyn) <= end; at += sizeof(Elf64_Dyn)) {
                const auto tag = word(at);
                if (!tag || *tag == DT_NULL) {
                    break;
                }
                if (*tag == DT_DEBUG) {
                    return word(at + 8);
                }
            }
        }
        return std::nullopt;
    }

    /// The NUL-terminated string at `address` (at most 4095 bytes; read page by page, so
    /// that a name at the end of a mapping is read).
    std::string c_string(std::uint64_t address) {
        std::string out;
        while (address != 0 && out.size() < 4095) {
            const std::size_t chunk = 4096 - (address % 4096);
            const auto part = read_(address, chunk);
            if (!part) {
                break;
            }
            const std::size_t nul = part->find('\0');
            out.append(*part, 0, nul);
            if (nul != std::string::npos) {
                break;
            }
            address += chunk;
        }
        out.resize(std::min<std::size_t>(out.size(), 4095));
        return out;
    }

    ReadMemory read_;
    std::string auxv_;
    std::uint64_t r_debug_ = 0; ///< found once the dynamic linker has filled DT_DEBUG in
};

} // namespace gdbserver
