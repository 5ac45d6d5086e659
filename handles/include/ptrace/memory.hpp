// SPDX-License-Identifier: MIT
// Memory: reads and writes of a tracee's address space through its proc:<pid>/mem handle.
#pragma once

#include <ptrace/bytes.hpp>
#include <ptrace/c_string.hpp>
#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

#include <sys/types.h>

namespace ptrace_api {

/// The address space of one tracee (`proc:<pid>/mem`, spec 2.K). Addresses are tracee virtual
/// addresses. Each transfer is all or nothing (K1): if any byte of the range is unmapped the
/// call fails with EFAULT and transfers nothing. Writes go through read-only mappings such as
/// program text (K2; Linux copies the page on write, so other processes are unaffected). No
/// stop is needed (K3), and after an exec the handle follows the new program (K4).
///
/// Obtained from a Tracer (`tracer.mem()`) or opened alone for any pid the caller may trace.
/// Move-only; a moved-from object may only be destroyed or assigned to.
class Memory {
public:
    /// Opens the memory handle of `pid`.
    /// \errors ESRCH no such task or a zombie (A2); EPERM not allowed to trace it (A3).
    /// `oflags`: 0, or shim::linux_checks_only for Linux's rule of who may trace alone
    /// (decision 25).
    [[nodiscard]] static Result<Memory> open(pid_t pid, int oflags = 0);

    Memory(Memory&& other) noexcept
        : pid_(std::exchange(other.pid_, 0)), fd_(std::move(other.fd_)) {}
    Memory& operator=(Memory&& other) noexcept {
        pid_ = std::exchange(other.pid_, 0);
        fd_ = std::move(other.fd_);
        return *this;
    }
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;
    ~Memory() = default;

    /// The tracee's pid; 0 for a moved-from object.
    [[nodiscard]] pid_t pid() const noexcept { return pid_; }

    /// Fills `out` with the bytes at `address`.
    /// \pre not moved-from.
    /// \errors EFAULT part of the range is unmapped (or the tracee is a zombie); ESRCH the
    /// tracee is gone and reaped (G1).
    Result<void> read(std::uint64_t address, std::span<std::byte> out);

    /// Writes `data` at `address`, also into read-only mappings (K2).
    /// \pre not moved-from.
    /// \errors EFAULT part of the range is unmapped; ESRCH the tracee is gone and reaped.
    Result<void> write(std::uint64_t address, std::span<const std::byte> data);

    /// The value of type `T` stored at `address` (a copy of its bytes).
    /// \pre not moved-from. \errors as read().
    template <class T>
    requires std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>
    [[nodiscard]] Result<T> read_value(std::uint64_t address) {
        std::array<std::byte, sizeof(T)> bytes{};
        if (auto r = read(address, bytes); !r) {
            return Unexpected(r.error());
        }
        T value{};
        std::memcpy(&value, bytes.data(), sizeof(T));
        return value;
    }

    /// Stores `value` at `address`. Only types without padding qualify (`AbiBytes`), so no
    /// indeterminate byte reaches the tracee.
    /// \pre not moved-from. \errors as write().
    template <AbiBytes T>
    Result<void> write_value(std::uint64_t address, const T& value) {
        return write(address, as_bytes(value));
    }

    /// The NUL-terminated string at `address`, at most `max_len` bytes of it. Reads page by
    /// page and never touches a page past the terminator, so a string that ends just before
    /// an unmapped page reads fine.
    /// \returns the text before the NUL; `truncated` when `max_len` bytes held no NUL.
    /// \pre not moved-from.
    /// \errors EFAULT the string starts in, or runs into, an unmapped page before its NUL
    /// and before `max_len`; ESRCH the tracee is gone and reaped.
    [[nodiscard]] Result<CString> read_c_string(std::uint64_t address, std::size_t max_len);

private:
    Memory(pid_t pid, detail::ShimFd fd) noexcept : pid_(pid), fd_(std::move(fd)) {}

    Result<void> seek(std::uint64_t address);

    pid_t pid_ = 0;
    detail::ShimFd fd_;
};

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/memory.ipp>
#endif
