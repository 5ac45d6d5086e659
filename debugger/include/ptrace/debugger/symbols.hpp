// SPDX-License-Identifier: MIT
// Symbol lookup for a whole process: for the main program, each shared library and the vDSO,
// the ELF symbols with the load bias applied, found by name ("malloc", "libc.so.6:malloc") or
// by address (the function containing it, "main+4"), and the list of loaded objects (what
// gdb's `info sharedlibrary` shows). Built from /proc/<pid>/maps and the mapped files; the
// vDSO, which has no file, is read from the process's memory through the Memory handle.
#pragma once

#include <ptrace/debugger/elf.hpp>
#include <ptrace/debugger/error.hpp>
#include <ptrace/debugger/maps.hpp>
#include <ptrace/memory.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api::debugger {

/// A symbol of a loaded object, at its runtime address.
struct Symbol {
    std::string_view name;     ///< points into the object's ELF file (lives as long as the table)
    std::uint64_t address = 0; ///< st_value + the object's load bias
    std::uint64_t size = 0;
    SymbolType type = SymbolType::NoType;
    SymbolBinding binding = SymbolBinding::Local;
    std::size_t object = 0;    ///< index in SymbolTable::objects()
    std::uint16_t section = 0; ///< its section in the object's ELF file (st_shndx)

    [[nodiscard]] bool is_function() const noexcept {
        return type == SymbolType::Func || type == SymbolType::GnuIfunc;
    }
};

/// One ELF object mapped in the process: the main program, a shared library, or the vDSO.
class LoadedObject {
public:
    /// The path as the maps file shows it ("[vdso]" for the vDSO).
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    /// The last component of the path ("libc.so.6"), what a qualified name uses.
    [[nodiscard]] std::string_view short_name() const noexcept {
        const std::size_t slash = path_.rfind('/');
        return slash == std::string::npos ? std::string_view(path_)
                                          : std::string_view(path_).substr(slash + 1);
    }
    /// The address of the file's byte 0 (lowest mapping's start minus its offset).
    [[nodiscard]] std::uint64_t base() const noexcept { return base_; }
    /// What is added to the file's addresses: 0 for ET_EXEC, the base for most ET_DYN.
    [[nodiscard]] std::uint64_t bias() const noexcept { return bias_; }
    /// The range its mappings span: [start, end).
    [[nodiscard]] std::uint64_t start() const noexcept { return start_; }
    [[nodiscard]] std::uint64_t end() const noexcept { return end_; }
    [[nodiscard]] bool is_main_program() const noexcept { return main_; }
    [[nodiscard]] bool is_vdso() const noexcept { return path_ == "[vdso]"; }
    /// The table the symbols come from: .symtab when the file has one, else .dynsym.
    [[nodiscard]] SymbolSource source() const noexcept { return elf_.preferred_source(); }
    [[nodiscard]] const ElfFile& elf() const noexcept { return elf_; }
    /// Its defined symbols (no imports, no section or file symbols, no absolute values), by
    /// ascending address.
    [[nodiscard]] std::span<const Symbol> symbols() const noexcept { return symbols_; }

    /// The symbol of that name, preferring a global over a weak over a local one, then the
    /// first in the table; nullptr when it has none.
    [[nodiscard]] const Symbol* find(std::string_view name) const {
        const auto it = by_name_.find(name);
        return it == by_name_.end() ? nullptr : &symbols_[it->second];
    }

