// SPDX-License-Identifier: MIT
// A small reader of ELF64 little-endian x86_64 files: the header, the PT_LOAD segments (for the
// load bias), the sections, the symbol tables (.symtab and .dynsym with their string tables)
// and the GNU build-id note. It is what symbol lookup needs and nothing more: no DWARF, no
// relocations, no separate debug files (a .gnu_debuglink section is ignored).
//
// Why a reader of our own and not a library: the project takes no new dependency (Debian's
// libelf-dev or LLVM's Object library would be one, and LLVM's is large), and what symbol
// lookup reads is five fixed-size structures whose layout <elf.h> gives. The reader copies
// the whole file into memory with read(2) (not mmap: a file truncated under a mapping raises
// SIGBUS in the reader) and checks every offset and size against the bytes it has before it
// reads them, so a malformed or hostile file is refused with a message, never read out of
// bounds (tests/fuzz/elf_reader.cpp fuzzes exactly that).
#pragma once

#include <ptrace/debugger/detail/file.hpp>
#include <ptrace/debugger/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <elf.h>

namespace ptrace_api::debugger {

/// e_type: what kind of object the file is.
enum class ElfType : std::uint16_t {
    None = ET_NONE,
    Relocatable = ET_REL,
    Executable = ET_EXEC, ///< linked at fixed addresses (-no-pie): load bias 0
    Shared = ET_DYN,      ///< a shared library or a position-independent executable (PIE)
    Core = ET_CORE,
};

/// A symbol's type (ELF64_ST_TYPE). Values outside the names are kept as they are.
enum class SymbolType : std::uint8_t {
    NoType = STT_NOTYPE,
    Object = STT_OBJECT,
    Func = STT_FUNC,
    Section = STT_SECTION,
    File = STT_FILE,
    Common = STT_COMMON,
    Tls = STT_TLS,
    /// A function whose value is its *resolver*: the address a call reaches is what the
    /// resolver returns at load time (memcpy, strlen ... in glibc).
    GnuIfunc = STT_GNU_IFUNC,
};

/// A symbol's binding (ELF64_ST_BIND). Values outside the names are kept as they are.
enum class SymbolBinding : std::uint8_t {
    Local = STB_LOCAL,
    Global = STB_GLOBAL,
    Weak = STB_WEAK,
    GnuUnique = STB_GNU_UNIQUE,
};

/// Which symbol table: the full one (.symtab, gone once the file is stripped) or the dynamic
/// one (.dynsym, what the dynamic linker uses: exported and imported symbols only).
enum class SymbolSource : std::uint8_t { Symtab, Dynsym };

/// The name readelf prints for a symbol type ("FUNC", "IFUNC", ...); "" for other values.
[[nodiscard]] constexpr std::string_view to_string(SymbolType t) noexcept {
    switch (t) {
    case SymbolType::NoType:
        return "NOTYPE";
    case SymbolType::Object:
        return "OBJECT";
    case SymbolType::Func:
        return "FUNC";
    case SymbolType::Section:
        return "SECTION";
    case SymbolType::File:
        return "FILE";
    case SymbolType::Common:
        return "COMMON";
    case SymbolType::Tls:
        return "TLS";
    case SymbolType::GnuIfunc:
        return "IFUNC";
    }
    return "";
}

/// The name readelf prints for a binding ("GLOBAL", "UNIQUE", ...); "" for other values.
[[nodiscard]] constexpr std::string_view to_string(SymbolBinding b) noexcept {
    switch (b) {
    case SymbolBinding::Local:
        return "LOCAL";
    case SymbolBinding::Global:
        return "GLOBAL";
    case SymbolBinding::Weak:
        return "WEAK";
    case SymbolBinding::GnuUnique:
        return "UNIQUE";
    }
    return "";
}

[[nodiscard]] constexpr std::string_view to_string(SymbolSource s) noexcept {
    return s == SymbolSource::Symtab ? ".symtab" : ".dynsym";
}

/// One entry of a symbol table, as the file says it (values are link-time addresses: add the
/// load bias for a running process).
struct ElfSymbol {
    std::string_view name; ///< points into the file's string table (lives as long as the file)
    std::uint64_t value = 0;
    std::uint64_t size = 0;
    SymbolType type = SymbolType::NoType;
    SymbolBinding binding = SymbolBinding::Local;
    std::uint8_t other = 0;        ///< st_other (the low two bits are the visibility)
    std::uint16_t section = 0;     ///< st_shndx: SHN_UNDEF for an import, SHN_ABS, or a section
    std::uint32_t name_offset = 0; ///< st_name: where `name` starts in the string table

