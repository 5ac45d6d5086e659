// SPDX-License-Identifier: MIT
// read_c_string over a fake address space: limits, page boundaries, chunks and errors.
#include <ptrace/c_string.hpp>
#include <ptrace/result.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

using namespace ptrace_api;

namespace {

/// Pages of 4096 bytes; a read succeeds only when every page it touches is mapped, and every
/// read is recorded.
struct FakeSpace {
    static constexpr std::uint64_t page = 4096;
    std::map<std::uint64_t, std::string> pages;
    std::vector<std::pair<std::uint64_t, std::size_t>> reads;

    void map(std::uint64_t addr, const std::string& bytes) {
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            std::string& p = pages[(addr + i) / page];
            p.resize(page, 'x');
            p[(addr + i) % page] = bytes[i];
        }
    }

    auto reader() {
        return [this](std::uint64_t addr, std::span<std::byte> out) -> Result<void> {
            reads.emplace_back(addr, out.size());
            for (std::size_t i = 0; i < out.size(); ++i) {
                const auto it = pages.find((addr + i) / page);
                if (it == pages.end()) {
                    return unexpected(std::errc::bad_address);
                }
                out[i] = static_cast<std::byte>(it->second[(addr + i) % page]);
            }
            return {};
        };
    }
};

} // namespace

TEST_SUITE("c_string") {
    TEST_CASE("stops at the NUL or at the limit") {
        FakeSpace mem;
        mem.map(0x1000, std::string("exit\0", 5));
        CHECK(read_c_string(mem.reader(), 0x1000, 4096).value() == CString{"exit", false});
        CHECK(read_c_string(mem.reader(), 0x1000, 5).value() == CString{"exit", false});
        CHECK(read_c_string(mem.reader(), 0x1000, 4).value() == CString{"exit", true});
        CHECK(read_c_string(mem.reader(), 0x1000, 2).value() == CString{"ex", true});
        mem.reads.clear();
        CHECK(read_c_string(mem.reader(), 0x1000, 0).value() == CString{"", true});
        CHECK(mem.reads.empty());
    }

    TEST_CASE("never reads across a page, nor past the NUL's page") {
        FakeSpace mem;
        mem.map(0x1ffc, std::string("abc\0", 4)); // the next page is unmapped
        CHECK(read_c_string(mem.reader(), 0x1ffc, 100).value() == CString{"abc", false});
        mem.map(0x3ffe, "xy");
        CHECK(read_c_string(mem.reader(), 0x3ffe, 2).value() == CString{"xy", true});
        CHECK((read_c_string(mem.reader(), 0x3ffe, 100).error() == std::errc::bad_address));
        CHECK((read_c_string(mem.reader(), 0x9000, 16).error() == std::errc::bad_address));
        for (const auto& [addr, len] : mem.reads) {
            CHECK(addr % 4096 + len <= 4096);
        }
    }

    TEST_CASE("reads at most `chunk` bytes at a time") {
        FakeSpace mem;
        mem.map(0x5000, std::string(600, 'a') + std::string(1, '\0'));
        const auto s = read_c_string(mem.reader(), 0x5000, 1000, 256);
        CHECK(s.value() == CString{std::string(600, 'a'), false});
        CHECK(mem.reads == std::vector<std::pair<std::uint64_t, std::size_t>>{
                               {0x5000, 256}, {0x5100, 256}, {0x5200, 256}});
    }
}