    /// The function containing `address`: one whose [address, address + size) holds it, or,
    /// when none does and the closest function below it has size 0 (hand-written assembly
    /// often leaves sizes out), that one if `address` lies in the same section. nullptr
    /// otherwise, or outside this object's range.
    [[nodiscard]] const Symbol* function_at(std::uint64_t address) const noexcept {
        if (address < start_ || address >= end_) {
            return nullptr;
        }
        // Symbols are sorted by address: scan down from the last one at or below `address`.
        auto it = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                                   [](std::uint64_t a, const Symbol& s) { return a < s.address; });
        const Symbol* nearest = nullptr;
        const Symbol* best = nullptr;
        while (it != symbols_.begin()) {
            --it;
            if (!it->is_function()) {
                continue;
            }
            if (best != nullptr && it->address < best->address) {
                break; // the innermost containing function (highest start) wins
            }
            if (nearest == nullptr) {
                nearest = &*it;
            }
            if (it->size != 0 && address - it->address < it->size &&
                (best == nullptr || rank(*it) < rank(*best))) {
                best = &*it; // for aliases at one address, a global one
            }
        }
        if (best != nullptr) {
            return best;
        }
        if (nearest == nullptr || nearest->size != 0) {
            return nullptr;
        }
        const auto& sections = elf_.sections();
        if (nearest->section < sections.size()) {
            const ElfSection& s = sections[nearest->section];
            const std::uint64_t link_address = address - bias_;
            if (link_address < s.addr || link_address - s.addr >= s.size) {
                return nullptr;
            }
        }
        return nearest;
    }

