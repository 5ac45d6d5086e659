// SPDX-License-Identifier: MIT
// What every fuzz harness shares: a check that aborts (so libFuzzer keeps the input), a reader
// and a writer for the little-endian input formats, and a fake tracee memory served from the
// input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace fuzz {

/// Reports a violated property and aborts: libFuzzer then saves the input as a crash, and the
/// replay driver fails. Active in every build (an `assert` would vanish under NDEBUG).
[[noreturn]] inline void fail(const char* expr, const char* file, int line,
                              const std::string& detail) {
    std::fprintf(stderr, "%s:%d: property violated: %s\n", file, line, expr);
    if (!detail.empty()) {
        std::fprintf(stderr, "  %s\n", detail.c_str());
    }
    std::fflush(stderr);
    std::abort();
}

#define FUZZ_CHECK(cond, detail)                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ::fuzz::fail(#cond, __FILE__, __LINE__, (detail));                                     \
        }                                                                                          \
    } while (false)

/// The input as text (the harnesses over parsers take it whole).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
    return {reinterpret_cast<const char*>(data), size};
}

/// `text` with every byte outside printable ASCII shown as \xNN, for failure messages.
inline std::string escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f && u != '\\') {
            out += c;
        } else {
            constexpr std::string_view digits = "0123456789abcdef";
            out += "\\x";
            out += digits[u >> 4U];
            out += digits[u & 0xfU];
        }
    }
    return out;
}

/// Reads little-endian integers and byte runs from the front of the input; once the input is
/// used up every integer reads as 0 and every run as empty, so any input is a valid one.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}
    explicit Input(std::span<const std::uint8_t> bytes) noexcept
        : data_(bytes.data()), size_(bytes.size()) {}

    [[nodiscard]] bool empty() const noexcept { return pos_ >= size_; }
    [[nodiscard]] std::size_t left() const noexcept { return size_ - pos_; }

    template <class T>
    T take() noexcept {
        static_assert(std::is_unsigned_v<T>);
        T value = 0;
        for (std::size_t i = 0; i < sizeof(T) && pos_ < size_; ++i) {
            value = static_cast<T>(value | static_cast<T>(T{data_[pos_++]} << (8 * i)));
        }
        return value;
    }

    /// Up to `n` bytes (fewer at the end of the input).
    std::span<const std::uint8_t> bytes(std::size_t n) noexcept {
        const std::size_t k = std::min(n, left());
        const std::span<const std::uint8_t> out(data_ + pos_, k);
        pos_ += k;
        return out;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

/// The inverse of Input, for the corpus generator.
class Output {
public:
    template <class T>
    Output& put(T value) {
        static_assert(std::is_integral_v<T>);
        using U = std::make_unsigned_t<T>;
        const auto u = static_cast<U>(value);
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            bytes_.push_back(static_cast<std::uint8_t>((u >> (8 * i)) & 0xffU));
        }
        return *this;
    }
    Output& put_bytes(std::span<const std::uint8_t> data) {
        bytes_.insert(bytes_.end(), data.begin(), data.end());
        return *this;
    }
    Output& put_text(std::string_view text) {
        for (const char c : text) {
            bytes_.push_back(static_cast<std::uint8_t>(c));
        }
        return *this;
    }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
};

/// A tracee address space made of byte segments taken from the input, read all or nothing
/// like a Redox mem handle (rule K1): a read succeeds only when every byte it covers lies in
/// some segment. Segments may be short, end in the middle of a string, or sit next to each
/// other; everything else is unmapped. Input format, repeated to the end:
/// `u64 address, u16 length, length bytes`.
class FakeMemory {
public:
    struct Segment {
        std::uint64_t addr;
        std::vector<std::byte> bytes;
    };

    /// Reads segments until the input ends (a last short segment keeps what is there).
    static FakeMemory parse(Input& in) {
        FakeMemory mem;
        while (!in.empty()) {
            const auto addr = in.take<std::uint64_t>();
            const auto len = in.take<std::uint16_t>();
            const auto data = in.bytes(len);
            mem.add(addr, data);
        }
        return mem;
    }

    void add(std::uint64_t addr, std::span<const std::uint8_t> data) {
        Segment s{addr, {}};
        // A segment never wraps around the top of the address space.
        const std::uint64_t room = ~std::uint64_t{0} - addr;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), room));
        s.bytes.resize(n);
        if (n != 0) {
            std::memcpy(s.bytes.data(), data.data(), n);
        }
        segments_.push_back(std::move(s));
    }

    [[nodiscard]] const std::vector<Segment>& segments() const noexcept { return segments_; }

    /// The byte at `addr`, or -1 when it is unmapped.
    [[nodiscard]] int byte_at(std::uint64_t addr) const noexcept {
        for (const Segment& s : segments_) {
            if (addr >= s.addr && addr - s.addr < s.bytes.size()) {
                return static_cast<int>(std::to_integer<unsigned>(s.bytes[addr - s.addr]));
            }
        }
        return -1;
    }

    /// True when all of [addr, addr + n) is mapped.
    [[nodiscard]] bool readable(std::uint64_t addr, std::uint64_t n) const noexcept {
        return copy(addr, n, nullptr);
    }

    /// All or nothing, like the mem handle: false and `out` untouched when any byte is missing.
    bool read(std::uint64_t addr, std::span<std::byte> out) const {
        if (!copy(addr, out.size(), nullptr)) {
            return false;
        }
        return copy(addr, out.size(), out.data());
    }

private:
    bool copy(std::uint64_t addr, std::uint64_t n, std::byte* out) const noexcept {
        if (n > ~std::uint64_t{0} - addr) {
            return false; // past the top of the address space
        }
        std::uint64_t done = 0;
        while (done < n) {
            const std::uint64_t at = addr + done;
            // The first segment holding `at` serves it, as in byte_at(); its run stops where an
            // earlier segment (which wins for its own bytes) begins.
            const Segment* found = nullptr;
            std::uint64_t k = n - done;
            for (const Segment& s : segments_) {
                if (at >= s.addr && at - s.addr < s.bytes.size()) {
                    found = &s;
                    break;
                }
                if (s.addr > at && !s.bytes.empty()) {
                    k = std::min(k, s.addr - at);
                }
            }
            if (found == nullptr) {
                return false;
            }
            const std::uint64_t offset = at - found->addr;
            k = std::min<std::uint64_t>(k, found->bytes.size() - offset);
            if (out != nullptr) {
                std::memcpy(out + done, found->bytes.data() + offset, static_cast<std::size_t>(k));
            }
            done += k;
        }
        return true;
    }

    std::vector<Segment> segments_;
};

/// A syscall number for a 16-bit selector (the strace harnesses): below 0x8000 the number
/// modulo 512, every known syscall and some unknown ones; above, a negative number.
inline long syscall_for(std::uint16_t raw) noexcept {
    if (raw < 0x8000) {
        return raw % 512;
    }
    return static_cast<std::int16_t>(raw);
}

/// The strace example's `-s` limit for a 16-bit selector: mostly 1..256, where strings end or
/// are cut inside the input's memory; for the top 4096 values 1..65521 in steps of 16 (-s
/// accepts 1..65536; large limits make every decode allocate and scan more).
inline std::size_t limit_for(std::uint16_t raw) noexcept {
    if (raw < 0xf000) {
        return std::size_t{raw} % 256 + 1;
    }
    return (std::size_t{raw} - 0xf000) * 16 + 1;
}

/// True when every byte is printable ASCII: what a strace line may contain (everything else
/// must have been escaped).
inline bool printable(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7f;
    });
}

} // namespace fuzz
