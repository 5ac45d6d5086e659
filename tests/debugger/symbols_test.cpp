// SPDX-License-Identifier: MIT
// Symbol lookup in running processes (debugger kit, issue 13 item 1): a debuggee prints the
// addresses of its own functions and data, of libc's malloc (through dlsym, the definition
// itself and not a PLT stub) and of the vDSO; SymbolTable must compute the same addresses from
// the maps and the ELF files, find the functions back from addresses ("debuggee_marker+4"),
// and list the loaded objects with their bases and biases. Once for a PIE (a load bias) and
// once for a -no-pie program (none). The debuggees are never traced: reading maps and files
// needs no ptrace, and the vDSO is read through a Memory handle, which any process the caller
// may trace allows.
#include <ptrace/debugger/maps.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/memory.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <sys/auxv.h>
#include <unistd.h>

#include "debugger_support.hpp"

namespace dbg = ptrace_api::debugger;
using debugger_support::Debuggee;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void check_debuggee(const std::string& path, bool pie) {
    CAPTURE(path);
    Debuggee d(path);
    REQUIRE_MESSAGE(d.ready(), d.output());

    // The parsed maps, written back, equal the kernel's text line by line.
    const std::string text = read_text("/proc/" + std::to_string(d.pid()) + "/maps");
    const auto map = dbg::read_maps(d.pid());
    REQUIRE_MESSAGE(map.has_value(), (map ? "" : map.error().describe()));
    CHECK(map->to_string() == text);

    auto table = dbg::SymbolTable::load(d.pid());
    REQUIRE_MESSAGE(table.has_value(), (table ? "" : table.error().describe()));
    for (const auto& skipped : table->skipped()) {
        MESSAGE("not read: ", skipped.describe());
    }
    CHECK(table->skipped().empty());

    // The objects: the program first, then libc, the vDSO, the dynamic linker among others.
    const auto objects = table->objects();
    REQUIRE(!objects.empty());
    const dbg::LoadedObject& program = objects.front();
    CHECK(program.is_main_program());
    CHECK(program.path().starts_with("/"));
    CHECK(program.short_name() == (pie ? "debuggee" : "debuggee_nopie"));
    CHECK(program.source() == dbg::SymbolSource::Symtab);
    CHECK(program.elf().type() == (pie ? dbg::ElfType::Shared : dbg::ElfType::Executable));
    if (pie) {
        CHECK(program.bias() == program.base());
        CHECK(program.bias() != 0);
    } else {
        CHECK(program.bias() == 0);
        CHECK(program.base() == 0x400000U);
    }
    const dbg::LoadedObject* libc = table->object("libc.so.6");
    REQUIRE(libc != nullptr);
    CHECK(libc->path() == debugger_support::libc_path());
    CHECK(libc->bias() == libc->base());
    CHECK(libc->source() == (libc->elf().has_table(dbg::SymbolSource::Symtab)
                                 ? dbg::SymbolSource::Symtab
                                 : dbg::SymbolSource::Dynsym));
    CHECK(table->object(libc->path()) == libc);
    const dbg::LoadedObject* vdso = table->object("[vdso]");
    REQUIRE(vdso != nullptr);
    CHECK(vdso->is_vdso());
    CHECK(vdso->base() == d.address("vdso"));
    bool has_linker = false;
    for (const auto& o : objects) {
        has_linker = has_linker || o.short_name().starts_with("ld-linux");
        CHECK(map->find(o.start()) != nullptr);
        CHECK(map->find(o.start())->path == o.path());
    }
    CHECK(has_linker);

    // By name: the program's function, its local function (.symtab only) and its data.
    const dbg::Symbol* marker = table->find("debuggee_marker");
    REQUIRE(marker != nullptr);
    CHECK(marker->address == d.address("marker"));
    CHECK(marker->type == dbg::SymbolType::Func);
    CHECK(marker->size > 4);
    CHECK(&objects[marker->object] == &program);
    const dbg::Symbol* local = table->find("debuggee_local");
    REQUIRE(local != nullptr);
    CHECK(local->address == d.address("local"));
    CHECK(local->binding == dbg::SymbolBinding::Local);
    const dbg::Symbol* counter = table->find("debuggee_counter");
    REQUIRE(counter != nullptr);
    CHECK(counter->address == d.address("counter"));
    CHECK(counter->type == dbg::SymbolType::Object);
    CHECK(counter->size == sizeof(int));
    const dbg::Symbol* main_sym = table->find("main");
    REQUIRE(main_sym != nullptr);
    CHECK(&objects[main_sym->object] == &program);
    REQUIRE(map->find(main_sym->address) != nullptr);
    CHECK(map->find(main_sym->address)->perms.execute);

    // libc's malloc, unqualified (first in load order: the program does not define it) and
    // qualified by the library's short name or path.
    const dbg::Symbol* malloc_sym = table->find("malloc");
    REQUIRE(malloc_sym != nullptr);
    CHECK(malloc_sym->address == d.address("malloc"));
    CHECK(&objects[malloc_sym->object] == libc);
    CHECK(table->find("libc.so.6:malloc") == malloc_sym);
    CHECK(table->find(libc->path() + ":malloc") == malloc_sym);
    CHECK(table->find(std::string(program.short_name()) + ":malloc") == nullptr);
    CHECK(table->find("no_such_symbol_anywhere") == nullptr);

    // The vDSO's function, at the address the dynamic linker gives it.
    const dbg::Symbol* gettime = table->find("[vdso]:__vdso_clock_gettime");
    REQUIRE(gettime != nullptr);
    CHECK(gettime->address == d.address("vdso_clock_gettime"));

    // By address: name+offset, like gdb's <main+4>.
    const auto at = table->function_at(d.address("marker") + 4);
    REQUIRE(at.has_value());
    CHECK(at->symbol == marker);
    CHECK(at->object == &program);
    CHECK(at->offset == 4);
    CHECK(at->describe() == "debuggee_marker+4");
    CHECK(table->describe(d.address("marker")) == "debuggee_marker");
    CHECK(table->describe(d.address("marker") + marker->size - 1) ==
          "debuggee_marker+" + std::to_string(marker->size - 1));
    CHECK(table->describe(main_sym->address + 1) == "main+1");
    CHECK(table->describe(d.address("local") + 2) == "debuggee_local+2");
    // In libc: malloc itself or an alias of it (glibc has __libc_malloc at the same address).
    const auto in_malloc = table->function_at(d.address("malloc") + 1);
    REQUIRE(in_malloc.has_value());
    CHECK(in_malloc->object == libc);
    CHECK(in_malloc->symbol->address == d.address("malloc"));
    CHECK(in_malloc->offset == 1);
    CHECK(table->describe(d.address("vdso_clock_gettime")).find("clock_gettime") !=
          std::string::npos);
    // Data is not a function; unmapped memory belongs to none.
    CHECK_FALSE(table->function_at(d.address("counter")).has_value());
    CHECK_FALSE(table->function_at(0x10).has_value());
    CHECK(table->describe(0x10) == "0x10");
}

} // namespace

