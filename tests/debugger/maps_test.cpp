// SPDX-License-Identifier: MIT
// The memory map parser (debugger kit, issue 13 item 1): typed fields, pseudo-names, the
// " (deleted)" suffix, errors that name the line and the field, the queries, and the round trip
// against the kernel's own text (this process's maps, written back byte for byte).
#include <ptrace/debugger/maps.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace dbg = ptrace_api::debugger;

namespace {

std::string slurp_maps(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_SUITE("debugger") {

    TEST_CASE("maps: a file mapping, every field typed") {
        const auto e = dbg::parse_maps_line(
            "55c27dae5000-55c27daea000 r-xp 00002000 fe:00 247134                     "
            "/usr/bin/cat");
        REQUIRE_MESSAGE(e.has_value(), (e ? "" : e.error().describe()));
        CHECK(e->start == 0x55c27dae5000U);
        CHECK(e->end == 0x55c27daea000U);
        CHECK(e->size() == 0x5000U);
        CHECK(e->perms == dbg::Permissions{true, false, true, dbg::Sharing::Private});
        CHECK(e->offset == 0x2000U);
        CHECK(e->dev_major == 0xfeU);
        CHECK(e->dev_minor == 0U);
        CHECK(e->inode == 247134U);
        CHECK(e->path == "/usr/bin/cat");
        CHECK_FALSE(e->deleted);
        CHECK(e->kind() == dbg::MapKind::File);
        CHECK(e->contains(0x55c27dae5000U));
        CHECK(e->contains(0x55c27dae9fffU));
        CHECK_FALSE(e->contains(0x55c27daea000U));
    }

    TEST_CASE("maps: pseudo-names, anonymous memory, shared and deleted mappings") {
        const auto map = dbg::parse_maps(
            "55c29e553000-55c29e574000 rw-p 00000000 00:00 0                          [heap]\n"
            "7f1bac3ac000-7f1bac3ce000 rw-p 00000000 00:00 0 \n"
            "7f1bac614000-7f1bac61b000 r--s 00000000 fe:00 332280                     "
            "/usr/lib/gconv/gconv modules.cache (deleted)\n"
            "7f1bac61e000-7f1bac622000 r--p 00000000 00:00 0                          [vvar]\n"
            "7f1bac622000-7f1bac624000 r--p 00000000 00:00 0                          "
            "[vvar_vclock]\n"
            "7f1bac624000-7f1bac626000 r-xp 00000000 00:00 0                          [vdso]\n"
            "7ffd1c8e0000-7ffd1c901000 rw-p 00000000 00:00 0                          [stack]\n"
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  "
            "[vsyscall]\n"
            "7f0000000000-7f0000001000 rw-p 00000000 00:00 0                          "
            "[anon:my pool]\n");
        REQUIRE_MESSAGE(map.has_value(), (map ? "" : map.error().describe()));
        const auto& es = map->entries();
        REQUIRE(es.size() == 9);
        CHECK(es[0].kind() == dbg::MapKind::Heap);
        CHECK(es[1].kind() == dbg::MapKind::Anonymous);
        CHECK(es[1].path.empty());
        CHECK(es[2].kind() == dbg::MapKind::File);
        CHECK(es[2].path == "/usr/lib/gconv/gconv modules.cache"); // spaces kept
        CHECK(es[2].deleted);
        CHECK(es[2].perms.sharing == dbg::Sharing::Shared);
        CHECK(es[3].kind() == dbg::MapKind::Vvar);
        CHECK(es[4].kind() == dbg::MapKind::Vvar);
        CHECK(es[5].kind() == dbg::MapKind::Vdso);
        CHECK(es[6].kind() == dbg::MapKind::Stack);
        CHECK(es[7].kind() == dbg::MapKind::Vsyscall);
        CHECK(es[7].perms == dbg::Permissions{false, false, true, dbg::Sharing::Private});
        CHECK(es[8].kind() == dbg::MapKind::Other);
        // Written back exactly as the kernel wrote them.
        for (const auto& e : es) {
            const auto again = dbg::parse_maps_line(e.to_string());
            REQUIRE(again.has_value());
            CHECK(*again == e);
        }
        CHECK(es[1].to_string() == "7f1bac3ac000-7f1bac3ce000 rw-p 00000000 00:00 0 ");
    }

    TEST_CASE("maps: queries (containing mapping, mappings of a file, load base)") {
        const auto map = dbg::parse_maps("1000-3000 r--p 00000000 08:01 7 /lib/a.so\n"
                                         "3000-5000 r-xp 00002000 08:01 7 /lib/a.so\n"
                                         "5000-6000 rw-p 00000000 00:00 0 \n"
                                         "8000-9000 r-xp 00001000 08:01 9 /lib/b.so\n");
        REQUIRE(map.has_value());
        CHECK(map->find(0xfff) == nullptr);
        REQUIRE(map->find(0x1000) != nullptr);
        CHECK(map->find(0x1000)->start == 0x1000U);
        CHECK(map->find(0x4fff)->start == 0x3000U);
        CHECK(map->find(0x5000)->path.empty());
        CHECK(map->find(0x6000) == nullptr);
        CHECK(map->find(0x9000) == nullptr);
        CHECK(map->mappings_of("/lib/a.so").size() == 2);
        CHECK(map->mappings_of("/lib/c.so").empty());
        CHECK(map->load_base("/lib/a.so") == std::optional<std::uint64_t>{0x1000});
        // Only a later segment of b.so is mapped: its byte 0 would be one page lower.
        CHECK(map->load_base("/lib/b.so") == std::optional<std::uint64_t>{0x7000});
        CHECK_FALSE(map->load_base("/lib/c.so").has_value());
    }

    TEST_CASE("maps: a malformed line is an error naming the line and the field") {
        struct Case {
            std::string_view line;
            std::string_view expected;
        };
        const Case cases[] = {
            {"garbage", "expected an address range START-END in hex, found 'garbage'"},
            {"", "expected an address range"},
            {"1000-", "expected an address range"},
            {"2000-1000 r--p 0 00:00 0", "end is not below its start"},
            {"10000000000000000-1 r--p 0 00:00 0", "expected an address range"},
            {"1000-2000 rwxq 0 00:00 0", "expected permissions like 'r-xp', found 'rwxq'"},
            {"1000-2000 r--p zz 00:00 0", "expected a file offset in hex, found 'zz'"},
            {"1000-2000 r--p 0 0000 0", "expected a device MAJOR:MINOR in hex, found '0000'"},
            {"1000-2000 r--p 0 00:00 x /a", "expected an inode number in decimal, found 'x'"},
            {"1000-2000 r--p 0 00:00", "expected an inode number in decimal, found ''"},
            {"1000-2000 r--p 0 00:00 99999999999999999999999", "expected an inode number"},
            {"1000-2000 r--p 0 00:00 0\x01 /a", "found '0\\x01'"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.line);
            const auto map =
                dbg::parse_maps("1000-2000 r--p 00000000 00:00 0 \n" + std::string(c.line) +
                                    "\n3000-4000 r--p 00000000 00:00 0 \n",
                                "/proc/7/maps");
            REQUIRE_FALSE(map.has_value());
            CHECK(map.error().code == std::errc::invalid_argument);
            CHECK(map.error().message.starts_with("/proc/7/maps line 2: "));
            CHECK_MESSAGE(map.error().message.find(c.expected) != std::string::npos,
                          map.error().message);
        }
    }

    TEST_CASE("maps: this process's maps, parsed and written back line by line") {
        const std::string text = slurp_maps("/proc/self/maps");
        const auto map = dbg::parse_maps(text, "/proc/self/maps");
        REQUIRE_MESSAGE(map.has_value(), (map ? "" : map.error().describe()));
        std::string_view rest = text;
        for (const auto& e : map->entries()) {
            const std::string_view line = rest.substr(0, rest.find('\n'));
            rest.remove_prefix(line.size() + 1);
            CHECK(e.to_string() == line);
        }
        CHECK(rest.empty());
        // The code of this test lies in a mapping of the test program, executable.
        const auto here = reinterpret_cast<std::uintptr_t>(&slurp_maps);
        const dbg::MapEntry* m = map->find(here);
        REQUIRE(m != nullptr);
        CHECK(m->perms.execute);
        CHECK(m->kind() == dbg::MapKind::File);
    }

    TEST_CASE("maps: read_maps of a pid, and of no process") {
        const auto self = dbg::read_maps(::getpid());
        REQUIRE_MESSAGE(self.has_value(), (self ? "" : self.error().describe()));
        CHECK_FALSE(self->entries().empty());
        const auto none = dbg::read_maps(0x3fffffff); // above pid_max's ceiling
        REQUIRE_FALSE(none.has_value());
        CHECK(none.error().code == std::errc::no_such_process);
        CHECK(none.error().message.find("/proc/1073741823/maps") != std::string::npos);
    }
}
