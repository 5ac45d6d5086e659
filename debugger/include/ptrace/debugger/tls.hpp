// SPDX-License-Identifier: MIT
// Thread-local storage: the address of a thread's copy of a `__thread` (`thread_local`)
// variable, such as `errno`, for a process on glibc. It is found as glibc's own thread
// debugging library (libthread_db, td_thr_tls_get_addr) finds it, from the layout glibc's
// libc.so.6 describes for that library: the `_thread_db_*` descriptors, three 32-bit words
// each (a field's size in bits, its element count, 0 for a flexible array, and its offset),
// so that no offset of glibc's private structures is written here.
#pragma once

#include <ptrace/debugger/error.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/memory.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace ptrace_api::debugger {

/// Where glibc keeps what a thread-local address is computed from, read from the process's
/// libc.so.6 (TlsLayout::load()).
class TlsLayout {
public:
    /// One `_thread_db_*` descriptor: a field of a glibc structure, or a variable.
    struct Field {
        std::uint32_t bits = 0;   ///< the size of the field (of one element of an array)
        std::uint32_t count = 0;  ///< elements of an array field (0: a flexible array)
        std::uint32_t offset = 0; ///< from the start of the structure
    };

    /// Reads the descriptors through `memory` at the addresses `symbols` gives.
    /// \errors ENOTSUP the process has no glibc descriptors (not glibc, a static program, or
    /// libc.so.6 not loaded yet); the memory's errors.
    [[nodiscard]] static DebugResult<TlsLayout> load(const SymbolTable& symbols, Memory& memory) {
        TlsLayout layout;
        const std::array<std::pair<std::string_view, Field*>, 12> wanted{{
            {"_thread_db_link_map_l_tls_modid", &layout.modid_},
            {"_thread_db_link_map_l_tls_offset", &layout.tls_offset_},
            {"_thread_db_pthread_dtvp", &layout.dtvp_},
            {"_thread_db_dtv_dtv", &layout.dtv_},
            {"_thread_db_dtv_t_counter", &layout.counter_},
            {"_thread_db_dtv_t_pointer_val", &layout.pointer_},
            {"_thread_db_rtld_global__dl_tls_dtv_slotinfo_list", &layout.slotinfo_list_},
            {"_thread_db_dtv_slotinfo_list_len", &layout.list_len_},
            {"_thread_db_dtv_slotinfo_list_next", &layout.list_next_},
            {"_thread_db_dtv_slotinfo_list_slotinfo", &layout.list_slots_},
            {"_thread_db_dtv_slotinfo_gen", &layout.slot_gen_},
            {"_thread_db___nptl_rtld_global", &layout.rtld_global_},
        }};
        for (const auto& [name, field] : wanted) {
            const Symbol* symbol = symbols.find(name);
            if (symbol == nullptr) {
                return debug_error(std::errc::not_supported,
                                   "no glibc thread debugging descriptor " + std::string(name) +
                                       " in the process (not glibc, a static program, or "
                                       "libc.so.6 not loaded yet)");
            }
            std::array<std::uint32_t, 3> words{};
            if (auto r = memory.read(symbol->address, std::as_writable_bytes(std::span(words)));
                !r) {
                return debug_errno(r.error().value(), "cannot read " + std::string(name));
            }
            *field = Field{words[0], words[1], words[2]};
        }
        const Symbol* variable = symbols.find("__nptl_rtld_global");
        if (variable == nullptr) {
            return debug_error(std::errc::not_supported,
                               "no __nptl_rtld_global in the process's libc.so.6");
        }
        layout.rtld_global_address_ = variable->address;
        return layout;
    }

    /// The address of the thread-local variable at `offset` in the TLS block of the module
    /// whose `struct link_map` is at `link_map` (as the dynamic linker's r_debug list, and
    /// gdb's qGetTLSAddr, name a module), for the thread whose thread pointer (x86-64:
    /// fs_base) is `thread_pointer`. A module in static TLS (the program and the libraries
    /// loaded at its start) has its block at a fixed distance below the thread pointer; one
    /// loaded later (dlopen) has its block in the thread's DTV, allocated at the thread's
    /// first use of it. \errors ENODATA the module has no TLS; EAGAIN its block is not
    /// allocated for that thread yet; EFAULT memory that cannot be read on the way.
    [[nodiscard]] DebugResult<std::uint64_t> address(Memory& memory, std::uint64_t thread_pointer,
                                                     std::uint64_t link_map,
                                                     std::uint64_t offset) const {
        const Reader read{memory};
        auto modid = read.field(link_map, modid_);
        if (!modid) {
            return modid.error();
        }
        if (*modid == 0) {
            return debug_error(std::errc::no_message_available, "the module of link_map " +
                                                                    detail::hex_address(link_map) +
                                                                    " has no thread-local storage");
        }
        auto base = block(read, thread_pointer, link_map, *modid);
        if (!base) {
            return base.error();
        }
        return *base + offset;
    }

private:
    /// Reads fields through the process's memory, with errors that say what was read.
    struct Reader {
        Memory& memory;

