// SPDX-License-Identifier: MIT
// The dynamic linker's list (debugger/include/ptrace/debugger/link_map.hpp): on a made-up
// image (program headers, a dynamic section, r_debug and a chain of link_maps, with a name that
// ends at the last byte before an unmapped page) in pages this process shares with a child,
// read through a Memory handle of the child; then on real programs: a dynamic one before its
// dynamic linker has run and once it has (compared with its symbols), and a static one.
#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/link_map.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/memory.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <elf.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugger_support.hpp"
#include "inferior_support.hpp"
#include "watchdog.hpp"

namespace dbg = ptrace_api::debugger;

namespace {

/// Pages mapped shared for one case, and a child process that holds them too (forked after
/// they were mapped: the same addresses, and what this process writes there the child sees).
/// The kit reads the child's memory: a process never traces itself (rule A3). The destructor
/// kills and reaps the child and unmaps the pages.
struct SharedImage {
    std::byte* base = nullptr;
    std::size_t size = 0;
    pid_t child = -1;

    /// `count` pages, the last `unmapped` of them unmapped again (so that the pages before
    /// them end at a hole).
    SharedImage(std::size_t count, std::size_t unmapped) : size(count * page()) {
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        REQUIRE(p != MAP_FAILED);
        base = static_cast<std::byte*>(p);
        size -= unmapped * page();
        REQUIRE(::munmap(base + size, unmapped * page()) == 0);
        child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            for (;;) {
                ::pause();
            }
        }
    }
    SharedImage(const SharedImage&) = delete;
    SharedImage& operator=(const SharedImage&) = delete;
    ~SharedImage() {
        (void)::kill(child, SIGKILL);
        (void)::waitpid(child, nullptr, 0);
        (void)::munmap(base, size);
    }

    static std::size_t page() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }
    [[nodiscard]] std::uint64_t at(std::size_t offset) const {
        return reinterpret_cast<std::uint64_t>(base + offset);
    }
    void put(std::size_t offset, const void* data, std::size_t length) const {
        std::memcpy(base + offset, data, length);
    }
    void put64(std::size_t offset, std::uint64_t value) const { put(offset, &value, 8); }

    [[nodiscard]] ptrace_api::Memory memory() const {
        auto memory = ptrace_api::Memory::open(child);
        REQUIRE(memory.has_value());
        return std::move(*memory);
    }
};

/// An auxiliary vector naming `phnum` program headers at `phdr`.
std::array<std::uint64_t, 6> auxv_of(std::uint64_t phdr, std::uint64_t phnum) {
    return {AT_PHDR, phdr, AT_PHNUM, phnum, AT_NULL, 0};
}

} // namespace