    /// Defined in this file (not an import resolved elsewhere).
    [[nodiscard]] bool defined() const noexcept { return section != SHN_UNDEF; }
    /// An absolute value, not an address in this file (no bias applies).
    [[nodiscard]] bool absolute() const noexcept { return section == SHN_ABS; }
};

/// A PT_LOAD program header: a part of the file mapped at `vaddr` (+ the load bias).
struct LoadSegment {
    std::uint64_t offset = 0;
    std::uint64_t vaddr = 0;
    std::uint64_t filesz = 0;
    std::uint64_t memsz = 0;
    std::uint64_t align = 0;
    std::uint32_t flags = 0; ///< PF_R | PF_W | PF_X
};

/// A section header, with its name.
struct ElfSection {
    std::string_view name;
    std::uint32_t type = 0; ///< SHT_*
    std::uint64_t flags = 0;
    std::uint64_t addr = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint32_t link = 0;
    std::uint32_t info = 0;
    std::uint64_t addralign = 0;
    std::uint64_t entsize = 0;
};

/// An ELF64 little-endian x86_64 file, read whole and validated. Move-only: the names it hands
/// out point into its bytes.
class ElfFile {
public:
    /// The x86_64 page size, the unit of mappings and of the load bias.
    static constexpr std::uint64_t page_size = 4096;
    /// Files larger than this are refused (EFBIG) rather than read whole.
    static constexpr std::size_t max_file_size = std::size_t{1} << 31U;

    /// Reads and validates the file at `path`.
    /// \errors the errno of open/read (ENOENT, EACCES ...); EFBIG above max_file_size;
    /// ENOEXEC a file that is not a well-formed ELF64 LE x86_64 object (the message says what).
    [[nodiscard]] static DebugResult<ElfFile> open(const std::string& path) {
        auto bytes = detail::read_file(path, max_file_size);
        if (!bytes) {
            return bytes.error();
        }
        return parse(std::move(*bytes), path);
    }

    /// Validates `bytes` as an ELF file; `name` starts every error message.
    /// \errors ENOEXEC, as open().
    [[nodiscard]] static DebugResult<ElfFile> parse(std::vector<char> bytes, std::string name) {
        ElfFile f(std::move(bytes), std::move(name));
        if (auto error = f.load()) {
            return std::move(*error);
        }
        return f;
    }

    ElfFile(ElfFile&&) noexcept = default;
    ElfFile& operator=(ElfFile&&) noexcept = default;
    ElfFile(const ElfFile&) = delete;
    ElfFile& operator=(const ElfFile&) = delete;
    ~ElfFile() = default;

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] std::span<const char> bytes() const noexcept { return bytes_; }
    [[nodiscard]] ElfType type() const noexcept { return type_; }
    [[nodiscard]] std::uint64_t entry() const noexcept { return entry_; }
    [[nodiscard]] const std::vector<LoadSegment>& load_segments() const noexcept {
        return segments_;
    }
    [[nodiscard]] const std::vector<ElfSection>& sections() const noexcept { return sections_; }

    /// The table's symbols by their ELF index (index 0 is the null symbol); empty when the
    /// file has no such table.
    [[nodiscard]] std::span<const ElfSymbol> symbols(SymbolSource s) const noexcept {
        return s == SymbolSource::Symtab ? symtab_ : dynsym_;
    }
    /// The string table the symbols' names point into.
    [[nodiscard]] std::string_view string_table(SymbolSource s) const noexcept {
        return s == SymbolSource::Symtab ? symtab_strings_ : dynsym_strings_;
    }
    [[nodiscard]] bool has_table(SymbolSource s) const noexcept { return !symbols(s).empty(); }
    /// .symtab when the file has one (it includes local symbols), else .dynsym.
    [[nodiscard]] SymbolSource preferred_source() const noexcept {
        return has_table(SymbolSource::Symtab) ? SymbolSource::Symtab : SymbolSource::Dynsym;
    }