TEST_SUITE("debugger") {

    TEST_CASE("symbols: a PIE debuggee's addresses, computed from its maps and files") {
        check_debuggee(debugger_support::debuggee_path(), true);
    }

    TEST_CASE("symbols: a -no-pie debuggee's addresses (no load bias)") {
        check_debuggee(debugger_support::debuggee_nopie_path(), false);
    }

    TEST_CASE("symbols: the vDSO can be skipped, or read with the caller's Memory handle") {
        Debuggee d(debugger_support::debuggee_path());
        REQUIRE_MESSAGE(d.ready(), d.output());
        auto without = dbg::SymbolTable::load(d.pid(), dbg::VdsoSymbols::Skip);
        REQUIRE(without.has_value());
        CHECK(without->object("[vdso]") == nullptr);
        CHECK(without->find("debuggee_marker") != nullptr);
        auto memory = ptrace_api::Memory::open(d.pid());
        REQUIRE(memory.has_value());
        auto with = dbg::SymbolTable::load(d.pid(), *memory);
        REQUIRE(with.has_value());
        REQUIRE(with->object("[vdso]") != nullptr);
        CHECK(with->object("[vdso]")->base() == d.address("vdso"));
    }

    TEST_CASE("symbols: this test program's own table agrees with its own addresses") {
        auto table = dbg::SymbolTable::load(::getpid());
        REQUIRE_MESSAGE(table.has_value(), (table ? "" : table.error().describe()));
        CHECK(table->skipped().empty());
        // Qualified: under AddressSanitizer its runtime library comes first in the dynamic
        // linker's order and defines some libc names too.
        const dbg::Symbol* s = table->find("libc.so.6:getpid");
        REQUIRE(s != nullptr);
        void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
        REQUIRE(libc != nullptr);
        CHECK(s->address == reinterpret_cast<std::uintptr_t>(dlsym(libc, "getpid")));
        dlclose(libc);
        // The vDSO, copied from this process's own memory.
        REQUIRE(table->object("[vdso]") != nullptr);
        CHECK(table->object("[vdso]")->base() == ::getauxval(AT_SYSINFO_EHDR));
        CHECK(table->find("[vdso]:__vdso_clock_gettime") != nullptr);
    }

    TEST_CASE("symbols: no such process") {
        const auto none = dbg::SymbolTable::load(0x3fffffff, dbg::VdsoSymbols::Skip);
        REQUIRE_FALSE(none.has_value());
        CHECK(none.error().code == std::errc::no_such_process);
        const auto with_vdso = dbg::SymbolTable::load(0x3fffffff, dbg::VdsoSymbols::Read);
        REQUIRE_FALSE(with_vdso.has_value());
        CHECK(with_vdso.error().code == std::errc::no_such_process);
    }
}
