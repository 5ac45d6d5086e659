// SPDX-License-Identifier: MIT
// CString and read_c_string: a NUL-terminated string of a tracee, read through a callback.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>

namespace ptrace_api {

/// A C string read from a tracee: the bytes before the NUL, and whether the read stopped at
/// the length limit before finding a NUL.
struct CString {
    std::string text;
    bool truncated = false;

    friend bool operator==(const CString&, const CString&) = default;
};

/// The page size of the tracee's address space: no read of read_c_string crosses a multiple
/// of it, and no chunk is larger.
inline constexpr std::size_t c_string_page = 4096;

/// The NUL-terminated string at `address`, at most `max_len` bytes of it, read through `read`:
/// `read(address, out)` fills `out` with the tracee's bytes at `address`, all or nothing (as
/// Memory::read does). Reads go chunk by chunk, at most `chunk` bytes each, never across a
/// page boundary and never past the chunk that holds the NUL, so a string that ends just
/// before an unmapped page reads fine.
/// \returns the text before the NUL; `truncated` when `max_len` bytes held no NUL.
/// \errors the first error of `read` (a chunk before the NUL and before `max_len` failed).
/// \pre chunk > 0.
template <class Read>
requires std::is_invocable_r_v<Result<void>, Read&, std::uint64_t,
                               std::span<std::byte>> [[nodiscard]] Result<CString>
read_c_string(Read&& read, std::uint64_t address, std::size_t max_len,
              std::size_t chunk = c_string_page) {
    PTRACE_API_ASSERT(chunk > 0, "read_c_string needs a chunk size");
    constexpr std::uint64_t page = c_string_page;
    CString out;
    std::array<std::byte, c_string_page> buf{};
    std::uint64_t at = address;
    while (out.text.size() < max_len) {
        // The least of the rest of the page, the chunk and what max_len leaves (no std::min:
        // <algorithm> alone costs a translation unit more than this whole header).
        std::uint64_t limit = page - (at % page);
        limit = chunk < limit ? chunk : limit;
        const std::uint64_t left = max_len - out.text.size();
        limit = left < limit ? left : limit;
        const auto want = static_cast<std::size_t>(limit);
        if (Result<void> r = read(at, std::span<std::byte>(buf.data(), want)); !r) {
            return Unexpected(r.error());
        }
        const auto* first = reinterpret_cast<const char*>(buf.data());
        const auto* nul = static_cast<const char*>(std::memchr(first, 0, want));
        if (nul != nullptr) {
            out.text.append(first, nul);
            return out;
        }
        out.text.append(first, want);
        at += want;
    }
    out.truncated = true;
    return out;
}

} // namespace ptrace_api
