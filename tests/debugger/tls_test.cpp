// SPDX-License-Identifier: MIT
// Thread-local addresses (debugger/include/ptrace/debugger/tls.hpp) on the traced `gdb_tls`
// program (tests/targets/gdb_tls.cpp): for each of its three threads, the program's own
// thread_local (static TLS), libc's errno (static TLS of a library) and the thread_local of a
// dlopen()ed library (dynamic TLS, in the thread's DTV; not allocated for the main thread,
// which never used it) must read as the program wrote them. The modules are named by their
// link_map, found through the dynamic linker's r_debug (the kit's LinkMap).
#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/link_map.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/debugger/tls.hpp>
#include <ptrace/registers.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debugger_support.hpp"
#include "inferior_support.hpp"
#include "watchdog.hpp"

namespace dbg = ptrace_api::debugger;

namespace {

/// The address of the link_map of the loaded object whose name ends with `suffix`.
std::uint64_t link_map_ending(const std::vector<dbg::LinkMapEntry>& entries,
                              std::string_view suffix) {
    for (const dbg::LinkMapEntry& entry : entries) {
        if (entry.name.ends_with(suffix)) {
            return entry.address;
        }
    }
    FAIL("no link_map for ", suffix);
    return 0;
}

/// The offset of the TLS symbol `name` in the TLS block of the object `object` (st_value).
std::uint64_t tls_offset(const dbg::SymbolTable& symbols, std::string_view object,
                         std::string_view name) {
    const dbg::LoadedObject* o = symbols.object(object);
    REQUIRE_MESSAGE(o != nullptr, "no object ", object);
    for (const dbg::ElfSymbol& e : o->elf().symbols(o->source())) {
        if (e.type == dbg::SymbolType::Tls && e.name == name && e.defined()) {
            return e.value;
        }
    }
    FAIL("no TLS symbol ", name, " in ", object);
    return 0;
}

} // namespace

TEST_CASE("TLS: the program's, libc's (errno) and a dlopen()ed library's thread_local, for "
          "each thread, as the program wrote them; unallocated dynamic TLS is EAGAIN") {
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    const std::string targets = debugger_support::targets_dir();
    auto inferior = inferior_support::launch(targets + "/gdb_tls", {targets + "/libtls_module.so"});
    const pid_t pid = inferior.pid();
    watchdog.watch(pid);
    REQUIRE(inferior.breakpoints().set(inferior_support::symbol_address(pid, "all_ready")));
    const dbg::Stop stop = inferior_support::cont(inferior);
    REQUIRE_MESSAGE(stop.reason == dbg::StopReason::Breakpoint, stop.describe());
    const std::vector<pid_t> threads = inferior.threads(); // main, then the workers in order
    REQUIRE(threads.size() == 3);

    ptrace_api::Memory& memory = inferior.breakpoints().memory();
    auto symbols = dbg::SymbolTable::load(pid, memory);
    REQUIRE_MESSAGE(symbols.has_value(), (symbols ? "" : symbols.error().describe()));
    auto layout = dbg::TlsLayout::load(*symbols, memory);
    REQUIRE_MESSAGE(layout.has_value(), (layout ? "" : layout.error().describe()));
    auto link_map = dbg::LinkMap::find(memory);
    REQUIRE_MESSAGE(link_map.has_value(), (link_map ? "" : link_map.error().describe()));
    const auto maps = link_map->entries(memory);
    REQUIRE_MESSAGE(maps.has_value(), (maps ? "" : maps.error().describe()));
    REQUIRE(maps->size() >= 3);
    const std::uint64_t program_lm = maps->front().address; // the program: the first, unnamed
    CHECK(maps->front().name.empty());
    const std::uint64_t libc_lm = link_map_ending(*maps, "/libc.so.6");
    const std::uint64_t module_lm = link_map_ending(*maps, "/libtls_module.so");
    const std::uint64_t index_offset = tls_offset(*symbols, "gdb_tls", "tls_index");
    const std::uint64_t errno_offset = tls_offset(*symbols, "libc.so.6", "errno");
    const std::uint64_t module_offset = tls_offset(*symbols, "libtls_module.so", "module_value");

    const auto value_at = [&](pid_t tid, std::uint64_t lm,
                              std::uint64_t offset) -> dbg::DebugResult<int> {
        auto registers = ptrace_api::Registers::open(tid);
        REQUIRE(registers.has_value());
        auto env = registers->get_env();
        REQUIRE(env.has_value());
        auto address = layout->address(memory, env->fsbase, lm, offset);
        if (!address) {
            return address.error();
        }
        auto value = memory.read_value<int>(*address);
        REQUIRE(value.has_value());
        return *value;
    };
    const std::map<pid_t, int> index{{threads[0], 100}, {threads[1], 1}, {threads[2], 2}};
    for (const auto& [thread, expected] : index) {
        const pid_t tid = thread; // a name CAPTURE can take (not a structured binding)
        CAPTURE(tid);
        const auto got = value_at(tid, program_lm, index_offset);
        REQUIRE_MESSAGE(got.has_value(), (got ? "" : got.error().describe()));
        CHECK(*got == expected);
    }
    const auto main_errno = value_at(threads[0], libc_lm, errno_offset);
    REQUIRE_MESSAGE(main_errno.has_value(), (main_errno ? "" : main_errno.error().describe()));
    CHECK(*main_errno == E2BIG);
    for (const auto& [thread, expected] :
         std::map<pid_t, int>{{threads[1], 10}, {threads[2], 20}}) {
        const pid_t tid = thread;
        CAPTURE(tid);
        const auto got = value_at(tid, module_lm, module_offset);
        REQUIRE_MESSAGE(got.has_value(), (got ? "" : got.error().describe()));
        CHECK(*got == expected);
    }
    // The main thread never used the module's thread_local: no block yet.
    const auto unallocated = value_at(threads[0], module_lm, module_offset);
    REQUIRE_FALSE(unallocated.has_value());
    CHECK(unallocated.error().code == std::errc::resource_unavailable_try_again);
    // A link_map of a module without TLS (the dynamic linker has none of its own here).
    const std::uint64_t ld_lm = link_map_ending(*maps, "ld-linux-x86-64.so.2");
    const auto none = value_at(threads[0], ld_lm, 0);
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().code == std::errc::no_message_available);

    const dbg::Stop end = inferior_support::cont(inferior);
    REQUIRE_MESSAGE(end.reason == dbg::StopReason::Exited, end.describe());
    CHECK(end.status.exit_code() == 0);
    watchdog.forget(pid);
}
