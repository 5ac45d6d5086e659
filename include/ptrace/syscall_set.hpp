// SPDX-License-Identifier: MIT
// SyscallSet: the set of x86_64 syscall numbers that PRE and POST stops are limited to (issue
// 12), as the `proc:<pid>/syscalls` handle reads and writes it: a bitmap of 512 bits, 64
// bytes, bit i (byte i / 8, bit i % 8, little-endian) = syscall i.
#pragma once

#include <ptrace/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <system_error>

namespace ptrace_api {

/// A set of syscall numbers (0 to 511). The empty set means "no filter": every syscall stops
/// (what a tracee has before anything is written, and the only way to say "all" again).
///
/// What the filter does with numbers the bitmap cannot name is fixed, the same in the kernel
/// filter and in the shim (kernel-shim/README.md, "Syscall filter"): a syscall of another
/// architecture (`int 0x80`), an x32 number (bit 0x40000000) and a skipped syscall (-1) always
/// stop; any other number from 512 up never does (Linux fails it with ENOSYS). Bits of the
/// bitmap above the highest syscall Linux has today are kept as written: such a number still
/// enters the kernel (and gets ENOSYS there), so it stops like any other in the set.
class SyscallSet {
public:
    /// Number of syscall numbers the bitmap holds.
    static constexpr std::size_t capacity = 512;
    /// Size of the bitmap in bytes: the only size a write of the handle accepts.
    static constexpr std::size_t byte_size = capacity / 8;

    constexpr SyscallSet() noexcept = default;
    constexpr SyscallSet(std::initializer_list<std::uint64_t> numbers) noexcept {
        for (const std::uint64_t nr : numbers) {
            (void)insert(nr);
        }
    }

    /// Adds `nr`. \returns false when it is not below `capacity` (nothing changes).
    constexpr bool insert(std::uint64_t nr) noexcept {
        if (nr >= capacity) {
            return false;
        }
        words_[nr / 64] |= std::uint64_t{1} << (nr % 64);
        return true;
    }

    /// Removes `nr` (nothing for numbers not below `capacity`).
    constexpr void erase(std::uint64_t nr) noexcept {
        if (nr < capacity) {
            words_[nr / 64] &= ~(std::uint64_t{1} << (nr % 64));
        }
    }

    /// True when `nr` is in the bitmap (never for numbers from `capacity` up).
    [[nodiscard]] constexpr bool contains(std::uint64_t nr) const noexcept {
        return nr < capacity && (words_[nr / 64] >> (nr % 64) & 1U) != 0;
    }

    /// True when no number is in the set: no filter, every syscall stops.
    [[nodiscard]] constexpr bool empty() const noexcept {
        for (const std::uint64_t w : words_) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /// How many numbers are in the set.
    [[nodiscard]] constexpr std::size_t size() const noexcept {
        std::size_t n = 0;
        for (std::uint64_t w : words_) {
            for (; w != 0; w &= w - 1) {
                ++n;
            }
        }
        return n;
    }

    /// True when every number of `*this` is in `other` too.
    [[nodiscard]] constexpr bool subset_of(const SyscallSet& other) const noexcept {
        for (std::size_t i = 0; i < words_.size(); ++i) {
            if ((words_[i] & ~other.words_[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /// The 64-bit word `i` (0 to 7) of the bitmap: numbers 64*i to 64*i+63.
    [[nodiscard]] constexpr std::uint64_t word(std::size_t i) const noexcept {
        return i < words_.size() ? words_[i] : 0;
    }

    /// The bitmap as the handle holds it: 64 bytes, bit i of byte i / 8 ... little-endian.
    [[nodiscard]] constexpr std::array<std::byte, byte_size> to_bytes() const noexcept {
        std::array<std::byte, byte_size> out{};
        for (std::size_t i = 0; i < byte_size; ++i) {
            out[i] = static_cast<std::byte>((words_[i / 8] >> (8 * (i % 8))) & 0xff);
        }
        return out;
    }

    /// The set a 64-byte bitmap names. \errors EINVAL for any other size.
    [[nodiscard]] static Result<SyscallSet> from_bytes(std::span<const std::byte> bytes) noexcept {
        if (bytes.size() != byte_size) {
            return unexpected(std::errc::invalid_argument);
        }
        SyscallSet s;
        for (std::size_t i = 0; i < byte_size; ++i) {
            s.words_[i / 8] |= static_cast<std::uint64_t>(bytes[i]) << (8 * (i % 8));
        }
        return s;
    }

    friend constexpr bool operator==(const SyscallSet&, const SyscallSet&) noexcept = default;

private:
    std::array<std::uint64_t, capacity / 64> words_{};
};

static_assert(sizeof(SyscallSet) == SyscallSet::byte_size);

/// How a tracee's syscall set is applied (kernel-shim/README.md, "Syscall filter").
enum class SyscallFilterPath : std::uint8_t {
    None,   ///< no set: every syscall stops when PRE or POST is asked
    Kernel, ///< a seccomp filter in the tracee stops only the set's syscalls (spawn)
    Shim,   ///< every syscall stops in Linux; the shim passes the others on silently
};

/// What Tracer::syscall_filter() reports.
struct SyscallFilterState {
    SyscallFilterPath path = SyscallFilterPath::None;
    /// The errno of a seccomp filter install that failed (spawn with a set), else 0.
    int install_error = 0;

    friend constexpr bool operator==(const SyscallFilterState&,
                                     const SyscallFilterState&) noexcept = default;
};

} // namespace ptrace_api