TEST_CASE("LinkMap on a made-up image: r_debug from DT_DEBUG, the chain, gdb's form from an "
          "entry on, and each way of failing") {
    // Page 0: program headers at 0x40 (PT_PHDR, PT_DYNAMIC at 0x100), r_debug at 0x800, the
    // link_maps at 0x900.. Page 1: names, one ending at its last byte; page 2 unmapped.
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    SharedImage image(3, 1);
    watchdog.watch(image.child);
    const std::size_t page = SharedImage::page();
    std::array<Elf64_Phdr, 2> headers{};
    headers[0].p_type = PT_PHDR;
    headers[0].p_vaddr = 0x40;
    headers[1].p_type = PT_DYNAMIC;
    headers[1].p_vaddr = 0x100;
    headers[1].p_memsz = 3 * sizeof(Elf64_Dyn);
    image.put(0x40, headers.data(), sizeof headers);
    image.put64(0x100, DT_NEEDED);
    image.put64(0x108, 1);
    image.put64(0x110, DT_DEBUG);
    image.put64(0x118, 0); // not filled in yet
    image.put64(0x120, DT_NULL);
    const auto auxv = auxv_of(image.at(0x40), 2);
    ptrace_api::Memory memory = image.memory();

    auto early = dbg::LinkMap::find(memory, std::as_bytes(std::span(auxv)));
    REQUIRE_FALSE(early.has_value());
    CHECK(early.error().code == std::errc::resource_unavailable_try_again);

    // The dynamic linker ran: r_debug (version 0 first), then four entries: the program (no
    // name), the vDSO, libc, and one whose name ends at the last readable byte.
    image.put64(0x118, image.at(0x800));
    auto found = dbg::LinkMap::find(memory, std::as_bytes(std::span(auxv)));
    REQUIRE_MESSAGE(found.has_value(), (found ? "" : found.error().describe()));
    CHECK(found->r_debug() == image.at(0x800));
    image.put64(0x800, 0); // r_version 0: no list yet
    image.put64(0x808, image.at(0x900));
    auto none = found->entries(memory);
    REQUIRE(none.has_value());
    CHECK(none->empty());

    image.put64(0x800, 1);
    const std::array<std::uint64_t, 4> lm{image.at(0x900), image.at(0x940), image.at(0x980),
                                          image.at(0x9c0)};
    const std::array<std::uint64_t, 4> names{0, image.at(page), image.at(page + 0x20),
                                             image.at(2 * page - 5)};
    image.put(page, "linux-vdso.so.1", 16);
    image.put(page + 0x20, "/lib/libc.so.6", 15);
    image.put(2 * page - 5, "/a<b", 5); // its NUL is the page's last byte
    for (std::size_t i = 0; i < lm.size(); ++i) {
        const std::size_t at = 0x900 + 0x40 * i;
        image.put64(at, 0x7f0000 * i);                           // l_addr
        image.put64(at + 8, names[i]);                           // l_name
        image.put64(at + 16, 0x1000 + i);                        // l_ld
        image.put64(at + 24, i + 1 < lm.size() ? lm[i + 1] : 0); // l_next
        image.put64(at + 32, i > 0 ? lm[i - 1] : 0);             // l_prev
    }
    auto all = found->entries(memory);
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 4);
    const std::array<const char*, 4> expected_names{"", "linux-vdso.so.1", "/lib/libc.so.6",
                                                    "/a<b"};
    for (std::size_t i = 0; i < lm.size(); ++i) {
        CAPTURE(i);
        CHECK((*all)[i].address == lm[i]);
        CHECK((*all)[i].bias == 0x7f0000 * i);
        CHECK((*all)[i].dynamic == 0x1000 + i);
        CHECK((*all)[i].name == expected_names[i]);
    }

    // From an entry on, given its predecessor (gdb's start= and prev=); a predecessor that
    // does not match, or an entry of 0, gives nothing; the limit.
    const auto tail = dbg::LinkMap::entries_from(memory, lm[2], lm[1]);
    REQUIRE(tail.size() == 2);
    CHECK(tail[0].address == lm[2]);
    CHECK(tail[1].address == lm[3]);
    CHECK(dbg::LinkMap::entries_from(memory, lm[2], lm[0]).empty());
    CHECK(dbg::LinkMap::entries_from(memory, 0, 0).empty());
    CHECK(dbg::LinkMap::entries_from(memory, lm[0], 0, 2).size() == 2);

    // A chain that breaks (an l_prev that does not point back, an unreadable l_next) ends
    // the list where it breaks.
    image.put64(0x980 + 32, lm[0]);
    auto broken = found->entries(memory);
    REQUIRE(broken.has_value());
    CHECK(broken->size() == 2);
    image.put64(0x980 + 32, lm[1]);
    image.put64(0x940 + 24, image.at(2 * page)); // into the unmapped page
    auto cut = found->entries(memory);
    REQUIRE(cut.has_value());
    CHECK(cut->size() == 2);

    // r_debug itself unreadable: EFAULT, with the address.
    image.put64(0x118, image.at(2 * page));
    auto moved = dbg::LinkMap::find(memory, std::as_bytes(std::span(auxv)));
    REQUIRE(moved.has_value());
    auto unreadable = moved->entries(memory);
    REQUIRE_FALSE(unreadable.has_value());
    CHECK(unreadable.error().code == std::errc::bad_address);
    CHECK(unreadable.error().message.find("r_debug at 0x") != std::string::npos);

    // A dynamic section without DT_DEBUG, a program without one (static), headers that cannot
    // be read, an auxiliary vector without them.
    image.put64(0x110, DT_NEEDED);
    auto no_debug = dbg::LinkMap::find(memory, std::as_bytes(std::span(auxv)));
    REQUIRE_FALSE(no_debug.has_value());
    CHECK(no_debug.error().code == std::errc::no_such_file_or_directory);
    CHECK(no_debug.error().message.find("DT_DEBUG") != std::string::npos);
    const auto one_header = auxv_of(image.at(0x40), 1);
    auto static_program = dbg::LinkMap::find(memory, std::as_bytes(std::span(one_header)));
    REQUIRE_FALSE(static_program.has_value());
    CHECK(static_program.error().code == std::errc::no_such_file_or_directory);
    CHECK(static_program.error().message.find("no dynamic section") != std::string::npos);
    const auto unmapped = auxv_of(image.at(2 * page), 2);
    auto unreadable_headers = dbg::LinkMap::find(memory, std::as_bytes(std::span(unmapped)));
    REQUIRE_FALSE(unreadable_headers.has_value());
    CHECK(unreadable_headers.error().code == std::errc::bad_address);
    const std::array<std::uint64_t, 4> no_phdr{AT_PAGESZ, 4096, AT_NULL, 0};
    auto invalid = dbg::LinkMap::find(memory, std::as_bytes(std::span(no_phdr)));
    REQUIRE_FALSE(invalid.has_value());
    CHECK(invalid.error().code == std::errc::invalid_argument);
    auto empty = dbg::LinkMap::find(memory, {});
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().code == std::errc::invalid_argument);
    watchdog.forget(image.child); // killed and reaped by image's destructor
}

