// SPDX-License-Identifier: MIT
// The dynamic linker's list of the objects it loaded (its `r_debug` and the `struct link_map`
// chain), read from the process's memory as a debugger finds it by hand: the program headers
// (auxiliary vector AT_PHDR, AT_PHNUM) give the load bias (PT_PHDR) and the dynamic section
// (PT_DYNAMIC), whose DT_DEBUG entry the dynamic linker fills in with the address of `r_debug`.
// A link_map's address is how gdb (qXfer:libraries-svr4, qGetTLSAddr) and TlsLayout::address()
// name a loaded object; the list also says where each one is and what it is called.
#pragma once

#include <ptrace/debugger/detail/file.hpp>
#include <ptrace/debugger/error.hpp>
#include <ptrace/memory.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <elf.h>

namespace ptrace_api::debugger {

/// One entry of the dynamic linker's list: a `struct link_map` of glibc's <link.h>, whose
/// first five fields (eight bytes each on x86_64) are the public ABI every debugger reads.
struct LinkMapEntry {
    std::uint64_t address = 0; ///< of the struct link_map itself
    std::uint64_t bias = 0;    ///< l_addr: what is added to the file's addresses in memory
    std::uint64_t dynamic = 0; ///< l_ld: the object's dynamic section in memory
    std::string name;          ///< l_name: the path it was opened by; empty for the program
};

/// A process's `r_debug`, found once (LinkMap::find()); the list itself is read anew by each
/// entries() call, since the dynamic linker changes it at each dlopen() and dlclose().
class LinkMap {
public:
    /// Finds `r_debug` through `memory` from the program's auxiliary vector `auxv` (the bytes
    /// of /proc/PID/auxv: pairs of 64-bit type and value).
    /// \errors EINVAL `auxv` has no AT_PHDR or AT_PHNUM; ENOENT the program has no dynamic
    /// section, or one without DT_DEBUG (a static program); EAGAIN DT_DEBUG is still 0, which
    /// it is until the dynamic linker has run (at the program's first instruction): ask again
    /// later; EFAULT (or the memory's other errors) the program headers or the dynamic
    /// section cannot be read.
    [[nodiscard]] static DebugResult<LinkMap> find(Memory& memory,
                                                   std::span<const std::byte> auxv) {
        const auto phdr = auxv_value(auxv, AT_PHDR);
        const auto phnum = auxv_value(auxv, AT_PHNUM);
        if (!phdr || !phnum || *phnum == 0 || *phnum > 0xffff) {
            return debug_error(std::errc::invalid_argument,
                               "the auxiliary vector of process " + std::to_string(memory.pid()) +
                                   " gives no program headers (AT_PHDR, AT_PHNUM)");
        }
        std::vector<Elf64_Phdr> headers(*phnum);
        if (auto r = memory.read(*phdr, std::as_writable_bytes(std::span(headers))); !r) {
            return debug_errno(r.error().value(),
                               "cannot read the program headers at " + detail::hex_address(*phdr));
        }
        std::uint64_t load_bias = 0;
        for (const Elf64_Phdr& h : headers) {
            if (h.p_type == PT_PHDR) {
                load_bias = *phdr - h.p_vaddr;
            }
        }
        for (const Elf64_Phdr& h : headers) {
            if (h.p_type != PT_DYNAMIC) {
                continue;
            }
            const std::uint64_t start = h.p_vaddr + load_bias;
            for (std::uint64_t at = start; at + sizeof(Elf64_Dyn) <= start + h.p_memsz;
                 at += sizeof(Elf64_Dyn)) {
                auto entry = memory.read_value<Elf64_Dyn>(at);
                if (!entry) {
                    return debug_errno(entry.error().value(),
                                       "cannot read the dynamic section at " +
                                           detail::hex_address(at));
                }
                if (entry->d_tag == DT_NULL) {
                    break;
                }
                if (entry->d_tag == DT_DEBUG) {
                    if (entry->d_un.d_ptr == 0) {
                        return debug_error(std::errc::resource_unavailable_try_again,
                                           "DT_DEBUG is not filled in yet (the dynamic linker "
                                           "has not run)");
                    }
                    return LinkMap(entry->d_un.d_ptr);
                }
            }
            return debug_error(std::errc::no_such_file_or_directory,
                               "the program's dynamic section has no DT_DEBUG entry");
        }
        return debug_error(std::errc::no_such_file_or_directory,
                           "the program has no dynamic section (a static program)");
    }

