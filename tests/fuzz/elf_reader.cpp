// SPDX-License-Identifier: MIT
// Fuzzes the debugger kit's ELF64 reader (debugger/include/ptrace/debugger/elf.hpp).
//
// Input: the bytes of a file. The seeds (corpus/elf_reader/) are tiny objects built once by
// gcc and checked in: tiny-shared.so (`gcc -O1 -nostdlib -shared -fPIC -Wl,-z,max-page-size=16
// -Wl,-z,common-page-size=16 -Wl,-z,noseparate-code -Wl,--build-id -Wl,-z,norelro`), the same
// with -s (no .symtab), tiny-relocatable.o (`gcc -O1 -c`), tiny-exec (`-static -no-pie` with a
// _start of its own), and two cut copies.
//
// Properties (AddressSanitizer checks that nothing is read out of bounds):
// - exactly one outcome: a file, or an ENOEXEC error whose message starts with the file's name
//   and says something;
// - every symbol's name lies inside its table's string table, at the symbol's st_name, ends
//   before a NUL of that table and contains none, and the string table lies inside the file;
// - every section name lies inside the file;
// - the load bias is 0 for an ET_EXEC file, and start - page-aligned vaddr for the mapping of
//   a PT_LOAD segment of an ET_DYN file;
// - the build-id is empty or an even number of lowercase hex digits.
#include <ptrace/debugger/elf.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz.hpp"

namespace dbg = ptrace_api::debugger;

namespace {

bool inside(std::string_view part, std::span<const char> whole) {
    return part.empty() || (part.data() >= whole.data() &&
                            part.data() + part.size() <= whole.data() + whole.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<char> bytes(size);
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>(data[i]);
    }
    const auto elf = dbg::ElfFile::parse(std::move(bytes), "input");
    if (!elf) {
        FUZZ_CHECK(elf.error().code == std::errc::executable_format_error, elf.error().describe());
        FUZZ_CHECK(elf.error().message.starts_with("input: ") && elf.error().message.size() > 7,
                   elf.error().describe());
        return 0;
    }
    FUZZ_CHECK(elf->bytes().size() == size, "the file's bytes are the input");
    for (const auto source : {dbg::SymbolSource::Symtab, dbg::SymbolSource::Dynsym}) {
        const std::string_view strings = elf->string_table(source);
        FUZZ_CHECK(inside(strings, elf->bytes()), "a string table outside the file");
        for (const dbg::ElfSymbol& s : elf->symbols(source)) {
            const std::string detail = fuzz::escaped(s.name);
            FUZZ_CHECK(s.name_offset < strings.size(), detail);
            FUZZ_CHECK(s.name.data() == strings.data() + s.name_offset, detail);
            FUZZ_CHECK(s.name_offset + s.name.size() < strings.size(), detail);
            FUZZ_CHECK(strings[s.name_offset + s.name.size()] == '\0', detail);
            FUZZ_CHECK(s.name.find('\0') == std::string_view::npos, detail);
        }
    }
    for (const dbg::ElfSection& s : elf->sections()) {
        FUZZ_CHECK(inside(s.name, elf->bytes()), fuzz::escaped(s.name));
    }
    constexpr std::uint64_t page = dbg::ElfFile::page_size;
    const auto& segments = elf->load_segments();
    for (const dbg::LoadSegment& seg : segments) {
        const std::uint64_t start = 0x7f0000000000U + (seg.vaddr & ~(page - 1));
        const std::uint64_t bias = elf->load_bias(start, seg.offset & ~(page - 1));
        if (elf->type() != dbg::ElfType::Shared) {
            FUZZ_CHECK(bias == 0, "a bias for a fixed-address file");
            continue;
        }
        // The first PT_LOAD with this page offset is the one the mapping is taken to be.
        const dbg::LoadSegment* first = &seg;
        for (const dbg::LoadSegment& other : segments) {
            if ((other.offset & ~(page - 1)) == (seg.offset & ~(page - 1))) {
                first = &other;
                break;
            }
        }
        FUZZ_CHECK(bias == start - (first->vaddr & ~(page - 1)), "the bias of a PT_LOAD mapping");
    }
    const std::string& id = elf->build_id();
    FUZZ_CHECK(id.size() % 2 == 0, id);
    for (const char c : id) {
        FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), id);
    }
    return 0;
}