private:
    friend class SymbolTable;

    LoadedObject(std::string path, ElfFile elf) : path_(std::move(path)), elf_(std::move(elf)) {}

    static int rank(const Symbol& s) noexcept {
        switch (s.binding) {
        case SymbolBinding::Global:
        case SymbolBinding::GnuUnique:
            return 0;
        case SymbolBinding::Weak:
            return 1;
        default:
            return 2;
        }
    }

    /// Fills symbols_ and the name index from the ELF file, with the bias applied.
    void index(std::size_t self) {
        const SymbolSource source = elf_.preferred_source();
        for (const ElfSymbol& e : elf_.symbols(source)) {
            if (!e.defined() || e.absolute() || e.name.empty() || e.type == SymbolType::Section ||
                e.type == SymbolType::File || e.type == SymbolType::Tls) {
                continue; // imports, constants, and TLS offsets are not addresses here
            }
            symbols_.push_back(
                Symbol{e.name, e.value + bias_, e.size, e.type, e.binding, self, e.section});
        }
        std::stable_sort(symbols_.begin(), symbols_.end(),
                         [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
        for (std::size_t i = 0; i < symbols_.size(); ++i) {
            const auto [it, inserted] = by_name_.try_emplace(symbols_[i].name, i);
            if (!inserted && rank(symbols_[i]) < rank(symbols_[it->second])) {
                it->second = i;
            }
        }
    }

    std::string path_;
    ElfFile elf_;
    std::uint64_t base_ = 0;
    std::uint64_t bias_ = 0;
    std::uint64_t start_ = 0;
    std::uint64_t end_ = 0;
    bool main_ = false;
    std::vector<Symbol> symbols_;
    std::unordered_map<std::string_view, std::size_t> by_name_;
};

/// A function found by address: the symbol, its object, and how far into it the address is.
struct SymbolAt {
    const Symbol* symbol = nullptr;
    const LoadedObject* object = nullptr;
    std::uint64_t offset = 0;

    /// "main+4" like gdb's `<main+4>`, "main" at offset 0.
    [[nodiscard]] std::string describe() const {
        std::string out(symbol->name);
        if (offset != 0) {
            out += '+';
            out += std::to_string(offset);
        }
        return out;
    }
};

/// Whether SymbolTable::load reads the vDSO's symbols from the process's memory.
enum class VdsoSymbols : std::uint8_t { Read, Skip };

/// The symbols of every ELF object mapped in one process, at their runtime addresses. A
/// snapshot: a library loaded later (dlopen) needs a new table. Move-only.
class SymbolTable {
public:
    /// Reads /proc/<pid>/maps and every mapped ELF file, and the vDSO from the process's
    /// memory (unless `vdso` is Skip): its own memory for the calling process, else through a
    /// Memory handle opened here (the caller must be allowed to trace `pid`).
    /// Mapped files that are not ELF (locale archives, caches) are left out silently; files
    /// that cannot be read (deleted since, another mount namespace, no permission) or that
    /// are malformed, and a vDSO that cannot be read, are left out and listed in skipped().
    /// \errors those of read_maps: ESRCH no such process, EACCES, EINVAL.
    [[nodiscard]] static DebugResult<SymbolTable> load(pid_t pid,
                                                       VdsoSymbols vdso = VdsoSymbols::Read) {
        return load_with(pid, nullptr, vdso);
    }

    /// As load(), reading the vDSO with the caller's Memory handle of the same process.
    [[nodiscard]] static DebugResult<SymbolTable> load(pid_t pid, Memory& memory) {
        return load_with(pid, &memory, VdsoSymbols::Read);
    }

    SymbolTable(SymbolTable&&) noexcept = default;
    SymbolTable& operator=(SymbolTable&&) noexcept = default;
    SymbolTable(const SymbolTable&) = delete;
    SymbolTable& operator=(const SymbolTable&) = delete;
    ~SymbolTable() = default;

    /// The loaded objects: the main program first, then the others in address order (an
    /// approximation of the dynamic linker's load order; see debugger/README.md).
    [[nodiscard]] std::span<const LoadedObject> objects() const noexcept { return objects_; }

    /// The memory map the table was built from.
    [[nodiscard]] const MemoryMap& map() const noexcept { return map_; }

    /// Files that were mapped but could not be read or parsed, with why.
    [[nodiscard]] const std::vector<DebugError>& skipped() const noexcept { return skipped_; }

    /// The object whose short name ("libc.so.6") or path is `name`; nullptr if none.
    [[nodiscard]] const LoadedObject* object(std::string_view name) const noexcept {
        for (const LoadedObject& o : objects_) {
            if (o.short_name() == name || o.path() == name) {
                return &o;
            }
        }
        return nullptr;
    }

    /// The symbol named `name` in the first object that defines it, in objects() order; or,
    /// for "OBJECT:NAME" where OBJECT is an object's short name or path, in that object only.
    /// nullptr when no object defines it.
    [[nodiscard]] const Symbol* find(std::string_view name) const {
        const std::size_t colon = name.rfind(':');
        if (colon != std::string_view::npos) {
            if (const LoadedObject* o = object(name.substr(0, colon))) {
                return o->find(name.substr(colon + 1));
            }
        }
        for (const LoadedObject& o : objects_) {
            if (const Symbol* s = o.find(name)) {
                return s;
            }
        }
        return nullptr;
    }

    /// The function containing `address` (see LoadedObject::function_at); nullopt when no
    /// object's function covers it.
    [[nodiscard]] std::optional<SymbolAt> function_at(std::uint64_t address) const noexcept {
        for (const LoadedObject& o : objects_) {
            if (const Symbol* s = o.function_at(address)) {
                return SymbolAt{s, &o, address - s->address};
            }
        }
        return std::nullopt;
    }

    /// "main+4", or the address in hex when no function covers it.
    [[nodiscard]] std::string describe(std::uint64_t address) const {
        if (const auto at = function_at(address)) {
            return at->describe();
        }
        constexpr std::string_view digits = "0123456789abcdef";
        std::string out;
        do {
            out.insert(out.begin(), digits[address & 0xfU]);
            address >>= 4U;
        } while (address != 0);
        return "0x" + out;
    }

private:
    SymbolTable() = default;

    static DebugResult<SymbolTable> load_with(pid_t pid, Memory* memory, VdsoSymbols vdso_symbols) {
        auto map = read_maps(pid);
        if (!map) {
            return map.error();
        }
        SymbolTable table;
        table.map_ = std::move(*map);
        const std::string main_path = executable_path(pid);
        // Each file once, in the order of its first mapping.
        std::vector<std::string> seen;
        for (const MapEntry& e : table.map_.entries()) {
            const MapKind kind = e.kind();
            const bool vdso = kind == MapKind::Vdso;
            if ((kind != MapKind::File && !vdso) ||
                std::find(seen.begin(), seen.end(), e.path) != seen.end()) {
                continue;
            }
            seen.push_back(e.path);
            if (e.deleted) {
                table.skipped_.push_back(debug_error(
                    std::errc::no_such_file_or_directory,
                    e.path +
                        ": deleted or replaced since it was mapped (its symbols are not read)"));
                continue;
            }
            if (vdso && vdso_symbols == VdsoSymbols::Skip) {
                continue;
            }
            auto elf = vdso ? read_vdso(pid, memory, e) : ElfFile::open(e.path);
            if (!elf) {
                // A mapped file that is not ELF at all (bad magic, too short) is not an
                // object; anything else is worth reporting.
                const bool not_elf =
                    elf.error().code == std::errc::executable_format_error &&
                    (elf.error().message.ends_with("(bad magic)") ||
                     elf.error().message.find(": truncated:") != std::string::npos);
                if (!not_elf) {
                    table.skipped_.push_back(elf.error());
                }
                continue;
            }
            LoadedObject o(e.path, std::move(*elf));
            const auto mappings = table.map_.mappings_of(e.path);
            o.start_ = mappings.front()->start;
            o.end_ = mappings.back()->end;
            o.base_ = mappings.front()->start - mappings.front()->offset;
            o.bias_ = o.elf_.load_bias(mappings.front()->start, mappings.front()->offset);
            o.main_ = !main_path.empty() && e.path == main_path;
            table.objects_.push_back(std::move(o));
        }
        // The main program first; the rest keep their address order.
        std::stable_partition(table.objects_.begin(), table.objects_.end(),
                              [](const LoadedObject& o) { return o.main_; });
        for (std::size_t i = 0; i < table.objects_.size(); ++i) {
            table.objects_[i].index(i);
        }
        return table;
    }

    /// The path /proc/<pid>/exe links to (as maps spells it); empty when it cannot be read.
    static std::string executable_path(pid_t pid) {
        const std::string link = "/proc/" + std::to_string(pid) + "/exe";
        std::string target(4096, '\0');
        const ssize_t n = ::readlink(link.c_str(), target.data(), target.size());
        if (n <= 0 || static_cast<std::size_t>(n) >= target.size()) {
            return {};
        }
        target.resize(static_cast<std::size_t>(n));
        return target;
    }

    /// The vDSO's ELF image: the whole [vdso] mapping, read from the process (copied from
    /// our own memory when it is the calling process, which cannot open its own mem handle).
    static DebugResult<ElfFile> read_vdso(pid_t pid, Memory* memory, const MapEntry& e) {
        constexpr std::uint64_t limit = std::uint64_t{1} << 20U; // it is 1 or 2 pages
        if (e.size() > limit) {
            return debug_error(std::errc::file_too_large, "[vdso]: mapping larger than 1 MiB");
        }
        std::vector<char> bytes(static_cast<std::size_t>(e.size()));
        if (memory == nullptr && pid == ::getpid()) {
            std::memcpy(bytes.data(), reinterpret_cast<const void*>(e.start), bytes.size());
            return ElfFile::parse(std::move(bytes), "[vdso]");
        }
        std::optional<Memory> opened;
        if (memory == nullptr) {
            auto m = Memory::open(pid);
            if (!m) {
                return debug_errno(m.error().value(), "[vdso]: cannot open the memory of process " +
                                                          std::to_string(pid));
            }
            opened.emplace(std::move(*m));
            memory = &*opened;
        }
        if (auto r = memory->read(e.start, std::as_writable_bytes(std::span<char>(bytes))); !r) {
            return debug_errno(r.error().value(),
                               "[vdso]: cannot read the memory of process " + std::to_string(pid));
        }
        return ElfFile::parse(std::move(bytes), "[vdso]");
    }

    MemoryMap map_;
    std::vector<LoadedObject> objects_;
    std::vector<DebugError> skipped_;
};

} // namespace ptrace_api::debugger