    /// As find(memory, auxv), with the auxiliary vector read from /proc/PID/auxv of the
    /// memory's process. \errors also those of reading that file (ENOENT, EACCES).
    [[nodiscard]] static DebugResult<LinkMap> find(Memory& memory) {
        const std::string path = "/proc/" + std::to_string(memory.pid()) + "/auxv";
        auto text = detail::read_file(path, 1 << 16);
        if (!text) {
            return text.error();
        }
        return find(memory, std::as_bytes(std::span(text->data(), text->size())));
    }

    /// The address of `r_debug` (gdb's `lmid` of the first namespace).
    [[nodiscard]] std::uint64_t r_debug() const noexcept { return r_debug_; }

    /// The list in the dynamic linker's order: the program first (without a name), then the
    /// vDSO and the libraries. Empty while r_debug's version is 0. An entry that cannot be read,
    /// or whose l_prev does not point back (the list read while the dynamic linker changes
    /// it), ends the list. \errors EFAULT (or the memory's other errors) r_debug cannot be read.
    [[nodiscard]] DebugResult<std::vector<LinkMapEntry>> entries(Memory& memory) const {
        // struct r_debug: int r_version, then (after padding) struct link_map* r_map.
        std::array<std::uint64_t, 2> head{};
        if (auto r = memory.read(r_debug_, std::as_writable_bytes(std::span(head))); !r) {
            return debug_errno(r.error().value(),
                               "cannot read r_debug at " + detail::hex_address(r_debug_));
        }
        if (static_cast<std::uint32_t>(head[0]) == 0) {
            return std::vector<LinkMapEntry>{};
        }
        return entries_from(memory, head[1], 0);
    }

    /// The list from the entry at `first` on, whose l_prev must be `prev` (0 for the head of
    /// the list), as gdb asks for the rest of a list it read before (`start=` and `prev=`); a
    /// `first` of 0, an unreadable entry or a broken chain gives what was read before it.
    /// At most `limit` entries.
    [[nodiscard]] static std::vector<LinkMapEntry> entries_from(Memory& memory, std::uint64_t first,
                                                                std::uint64_t prev,
                                                                std::size_t limit = 65536) {
        std::vector<LinkMapEntry> out;
        for (std::uint64_t at = first; at != 0 && out.size() < limit;) {
            // l_addr, l_name, l_ld, l_next, l_prev.
            std::array<std::uint64_t, 5> fields{};
            if (!memory.read(at, std::as_writable_bytes(std::span(fields))) || fields[4] != prev) {
                break;
            }
            LinkMapEntry entry{at, fields[0], fields[2], {}};
            if (fields[1] != 0) {
                if (auto name = memory.read_c_string(fields[1], 4095)) {
                    entry.name = std::move(name->text);
                }
            }
            out.push_back(std::move(entry));
            prev = at;
            at = fields[3];
        }
        return out;
    }

private:
    explicit LinkMap(std::uint64_t r_debug) noexcept : r_debug_(r_debug) {}

    static std::optional<std::uint64_t> auxv_value(std::span<const std::byte> auxv,
                                                   std::uint64_t type) {
        for (std::size_t at = 0; at + 16 <= auxv.size(); at += 16) {
            std::array<std::uint64_t, 2> pair{};
            std::memcpy(pair.data(), auxv.data() + at, sizeof(pair));
            if (pair[0] == type) {
                return pair[1];
            }
            if (pair[0] == AT_NULL) {
                break;
            }
        }
        return std::nullopt;
    }

    std::uint64_t r_debug_ = 0;
};

} // namespace ptrace_api::debugger