TEST_CASE("LinkMap on real programs: EAGAIN before the dynamic linker has run, then the "
          "program, the vDSO and the libraries as the symbols place them; ENOENT for a static "
          "program") {
    test_support::Watchdog watchdog(std::chrono::seconds(30), std::chrono::seconds(10));
    const std::string targets = debugger_support::targets_dir();

    auto inferior = inferior_support::launch(targets + "/stepping", {"basic"});
    const pid_t pid = inferior.pid();
    watchdog.watch(pid);
    ptrace_api::Memory& memory = inferior.breakpoints().memory();
    auto early = dbg::LinkMap::find(memory);
    REQUIRE_FALSE(early.has_value());
    CHECK(early.error().code == std::errc::resource_unavailable_try_again);

    REQUIRE(inferior.breakpoints().set(inferior_support::symbol_address(pid, "main")));
    const dbg::Stop at_main = inferior_support::cont(inferior);
    REQUIRE_MESSAGE(at_main.reason == dbg::StopReason::Breakpoint, at_main.describe());
    auto link_map = dbg::LinkMap::find(memory);
    REQUIRE_MESSAGE(link_map.has_value(), (link_map ? "" : link_map.error().describe()));
    auto symbols = dbg::SymbolTable::load(pid, memory);
    REQUIRE_MESSAGE(symbols.has_value(), (symbols ? "" : symbols.error().describe()));
    const dbg::Symbol* r_debug = symbols->find("_r_debug");
    REQUIRE(r_debug != nullptr);
    CHECK(link_map->r_debug() == r_debug->address);
    auto entries = link_map->entries(memory);
    REQUIRE_MESSAGE(entries.has_value(), (entries ? "" : entries.error().describe()));
    REQUIRE(entries->size() >= 4); // the program, the vDSO, libc, the dynamic linker
    CHECK(entries->front().name.empty());
    CHECK(entries->front().bias == symbols->object("stepping")->bias());
    bool vdso = false;
    int libraries = 0;
    for (const dbg::LinkMapEntry& entry : *entries) {
        CAPTURE(entry.name);
        vdso = vdso || entry.name == "linux-vdso.so.1";
        if (entry.name.starts_with("/")) {
            // Each library is at the load bias the maps file gives the file it names (a
            // name can be a symbolic link: libstdc++.so.6 -> libstdc++.so.6.0.30).
            const dbg::LoadedObject* object = nullptr;
            for (const dbg::LoadedObject& o : symbols->objects()) {
                if (!o.is_vdso() && std::filesystem::equivalent(o.path(), entry.name)) {
                    object = &o;
                }
            }
            REQUIRE_MESSAGE(object != nullptr, "no mapped object is ", entry.name);
            CHECK(entry.bias == object->bias());
            CHECK(entry.dynamic > object->start());
            CHECK(entry.dynamic < object->end());
            ++libraries;
        }
    }
    CHECK(vdso);
    CHECK(libraries >= 2);
    REQUIRE(inferior.kill());
    watchdog.forget(pid);

    auto static_inferior = inferior_support::launch(targets + "/static_program", {});
    const pid_t static_pid = static_inferior.pid();
    watchdog.watch(static_pid);
    auto none = dbg::LinkMap::find(static_inferior.breakpoints().memory());
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().code == std::errc::no_such_file_or_directory);
    const dbg::Stop static_end = inferior_support::cont(static_inferior);
    REQUIRE_MESSAGE(static_end.reason == dbg::StopReason::Exited, static_end.describe());
    CHECK(static_end.status.exit_code() == 0);
    watchdog.forget(static_pid);
}
