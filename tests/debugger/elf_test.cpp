// SPDX-License-Identifier: MIT
// The ELF64 reader (debugger kit, issue 13 item 1): both symbol tables of real binaries (the
// debuggee targets, libc) entry by entry against `readelf -sW`, the file type, PT_LOAD
// segments and build-id against readelf, the load bias, and malformed files (truncated, bad
// magic, section headers or string offsets out of bounds), each refused with a clear message.
#include <ptrace/debugger/elf.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <elf.h>

#include "debugger_support.hpp"

namespace dbg = ptrace_api::debugger;

namespace {

/// One row of `readelf -sW`.
struct ReadelfSymbol {
    std::size_t index = 0;
    std::uint64_t value = 0;
    std::uint64_t size = 0;
    std::string type;
    std::string bind;
    std::string ndx;
    std::string name; ///< without readelf's "@VERSION" suffix
};

std::string strip_version(std::string_view name) {
    return std::string(name.substr(0, name.find('@')));
}

/// The table `section` (".symtab" or ".dynsym") as `readelf -sW FILE` prints it.
std::vector<ReadelfSymbol> readelf_symbols(const std::string& file, std::string_view section) {
    const std::string out = debugger_support::run_command("readelf -sW '" + file + "'");
    std::vector<ReadelfSymbol> rows;
    std::istringstream in(out);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line.starts_with("Symbol table '")) {
            inside = line.find("'" + std::string(section) + "'") != std::string::npos;
            continue;
        }
        if (!inside) {
            continue;
        }
        std::istringstream fields(line);
        std::string num;
        std::string value;
        std::string size;
        ReadelfSymbol r;
        if (!(fields >> num >> value >> size >> r.type >> r.bind) || num.back() != ':' ||
            num == "Num:") {
            continue; // the column titles, blank lines
        }
        std::string vis;
        fields >> vis >> r.ndx;
        if (r.ndx.starts_with("[")) {
            continue; // an unusual st_other printed in brackets: not in these binaries
        }
        std::string name;
        std::getline(fields >> std::ws, name);
        r.index = std::stoul(num);
        r.value = std::stoull(value, nullptr, 16);
        r.size = std::stoull(size, nullptr, size.starts_with("0x") ? 16 : 10);
        r.name = strip_version(name);
        rows.push_back(std::move(r));
    }
    return rows;
}

/// Every row readelf prints equals the reader's symbol of that index.
void check_against_readelf(const dbg::ElfFile& elf, dbg::SymbolSource source) {
    const auto rows = readelf_symbols(elf.name(), dbg::to_string(source));
    const auto symbols = elf.symbols(source);
    CAPTURE(elf.name());
    CAPTURE(dbg::to_string(source));
    REQUIRE(!rows.empty());
    CHECK(rows.size() == symbols.size());
    for (const ReadelfSymbol& r : rows) {
        REQUIRE(r.index < symbols.size());
        const dbg::ElfSymbol& s = symbols[r.index];
        CAPTURE(r.name);
        CHECK(s.value == r.value);
        CHECK(s.size == r.size);
        CHECK(dbg::to_string(s.type) == r.type);
        CHECK(dbg::to_string(s.binding) == r.bind);
        CHECK(s.defined() == (r.ndx != "UND"));
        CHECK(s.absolute() == (r.ndx == "ABS"));
        if (s.type != dbg::SymbolType::Section) { // readelf names section symbols itself
            CHECK(strip_version(s.name) == r.name);
        }
        // Every name lies inside the table's string table, at its st_name.
        const std::string_view strings = elf.string_table(source);
        CHECK(s.name.data() == strings.data() + s.name_offset);
        CHECK(s.name_offset + s.name.size() < strings.size());
    }
}

std::vector<char> file_bytes(const std::string& path) {
    auto elf = dbg::ElfFile::open(path);
    REQUIRE_MESSAGE(elf.has_value(), (elf ? "" : elf.error().describe()));
    return {elf->bytes().begin(), elf->bytes().end()};
}