        /// The value of `field` of the structure at `base`.
        [[nodiscard]] DebugResult<std::uint64_t> field(std::uint64_t base,
                                                       const Field& field) const {
            const std::uint32_t bytes = field.bits / 8;
            if (bytes == 0 || bytes > 8 || (bytes & (bytes - 1)) != 0) {
                return debug_error(std::errc::not_supported,
                                   "a glibc descriptor of " + std::to_string(field.bits) +
                                       " bits: not a field this reader knows");
            }
            std::array<std::byte, 8> raw{};
            const std::uint64_t at = base + field.offset;
            if (auto r = memory.read(at, std::span(raw).first(bytes)); !r) {
                return debug_errno(r.error().value(), "cannot read the process's memory at " +
                                                          detail::hex_address(at) +
                                                          " (a thread-local storage field)");
            }
            std::uint64_t value = 0;
            std::memcpy(&value, raw.data(), bytes); // x86-64: little-endian, zero-extended
            return value;
        }

        /// The address of element `index` of `field` in the structure at `base`.
        [[nodiscard]] static std::uint64_t element(std::uint64_t base, const Field& field,
                                                   std::uint64_t index) noexcept {
            return base + field.offset + index * (field.bits / 8);
        }
    };

    /// The TLS block of module `modid` for the thread at `thread_pointer` (glibc's
    /// td_thr_tlsbase): the thread's DTV slot when the DTV is as new as the module and the
    /// slot is allocated, else the static TLS block if the module has one.
    [[nodiscard]] DebugResult<std::uint64_t> block(const Reader& read, std::uint64_t thread_pointer,
                                                   std::uint64_t link_map,
                                                   std::uint64_t modid) const {
        auto dtv = read.field(thread_pointer, dtvp_);
        if (!dtv) {
            return dtv.error();
        }
        auto generation = module_generation(read, modid);
        if (!generation) {
            return generation.error();
        }
        auto dtv_generation = read.field(Reader::element(*dtv, dtv_, 0), counter_);
        if (!dtv_generation) {
            return dtv_generation.error();
        }
        if (*dtv_generation >= *generation) {
            auto value = read.field(Reader::element(*dtv, dtv_, modid), pointer_);
            if (!value) {
                return value.error();
            }
            if ((*value & 1U) == 0) {
                return *value; // allocated (TLS_DTV_UNALLOCATED is all ones)
            }
        }
        // glibc's NO_TLS_OFFSET (0) and FORCED_DYNAMIC_TLS_OFFSET (-1): no static block.
        auto tls_offset = read.field(link_map, tls_offset_);
        if (!tls_offset) {
            return tls_offset.error();
        }
        if (*tls_offset != 0 && *tls_offset != ~std::uint64_t{0}) {
            return thread_pointer - *tls_offset; // x86-64: the blocks lie below the TCB
        }
        return debug_error(std::errc::resource_unavailable_try_again,
                           "the thread-local storage of module " + std::to_string(modid) +
                               " is not allocated for this thread yet (its first use does)");
    }

    /// The generation at which module `modid` was loaded: its entry in the dynamic linker's
    /// slotinfo list (`_rtld_global._dl_tls_dtv_slotinfo_list`, a list of arrays).
    [[nodiscard]] DebugResult<std::uint64_t> module_generation(const Reader& read,
                                                               std::uint64_t modid) const {
        auto rtld_global = read.field(rtld_global_address_, rtld_global_);
        if (!rtld_global) {
            return rtld_global.error();
        }
        auto list = read.field(*rtld_global, slotinfo_list_);
        std::uint64_t index = modid;
        for (int hops = 0; list && *list != 0 && hops < 1024; ++hops) {
            auto length = read.field(*list, list_len_);
            if (!length) {
                return length.error();
            }
            if (index < *length) {
                return read.field(Reader::element(*list, list_slots_, index), slot_gen_);
            }
            index -= *length;
            list = read.field(*list, list_next_);
        }
        if (!list) {
            return list.error();
        }
        return debug_error(std::errc::no_message_available,
                           "no TLS module " + std::to_string(modid) +
                               " in the dynamic linker's slotinfo list");
    }

    Field modid_, tls_offset_, dtvp_, dtv_, counter_, pointer_;
    Field slotinfo_list_, list_len_, list_next_, list_slots_, slot_gen_, rtld_global_;
    std::uint64_t rtld_global_address_ = 0;
};

} // namespace ptrace_api::debugger