    /// The GNU build-id in lowercase hex; empty when the file has none.
    [[nodiscard]] const std::string& build_id() const noexcept { return build_id_; }

    /// The lowest PT_LOAD vaddr, page-aligned down; nullopt without PT_LOAD.
    [[nodiscard]] std::optional<std::uint64_t> lowest_load_vaddr() const noexcept {
        std::optional<std::uint64_t> low;
        for (const LoadSegment& s : segments_) {
            if (!low || s.vaddr < *low) {
                low = s.vaddr;
            }
        }
        if (low) {
            *low &= ~(page_size - 1);
        }
        return low;
    }

    /// The load bias (runtime address = symbol value + bias) for a process where the mapping
    /// of this file at file offset `mapped_offset` starts at `mapped_start` (the lowest mapping
    /// of the file, or any other). 0 for an ET_EXEC file. For ET_DYN: the PT_LOAD segment the
    /// mapping comes from gives bias = start - its vaddr page-aligned; a mapping no segment
    /// explains falls back to (start - offset) - lowest PT_LOAD vaddr page-aligned.
    /// Arithmetic is modulo 2^64 (a "negative" bias adds correctly).
    [[nodiscard]] std::uint64_t load_bias(std::uint64_t mapped_start,
                                          std::uint64_t mapped_offset) const noexcept {
        if (type_ != ElfType::Shared) {
            return 0;
        }
        for (const LoadSegment& s : segments_) {
            if ((s.offset & ~(page_size - 1)) == mapped_offset) {
                return mapped_start - (s.vaddr & ~(page_size - 1));
            }
        }
        return mapped_start - mapped_offset - lowest_load_vaddr().value_or(0);
    }

private:
    ElfFile(std::vector<char> bytes, std::string name)
        : bytes_(std::move(bytes)), name_(std::move(name)) {}

    [[nodiscard]] std::uint64_t size() const noexcept { return bytes_.size(); }

    /// True when [offset, offset + length) lies inside the file (no overflow).
    [[nodiscard]] bool in_file(std::uint64_t offset, std::uint64_t length) const noexcept {
        return offset <= size() && length <= size() - offset;
    }

    /// A copy of the structure at `offset`. \pre in_file(offset, sizeof(T)).
    template <class T>
    [[nodiscard]] T at(std::uint64_t offset) const noexcept {
        T value{};
        std::memcpy(&value, bytes_.data() + offset, sizeof(T)); // x86_64: host order is LE
        return value;
    }

    [[nodiscard]] DebugError bad(const std::string& what) const {
        return debug_error(std::errc::executable_format_error, name_ + ": " + what);
    }

    static std::string hex(std::uint64_t v) {
        constexpr std::string_view digits = "0123456789abcdef";
        std::string out;
        do {
            out.insert(out.begin(), digits[v & 0xfU]);
            v >>= 4U;
        } while (v != 0);
        return "0x" + out;
    }