template <class T>
void put(std::vector<char>& bytes, std::size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

template <class T>
T get(const std::vector<char>& bytes, std::size_t offset) {
    T value{};
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

/// Parses `bytes` and expects ENOEXEC with `needle` in the message.
void check_refused(std::vector<char> bytes, std::string_view needle) {
    const auto elf = dbg::ElfFile::parse(std::move(bytes), "bad.so");
    REQUIRE_FALSE(elf.has_value());
    CHECK(elf.error().code == std::errc::executable_format_error);
    CHECK(elf.error().message.starts_with("bad.so: "));
    CHECK_MESSAGE(elf.error().message.find(needle) != std::string::npos, elf.error().message);
}

} // namespace

TEST_SUITE("debugger") {

    TEST_CASE("elf: the debuggee's and libc's symbol tables equal readelf's, entry by entry") {
        for (const std::string& path :
             {debugger_support::debuggee_path(), debugger_support::debuggee_nopie_path()}) {
            auto elf = dbg::ElfFile::open(path);
            REQUIRE_MESSAGE(elf.has_value(), (elf ? "" : elf.error().describe()));
            CHECK(elf->has_table(dbg::SymbolSource::Symtab)); // not stripped
            CHECK(elf->preferred_source() == dbg::SymbolSource::Symtab);
            check_against_readelf(*elf, dbg::SymbolSource::Symtab);
            check_against_readelf(*elf, dbg::SymbolSource::Dynsym);
        }
        const std::string libc = debugger_support::libc_path();
        auto elf = dbg::ElfFile::open(libc);
        REQUIRE_MESSAGE(elf.has_value(), (elf ? "" : elf.error().describe()));
        CHECK(elf->type() == dbg::ElfType::Shared);
        check_against_readelf(*elf, dbg::SymbolSource::Dynsym);
        if (elf->has_table(dbg::SymbolSource::Symtab)) { // Debian's is stripped
            check_against_readelf(*elf, dbg::SymbolSource::Symtab);
        }
    }

    TEST_CASE("elf: file type, PT_LOAD segments and build-id as readelf shows them") {
        auto pie = dbg::ElfFile::open(debugger_support::debuggee_path());
        auto fixed = dbg::ElfFile::open(debugger_support::debuggee_nopie_path());
        REQUIRE(pie.has_value());
        REQUIRE(fixed.has_value());
        CHECK(pie->type() == dbg::ElfType::Shared);
        CHECK(fixed->type() == dbg::ElfType::Executable);
        CHECK(pie->lowest_load_vaddr() == std::optional<std::uint64_t>{0});
        CHECK(fixed->lowest_load_vaddr() == std::optional<std::uint64_t>{0x400000});
        // No bias for a fixed-address program; the mapped base for a PIE.
        CHECK(fixed->load_bias(0x400000, 0) == 0);
        CHECK(pie->load_bias(0x555555554000, 0) == 0x555555554000U);
        for (const auto* elf : {&*pie, &*fixed}) {
            CAPTURE(elf->name());
            const std::string out =
                debugger_support::run_command("readelf -lnW '" + elf->name() + "'");
            std::istringstream in(out);
            std::string line;
            std::size_t loads = 0;
            std::string build_id;
            while (std::getline(in, line)) {
                if (const std::size_t at = line.find("Build ID: "); at != std::string::npos) {
                    build_id = line.substr(at + 10);
                }
                std::istringstream f(line);
                std::string kind;
                f >> kind;
                if (kind == "LOAD") {
                    std::string offset;
                    std::string vaddr;
                    f >> offset >> vaddr;
                    REQUIRE(loads < elf->load_segments().size());
                    CHECK(elf->load_segments()[loads].offset == std::stoull(offset, nullptr, 16));
                    CHECK(elf->load_segments()[loads].vaddr == std::stoull(vaddr, nullptr, 16));
                    ++loads;
                }
            }
            CHECK(loads == elf->load_segments().size());
            CHECK(!build_id.empty());
            CHECK(elf->build_id() == build_id);
        }
        CHECK(pie->entry() != 0);
    }

    TEST_CASE("elf: malformed files are refused with a message, never read out of bounds") {
        const std::vector<char> good = file_bytes(debugger_support::debuggee_path());
        const auto eh = get<Elf64_Ehdr>(good, 0);
        REQUIRE(dbg::ElfFile::parse(good, "good").has_value());

        SUBCASE("empty and truncated") {
            check_refused({}, "truncated: 0 bytes");
            check_refused(std::vector<char>(good.begin(), good.begin() + 40), "truncated: 40");
            // Cut before the section header table (at the end of the file).
            check_refused(
                std::vector<char>(good.begin(),
                                  good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)),
                "section header table");
        }
        SUBCASE("bad magic, class, data, machine") {
            auto b = good;
            b[1] = 'X';
            check_refused(b, "not an ELF file (bad magic)");
            b = good;
            b[EI_CLASS] = ELFCLASS32;
            check_refused(b, "not ELF64 (class 1)");
            b = good;
            b[EI_DATA] = ELFDATA2MSB;
            check_refused(b, "not little-endian");
            b = good;
            put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_machine), EM_AARCH64);
            check_refused(b, "machine 183, not x86_64");
        }
        SUBCASE("section header table out of bounds") {
            auto b = good;
            put<std::uint64_t>(b, offsetof(Elf64_Ehdr, e_shoff), good.size() - 64);
            check_refused(b, "section header table");
            put<std::uint64_t>(b, offsetof(Elf64_Ehdr, e_shoff), ~std::uint64_t{0} - 8);
            check_refused(b, "past the end of the file");
            b = good;
            put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_shentsize), 40);
            check_refused(b, "section header size 40, not 64");
            b = good;
            put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_shstrndx), eh.e_shnum);
            check_refused(b, "section name table index");
        }
        SUBCASE("program header table out of bounds") {
            auto b = good;
            put<std::uint64_t>(b, offsetof(Elf64_Ehdr, e_phoff), good.size() - 8);
            check_refused(b, "program header table");
        }
        // The sections of .symtab and of its string table.
        std::size_t symtab = 0;
        for (std::size_t i = 0; i < eh.e_shnum; ++i) {
            if (get<Elf64_Shdr>(good, eh.e_shoff + i * sizeof(Elf64_Shdr)).sh_type == SHT_SYMTAB) {
                symtab = eh.e_shoff + i * sizeof(Elf64_Shdr);
            }
        }
        REQUIRE(symtab != 0);
        const auto sym_sh = get<Elf64_Shdr>(good, symtab);
        const std::size_t strtab = eh.e_shoff + sym_sh.sh_link * sizeof(Elf64_Shdr);
        const auto str_sh = get<Elf64_Shdr>(good, strtab);

        SUBCASE("a symbol's name offset out of its string table") {
            auto b = good;
            const std::size_t sym1 = sym_sh.sh_offset + sizeof(Elf64_Sym);
            put<std::uint32_t>(b, sym1 + offsetof(Elf64_Sym, st_name),
                               static_cast<std::uint32_t>(str_sh.sh_size + 100));
            check_refused(b, ".symtab (section");
            check_refused(b, "symbol 1: name offset");
            check_refused(b, "past its string table");
        }
        SUBCASE("a string table without its final NUL") {
            auto b = good;
            b[str_sh.sh_offset + str_sh.sh_size - 1] = 'x';
            check_refused(b, "not NUL-terminated");
        }
        SUBCASE("a symbol table or string table outside the file") {
            auto b = good;
            put<std::uint64_t>(b, symtab + offsetof(Elf64_Shdr, sh_size),
                               (good.size() / 24 + 1) * 24);
            check_refused(b, "past the end of the file");
            put<std::uint64_t>(b, symtab + offsetof(Elf64_Shdr, sh_size), sym_sh.sh_size + 1);
            check_refused(b, "is not a whole number of entries");
            b = good;
            put<std::uint64_t>(b, strtab + offsetof(Elf64_Shdr, sh_offset), ~std::uint64_t{0} - 4);
            check_refused(b, "string table");
            b = good;
            put<std::uint32_t>(b, symtab + offsetof(Elf64_Shdr, sh_link), 0xffff);
            check_refused(b, "string table index 65535 is not a string table section");
            b = good;
            put<std::uint64_t>(b, symtab + offsetof(Elf64_Shdr, sh_entsize), 16);
            check_refused(b, "entry size 16, not 24");
        }
        SUBCASE("a section name offset out of the section name table") {
            auto b = good;
            put<std::uint32_t>(b, eh.e_shoff + sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_name),
                               0x7fffffff);
            check_refused(b, "section 1: name offset 2147483647 past the section name table");
        }
    }

    TEST_CASE("elf: open reports the file's errno") {
        const auto missing = dbg::ElfFile::open("/nonexistent/lib.so");
        REQUIRE_FALSE(missing.has_value());
        CHECK(missing.error().code == std::errc::no_such_file_or_directory);
        CHECK(missing.error().message.find("/nonexistent/lib.so") != std::string::npos);
        const auto dir = dbg::ElfFile::open("/");
        REQUIRE_FALSE(dir.has_value());
        CHECK(dir.error().code == std::errc::is_a_directory);
    }
}