    std::optional<DebugError> load() {
        if (size() < sizeof(Elf64_Ehdr)) {
            return bad("truncated: " + std::to_string(size()) + " bytes, an ELF64 header needs 64");
        }
        const auto eh = at<Elf64_Ehdr>(0);
        if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
            return bad("not an ELF file (bad magic)");
        }
        if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
            return bad("not ELF64 (class " + std::to_string(eh.e_ident[EI_CLASS]) + ")");
        }
        if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
            return bad("not little-endian (data encoding " + std::to_string(eh.e_ident[EI_DATA]) +
                       ")");
        }
        if (eh.e_ident[EI_VERSION] != EV_CURRENT) {
            return bad("unknown ELF version " + std::to_string(eh.e_ident[EI_VERSION]));
        }
        if (eh.e_machine != EM_X86_64) {
            return bad("machine " + std::to_string(eh.e_machine) + ", not x86_64 (62)");
        }
        type_ = static_cast<ElfType>(eh.e_type);
        entry_ = eh.e_entry;
        if (auto e = load_sections(eh)) {
            return e;
        }
        if (auto e = load_segments(eh)) {
            return e;
        }
        if (auto e = load_symbols(SymbolSource::Symtab, SHT_SYMTAB)) {
            return e;
        }
        if (auto e = load_symbols(SymbolSource::Dynsym, SHT_DYNSYM)) {
            return e;
        }
        return load_build_id();
    }

    std::optional<DebugError> load_sections(const Elf64_Ehdr& eh) {
        if (eh.e_shoff == 0) {
            return std::nullopt; // no section headers (allowed: a stripped-to-the-bone file)
        }
        if (eh.e_shentsize != sizeof(Elf64_Shdr)) {
            return bad("section header size " + std::to_string(eh.e_shentsize) + ", not 64");
        }
        std::uint64_t count = eh.e_shnum;
        std::uint64_t names_index = eh.e_shstrndx;
        if (count == 0 || names_index == SHN_XINDEX) {
            // Extended numbering: the real values are in section header 0.
            if (!in_file(eh.e_shoff, sizeof(Elf64_Shdr))) {
                return bad("section header table offset " + hex(eh.e_shoff) +
                           " past the end of the file (" + std::to_string(size()) + " bytes)");
            }
            const auto sh0 = at<Elf64_Shdr>(eh.e_shoff);
            if (count == 0) {
                count = sh0.sh_size;
            }
            if (names_index == SHN_XINDEX) {
                names_index = sh0.sh_link;
            }
        }
        if (count > size() / sizeof(Elf64_Shdr) || !in_file(eh.e_shoff, count * 64)) {
            return bad("section header table (" + std::to_string(count) + " headers at " +
                       hex(eh.e_shoff) + ") past the end of the file (" + std::to_string(size()) +
                       " bytes)");
        }
        if (count == 0) {
            return std::nullopt;
        }
        std::vector<Elf64_Shdr> headers;
        headers.reserve(static_cast<std::size_t>(count));
        for (std::uint64_t i = 0; i < count; ++i) {
            headers.push_back(at<Elf64_Shdr>(eh.e_shoff + i * sizeof(Elf64_Shdr)));
        }
        std::string_view names;
        if (names_index != SHN_UNDEF) {
            if (names_index >= count) {
                return bad("section name table index " + std::to_string(names_index) +
                           " out of range (" + std::to_string(count) + " sections)");
            }
            auto table =
                contents(headers[static_cast<std::size_t>(names_index)],
                         "section name table (section " + std::to_string(names_index) + ")");
            if (auto* e = std::get_if<DebugError>(&table)) {
                return std::move(*e);
            }
            names = std::get<std::string_view>(table);
        }
        sections_.reserve(headers.size());
        for (std::size_t i = 0; i < headers.size(); ++i) {
            const Elf64_Shdr& h = headers[i];
            ElfSection s{{},        h.sh_type, h.sh_flags, h.sh_addr,      h.sh_offset,
                         h.sh_size, h.sh_link, h.sh_info,  h.sh_addralign, h.sh_entsize};
            if (names_index != SHN_UNDEF) {
                auto name = string_at(names, h.sh_name);
                if (!name) {
                    return bad("section " + std::to_string(i) + ": name offset " +
                               std::to_string(h.sh_name) +
                               (h.sh_name >= names.size() ? " past" : " not NUL-terminated in") +
                               " the section name table (" + std::to_string(names.size()) +
                               " bytes)");
                }
                s.name = *name;
            }
            sections_.push_back(s);
        }
        return std::nullopt;
    }

    /// The bytes of a section, checked against the file; SHT_NOBITS has none.
    std::variant<std::string_view, DebugError> contents(const Elf64_Shdr& h,
                                                        const std::string& what) const {
        if (h.sh_type == SHT_NOBITS) {
            return std::string_view();
        }
        if (!in_file(h.sh_offset, h.sh_size)) {
            return bad(what + ": bytes [" + hex(h.sh_offset) + ", +" + hex(h.sh_size) +
                       ") past the end of the file (" + std::to_string(size()) + " bytes)");
        }
        return std::string_view(bytes_.data() + h.sh_offset, static_cast<std::size_t>(h.sh_size));
    }
    std::variant<std::string_view, DebugError> contents(const ElfSection& s,
                                                        const std::string& what) const {
        Elf64_Shdr h{};
        h.sh_type = s.type;
        h.sh_offset = s.offset;
        h.sh_size = s.size;
        return contents(h, what);
    }

    /// The NUL-terminated string at `offset` of `table`; nullopt when it starts past the end
    /// or has no NUL before it.
    static std::optional<std::string_view> string_at(std::string_view table,
                                                     std::uint64_t offset) noexcept {
        if (offset >= table.size()) {
            return std::nullopt;
        }
        const std::size_t begin = static_cast<std::size_t>(offset);
        const std::size_t nul = table.find('\0', begin);
        if (nul == std::string_view::npos) {
            return std::nullopt;
        }
        return table.substr(begin, nul - begin);
    }

    std::optional<DebugError> load_segments(const Elf64_Ehdr& eh) {
        if (eh.e_phnum == 0) {
            return std::nullopt;
        }
        if (eh.e_phnum == PN_XNUM) {
            return bad("more than 65534 program headers (PN_XNUM) is not supported");
        }
        if (eh.e_phentsize != sizeof(Elf64_Phdr)) {
            return bad("program header size " + std::to_string(eh.e_phentsize) + ", not 56");
        }
        const std::uint64_t count = eh.e_phnum;
        if (!in_file(eh.e_phoff, count * sizeof(Elf64_Phdr))) {
            return bad("program header table (" + std::to_string(count) + " headers at " +
                       hex(eh.e_phoff) + ") past the end of the file (" + std::to_string(size()) +
                       " bytes)");
        }
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto ph = at<Elf64_Phdr>(eh.e_phoff + i * sizeof(Elf64_Phdr));
            if (ph.p_type == PT_NOTE) {
                notes_.push_back(ph);
            }
            if (ph.p_type != PT_LOAD) {
                continue;
            }
            if (!in_file(ph.p_offset, ph.p_filesz)) {
                return bad("PT_LOAD (program header " + std::to_string(i) + "): bytes [" +
                           hex(ph.p_offset) + ", +" + hex(ph.p_filesz) +
                           ") past the end of the file (" + std::to_string(size()) + " bytes)");
            }
            segments_.push_back(LoadSegment{ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz,
                                            ph.p_align, ph.p_flags});
        }
        return std::nullopt;
    }

    std::optional<DebugError> load_symbols(SymbolSource source, std::uint32_t sh_type) {
        const std::string table_name(to_string(source));
        for (std::size_t i = 0; i < sections_.size(); ++i) {
            const ElfSection& s = sections_[i];
            if (s.type != sh_type) {
                continue;
            }
            const std::string where = table_name + " (section " + std::to_string(i) + ")";
            if (s.entsize != sizeof(Elf64_Sym)) {
                return bad(where + ": entry size " + std::to_string(s.entsize) + ", not 24");
            }
            if (s.size % sizeof(Elf64_Sym) != 0) {
                return bad(where + ": size " + std::to_string(s.size) +
                           " is not a whole number of entries");
            }
            auto raw = contents(s, where);
            if (auto* e = std::get_if<DebugError>(&raw)) {
                return std::move(*e);
            }
            if (s.link >= sections_.size() || sections_[s.link].type != SHT_STRTAB) {
                return bad(where + ": string table index " + std::to_string(s.link) +
                           " is not a string table section");
            }
            auto strings_raw = contents(sections_[s.link], where + ": string table (section " +
                                                               std::to_string(s.link) + ")");
            if (auto* e = std::get_if<DebugError>(&strings_raw)) {
                return std::move(*e);
            }
            const std::string_view strings = std::get<std::string_view>(strings_raw);
            const std::string_view entries = std::get<std::string_view>(raw);
            std::vector<ElfSymbol> out;
            out.reserve(entries.size() / sizeof(Elf64_Sym));
            for (std::size_t k = 0; k < entries.size() / sizeof(Elf64_Sym); ++k) {
                Elf64_Sym sym{};
                std::memcpy(&sym, entries.data() + k * sizeof(Elf64_Sym), sizeof(Elf64_Sym));
                ElfSymbol e;
                e.value = sym.st_value;
                e.size = sym.st_size;
                e.type = static_cast<SymbolType>(ELF64_ST_TYPE(sym.st_info));
                e.binding = static_cast<SymbolBinding>(ELF64_ST_BIND(sym.st_info));
                e.other = sym.st_other;
                e.section = sym.st_shndx;
                e.name_offset = sym.st_name;
                const auto name = string_at(strings, sym.st_name);
                if (!name) {
                    return bad(
                        where + ": symbol " + std::to_string(k) + ": name offset " +
                        std::to_string(sym.st_name) +
                        (sym.st_name >= strings.size() ? " past" : " not NUL-terminated in") +
                        " its string table (" + std::to_string(strings.size()) + " bytes)");
                }
                e.name = *name;
                out.push_back(e);
            }
            (source == SymbolSource::Symtab ? symtab_ : dynsym_) = std::move(out);
            (source == SymbolSource::Symtab ? symtab_strings_ : dynsym_strings_) = strings;
            return std::nullopt; // the first table of its kind (an object has at most one)
        }
        return std::nullopt;
    }

    /// The build-id from the first NT_GNU_BUILD_ID note of the SHT_NOTE sections, or of the
    /// PT_NOTE segments when there are no sections. A malformed note ends the search (a build
    /// id is a convenience, not a reason to refuse a file); a note section outside the file
    /// is an error like any other section.
    std::optional<DebugError> load_build_id() {
        bool any_section = false;
        for (std::size_t i = 0; i < sections_.size() && build_id_.empty(); ++i) {
            const ElfSection& s = sections_[i];
            if (s.type != SHT_NOTE) {
                continue;
            }
            any_section = true;
            auto raw = contents(s, "note section " + std::to_string(i));
            if (auto* e = std::get_if<DebugError>(&raw)) {
                return std::move(*e);
            }
            scan_notes(std::get<std::string_view>(raw), s.addralign == 8 ? 8 : 4);
        }
        for (const Elf64_Phdr& ph : notes_) {
            if (any_section || !build_id_.empty() || !in_file(ph.p_offset, ph.p_filesz)) {
                break;
            }
            scan_notes(std::string_view(bytes_.data() + ph.p_offset,
                                        static_cast<std::size_t>(ph.p_filesz)),
                       ph.p_align == 8 ? 8 : 4);
        }
        return std::nullopt;
    }

    void scan_notes(std::string_view notes, std::uint64_t align) {
        const auto round = [align](std::uint64_t n) { return (n + align - 1) & ~(align - 1); };
        while (notes.size() >= sizeof(Elf64_Nhdr)) {
            Elf64_Nhdr nh{};
            std::memcpy(&nh, notes.data(), sizeof(nh));
            const std::uint64_t name_len = round(nh.n_namesz);
            const std::uint64_t desc_len = round(nh.n_descsz);
            const std::uint64_t left = notes.size() - sizeof(nh);
            if (name_len > left || desc_len > left - name_len) {
                return;
            }
            const std::string_view name = notes.substr(sizeof(nh), nh.n_namesz);
            const std::string_view desc =
                notes.substr(sizeof(nh) + static_cast<std::size_t>(name_len), nh.n_descsz);
            if (nh.n_type == NT_GNU_BUILD_ID && name == std::string_view("GNU\0", 4)) {
                constexpr std::string_view digits = "0123456789abcdef";
                for (const char c : desc) {
                    const auto u = static_cast<unsigned char>(c);
                    build_id_ += digits[u >> 4U];
                    build_id_ += digits[u & 0xfU];
                }
                return;
            }
            notes.remove_prefix(sizeof(nh) + static_cast<std::size_t>(name_len + desc_len));
        }
    }

    std::vector<char> bytes_;
    std::string name_;
    ElfType type_ = ElfType::None;
    std::uint64_t entry_ = 0;
    std::vector<LoadSegment> segments_;
    std::vector<Elf64_Phdr> notes_;
    std::vector<ElfSection> sections_;
    std::vector<ElfSymbol> symtab_;
    std::vector<ElfSymbol> dynsym_;
    std::string_view symtab_strings_;
    std::string_view dynsym_strings_;
    std::string build_id_;
};

} // namespace ptrace_api::debugger
